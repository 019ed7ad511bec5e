// Lightning billing events (docs/protocol.md §7.1, §12 rule 11) reach JS listeners through the
// addon's thread-safe function; payment is simulated by the local server.
import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';

import { ComputeClient } from '@sockt/client';

import { eventually, payInvoice, startServer } from './helpers.mjs';

let server;
let client;

before(async () => {
    server = await startServer();
    client = new ComputeClient({ apiKey: server.apiKey, baseUrl: server.url });
});

after(async () => {
    await client?.close();
    await server?.stop();
});

it('a lightning sandbox shows its invoice, runs once paid, and fires billing events', async () => {
    // large = 10 000 msats/s: 30 sats last 3 s, so the balance is low at once and runs out soon.
    const sandbox = await client.createSandbox({
        tier: 'large',
        billingMethod: 'lightning',
        prepaidSats: 30,
    });
    assert.equal(sandbox.currentStatus, 'awaiting_payment');
    assert.match(sandbox.sandboxToken, /^sbx_[0-9a-f]{32}$/);
    const invoice = sandbox.pendingInvoice;
    assert.match(invoice.bolt11, /^lnbc/);
    assert.match(invoice.paymentHash, /^[0-9a-f]{64}$/);
    assert.equal(invoice.amountMsats, 30000);
    assert.equal(typeof invoice.expiresAt, 'string');
    assert.equal(sandbox.created.amountSats, 30);

    const events = [];
    const invoices = [];
    sandbox.on('pending_invoice', (inv) => {
        invoices.push(inv);
        events.push('pending_invoice');
    });
    sandbox.on('low_balance', (w) => events.push(['low_balance', w]));
    const outOfBalance = (w) => events.push(['out_of_balance', w]);
    sandbox.on('out_of_balance', outOfBalance);

    const paid = await payInvoice(server, invoice.paymentHash);
    assert.equal(paid.status, 'paid');
    assert.equal(paid.sandbox_id, sandbox.id);
    await sandbox.waitUntilRunning({ timeoutMs: 20000, pollIntervalMs: 50 });

    await eventually(async () => {
        await sandbox.refreshStatus();
        return events.some((e) => e[0] === 'out_of_balance');
    }, 'the out_of_balance event', { timeoutMs: 20000, intervalMs: 200 });
    const low = events.find((e) => e[0] === 'low_balance');
    assert.ok(low, `no low_balance event: ${JSON.stringify(events)}`);
    assert.equal(low[1].event, 'low_balance');
    assert.equal(low[1].warningLevel, 'low_balance');
    assert.equal(typeof low[1].secondsRemaining, 'number');
    assert.ok(low[1].secondsRemaining < 60);
    const out = events.find((e) => e[0] === 'out_of_balance');
    assert.ok(out, `no out_of_balance event: ${JSON.stringify(events.map((e) => e[0] ?? e))}`);
    assert.equal(out[1].warningLevel, 'out_of_balance');
    // The top-up invoice created on entering low_balance is a new payment hash.
    assert.ok(invoices.length >= 1, 'no pending_invoice event for the top-up invoice');
    assert.notEqual(invoices[0].paymentHash, invoice.paymentHash);
    assert.match(invoices[0].bolt11, /^lnbc/);
    assert.equal(invoices[0].amountMsats, 30000);
    // Each warning fires once per change of warning_level.
    assert.equal(events.filter((e) => e[0] === 'low_balance').length, 1);
    assert.equal(events.filter((e) => e[0] === 'out_of_balance').length, 1);

    // off(): no more calls after removal.
    sandbox.off('out_of_balance', outOfBalance);
    const status = await sandbox.refreshStatus();
    assert.equal(status.billingMethod, 'lightning');
    assert.equal(events.filter((e) => e[0] === 'out_of_balance').length, 1);

    // Paying the top-up and resuming gets the sandbox running again.
    await payInvoice(server, invoices[0].paymentHash);
    const afterPay = await sandbox.refreshStatus();
    if (afterPay.status === 'paused') {
        assert.equal(await sandbox.resume(), 'running');
    }
    const result = await sandbox.exec('echo paid-with-lightning');
    assert.equal(result.stdout, 'paid-with-lightning\n');
    const done = await sandbox.terminate({ lightningAddress: 'agent@wallet.example' });
    assert.equal(done.status, 'terminated');
    assert.equal(typeof done.refund, 'object');
});

it('a sandbox token alone reaches its sandbox', async () => {
    const sandbox = await client.createSandbox({ billingMethod: 'lightning', prepaidSats: 1000 });
    await payInvoice(server, sandbox.pendingInvoice.bolt11);
    const scoped = new ComputeClient({ sandboxToken: sandbox.sandboxToken, baseUrl: server.url });
    const mine = await scoped.getSandbox(sandbox.id);
    await mine.waitUntilRunning({ pollIntervalMs: 50 });
    assert.equal((await mine.exec('echo token')).stdout, 'token\n');
    await mine.terminate();
    await scoped.close();
});
