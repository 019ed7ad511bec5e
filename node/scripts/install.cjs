#!/usr/bin/env node
// `npm install` hook. A packed tarball carries prebuilt binaries (prebuilds/<platform>-<arch>/:
// the addon sockt_node.node and the sockt CLI); when they load, nothing is built. Otherwise (a
// checkout, another platform, or --from-source) cmake-js builds the addon and the CLI from the
// sources into build-node/, offline: "binary": {"napi_versions": [8]} in package.json makes
// cmake-js use node-api-headers instead of downloading Node's headers.
'use strict';
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const root = path.resolve(__dirname, '..', '..');
const prebuilt = path.join(root, 'prebuilds', `${process.platform}-${process.arch}`);
const fromSource = process.argv.includes('--from-source') || process.env.SOCKT_BUILD_FROM_SOURCE === '1';

function log(message) {
    process.stderr.write(`@sockt/client: ${message}\n`);
}

function prebuiltWorks() {
    const addon = path.join(prebuilt, 'sockt_node.node');
    if (!fs.existsSync(addon)) {
        return false;
    }
    try {
        require(addon);
        return true;
    } catch (error) {
        log(`the prebuilt addon does not load here (${error.message}); building from source`);
        return false;
    }
}

function which(program) {
    const result = spawnSync('sh', ['-c', `command -v ${program}`], { encoding: 'utf8' });
    return result.status === 0;
}

function buildFromSource() {
    if (!fs.existsSync(path.join(root, 'bindings', 'node', 'CMakeLists.txt'))) {
        log('no prebuilt binary for this platform and no sources to build from');
        process.exit(1);
    }
    const cmakeJsPackage = require.resolve('cmake-js/package.json', { paths: [root] });
    const cmakeJs = path.join(path.dirname(cmakeJsPackage), 'bin', 'cmake-js');
    const jobs = process.env.SOCKT_BUILD_JOBS || String(Math.min(2, os.cpus().length || 1));
    const args = [cmakeJs, 'build', '--out', 'build-node', '--config', 'Release', '--parallel', jobs];
    if (which('ninja')) {
        args.push('--generator', 'Ninja');
    }
    // The npm package ships the addon and the CLI (with `sockt serve`), not the C++ tests.
    args.push('--CDSOCKT_BUILD_TESTS=OFF', '--CDSOCKT_BUILD_PYTHON=OFF', '--CDSOCKT_BUILD_NODE=ON');
    log(`building the native addon and the sockt CLI (cmake-js, -j${jobs}) into build-node/`);
    const result = spawnSync(process.execPath, args, { cwd: root, stdio: 'inherit' });
    if (result.status !== 0) {
        log('the native build failed; it needs CMake >= 3.20, a C++17 compiler, libpoco-dev, ' +
            'nlohmann-json3-dev and libcli11-dev');
        process.exit(result.status ?? 1);
    }
}

if (fromSource || !prebuiltWorks()) {
    buildFromSource();
}
