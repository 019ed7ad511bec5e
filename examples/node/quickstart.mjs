// The README's quick start as an ES module, no TypeScript needed:
//   SOCKT_API_URL=… SOCKT_API_KEY=… node examples/node/quickstart.mjs
import { ComputeClient } from '@sockt/client';

const client = new ComputeClient({ apiKey: process.env.SOCKT_API_KEY });
const sandbox = await client.createSandbox({ tier: 'nano', billingMethod: 'credits' });
await sandbox.waitUntilRunning();
await sandbox.writeFile('hello.py', 'print("Hello from Sockt!")');
const result = await sandbox.exec('python3 hello.py');
console.log(result.stdout.trim(), 'exit code', result.exitCode);
await sandbox.terminate();
await client.close();
