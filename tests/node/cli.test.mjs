// The package's `sockt` bin: a launcher that runs the native CLI with arguments, output and exit
// status passed through.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { after, before, it } from 'node:test';

import { repoRoot, startServer } from './helpers.mjs';

const launcher = path.join(repoRoot, 'node', 'bin', 'sockt.cjs');
let server;

before(async () => {
    server = await startServer();
});

after(async () => {
    await server?.stop();
});

it('sockt tiers through the npm bin prints the tier table', () => {
    const run = spawnSync(process.execPath, [launcher, 'tiers'], {
        env: { ...process.env, SOCKT_API_URL: server.url, SOCKT_API_KEY: server.apiKey },
        encoding: 'utf8',
    });
    assert.equal(run.status, 0, run.stderr);
    for (const tier of ['nano', 'micro', 'small', 'medium', 'large', 'gpu-small']) {
        assert.match(run.stdout, new RegExp(`\\b${tier}\\b`));
    }
});

it('the launcher passes a failing exit status through', () => {
    const run = spawnSync(process.execPath, [launcher, 'no-such-command'], { encoding: 'utf8' });
    assert.notEqual(run.status, 0);
    assert.equal(run.signal, null);
});
