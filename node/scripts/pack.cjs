#!/usr/bin/env node
// prepack / postpack: put the built binaries into prebuilds/<platform>-<arch>/ for the tarball,
// and remove them afterwards so a checkout never mistakes them for fresh builds.
'use strict';
const fs = require('node:fs');
const path = require('node:path');

const { cliCandidates } = require('../bin/locate.cjs');

const root = path.resolve(__dirname, '..', '..');
const target = path.join(root, 'prebuilds', `${process.platform}-${process.arch}`);
const phase = process.argv[2];

if (phase === 'pre') {
    const addon = path.join(root, 'build-node', 'Release', 'sockt_node.node');
    const cli = cliCandidates(root).find((file) => !file.includes('prebuilds') && fs.existsSync(file));
    if (!fs.existsSync(addon) || !cli) {
        process.stderr.write('@sockt/client: build first (npm install or npm run build:native)\n');
        process.exit(1);
    }
    fs.rmSync(path.join(root, 'prebuilds'), { recursive: true, force: true });
    fs.mkdirSync(target, { recursive: true });
    fs.copyFileSync(addon, path.join(target, 'sockt_node.node'));
    fs.copyFileSync(cli, path.join(target, 'sockt'));
    fs.chmodSync(path.join(target, 'sockt'), 0o755);
} else if (phase === 'post') {
    fs.rmSync(path.join(root, 'prebuilds'), { recursive: true, force: true });
} else {
    process.stderr.write('usage: pack.cjs pre|post\n');
    process.exit(2);
}
