"""The rows of the results table: which two measurements each one compares, and its target
A row's ratio is always computed from medians measured in the same run."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Optional

MIB = 1 << 20


@dataclass(frozen=True)
class Row:
    id: str
    label: str
    ours: str            # measurement key "<workload>.<impl>"
    ref: Optional[str]   # None: the row compares `ours` with a constant (see `divisor`)
    metric: str          # "value" | "latency" | "rss_delta_bytes"
    unit: str            # how values are printed: "req/s", "ms", "MB/s", "MiB", "s"
    target: Optional[tuple[str, float]]  # (">=" | "<=", bound on the ratio), None: reported only
    target_text: str
    divisor: Optional[float] = None      # ratio = ours / divisor when ref is None
    absolute_target: bool = False        # the bound applies to ours (in `unit`), not the ratio


def _rows() -> list[Row]:
    rows = [
        Row("status_py", "Status round trips, sequential keep-alive, server and client on one "
            "core — Python: ours vs official",
            "status.py_ours", "status.py_official", "value", "req/s", (">=", 5.0), "≥ 5×"),
        Row("status_cpp", "Status round trips, one core — C++ core vs `wrk -t1 -c1` (ceiling)",
            "status.cpp", "status.wrk", "value", "req/s", (">=", 0.90), "≥ 90 %"),
        Row("status_node", "Status round trips, sequential, one core — Node: ours vs fetch",
            "status.node_ours", "status.node_fetch", "value", "req/s", (">=", 1.0), "≥ 1×"),
        Row("status_py_free", "Status round trips, any core (the scheduler's placement) — "
            "Python: ours vs official", "status_free.py_ours", "status_free.py_official", "value",
            "req/s", None, "—"),
        Row("status_cpp_free", "Status round trips, any core — C++ core vs `wrk -t1 -c1`",
            "status_free.cpp", "status_free.wrk", "value", "req/s", None, "—"),
        Row("status_node_100", "Status, 100 concurrent promises — Node: ours vs fetch",
            "conc100.node_ours", "conc100.node_fetch", "value", "req/s", (">=", 1.0), "≥ 1×"),
        Row("threads_py", "Status, 8 Python threads vs 1 thread — ours (GIL released)",
            "threads8.py_ours", "threads1.py_ours", "value", "req/s", (">=", 1.5), "≥ 1.5×"),
        Row("threads_py_official", "Status, 8 Python threads vs 1 thread — official (for scale)",
            "threads8.py_official", "threads1.py_official", "value", "req/s", None, "—"),
    ]
    for cmd_key, cmd in (("exec_true", 'exec_sync("true")'), ("exec_echo", 'exec_sync("echo hi")')):
        rows += [
            Row(f"{cmd_key}_py", f"{cmd} median latency — Python: ours vs official",
                f"{cmd_key}.py_ours", f"{cmd_key}.py_official", "latency", "ms", ("<=", 0.1),
                "≤ 1/10"),
            Row(f"{cmd_key}_node", f"{cmd} median latency — Node: ours vs fetch (500 ms polls)",
                f"{cmd_key}.node_ours", f"{cmd_key}.node_fetch", "latency", "ms", ("<=", 0.1),
                "≤ 1/10"),
            Row(f"{cmd_key}_cpp", f"{cmd} median latency — C++ core vs official Python",
                f"{cmd_key}.cpp", f"{cmd_key}.py_official", "latency", "ms", ("<=", 0.1),
                "≤ 1/10"),
        ]
    rows += [
        Row("exec_floor_cpp", 'exec_sync("true") median latency — C++ core vs the exec floor '
            "(`bash -lc true` started directly inside the sandbox)", "exec_true.cpp",
            "exec_true.floor", "latency", "ms", ("<=", 1.5), "≤ 1.5×"),
        Row("exec_floor_py", 'exec_sync("true") median latency — Python (ours) vs the exec floor',
            "exec_true.py_ours", "exec_true.floor", "latency", "ms", ("<=", 1.5), "≤ 1.5×"),
        Row("files32_ceiling_cpp", "write+read 32 MiB throughput — C++ core vs the transfer "
            "ceiling (bench/ceiling/transfer_ceiling.cpp)", "files32.cpp", "files32.ceiling",
            "value", "MB/s", (">=", 0.5), "≥ 50 %"),
        Row("files32_ceiling_py", "write+read 32 MiB throughput — Python (ours) vs the transfer "
            "ceiling", "files32.py_ours", "files32.ceiling", "value", "MB/s", (">=", 0.5),
            "≥ 50 %"),
        Row("files1_ceiling_cpp", "write+read 1 MiB throughput — C++ core vs the transfer ceiling",
            "files1.cpp", "files1.ceiling", "value", "MB/s", None, "—"),
        Row("files1_ceiling_py", "write+read 1 MiB throughput — Python (ours) vs the transfer "
            "ceiling", "files1.py_ours", "files1.ceiling", "value", "MB/s", None, "—"),
        Row("files32_py", "write+read 32 MiB throughput — Python: ours vs official",
            "files32.py_ours", "files32.py_official", "value", "MB/s", (">=", 6.0), "≥ 6×"),
        Row("files32_cpp", "write+read 32 MiB throughput — C++ core vs official Python",
            "files32.cpp", "files32.py_official", "value", "MB/s", (">=", 6.0), "≥ 6×"),
        Row("files32_node", "write+read 32 MiB throughput — Node: ours vs fetch",
            "files32.node_ours", "files32.node_fetch", "value", "MB/s", (">=", 1.0), "≥ 1×"),
        Row("rss32_py", "32 MiB write+read, client peak RSS ÷ file size — Python (ours)",
            "files32.py_ours", None, "rss_delta_bytes", "MiB", ("<=", 1.5), "≤ 1.5×",
            divisor=32 * MIB),
        Row("rss32_cpp", "32 MiB write+read, client peak RSS ÷ file size — C++ core",
            "files32.cpp", None, "rss_delta_bytes", "MiB", ("<=", 1.5), "≤ 1.5×",
            divisor=32 * MIB),
        Row("rss32_node", "32 MiB write+read, client peak RSS ÷ file size — Node (ours)",
            "files32.node_ours", None, "rss_delta_bytes", "MiB", ("<=", 1.5), "≤ 1.5×",
            divisor=32 * MIB),
        Row("rss32_py_official", "32 MiB write+read, client peak RSS ÷ file size — official",
            "files32.py_official", None, "rss_delta_bytes", "MiB", None, "—", divisor=32 * MIB),
        Row("files1_py", "write+read 1 MiB throughput — Python: ours vs official",
            "files1.py_ours", "files1.py_official", "value", "MB/s", None, "—"),
        Row("files1_cpp", "write+read 1 MiB throughput — C++ core vs official Python",
            "files1.cpp", "files1.py_official", "value", "MB/s", None, "—"),
        Row("files1_node", "write+read 1 MiB throughput — Node: ours vs fetch",
            "files1.node_ours", "files1.node_fetch", "value", "MB/s", None, "—"),
        Row("eventloop_node", "Largest event-loop delay (1 ms timer) during a 32 MiB upload — "
            "Node: ours vs fetch", "eventloop.node_ours", "eventloop.node_fetch", "value", "ms",
            ("<=", 0.010), "≤ 10 ms", absolute_target=True),
        Row("aio_exec10_py", '10 concurrent `exec_sync("sleep 1")` on one asyncio loop — ours '
            "(AsyncSandbox) vs official (asyncio.to_thread)", "aio_exec10.py_ours",
            "aio_exec10.py_official", "value", "cmd/s", (">=", 1.0), "≥ 1×"),
        Row("aio_exec10_late", "10 concurrent `exec_sync(\"sleep 1\")` on one asyncio loop: "
            "largest lateness of a 5 ms timer on it — ours vs official",
            "aio_exec10.py_ours", "aio_exec10.py_official", "max_late_s", "ms",
            ("<=", 0.010), "≤ 10 ms", absolute_target=True),
        Row("aio_status200_py", "200 concurrent status calls on one asyncio loop — ours vs "
            "official (asyncio.to_thread)", "aio_status200.py_ours", "aio_status200.py_official",
            "value", "req/s", (">=", 1.0), "≥ 1×"),
        Row("aio_status200_late", "200 concurrent status calls on one asyncio loop: largest "
            "lateness of a 5 ms timer on it — ours vs official",
            "aio_status200.py_ours", "aio_status200.py_official", "max_late_s", "ms",
            ("<=", 0.010), "≤ 10 ms", absolute_target=True),
        Row("first_output_py", "A command's first `echo` → our on_stdout callback vs the official "
            "SDK's first poll showing it", "first_output.py_ours", "first_output.py_official",
            "latency", "ms", ("<=", 0.1), "≤ 1/10"),
        Row("upload_dir_py", "A directory of 200 small files — ours (upload) vs official "
            "(write_file per file)", "upload_dir200.py_ours", "upload_dir200.py_official",
            "value", "files/s", (">=", 5.0), "≥ 5×"),
        Row("import_py", "`import sockt` — ours vs official",
            "import.py_ours", "import.py_official", "value", "ms", ("<=", 1.0), "≤ 1×"),
        Row("import_node", "`require('@sockt/client')` — vs our Python import (for scale)",
            "import.node_ours", "import.py_ours", "value", "ms", None, "—"),
    ]
    return rows


ROWS = _rows()


def met(row: Row, ratio: Optional[float], ours_value: Optional[float]) -> Optional[bool]:
    if row.target is None:
        return None
    subject = ours_value if row.absolute_target else ratio
    if subject is None:
        return False
    op, bound = row.target
    compare: Callable[[float, float], bool] = (
        (lambda a, b: a >= b) if op == ">=" else (lambda a, b: a <= b))
    return compare(subject, bound)
