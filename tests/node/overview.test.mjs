// The API overview's TypeScript example (examples/node/overview.ts), run unchanged: only the
// server address differs, given through SOCKT_API_URL.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { createRequire } from 'node:module';
import * as path from 'node:path';
import { after, before, it } from 'node:test';

import { ComputeClient } from '@sockt/client';

import { repoRoot, runNodeScript, startServer } from './helpers.mjs';

const require = createRequire(import.meta.url);
const ts = require('typescript');

let server;

before(async () => {
    server = await startServer();
});

after(async () => {
    await server?.stop();
});

it('the overview example runs unchanged against sockt serve', async () => {
    const source = fs.readFileSync(path.join(repoRoot, 'examples', 'node', 'overview.ts'), 'utf8');
    const { outputText } = ts.transpileModule(source, {
        compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 },
    });
    const run = await runNodeScript(outputText, {
        env: { SOCKT_API_URL: server.url, SOCKT_API_KEY: server.apiKey },
    });
    assert.equal(run.code, 0, run.stderr);
    // eval.py does not exist in a fresh sandbox: python fails (a result, not an exception) and
    // the example prints the empty stdout.
    assert.equal(run.stdout, '\n');
    assert.equal(run.stderr, '');
});

it('the overview example with its eval.py present prints the evaluation output', async () => {
    // Same shape as the overview; the one added step writes the eval.py the example assumes,
    // and python3 stands in for `python`, which a sandbox need not have.
    const client = new ComputeClient({ apiKey: server.apiKey, baseUrl: server.url });
    const sandbox = await client.createSandbox({ tier: 'micro', billingMethod: 'credits' });
    await sandbox.writeFile(
        'eval.py',
        'import sys\nprint("dataset:", sys.argv[sys.argv.index("--dataset") + 1])\n',
    );
    const result = await sandbox.exec('python3 eval.py --dataset cifar10');
    assert.equal(result.stdout, 'dataset: cifar10\n');
    assert.equal(result.exitCode, 0);
    const done = await sandbox.terminate();
    assert.equal(done.status, 'terminated');
    await client.close();
});
