// Event-loop behaviour: concurrency on native threads, a timer firing during a big upload,
// AbortSignal cancellation.
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { after, before, it } from 'node:test';

import { TimeoutError } from '@sockt/client';

import { startRunningSandbox, stopRunningSandbox } from './helpers.mjs';

let server;
let client;
let sandbox;

before(async () => {
    ({ server, client, sandbox } = await startRunningSandbox());
});

after(() => stopRunningSandbox({ server, client }));

it('100 concurrent calls all complete with their own answers', async () => {
    const n = 100;
    const writes = await Promise.all(
        Array.from({ length: n }, (_, i) => sandbox.writeFile(`many/f${i}.txt`, `content-${i}`)),
    );
    assert.equal(writes.length, n);
    const reads = await Promise.all(
        Array.from({ length: n }, (_, i) => sandbox.readFile(`many/f${i}.txt`)),
    );
    reads.forEach((text, i) => assert.equal(text, `content-${i}`));
    const mixed = await Promise.all(
        Array.from({ length: n }, (_, i) =>
            i % 2 === 0 ? sandbox.refreshStatus().then((s) => s.status) : client.listTiers().then((t) => t.length),
        ),
    );
    mixed.forEach((value, i) => assert.equal(value, i % 2 === 0 ? 'running' : 6));
    const listing = await sandbox.listFiles('many');
    assert.equal(listing.length, n);
});

it('a 1 ms timer keeps firing while a 32 MiB upload is in flight', async () => {
    const data = randomBytes(32 * 1024 * 1024);
    let ticks = 0;
    let settled = false;
    const timer = setInterval(() => {
        if (!settled) ticks++;
    }, 1);
    const started = Date.now();
    try {
        const result = await sandbox.writeFile('big/blob.bin', data);
        settled = true;
        assert.equal(result.bytesWritten, data.length);
    } finally {
        clearInterval(timer);
    }
    const elapsed = Date.now() - started;
    // A blocked loop would run the callback at most once or twice during the whole upload.
    assert.ok(ticks >= 10, `only ${ticks} timer ticks during a ${elapsed} ms upload`);
    const sum = await sandbox.exec('sha256sum big/blob.bin');
    assert.equal(sum.stdout.split(' ')[0], createHash('sha256').update(data).digest('hex'));
});

it('an AbortSignal cancels waitUntilRunning', async () => {
    const unpaid = await client.createSandbox({ billingMethod: 'lightning', prepaidSats: 10 });
    const controller = new AbortController();
    const started = Date.now();
    setTimeout(() => controller.abort(), 200);
    const error = await unpaid
        .waitUntilRunning({ timeoutMs: 60000, pollIntervalMs: 100, signal: controller.signal })
        .catch((e) => e);
    const elapsed = Date.now() - started;
    assert.equal(error.name, 'AbortError');
    assert.equal(error, controller.signal.reason);
    assert.ok(elapsed < 5000, `abort took ${elapsed} ms`);

    const reason = new Error('my reason');
    const already = AbortSignal.abort(reason);
    await assert.rejects(unpaid.waitUntilRunning({ signal: already }), (e) => e === reason);

    await assert.rejects(
        unpaid.waitUntilRunning({ timeoutMs: 300, pollIntervalMs: 50 }),
        (e) => e.name === 'SandboxNotRunningError' || e instanceof TimeoutError,
    );
    await unpaid.terminate();
});

it('an AbortSignal cancels a running exec and AbortSignal.timeout works', async () => {
    const started = Date.now();
    const error = await sandbox.exec('sleep 30', { signal: AbortSignal.timeout(300) }).catch((e) => e);
    assert.equal(error.name, 'TimeoutError');
    assert.ok(error instanceof DOMException, String(error));
    assert.ok(Date.now() - started < 10000);
    // The client is still usable afterwards.
    assert.equal((await sandbox.exec('echo ok')).stdout, 'ok\n');
});
