"""What sandbox isolation costs: sandbox start and exec("true") latency of two `sockt serve`
binaries measured in one run, alternating, against fresh servers (issue 11).

    python3 bench/isolation_cost.py BEFORE_BINARY AFTER_BINARY [--starts 10] [--execs 60]

Start = POST /v1/sandboxes (boot delay 0) until GET status says `running`; exec = POST …/exec
then long-polled GET /v1/executions/{id} until terminal (what exec_sync does). Medians and p95 in
milliseconds; nothing is asserted.
"""

from __future__ import annotations

import argparse
import http.client
import json
import shutil
import statistics
import subprocess
import tempfile
import time
from typing import Any


class Server:
    def __init__(self, binary: str) -> None:
        self.data = tempfile.mkdtemp(prefix="sockt-isocost-")
        self.proc = subprocess.Popen(
            [binary, "serve", "--port", "0", "--data-dir", self.data, "--rate-limit", "0",
             "--boot-delay-ms", "0", "--max-sandboxes", "64"],
            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
        assert self.proc.stdout is not None
        env = dict(p.split("=", 1) for p in self.proc.stdout.readline().split()[1:])
        host_port = env["SOCKT_API_URL"].split("//", 1)[1]
        self.conn = http.client.HTTPConnection(host_port, timeout=60)
        self.key = env["SOCKT_API_KEY"]

    def call(self, method: str, path: str, body: Any = None) -> Any:
        data = json.dumps(body) if body is not None else None
        headers = {"Authorization": f"Bearer {self.key}", "Content-Type": "application/json"}
        self.conn.request(method, path, body=data, headers=headers)
        resp = self.conn.getresponse()
        return json.loads(resp.read() or b"null")

    def start_sandbox(self) -> tuple[str, float]:
        t = time.perf_counter()
        sid = self.call("POST", "/v1/sandboxes", {"tier": "nano"})["sandbox_id"]
        while self.call("GET", f"/v1/sandboxes/{sid}")["status"] != "running":
            time.sleep(0.002)
        return sid, (time.perf_counter() - t) * 1000

    def exec_true(self, sid: str) -> float:
        t = time.perf_counter()
        eid = self.call("POST", f"/v1/sandboxes/{sid}/exec", {"command": "true"})["execution_id"]
        while self.call("GET", f"/v1/executions/{eid}?wait_ms=25000")["status"] == "running":
            pass
        return (time.perf_counter() - t) * 1000

    def stop(self) -> None:
        self.proc.terminate()
        self.proc.wait(timeout=30)
        shutil.rmtree(self.data, ignore_errors=True)


def summary(values: list[float]) -> str:
    values = sorted(values)
    p95 = values[min(len(values) - 1, int(len(values) * 0.95))]
    return f"{statistics.median(values):8.2f} ms (p95 {p95:8.2f} ms)"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("before")
    parser.add_argument("after")
    parser.add_argument("--starts", type=int, default=10)
    parser.add_argument("--execs", type=int, default=60)
    args = parser.parse_args()
    servers = {"before": Server(args.before), "after": Server(args.after)}
    starts: dict[str, list[float]] = {k: [] for k in servers}
    execs: dict[str, list[float]] = {k: [] for k in servers}
    try:
        for _ in range(args.starts):
            for name, srv in servers.items():
                sid, ms = srv.start_sandbox()
                starts[name].append(ms)
                srv.exec_true(sid)  # warm
                for _ in range(args.execs // args.starts):
                    execs[name].append(srv.exec_true(sid))
                srv.call("DELETE", f"/v1/sandboxes/{sid}")
    finally:
        for srv in servers.values():
            srv.stop()
    print("| | before | after |\n|---|---|---|")
    print(f"| sandbox start (create → running) | {summary(starts['before'])} |"
          f" {summary(starts['after'])} |")
    print(f"| exec(\"true\") → terminal poll | {summary(execs['before'])} |"
          f" {summary(execs['after'])} |")


if __name__ == "__main__":
    main()
