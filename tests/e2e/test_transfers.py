"""`sockt files upload|download`: trees both ways with the destination as the
copy, exact bytes, a summary on stderr, a progress bar only on a terminal, errors in the CLI's
words, and the `files` help unchanged (the new commands are hidden there)."""
import json
import os
import pty
import select
import subprocess

from conftest import SOCKT


def make_tree(root):
    files = {"a.txt": b"alpha\n", "sub/b.bin": os.urandom(200_000), "sub/c d.txt": b"spaced\n"}
    for rel, data in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        path.chmod(0o644)
    for d in (root, root / "sub"):
        d.chmod(0o755)  # what a write leaves: no mode command needed on any server
    return files


def test_upload_then_download_a_tree(sockt, sandbox, tmp_path):
    files = make_tree(tmp_path / "src")
    r = sockt("files", "upload", sandbox, str(tmp_path / "src"), "/home/sandbox/up")
    size = sum(len(v) for v in files.values())
    assert (r.code, r.out) == (0, ""), r
    assert r.err == f"Uploaded {tmp_path / 'src'} to /home/sandbox/up (3 files, {size} bytes)\n"
    listing = sockt("--json", "files", "ls", "-r", sandbox, "up")
    names = [e["name"] for e in json.loads(listing.out)["entries"]]
    assert names == ["a.txt", "sub", "sub/b.bin", "sub/c d.txt"]  # up/<files of src>, not up/src

    r = sockt("files", "download", sandbox, "up", str(tmp_path / "back"))
    assert (r.code, r.out) == (0, ""), r
    assert r.err == f"Downloaded up to {tmp_path / 'back'} (3 files, {size} bytes)\n"
    for rel, data in files.items():
        assert (tmp_path / "back" / rel).read_bytes() == data

    r = sockt("--json", "files", "download", sandbox, "up/sub/b.bin", str(tmp_path / "one.bin"))
    assert r.code == 0 and r.err == ""
    assert json.loads(r.out) == {"files": 1, "directories": 0, "bytes": 200_000}
    assert (tmp_path / "one.bin").read_bytes() == files["sub/b.bin"]


def test_errors_are_reported_like_other_commands(sockt, sandbox, tmp_path):
    r = sockt("files", "download", sandbox, "no/such/thing", str(tmp_path / "x"))
    assert r.code == 1 and r.err.startswith('Error: API error (404): {"code":"file_not_found"')
    r = sockt("files", "upload", sandbox, str(tmp_path / "missing"), "x")
    assert r.code == 1 and r.err.startswith("Error: upload: no such local file or directory")
    r = sockt("files", "upload", sandbox, "only-two")
    assert r.code == 1 and r.err.startswith("Error: accepts 3 arg(s), received 2\n")
    r = sockt("files", "upload", "00000000-0000-4000-8000-000000000000", str(tmp_path), "x")
    assert r.code == 1 and "API error (404)" in r.err


def test_files_help_lists_only_the_official_commands(sockt):
    r = sockt("files", "--help")
    assert "upload" not in r.out and "download" not in r.out
    r = sockt("files", "upload", "--help")
    assert r.code == 0
    assert "sockt files upload [sandbox-id] [local-path] [remote-path] [flags]" in r.out


def test_progress_bar_only_on_a_terminal(server, sandbox, tmp_path):
    make_tree(tmp_path / "src")
    # stderr on a pseudo-terminal: the bar is drawn (and erased) before the summary.
    master, slave = pty.openpty()
    proc = subprocess.Popen([SOCKT, "files", "upload", sandbox, str(tmp_path / "src"), "tty-up"],
                            stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=slave,
                            env=server.env())
    os.close(slave)
    seen = b""
    while True:
        ready, _, _ = select.select([master], [], [], 60)
        if not ready:
            break
        try:
            chunk = os.read(master, 4096)
        except OSError:
            break
        if not chunk:
            break
        seen += chunk
    proc.wait(60)
    os.close(master)
    text = seen.decode("utf-8", "replace")
    assert proc.returncode == 0, text
    assert "Uploading" in text and "%" in text and "\r" in text
    assert text.rstrip().endswith("(3 files, 200013 bytes)")
