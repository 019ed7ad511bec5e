// Where the native sockt CLI is: env SOCKT_BIN, the tarball's prebuilt, or the cmake-js build.
'use strict';
const fs = require('node:fs');
const path = require('node:path');

function cliCandidates(root) {
    const list = [];
    if (process.env.SOCKT_BIN) {
        list.push(path.resolve(process.env.SOCKT_BIN));
    }
    list.push(path.join(root, 'prebuilds', `${process.platform}-${process.arch}`, 'sockt'));
    list.push(path.join(root, 'build-node', 'cli', 'sockt'));
    list.push(path.join(root, 'build-node', 'Release', 'sockt'));
    return list;
}

function findCli(root) {
    return cliCandidates(root).find((file) => fs.existsSync(file));
}

module.exports = { cliCandidates, findCli };
