"""Measured reasons for rows that miss their target (profiles and fixes: bench/FINDINGS.md).

Keyed by row id (benchlib/rows.py). Each text says what the profile showed and what would close
the gap; it is printed under the table only when the row misses in that run. The figures are those
of the tree after the F1–F6, S1–S7, N1–N2 and P1–P4 changes (FINDINGS.md, "State on 2026-11-24").
"""

EXPLANATIONS: dict[str, str] = {
    "exec_echo_py": (
        "the official SDK's exec_sync is bimodal in this tree: it polls once right after the "
        "exec, and `sockt serve` answers a poll that finds output of a running command only "
        "after waiting up to 50 ms for its exit (docs/protocol.md §4.3 coalescing), so about "
        "half of its `echo hi` calls end after 12–48 ms and the rest after ≈ 510–550 ms (trials "
        "of 2026-12-07); when the median falls in the fast half, 1/10 of it (≈ 4 ms) is below "
        "the exec floor itself (`bash -lc` start, ≈ 4–8 ms here). `true` has no output, so "
        "that row still compares with the 500 ms poll."
    ),
    "exec_echo_node": "as for Python: the reference's median is bimodal (see the Python row).",
    "exec_echo_cpp": "as for Python: the reference's median is bimodal (see the Python row).",
    "upload_dir_py": (
        "both sides are bound by the server's durable write per file: fsync of the file and of "
        "its directory after the rename, ≈ 1.15 ms per fsync on this VM's disk (`strace -c` of "
        "`sockt serve` over both uploads: 814 fsyncs, 0.94 s; create ≈ 0.4 ms), i.e. ≈ 2.5–3 ms "
        "of disk wait per file. Ours sends 8 files at a time, but the journal commits them "
        "nearly one after the other, so it gains only ≈ 1.7× over the official SDK's one file "
        "at a time. What would close it: group the fsyncs of concurrent writes (one syncfs or "
        "one directory fsync per batch) in server/files, which changes when a write is durable."
    ),
    "status_py": (
        "per status call our package uses ≈ 70 µs of client CPU against the official SDK's "
        "≈ 375 µs, and `sockt serve` plus the loopback add ≈ 60–70 µs of wall time to both round "
        "trips (3.47× and 3.49× in the runs of 2026-11-24 04:10–04:21 UTC). Of our 70 µs the "
        "kernel's send/poll/recv take ≈ 25 µs, the core's JSON ≈ 9 µs (the DOM behind `raw`), and "
        "building the two Python dicts (fields and `raw`) ≈ 6 µs. What would add margin: parse "
        "the answer once into Python objects instead of a nlohmann DOM converted afterwards."
    ),
    "status_cpp": (
        "the core spends ≈ 40 µs of client CPU per call with 3 syscalls (sendto, poll, "
        "recvfrom; F7) against wrk's ≈ 17 µs, and since S7 `sockt serve` needs only ≈ 60–68 µs, "
        "so the client difference weighs more than before (0.71×–0.89× across the runs of "
        "2026-11-24 after S7; wrk alone swings between 8,700 and 13,900 req/s on this VM). The "
        "core's user time is mostly the JSON of the answer (nlohmann parse ≈ 6.5 µs, fields "
        "≈ 2 µs) and the response head (≈ 2 µs). What would add margin: a leaner status parse "
        "(the DOM exists only because `SandboxStatus::raw` exposes it)."
    ),
    "threads_py": (
        "the 2 cores are shared by the 8 client threads and `sockt serve`: one thread already "
        "keeps about one core busy (client ≈ 80 µs + server ≈ 80 µs CPU per status call), so "
        "scaling stops near 2–3× and follows the other load on the machine. The GIL is not the "
        "limit: the native call runs without it."
    ),
    "files32_py": (
        "both sides share the server: making `sockt serve` ≈ 6× cheaper on large bodies "
        "(S1–S6) also took the official SDK from ≈ 30 to ≈ 66–70 MB/s. Our round trip is "
        "≈ 0.30 s (write ≈ 0.19 s, read ≈ 0.12 s) against the official ≈ 1.0 s. In the write the "
        "server's own work after the last byte arrives (decoding 43 MB of base64, then 32 MiB "
        "copied into the page cache: copy_folio_from_iter 24 % of its profile) is the largest "
        "part; decoding the content while the body arrives would overlap it with the transfer."
    ),
    "files32_cpp": (
        "server-bound as for Python: the write's decode and page-cache copy in `sockt serve` "
        "happen after the transfer and make up most of the 0.19 s write; the core's own CPU is "
        "≈ 0.18 s for the whole round trip (F3, F5)."
    ),
    "files32_node": (
        "server-bound as for Python; the addon stages uploads above 1 MiB into native memory "
        "1 MiB per event-loop turn (N1), which adds ≈ 20–30 ms of JS-thread time per 32 MiB."
    ),
    "rss32_py": (
        "read: the 45 MB answer body and the 32 MiB result are alive together while decoding; "
        "write: the caller's bytes and one 256 KiB slice (F5)."
    ),
    "rss32_cpp": (
        "read: the 45 MB answer body and the 32 MiB result are alive together while decoding "
        "(F3); write: the caller's bytes and one 256 KiB slice (F5)."
    ),
    "rss32_node": (
        "as for C++, plus the native staging copy of the upload (N1): a detached or resized "
        "ArrayBuffer can free its memory under a worker, so it cannot be read in place."
    ),
    "eventloop_node": (
        "uploads above 1 MiB are copied to native memory 1 MiB per event-loop turn (N1); a turn "
        "can still be late when the machine is loaded (see the control line under the table)."
    ),
    "first_output_py": (
        "ours is the server's long-poll batch window: after a poll's first new output `sockt "
        "serve` waits 50 ms more for further output before answering (docs/protocol.md §4.4, "
        "server/runtime/execution.cpp kBatchWindow), so the callback comes ≈ 50 ms after the "
        "echo; the client's own part is ≈ 0.5 ms. The official SDK's first poll comes 0.5 s after "
        "the exec, ≈ 0.49 s after this command's first echo: 50/495 ≈ 0.10. What would close it: "
        "a shorter batch window for a poll's first output (the window only saves requests for "
        "chatty commands)."
    ),
    "aio_status200_late": (
        "every round starts 200 calls at once, and asyncio runs the first step of all 200 tasks "
        "(create a future, start the native call: ≈ 5–10 µs each) in one loop iteration; the "
        "results come back in 1 ms slices. The rest is the machine: the loop thread shares 2 "
        "cores with two I/O threads and `sockt serve` (see the control line for the idle loop). "
        "Ours also moves 3–4× more calls per second through the loop than the reference."
    ),
    "aio_exec10_late": (
        "the same causes as for 200 status calls, with far fewer results: the loop thread shares "
        "2 cores with `sockt serve` and the sandbox's commands."
    ),
}
