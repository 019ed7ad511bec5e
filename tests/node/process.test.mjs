// Process lifetime: calls in flight keep the process alive, close() lets it exit, and exiting
// with calls in flight does not crash (each case runs in its own node process).
import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';

import { runNodeScript, startServer } from './helpers.mjs';

let server;
let env;

before(async () => {
    server = await startServer();
    env = { SOCKT_API_URL: server.url, SOCKT_API_KEY: server.apiKey };
});

after(async () => {
    await server?.stop();
});

it('the process exits by itself after close(), also after shells, listeners and waits', async () => {
    const run = await runNodeScript(`
        import { ComputeClient } from '@sockt/client';
        const client = new ComputeClient();
        const sandbox = await client.createSandbox({ tier: 'nano' });
        sandbox.on('low_balance', () => {});
        await sandbox.waitUntilRunning({ pollIntervalMs: 50 });
        const shell = await sandbox.shell().connect();
        shell.on('stdout', () => {});
        shell.sendLine('echo hi');
        await shell.recv({ timeoutMs: 5000 });
        const background = await sandbox.exec('sleep 60', { background: true });
        const controller = new AbortController();
        const waiting = background.wait({ signal: controller.signal }).catch((e) => e.name);
        controller.abort();
        console.log('wait:', await waiting);
        await shell.close();
        await sandbox.terminate();
        await client.close();
        console.log('closed');
    `, { env, timeoutMs: 60000 });
    assert.equal(run.signal, null, run.stderr);
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /wait: AbortError\nclosed\n/);
});

it('a call in flight keeps the process alive until it settles', async () => {
    const run = await runNodeScript(`
        import { ComputeClient } from '@sockt/client';
        const client = new ComputeClient();
        client.createSandbox({ tier: 'nano' })
            .then((sandbox) => sandbox.exec('sleep 0.5; echo finished'))
            .then((result) => { console.log(result.stdout.trim()); return client.close(); });
    `, { env });
    assert.equal(run.code, 0, run.stderr);
    assert.equal(run.stdout.trim(), 'finished');
});

it('an open shell keeps the process alive until the shell ends', async () => {
    const run = await runNodeScript(`
        import { ComputeClient } from '@sockt/client';
        const client = new ComputeClient();
        const sandbox = await client.createSandbox({ tier: 'nano' });
        await sandbox.waitUntilRunning({ pollIntervalMs: 50 });
        const shell = await sandbox.shell().connect();
        shell.on('exit', (frame) => { console.log('exit', frame.code); client.close(); });
        shell.sendLine('sleep 0.3; exit 7');
    `, { env });
    assert.equal(run.code, 0, run.stderr);
    assert.equal(run.stdout.trim(), 'exit 7');
});

it('process.exit() with many calls in flight exits cleanly', async () => {
    const run = await runNodeScript(`
        import { ComputeClient } from '@sockt/client';
        const client = new ComputeClient();
        const sandbox = await client.createSandbox({ tier: 'nano' });
        await sandbox.waitUntilRunning({ pollIntervalMs: 50 });
        const unpaid = await client.createSandbox({ billingMethod: 'lightning', prepaidSats: 10 });
        const pending = [];
        for (let i = 0; i < 5; i++) pending.push(sandbox.exec('sleep 20'));
        for (let i = 0; i < 20; i++) pending.push(unpaid.waitUntilRunning({ pollIntervalMs: 20 }));
        for (let i = 0; i < 20; i++) pending.push(sandbox.readFile('.bashrc'));
        pending.forEach((p) => p.catch(() => {}));
        setTimeout(() => { console.log('exiting'); process.exit(0); }, 300);
    `, { env });
    assert.equal(run.signal, null, run.stderr);
    assert.equal(run.code, 0, run.stderr);
    assert.equal(run.stdout.trim(), 'exiting');
    assert.ok(run.ms < 20000, `exit took ${run.ms} ms`);
});

it('an uncaught error with calls in flight ends the process with code 1, not a crash', async () => {
    const run = await runNodeScript(`
        import { ComputeClient } from '@sockt/client';
        const client = new ComputeClient();
        const unpaid = await client.createSandbox({ billingMethod: 'lightning', prepaidSats: 10 });
        unpaid.waitUntilRunning({ pollIntervalMs: 20 }).catch(() => {});
        setTimeout(() => { throw new Error('boom'); }, 200);
    `, { env });
    assert.equal(run.signal, null, run.stderr);
    assert.equal(run.code, 1);
    assert.match(run.stderr, /boom/);
});

it('calls do not occupy libuv\'s thread pool: fs works while waits block', async () => {
    // With a single libuv thread, one blocked call on that pool would stall fs.readFile.
    const run = await runNodeScript(`
        import { readFile } from 'node:fs/promises';
        import { ComputeClient } from '@sockt/client';
        const client = new ComputeClient();
        const unpaid = await client.createSandbox({ billingMethod: 'lightning', prepaidSats: 10 });
        const controller = new AbortController();
        const waits = Array.from({ length: 8 }, () =>
            unpaid.waitUntilRunning({ timeoutMs: 60000, pollIntervalMs: 50, signal: controller.signal })
                .then(() => 'ran', (e) => e.name));
        const safety = setTimeout(() => { console.log('fs blocked'); controller.abort(); }, 30000);
        await new Promise((r) => setTimeout(r, 200));
        const text = await readFile(new URL(import.meta.url), 'utf8');
        console.log(text.includes('libuv') ? 'fs ok' : 'fs wrong');
        clearTimeout(safety);
        controller.abort();
        console.log([...new Set(await Promise.all(waits))].join(','));
        await unpaid.terminate();
        await client.close();
        // libuv
    `, { env: { ...env, UV_THREADPOOL_SIZE: '1' } });
    assert.equal(run.code, 0, run.stderr);
    assert.equal(run.stdout, 'fs ok\nAbortError\n');
});

it('a worker thread ending with calls in flight leaves the process working', async () => {
    const run = await runNodeScript(`
        import { Worker } from 'node:worker_threads';
        const source = \`
            const { parentPort } = require('node:worker_threads');
            const { ComputeClient } = require('@sockt/client');
            (async () => {
                const client = new ComputeClient();
                const unpaid = await client.createSandbox({ billingMethod: 'lightning', prepaidSats: 10 });
                unpaid.waitUntilRunning({ pollIntervalMs: 20 }).catch(() => {});
                parentPort.postMessage((await client.listTiers()).length);
            })();
        \`;
        for (let i = 0; i < 3; i++) {
            const worker = new Worker(source, { eval: true });
            const tiers = await new Promise((resolve, reject) => {
                worker.once('message', resolve);
                worker.once('error', reject);
            });
            await worker.terminate();
            console.log('worker', i, tiers);
        }
    `, { env });
    assert.equal(run.signal, null, run.stderr);
    assert.equal(run.code, 0, run.stderr);
    assert.equal(run.stdout, 'worker 0 6\nworker 1 6\nworker 2 6\n');
});
