// Byte uploads and downloads without copies on the event loop (bench/FINDINGS.md N1, N2): views
// with offsets, SharedArrayBuffer views, arrays detached or resized during the call, AbortSignal
// during the staging of a large array, Buffers from readFile surviving garbage collection, and an
// environment ending while a large upload is in flight.
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

import { ComputeClient, InvalidArgumentError, SocktError } from '@sockt/client';

import { runNodeScript, startRunningSandbox, stopRunningSandbox } from './helpers.mjs';

const MiB = 1024 * 1024;

let server;
let client;
let sandbox;

before(async () => {
    ({ server, client, sandbox } = await startRunningSandbox());
});

after(() => stopRunningSandbox({ server, client }));

/** Reads `path` back as bytes and checks it equals `expected` (also its sha256 on disk). */
async function assertFile(path, expected) {
    const back = await sandbox.readFile(path, { encoding: 'bytes' });
    assert.ok(back instanceof Uint8Array);
    assert.equal(back.byteLength, expected.byteLength);
    assert.ok(Buffer.from(expected).equals(Buffer.from(back.buffer, back.byteOffset, back.byteLength)));
    const sum = await sandbox.exec(`sha256sum ${path}`);
    assert.equal(sum.stdout.split(' ')[0], createHash('sha256').update(expected).digest('hex'));
}

async function assertMissing(path) {
    const listing = await sandbox.exec(`test -e ${path}; echo $?`);
    assert.equal(listing.stdout.trim(), '1', `${path} should not exist`);
}

function pattern(length, seed) {
    const bytes = new Uint8Array(length);
    for (let i = 0; i < length; i++) bytes[i] = (i * 31 + seed) & 0xff;
    return bytes;
}

describe('writeFile with a Uint8Array', () => {
    it('a 5 MiB array (staged in slices) round-trips byte for byte', async () => {
        const data = new Uint8Array(randomBytes(5 * MiB));
        const result = await sandbox.writeFile('bytes/five.bin', data);
        assert.equal(result.bytesWritten, data.byteLength);
        await assertFile('bytes/five.bin', data);
    });

    it('views with an offset write only their own bytes, small and large', async () => {
        const big = randomBytes(3 * MiB + 4096);
        const largeView = big.subarray(17, 17 + 3 * MiB + 5);
        await sandbox.writeFile('bytes/large-view.bin', largeView);
        await assertFile('bytes/large-view.bin', largeView);

        const smallView = new Uint8Array(big.buffer, big.byteOffset + 1000, 777);
        await sandbox.writeFile('bytes/small-view.bin', smallView);
        await assertFile('bytes/small-view.bin', smallView);
    });

    it('a view on a SharedArrayBuffer is copied, small and large', async () => {
        for (const [name, length] of [['small', 4096], ['large', 2 * MiB + 3]]) {
            const shared = new SharedArrayBuffer(length + 8);
            const view = new Uint8Array(shared, 8, length);
            view.set(pattern(length, 7));
            await sandbox.writeFile(`bytes/shared-${name}.bin`, view);
            await assertFile(`bytes/shared-${name}.bin`, pattern(length, 7));
        }
    });

    it('an empty array writes an empty file, read back as an empty Buffer', async () => {
        const result = await sandbox.writeFile('bytes/empty.bin', new Uint8Array(0));
        assert.equal(result.bytesWritten, 0);
        const back = await sandbox.readFile('bytes/empty.bin', { encoding: 'bytes' });
        assert.ok(back instanceof Uint8Array);
        assert.equal(back.byteLength, 0);
    });

    it('a small array detached right after the call: the original bytes are uploaded', async () => {
        const data = pattern(64 * 1024, 3);
        const original = data.slice();
        const pending = sandbox.writeFile('bytes/detached-small.bin', data);
        const moved = structuredClone(data.buffer, { transfer: [data.buffer] });
        assert.equal(data.byteLength, 0, 'the array is detached');
        new Uint8Array(moved).fill(0); // the memory moved away is overwritten: must not matter
        await pending;
        await assertFile('bytes/detached-small.bin', original);
    });

    it('a large array detached right after the call rejects with InvalidArgumentError, writes nothing', async () => {
        const data = new Uint8Array(randomBytes(4 * MiB));
        const pending = sandbox.writeFile('bytes/detached-large.bin', data);
        let moved = structuredClone(data.buffer, { transfer: [data.buffer] });
        assert.equal(moved.byteLength, 4 * MiB);
        moved = null; // the moved memory may now be freed
        const error = await pending.catch((e) => e);
        assert.ok(error instanceof InvalidArgumentError, String(error));
        assert.ok(error instanceof SocktError);
        assert.match(error.message, /detached or resized/);
        await assertMissing('bytes/detached-large.bin');
        // The client is still usable.
        await sandbox.writeFile('bytes/after-detach.bin', pattern(2 * MiB, 1));
        await assertFile('bytes/after-detach.bin', pattern(2 * MiB, 1));
    });

    it('a large resizable ArrayBuffer shrunk right after the call rejects the same way', async (t) => {
        if (typeof ArrayBuffer.prototype.resize !== 'function') {
            t.skip('this Node has no resizable ArrayBuffer');
            return;
        }
        const buffer = new ArrayBuffer(3 * MiB, { maxByteLength: 4 * MiB });
        const data = new Uint8Array(buffer);
        data.set(pattern(3 * MiB, 9));
        const pending = sandbox.writeFile('bytes/shrunk.bin', data);
        buffer.resize(16);
        await assert.rejects(pending, InvalidArgumentError);
        await assertMissing('bytes/shrunk.bin');
    });

    it('an AbortSignal fired while a large array is staged cancels the write', async () => {
        const controller = new AbortController();
        const pending = sandbox.writeFile('bytes/aborted.bin', pattern(6 * MiB, 5), {
            signal: controller.signal,
        });
        controller.abort();
        const error = await pending.catch((e) => e);
        assert.equal(error?.name, 'AbortError', String(error));
        await assertMissing('bytes/aborted.bin');
    });
});

describe('readFile with encoding bytes', () => {
    it('Buffers handed over without a copy survive garbage collection', async () => {
        setFlagsFromString('--expose-gc');
        const gc = runInNewContext('gc');
        const data = pattern(2 * MiB + 11, 13);
        await sandbox.writeFile('bytes/gc.bin', data);
        const keep = await sandbox.readFile('bytes/gc.bin', { encoding: 'bytes' });
        // Many more reads whose Buffers become garbage at once: their finalizers free the
        // decoded strings while `keep` must stay intact.
        for (let round = 0; round < 3; round++) {
            const dropped = await Promise.all(
                Array.from({ length: 8 }, () => sandbox.readFile('bytes/gc.bin', { encoding: 'bytes' })),
            );
            assert.equal(dropped[7].byteLength, data.byteLength);
            dropped.length = 0;
            gc();
            randomBytes(4 * MiB); // reuse freed memory, if any was wrongly freed
        }
        gc();
        assert.ok(Buffer.from(data).equals(Buffer.from(keep.buffer, keep.byteOffset, keep.byteLength)));
        // A Buffer is writable, like any read result, and independent from later reads.
        keep[0] ^= 0xff;
        const again = await sandbox.readFile('bytes/gc.bin', { encoding: 'bytes' });
        assert.equal(again[0], data[0]);
    });
});

it('a worker thread ending during a large upload leaves the process working', async () => {
    const run = await runNodeScript(`
        import { Worker } from 'node:worker_threads';
        import { ComputeClient } from '@sockt/client';
        const source = \`
            const { parentPort } = require('node:worker_threads');
            const { ComputeClient } = require('@sockt/client');
            (async () => {
                const client = new ComputeClient();
                const sandbox = await client.createSandbox({ tier: 'nano' });
                const data = new Uint8Array(24 * 1024 * 1024).fill(7);
                sandbox.writeFile('from-worker.bin', data).catch(() => {});
                parentPort.postMessage('uploading');
            })();
        \`;
        for (let i = 0; i < 3; i++) {
            const worker = new Worker(source, { eval: true });
            await new Promise((resolve, reject) => {
                worker.once('message', resolve);
                worker.once('error', reject);
            });
            await worker.terminate();
        }
        const client = new ComputeClient();
        const sandbox = await client.createSandbox({ tier: 'nano' });
        const data = new Uint8Array(3 * 1024 * 1024).fill(9);
        await sandbox.writeFile('main.bin', data);
        const back = await sandbox.readFile('main.bin', { encoding: 'bytes' });
        console.log('main', back.byteLength, back.every((b) => b === 9));
        await client.close();
    `, { env: { SOCKT_API_URL: server.url, SOCKT_API_KEY: server.apiKey } });
    assert.equal(run.signal, null, run.stderr);
    assert.equal(run.code, 0, run.stderr);
    assert.equal(run.stdout, 'main 3145728 true\n');
});
