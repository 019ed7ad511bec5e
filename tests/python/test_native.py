"""Native behaviour: GIL released during network waits, Ctrl-C, clean exit."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import threading
import time

import sockt
from conftest import Server


def test_gil_released_two_threads_overlap(client: sockt.ComputeClient,
                                          sandbox: sockt.Sandbox) -> None:
    results: list[sockt.ExecResult] = []
    errors: list[BaseException] = []

    def run() -> None:
        try:
            results.append(sandbox.exec_sync("sleep 1; echo slept"))
        except BaseException as e:  # noqa: BLE001 - reported below
            errors.append(e)

    start = time.monotonic()
    threads = [threading.Thread(target=run) for _ in range(2)]
    for t in threads:
        t.start()
    # While both wait on the network, this thread keeps running Python code.
    ticks = 0
    while any(t.is_alive() for t in threads):
        ticks += 1
        time.sleep(0.01)
    elapsed = time.monotonic() - start
    assert not errors, errors
    assert [r.stdout for r in results] == ["slept\n", "slept\n"]
    assert elapsed < 1.8, f"the two 1 s commands did not overlap: {elapsed:.2f} s"
    assert ticks > 20


def run_script(code: str, server: Server, **kwargs: object) -> subprocess.Popen[str]:
    env = dict(os.environ, SOCKT_API_URL=server.url, SOCKT_API_KEY=server.api_key)
    return subprocess.Popen([sys.executable, "-c", textwrap.dedent(code)], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def test_ctrl_c_interrupts_wait_until_running(server: Server) -> None:
    proc = run_script(
        """
        import sys, sockt
        c = sockt.ComputeClient()
        sb = c.create_sandbox(tier="nano", billing_method="lightning", prepaid_sats=100)
        print("waiting", flush=True)
        try:
            sb.wait_until_running(timeout=60)
        except KeyboardInterrupt:
            print("interrupted", flush=True)
            sys.exit(42)
        """,
        server,
    )
    assert proc.stdout is not None
    assert proc.stdout.readline().strip() == "waiting"
    time.sleep(0.5)  # inside the native wait now
    sent = time.monotonic()
    proc.send_signal(signal.SIGINT)
    rc = proc.wait(timeout=10)
    elapsed = time.monotonic() - sent
    out = proc.stdout.read()
    assert rc == 42, (rc, out, proc.stderr.read() if proc.stderr else "")
    assert "interrupted" in out
    assert elapsed < 1.0, f"KeyboardInterrupt took {elapsed:.2f} s"


def test_ctrl_c_uncaught_exits_with_keyboardinterrupt(server: Server) -> None:
    proc = run_script(
        """
        import sockt
        c = sockt.ComputeClient()
        sb = c.create_sandbox(tier="nano")
        sb.wait_until_running(timeout=30, poll_interval=0.05)
        print("running", flush=True)
        sb.exec_sync("sleep 30")
        """,
        server,
    )
    assert proc.stdout is not None and proc.stderr is not None
    assert proc.stdout.readline().strip() == "running"
    time.sleep(0.5)
    proc.send_signal(signal.SIGINT)
    proc.wait(timeout=10)
    assert "KeyboardInterrupt" in proc.stderr.read()
    assert proc.returncode != 0


def test_no_hang_at_exit_with_live_objects(server: Server) -> None:
    proc = run_script(
        """
        import sockt
        c = sockt.ComputeClient()
        sb = c.create_sandbox(tier="nano")
        sb.wait_until_running(timeout=30, poll_interval=0.05)
        sh = sb.shell()
        sh.on("stdout", lambda frame: None)
        sh.connect()
        sh.send_line("echo hi")
        ex = sb.exec("sleep 30")
        print("leaving", flush=True)
        # no close(): the client, the shell and its I/O thread are still alive at exit
        """,
        server,
    )
    out, err = proc.communicate(timeout=20)
    assert "leaving" in out
    assert proc.returncode == 0, err
