// ComputeClient and Sandbox against a real `sockt serve`: every method, camelCase results, and
// errors built from the server's real answers.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';

import {
    APIError,
    AuthenticationError,
    ComputeClient,
    ConnectionError,
    Execution,
    InvalidArgumentError,
    Sandbox,
    SandboxNotRunningError,
    SandboxStoppedError,
    SocktError,
    TopUpFailedError,
} from '@sockt/client';

import { eventually, startServer } from './helpers.mjs';

let server;
let client;
let sandbox;

before(async () => {
    server = await startServer([
        '--api-key', 'sockt_live_0f8e2b6a-3c4d-4e5f-9a1b-7c2d3e4f5a6b',
        '--api-key', 'sockt_live_poor:0',
    ]);
    client = new ComputeClient({ apiKey: server.apiKey, baseUrl: server.url });
    sandbox = await client.createSandbox({ tier: 'nano', label: 'node-suite' });
    await sandbox.waitUntilRunning({ timeoutMs: 20000, pollIntervalMs: 50 });
});

after(async () => {
    await client?.close();
    await server?.stop();
});

describe('ComputeClient', () => {
    it('lists the six tiers with camelCase prices', async () => {
        const tiers = await client.listTiers();
        assert.deepEqual(
            tiers.map((t) => t.name),
            ['nano', 'micro', 'small', 'medium', 'large', 'gpu-small'],
        );
        const nano = tiers[0];
        assert.equal(nano.msatsPerSecond, 500);
        assert.equal(nano.satsPerSecond, 0.5);
        assert.equal(nano.usdCentsPerSecond, 0.000277);
        assert.equal(nano.costPerMinuteSats, 30);
        assert.equal(nano.costPerHourSats, 1800);
        assert.equal(nano.costPerDaySats, 43200);
        assert.equal(nano.costPerHourUsd, 0.01);
        assert.equal(nano.raw.tier, 'nano');
    });

    it('falls back to SOCKT_API_KEY / SOCKT_API_URL, options winning over them', async () => {
        const saved = { key: process.env.SOCKT_API_KEY, url: process.env.SOCKT_API_URL };
        process.env.SOCKT_API_KEY = server.apiKey;
        process.env.SOCKT_API_URL = server.url + '/';
        try {
            const fromEnv = new ComputeClient();
            assert.equal(fromEnv.baseUrl, server.url);
            const sb = await fromEnv.getSandbox(sandbox.id);
            assert.equal(sb.currentStatus, 'running');
            await fromEnv.close();

            const explicit = new ComputeClient({ apiKey: 'sockt_live_wrong-key-1234' });
            await assert.rejects(explicit.getSandbox(sandbox.id), AuthenticationError);
            await explicit.close();
        } finally {
            for (const [name, value] of [['SOCKT_API_KEY', saved.key], ['SOCKT_API_URL', saved.url]]) {
                if (value === undefined) delete process.env[name];
                else process.env[name] = value;
            }
        }
    });

    it('never shows the key in its description', () => {
        const text = String(client);
        assert.ok(!text.includes(server.apiKey), text);
        assert.match(text, /…/);
    });

    it('creates a credits sandbox: starting, then running', async () => {
        const sb = await client.createSandbox({ tier: 'micro', billingMethod: 'credits', label: 'x' });
        assert.ok(sb instanceof Sandbox);
        assert.match(sb.id, /^[0-9a-f-]{36}$/);
        assert.equal(sb.currentStatus, 'starting');
        assert.equal(sb.created.billingMethod, 'credits');
        assert.equal(sb.created.tier, 'micro');
        assert.equal(sb.pendingInvoice, null);
        await sb.waitUntilRunning({ pollIntervalMs: 20 });
        assert.equal(sb.currentStatus, 'running');
        const done = await sb.terminate();
        assert.equal(done.status, 'terminated');
        assert.equal(done.sandboxId, sb.id);
        assert.equal(done.refund.status, 'credited');
        const again = await sb.terminate();
        assert.equal(again.alreadyTerminated, true);
    });

    it('getSandbox loads the status; sandbox() makes a handle without a call', async () => {
        const loaded = await client.getSandbox(sandbox.id);
        assert.equal(loaded.currentStatus, 'running');
        assert.equal(loaded.lastStatus.sandboxId, sandbox.id);
        const handle = client.sandbox(sandbox.id);
        assert.equal(handle.currentStatus, '');
        assert.equal((await handle.status()).status, 'running');
        assert.equal(handle.currentStatus, 'running');
    });
});

describe('Sandbox', () => {
    it('refreshStatus()/status() return camelCase status objects', async () => {
        const status = await sandbox.refreshStatus();
        assert.equal(status.sandboxId, sandbox.id);
        assert.equal(status.status, 'running');
        assert.equal(status.tier, 'nano');
        assert.equal(status.billingMethod, 'credits');
        assert.equal(status.label, 'node-suite');
        assert.equal(status.template, 'sockt-nano');
        assert.equal(typeof status.consumedMsats, 'number');
        assert.equal(status.pendingInvoice, null);
        assert.equal(status.metricsStale, false);
        assert.equal(status.raw.sandbox_id, sandbox.id);
        const same = await sandbox.status();
        assert.equal(same.status, 'running');
        assert.equal(sandbox.lastStatus.status, 'running');
    });

    it('exec resolves to the finished result', async () => {
        const result = await sandbox.exec('echo out; echo err >&2; exit 3');
        assert.equal(result.stdout, 'out\n');
        assert.equal(result.stderr, 'err\n');
        assert.equal(result.exitCode, 3);
        assert.equal(result.status, 'completed');
        assert.match(result.executionId, /^exec_/);
        assert.equal(result.error, null);
        assert.deepEqual(
            result.output.map((c) => c.stream).sort(),
            ['stderr', 'stdout'],
        );
    });

    it('exec honours workingDir and timeoutMs, and streams output', async () => {
        await sandbox.writeFile('sub/dir/marker.txt', 'm');
        const here = await sandbox.exec('ls', { workingDir: 'sub/dir' });
        assert.equal(here.stdout, 'marker.txt\n');
        const seen = [];
        const streamed = await sandbox.exec('for i in 1 2 3; do echo $i; done', {
            onOutput: (chunk) => seen.push(chunk.chunk),
        });
        assert.equal(seen.join(''), '1\n2\n3\n');
        assert.equal(streamed.stdout, '1\n2\n3\n');
        const slow = await sandbox.exec('sleep 5', { timeoutMs: 200 });
        assert.equal(slow.status, 'failed');
        assert.equal(slow.exitCode, 124);
        assert.match(slow.error, /timeout/);
    });

    it('execSync is exec', async () => {
        const result = await sandbox.execSync('printf "%s" "$SOCKT_SANDBOX_ID"');
        assert.equal(result.stdout, sandbox.id);
        assert.equal(result.exitCode, 0);
    });

    it('exec with background: true resolves to an Execution handle', async () => {
        const execution = await sandbox.exec('echo first; sleep 0.3; echo second', { background: true });
        assert.ok(execution instanceof Execution);
        assert.equal(execution.status, 'running');
        assert.match(execution.executionId, /^exec_/);
        assert.equal(execution.sandboxId, sandbox.id);
        assert.equal(execution.command, 'echo first; sleep 0.3; echo second');
        // A poll through execResult is still part of the execution's final output.
        let polled = '';
        await eventually(async () => {
            polled += (await sandbox.execResult(execution.executionId)).stdout;
            return polled.includes('first');
        }, 'the first line through execResult');
        assert.equal(polled, 'first\n');
        const result = await execution.wait();
        assert.equal(result.stdout, 'first\nsecond\n');
        assert.equal(result.exitCode, 0);
        assert.equal(execution.status, 'completed');
        const later = await execution.result();
        assert.equal(later.status, 'completed');
        assert.deepEqual(later.output, []);
    });

    it('execCancel and Execution.cancel stop a command', async () => {
        const a = await sandbox.exec('sleep 30', { background: true });
        assert.equal(await sandbox.execCancel(a.executionId), 'cancelled');
        const ra = await sandbox.execWait(a.executionId);
        assert.equal(ra.status, 'cancelled');
        assert.equal(ra.exitCode, 137);
        const b = await sandbox.exec('sleep 30', { background: true });
        assert.equal(await b.cancel(), 'cancelled');
        assert.equal((await b.wait()).status, 'cancelled');
        const c = await sandbox.exec('true', { background: true });
        await c.wait();
        assert.equal(await c.cancel(), 'completed');
    });

    it('writes and reads text, base64 and exact bytes', async () => {
        const w = await sandbox.writeFile('notes/hello.txt', 'héllo wörld\n');
        assert.equal(w.path, '/home/sandbox/notes/hello.txt');
        assert.equal(w.bytesWritten, Buffer.byteLength('héllo wörld\n'));
        assert.equal(w.createdDirs, true);
        assert.equal(await sandbox.readFile('notes/hello.txt'), 'héllo wörld\n');
        assert.equal(await sandbox.readFile('/home/sandbox/notes/hello.txt', { maxBytes: 5 }), 'héll');

        await sandbox.writeFile('b64.txt', Buffer.from('from base64').toString('base64'), {
            encoding: 'base64',
        });
        assert.equal(await sandbox.readFile('b64.txt'), 'from base64');
        assert.equal(
            await sandbox.readFile('b64.txt', { encoding: 'base64' }),
            Buffer.from('from base64').toString('base64'),
        );

        const bytes = new Uint8Array(256 * 4);
        for (let i = 0; i < bytes.length; i++) bytes[i] = i % 256;
        const wb = await sandbox.writeFile('bin/all.bin', bytes);
        assert.equal(wb.bytesWritten, bytes.length);
        const back = await sandbox.readFile('bin/all.bin', { encoding: 'bytes' });
        assert.ok(back instanceof Uint8Array);
        assert.deepEqual(Buffer.from(back), Buffer.from(bytes));
        const head = await sandbox.readFile('bin/all.bin', { encoding: 'bytes', maxBytes: 3 });
        assert.deepEqual([...head], [0, 1, 2]);
        const check = await sandbox.exec('cksum < bin/all.bin');
        assert.match(check.stdout, /^\d+ 1024\n$/);

        await assert.rejects(
            sandbox.writeFile('no/parent/x.txt', 'x', { createDirs: false }),
            (e) => e instanceof APIError && e.statusCode === 400 && e.slug === 'invalid_params',
        );
        await assert.rejects(sandbox.writeFile('x', bytes, { encoding: 'base64' }), InvalidArgumentError);
    });

    it('lists files, recursively and to a depth', async () => {
        await sandbox.writeFile('tree/a/b/c.txt', 'c');
        await sandbox.writeFile('tree/top.txt', 'top');
        const flat = await sandbox.listFiles('tree');
        assert.deepEqual(flat.map((e) => e.name), ['a', 'top.txt']);
        const dir = flat[0];
        assert.equal(dir.isDir, true);
        assert.equal(dir.isFile, false);
        assert.equal(flat[1].size, 3);
        assert.equal(typeof flat[1].modTs, 'number');
        const deep = await sandbox.listFiles('tree', { recursive: true });
        assert.deepEqual(deep.map((e) => e.name), ['a', 'a/b', 'a/b/c.txt', 'top.txt']);
        const shallow = await sandbox.listFiles('tree', { recursive: true, maxDepth: 2 });
        assert.deepEqual(shallow.map((e) => e.name), ['a', 'a/b', 'top.txt']);
        const home = await sandbox.listFiles();
        assert.ok(home.some((e) => e.name === '.bashrc'));
    });

    it('pause and resume; a paused sandbox answers SandboxStoppedError', async () => {
        const sb = await client.createSandbox({ tier: 'nano' });
        await sb.waitUntilRunning({ pollIntervalMs: 20 });
        assert.equal(await sb.pause(), 'paused');
        assert.equal(await sb.pause(), 'paused');
        const error = await sb.exec('true').then(
            () => assert.fail('exec on a paused sandbox must fail'),
            (e) => e,
        );
        assert.ok(error instanceof SandboxStoppedError);
        assert.ok(error instanceof APIError);
        assert.ok(error instanceof SandboxNotRunningError);
        assert.ok(error instanceof SocktError);
        assert.ok(error instanceof Error);
        assert.equal(error.statusCode, 409);
        assert.equal(error.slug, 'sandbox_paused');
        assert.match(error.requestId, /^req_[0-9a-f]{24}$/);
        assert.match(error.message, /paused/);
        assert.equal(await sb.resume(), 'running');
        assert.equal((await sb.exec('echo back')).stdout, 'back\n');
        await sb.terminate();
        const gone = await sb.readFile('x').catch((e) => e);
        assert.ok(gone instanceof SandboxNotRunningError && gone instanceof APIError);
        assert.equal(gone.statusCode, 410);
        assert.equal(gone.slug, 'sandbox_terminated');
        await assert.rejects(sb.waitUntilRunning({ pollIntervalMs: 20 }), SandboxNotRunningError);
    });
});

describe('errors from real server answers', () => {
    it('401 → AuthenticationError with slug, statusCode, requestId', async () => {
        const bad = new ComputeClient({ apiKey: 'sockt_live_not-a-known-key', baseUrl: server.url });
        const error = await bad.createSandbox({ tier: 'nano' }).catch((e) => e);
        assert.ok(error instanceof AuthenticationError, String(error));
        assert.equal(error.statusCode, 401);
        assert.equal(error.slug, 'unauthorized');
        assert.match(error.requestId, /^req_/);
        assert.ok(!error.message.includes('sockt_live_not-a-known-key'));
        assert.ok(!(error instanceof SandboxNotRunningError));
        await bad.close();
    });

    it('403, 404, 400 and 402 map to their classes', async () => {
        const other = await client.createSandbox({ tier: 'nano' });
        const lightning = await client.createSandbox({ billingMethod: 'lightning', prepaidSats: 10 });
        const scoped = new ComputeClient({ sandboxToken: lightning.sandboxToken, baseUrl: server.url });
        const forbidden = await scoped.getSandbox(other.id).catch((e) => e);
        assert.ok(forbidden instanceof AuthenticationError);
        assert.equal(forbidden.statusCode, 403);
        assert.equal(forbidden.slug, 'forbidden');
        await scoped.close();
        await other.terminate();
        await lightning.terminate();

        const missing = await client.getSandbox('00000000-0000-4000-8000-000000000000').catch((e) => e);
        assert.ok(missing instanceof APIError);
        assert.equal(missing.statusCode, 404);
        assert.equal(missing.slug, 'not_found');

        const noFile = await sandbox.readFile('does/not/exist').catch((e) => e);
        assert.equal(noFile.slug, 'file_not_found');
        const escape = await sandbox.readFile('../../etc/passwd').catch((e) => e);
        assert.ok(escape instanceof APIError);
        assert.equal(escape.statusCode, 400);
        assert.equal(escape.slug, 'bad_request');

        const poor = new ComputeClient({ apiKey: 'sockt_live_poor', baseUrl: server.url });
        const broke = await poor.createSandbox({ tier: 'nano' }).catch((e) => e);
        assert.ok(broke instanceof TopUpFailedError, String(broke));
        assert.equal(broke.statusCode, 402);
        assert.equal(broke.slug, 'insufficient_credits');
        await poor.close();
    });

    it('an unreachable server → ConnectionError; a bad event name → InvalidArgumentError', async () => {
        const nowhere = new ComputeClient({ apiKey: 'sockt_live_x', baseUrl: 'http://127.0.0.1:9' });
        await assert.rejects(nowhere.listTiers(), ConnectionError);
        await nowhere.close();
        assert.throws(() => sandbox.on('no_such_event', () => {}), InvalidArgumentError);
    });

    it('bad constructor options → InvalidArgumentError saying what is expected', () => {
        assert.throws(() => new ComputeClient({ timeoutMs: -1 }), (e) =>
            e instanceof InvalidArgumentError && /positive integer/.test(e.message));
        assert.throws(() => new ComputeClient({ apiKey: 'k', baseUrl: 'not a url' }), (e) =>
            e instanceof InvalidArgumentError && /base URL/.test(e.message));
    });

    it('a closed client rejects calls with ConnectionError', async () => {
        const c = new ComputeClient({ apiKey: server.apiKey, baseUrl: server.url });
        await c.close();
        await c.close();
        assert.equal(c.closed, true);
        await assert.rejects(c.listTiers(), ConnectionError);
    });
});
