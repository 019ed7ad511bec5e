"""Billing events fired from Lightning status (docs/protocol.md §7.1, §12 rule 11)."""

from __future__ import annotations

import threading
from typing import Any

import pytest

import sockt
from conftest import Server, eventually


def test_pending_invoice_event(server: Server, lightning: sockt.Sandbox) -> None:
    invoices: list[sockt.PendingInvoice] = []
    threads: list[threading.Thread] = []

    def on_invoice(invoice: sockt.PendingInvoice) -> None:
        invoices.append(invoice)
        threads.append(threading.current_thread())

    lightning.on("pending_invoice", on_invoice)
    st = lightning.refresh_status()
    assert st.status == "awaiting_payment" and st.pending_invoice is not None
    assert len(invoices) == 1
    assert invoices[0].bolt11 == st.pending_invoice.bolt11
    assert threads == [threading.current_thread()]  # runs on the calling thread
    lightning.refresh_status()
    assert len(invoices) == 1  # same payment_hash: not fired again
    lightning.off("pending_invoice", on_invoice)
    lightning.off("pending_invoice", on_invoice)  # no-op


def test_low_and_out_of_balance(server: Server, client: sockt.ComputeClient) -> None:
    # 2 sats on nano (500 msats/s) last 4 s: low_balance at once, out_of_balance after ~4 s, and
    # each warning brings a top-up invoice (a new payment_hash → pending_invoice again).
    sb = client.create_sandbox(tier="nano", billing_method="lightning", prepaid_sats=2)
    events: list[tuple[str, Any]] = []
    sb.on("pending_invoice", lambda inv: events.append(("pending_invoice", inv)))
    sb.on("low_balance", lambda data: events.append(("low_balance", data)))
    sb.on("out_of_balance", lambda data: events.append(("out_of_balance", data)))
    first = sb.pending_invoice
    assert first is not None
    server.pay(first.payment_hash)
    sb.wait_until_running(timeout=30, poll_interval=0.05)

    def out_of_balance() -> bool:
        sb.refresh_status()
        return any(e[0] == "out_of_balance" for e in events)

    eventually(out_of_balance, "the out_of_balance event", timeout=20, interval=0.2)
    names = [e[0] for e in events]
    assert "low_balance" in names and "out_of_balance" in names
    assert names.index("low_balance") < names.index("out_of_balance")
    low = next(e[1] for e in events if e[0] == "low_balance")
    assert isinstance(low, dict) and low["warning_level"] == "low_balance"
    top_ups = [e[1] for e in events if e[0] == "pending_invoice"]
    assert top_ups and all(isinstance(i, sockt.PendingInvoice) for i in top_ups)
    assert top_ups[-1].payment_hash != first.payment_hash
    st = sb.refresh_status()
    assert st.status == "paused" and st.warning_level == "out_of_balance"
    # Pay the top-up, then resume (the documented recovery).
    server.pay(top_ups[-1].payment_hash)
    sb.resume()
    assert sb.refresh_status().status == "running"
    sb.terminate()


def test_callback_exception_reaches_the_caller(lightning: sockt.Sandbox) -> None:
    def boom(_: object) -> None:
        raise RuntimeError("from callback")

    lightning.on("pending_invoice", boom)
    with pytest.raises(RuntimeError, match="from callback"):
        lightning.refresh_status()


def test_unknown_event(lightning: sockt.Sandbox) -> None:
    with pytest.raises(ValueError):
        lightning.on("no_such_event", print)
