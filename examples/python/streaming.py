"""Output as it arrives: callbacks on exec_sync, or iterating over an execution.

    python examples/python/streaming.py
"""

from __future__ import annotations

import asyncio
import sys

from sockt import AsyncComputeClient, ComputeClient

COMMAND = "for i in 1 2 3; do echo step $i; sleep 0.3; done; echo done >&2"


def blocking() -> None:
    with ComputeClient() as client, client.create_sandbox(tier="nano") as sandbox:
        sandbox.wait_until_running()
        result = sandbox.exec_sync(
            COMMAND,
            on_stdout=lambda text: print("out:", text, end=""),
            on_stderr=lambda text: print("err:", text, end="", file=sys.stderr),
        )
        print(f"exit code {result.exit_code}")

        script = "import time\nfor i in range(3): print(i); time.sleep(0.2)"
        execution = sandbox.exec(f"python3 -u -c '{script}'")
        for chunk in execution:  # each chunk as soon as the server has it
            print(f"[{chunk.stream}] {chunk.data}", end="")
        print(f"finished with {execution.exit_code}")


async def with_asyncio() -> None:
    async with AsyncComputeClient() as client:
        async with await client.create_sandbox(tier="nano") as sandbox:
            await sandbox.wait_until_running()
            execution = await sandbox.exec(COMMAND)
            async for chunk in execution:
                print(f"async [{chunk.stream}] {chunk.data}", end="")
            print(f"async exit code {execution.result.exit_code}")


if __name__ == "__main__":
    blocking()
    asyncio.run(with_asyncio())
