"""Files and folders: upload a local directory, run something on it, download the results.

    python examples/python/transfers.py
"""

from __future__ import annotations

import asyncio
import tempfile
from pathlib import Path

from sockt import AsyncComputeClient, ComputeClient, TransferProgress


def show(progress: TransferProgress) -> None:
    print(f"  {progress.files_done}/{progress.files_total} files, "
          f"{progress.bytes_done}/{progress.bytes_total} bytes")


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        project = Path(tmp) / "project"
        (project / "data").mkdir(parents=True)
        (project / "main.py").write_text(
            "import pathlib\n"
            "rows = pathlib.Path('project/data/rows.txt').read_text().split()\n"
            "pathlib.Path('results').mkdir(exist_ok=True)\n"
            "pathlib.Path('results/sum.txt').write_text(str(sum(map(int, rows))) + '\\n')\n"
        )
        (project / "data" / "rows.txt").write_text("\n".join(str(i) for i in range(1, 101)))
        (project / "data" / "blob.bin").write_bytes(bytes(range(256)) * 64)

        with ComputeClient() as client, client.create_sandbox(tier="nano") as sandbox:
            sandbox.wait_until_running()
            # /home/sandbox/project becomes a copy of the local folder (not project/project).
            sent = sandbox.upload(project, "/home/sandbox/project", on_progress=show)
            print(f"uploaded {sent.files} files, {sent.bytes} bytes")
            run = sandbox.exec_sync("python3 project/main.py")
            assert run.exit_code == 0, run.stderr
            got = sandbox.download("results", Path(tmp) / "results")
            total = (Path(tmp) / "results" / "sum.txt").read_text()
            print(f"downloaded {got.files} file: sum = {total}", end="")

            async def fetch_again() -> int:
                async with AsyncComputeClient() as aclient:
                    box = await aclient.get_sandbox(sandbox.id)
                    result = await box.download("project/data", Path(tmp) / "data-copy")
                    return result.bytes

            print(f"async download of the data folder: {asyncio.run(fetch_again())} bytes")


if __name__ == "__main__":
    main()
