"""Measured reasons for rows that miss their target (profiles and fixes: bench/FINDINGS.md).

Keyed by row id (benchlib/rows.py). Each text says what the profile showed and what would close
the gap; it is printed under the table only when the row misses in that run.
"""

EXPLANATIONS: dict[str, str] = {
    "status_py": (
        "the server's share of each round trip is fixed: per status call our package uses "
        "≈ 135 µs of client CPU against the official SDK's ≈ 460 µs (3.4× less, process CPU "
        "over 9,000 calls), but `sockt serve` and the loopback add ≈ 85–90 µs to both, so wall "
        "throughput differs by 2.3–3.4× depending on the machine's load. 3× needs the client "
        "under ≈ 95 µs: the core's ≈ 90 µs (F1, F2 in FINDINGS.md) and ≈ 35 µs in the Python "
        "layer (perf: libpython 25 % of the process; P2)."
    ),
    "status_cpp": (
        "per request the core spends 60–95 µs of client CPU (user+sys over 2 s runs) against "
        "wrk's ~17 µs, while `sockt serve` needs ~85 µs either way. strace -c counts 15 syscalls "
        "per request against wrk's 3: 4 setsockopt (timeouts re-armed per request and per "
        "chunk), a FIONREAD ioctl, two Poco Socket::poll calls that each do epoll_create/ctl/"
        "wait/close (the pool's liveness check and the first-byte wait), and 4 signal-mask calls "
        "of SigpipeGuard. A prototype of FINDINGS.md F1 halves them (7 per request); the rest "
        "of the user time is spread over Poco's stream-based HTTP layer and the nlohmann DOM "
        "(no frame above 3 %). Closing the gap needs F1 plus a leaner small-response path (F2)."
    ),
    "threads_py": (
        "the 2 cores are shared by the 8 client threads and `sockt serve`: one thread already "
        "keeps about one core busy (client ~90 µs + server ~85 µs CPU per status call), so "
        "perfect scaling would stop near 2× and the result follows the other load on the "
        "machine (1.32×–2.30× across today's runs). The GIL is not the limit: cProfile shows 8 µs per "
        "call in Python code against ~170 µs in the native call that runs without the GIL. "
        "Lowering the core's per-request CPU (F1, F2) is what raises the ceiling."
    ),
    "files32_py": (
        "the server is the bottleneck: `sockt serve` alone (curl, no SDK) needs 1.0–1.2 s of "
        "CPU to accept the 32 MiB write, 38 % of it in nlohmann's "
        "lexer growing the 43 MB base64 string one push_back at a time, plus an extra copy of "
        "the content and an unreserved body buffer (FINDINGS.md S1–S4). That caps any client "
        "near 45 MB/s while the official SDK reaches ~28 MB/s, so 3× cannot be reached from "
        "the client side. Our own client CPU is also too high (F3: prototype 0.9 s → 0.27 s)."
    ),
    "files32_cpp": (
        "server-bound as for Python: `sockt serve` needs 1.0–1.2 s of CPU for the 32 MiB write "
        "alone (S1–S4). The core's own 0.9 s of CPU drops to 0.27 s with the F3 prototype "
        "(measured: 24.5 → 35 MB/s round trip)."
    ),
    "files32_node": (
        "server-bound (S1–S4): the server's ~1.5 s of CPU per 32 MiB round trip dominates both "
        "clients; the core's extra copies (F3) and the addon's JS-thread copies (N1) cost the "
        "rest."
    ),
    "rss32_py": (
        "the core holds the base64 text, a validating decode of it and the request body at once "
        "on write (≈118 MiB), and on read parses the 43 MB answer into a nlohmann DOM whose "
        "string grows by doubling; the binding adds one copy each way (P1). The F3 prototype "
        "measured 170 → 85 MiB for the C++ core."
    ),
    "rss32_cpp": (
        "write: base64 string + validating decode + request body alive together; read: the "
        "answer body plus a nlohmann DOM copy of its 43 MB string grown by push_back. The F3 "
        "prototype (encode straight into the body, decode straight out of the answer) measured "
        "170 → 85 MiB (2.66×)."
    ),
    "rss32_node": (
        "same core copies as C++ (F3) plus the addon's copy of the Uint8Array and a "
        "Buffer::Copy of the result (N1, N2)."
    ),
    "eventloop_node": (
        "SandboxWrap::writeFileBytes copies the 32 MiB Uint8Array into a std::string on the JS "
        "thread before handing the call to a worker: 20–27 ms on an idle machine, ~100 ms on a "
        "busy one (page faults of the fresh 32 MiB). A prototype that keeps a reference to the "
        "array and lets the worker read it in place (FINDINGS.md N1) measured 4–7 ms."
    ),
}
