"""Sandbox lifecycle: wait, status, pause/resume, terminate, context manager."""

from __future__ import annotations

import time

import pytest

import sockt
from conftest import Server


def test_wait_until_running_and_status(client: sockt.ComputeClient) -> None:
    sb = client.create_sandbox(tier="nano")
    assert sb.status == "starting"
    sb.wait_until_running(timeout=30, poll_interval=0.05)
    assert sb.status == "running"
    st = sb.refresh_status()
    assert isinstance(st, sockt.SandboxStatus)
    assert st.sandbox_id == sb.id and st.status == "running" and st.tier == "nano"
    assert st.runtime == "local" and st.template == "sockt-nano"
    assert st.billing_method == "credits"
    assert st.consumed_msats == 0 and st.msats_per_second is None
    assert st.next_poll_secs == 15
    assert st.raw["sandbox_id"] == sb.id
    sb.terminate()


def test_wait_until_running_timeout(lightning: sockt.Sandbox) -> None:
    start = time.monotonic()
    with pytest.raises(sockt.SandboxNotRunningError):
        lightning.wait_until_running(timeout=0.5, poll_interval=0.1)
    assert time.monotonic() - start < 5
    assert lightning.status == "awaiting_payment"


def test_wait_until_running_terminated(client: sockt.ComputeClient) -> None:
    sb = client.create_sandbox(tier="nano")
    sb.terminate()
    with pytest.raises(sockt.SandboxNotRunningError):
        sb.wait_until_running(timeout=10, poll_interval=0.1)


def test_pause_resume(sandbox: sockt.Sandbox) -> None:
    assert sandbox.pause() is None
    assert sandbox.refresh_status().status == "paused"
    with pytest.raises(sockt.SandboxStoppedError) as info:
        sandbox.exec_sync("true")
    err = info.value
    assert isinstance(err, sockt.APIError) and isinstance(err, sockt.SandboxNotRunningError)
    assert err.status_code == 409 and err.slug == "sandbox_paused"
    sandbox.pause()  # no-op
    assert sandbox.resume() is None
    assert sandbox.refresh_status().status == "running"
    assert sandbox.exec_sync("echo back").stdout == "back\n"


def test_terminate(client: sockt.ComputeClient) -> None:
    sb = client.create_sandbox(tier="nano")
    sb.wait_until_running(timeout=30, poll_interval=0.05)
    result = sb.terminate()
    assert result["sandbox_id"] == sb.id and result["status"] == "terminated"
    assert result["refund"] is not None
    again = sb.terminate()
    assert again["already_terminated"] is True and again["refund"] is None
    assert sb.refresh_status().status == "terminated"
    with pytest.raises(sockt.SandboxStoppedError) as info:
        sb.exec("true")
    assert info.value.status_code == 410 and info.value.slug == "sandbox_terminated"
    with pytest.raises(sockt.APIError):
        sb.pause()


def test_terminate_lightning_refund(server: Server, client: sockt.ComputeClient) -> None:
    sb = client.create_sandbox(tier="nano", billing_method="lightning", prepaid_sats=1000)
    pi = sb.pending_invoice
    assert pi is not None
    server.pay(pi.payment_hash)
    sb.wait_until_running(timeout=30, poll_interval=0.05)
    result = sb.terminate(lightning_address="user@getalby.com")
    assert result["refund"]["status"] == "sent"
    assert result["refund"]["address"] == "user@getalby.com"
    assert 0 < result["refund"]["amount_sats"] <= 1000


def test_context_manager_terminates(client: sockt.ComputeClient) -> None:
    with client.create_sandbox(tier="nano") as sb:
        sb.wait_until_running(timeout=30, poll_interval=0.05)
        assert sb.exec_sync("echo in").stdout == "in\n"
    assert client.get_sandbox(sb.id).status == "terminated"


def test_context_manager_keeps_the_block_error(client: sockt.ComputeClient) -> None:
    with pytest.raises(KeyError):
        with client.create_sandbox(tier="nano") as sb:
            sb.terminate()
            raise KeyError("mine")
