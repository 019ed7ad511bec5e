"""Starts `sockt serve` for a benchmark run and creates the sandbox every workload shares."""

from __future__ import annotations

import ctypes
import json
import os
import signal
import subprocess
import tempfile
import time
import urllib.request
from typing import Any

# Suites and benchmarks run without the rate limiter and with a short boot.
SERVE_FLAGS = ["--rate-limit", "0", "--boot-delay-ms", "50", "--port", "0"]


def _die_with_parent() -> None:
    """In the child before exec: SIGTERM when the driver dies, so no server outlives a run."""
    pr_set_pdeathsig = 1
    ctypes.CDLL(None, use_errno=True).prctl(pr_set_pdeathsig, signal.SIGTERM, 0, 0, 0)


class Server:
    def __init__(self, sockt_bin: str) -> None:
        self.sockt_bin = sockt_bin
        self.data_dir = tempfile.mkdtemp(prefix="sockt-bench-")
        self.log_path = os.path.join(self.data_dir, "serve.log")
        self._log = open(self.log_path, "wb")  # one line per request; kept off our terminal
        self.proc = subprocess.Popen(
            [sockt_bin, "serve", *SERVE_FLAGS, "--data-dir", os.path.join(self.data_dir, "d")],
            stdout=subprocess.PIPE, stderr=self._log, stdin=subprocess.DEVNULL,
            preexec_fn=_die_with_parent,
        )
        assert self.proc.stdout is not None
        line = self.proc.stdout.readline().decode().strip()
        # `export SOCKT_API_URL=http://127.0.0.1:PORT SOCKT_API_KEY=...` (docs/protocol.md §11.1)
        pairs = dict(part.split("=", 1) for part in line.removeprefix("export ").split())
        if "SOCKT_API_URL" not in pairs or "SOCKT_API_KEY" not in pairs:
            self.stop()
            raise RuntimeError(f"sockt serve did not announce itself (got {line!r}); see {self.log_path}")
        self.url: str = pairs["SOCKT_API_URL"]
        self.key: str = pairs["SOCKT_API_KEY"]
        self.sandbox_id = ""

    def request(self, method: str, path: str, body: dict[str, Any] | None = None) -> Any:
        data = None if body is None else json.dumps(body).encode()
        req = urllib.request.Request(self.url + path, data=data, method=method)
        req.add_header("Authorization", f"Bearer {self.key}")
        if data is not None:
            req.add_header("Content-Type", "application/json")
        with urllib.request.urlopen(req, timeout=30) as resp:
            return json.loads(resp.read())

    def create_sandbox(self) -> str:
        created = self.request("POST", "/v1/sandboxes", {"tier": "nano", "label": "bench"})
        sandbox_id = created["sandbox_id"]
        deadline = time.monotonic() + 30
        while self.request("GET", f"/v1/sandboxes/{sandbox_id}")["status"] != "running":
            if time.monotonic() > deadline:
                raise RuntimeError("the benchmark sandbox did not reach running within 30 s")
            time.sleep(0.05)
        self.sandbox_id = sandbox_id
        return sandbox_id

    def agent_pid(self) -> int:
        """The sandbox agent of the bench sandbox: the one process below this server whose argv
        carries the agent marker (server/runtime/agent.hpp), which forks every exec."""
        parents: dict[int, int] = {}
        agents = []
        for entry in os.listdir("/proc"):
            if not entry.isdigit():
                continue
            try:
                with open(f"/proc/{entry}/stat", encoding="utf-8", errors="replace") as f:
                    parents[int(entry)] = int(f.read().rsplit(")", 1)[1].split()[1])
                with open(f"/proc/{entry}/cmdline", "rb") as f:
                    # argv[1], not any argument: bwrap's own argv carries the agent's command.
                    if f.read().split(b"\0")[1:2] == [b"__sandbox-agent"]:
                        agents.append(int(entry))
            except (OSError, ValueError, IndexError):
                continue
        for pid in agents:
            up = pid
            while up > 1 and up != self.proc.pid:
                up = parents.get(up, 0)
            if up == self.proc.pid:
                return pid
        raise RuntimeError("no sandbox agent below the bench's sockt serve")

    def version(self) -> str:
        req = urllib.request.Request(self.url + "/local/v1/health")
        with urllib.request.urlopen(req, timeout=10) as resp:
            health = json.loads(resp.read())
        return f"{health.get('version', '?')} (isolation: {health.get('isolation', '?')})"

    def env(self) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith("SOCKT_")}
        env.update(SOCKT_API_URL=self.url, SOCKT_API_KEY=self.key, BENCH_SANDBOX_ID=self.sandbox_id)
        return env

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self._log.close()
        subprocess.run(["rm", "-rf", self.data_dir], check=False)
