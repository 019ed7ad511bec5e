"""Fixtures for the CLI end-to-end suite: one `sockt serve` per session."""
import os
import re
import shutil
import signal
import subprocess
import tempfile
import time

import pytest

SOCKT = os.environ.get("SOCKT_BIN", "")


class Result:
    def __init__(self, proc):
        self.code = proc.returncode
        self.out_bytes = proc.stdout
        self.err_bytes = proc.stderr
        self.out = proc.stdout.decode("utf-8", "replace")
        self.err = proc.stderr.decode("utf-8", "replace")

    def __repr__(self):
        return f"Result(code={self.code}, out={self.out!r}, err={self.err!r})"


class Server:
    def __init__(self):
        self.tmp = tempfile.mkdtemp(prefix="sockt-e2e-")
        self.proc = subprocess.Popen(
            [SOCKT, "serve", "--port", "0", "--rate-limit", "0", "--boot-delay-ms", "50",
             "--data-dir", os.path.join(self.tmp, "data")],
            stdout=subprocess.PIPE, stderr=open(os.path.join(self.tmp, "serve.log"), "wb"),
        )
        line = self.proc.stdout.readline().decode()
        m = re.match(r"^export SOCKT_API_URL=(\S+) SOCKT_API_KEY=(\S+)\n$", line)
        if not m:
            self.stop()
            raise RuntimeError(f"unexpected first line of sockt serve: {line!r}: {self.log()}")
        self.url, self.key = m.group(1), m.group(2)

    def log(self):
        with open(os.path.join(self.tmp, "serve.log"), "rb") as f:
            return f.read().decode("utf-8", "replace")

    def env(self, **extra):
        env = {k: v for k, v in os.environ.items() if not k.startswith("SOCKT_")}
        env.update(SOCKT_API_URL=self.url, SOCKT_API_KEY=self.key)
        for k, v in extra.items():
            if v is None:
                env.pop(k, None)
            else:
                env[k] = v
        return env

    def stop(self):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        shutil.rmtree(self.tmp, ignore_errors=True)


@pytest.fixture(scope="session")
def server():
    if not SOCKT or not os.access(SOCKT, os.X_OK):
        pytest.fail("SOCKT_BIN must point at the sockt binary")
    s = Server()
    yield s
    s.stop()


@pytest.fixture(scope="session")
def sockt(server):
    """sockt(*args, input=b"", env_extra={}, timeout=120) → Result."""

    def run(*args, input=b"", env=None, timeout=120):
        e = server.env(**(env or {}))
        proc = subprocess.run([SOCKT, *args], input=input, capture_output=True, env=e,
                              timeout=timeout)
        return Result(proc)

    return run


@pytest.fixture
def sandbox(sockt):
    r = sockt("sandbox", "create", "--wait")
    assert r.code == 0, r
    sid = r.out.strip()
    yield sid
    sockt("sandbox", "terminate", sid)


def wait_until(predicate, timeout=30.0, step=0.1):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(step)
    return predicate()
