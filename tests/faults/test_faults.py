"""The client fault matrix (docs/faults.md): every case against every front — the C++ core, the
CLI, Python and Node — with the fault fixture (fault_server.py) in front of them.

Each case says what the fixture answers, which operation the front runs, the documented outcome
(a typed error carrying the server's message, or the documented retry), how many requests each
route must have seen (a request that may have started something is never sent twice), and the
documented waits; every front must end within those waits plus its request timeout plus 1 s.
"""

from __future__ import annotations

import dataclasses
import json
import os
import subprocess
import threading
import time
from typing import Any, Callable

import pytest

import fault_server as fs

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
HERE = os.path.dirname(os.path.abspath(__file__))
TIMEOUT_MS = 5000       # each request's deadline in the cases that do not stall
STALL_TIMEOUT_MS = 1500  # the short test-only deadline of the stall case
BODY_CAP = 192 << 20     # protocol::kMaxResponseBodyBytes (core/include/sockt/protocol.hpp)


@dataclasses.dataclass
class Outcome:
    ok: bool
    error: str | None = None      # SDK fronts: the error class
    message: str = ""             # SDK: the error's message; CLI: stderr
    status_code: int | None = None
    retry_after: float | None = None
    stdout: str | None = None
    exit_code: int | None = None  # CLI: the process's exit code
    elapsed: float = 0.0
    max_rss: int = 0              # bytes


def run_process(argv: list[str], env: dict[str, str]) -> tuple[int, str, str, float, int]:
    """Runs argv to its end: exit code, stdout, stderr, seconds, peak RSS in bytes."""
    start = time.monotonic()
    proc = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            env={**os.environ, **env})
    streams: dict[str, bytes] = {}
    readers = [threading.Thread(target=lambda k=k, f=f: streams.__setitem__(k, f.read()))
               for k, f in (("out", proc.stdout), ("err", proc.stderr))]
    for r in readers:
        r.start()
    _, status, usage = os.wait4(proc.pid, 0)  # this child's own rusage (its peak RSS)
    elapsed = time.monotonic() - start
    for r in readers:
        r.join()
    proc.returncode = os.waitstatus_to_exitcode(status)
    return (proc.returncode, streams["out"].decode(errors="replace"),
            streams["err"].decode(errors="replace"), elapsed, usage.ru_maxrss * 1024)


def sdk_front(argv_head: list[str]) -> Callable[[str, str, int, str | None], Outcome]:
    def run(op: str, url: str, timeout_ms: int, file: str | None) -> Outcome:
        argv = argv_head + [op, url, str(timeout_ms)] + ([file] if file else [])
        rc, out, err, _, rss = run_process(argv, {})
        assert rc == 0 and out.strip(), f"driver failed (exit {rc}): {err}"
        j: dict[str, Any] = json.loads(out.strip().splitlines()[-1])
        return Outcome(ok=j["ok"], error=j.get("error"), message=j.get("message", ""),
                       status_code=j.get("status_code"), retry_after=j.get("retry_after"),
                       stdout=j.get("stdout"),
                       exit_code=j.get("exit_code"), elapsed=j["elapsed"], max_rss=rss)
    return run


def cli_front(op: str, url: str, timeout_ms: int, file: str | None) -> Outcome:
    sockt = os.environ["SOCKT_BIN"]
    argv = {
        "create": [sockt, "sandbox", "create"],
        "status": [sockt, "sandbox", "status", fs.SANDBOX_ID],
        "exec": [sockt, "exec", "--poll", "50", fs.SANDBOX_ID, "echo", "hi"],
        "write": [sockt, "files", "write", fs.SANDBOX_ID, "/home/sandbox/big.txt", "-f", file or ""],
    }[op]
    env = {"SOCKT_API_URL": url, "SOCKT_API_KEY": "sk_faults", "SOCKT_SANDBOX_TOKEN": "",
           "SOCKT_TEST_TIMEOUT_MS": str(timeout_ms)}
    rc, out, err, elapsed, rss = run_process(argv, env)
    return Outcome(ok=rc == 0, message=err, stdout=out, exit_code=rc, elapsed=elapsed, max_rss=rss)


FRONTS: dict[str, Callable[[str, str, int, str | None], Outcome]] = {
    "cpp": sdk_front([os.environ.get("SOCKT_FAULT_DRIVER", "sockt_fault_driver")]),
    "cli": cli_front,
    "python": sdk_front([os.environ.get("FAULTS_PYTHON", "python3"), os.path.join(HERE, "drive.py")]),
    "node": sdk_front(["node", os.path.join(HERE, "drive.cjs")]),
}


@dataclasses.dataclass
class Case:
    name: str
    op: str
    faults: dict[str, list[Callable[..., Any]]]
    sdk: Callable[[Outcome], None]       # the C++ core, Python and Node
    cli: Callable[[Outcome], None]
    counts: dict[str, int] | None = None  # route → requests seen (SDK fronts)
    cli_counts: dict[str, int] | None = None
    waits: float = 0.0                   # documented sleeps (retries) in seconds
    timeout_ms: int = TIMEOUT_MS
    extensions: str = "replay"
    fault_cap: bool = False               # checks the peak RSS of the front's process
    poll_since: bool | None = None        # every poll carries `since=` (True) or none does
    upload_mib: int = 1                   # the size of the upload of `write`


def sdk_error(cls: str, *words: str, status: int | None = None,
              retry_after: float | None = None) -> Callable[[Outcome], None]:
    def check(o: Outcome) -> None:
        assert not o.ok and o.error == cls, o
        assert o.retry_after == retry_after, o
        for w in words:
            assert w in o.message, o
        if status is not None:
            assert o.status_code == status, o
    return check


def cli_error(*lines: str) -> Callable[[Outcome], None]:
    def check(o: Outcome) -> None:
        assert o.exit_code == 1, o
        for line in lines:
            assert line in o.message, o
    return check


def success(stdout: str | None = None) -> Callable[[Outcome], None]:
    def check(o: Outcome) -> None:
        assert o.ok, o
        if stdout is not None:
            assert o.stdout == stdout, o
    return check


STATUS_429 = {"code": "rate_limited", "message": "rate limit exceeded (300 requests/min)"}
ERROR_500 = {"code": "internal_error", "message": "internal error: the disk is on fire"}

CASES = [
    Case("503 pod_starting x2 then success", "status",
         {"status": [fs.pod_starting, fs.pod_starting]},
         success(), success(), {"status": 3}, {"status": 3}, waits=4),
    Case("503 pod_starting x5 (retries exhausted)", "status",
         {"status": [fs.pod_starting] * 5},
         sdk_error("HostUnreachableError", "sandbox pod is starting", status=503),
         cli_error('Error: API error (503): {"code": "pod_starting"'),
         {"status": 4}, {"status": 3}, waits=6),
    Case("429 with Retry-After", "status",
         {"status": [fs.answer(429, STATUS_429, {"Retry-After": "7"})]},
         sdk_error("RateLimitedError", "rate limit exceeded", status=429, retry_after=7),
         cli_error('Error: API error (429): {"code": "rate_limited"'),
         {"status": 1}, {"status": 1}),
    Case("429 without Retry-After", "status",
         {"status": [fs.answer(429, STATUS_429)]},
         sdk_error("RateLimitedError", "rate limit exceeded", status=429),
         cli_error('Error: API error (429): {"code": "rate_limited"'),
         {"status": 1}, {"status": 1}),
    Case("429 (Retry-After: 1) on a poll", "exec",
         {"poll": [fs.answer(429, STATUS_429, {"Retry-After": "1"})]},
         success("hello\nbye\n"), success("hello\nbye\n"),
         {"exec": 1, "poll": 3}, {"exec": 1, "poll": 3}, waits=1),
    Case("500", "status", {"status": [fs.answer(500, ERROR_500)]},
         sdk_error("APIError", "the disk is on fire", status=500),
         cli_error('Error: API error (500): {"code": "internal_error"'),
         {"status": 1}, {"status": 1}),
    Case("HTML 502", "status", {"status": [fs.html_502]},
         sdk_error("HostUnreachableError", "<title>502 Bad Gateway</title>", status=502),
         cli_error("Error: API error (502): <html>"),
         {"status": 1}, {"status": 1}),
    Case("HTML 502 after the upstream started an exec", "exec", {"exec": [fs.served_then_502]},
         sdk_error("HostUnreachableError", "502 Bad Gateway", status=502),
         cli_error("Error: API error (502): <html>"),
         {"exec": 1, "poll": 0}, {"exec": 1, "poll": 0}),
    Case("503 pod_starting on create", "create", {"create": [fs.pod_starting]},
         success(), success(), {"create": 2}, {"create": 2}, waits=2),
    Case("HTML 502 on create", "create", {"create": [fs.served_then_502]},
         sdk_error("HostUnreachableError", "502 Bad Gateway", status=502),
         cli_error("Error: API error (502): <html>"),
         {"create": 1}, {"create": 1}),
    Case("reset before the body of create", "create", {"create": [fs.reset_before_body]},
         sdk_error("ConnectionError"), cli_error('Error: request failed: Post "'),
         {"create": 1}, {"create": 1}),
    Case("503 pod_starting on exec start", "exec", {"exec": [fs.pod_starting]},
         success("hello\nbye\n"), success("hello\nbye\n"),
         {"exec": 2}, {"exec": 2}, waits=2),
    Case("HTML 502 on files write", "write", {"write": [fs.served_then_502]},
         sdk_error("HostUnreachableError", "502 Bad Gateway", status=502),
         cli_error("Error: API error (502): <html>"),
         {"write": 1}, {"write": 1}),
    Case("reset before the body", "status", {"status": [fs.reset_before_body]},
         sdk_error("ConnectionError"), cli_error('Error: request failed: Get "'),
         {"status": 1}, {"status": 1}),
    Case("reset before the body of exec start", "exec", {"exec": [fs.reset_before_body]},
         sdk_error("ConnectionError"), cli_error('Error: request failed: Post "'),
         {"exec": 1}, {"exec": 1}),
    Case("reset in the middle of a body", "status", {"status": [fs.reset_mid_body]},
         sdk_error("ConnectionError"), cli_error('Error: request failed: Get "'),
         {"status": 1}, {"status": 1}),
    Case("reset after a poll was served (replay)", "exec",
         {"poll": [fs.poll_served_then_reset]},
         success("hello\nbye\n"), success("hello\nbye\n"),
         {"exec": 1, "poll": 2}, {"exec": 1, "poll": 2}, waits=1, poll_since=True),
    # An unaware server (no `replay`): today's behaviour, the lost answer's chunk is gone.
    Case("reset after a poll was served (no replay)", "exec",
         {"poll": [fs.poll_served_then_reset]},
         success("bye\n"), success("bye\n"),
         {"exec": 1, "poll": 2}, {"exec": 1, "poll": 2}, waits=1, extensions="",
         poll_since=False),
    Case("stall", "status", {"status": [fs.stall]},
         sdk_error("TimeoutError"), cli_error('Error: request failed: Get "'),
         {"status": 1}, {"status": 1}, timeout_ms=STALL_TIMEOUT_MS),
    Case("truncated JSON", "status", {"status": [fs.truncated_json]},
         sdk_error("APIError", "not JSON", status=200), cli_error("Error: parse response: "),
         {"status": 1}, {"status": 1}),
    Case("wrong Content-Length", "status", {"status": [fs.wrong_content_length]},
         sdk_error("ConnectionError", "before the whole body arrived"),
         cli_error('Error: request failed: Get "', "before the whole body arrived"),
         {"status": 1}, {"status": 1}),
    Case("endless chunked body", "status", {"status": [fs.endless_chunked]},
         sdk_error("APIError", "192 MiB cap", status=200),
         cli_error('Error: request failed: Get "', "192 MiB cap"),
         {"status": 1}, {"status": 1}, fault_cap=True),
    Case("10 MB header", "status", {"status": [fs.huge_header]},
         sdk_error("ConnectionError", "response head larger than 65536 bytes"),
         cli_error('Error: request failed: Get "', "response head larger than 65536 bytes"),
         {"status": 1}, {"status": 1}),
    Case("wrong JSON types in a poll answer", "exec", {"poll": [fs.wrong_types]},
         sdk_error("APIError", "malformed poll answer", "`status` is not a non-empty string"),
         cli_error("Error: parse result: malformed poll answer"),
         {"exec": 1, "poll": 1}, {"exec": 1, "poll": 1}),
    Case("307 with {}", "status", {"status": [fs.redirect]},
         sdk_error("APIError", "redirect", status=307),
         cli_error("Error: API error (307): {}"),
         {"status": 1}, {"status": 1}),
    Case("early 413 during an 80 MiB upload", "write", {"write": [fs.early_413]},
         sdk_error("APIError", "payload too large", status=413),
         cli_error('Error: API error (413): {"code": "payload_too_large"'),
         {"write": 1}, {"write": 1}, upload_mib=80),
]


@pytest.fixture(scope="session")
def upload_file(tmp_path_factory: pytest.TempPathFactory) -> Callable[[int], str]:
    """A text file of `mib` MiB of "x" (made once per size)."""
    folder = tmp_path_factory.mktemp("faults")
    made: dict[int, str] = {}

    def make(mib: int) -> str:
        if mib not in made:
            path = folder / f"upload-{mib}.txt"
            with open(path, "wb") as f:
                for _ in range(mib):
                    f.write(b"x" * (1 << 20))
            made[mib] = str(path)
        return made[mib]
    return make


@pytest.mark.parametrize("front", list(FRONTS))
@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_fault(case: Case, front: str, upload_file: Callable[[int], str]) -> None:
    server = fs.FaultServer(extensions=case.extensions)
    try:
        for route, faults in case.faults.items():
            server.plan(route, *faults)
        file = upload_file(case.upload_mib) if case.op == "write" else None
        outcome = FRONTS[front](case.op, server.url, case.timeout_ms, file)
        (case.cli if front == "cli" else case.sdk)(outcome)
        counts = case.cli_counts if front == "cli" else case.counts
        for route, n in (counts or {}).items():
            assert server.counts[route] == n, (route, server.counts, server.requests)
        if case.poll_since is not None:
            polls = [t for m, t in server.requests if t.startswith("/v1/executions/")]
            assert polls and all(("since=" in t) == case.poll_since for t in polls), polls
        bound = case.waits + case.timeout_ms / 1000 + 1
        assert outcome.elapsed <= bound, (outcome.elapsed, bound)
        if case.fault_cap:
            # Bounded memory: the body string stops at the cap (its last growth may double it).
            assert outcome.max_rss < 2 * BODY_CAP + (64 << 20), outcome.max_rss
        print(f"{front}: {outcome.elapsed:.2f} s, peak RSS {outcome.max_rss >> 20} MiB")
    finally:
        server.close()
