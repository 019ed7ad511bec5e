#!/usr/bin/env node
// `make npm-package`: stages prebuilds/<platform>-<arch>-<libc>/ for `npm pack` from a built
// addon and CLI: both stripped, every shared library they load that a Linux system may lack
// (Poco, OpenSSL, pcre, ...) copied beside them, and all of them given an $ORIGIN rpath, so the
// tarball works with no compiler, no Poco and no install script.
//
//   node node/scripts/prebuild.cjs <sockt_node.node> <sockt CLI>
'use strict';
const { execFileSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const { prebuildDir } = require('../bin/locate.cjs');

// Libraries every glibc system provides (the manylinux policy's list, which auditwheel applies to
// the wheel too): never copied.
const SYSTEM = new Set([
    'linux-vdso.so.1', 'libc.so.6', 'libm.so.6', 'libdl.so.2', 'librt.so.1', 'libpthread.so.0',
    'libresolv.so.2', 'libutil.so.1', 'libnsl.so.1', 'libgcc_s.so.1', 'libstdc++.so.6',
]);

function fail(message) {
    process.stderr.write(`prebuild: ${message}\n`);
    process.exit(1);
}

function run(program, args) {
    return execFileSync(program, args, { encoding: 'utf8' });
}

// name → path of every library the binary needs, its transitive dependencies included.
function dependencies(binary) {
    const libs = new Map();
    for (const line of run('ldd', [binary]).split('\n')) {
        const match = line.match(/^\s*(\S+) => (\S+) \(/);
        if (match && !SYSTEM.has(match[1]) && !match[1].startsWith('ld-linux')) {
            libs.set(match[1], match[2]);
        } else if (/=> not found/.test(line)) {
            fail(`${binary}: ${line.trim()}`);
        }
    }
    return libs;
}

const [addon, cli] = process.argv.slice(2);
if (!addon || !cli) {
    fail('usage: prebuild.cjs <sockt_node.node> <sockt CLI>');
}
for (const file of [addon, cli]) {
    if (!fs.existsSync(file)) fail(`${file} not found (make build first)`);
}
if (process.platform !== 'linux') {
    fail('this script stages Linux prebuilds; other platforms are built by .github/workflows/release.yml');
}

const root = path.resolve(__dirname, '..', '..');
const target = prebuildDir(root);
fs.rmSync(path.join(root, 'prebuilds'), { recursive: true, force: true });
fs.mkdirSync(target, { recursive: true });

const files = [
    [addon, 'sockt_node.node'],
    [cli, 'sockt'],
];
const libs = new Map([...dependencies(addon), ...dependencies(cli)]);
for (const [name, file] of libs) {
    files.push([file, name]);
}
for (const [source, name] of files) {
    const staged = path.join(target, name);
    fs.copyFileSync(fs.realpathSync(source), staged);
    fs.chmodSync(staged, name === 'sockt' ? 0o755 : 0o644);
    // Strip before patchelf: strip may rewrite what patchelf moved.
    run('strip', ['--strip-unneeded', staged]);
    run('patchelf', ['--set-rpath', '$ORIGIN', staged]);
}
// Every binary must now resolve its libraries from this folder alone.
for (const [, name] of files) {
    const staged = path.join(target, name);
    for (const [lib, where] of dependencies(staged)) {
        if (path.dirname(where) !== target) fail(`${name} loads ${lib} from ${where}, not ${target}`);
    }
}
const size = files.reduce((sum, [, name]) => sum + fs.statSync(path.join(target, name)).size, 0);
process.stdout.write(
    `prebuild: ${path.relative(root, target)}: ${files.map(([, name]) => name).join(' ')} ` +
        `(${(size / 1048576).toFixed(1)} MiB)\n`,
);
