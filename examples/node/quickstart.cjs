// The quick start for CommonJS (require), no TypeScript needed:
//   SOCKT_API_URL=… SOCKT_API_KEY=… node examples/node/quickstart.cjs
'use strict';
const { ComputeClient } = require('@sockt/client');

async function main() {
    const client = new ComputeClient(); // SOCKT_API_KEY / SOCKT_API_URL from the environment
    const sandbox = await client.createSandbox({ tier: 'nano', label: 'quickstart-cjs' });
    try {
        await sandbox.waitUntilRunning();
        await sandbox.writeFile('hello.py', 'print("Hello from Sockt!")');
        const { stdout, exitCode } = await sandbox.execSync('python3 hello.py');
        console.log(stdout.trim(), 'exit code', exitCode);
    } finally {
        await sandbox.terminate();
        await client.close();
    }
}

main().catch((error) => {
    console.error(error);
    process.exitCode = 1;
});
