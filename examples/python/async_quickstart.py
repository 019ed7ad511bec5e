"""asyncio: many commands at once on one event loop, without a thread per call.

    python examples/python/async_quickstart.py
"""

from __future__ import annotations

import asyncio
import time

from sockt import AsyncComputeClient, AsyncSandbox, ExecResult


async def task(sandbox: AsyncSandbox, n: int) -> ExecResult:
    return await sandbox.exec_sync(f"sleep 1; echo task {n}")


async def main() -> None:
    async with AsyncComputeClient() as client:  # SOCKT_API_KEY / SOCKT_API_URL from the env
        async with await client.create_sandbox(tier="nano", label="async") as sandbox:
            await sandbox.wait_until_running()
            start = time.monotonic()
            results = await asyncio.gather(*(task(sandbox, n) for n in range(8)))
            for result in results:
                print(result.stdout, end="")
            print(f"8 one-second commands took {time.monotonic() - start:.1f} s")

            # A slow call can be abandoned: cancelling the task cancels the command too.
            slow = asyncio.ensure_future(sandbox.exec_sync("sleep 60"))
            await asyncio.sleep(0.5)
            slow.cancel()
            try:
                await slow
            except asyncio.CancelledError:
                print("the 60-second command was cancelled")


if __name__ == "__main__":
    asyncio.run(main())
