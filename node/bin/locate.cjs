// Where the native parts of @sockt/client are. A packed tarball carries them in
// prebuilds/<platform>-<arch>[-<libc>]/ (the addon, the sockt CLI and the shared libraries both
// load through their $ORIGIN rpath); a source build (`npm rebuild`) leaves them in build-node/.
// SOCKT_NODE_ADDON and SOCKT_BIN point at other copies (tests, development).
'use strict';
const fs = require('node:fs');
const path = require('node:path');

/** glibc or musl: their binaries do not load on each other's systems. */
function libc() {
    if (process.platform !== 'linux') {
        return '';
    }
    const header = process.report && process.report.getReport().header;
    return header && header.glibcVersionRuntime ? 'glibc' : 'musl';
}

/** prebuilds/ subfolder for this platform, e.g. linux-x64-glibc, darwin-arm64, win32-x64. */
function prebuildTag() {
    const c = libc();
    return [process.platform, process.arch, ...(c ? [c] : [])].join('-');
}

function prebuildDir(root) {
    return path.join(root, 'prebuilds', prebuildTag());
}

const exe = process.platform === 'win32' ? 'sockt.exe' : 'sockt';

function addonCandidates(root) {
    const list = [];
    if (process.env.SOCKT_NODE_ADDON) {
        list.push(path.resolve(process.env.SOCKT_NODE_ADDON));
    }
    list.push(path.join(prebuildDir(root), 'sockt_node.node'));
    list.push(path.join(root, 'build-node', 'Release', 'sockt_node.node'));
    return list;
}

function cliCandidates(root) {
    const list = [];
    if (process.env.SOCKT_BIN) {
        list.push(path.resolve(process.env.SOCKT_BIN));
    }
    list.push(path.join(prebuildDir(root), exe));
    list.push(path.join(root, 'build-node', 'cli', exe));
    list.push(path.join(root, 'build-node', 'Release', exe));
    return list;
}

function findCli(root) {
    return cliCandidates(root).find((file) => fs.existsSync(file));
}

module.exports = { addonCandidates, cliCandidates, findCli, prebuildDir, prebuildTag };
