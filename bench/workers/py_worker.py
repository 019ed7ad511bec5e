"""One benchmark workload in a fresh Python process, for our package or the official SDK.

    python py_worker.py --impl ours|official WORKLOAD [options]

Runs inside the venv of the implementation under test (both install the import name `sockt`, so
they never share one). The server, key and sandbox come from SOCKT_API_URL, SOCKT_API_KEY and
BENCH_SANDBOX_ID. Prints one JSON object on the last stdout line; times are seconds.

Each implementation is driven the way its users would: ours through its public API (bytes helpers
for binary files), the official SDK through its public API too, except for reading a binary file:
its read_file(encoding="base64") returns the key `content_b64`, which docs/protocol.md §2.11 does not
name (docs/protocol-notes.md row 1; `sockt serve` now sends it as well). Against a server without
it read_file hands back "", and the worker then repeats the read through the SDK's own transport
(the same httpx client, retries and JSON decoding that read_file runs) and decodes `content`.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import gc
import json
import os
import sys
import tempfile
import threading
import time
from typing import Any, Awaitable, Callable

PATH_PREFIX = "bench"


# --- memory (peak RSS above the idle RSS measured just before the workload) --------------------


def _status_kb(field: str) -> int:
    with open("/proc/self/status", encoding="ascii") as f:
        for line in f:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    raise RuntimeError(f"{field} missing from /proc/self/status")


def reset_peak_rss() -> int:
    """Resets VmHWM to the current RSS (Linux ≥ 4.0) and returns the idle RSS in KiB."""
    with open("/proc/self/clear_refs", "w", encoding="ascii") as f:
        f.write("5")
    return _status_kb("VmRSS")


def peak_rss_kb() -> int:
    return _status_kb("VmHWM")


# --- the implementations -----------------------------------------------------------------------


class Impl:
    """The calls a workload needs, mapped onto one SDK."""

    def __init__(self, name: str) -> None:
        import sockt  # noqa: PLC0415  (imported after the import-time workload had its chance)

        self.name = name
        self.sockt = sockt
        self.version = getattr(sockt, "__version__", "") or _dist_version()
        self.client = sockt.ComputeClient()
        self.sandbox = self.client.get_sandbox(os.environ["BENCH_SANDBOX_ID"])

    def status(self) -> str:
        return self.sandbox.refresh_status().status

    def exec_sync(self, command: str) -> tuple[str, int | None]:
        result = self.sandbox.exec_sync(command)
        return result.stdout, result.exit_code

    def write_bytes(self, path: str, data: bytes) -> None:
        if self.name == "ours":
            self.sandbox.write_file_bytes(path, data)
        else:
            text = base64.b64encode(data).decode("ascii")
            self.sandbox.write_file(path, text, encoding="base64")

    def read_bytes(self, path: str) -> bytes:
        if self.name == "ours":
            return self.sandbox.read_file_bytes(path)
        text = self.sandbox.read_file(path, encoding="base64")
        if text:
            return base64.b64decode(text)
        body = {"path": path, "encoding": "base64"}  # a server without `content_b64`
        answer = self.sandbox._http().request(  # see the module docstring
            "POST", f"/v1/sandboxes/{self.sandbox.id}/files/read", json=body,
            params=self.sandbox._params(),
        )
        return base64.b64decode(answer["content"])

    def close(self) -> None:
        self.client.close()


def _dist_version() -> str:
    from importlib.metadata import version  # noqa: PLC0415

    return version("sockt")


# --- workloads -----------------------------------------------------------------------------------


def w_import(_: argparse.Namespace, impl_name: str) -> dict[str, Any]:
    start = time.perf_counter()
    import sockt  # noqa: F401, PLC0415

    elapsed = time.perf_counter() - start
    return {"value": elapsed, "version": getattr(sockt, "__version__", "") or _dist_version()}


def _run_for(seconds: float, call: Callable[[], object]) -> tuple[int, float]:
    count = 0
    start = time.perf_counter()
    deadline = start + seconds
    while True:
        call()
        count += 1
        now = time.perf_counter()
        if now >= deadline:
            return count, now - start


def w_status(args: argparse.Namespace, impl_name: str) -> dict[str, Any]:
    impl = Impl(impl_name)
    for _ in range(20):  # warm the connection and the caches
        impl.status()
    count, elapsed = _run_for(args.seconds, impl.status)
    impl.close()
    return {"value": count / elapsed, "count": count, "elapsed": elapsed, "version": impl.version}


def w_threads(args: argparse.Namespace, impl_name: str) -> dict[str, Any]:
    impl = Impl(impl_name)
    for _ in range(20):
        impl.status()
    counts = [0] * args.threads
    errors: list[BaseException] = []
    barrier = threading.Barrier(args.threads + 1)
    stop = threading.Event()

    def loop(i: int) -> None:
        barrier.wait()
        try:
            while not stop.is_set():
                impl.status()
                counts[i] += 1
        except BaseException as e:  # reported, never swallowed
            errors.append(e)

    threads = [threading.Thread(target=loop, args=(i,)) for i in range(args.threads)]
    for t in threads:
        t.start()
    barrier.wait()
    start = time.perf_counter()
    time.sleep(args.seconds)
    stop.set()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - start
    impl.close()
    if errors:
        raise errors[0]
    total = sum(counts)
    return {"value": total / elapsed, "count": total, "elapsed": elapsed, "threads": args.threads,
            "version": impl.version}


def w_exec(args: argparse.Namespace, impl_name: str) -> dict[str, Any]:
    impl = Impl(impl_name)
    expected = "hi\n" if args.command == "echo hi" else ""
    impl.exec_sync(args.command)  # warm-up: connection, first bash start
    samples = []
    lost_output = 0
    for _ in range(args.count):
        start = time.perf_counter()
        stdout, exit_code = impl.exec_sync(args.command)
        samples.append(time.perf_counter() - start)
        if exit_code == 0 and stdout == "" and expected and impl_name == "official":
            # The official exec_sync returns only its last poll's chunks (docs/protocol-notes.md
            # row 15): output delivered by an earlier `running` poll is lost. The call's latency
            # is still the reference's; the loss is counted and reported, not hidden.
            lost_output += 1
        elif exit_code != 0 or stdout != expected:
            raise RuntimeError(f"{args.command!r}: exit {exit_code}, stdout {stdout!r}")
    impl.close()
    return {"samples": samples, "version": impl.version, "lost_output": lost_output}


def w_files(args: argparse.Namespace, impl_name: str) -> dict[str, Any]:
    impl = Impl(impl_name)
    impl.status()  # connection up before the clock starts
    data = os.urandom(args.size)
    path = f"{PATH_PREFIX}/py-{impl_name}-{os.getpid()}.bin"
    idle_kb = reset_peak_rss()
    start = time.perf_counter()
    impl.write_bytes(path, data)
    mid = time.perf_counter()
    back = impl.read_bytes(path)
    end = time.perf_counter()
    peak_kb = peak_rss_kb()
    if back != data:
        raise RuntimeError(f"read back {len(back)} bytes that differ from the {len(data)} written")
    impl.close()
    return {
        "write_s": mid - start,
        "read_s": end - mid,
        "value": 2 * args.size / (end - start) / 1e6,  # MB/s over the round trip
        "rss_idle_kb": idle_kb,
        "rss_peak_kb": peak_kb,
        "rss_delta_bytes": (peak_kb - idle_kb) * 1024,
        "version": impl.version,
    }


# --- asyncio, output as it arrives, folders ---------------------------------
#
# Ours runs on one event loop with the asyncio API (AsyncComputeClient: the core's own threads,
# results through an eventfd the loop watches). The official SDK has no asyncio API: asyncio code calls
# it through asyncio.to_thread, i.e. the loop's default executor (min(32, cores + 4) threads).


async def _loop_lateness(stop: asyncio.Event) -> float:
    """The largest lateness of a 5 ms timer on the running loop until `stop` is set."""
    loop = asyncio.get_running_loop()
    worst = 0.0
    while not stop.is_set():
        due = loop.time() + 0.005
        await asyncio.sleep(0.005)
        worst = max(worst, loop.time() - due)
    return worst


async def _on_one_loop(impl_name: str, batch: Callable[[Any], list[Awaitable[Any]]],
                       rounds: Callable[[int, float], bool]
                       ) -> tuple[int, float, float, float, str]:
    """Runs `batch(sandbox)` concurrently, round after round while `rounds(n, elapsed)`, with
    the lateness probe on the same loop. Returns (calls, elapsed, worst lateness, the same
    probe's worst lateness on the idle loop just before, version)."""
    import sockt  # noqa: PLC0415

    version = getattr(sockt, "__version__", "") or _dist_version()
    sandbox_id = os.environ["BENCH_SANDBOX_ID"]
    if impl_name == "ours":
        client = sockt.AsyncComputeClient()
        sandbox = await client.get_sandbox(sandbox_id)
    else:
        client = sockt.ComputeClient()
        sandbox = await asyncio.to_thread(client.get_sandbox, sandbox_id)
    await asyncio.gather(*batch(sandbox))  # warm the connections (and the executor's threads)
    # What the imports and the warm-up made goes to the collector's permanent generation, as
    # long-running asyncio services do after start-up: a full collection in the measured window
    # then walks what the calls make, not every object of the interpreter's modules (≈ 6 ms here).
    gc.freeze()
    # The control: the same timer with nothing running, the machine's own scheduling noise.
    idle_stop = asyncio.Event()
    idle_probe = asyncio.ensure_future(_loop_lateness(idle_stop))
    await asyncio.sleep(1.0)
    idle_stop.set()
    idle = await idle_probe
    stop = asyncio.Event()
    probe = asyncio.ensure_future(_loop_lateness(stop))
    calls = 0
    n = 0
    start = time.perf_counter()
    while True:
        results = await asyncio.gather(*batch(sandbox))
        calls += len(results)
        n += 1
        if not rounds(n, time.perf_counter() - start):
            break
    elapsed = time.perf_counter() - start
    stop.set()
    worst = await probe
    if impl_name == "ours":
        await client.close()
    else:
        client.close()
    return calls, elapsed, worst, idle, version


def _call(impl_name: str, sandbox: Any, method: str, *args: Any) -> Awaitable[Any]:
    if impl_name == "ours":
        coro: Awaitable[Any] = getattr(sandbox, method)(*args)
        return coro
    return asyncio.to_thread(getattr(sandbox, method), *args)


def w_aio_exec(args: argparse.Namespace, impl_name: str) -> dict[str, Any]:
    def batch(sandbox: Any) -> list[Awaitable[Any]]:
        return [_call(impl_name, sandbox, "exec_sync", args.command) for _ in range(args.count)]

    calls, elapsed, worst, idle, version = asyncio.run(
        _on_one_loop(impl_name, batch, lambda n, _: n < 1))
    return {"value": calls / elapsed, "elapsed": elapsed, "max_late_s": worst,
            "idle_max_late_s": idle, "version": version}


def w_aio_status(args: argparse.Namespace, impl_name: str) -> dict[str, Any]:
    def batch(sandbox: Any) -> list[Awaitable[Any]]:
        return [_call(impl_name, sandbox, "refresh_status") for _ in range(args.count)]

    calls, elapsed, worst, idle, version = asyncio.run(
        _on_one_loop(impl_name, batch, lambda _, secs: secs < args.seconds))
    return {"value": calls / elapsed, "count": calls, "elapsed": elapsed, "max_late_s": worst,
            "idle_max_late_s": idle, "version": version}


FIRST_OUTPUT_COMMAND = "date +%s.%N; sleep 1; echo end"


def w_first_output(args: argparse.Namespace, impl_name: str) -> dict[str, Any]:
    """From the moment the command prints its first line (its own clock, the host's) to the
    moment the client has it: our on_stdout callback (long-poll), or the official SDK's first
    poll that shows it (exec, then exec_result every 0.5 s, as its exec_sync polls)."""
    impl = Impl(impl_name)
    impl.status()
    samples = []
    for _ in range(args.count + 1):  # the first run warms the sandbox's bash and the connection
        arrived: list[tuple[float, str]] = []
        if impl_name == "ours":
            impl.sandbox.exec_sync(FIRST_OUTPUT_COMMAND,
                                   on_stdout=lambda t: arrived.append((time.time(), t)))
        else:
            execution = impl.sandbox.exec(FIRST_OUTPUT_COMMAND)
            while True:
                time.sleep(0.5)
                polled = impl.sandbox.exec_result(execution.execution_id)
                if polled.stdout:
                    arrived.append((time.time(), polled.stdout))
                    break
                if polled.status != "running":
                    raise RuntimeError(f"the command ended without output: {polled!r}")
            impl.sandbox.exec_cancel(execution.execution_id)
        received, text = arrived[0]
        samples.append(received - float(text.split()[0]))
    impl.close()
    return {"samples": samples[1:], "version": impl.version}


def w_upload_dir(args: argparse.Namespace, impl_name: str) -> dict[str, Any]:
    """A directory of `count` small files into the sandbox: ours with one upload() call, the
    official SDK with a write_file per file (it has nothing else)."""
    impl = Impl(impl_name)
    impl.status()
    # The local tree lives in memory when the machine has /dev/shm: deleting it after each trial
    # on the server's file system would make the next trial's creates there slower for both SDKs
    # (ext4 without a journal passes over inodes freed in the last 30 s; FINDINGS.md R6).
    shm = "/dev/shm" if os.path.isdir("/dev/shm") else None
    with tempfile.TemporaryDirectory(dir=shm) as tmp:
        root = os.path.join(tmp, "tree")
        os.mkdir(root)
        os.chmod(root, 0o755)  # the mode a write leaves, so no mode command is part of ours
        files = {}
        for i in range(args.count):
            name = f"d{i % 10}/file{i:03}.txt"
            data = f"file {i}\n".encode() * 64
            os.makedirs(os.path.join(root, os.path.dirname(name)), mode=0o755, exist_ok=True)
            with open(os.path.join(root, name), "wb") as f:
                f.write(data)
            os.chmod(os.path.join(root, name), 0o644)
            files[name] = data
        remote = f"{PATH_PREFIX}/tree-{impl_name}-{os.getpid()}"
        start = time.perf_counter()
        if impl_name == "ours":
            impl.sandbox.upload(root, remote)
        else:
            for name, data in files.items():
                impl.sandbox.write_file(f"{remote}/{name}", data.decode())
        elapsed = time.perf_counter() - start
    listed = [e for e in impl.sandbox.list_files(remote, recursive=True) if not e.is_dir]
    if len(listed) != args.count:
        raise RuntimeError(f"{len(listed)} files arrived, not {args.count}")
    impl.close()
    return {"value": args.count / elapsed, "elapsed": elapsed, "version": impl.version}


WORKLOADS = {
    "import": w_import,
    "status": w_status,
    "threads": w_threads,
    "exec": w_exec,
    "files": w_files,
    "aio_exec": w_aio_exec,
    "aio_status": w_aio_status,
    "first_output": w_first_output,
    "upload_dir": w_upload_dir,
}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--impl", choices=["ours", "official"], required=True)
    parser.add_argument("workload", choices=sorted(WORKLOADS))
    parser.add_argument("--seconds", type=float, default=2.0)
    parser.add_argument("--threads", type=int, default=8)
    parser.add_argument("--command", default="true")
    parser.add_argument("--count", type=int, default=10)
    parser.add_argument("--size", type=int, default=1 << 20)
    args = parser.parse_args()
    result = WORKLOADS[args.workload](args, args.impl)
    sys.stdout.write(json.dumps(result) + "\n")


if __name__ == "__main__":
    main()
