#!/usr/bin/env node
// prepack: a tarball must carry the compiled TypeScript and a prebuilt addon with its CLI, or it
// is useless to anyone without a compiler. Both come from `make dist` (or `make npm-package`),
// which stage node/dist/ and prebuilds/ and then run npm pack; this refuses to pack without them.
'use strict';
const fs = require('node:fs');
const path = require('node:path');

const root = path.resolve(__dirname, '..', '..');
const prebuilds = path.join(root, 'prebuilds');
const needed = [path.join(root, 'node', 'dist', 'index.js'), path.join(root, 'node', 'dist', 'index.mjs')];
const staged = fs.existsSync(prebuilds)
    ? fs.readdirSync(prebuilds).filter((tag) => {
          const has = (name) => fs.existsSync(path.join(prebuilds, tag, name));
          return has('sockt_node.node') && (has('sockt') || has('sockt.exe'));
      })
    : [];
const missing = needed.filter((file) => !fs.existsSync(file)).map((file) => path.relative(root, file));
if (staged.length === 0) {
    missing.push('prebuilds/<platform>/ (sockt_node.node and sockt)');
}
if (missing.length > 0) {
    process.stderr.write(
        `@sockt/client: nothing to pack yet: ${missing.join(', ')} missing; run \`make dist\` ` +
            '(it builds, stages and packs into dist/)\n',
    );
    process.exit(1);
}
process.stderr.write(`@sockt/client: packing prebuilds for ${staged.join(', ')}\n`);
