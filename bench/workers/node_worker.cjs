#!/usr/bin/env node
// One benchmark workload in a fresh Node process, for our package or a plain `fetch` baseline.
//
//   node node_worker.cjs --impl ours|fetch WORKLOAD [--seconds S] [--concurrency N]
//                        [--command CMD] [--count N] [--size BYTES]
//
// The server, key and sandbox come from SOCKT_API_URL, SOCKT_API_KEY and BENCH_SANDBOX_ID. Prints
// one JSON object on the last stdout line; times are seconds.
//
// The baseline is what a Node user writes without an SDK: the global fetch (undici keeps
// connections alive and pools them per origin by default), JSON bodies, base64 through Buffer, and
// execution polls every 500 ms like the official SDKs (docs/protocol.md §12 rule 10).
'use strict';

const crypto = require('node:crypto');
const fs = require('node:fs');
const { performance } = require('node:perf_hooks');

function parseArgs(argv) {
    const args = { seconds: 2, concurrency: 1, command: 'true', count: 10, size: 1 << 20 };
    const rest = [];
    for (let i = 0; i < argv.length; i++) {
        const a = argv[i];
        if (a === '--impl') args.impl = argv[++i];
        else if (a === '--seconds') args.seconds = Number(argv[++i]);
        else if (a === '--concurrency') args.concurrency = Number(argv[++i]);
        else if (a === '--command') args.command = argv[++i];
        else if (a === '--count') args.count = Number(argv[++i]);
        else if (a === '--size') args.size = Number(argv[++i]);
        else rest.push(a);
    }
    if (args.impl !== 'ours' && args.impl !== 'fetch') {
        throw new Error('--impl ours|fetch is required');
    }
    args.workload = rest[0];
    return args;
}

// --- memory (peak RSS above the idle RSS measured just before the workload) --------------------

function statusKb(field) {
    const line = fs
        .readFileSync('/proc/self/status', 'ascii')
        .split('\n')
        .find((l) => l.startsWith(field + ':'));
    if (!line) throw new Error(`${field} missing from /proc/self/status`);
    return Number(line.split(/\s+/)[1]);
}

/** Resets VmHWM to the current RSS (Linux >= 4.0); returns the idle RSS in KiB. */
function resetPeakRss() {
    fs.writeFileSync('/proc/self/clear_refs', '5');
    return statusKb('VmRSS');
}

// --- the implementations -----------------------------------------------------------------------

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

class FetchImpl {
    constructor() {
        this.base = `${process.env.SOCKT_API_URL.replace(/\/+$/, '')}/v1`;
        this.auth = `Bearer ${process.env.SOCKT_API_KEY}`;
        this.sandboxId = process.env.BENCH_SANDBOX_ID;
        this.version = `node ${process.versions.node} fetch (undici ${process.versions.undici})`;
    }

    async request(method, path, body) {
        const init = { method, headers: { authorization: this.auth } };
        if (body !== undefined) {
            init.headers['content-type'] = 'application/json';
            init.body = JSON.stringify(body);
        }
        const res = await fetch(this.base + path, init);
        if (!res.ok) {
            throw new Error(`${method} ${path}: HTTP ${res.status} ${(await res.text()).slice(0, 300)}`);
        }
        return res.json();
    }

    async status() {
        return (await this.request('GET', `/sandboxes/${this.sandboxId}`)).status;
    }

    async execSync(command) {
        const started = await this.request('POST', `/sandboxes/${this.sandboxId}/exec`, { command });
        let stdout = '';
        for (;;) {
            const poll = await this.request('GET', `/executions/${started.execution_id}`);
            for (const c of poll.output) if (c.stream === 'stdout') stdout += c.chunk;
            if (poll.status !== 'running') return { stdout, exitCode: poll.exit_code };
            await sleep(500);
        }
    }

    async writeBytes(path, bytes) {
        const content = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64');
        await this.request('POST', `/sandboxes/${this.sandboxId}/files/write`, {
            path,
            content,
            encoding: 'base64',
        });
    }

    async readBytes(path) {
        const answer = await this.request('POST', `/sandboxes/${this.sandboxId}/files/read`, {
            path,
            encoding: 'base64',
        });
        return Buffer.from(answer.content, 'base64');
    }

    async close() {}
}

class OursImpl {
    static async open() {
        const sockt = require('@sockt/client');
        const impl = new OursImpl();
        impl.client = new sockt.ComputeClient();
        impl.sandbox = await impl.client.getSandbox(process.env.BENCH_SANDBOX_ID);
        impl.version = `${require('@sockt/client/package.json').version} (core ${sockt.coreVersion()})`;
        return impl;
    }

    async status() {
        return (await this.sandbox.refreshStatus()).status;
    }

    async execSync(command) {
        const r = await this.sandbox.execSync(command);
        return { stdout: r.stdout, exitCode: r.exitCode };
    }

    async writeBytes(path, bytes) {
        await this.sandbox.writeFile(path, bytes);
    }

    async readBytes(path) {
        return this.sandbox.readFile(path, { encoding: 'bytes' });
    }

    async close() {
        await this.client.close();
    }
}

const open = (args) => (args.impl === 'ours' ? OursImpl.open() : Promise.resolve(new FetchImpl()));

// --- workloads -----------------------------------------------------------------------------------

async function wImport(args) {
    if (args.impl === 'fetch') {
        // fetch is a global: there is nothing to load.
        return { value: 0, version: new FetchImpl().version };
    }
    const start = performance.now();
    const sockt = require('@sockt/client');
    const value = (performance.now() - start) / 1000;
    // The addon loads on first use; report that separately (not part of the require).
    const t2 = performance.now();
    const client = new sockt.ComputeClient();
    const firstClient = (performance.now() - t2) / 1000;
    await client.close();
    return { value, first_client_s: firstClient };
}

async function wStatus(args) {
    const impl = await open(args);
    for (let i = 0; i < 20; i++) await impl.status();
    const workers = Math.max(1, args.concurrency);
    let count = 0;
    const start = performance.now();
    const deadline = start + args.seconds * 1000;
    // `workers` loops each keep one call in flight until the deadline.
    await Promise.all(
        Array.from({ length: workers }, async () => {
            while (performance.now() < deadline) {
                await impl.status();
                count++;
            }
        }),
    );
    const elapsed = (performance.now() - start) / 1000;
    await impl.close();
    return { value: count / elapsed, count, elapsed, concurrency: workers, version: impl.version };
}

async function wExec(args) {
    const impl = await open(args);
    const expected = args.command === 'echo hi' ? 'hi\n' : '';
    await impl.execSync(args.command); // warm-up: connection, first bash start
    const samples = [];
    for (let i = 0; i < args.count; i++) {
        const start = performance.now();
        const r = await impl.execSync(args.command);
        samples.push((performance.now() - start) / 1000);
        if (r.exitCode !== 0 || r.stdout !== expected) {
            throw new Error(`${args.command}: exit ${r.exitCode}, stdout ${JSON.stringify(r.stdout)}`);
        }
    }
    await impl.close();
    return { samples, version: impl.version };
}

async function wFiles(args) {
    const impl = await open(args);
    await impl.status(); // connection up before the clock starts
    const data = crypto.randomBytes(args.size);
    const path = `bench/node-${args.impl}-${process.pid}.bin`;
    const idleKb = resetPeakRss();
    const start = performance.now();
    await impl.writeBytes(path, data);
    const mid = performance.now();
    const back = await impl.readBytes(path);
    const end = performance.now();
    const peakKb = statusKb('VmHWM');
    if (!Buffer.from(back.buffer, back.byteOffset, back.byteLength).equals(data)) {
        throw new Error(`read back ${back.byteLength} bytes that differ from the ${data.length} written`);
    }
    await impl.close();
    return {
        write_s: (mid - start) / 1000,
        read_s: (end - mid) / 1000,
        value: (2 * args.size) / ((end - start) / 1000) / 1e6,
        rss_idle_kb: idleKb,
        rss_peak_kb: peakKb,
        rss_delta_bytes: (peakKb - idleKb) * 1024,
        version: impl.version,
    };
}

/** The largest lateness of a 1 ms interval timer while a file of args.size bytes is uploaded. */
async function wEventLoop(args) {
    const impl = await open(args);
    await impl.status();
    const data = crypto.randomBytes(args.size);
    const path = `bench/node-loop-${args.impl}-${process.pid}.bin`;
    let last = performance.now();
    let maxDelay = 0;
    let ticks = 0;
    const timer = setInterval(() => {
        const now = performance.now();
        maxDelay = Math.max(maxDelay, now - last - 1);
        last = now;
        ticks++;
    }, 1);
    // Control: the same timer with nothing to do. What it sees is the machine's own scheduling
    // noise (other processes on the cores), which no client can go below.
    await sleep(300);
    const idleMaxDelay = maxDelay;
    maxDelay = 0;
    const start = performance.now();
    await impl.writeBytes(path, data);
    const uploadS = (performance.now() - start) / 1000;
    await sleep(5); // a late tick after the upload still counts
    clearInterval(timer);
    await impl.close();
    return {
        value: maxDelay / 1000,
        idle_max_delay_s: idleMaxDelay / 1000,
        upload_s: uploadS,
        ticks,
        version: impl.version,
    };
}

const WORKLOADS = {
    import: wImport,
    status: wStatus,
    exec: wExec,
    files: wFiles,
    eventloop: wEventLoop,
};

async function main() {
    const args = parseArgs(process.argv.slice(2));
    const run = WORKLOADS[args.workload];
    if (!run) throw new Error(`unknown workload ${args.workload}; one of ${Object.keys(WORKLOADS)}`);
    const result = await run(args);
    process.stdout.write(JSON.stringify(result) + '\n');
}

main().catch((error) => {
    process.stderr.write(`node_worker: ${error && error.stack ? error.stack : error}\n`);
    process.exit(1);
});
