// Output as it arrives (`for await` over an execution, or `onOutput`) and folders in and out of a
// sandbox (`upload` / `download`). Needs SOCKT_API_URL / SOCKT_API_KEY, e.g. from `sockt serve`.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

import { ComputeClient } from '@sockt/client';

const client = new ComputeClient();
const sandbox = await client.createSandbox({ tier: 'nano' });
await sandbox.waitUntilRunning();

// Each chunk as soon as the server has it, not when the command ends.
const execution = await sandbox.exec('for i in 1 2 3; do echo step $i; sleep 0.3; done', {
  background: true,
});
for await (const chunk of execution) {
  process.stdout.write(`[${chunk.stream}] ${chunk.data}`);
}
console.log(`exit code ${execution.finalResult?.exitCode}`);

// The same with a callback on the one-call form.
await sandbox.execSync('echo hello; echo world >&2', {
  onOutput: (chunk) => process.stdout.write(`onOutput ${chunk.stream}: ${chunk.chunk}`),
});

// A local folder in, a result folder out; the destination is the copy itself.
const work = fs.mkdtempSync(path.join(os.tmpdir(), 'sockt-example-'));
const project = path.join(work, 'project');
fs.mkdirSync(path.join(project, 'data'), { recursive: true, mode: 0o755 });
fs.chmodSync(project, 0o755);
fs.writeFileSync(path.join(project, 'data', 'numbers.txt'), '1\n2\n3\n4\n', { mode: 0o644 });
const sent = await sandbox.upload(project, '/home/sandbox/project', {
  onProgress: (p) => console.log(`upload: ${p.filesDone}/${p.filesTotal} files`),
});
console.log(`uploaded ${sent.files} file(s), ${sent.bytes} bytes`);
const run = await sandbox.execSync(
  "mkdir -p out && awk '{s+=$1} END {print s}' project/data/numbers.txt > out/sum.txt",
);
if (run.exitCode !== 0) throw new Error(run.stderr);
await sandbox.download('out', path.join(work, 'out'));
console.log(`sum: ${fs.readFileSync(path.join(work, 'out', 'sum.txt'), 'utf8').trim()}`);
fs.rmSync(work, { recursive: true, force: true });

await sandbox.terminate();
await client.close();
