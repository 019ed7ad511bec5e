// The interactive shell over WebSocket (docs/protocol.md §6) through ShellSession.
import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';

import { ConnectionError, ShellSession, TimeoutError } from '@sockt/client';

import { startRunningSandbox, stopRunningSandbox } from './helpers.mjs';

let server;
let client;
let sandbox;

before(async () => {
    ({ server, client, sandbox } = await startRunningSandbox());
});

after(() => stopRunningSandbox({ server, client }));

async function readUntil(shell, pattern, timeoutMs = 10000) {
    let text = '';
    const deadline = Date.now() + timeoutMs;
    while (!pattern.test(text)) {
        const frame = await shell.recv({ timeoutMs: Math.max(1, deadline - Date.now()) });
        assert.ok(frame, `shell ended before ${pattern}: ${JSON.stringify(text)}`);
        if (frame.type === 'stdout' || frame.type === 'stderr') {
            text += frame.data;
        }
    }
    return text;
}

/** Reads frames until none arrives for 300 ms: recv() then rejects with TimeoutError. */
async function drain(shell) {
    for (let i = 0; i < 1000; i++) {
        try {
            await shell.recv({ timeoutMs: 300 });
        } catch (error) {
            assert.ok(error instanceof TimeoutError, String(error));
            return;
        }
    }
    assert.fail('the shell never went quiet');
}

it('runs commands, resizes, delivers frames to listeners, recv and for await', async () => {
    const shell = sandbox.shell();
    assert.ok(shell instanceof ShellSession);
    assert.equal(shell.connected, false);
    await assert.rejects(shell.recv(), ConnectionError);
    assert.equal(await shell.connect(), shell);
    assert.equal(shell.connected, true);

    const heard = [];
    const all = [];
    const onStdout = (frame) => heard.push(frame.data);
    shell.on('stdout', onStdout);
    shell.on('*', (frame) => all.push(frame.type));

    shell.sendLine('echo hello-$((6*7))');
    const text = await readUntil(shell, /hello-42/);
    assert.match(text, /hello-42/);
    assert.match(heard.join(''), /hello-42/);

    shell.resize(120, 40);
    shell.sendLine('stty size');
    assert.match(await readUntil(shell, /40 120/), /40 120/);

    shell.off('stdout', onStdout);
    const before = heard.length;
    shell.send('echo after-$((1+1))-off\n');
    await readUntil(shell, /after-2-off/);
    await drain(shell);
    assert.equal(heard.length, before);
    await assert.rejects(shell.recv({ timeoutMs: 100 }), TimeoutError);

    shell.sendLine('exit 3');
    const types = [];
    for await (const frame of shell) {
        types.push(frame.type);
        if (frame.type === 'exit') {
            assert.equal(frame.code, 3);
        }
    }
    assert.ok(types.includes('exit'), JSON.stringify(types));
    assert.equal(shell.exitCode, 3);
    assert.ok(all.includes('exit'));
    assert.equal(await shell.recv(), null);
    await shell.close();
    await shell.close();
    assert.equal(shell.connected, false);
});

it('close() ends a live session and Symbol.asyncDispose closes it', async () => {
    const shell = await sandbox.shell().connect();
    // The terminal echoes the typed line: the quotes keep "alive" out of it, so the wait ends on
    // the command's output and the next prompt, and no frame is on its way when the session closes.
    shell.sendLine('echo "al""ive"');
    await readUntil(shell, /alive\r\n[\s\S]*\$ $/);
    await shell[Symbol.asyncDispose]();
    assert.equal(shell.connected, false);
    assert.equal(await shell.recv(), null);
});

it('a shell on a paused sandbox is refused with the server error', async () => {
    const sb = await client.createSandbox({ tier: 'nano' });
    await sb.waitUntilRunning({ pollIntervalMs: 50 });
    await sb.pause();
    await assert.rejects(sb.shell().connect(), (e) => e.statusCode === 409 || e.name === 'SandboxNotRunningError');
    await sb.terminate();
});
