"""upload / download of local files and trees, blocking and asyncio: the
destination is the copy, binary content is exact, several files move at once, progress is
reported, and mode bits and empty directories travel where the protocol allows."""

from __future__ import annotations

import asyncio
import os
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest

import sockt
from conftest import Server, start_server, stop_server


def make_tree(root: Path) -> dict[str, bytes]:
    files = {
        "a.txt": b"alpha\n",
        "sub/b.bin": bytes(range(256)) * 1000,
        "sub/deeper/c.txt": "é ü ✓\n".encode(),
        "with space.txt": b"",
    }
    for rel, data in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        path.chmod(0o644)
    for d in [root, root / "sub", root / "sub" / "deeper"]:
        d.chmod(0o755)  # what a write creates anyway: no mode command needed on any server
    return files


def tree_of(root: Path) -> dict[str, bytes]:
    return {
        p.relative_to(root).as_posix(): p.read_bytes() for p in root.rglob("*") if p.is_file()
    }


def test_directory_round_trip(sandbox: sockt.Sandbox, tmp_path: Path) -> None:
    files = make_tree(tmp_path / "src")
    progress: list[sockt.TransferProgress] = []
    up = sandbox.upload(tmp_path / "src", "/home/sandbox/up", on_progress=progress.append)
    assert up == sockt.TransferResult(files=4, directories=3, bytes=sum(map(len, files.values())))
    # up/<files of src>, never up/src/…
    names = {e.name for e in sandbox.list_files("up", recursive=True)}
    assert names == {
        "a.txt", "sub", "sub/b.bin", "sub/deeper", "sub/deeper/c.txt", "with space.txt"
    }
    assert sandbox.read_file_bytes("up/sub/b.bin") == files["sub/b.bin"]
    assert progress[-1] == sockt.TransferProgress(up.bytes, up.bytes, 4, 4)
    assert all(a.bytes_done <= b.bytes_done for a, b in zip(progress, progress[1:]))

    down = sandbox.download("up", tmp_path / "back")
    assert down.files == 4
    assert tree_of(tmp_path / "back") == files


def test_single_file_both_ways_is_binary_exact(sandbox: sockt.Sandbox, tmp_path: Path) -> None:
    data = os.urandom(3 * 1024 * 1024 + 1)
    (tmp_path / "blob").write_bytes(data)
    (tmp_path / "blob").chmod(0o644)
    result = sandbox.upload(str(tmp_path / "blob"), "data/blob.bin")
    assert (result.files, result.bytes, result.directories) == (1, len(data), 0)
    assert sandbox.read_file_bytes("data/blob.bin") == data
    got = sandbox.download("data/blob.bin", tmp_path / "copy")
    assert got.bytes == len(data)
    assert (tmp_path / "copy").read_bytes() == data


def test_many_files_move_in_parallel(
    server: Server, sandbox: sockt.Sandbox, tmp_path: Path
) -> None:
    src = tmp_path / "many"
    src.mkdir()
    src.chmod(0o755)
    for i in range(60):
        (src / f"f{i:02}.txt").write_text(f"file {i}\n")
        (src / f"f{i:02}.txt").chmod(0o644)
    with server.client() as client:
        box = client.get_sandbox(sandbox.id)
        opened = client._native.connections_opened
        assert box.upload(src, "many", concurrency=8).files == 60
        # Sequential requests would reuse one keep-alive connection.
        assert client._native.connections_opened - opened > 1
    assert len(sandbox.list_files("many")) == 60


def test_errors_name_the_problem(sandbox: sockt.Sandbox, tmp_path: Path) -> None:
    with pytest.raises(sockt.InvalidArgumentError, match="no such local file"):
        sandbox.upload(tmp_path / "missing", "x")
    with pytest.raises(sockt.APIError) as missing:
        sandbox.download("does/not/exist", tmp_path / "out")
    assert missing.value.status_code == 404
    assert not (tmp_path / "out").exists()


def test_a_raising_progress_callback_stops_the_transfer(
    sandbox: sockt.Sandbox, tmp_path: Path
) -> None:
    make_tree(tmp_path / "src")

    def stop(progress: sockt.TransferProgress) -> None:
        raise KeyError("enough")

    with pytest.raises(KeyError, match="enough"):
        sandbox.upload(tmp_path / "src", "stopped", on_progress=stop)


def test_async_round_trip_with_progress_on_the_loop(
    server: Server, sandbox: sockt.Sandbox, tmp_path: Path
) -> None:
    files = make_tree(tmp_path / "src")

    async def main() -> None:
        async with sockt.AsyncComputeClient(api_key=server.api_key, base_url=server.url) as client:
            box = await client.get_sandbox(sandbox.id)
            loop_progress: list[sockt.TransferProgress] = []
            up = await box.upload(tmp_path / "src", "aup", on_progress=loop_progress.append)
            assert up.files == 4 and loop_progress[-1].files_done == 4
            down = await box.download("aup", tmp_path / "aback", concurrency=2)
            assert down.bytes == up.bytes

            def stop(progress: sockt.TransferProgress) -> None:
                raise KeyError("async enough")

            with pytest.raises(KeyError, match="async enough"):
                await box.upload(tmp_path / "src", "astopped", on_progress=stop)

    asyncio.run(main())
    assert tree_of(tmp_path / "aback") == files


@pytest.fixture(scope="module")
def plain_server() -> Iterator[Server]:
    # Without isolation: a root-run server under bubblewrap leaves files written through the API
    # to the host's root, so the sandbox user could not chmod them or create directories in them,
    # and the mode step would fail for a reason of the server's, not of the transfer.
    srv = start_server("--isolation", "none")
    yield srv
    stop_server(srv)


def test_modes_and_empty_directories_travel(plain_server: Server, tmp_path: Path) -> None:
    src = tmp_path / "src"
    (src / "bin").mkdir(parents=True)
    (src / "empty" / "inner").mkdir(parents=True)
    (src / "bin" / "tool").write_text("#!/bin/sh\necho tool-ran\n")
    (src / "bin" / "tool").chmod(0o755)
    (src / "secret").write_text("s")
    (src / "secret").chmod(0o600)
    src.chmod(0o750)
    with plain_server.client() as client:
        box = client.create_sandbox(tier="nano")
        try:
            box.wait_until_running(timeout=30, poll_interval=0.1)
            box.upload(src, "up")
            r = box.exec_sync("up/bin/tool && stat -c '%a %n' up up/secret up/empty/inner")
            assert r.stdout == "tool-ran\n750 up\n600 up/secret\n755 up/empty/inner\n", r.stderr
            box.download("up", tmp_path / "back")
            back = tmp_path / "back"
            assert stat.S_IMODE((back / "bin" / "tool").stat().st_mode) == 0o755
            assert stat.S_IMODE((back / "secret").stat().st_mode) == 0o600
            assert stat.S_IMODE(back.stat().st_mode) == 0o750
            assert (back / "empty" / "inner").is_dir()
        finally:
            box.terminate()
