"""Runs every benchmark workload against one `sockt serve` and writes bench/results/latest.{md,json}.

bench/run.sh prepares the implementations and calls this with their paths. Each trial is a fresh
process (a worker); trials of the implementations compared in a row alternate, so a change in the
machine's background load hits both sides of a ratio alike.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import resource
import signal
import subprocess
import sys
import time
from typing import Any

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from benchlib import machine, report  # noqa: E402
from benchlib.server import Server  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
MIB = 1 << 20


def parse_args() -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--sockt-bin", help="the sockt binary (for `sockt serve`)")
    p.add_argument("--cpp-bench", help="bench/cpp's sockt_bench executable")
    p.add_argument("--py-ours", help="python of the venv with our package")
    p.add_argument("--py-official", help="python of the venv with sockt==0.2.0")
    p.add_argument("--node", default="node")
    p.add_argument("--node-path", help="NODE_PATH that resolves @sockt/client")
    p.add_argument("--node-addon", default="", help="SOCKT_NODE_ADDON for our Node package")
    p.add_argument("--transfer-ceiling", help="bench/ceiling's transfer_ceiling executable")
    p.add_argument("--exec-floor", help="bench/ceiling's exec_floor executable")
    p.add_argument("--quiet-wait", type=float, default=120.0,
                   help="seconds to wait at most for a quiet machine before measuring")
    p.add_argument("--out", default=os.path.join(HERE, "results"))
    p.add_argument("--only", default="", help="comma-separated workloads (development)")
    p.add_argument("--quick", action="store_true", help="fewer, shorter trials (development)")
    p.add_argument("--rerender", action="store_true",
                   help="rewrite latest.md from latest.json (after editing explanations)")
    return p.parse_args()


class Runner:
    def __init__(self, args: argparse.Namespace, server: Server) -> None:
        self.args = args
        self.env = server.env()
        self.server = server
        self.measurements: dict[str, list[dict[str, Any]]] = {}
        self.errors: dict[str, str] = {}
        self.versions: dict[str, str] = {}
        self.pin: set[int] | None = None  # the one core of a ONE_CORE row while it runs

    def pinned(self) -> None:
        """In a worker process before exec: on the row's core, if it has one."""
        if self.pin:
            os.sched_setaffinity(0, self.pin)

    def command(self, impl: str, workload: str, flags: list[str]) -> tuple[list[str], dict]:
        a = self.args
        env = dict(self.env)
        if impl == "cpp":
            return [a.cpp_bench, workload, *flags], env
        if impl == "ceiling":  # files workload: --size N
            return [a.transfer_ceiling, *flags, "--dir", self.server.data_dir,
                    "--trials", "5"], env
        if impl == "floor":  # exec workload: --command true --count N
            return [a.exec_floor, "--agent-pid", str(self.server.agent_pid()),
                    *flags[flags.index("--count"):]], env
        if impl in ("py_ours", "py_official"):
            exe = a.py_ours if impl == "py_ours" else a.py_official
            which = "ours" if impl == "py_ours" else "official"
            return [exe, os.path.join(HERE, "workers", "py_worker.py"), "--impl", which,
                    workload, *flags], env
        if impl in ("node_ours", "node_fetch"):
            env["NODE_PATH"] = a.node_path
            if a.node_addon:
                env["SOCKT_NODE_ADDON"] = a.node_addon
            which = "ours" if impl == "node_ours" else "fetch"
            return [a.node, os.path.join(HERE, "workers", "node_worker.cjs"), "--impl", which,
                    workload, *flags], env
        raise ValueError(impl)

    def trial(self, key: str, impl: str, workload: str, flags: list[str]) -> None:
        if key in self.errors:
            return  # one failure is enough; later trials would repeat it
        if impl == "wrk":
            result = self.wrk(float(flags[1]))
        else:
            cmd, env = self.command(impl, workload, flags)
            before = resource.getrusage(resource.RUSAGE_CHILDREN)
            done = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=300,
                                  check=False, preexec_fn=self.pinned)
            after = resource.getrusage(resource.RUSAGE_CHILDREN)
            if done.returncode != 0:
                tail = (done.stderr or done.stdout).strip().splitlines()[-3:]
                self.errors[key] = f"exit {done.returncode}: " + " | ".join(tail)
                print(f"  ! {key}: {self.errors[key]}", flush=True)
                return
            result = json.loads(done.stdout.strip().splitlines()[-1])
            # CPU the worker process used (start-up included): unlike wall time, it does not
            # grow when other processes compete for the cores.
            result["process_cpu_s"] = round(
                (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime), 4)
        if "version" in result:
            self.versions.setdefault(impl, str(result["version"]))
        self.measurements.setdefault(key, []).append(result)

    def wrk(self, seconds: float) -> dict[str, Any]:
        url = f"{self.server.url}/v1/sandboxes/{self.server.sandbox_id}"
        done = subprocess.run(
            ["wrk", "-t1", "-c1", f"-d{max(1, round(seconds))}s",
             "-H", f"Authorization: Bearer {self.server.key}", url],
            capture_output=True, text=True, timeout=120, check=True, preexec_fn=self.pinned)
        return {"value": machine.parse_wrk(done.stdout)}

    def measure(self, name: str, impls: list[str], workload: str, flags: list[str],
                trials: int) -> None:
        """Round-robin: trial 1 of every implementation, then trial 2, ..."""
        start = time.monotonic()
        everywhere = os.sched_getaffinity(0)
        if name in ONE_CORE:
            # Server and client share one core: the row then measures the work of a round trip,
            # not the VM's cost of waking a halted vCPU twice per call (FINDINGS.md R4).
            self.pin = {max(everywhere)}
            machine.pin_threads(self.server.proc.pid, self.pin)
        try:
            for _ in range(trials):
                for impl in impls:
                    self.trial(f"{name}.{impl}", impl, workload, flags)
        finally:
            if self.pin:
                machine.pin_threads(self.server.proc.pid, everywhere)
                self.pin = None
        medians = []
        for impl in impls:
            got = self.measurements.get(f"{name}.{impl}", [])
            if got and "value" in got[0]:
                vals = sorted(t["value"] for t in got)
                medians.append(f"{impl}={vals[len(vals) // 2]:.4g}")
            elif got:
                vals = sorted(s for t in got for s in t["samples"])
                medians.append(f"{impl}={vals[len(vals) // 2] * 1000:.1f}ms")
        print(f"  {name}: {', '.join(medians)}  ({time.monotonic() - start:.0f} s)", flush=True)


# Rows of sequential round trips, measured with the server and every client on one core.
ONE_CORE = {"status"}


def plan(quick: bool) -> list[tuple[str, list[str], str, list[str], int]]:
    """(name, implementations, worker workload, flags, trials)."""
    secs = "1" if quick else "2"
    t = 2 if quick else 5
    t_slow = 2 if quick else 3
    n_exec = "4" if quick else "10"
    all5 = ["cpp", "py_ours", "py_official", "node_ours", "node_fetch"]
    return [
        ("import", ["py_ours", "py_official", "node_ours"], "import", [], 3 if quick else 7),
        ("status", [*all5, "wrk"], "status", ["--seconds", secs], t),
        ("status_free", ["cpp", "py_ours", "py_official", "wrk"], "status", ["--seconds", secs],
         t_slow),
        ("threads1", ["py_ours", "py_official"], "threads", ["--threads", "1", "--seconds", secs],
         t_slow),
        ("threads8", ["py_ours", "py_official"], "threads", ["--threads", "8", "--seconds", secs],
         t_slow),
        ("conc100", ["node_ours", "node_fetch"], "status",
         ["--concurrency", "100", "--seconds", secs], t_slow),
        ("exec_true", [*all5, "floor"], "exec", ["--command", "true", "--count", n_exec], t_slow),
        ("exec_echo", all5, "exec", ["--command", "echo hi", "--count", n_exec], t_slow),
        ("files1", [*all5, "ceiling"], "files", ["--size", str(MIB)], t),
        # Five trials: the write half's fsync of 32 MiB is bimodal on this disk (51 or 130 ms).
        ("files32", [*all5, "ceiling"], "files", ["--size", str(32 * MIB)], t),
        ("eventloop", ["node_ours", "node_fetch"], "eventloop", ["--size", str(32 * MIB)], t_slow),
        # Issue #14: asyncio, output as it arrives, folders (Python: ours vs the official SDK).
        ("aio_exec10", ["py_ours", "py_official"], "aio_exec",
         ["--command", "sleep 1", "--count", "10"], t_slow),
        ("aio_status200", ["py_ours", "py_official"], "aio_status",
         ["--count", "200", "--seconds", secs], t_slow),
        ("first_output", ["py_ours", "py_official"], "first_output", ["--count", "4"], t_slow),
        ("upload_dir200", ["py_ours", "py_official"], "upload_dir", ["--count", "200"], t_slow),
    ]


def rerender(out: str) -> int:
    with open(os.path.join(out, "latest.json"), encoding="utf-8") as f:
        saved = json.load(f)
    measurements, meta = saved.pop("trials"), saved
    meta.pop("rows", None)
    rows = report.build_rows(measurements, meta.get("errors", {}))
    report.write(os.path.join(out, "latest.json"), os.path.join(out, "latest.md"), rows, meta,
                 measurements)
    print(f"bench: rewrote {out}/latest.md from latest.json")
    return 0


def main() -> int:
    args = parse_args()
    if args.rerender:
        return rerender(args.out)
    missing = [f"--{n.replace('_', '-')}" for n in
               ("sockt_bin", "cpp_bench", "py_ours", "py_official", "node_path",
                "transfer_ceiling", "exec_floor")
               if not getattr(args, n)]
    if missing:
        sys.exit(f"driver.py: missing {' '.join(missing)} (bench/run.sh passes them)")
    # Ctrl-C and SIGTERM unwind through `finally`, which stops the server and removes its data.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    os.makedirs(args.out, exist_ok=True)
    started = time.monotonic()
    quiet = machine.wait_for_quiet(args.quiet_wait)
    machine_info = {**machine.describe(), **quiet}
    server = Server(args.sockt_bin)
    try:
        server.create_sandbox()
        runner = Runner(args, server)
        print(f"bench: sockt serve at {server.url}, sandbox {server.sandbox_id}", flush=True)
        only = {w for w in args.only.split(",") if w}
        for name, impls, workload, flags, trials in plan(args.quick):
            if only and name not in only:
                continue
            runner.measure(name, impls, workload, flags, trials)
        server_version = server.version()
    finally:
        server.stop()

    versions = {
        "sockt serve": server_version,
        "C++ core (sockt_bench)": runner.versions.get("cpp", "not run"),
        "Python sockt (ours)": runner.versions.get("py_ours", "not run"),
        "Python sockt (official)": runner.versions.get("py_official", "not run"),
        "Node @sockt/client (ours)": runner.versions.get("node_ours", "not run"),
        "Node fetch baseline": runner.versions.get("node_fetch", "not run"),
        **machine.tool_versions({"ours": args.py_ours, "official": args.py_official}, args.node),
    }
    meta = {
        "finished_at": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "duration_s": round(time.monotonic() - started, 1),
        "machine": {**machine_info, "loadavg_at_end": machine.loadavg()},
        "versions": versions,
        "errors": runner.errors,
        "command": "make bench",
    }
    rows = report.build_rows(runner.measurements, runner.errors)
    report.write(os.path.join(args.out, "latest.json"), os.path.join(args.out, "latest.md"),
                 rows, meta, runner.measurements)
    print(report.markdown(rows, meta))
    print(f"bench: wrote {args.out}/latest.md and latest.json in {meta['duration_s']} s")
    return 1 if runner.errors else 0


if __name__ == "__main__":
    sys.exit(main())
