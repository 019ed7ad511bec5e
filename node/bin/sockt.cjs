#!/usr/bin/env node
// `sockt` from the npm package: runs the native CLI (built from cli/ with the addon), passing
// arguments, stdio (a TTY stays a TTY for `sockt shell`), signals and the exit status through.
'use strict';
const { spawn } = require('node:child_process');
const path = require('node:path');

const { cliCandidates, findCli } = require('./locate.cjs');

const root = path.resolve(__dirname, '..', '..');
const binary = findCli(root);
if (!binary) {
    process.stderr.write(
        `sockt: the native CLI was not found (looked in ${cliCandidates(root).join(', ')}); ` +
            'rebuild the package with `npm rebuild @sockt/client`\n',
    );
    process.exit(127);
}

const child = spawn(binary, process.argv.slice(2), { stdio: 'inherit' });
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
    process.on(signal, () => {
        // A terminal delivers Ctrl-C to the whole foreground group, the child included; forward
        // only what the terminal did not already send.
        const fromTerminal = signal === 'SIGINT' && process.stdin.isTTY;
        if (child.exitCode === null && !fromTerminal) {
            child.kill(signal);
        }
    });
}
child.on('error', (error) => {
    process.stderr.write(`sockt: cannot run ${binary}: ${error.message}\n`);
    process.exit(126);
});
child.on('exit', (code, signal) => {
    if (signal) {
        process.removeAllListeners(signal);
        process.kill(process.pid, signal);
        return;
    }
    process.exit(code ?? 1);
});
