"""`sockt files write|read|ls` (docs/protocol.md §10.11)."""
import base64
import json
import os
import re
import subprocess

from conftest import SOCKT


def test_write_from_stdin_then_read(sockt, sandbox):
    r = sockt("files", "write", sandbox, "/home/sandbox/greeting.txt", input=b"Hello World\n")
    assert (r.code, r.out, r.err) == (0, "", "Written /home/sandbox/greeting.txt (12 bytes)\n")
    r = sockt("files", "read", sandbox, "greeting.txt")
    assert (r.code, r.out, r.err) == (0, "Hello World\n", "")
    r = sockt("files", "read", sandbox, "greeting.txt", "--max-bytes", "5")
    assert r.out == "Hello"


def test_write_from_file_and_errors(sockt, sandbox, tmp_path):
    local = tmp_path / "app.py"
    local.write_bytes(b"print('hello')")
    r = sockt("files", "write", sandbox, "/home/sandbox/src/app.py", "-f", str(local))
    assert (r.code, r.err) == (0, "Written /home/sandbox/src/app.py (14 bytes)\n")
    assert sockt("exec", sandbox, "python3 src/app.py").out == "hello\n"
    r = sockt("files", "write", sandbox, "x", "--file", str(tmp_path / "missing"))
    assert r.code == 1
    assert r.err == f"Error: read local file: open {tmp_path / 'missing'}: no such file or directory\n"
    r = sockt("files", "read", sandbox, "/home/sandbox/nope.txt")
    assert r.code == 1 and r.err.startswith('Error: API error (404): {"code":"file_not_found"')
    r = sockt("files", "read", sandbox, "../etc/passwd")
    assert r.code == 1 and r.err.startswith('Error: API error (400): {"code":"bad_request"')


def test_binary_round_trip_through_base64(server, sockt, sandbox, tmp_path):
    data = os.urandom(300_000) + bytes(range(256))
    src = tmp_path / "blob.bin"
    src.write_bytes(data)
    # Exactly the README's pipelines.
    p = subprocess.run(["bash", "-c", f'base64 "{src}" | "{SOCKT}" files write {sandbox} '
                                      f'/home/sandbox/blob.bin --encoding base64'],
                       capture_output=True, env=server.env(), timeout=120)
    assert p.returncode == 0, p.stderr
    b64_len = len(base64.encodebytes(data))  # wrapped like coreutils base64
    assert p.stderr.decode() == f"Written /home/sandbox/blob.bin ({b64_len} bytes)\n"
    p = subprocess.run(["bash", "-c", f'"{SOCKT}" files read {sandbox} /home/sandbox/blob.bin '
                                      f'--encoding base64 | base64 -d > "{tmp_path}/back.bin"'],
                       capture_output=True, env=server.env(), timeout=120)
    assert p.returncode == 0, p.stderr
    assert (tmp_path / "back.bin").read_bytes() == data
    assert sockt("exec", sandbox, "wc -c < blob.bin").out.strip() == str(len(data))


def test_ls_layout(sockt, sandbox):
    sockt("files", "write", sandbox, "/home/sandbox/app.py", input=b"x" * 1523)
    sockt("files", "write", sandbox, "/home/sandbox/src/deep/m.py", input=b"y" * 89)
    r = sockt("files", "ls", sandbox)
    assert r.code == 0, r
    lines = r.out.splitlines()
    assert "TYPE" not in r.out
    names = [l.split()[-1] for l in lines]
    assert names == sorted(names) and {".bashrc", ".profile", "app.py", "src"} <= set(names)
    # Column layout: widest size + 2 spaces, type column 3 wide.
    width = max(len(l.split()[1]) for l in lines)
    for l in lines:
        kind, size, name = l.split()
        assert l == f"{kind}  {size.ljust(width)}  {name}"
    assert f"-  {'1523'.ljust(width)}  app.py" in lines
    assert any(l.startswith("d  ") and l.endswith("  src") for l in lines)
    r = sockt("files", "ls", "-r", sandbox)
    assert any(l.endswith("  src/deep/m.py") for l in r.out.splitlines())
    r = sockt("files", "ls", "--recursive", "--max-depth", "1", sandbox)
    assert not any("src/deep" in l for l in r.out.splitlines())
    r = sockt("files", "ls", sandbox, "src")
    assert [l.split()[-1] for l in r.out.splitlines()] == ["deep"]
    r = sockt("files", "ls", sandbox, "--json")
    assert json.loads(r.out)["total_entries"] == len(lines)


def test_ls_missing_directory(sockt, sandbox):
    r = sockt("files", "ls", sandbox, "/home/sandbox/none")
    assert r.code == 1 and r.err.startswith('Error: API error (404): {"code":"file_not_found"')
