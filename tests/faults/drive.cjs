// The Node front of the fault matrix (docs/faults.md): `node drive.cjs <op> <base_url>
// <timeout_ms> [file]` runs one operation with the built package (node/dist and its staged
// addon) against the fault fixture and prints one JSON line, as fault_driver.cpp does.
'use strict';
const fs = require('node:fs');
const path = require('node:path');
const { ComputeClient, SocktError } = require(path.join(__dirname, '..', '..', 'node', 'dist', 'index.js'));

async function main() {
    const [op, baseUrl, timeoutMs, file] = process.argv.slice(2);
    let out = {};
    const start = process.hrtime.bigint();
    const client = new ComputeClient({ apiKey: 'sk_faults', baseUrl, timeoutMs: Number(timeoutMs) });
    try {
        if (op === 'create') {
            out.status = (await client.createSandbox({ tier: 'nano' })).currentStatus;
        } else if (op === 'status') {
            out.status = (await client.getSandbox('sbx-faults')).currentStatus;
        } else if (op === 'exec') {
            const r = await (await client.getSandbox('sbx-faults')).exec('echo hi');
            out = { status: r.status, exit_code: r.exitCode, stdout: r.stdout };
        } else if (op === 'write') {
            const content = fs.readFileSync(file, 'utf8');
            await (await client.getSandbox('sbx-faults')).writeFile('/home/sandbox/big.txt', content);
        } else {
            throw new Error(`unknown operation ${op}`);
        }
        out.ok = true;
    } catch (e) {
        if (!(e instanceof SocktError)) throw e;
        out = { ok: false, error: e.constructor.name, message: e.message, status_code: e.statusCode,
            retry_after: e.retryAfter ?? null };
    } finally {
        await client.close();
    }
    out.elapsed = Number(process.hrtime.bigint() - start) / 1e9;
    console.log(JSON.stringify(out));
}

main().catch((e) => {
    console.error(e);
    process.exit(2);
});
