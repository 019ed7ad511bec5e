"""Threads run in parallel: every network wait releases the GIL."""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor

from sockt import ComputeClient, ExecResult, Sandbox


def run(sandbox: Sandbox, n: int) -> ExecResult:
    return sandbox.exec_sync(f"sleep 1; echo task {n}")


def main() -> None:
    with ComputeClient() as client, client.create_sandbox(tier="nano") as sandbox:
        sandbox.wait_until_running()
        start = time.monotonic()
        with ThreadPoolExecutor(max_workers=4) as pool:
            results = list(pool.map(lambda n: run(sandbox, n), range(4)))
        for r in results:
            print(r.stdout, end="")
        print(f"4 one-second commands took {time.monotonic() - start:.1f} s")


if __name__ == "__main__":
    main()
