// The TypeScript example of the Sockt API overview, verbatim. Run it against any server by
// setting SOCKT_API_URL (e.g. one started by `sockt serve`) and SOCKT_API_KEY.
import { ComputeClient } from '@sockt/client';

const client = new ComputeClient({ apiKey: process.env.SOCKT_API_KEY });

const sandbox = await client.createSandbox({
  tier: 'micro',
  billingMethod: 'credits',
});

const result = await sandbox.exec('python eval.py --dataset cifar10');
console.log(result.stdout);

await sandbox.terminate();
