"""Error classes from real server answers (docs/protocol.md §12 rule 8) and their Python behaviour."""

from __future__ import annotations

import builtins
import pickle
from collections.abc import Iterator

import pytest

import sockt
from sockt import _sockt
from conftest import Server, start_server, stop_server


def test_hierarchy() -> None:
    for cls in (sockt.AuthenticationError, sockt.NoCapacityError, sockt.SandboxNotRunningError,
                sockt.TopUpFailedError, sockt.HostUnreachableError, sockt.RateLimitedError,
                sockt.APIError):
        assert issubclass(cls, sockt.SocktError)
    assert issubclass(sockt.SandboxStoppedError, sockt.APIError)
    assert issubclass(sockt.SandboxStoppedError, sockt.SandboxNotRunningError)
    assert issubclass(sockt.ConnectionError, builtins.ConnectionError)
    assert issubclass(sockt.TimeoutError, builtins.TimeoutError)
    assert issubclass(sockt.ConnectionError, sockt.HostUnreachableError)
    assert issubclass(sockt.InvalidArgumentError, ValueError)


@pytest.mark.parametrize(
    "kind,cls",
    [
        ("generic", sockt.SocktError), ("authentication", sockt.AuthenticationError),
        ("top_up_failed", sockt.TopUpFailedError), ("rate_limited", sockt.RateLimitedError),
        ("no_capacity", sockt.NoCapacityError), ("host_unreachable", sockt.HostUnreachableError),
        ("sandbox_not_running", sockt.SandboxNotRunningError),
        ("sandbox_stopped", sockt.SandboxStoppedError), ("api", sockt.APIError),
        ("connection", sockt.ConnectionError), ("timeout", sockt.TimeoutError),
        ("cancelled", sockt.CancelledError), ("invalid_argument", sockt.InvalidArgumentError),
    ],
)
def test_translator_and_pickling(kind: str, cls: type[sockt.SocktError]) -> None:
    with pytest.raises(cls) as info:
        _sockt._raise_kind(kind, "the message", 503, "some_slug")
    err = info.value
    assert type(err) is cls
    assert err.message == "the message" and err.slug == "some_slug" and err.status_code == 503
    assert "the message" in str(err)
    clone = pickle.loads(pickle.dumps(err))
    assert type(clone) is cls and str(clone) == str(err) and clone.slug == err.slug
    assert clone.status_code == 503 and clone.message == err.message


def test_401(server: Server, sandbox: sockt.Sandbox) -> None:
    with sockt.ComputeClient(api_key="sockt_live_bogus", base_url=server.url) as bad:
        with pytest.raises(sockt.AuthenticationError) as info:
            bad.get_sandbox(sandbox.id)
    err = info.value
    assert err.status_code == 401 and err.slug == "unauthorized"
    assert err.request_id and err.request_id.startswith("req_")
    assert f"[request_id: {err.request_id}]" in str(err)
    assert "sockt_live_bogus" not in str(err) and "sockt_live_bogus" not in repr(err)


def test_403(server: Server, client: sockt.ComputeClient, sandbox: sockt.Sandbox) -> None:
    ln = client.create_sandbox(tier="nano", billing_method="lightning", prepaid_sats=100)
    assert ln.sandbox_token
    with sockt.ComputeClient(sandbox_token=ln.sandbox_token, base_url=server.url) as tc:
        with pytest.raises(sockt.AuthenticationError) as info:
            tc.get_sandbox(sandbox.id)
        assert ln.sandbox_token not in str(info.value)
    assert info.value.status_code == 403 and info.value.slug == "forbidden"
    ln.terminate()


def test_402(client: sockt.ComputeClient, lightning: sockt.Sandbox) -> None:
    with pytest.raises(sockt.TopUpFailedError) as info:
        client.create_sandbox(tier="nano", initial_credits_cents=10**12)
    assert info.value.status_code == 402 and info.value.slug == "insufficient_credits"
    with pytest.raises(sockt.TopUpFailedError) as info:
        lightning.exec("true")
    assert info.value.slug == "payment_required"


def test_404(client: sockt.ComputeClient) -> None:
    with pytest.raises(sockt.APIError) as info:
        client.get_sandbox("nope")
    assert info.value.status_code == 404 and info.value.slug == "not_found"
    assert not isinstance(info.value, sockt.SandboxNotRunningError)


def test_409_and_410(client: sockt.ComputeClient, sandbox: sockt.Sandbox) -> None:
    sandbox.pause()
    with pytest.raises(sockt.SandboxNotRunningError) as paused:
        sandbox.read_file(".bashrc")
    assert paused.value.status_code == 409 and isinstance(paused.value, sockt.APIError)
    sandbox.terminate()
    with pytest.raises(sockt.APIError) as gone:
        sandbox.list_files()
    assert gone.value.status_code == 410 and isinstance(gone.value, sockt.SandboxNotRunningError)
    # 409 invalid_state is a plain APIError.
    ln = client.create_sandbox(tier="nano", billing_method="lightning", prepaid_sats=100)
    with pytest.raises(sockt.APIError) as invalid:
        ln.pause()
    assert invalid.value.slug == "invalid_state"
    assert not isinstance(invalid.value, sockt.SandboxNotRunningError)
    ln.terminate()


@pytest.fixture
def limited_server() -> Iterator[Server]:
    srv = start_server("--rate-limit", "4")
    yield srv
    stop_server(srv)


def test_429_rate_limited(limited_server: Server) -> None:
    with limited_server.client() as c:
        with pytest.raises(sockt.RateLimitedError) as info:
            for _ in range(50):
                c.list_tiers()
    err = info.value
    assert err.status_code == 429
    assert err.retry_after is not None and err.retry_after >= 1


def test_429_too_many_executions(sandbox: sockt.Sandbox) -> None:
    running = [sandbox.exec("sleep 20") for _ in range(10)]
    try:
        with pytest.raises(sockt.RateLimitedError) as info:
            sandbox.exec("sleep 20")
        assert info.value.slug == "too_many_executions"
    finally:
        for e in running:
            e.cancel()


@pytest.fixture
def tiny_server() -> Iterator[Server]:
    srv = start_server("--max-sandboxes", "1")
    yield srv
    stop_server(srv)


def test_503_no_capacity(tiny_server: Server) -> None:
    with tiny_server.client() as c:
        first = c.create_sandbox(tier="gpu-small")
        with pytest.raises(sockt.NoCapacityError) as info:
            c.create_sandbox(tier="gpu-small")
        assert info.value.status_code == 503 and info.value.slug == "no_capacity"
        first.terminate()


def test_connection_error() -> None:
    with sockt.ComputeClient(api_key="sockt_live_abcdefgh", base_url="http://127.0.0.1:9",
                             timeout=5) as c:
        with pytest.raises(ConnectionError) as info:  # the builtin
            c.list_tiers()
    assert isinstance(info.value, sockt.ConnectionError)
    assert isinstance(info.value, sockt.HostUnreachableError)
    assert info.value.status_code is None
