"""The asyncio API: the same names and parameters as the blocking API, as
coroutines; completions from the core's own threads (a handful in all, however many calls are in
flight); cancellation that ends the native wait at once and reaches the remote execution."""

from __future__ import annotations

import asyncio
import inspect
import json
import os
import subprocess
import sys
import textwrap
import threading
import time
from collections.abc import Iterator
from typing import Any

import pytest

import sockt
from conftest import Server


def run(coro: Any) -> Any:
    return asyncio.run(coro)


def public_methods(cls: type) -> dict[str, Any]:
    return {
        name: member
        for name, member in inspect.getmembers(cls, inspect.isfunction)
        if not name.startswith("_")
    }


PAIRS = [
    (sockt.ComputeClient, sockt.AsyncComputeClient, set()),
    (sockt.Sandbox, sockt.AsyncSandbox, {"on", "off", "shell"}),
    (sockt.Execution, sockt.AsyncExecution, set()),
    (sockt.ShellSession, sockt.AsyncShellSession, {"on", "off"}),
]


@pytest.mark.parametrize("sync_cls,async_cls,plain", PAIRS, ids=[p[1].__name__ for p in PAIRS])
def test_every_method_has_an_async_twin(sync_cls: type, async_cls: type, plain: set[str]) -> None:
    sync_methods = public_methods(sync_cls)
    async_methods = public_methods(async_cls)
    for name, method in sync_methods.items():
        assert name in async_methods, f"{async_cls.__name__}.{name} is missing"
        twin = async_methods[name]
        assert list(inspect.signature(twin).parameters) == list(inspect.signature(method).parameters)
        for param in inspect.signature(method).parameters.values():
            assert inspect.signature(twin).parameters[param.name].default == param.default, name
        if name in plain:
            assert not inspect.iscoroutinefunction(twin), name
        else:
            assert inspect.iscoroutinefunction(twin), name


def test_client_sandbox_files_and_commands(server: Server) -> None:
    async def main() -> None:
        async with sockt.AsyncComputeClient(api_key=server.api_key, base_url=server.url) as client:
            tiers = await client.list_tiers()
            assert "nano" in [t.name for t in tiers]
            async with await client.create_sandbox(tier="nano") as sandbox:
                await sandbox.wait_until_running(timeout=30, poll_interval=0.1)
                again = await client.get_sandbox(sandbox.id)
                assert again == sandbox and again.status == "running"
                result = await sandbox.exec_sync("echo out; echo err >&2; exit 4")
                assert (result.stdout, result.stderr, result.exit_code) == ("out\n", "err\n", 4)
                written = await sandbox.write_file("d/a.txt", "héllo")
                assert list(written) == ["path", "bytes_written", "created_dirs"]
                assert await sandbox.read_file("d/a.txt") == "héllo"
                await sandbox.write_file_bytes("d/b.bin", bytes(range(256)))
                assert await sandbox.read_file_bytes("d/b.bin") == bytes(range(256))
                assert await sandbox.write_file_bytes("d/c.bin", bytearray(b"xy"))
                names = [e.name for e in await sandbox.list_files("d")]
                assert names == ["a.txt", "b.bin", "c.bin"]
                execution = await sandbox.exec("echo polled")
                assert (await execution.wait()).stdout == "polled\n"
                assert execution.result.exit_code == 0 and execution.stdout == "polled\n"
                status = await sandbox.refresh_status()
                assert status.status == "running"
                await sandbox.pause()
                await sandbox.resume()
            assert sandbox.status == "terminated"
        assert client.closed

    run(main())


def test_result_is_unknown_until_the_command_ended(server: Server) -> None:
    async def main() -> None:
        async with sockt.AsyncComputeClient(api_key=server.api_key, base_url=server.url) as client:
            async with await client.create_sandbox(tier="nano") as sandbox:
                execution = await sandbox.exec("sleep 0.3; echo late")
                with pytest.raises(asyncio.InvalidStateError):
                    _ = execution.result
                await execution.wait()
                assert execution.stdout == "late\n"

    run(main())


def test_errors_arrive_as_the_blocking_api_raises_them(server: Server) -> None:
    async def main() -> None:
        async with sockt.AsyncComputeClient(api_key=server.api_key, base_url=server.url) as client:
            with pytest.raises(sockt.APIError) as not_found:
                await client.get_sandbox("00000000-0000-4000-8000-000000000000")
            assert not_found.value.status_code == 404
        async with sockt.AsyncComputeClient(api_key="k", base_url="http://127.0.0.1:9") as dead:
            with pytest.raises(sockt.ConnectionError) as refused:
                await dead.list_tiers()
            assert refused.value.slug == "connection_error"

    run(main())


def run_probe(code: str, server: Server, sandbox: sockt.Sandbox) -> Any:
    """Runs `code` in a fresh interpreter (argv: server URL, API key, sandbox id); its printed
    JSON."""
    proc = subprocess.run([sys.executable, "-c", code, server.url, server.api_key, sandbox.id],
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout)


THREAD_PROBE = """
import asyncio, json, os, sys, sockt

def threads():
    return len(os.listdir("/proc/self/task"))

async def main():
    before = threads()
    peak = before
    done = False

    async def sample():
        nonlocal peak
        while not done:
            peak = max(peak, threads())
            await asyncio.sleep(0.001)

    sampler = asyncio.ensure_future(sample())
    async with sockt.AsyncComputeClient(api_key=sys.argv[2], base_url=sys.argv[1]) as client:
        sandbox = await client.get_sandbox(sys.argv[3])
        statuses = await asyncio.gather(*[sandbox.refresh_status() for _ in range(200)])
        runs = await asyncio.gather(*[sandbox.exec_sync("echo $((6*7))") for _ in range(10)])
    done = True
    await sampler
    print(json.dumps({"before": before, "peak": peak, "after": threads(),
                      "ok": sum(s.status == "running" for s in statuses),
                      "runs": sum(r.stdout == "42\\n" for r in runs),
                      "engine": sockt._sockt.async_stats()}))

asyncio.run(main())
"""


def test_200_concurrent_calls_add_only_a_handful_of_threads(
    server: Server, sandbox: sockt.Sandbox
) -> None:
    # A fresh interpreter, so that the count starts before the core's I/O threads exist.
    probe = run_probe(THREAD_PROBE, server, sandbox)
    assert probe["ok"] == 200 and probe["runs"] == 10
    assert probe["engine"]["threads"] <= 2
    assert probe["peak"] - probe["before"] <= 4, probe  # a thread per call would add 200


@pytest.fixture
def recorded_calls(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[sockt._sockt.AsyncCall]]:
    """Every native call the async API starts, so a test can watch its wait end."""
    from sockt import _aio

    handles: list[sockt._sockt.AsyncCall] = []
    original = _aio.call

    async def recording(start: Any, *args: Any, handles: Any = None) -> Any:
        mine: list[sockt._sockt.AsyncCall] = [] if handles is None else handles
        task = asyncio.ensure_future(original(start, *args, handles=mine))
        await asyncio.sleep(0)
        recorded.extend(mine)
        return await task

    recorded = handles
    monkeypatch.setattr(_aio, "call", recording)
    yield handles


def test_task_cancel_ends_the_native_wait_and_cancels_the_execution(
    server: Server, sandbox: sockt.Sandbox, recorded_calls: list[sockt._sockt.AsyncCall],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    started: list[sockt.AsyncExecution] = []
    original_exec = sockt.AsyncSandbox.exec

    async def spying_exec(self: sockt.AsyncSandbox, *args: Any, **kwargs: Any) -> Any:
        execution = await original_exec(self, *args, **kwargs)
        started.append(execution)
        return execution

    monkeypatch.setattr(sockt.AsyncSandbox, "exec", spying_exec)

    async def main() -> None:
        async with sockt.AsyncComputeClient(api_key=server.api_key, base_url=server.url) as client:
            box = await client.get_sandbox(sandbox.id)
            task = asyncio.ensure_future(box.exec_sync("sleep 30"))
            deadline = time.monotonic() + 10
            while len(recorded_calls) < 3 and time.monotonic() < deadline:  # get, exec, wait
                await asyncio.sleep(0.01)
            waiting = recorded_calls[-1]
            await asyncio.sleep(0.2)  # well into the long-poll
            assert not waiting.done
            cancelled_at = time.monotonic()
            task.cancel()
            with pytest.raises(asyncio.CancelledError):
                await task
            while not waiting.done and time.monotonic() - cancelled_at < 1:
                await asyncio.sleep(0.001)
            assert waiting.done
            assert time.monotonic() - cancelled_at < 0.1  # the native wait ended at once

            (execution,) = started
            status = ""
            deadline = time.monotonic() + 10
            while status != "cancelled" and time.monotonic() < deadline:
                status = (await box.exec_result(execution.execution_id)).status
                await asyncio.sleep(0.02)
            assert status == "cancelled"

    run(main())


def test_output_arrives_while_the_command_runs(server: Server, sandbox: sockt.Sandbox) -> None:
    async def main() -> None:
        async with sockt.AsyncComputeClient(api_key=server.api_key, base_url=server.url) as client:
            box = await client.get_sandbox(sandbox.id)
            start = time.monotonic()
            seen: list[tuple[float, str]] = []
            result = await box.exec_sync(
                "echo a; sleep 1; echo b; echo e >&2",
                on_stdout=lambda text: seen.append((time.monotonic() - start, "out:" + text)),
                on_stderr=lambda text: seen.append((time.monotonic() - start, "err:" + text)),
            )
            ended = time.monotonic() - start
            assert [s for _, s in seen] == ["out:a\n", "out:b\n", "err:e\n"]
            assert result.stdout == "a\nb\n" and result.stderr == "e\n"
            # The first chunk came while the command was still sleeping (long-poll), not at the end.
            assert seen[0][0] < ended - 0.5

            execution = await box.exec("echo 1; sleep 1; echo 2")
            times = []
            chunks = []
            async for chunk in execution:
                times.append(time.monotonic())
                chunks.append((chunk.stream, chunk.data))
            assert chunks == [("stdout", "1\n"), ("stdout", "2\n")]
            assert times[1] - times[0] > 0.5
            assert execution.result.exit_code == 0 and execution.stdout == "1\n2\n"

    run(main())


def test_a_raising_callback_stops_the_wait_and_the_command(
    server: Server, sandbox: sockt.Sandbox
) -> None:
    async def main() -> None:
        async with sockt.AsyncComputeClient(api_key=server.api_key, base_url=server.url) as client:
            box = await client.get_sandbox(sandbox.id)

            def boom(text: str) -> None:
                raise ValueError("stop: " + text)

            start = time.monotonic()
            with pytest.raises(ValueError, match="stop: a"):
                await box.exec_sync("echo a; sleep 20", on_stdout=boom)
            assert time.monotonic() - start < 10

    run(main())


def test_listeners_run_on_the_loop_thread(server: Server, client: sockt.ComputeClient) -> None:
    async def main() -> None:
        async with sockt.AsyncComputeClient(api_key=server.api_key, base_url=server.url) as aclient:
            box = await aclient.create_sandbox(tier="nano", billing_method="lightning")
            try:
                loop_thread = threading.get_ident()
                heard: list[tuple[int, Any]] = []
                box.on("pending_invoice", lambda inv: heard.append((threading.get_ident(), inv)))
                await box.refresh_status()
                deadline = time.monotonic() + 5
                while not heard and time.monotonic() < deadline:
                    await asyncio.sleep(0.01)
                assert heard and heard[0][0] == loop_thread
                assert isinstance(heard[0][1], sockt.PendingInvoice)
            finally:
                await box.terminate()

    run(main())


def test_async_shell(server: Server, sandbox: sockt.Sandbox) -> None:
    async def main() -> None:
        async with sockt.AsyncComputeClient(api_key=server.api_key, base_url=server.url) as client:
            box = await client.get_sandbox(sandbox.id)
            async with box.shell() as shell:
                assert shell.connected
                await shell.resize(100, 30)
                await shell.send_line("echo shell-$((40+2)); exit 5")
                out = ""
                async for frame in shell:
                    assert list(frame)[:2] == ["type", "data"]  # the server's key order
                    if frame["type"] == "stdout":
                        out += frame["data"]
                assert "shell-42" in out
                assert shell.exit_code == 5
            session = await box.shell()
            assert isinstance(session, sockt.AsyncShellSession) and not session.connected

    run(main())


def test_exit_with_calls_in_flight_is_clean(server: Server, sandbox: sockt.Sandbox) -> None:
    # A script that leaves a long-poll running when its loop ends: the interpreter still exits
    # promptly and cleanly (the exit hook cancels the call before finalization).
    code = textwrap.dedent(f"""
        import asyncio, sockt
        async def main():
            client = sockt.AsyncComputeClient(api_key={server.api_key!r}, base_url={server.url!r})
            box = await client.get_sandbox({sandbox.id!r})
            asyncio.ensure_future(box.exec_sync("sleep 30"))
            await asyncio.sleep(0.3)
            print("leaving")
        asyncio.run(main())
    """)
    start = time.monotonic()
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=60, env=dict(os.environ))
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == "leaving"
    assert time.monotonic() - start < 20


GIL_PROBE = """
import asyncio, json, sys, time, sockt

async def main():
    async with sockt.AsyncComputeClient(api_key=sys.argv[2], base_url=sys.argv[1]) as client:
        box = await client.get_sandbox(sys.argv[3])
        await box.refresh_status()  # the connections, the I/O threads and the loop's bridge
        stats = sockt._sockt.async_stats()
        tasks = [asyncio.ensure_future(box.refresh_status()) for _ in range(50)]
        while sockt._sockt.async_stats()["started"] - stats["started"] < 50:  # handed to the core
            await asyncio.sleep(0)
        # The loop's thread now keeps the GIL: pure Python, no await, and no switch to another
        # thread asking for the GIL for far longer than the wait below.
        sys.setswitchinterval(30.0)
        finished = 0
        deadline = time.monotonic() + 5
        while finished < 50 and time.monotonic() < deadline:
            finished = sockt._sockt.async_stats()["finished"] - stats["finished"]
        sys.setswitchinterval(0.005)
        statuses = await asyncio.gather(*tasks)
        print(json.dumps({"watched": sockt._aio.bridge_for(asyncio.get_running_loop()).watched,
                          "finished_while_busy": finished,
                          "ok": sum(s.status == "running" for s in statuses)}))

asyncio.run(main())
"""


def test_results_are_delivered_without_the_gil_on_the_io_threads(
    server: Server, sandbox: sockt.Sandbox
) -> None:
    # Were the core's I/O threads to take the GIL to hand a result to the loop, the first one to
    # deliver would wait for the busy loop thread, and every call on that thread with it: the
    # calls would not all finish while the loop thread holds the GIL.
    probe = run_probe(GIL_PROBE, server, sandbox)
    assert probe["watched"] and probe["ok"] == 50
    assert probe["finished_while_busy"] >= 50, probe


class LoopWithoutReaders(asyncio.SelectorEventLoop):
    """A loop that cannot watch a file descriptor, as the Windows proactor loop."""

    def add_reader(self, *args: Any) -> None:
        raise NotImplementedError


def test_a_loop_without_readers_gets_its_results_too(server: Server, sandbox: sockt.Sandbox) -> None:
    async def main() -> None:
        async with sockt.AsyncComputeClient(api_key=server.api_key, base_url=server.url) as client:
            box = await client.get_sandbox(sandbox.id)
            statuses = await asyncio.gather(*[box.refresh_status() for _ in range(20)])
            assert [s.status for s in statuses] == ["running"] * 20
            assert not sockt._aio.bridge_for(asyncio.get_running_loop()).watched

    loop = LoopWithoutReaders()
    try:
        loop.run_until_complete(main())
    finally:
        loop.close()
