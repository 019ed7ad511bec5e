"""Measured reasons for rows that miss their target (profiles and fixes: bench/FINDINGS.md).

Keyed by row id (benchlib/rows.py). Each text says what the profile showed and what would close
the gap; it is printed under the table only when the row misses in that run. The figures are those
of the tree after the F1–F5, S1–S6, N1–N2 and P1–P3 changes (FINDINGS.md, "State on 2026-11-24").
"""

EXPLANATIONS: dict[str, str] = {
    "status_py": (
        "the row sits on the target: per status call our package uses 72–87 µs of client CPU "
        "(process CPU over 10,000+ calls, start-up included) against the official SDK's "
        "440–510 µs (≈ 5.7× less), but `sockt serve` and the loopback add ≈ 75–85 µs of wall "
        "time to both round trips, so the wall ratio was 2.92×, 2.99× and 3.40× in the three "
        "runs of 2026-11-24. What is left in our client is spread thin (perf: kernel send/recv/"
        "poll and wake-ups 40 %, libpython 20 %, no user frame above 4 %; the Ctrl-C check "
        "hook < 1.5 %). What would close it with margin: ≈ 10 µs less per call in our client — "
        "parse the status answer straight into SandboxStatus instead of a nlohmann DOM that is "
        "then copied into the status cache and converted again into the `raw` dict (≈ 8–10 µs "
        "together). A faster server status path would also lift it, but lower the C++ ratio "
        "against wrk, which shares the same server time."
    ),
    "status_cpp": (
        "the row sits on the target: after F1/F2 the core spends 47–54 µs of client CPU per "
        "call with 4 syscalls (poll ×2, sendto, recvfrom) against wrk's ~17 µs, and "
        "`sockt serve` ≈ 75–85 µs for both; wrk itself swings between 8,700 and 11,800 req/s "
        "within a run, so the ratio was 0.68×–0.78× across runs. The rest of the core's time is "
        "nlohmann's DOM parse of the answer, SandboxStatus::fromJson and the status cache copy "
        "(≈ 8–10 µs)."
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
}
