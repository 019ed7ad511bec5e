// Shared by the node suite: starts a real `sockt serve` on a free port with a temporary data dir
// (docs/protocol.md §11.1) and reads its first stdout line for the URL and the API key.
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);
export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

/** env SOCKT_BIN, else build/cli/sockt, else the package's own binary. */
export function socktBin() {
    if (process.env.SOCKT_BIN) {
        return process.env.SOCKT_BIN;
    }
    const built = path.join(repoRoot, 'build', 'cli', 'sockt');
    if (fs.existsSync(built)) {
        return built;
    }
    const { findCli } = require(path.join(repoRoot, 'node', 'bin', 'locate.cjs'));
    const packaged = findCli(repoRoot);
    if (!packaged) {
        throw new Error('no sockt binary: set SOCKT_BIN or build the package (npm install)');
    }
    return packaged;
}

/**
 * Starts `sockt serve`; resolves to { url, apiKey, dataDir, stop() }. Extra flags (e.g.
 * ['--api-key', 'k:0.01']) are appended.
 */
export async function startServer(extraArgs = []) {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'sockt-node-test-'));
    const args = ['serve', '--port', '0', '--rate-limit', '0', '--boot-delay-ms', '50',
        '--data-dir', dataDir, ...extraArgs];
    const child = spawn(socktBin(), args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d) => {
        stderr += d.toString();
    });
    const line = await new Promise((resolve, reject) => {
        let buffered = '';
        const timer = setTimeout(() => reject(new Error(`sockt serve did not start: ${stderr}`)), 20000);
        child.stdout.on('data', (d) => {
            buffered += d.toString();
            const nl = buffered.indexOf('\n');
            if (nl >= 0) {
                clearTimeout(timer);
                resolve(buffered.slice(0, nl));
            }
        });
        child.on('exit', (code) => {
            clearTimeout(timer);
            reject(new Error(`sockt serve exited with ${code}: ${stderr}`));
        });
    });
    const match = /^export SOCKT_API_URL=(\S+) SOCKT_API_KEY=(\S+)$/.exec(line.trim());
    if (!match) {
        child.kill('SIGKILL');
        throw new Error(`unexpected first line from sockt serve: ${line}`);
    }
    const [, url, apiKey] = match;
    return {
        url,
        apiKey,
        dataDir,
        process: child,
        stderr: () => stderr,
        async stop() {
            if (child.exitCode === null && child.signalCode === null) {
                const exited = new Promise((resolve) => child.once('exit', resolve));
                child.kill('SIGTERM');
                const timer = setTimeout(() => child.kill('SIGKILL'), 10000);
                await exited;
                clearTimeout(timer);
            }
            fs.rmSync(dataDir, { recursive: true, force: true });
        },
    };
}

/** POST {url}/local/v1/invoices/{ref}/pay: the local server's simulated Lightning payment. */
export async function payInvoice(server, ref) {
    const response = await fetch(`${server.url}/local/v1/invoices/${ref}/pay`, { method: 'POST' });
    const body = await response.json();
    if (!response.ok) {
        throw new Error(`pay failed: ${response.status} ${JSON.stringify(body)}`);
    }
    return body;
}

/** Runs a node script (ESM source) in a child process; resolves to { code, signal, stdout, stderr, ms }. */
export function runNodeScript(source, { env = {}, timeoutMs = 60000 } = {}) {
    const dir = path.join(repoRoot, 'build-node', 'test-scripts');
    fs.mkdirSync(dir, { recursive: true });
    // Inside the package directory, so `import '@sockt/client'` resolves to this package.
    const file = path.join(dir, `script-${process.pid}-${Math.random().toString(16).slice(2)}.mjs`);
    fs.writeFileSync(file, source);
    const started = Date.now();
    return new Promise((resolve) => {
        const child = spawn(process.execPath, [file], {
            env: { ...process.env, ...env },
            stdio: ['ignore', 'pipe', 'pipe'],
        });
        let stdout = '';
        let stderr = '';
        child.stdout.on('data', (d) => (stdout += d));
        child.stderr.on('data', (d) => (stderr += d));
        const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
        child.on('exit', (code, signal) => {
            clearTimeout(timer);
            fs.rmSync(file, { force: true });
            resolve({ code, signal, stdout, stderr, ms: Date.now() - started });
        });
    });
}

export function sleep(ms) {
    return new Promise((resolve) => setTimeout(resolve, ms));
}

/**
 * Awaits `condition()` until it is truthy; rejects naming `what` after `timeoutMs`. Tests wait for
 * what they can observe this way, never for a fixed time.
 */
export async function eventually(condition, what, { timeoutMs = 10000, intervalMs = 20 } = {}) {
    const deadline = Date.now() + timeoutMs;
    while (!(await condition())) {
        if (Date.now() >= deadline) {
            throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
        }
        await sleep(intervalMs);
    }
}

/** A fresh server, a client on it and one running nano sandbox: the usual fixture of a test file. */
export async function startRunningSandbox() {
    const { ComputeClient } = await import('@sockt/client');
    const server = await startServer();
    const client = new ComputeClient({ apiKey: server.apiKey, baseUrl: server.url });
    try {
        const sandbox = await client.createSandbox({ tier: 'nano' });
        await sandbox.waitUntilRunning({ pollIntervalMs: 50 });
        return { server, client, sandbox };
    } catch (error) {
        await stopRunningSandbox({ server, client });
        throw error;
    }
}

/** Ends what startRunningSandbox started (either part may be missing after a failed start). */
export async function stopRunningSandbox({ server, client } = {}) {
    await client?.close();
    await server?.stop();
}
