"""ComputeClient: constructor, environment fallback, tiers, create/get, close, context manager."""

from __future__ import annotations

import pytest

import sockt
from conftest import Server


def test_defaults_and_constants() -> None:
    assert sockt.DEFAULT_BASE_URL == "https://api.sockt.dev"
    assert sockt.DEFAULT_TIMEOUT_SECS == 120.0
    assert sockt.DEFAULT_POLL_INTERVAL_SECS == 0.5
    assert sockt.DEFAULT_WAIT_POLL_INTERVAL_SECS == 2.0
    assert sockt.DEFAULT_WAIT_TIMEOUT_SECS == 120.0
    assert sockt.POD_STARTING_BACKOFF_SECS == 2.0
    assert sockt.POD_STARTING_MAX_RETRIES == 3
    c = sockt.ComputeClient(api_key="sockt_live_x")
    assert c.base_url == "https://api.sockt.dev"
    c.close()


def test_env_fallback_and_priority(env: Server, monkeypatch: pytest.MonkeyPatch) -> None:
    with sockt.ComputeClient() as c:  # everything from the environment
        assert c.base_url == env.url
        assert [t.name for t in c.list_tiers()][0] == "nano"
        sb = c.create_sandbox(tier="nano")  # needs the key from SOCKT_API_KEY
        sb.terminate()
    monkeypatch.setenv("SOCKT_API_URL", "http://127.0.0.1:1")
    with sockt.ComputeClient(base_url=env.url + "/") as c:  # parameter beats env; '/' stripped
        assert c.base_url == env.url
    monkeypatch.setenv("SOCKT_API_URL", env.url)
    monkeypatch.setenv("SOCKT_API_KEY", "sockt_live_wrong")
    with sockt.ComputeClient(api_key=env.api_key) as c:
        c.create_sandbox(tier="nano").terminate()
    with sockt.ComputeClient() as c, pytest.raises(sockt.AuthenticationError):
        c.create_sandbox(tier="nano")


def test_list_tiers(client: sockt.ComputeClient) -> None:
    tiers = client.list_tiers()
    assert [t.name for t in tiers] == ["nano", "micro", "small", "medium", "large", "gpu-small"]
    nano = tiers[0]
    assert isinstance(nano, sockt.Tier)
    assert nano.msats_per_second == 500 and isinstance(nano.msats_per_second, int)
    assert nano.sats_per_second == 0.5
    assert nano.usd_cents_per_second == pytest.approx(0.000277)
    assert nano.cost_per_minute_sats == 30
    assert nano.cost_per_hour_sats == 1800
    assert nano.cost_per_day_sats == 43200
    assert nano.cost_per_hour_usd == pytest.approx(0.01)


def test_tiers_need_no_credential(server: Server) -> None:
    with sockt.ComputeClient(base_url=server.url) as c:
        assert len(c.list_tiers()) == 6


def test_create_sandbox_parameters(server: Server, client: sockt.ComputeClient) -> None:
    sb = client.create_sandbox(tier="micro", billing_method="credits", initial_credits_cents=5,
                               label="pytest-label")
    try:
        assert sb.status == "starting"
        assert sb.pending_invoice is None
        st = sb.refresh_status()
        assert st.tier == "micro" and st.billing_method == "credits"
        assert st.label == "pytest-label"
        assert st.prepaid_balance_subcents is not None and st.prepaid_balance_subcents <= 5 * 100_000
    finally:
        result = sb.terminate()
    assert result["status"] == "terminated"
    assert result["refund"]["status"] == "credited"

    ln = client.create_sandbox(tier="nano", billing_method="lightning", prepaid_sats=5000)
    try:
        assert ln.status == "awaiting_payment"
        inv = ln.pending_invoice
        assert isinstance(inv, sockt.PendingInvoice)
        assert inv.bolt11.startswith("lnbc50u1")
        assert inv.amount_msats == 5_000_000
        assert len(inv.payment_hash) == 64 and inv.expires_at
        assert ln.sandbox_token is not None and ln.sandbox_token.startswith("sbx_")
    finally:
        ln.terminate()


def test_create_sandbox_invalid(client: sockt.ComputeClient) -> None:
    with pytest.raises(sockt.APIError) as info:
        client.create_sandbox(tier="no-such-tier")
    assert info.value.status_code == 400 and info.value.slug == "invalid_params"
    # Caught before anything is sent (the core validates the documented range).
    with pytest.raises(ValueError):
        client.create_sandbox(tier="nano", billing_method="lightning", prepaid_sats=0)


def test_get_sandbox(client: sockt.ComputeClient, sandbox: sockt.Sandbox) -> None:
    again = client.get_sandbox(sandbox.id)
    assert again.id == sandbox.id
    assert again.status == "running"  # get_sandbox loads the status
    assert again == sandbox
    with pytest.raises(sockt.APIError) as info:
        client.get_sandbox("00000000-0000-4000-8000-000000000000")
    assert info.value.status_code == 404


def test_close_and_context_manager(server: Server) -> None:
    with server.client() as c:
        c.list_tiers()
    assert c.closed
    c.close()  # idempotent
    with pytest.raises(sockt.ConnectionError):
        c.list_tiers()


def test_invalid_timeout() -> None:
    with pytest.raises(ValueError):
        sockt.ComputeClient(api_key="k", timeout=0)
    with pytest.raises(sockt.InvalidArgumentError):
        sockt.ComputeClient(api_key="k", timeout=-1.0)
    # Every duration is checked once, in the core, and the message names the parameter.
    with pytest.raises(sockt.InvalidArgumentError, match="timeout must be"):
        sockt.ComputeClient(api_key="k", timeout=float("nan"))


def test_reprs_are_token_free(server: Server) -> None:
    with server.client() as c:
        r = repr(c)
        assert server.api_key not in r
        assert server.api_key[-4:] in r  # redacted as sockt_live_…abcd
        ln = c.create_sandbox(tier="nano", billing_method="lightning", prepaid_sats=100)
        token = ln.sandbox_token
        assert token
        with sockt.ComputeClient(base_url=server.url, sandbox_token=token) as tc:
            assert token not in repr(tc)
            sb = tc.get_sandbox(ln.id)
            st = sb.refresh_status()
            for text in (repr(sb), repr(st), repr(ln), repr(sb.shell())):
                assert token not in text, text
            assert st.sandbox_token == token  # the value itself stays available
        ln.terminate()


def test_wheel_installs_the_cli() -> None:
    import os
    import subprocess
    import sys
    from pathlib import Path

    if "site-packages" not in sockt.__file__:
        pytest.skip("sockt imported from a source tree, not from an installed wheel")
    cli = Path(sys.executable).parent / "sockt"
    assert cli.is_file() and os.access(cli, os.X_OK), f"{cli} missing: the wheel must ship the CLI"
    proc = subprocess.run([str(cli), "--help"], capture_output=True, text=True, timeout=30)
    assert proc.returncode == 0
    assert "serve" in proc.stdout and "sandbox" in proc.stdout
