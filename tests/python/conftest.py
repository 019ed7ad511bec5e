"""Fixtures: a real `sockt serve` per test session (docs/protocol.md §11.1) and helpers for its local
admin routes (§11.3).

The server binary: $SOCKT_BIN, else <repo>/build/cli/sockt, else the `sockt` command installed
with the wheel.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import urllib.request
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

import sockt

REPO = Path(__file__).resolve().parents[2]


def eventually(condition: Callable[[], object], what: str, timeout: float = 10.0,
               interval: float = 0.05) -> None:
    """Checks ``condition`` until it holds (truthy); fails naming ``what`` after ``timeout`` s.

    Tests wait for what they can observe this way, never for a fixed time."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() >= deadline:
            pytest.fail(f"timed out after {timeout} s waiting for {what}")
        time.sleep(interval)


def sockt_binary() -> str:
    env = os.environ.get("SOCKT_BIN")
    if env:
        return env
    built = REPO / "build" / "cli" / "sockt"
    if built.is_file():
        return str(built)
    installed = shutil.which("sockt", path=str(Path(sys.executable).parent) + os.pathsep + os.environ.get("PATH", ""))
    if installed:
        return installed
    pytest.exit("no sockt binary: set SOCKT_BIN or build the cli (make build)", returncode=2)
    raise AssertionError("unreachable")


@dataclass
class Server:
    url: str
    api_key: str
    proc: subprocess.Popen[str]
    data_dir: str
    stderr_lines: list[str] = field(default_factory=list)

    def admin(self, method: str, path: str, body: dict[str, Any] | None = None) -> tuple[int, Any]:
        data = json.dumps(body).encode() if body is not None else None
        req = urllib.request.Request(self.url + path, data=data, method=method)
        if data is not None:
            req.add_header("Content-Type", "application/json")
        try:
            with urllib.request.urlopen(req, timeout=10) as resp:
                return resp.status, json.loads(resp.read() or b"null")
        except urllib.error.HTTPError as e:
            return e.code, json.loads(e.read() or b"null")

    def pay(self, payment_hash_or_bolt11: str) -> dict[str, Any]:
        status, body = self.admin("POST", f"/local/v1/invoices/{payment_hash_or_bolt11}/pay")
        assert status == 200, (status, body)
        assert isinstance(body, dict)
        return body

    def client(self, **kwargs: Any) -> sockt.ComputeClient:
        kwargs.setdefault("base_url", self.url)
        if "sandbox_token" not in kwargs:
            kwargs.setdefault("api_key", self.api_key)
        return sockt.ComputeClient(**kwargs)


def start_server(*extra: str) -> Server:
    data_dir = tempfile.mkdtemp(prefix="sockt-pytest-")
    args = [sockt_binary(), "serve", "--port", "0", "--data-dir", data_dir, *extra]
    if "--rate-limit" not in extra:
        args += ["--rate-limit", "0"]
    if "--boot-delay-ms" not in extra:
        args += ["--boot-delay-ms", "50"]
    if "--max-sandboxes" not in extra:
        args += ["--max-sandboxes", "64"]
    proc = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    assert proc.stdout is not None and proc.stderr is not None
    line = proc.stdout.readline()
    if not line.startswith("export "):
        proc.kill()
        raise RuntimeError(f"sockt serve did not start: {line!r} {proc.stderr.read()}")
    env = dict(part.split("=", 1) for part in line.split()[1:])
    server = Server(env["SOCKT_API_URL"], env["SOCKT_API_KEY"], proc, data_dir)

    def drain(stream: Any, sink: list[str]) -> None:
        for out_line in stream:
            sink.append(out_line)

    # Keep the pipes drained so a chatty server never blocks on a full pipe.
    threading.Thread(target=drain, args=(proc.stderr, server.stderr_lines), daemon=True).start()
    threading.Thread(target=drain, args=(proc.stdout, []), daemon=True).start()
    return server


def stop_server(server: Server) -> None:
    server.proc.send_signal(signal.SIGTERM)
    try:
        server.proc.wait(timeout=15)
    except subprocess.TimeoutExpired:
        server.proc.kill()
        server.proc.wait()
    shutil.rmtree(server.data_dir, ignore_errors=True)


@pytest.fixture(scope="session")
def server() -> Iterator[Server]:
    srv = start_server()
    yield srv
    stop_server(srv)
    assert srv.proc.returncode == 0, "".join(srv.stderr_lines[-20:])


@pytest.fixture
def env(server: Server, monkeypatch: pytest.MonkeyPatch) -> Server:
    """The server's address and key in the environment, as `eval $(sockt serve …)` would set."""
    monkeypatch.setenv("SOCKT_API_URL", server.url)
    monkeypatch.setenv("SOCKT_API_KEY", server.api_key)
    monkeypatch.delenv("SOCKT_SANDBOX_TOKEN", raising=False)
    return server


@pytest.fixture(autouse=True)
def _clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("SOCKT_API_URL", "SOCKT_API_KEY", "SOCKT_SANDBOX_TOKEN"):
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
def client(server: Server) -> Iterator[sockt.ComputeClient]:
    c = server.client()
    yield c
    c.close()


@pytest.fixture
def sandbox(client: sockt.ComputeClient) -> Iterator[sockt.Sandbox]:
    sb = client.create_sandbox(tier="nano")
    sb.wait_until_running(timeout=30, poll_interval=0.1)
    yield sb
    try:
        sb.terminate()
    except sockt.SocktError:
        pass


@pytest.fixture
def lightning(server: Server, client: sockt.ComputeClient) -> Iterator[sockt.Sandbox]:
    """An unpaid Lightning sandbox (awaiting_payment)."""
    sb = client.create_sandbox(tier="nano", billing_method="lightning", prepaid_sats=1000)
    yield sb
    try:
        sb.terminate()
    except sockt.SocktError:
        pass
