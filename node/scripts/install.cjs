#!/usr/bin/env node
// The package's install hook. Nothing needs it: the tarball's prebuilt addon loads as it is (its
// shared libraries beside it, $ORIGIN rpath), so a package manager that skips install scripts
// loses nothing. It builds from source only when asked: `npm rebuild @sockt/client`, or
// SOCKT_BUILD_FROM_SOURCE=1, or --from-source; otherwise it only says so when no prebuilt binary
// loads here. The source build uses cmake-js (offline: "binary": {"napi_versions": [8]} in
// package.json selects node-api-headers) into build-node/, and says what is missing first.
'use strict';
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const { addonCandidates, prebuildTag } = require('../bin/locate.cjs');

const root = path.resolve(__dirname, '..', '..');
const fromSource =
    process.argv.includes('--from-source') ||
    process.env.SOCKT_BUILD_FROM_SOURCE === '1' ||
    process.env.npm_command === 'rebuild';

const APT = 'cmake g++ make libpoco-dev nlohmann-json3-dev libcli11-dev libssl-dev';
const NPM_TOOLS = 'cmake-js@^7 node-addon-api@^8 node-api-headers@^1';

function log(message) {
    process.stderr.write(`@sockt/client: ${message}\n`);
}

function loadError() {
    const addon = addonCandidates(root).find((file) => fs.existsSync(file));
    if (!addon) {
        return `no prebuilt binary for ${prebuildTag()}`;
    }
    try {
        require(addon);
        return null;
    } catch (error) {
        return `${addon} does not load here (${error.message})`;
    }
}

function which(program) {
    return spawnSync('sh', ['-c', `command -v ${program}`], { stdio: 'ignore' }).status === 0;
}

function resolveFrom(request) {
    try {
        return require.resolve(request, { paths: [root] });
    } catch {
        return null;
    }
}

// Everything the build needs, checked before it starts, so a failure names what to install.
function missingForSourceBuild() {
    const missing = [];
    if (!fs.existsSync(path.join(root, 'bindings', 'node', 'CMakeLists.txt'))) {
        missing.push('the C++ sources (this copy of the package has none)');
    }
    if (!which('cmake')) missing.push('cmake');
    if (!which('c++') && !which('g++') && !which('clang++')) missing.push('a C++17 compiler');
    const includeDirs = ['/usr/include', '/usr/local/include', '/opt/homebrew/include'];
    const poco = includeDirs.some((dir) => fs.existsSync(path.join(dir, 'Poco', 'Net', 'NetSSL.h')));
    if (!poco && !process.env.CMAKE_PREFIX_PATH && !process.env.CMAKE_TOOLCHAIN_FILE) {
        missing.push('Poco with NetSSL (libpoco-dev)');
    }
    for (const tool of ['cmake-js/package.json', 'node-addon-api/package.json', 'node-api-headers/package.json']) {
        if (!resolveFrom(tool)) missing.push(tool.split('/')[0]);
    }
    return missing;
}

function buildFromSource() {
    const missing = missingForSourceBuild();
    if (missing.length > 0) {
        log(
            `cannot build from source: missing ${missing.join(', ')}.\n` +
                `  On Debian/Ubuntu: sudo apt-get install ${APT}\n` +
                `  The build tools from npm: npm install --no-save ${NPM_TOOLS}\n` +
                '  Then: SOCKT_BUILD_FROM_SOURCE=1 npm rebuild @sockt/client',
        );
        process.exit(1);
    }
    const cmakeJs = path.join(path.dirname(resolveFrom('cmake-js/package.json')), 'bin', 'cmake-js');
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
        log(`the native build failed; it needs ${APT} (Debian package names)`);
        process.exit(result.status ?? 1);
    }
}

if (fromSource) {
    buildFromSource();
} else {
    const problem = loadError();
    if (problem) {
        // Not fatal: the package installs, and using it raises the same explanation.
        log(
            `${problem}. To build it from source: SOCKT_BUILD_FROM_SOURCE=1 npm rebuild @sockt/client ` +
                `(needs ${APT} and ${NPM_TOOLS}).`,
        );
    }
}
