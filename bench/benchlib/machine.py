"""What the numbers were measured on: CPU, cores, memory, load, and every component's version."""

from __future__ import annotations

import os
import platform
import re
import subprocess
import time


def _first(path: str, key: str) -> str:
    try:
        with open(path, encoding="utf-8") as f:
            for line in f:
                if line.startswith(key):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return "unknown"


def _os_name() -> str:
    try:
        with open("/etc/os-release", encoding="utf-8") as f:
            for line in f:
                if line.startswith("PRETTY_NAME="):
                    return line.split("=", 1)[1].strip().strip('"')
    except OSError:
        pass
    return platform.platform()


def describe() -> dict[str, object]:
    mem_kb = _first("/proc/meminfo", "MemTotal").split()[0]
    return {
        "cpu": _first("/proc/cpuinfo", "model name"),
        "nproc": os.cpu_count(),
        "nproc_online": int(_run(["nproc"]) or 0),
        "mem_total_mib": int(mem_kb) // 1024 if mem_kb.isdigit() else None,
        "kernel": platform.release(),
        "os": _os_name(),
        # Other processes share the cores; the load at start says how noisy absolute times are.
        "loadavg_at_start": open("/proc/loadavg", encoding="ascii").read().split()[:3],
    }


def _run(cmd: list[str]) -> str:
    try:
        done = subprocess.run(cmd, capture_output=True, text=True, timeout=20, check=False)
    except (OSError, subprocess.TimeoutExpired):
        return ""
    return (done.stdout or done.stderr).strip()


def tool_versions(python_bins: dict[str, str], node_bin: str) -> dict[str, str]:
    wrk = _run(["wrk", "-v"]).splitlines()
    poco = _run(["dpkg-query", "-W", "-f=${Version}", "libpoco-dev"])
    gxx = _run(["g++", "--version"]).splitlines()
    versions = {
        "wrk": wrk[0] if wrk else "not found",
        "poco": poco or "unknown",
        "g++": gxx[0] if gxx else "unknown",
        "node": _run([node_bin, "--version"]),
    }
    for name, exe in python_bins.items():
        versions[f"python ({name})"] = _run([exe, "--version"])
    return versions


def loadavg() -> list[str]:
    with open("/proc/loadavg", encoding="ascii") as f:
        return f.read().split()[:3]


def parse_wrk(output: str) -> float:
    match = re.search(r"Requests/sec:\s+([0-9.]+)", output)
    if not match:
        raise RuntimeError(f"no Requests/sec in wrk output:\n{output}")
    return float(match.group(1))


def busy_threshold() -> float:
    """A 1-minute load average above half the cores: other work would take a core from us."""
    return 0.5 * (os.cpu_count() or 1)


def wait_for_quiet(bound_s: float) -> dict[str, object]:
    """Waits up to `bound_s` seconds for the 1-minute load average to drop to the threshold.

    Never fails: a run on a busy machine is still a run (its ratios compare sides measured
    alike), only marked as such in the table."""
    threshold = busy_threshold()
    first = loadavg()
    print(f"bench: load average {' '.join(first)} on {os.cpu_count()} cores "
          f"(busy above {threshold:g}; waiting up to {bound_s:g} s for quiet)", flush=True)
    start = time.monotonic()
    load = float(first[0])
    while load > threshold and time.monotonic() - start < bound_s:
        time.sleep(min(5.0, max(0.0, bound_s - (time.monotonic() - start))))
        load = float(loadavg()[0])
    waited = round(time.monotonic() - start, 1)
    busy = load > threshold
    if waited > 0 or busy:
        print(f"bench: waited {waited:g} s; load now {load:g}"
              f"{' — measuring anyway, marked as taken on a busy machine' if busy else ''}",
              flush=True)
    return {"busy": busy, "busy_threshold": threshold, "quiet_wait_s": waited,
            "loadavg_before_wait": first}


def pin_threads(pid: int, cpus: set[int]) -> None:
    """Sets the CPU affinity of every thread of process `pid` (threads it makes later inherit
    their creator's)."""
    for tid in os.listdir(f"/proc/{pid}/task"):
        try:
            os.sched_setaffinity(int(tid), cpus)
        except (ProcessLookupError, PermissionError):
            pass  # a thread that ended meanwhile
