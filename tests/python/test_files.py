"""Files: write_file, read_file, list_files and the bytes helpers."""

from __future__ import annotations

import base64

import pytest

import sockt


def test_write_read_text(sandbox: sockt.Sandbox) -> None:
    r = sandbox.write_file("app.py", "print('hello ✓')")
    assert r["path"] == "/home/sandbox/app.py"
    assert r["bytes_written"] == len("print('hello ✓')".encode())
    assert sandbox.read_file("app.py") == "print('hello ✓')"
    assert sandbox.read_file("/home/sandbox/app.py") == "print('hello ✓')"
    assert sandbox.exec_sync("python3 app.py").stdout == "hello ✓\n"
    assert sandbox.read_file("app.py", max_bytes=5) == "print"


def test_create_dirs(sandbox: sockt.Sandbox) -> None:
    r = sandbox.write_file("a/b/c.txt", "deep")
    assert r["created_dirs"] is True
    with pytest.raises(sockt.APIError) as info:
        sandbox.write_file("x/y/z.txt", "no", create_dirs=False)
    assert info.value.status_code == 400


def test_base64_encoding(sandbox: sockt.Sandbox) -> None:
    blob = bytes(range(256)) * 3
    sandbox.write_file("blob.bin", base64.b64encode(blob).decode(), encoding="base64")
    assert base64.b64decode(sandbox.read_file("blob.bin", encoding="base64")) == blob
    assert sandbox.exec_sync("wc -c < blob.bin").stdout.strip() == str(len(blob))


def test_bytes_helpers(sandbox: sockt.Sandbox) -> None:
    blob = bytes(range(255, -1, -1)) * 17
    r = sandbox.write_file_bytes("bin/data.bin", blob)
    assert r["bytes_written"] == len(blob)
    assert sandbox.read_file_bytes("bin/data.bin") == blob
    assert sandbox.read_file_bytes("bin/data.bin", max_bytes=10) == blob[:10]
    sandbox.write_file_bytes("ba.bin", bytearray(b"\x00\x01"))
    assert sandbox.read_file_bytes("ba.bin") == b"\x00\x01"


def test_read_errors(sandbox: sockt.Sandbox) -> None:
    with pytest.raises(sockt.APIError) as info:
        sandbox.read_file("missing.txt")
    assert info.value.status_code == 404 and info.value.slug == "file_not_found"
    with pytest.raises(sockt.APIError) as info:
        sandbox.read_file("../../etc/passwd")
    assert info.value.status_code == 400 and info.value.slug == "bad_request"


def test_list_files(sandbox: sockt.Sandbox) -> None:
    sandbox.write_file("src/app.py", "x = 1\n")
    sandbox.write_file("src/pkg/mod.py", "y = 2\n")
    top = sandbox.list_files()
    names = [e.name for e in top]
    assert names == sorted(names)
    assert {".bashrc", ".profile", "src"} <= set(names)
    src = next(e for e in top if e.name == "src")
    assert isinstance(src, sockt.FileEntry) and src.is_dir and not src.is_file
    assert isinstance(src.mod_ts, int) and src.mod_ts > 1_600_000_000
    inner = sandbox.list_files("src")
    assert [e.name for e in inner] == ["app.py", "pkg"]
    assert inner[0].size == 6 and inner[0].is_file
    deep = [e.name for e in sandbox.list_files("src", recursive=True)]
    assert deep == ["app.py", "pkg", "pkg/mod.py"]
    shallow = [e.name for e in sandbox.list_files("src", recursive=True, max_depth=1)]
    assert shallow == ["app.py", "pkg"]
    with pytest.raises(sockt.APIError):
        sandbox.list_files("src/app.py")
