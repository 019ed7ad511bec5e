// Output as it arrives and file/folder transfers: `for await` over an
// Execution beside `onOutput`, upload/download of trees with progress, against a real sockt serve.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';

import { APIError, ComputeClient, InvalidArgumentError } from '@sockt/client';

import { startServer } from './helpers.mjs';

let server;
let client;
let sandbox;
let tmp;

before(async () => {
    server = await startServer();
    client = new ComputeClient({ apiKey: server.apiKey, baseUrl: server.url });
    sandbox = await client.createSandbox({ tier: 'nano' });
    await sandbox.waitUntilRunning({ timeoutMs: 20000, pollIntervalMs: 50 });
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'sockt-node-transfer-'));
});

after(async () => {
    await sandbox?.terminate().catch(() => undefined);
    await client?.close();
    await server?.stop();
    fs.rmSync(tmp, { recursive: true, force: true });
});

describe('output as it arrives', () => {
    it('for await yields chunks while the command runs, then the result is on the execution', async () => {
        const execution = await sandbox.exec('echo a; sleep 1; echo b >&2; exit 2', { background: true });
        const seen = [];
        for await (const chunk of execution) {
            seen.push({ at: Date.now(), stream: chunk.stream, data: chunk.data });
        }
        assert.deepEqual(seen.map(({ stream, data }) => [stream, data]), [['stdout', 'a\n'], ['stderr', 'b\n']]);
        assert.ok(seen[1].at - seen[0].at > 500, 'the first chunk came before the sleep ended');
        assert.equal(execution.status, 'completed');
        assert.equal(execution.finalResult.exitCode, 2);
        assert.equal(execution.finalResult.stdout, 'a\n');
        assert.equal(await execution.wait(), execution.finalResult);
    });

    it('onOutput and for await see the same chunks', async () => {
        const viaCallback = [];
        const result = await sandbox.execSync('for i in 1 2 3; do echo $i; sleep 0.2; done', {
            onOutput: (chunk) => viaCallback.push(chunk.chunk),
        });
        assert.equal(viaCallback.join(''), result.stdout);
        const execution = await sandbox.exec('for i in 1 2 3; do echo $i; sleep 0.2; done', { background: true });
        let viaIteration = '';
        for await (const chunk of execution.stream()) {
            viaIteration += chunk.data;
        }
        assert.equal(viaIteration, result.stdout);
    });

    it('an aborted iteration rejects with the signal reason', async () => {
        const execution = await sandbox.exec('sleep 30', { background: true });
        const controller = new AbortController();
        const timer = setTimeout(() => controller.abort(new Error('enough')), 200);
        await assert.rejects(async () => {
            for await (const chunk of execution.stream({ signal: controller.signal })) {
                assert.fail(`unexpected output ${chunk.data}`);
            }
        }, /enough/);
        clearTimeout(timer);
        await execution.cancel();
    });
});

function makeTree(root) {
    const files = {
        'a.txt': Buffer.from('alpha\n'),
        'sub/b.bin': Buffer.from(Array.from({ length: 150000 }, (_, i) => (i * 7) & 0xff)),
        'sub/deeper/c.txt': Buffer.from('é ✓\n'),
    };
    for (const [rel, data] of Object.entries(files)) {
        fs.mkdirSync(path.dirname(path.join(root, rel)), { recursive: true });
        fs.writeFileSync(path.join(root, rel), data, { mode: 0o644 });
        fs.chmodSync(path.join(root, rel), 0o644);
    }
    for (const dir of ['', 'sub', 'sub/deeper']) {
        fs.chmodSync(path.join(root, dir), 0o755); // what a write leaves: no mode command needed
    }
    return files;
}

describe('upload and download', () => {
    it('a tree both ways: the destination is the copy', async () => {
        const files = makeTree(path.join(tmp, 'src'));
        const progress = [];
        const up = await sandbox.upload(path.join(tmp, 'src'), '/home/sandbox/up', {
            onProgress: (p) => progress.push(p),
        });
        const total = Object.values(files).reduce((n, b) => n + b.length, 0);
        assert.deepEqual(up, { files: 3, directories: 3, bytes: total });
        assert.deepEqual(progress.at(-1), { bytesDone: total, bytesTotal: total, filesDone: 3, filesTotal: 3 });
        const names = (await sandbox.listFiles('up', { recursive: true })).map((e) => e.name);
        assert.deepEqual(names, ['a.txt', 'sub', 'sub/b.bin', 'sub/deeper', 'sub/deeper/c.txt']);

        const down = await sandbox.download('up', path.join(tmp, 'back'), { concurrency: 2 });
        assert.equal(down.files, 3);
        for (const [rel, data] of Object.entries(files)) {
            assert.deepEqual(fs.readFileSync(path.join(tmp, 'back', rel)), data);
        }
    });

    it('errors reject with the SDK classes', async () => {
        await assert.rejects(sandbox.upload(path.join(tmp, 'missing'), 'x'), InvalidArgumentError);
        await assert.rejects(sandbox.download('no/such', path.join(tmp, 'none')), (e) => e instanceof APIError && e.statusCode === 404);
    });
});
