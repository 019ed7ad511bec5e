"""The interactive shell: context manager, send/send_line/recv, resize, listeners, timeouts."""

from __future__ import annotations

import threading
import time
from typing import Any

import pytest

import sockt


def read_until(sh: sockt.ShellSession, marker: str, timeout: float = 10.0) -> str:
    seen = ""
    deadline = time.monotonic() + timeout
    while marker not in seen:
        remaining = deadline - time.monotonic()
        assert remaining > 0, f"{marker!r} not seen in {seen!r}"
        frame = sh.recv(timeout=remaining)
        assert isinstance(frame["type"], str) and isinstance(frame["data"], str)
        if frame["type"] in ("stdout", "stderr"):
            seen += frame["data"]
    return seen


def test_shell_roundtrip(sandbox: sockt.Sandbox) -> None:
    with sandbox.shell() as sh:
        assert sh.connected
        sh.send_line("echo $((6 * 7))-marker")
        assert "42-marker" in read_until(sh, "42-marker")
        sh.send("echo raw")
        sh.send("-send\n")
        read_until(sh, "raw-send")
        sh.resize(cols=120, rows=40)
        sh.send_line("stty size")
        read_until(sh, "40 120")
    assert not sh.connected
    sh.close()  # idempotent


def test_shell_listeners_run_on_the_io_thread(sandbox: sockt.Sandbox) -> None:
    frames: list[dict[str, Any]] = []
    threads: set[threading.Thread] = set()
    got = threading.Event()

    def on_stdout(frame: dict[str, Any]) -> None:
        frames.append(frame)
        threads.add(threading.current_thread())
        if "listener-ok" in "".join(f["data"] for f in frames):
            got.set()

    sh = sandbox.shell()
    sh.on("stdout", on_stdout)
    sh.connect()
    try:
        sh.send_line("echo listener-ok")
        assert got.wait(10)
        assert threading.current_thread() not in threads
        sh.off("stdout", on_stdout)
        calls_at_off = len(frames)
        sh.send_line("echo after-off")
        read_until(sh, "after-off")
        # off() waits for a call already under way, so the listener never runs after it returned.
        assert len(frames) == calls_at_off
    finally:
        sh.close()


def test_shell_off_waits_for_a_running_listener(sandbox: sockt.Sandbox) -> None:
    started = threading.Event()
    finished = threading.Event()
    calls = 0

    def slow(frame: dict[str, Any]) -> None:
        nonlocal calls
        calls += 1
        started.set()
        time.sleep(0.5)  # the main thread calls off() meanwhile
        finished.set()

    with sandbox.shell() as sh:
        sh.on("stdout", slow)
        sh.send_line("echo slow-listener")
        assert started.wait(10)
        sh.off("stdout", slow)
        assert finished.is_set()  # off() returned only after the call under way ended
        calls_at_off = calls
        sh.send_line("echo after-slow")
        read_until(sh, "after-slow")
        assert calls == calls_at_off


def test_shell_listener_can_remove_itself(sandbox: sockt.Sandbox) -> None:
    calls = 0

    with sandbox.shell() as sh:

        def once(frame: dict[str, Any]) -> None:
            nonlocal calls
            calls += 1
            sh.off("stdout", once)  # on the I/O thread: must not wait for itself

        sh.on("stdout", once)
        sh.send_line("echo first")
        read_until(sh, "first")
        sh.send_line("echo second")
        read_until(sh, "second")
        assert calls == 1


def test_shell_recv_timeout_and_exit(sandbox: sockt.Sandbox) -> None:
    with sandbox.shell() as sh:
        read_until(sh, "$")  # the prompt
        while True:  # drain whatever else the prompt produced
            try:
                sh.recv(timeout=0.3)
            except TimeoutError:
                break
        start = time.monotonic()
        with pytest.raises(sockt.TimeoutError):
            sh.recv(timeout=0.5)
        assert time.monotonic() - start < 3
        sh.send_line("exit 7")
        types = []
        try:
            while True:
                frame = sh.recv(timeout=10)
                types.append(frame["type"])
        except sockt.ConnectionError:
            pass
        assert "exit" in types
        assert sh.exit_code == 7
        with pytest.raises(ConnectionError):
            sh.recv(timeout=1)


def test_shell_iteration(sandbox: sockt.Sandbox) -> None:
    with sandbox.shell() as sh:
        sh.send_line("echo iter-done; exit 0")
        text = "".join(f["data"] for f in sh if f["type"] == "stdout")
    assert "iter-done" in text


def test_shell_on_stopped_sandbox(client: sockt.ComputeClient) -> None:
    sb = client.create_sandbox(tier="nano")
    sb.wait_until_running(timeout=30, poll_interval=0.05)
    sb.terminate()
    with pytest.raises(sockt.SandboxNotRunningError):
        sb.shell().connect()
