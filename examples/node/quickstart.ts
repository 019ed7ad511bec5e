// A tour of @sockt/client: files, commands, background executions, events, the shell, errors.
//   SOCKT_API_URL=… SOCKT_API_KEY=… node dist/quickstart.js
import {
    ComputeClient,
    SandboxNotRunningError,
    SocktError,
    type ExecResult,
    type FileEntry,
    type PendingInvoice,
    type Tier,
} from '@sockt/client';

async function main(): Promise<void> {
    await using client = new ComputeClient();

    const tiers: Tier[] = await client.listTiers();
    console.log(tiers.map((t) => `${t.name}: ${t.costPerHourSats} sats/h`).join('\n'));

    const sandbox = await client.createSandbox({ tier: 'nano', label: 'quickstart' });
    sandbox.on('pending_invoice', (invoice: PendingInvoice) => console.log('pay', invoice.bolt11));
    sandbox.on('low_balance', (warning) => console.log('low balance:', warning.secondsRemaining, 's'));
    await sandbox.waitUntilRunning({ signal: AbortSignal.timeout(120_000) });
    console.log(sandbox.id, sandbox.currentStatus);

    await sandbox.writeFile('hello.py', 'print("Hello from Sockt!")\n');
    const result: ExecResult = await sandbox.exec('python3 hello.py');
    console.log(result.stdout.trim(), 'exit', result.exitCode);

    const job = await sandbox.exec('for i in 1 2 3; do echo $i; sleep 0.1; done', { background: true });
    const finished = await job.wait({ onOutput: (chunk) => process.stdout.write(chunk.chunk) });
    console.log('status', finished.status);

    await sandbox.writeFile('data.bin', new Uint8Array([0, 1, 2, 255]));
    const bytes: Uint8Array = await sandbox.readFile('data.bin', { encoding: 'bytes' });
    const text: string = await sandbox.readFile('hello.py');
    console.log(bytes.length, text.length);

    const entries: FileEntry[] = await sandbox.listFiles('.', { recursive: true });
    for (const entry of entries) {
        console.log(`${entry.isDir ? 'd' : '-'} ${String(entry.size).padStart(8)} ${entry.name}`);
    }

    const shell = await sandbox.shell().connect();
    shell.sendLine('echo from-the-shell; exit');
    for await (const frame of shell) {
        if (frame.type === 'stdout') process.stdout.write(frame.data);
    }
    await shell.close();

    await sandbox.pause();
    try {
        await sandbox.exec('true');
    } catch (error) {
        if (error instanceof SandboxNotRunningError) console.log('paused:', error.slug);
        else if (error instanceof SocktError) console.log('error', error.statusCode, error.requestId);
        else throw error;
    }
    await sandbox.resume();
    const done = await sandbox.terminate();
    console.log(done.status);
}

await main();
