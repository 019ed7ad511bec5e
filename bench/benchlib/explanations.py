"""Measured reasons for rows that miss their target (profiles and fixes: bench/FINDINGS.md).

Keyed by row id (benchlib/rows.py). Each text says what the profile showed and what would close
the gap; it is printed under the table only when the row misses in that run. The figures are those
of the tree after the B1–B5 changes (FINDINGS.md, "Ceilings and the second round"), or after
F1–F6, S1–S7, N1–N2 and P1–P4 where a text says so.
"""

EXPLANATIONS: dict[str, str] = {
    "files32_ceiling_py": (
        "as for C++, plus the binding: the bytes object is allocated once and filled while the "
        "answer's pages are released (client peak 1.43× the file)."
    ),
    "files32_ceiling_cpp": (
        "the write half waits on the disk: `sockt serve` fsyncs the file and its directory (≈ "
        "10–13 ms per 32 MiB, strace) and its 32 MiB `write(2)` into the page cache took 6–83 ms "
        "under dirty-page throttling, which the ceiling (no fsync) does not meet; `perf record "
        "-a` shows the machine 63 % idle during our transfers. The read half sends through Poco's "
        "response stream 4 KiB per `sendto(2)` (10,931 calls per 32 MiB). What would close it: "
        "send the read answer straight to the socket in server/http (as files/write bodies are "
        "now received), and fsync policy is the server's choice."
    ),
    "exec_floor_py": (
        "the medians of this row's trials spread more than the margin: 3.43, 4.03 and 4.17 ms in "
        "the 18:06 UTC run of 2026-12-07 against a floor of 2.47–2.78 ms; the same tree gave "
        "1.36× at 17:31 and 1.32× at 17:53. Over the floor, an exec pays one HTTP round trip for "
        "the start, the long poll that brings the exit, and the agent's spawn and exit reports, "
        "plus the binding's call into the core (≈ 0.1 ms)."
    ),
    "exec_floor_cpp": (
        "as for Python: over the floor an exec pays the start's HTTP round trip, the long poll "
        "that brings the exit and the agent's spawn and exit reports (the running record is no "
        "longer fsynced before the spawn, FINDINGS.md B7); the trials' medians spread by "
        "≈ 0.7 ms between trials on this VM."
    ),
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
        "both SDKs wait on the server's file creates: on this machine's ext4 (no journal) a "
        "create passes over every inode freed in the last 30 s, one by one, and the other "
        "engineers' tests free many under /tmp, so a create cost 0.3–1 ms of kernel CPU in the "
        "profiles (≈ 55 % of `sockt serve`'s CPU) and the ratio falls with it: 4.10× with cheap "
        "creates, 2.36× with dear ones, in interleaved runs at 17:15–17:19 UTC (FINDINGS.md "
        "R6); in `make bench` at 17:31 UTC ours moved 6,878 files/s with `sockt serve` spending "
        "≈ 200 µs of CPU per file on ext4 (`perf stat`), 35 % of it in the file's fsync (a "
        "device cache flush each). Ours already shares directory fsyncs between concurrent writes (1.57 fsyncs per "
        "file, the official SDK's one at a time has 2) and writes 16 files at a time; on tmpfs "
        "the ratio is 6.0×. What would close it on this disk: nothing in our code — the kernel's "
        "inode allocator is the cost."
    ),
    "status_py": (
        "with server and client on one core the row measures the CPU of a round trip on both "
        "sides: ours ≈ 34 µs (13–14 µs client, ≈ 20 µs `sockt serve`), the official SDK's ≈ 280 "
        "µs, 8.0–8.3× in the runs of 16:40 UTC (FINDINGS.md R1–R4). A miss means the machine's "
        "load reached into the pinned core (compare the free-placement row below it)."
    ),
    "status_cpp": (
        "on one core both clients pay the same kernel work per round trip (≈ 9 µs: `send` with "
        "the loopback delivery, `poll`, `recv`), and wrk's own code ≈ 1 µs against ours ≈ 3 µs "
        "(`perf`, dwarf call graphs after R2–R3): the answer parsed into a 24-member `Json` for "
        "`raw` (0.9 µs), map inserts and lookups (`memcmp`, 0.6 µs), allocation, the request and "
        "response heads. The typed model is the gap; what would close it: fill the status "
        "fields in one walk of the text and build `raw` only when asked (a change of the C++ "
        "API: `raw` is a plain member today)."
    ),
    "threads_py": (
        "8 client threads and `sockt serve` share 2 cores with the other engineers' builds (1-min "
        "load 4–6 during the runs): one thread already keeps about one core busy, so scaling "
        "follows the spare CPU (1.60× at 13:43 UTC, 1.23× at 14:01, 0.96× at 14:36). The GIL is "
        "not the limit: "
        "the native call runs without it."
    ),
    "files32_py": (
        "the write half waits for `sockt serve`'s fsync of the 32 MiB file, which this disk "
        "answers in one of two modes: in the 17:53 UTC run (2026-12-07) the Python trials' "
        "writes took 131, 51 and 128 ms and the ceiling's own 100, 100 and 37 ms, so the median "
        "trial was a slow one (371–383 against 657 MB/s). The same tree measured 6.16× at 17:31 "
        "UTC. The driver now runs five trials of this row."
    ),
    "files32_cpp": (
        "as for Python: the server changes lifted the reference too (3.58× before them; 4.4–7.1× "
        "after, met in the 14:09 UTC run), and the write waits on the disk (fsync, dirty-page "
        "throttling)."
    ),
    "files32_node": (
        "server-bound as for Python; the addon stages uploads above 1 MiB into native memory "
        "1 MiB per event-loop turn (N1), which adds ≈ 20–30 ms of JS-thread time per 32 MiB."
    ),
    "eventloop_node": (
        "uploads above 1 MiB are copied to native memory 1 MiB per event-loop turn (N1); a turn "
        "can still be late when the machine is loaded (see the control line under the table)."
    ),
    "first_output_py": (
        "ours is the server's long-poll batch window: after a poll's first new output `sockt "
        "serve` waits 10 ms more for further output before answering (docs/protocol.md §4.4, "
        "server/runtime/execution.cpp kBatchWindow), so the callback comes ≈ 10 ms after the "
        "echo; the client's own part is ≈ 0.5 ms. The official SDK's first poll comes 0.5 s after "
        "the exec, ≈ 0.49 s after this command's first echo."
    ),
    "aio_status200_late": (
        "the 200 first steps of a round now run in ≈ 0.8 ms (the calls of one loop iteration "
        "start in one hand-over to the core, results come through an eventfd, never the GIL: "
        "the asyncio work of 2026-12-07); the slowest iterations left spend under 0.1 ms of CPU "
        "and 4–10 ms waiting for a core that the loop thread shares with two I/O threads and "
        "`sockt serve` (see the control line for the idle loop). Ours also moves 3–5× more calls "
        "per second through the loop than the reference."
    ),
    "aio_exec10_late": (
        "the same causes as for 200 status calls, with far fewer results: the loop thread shares "
        "2 cores with `sockt serve` and the sandbox's commands."
    ),
}
