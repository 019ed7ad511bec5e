"""A sandbox is a safe place for untrusted code (docs/protocol.md §8, §11.4).

Every test probes from inside a real sandbox of a real `sockt serve` and checks what the host
sees. They need bubblewrap isolation; the ones about host uids, cgroups and the network also need
the server to run as root (as CI does) or a user-mode network stack, and say so when they skip.
"""

from __future__ import annotations

import ctypes
import json
import os
import socket
import stat
import subprocess
import threading
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

import sockt

from conftest import Server

ROOT = os.geteuid() == 0


def health(server: Server) -> dict[str, Any]:
    status, body = server.admin("GET", "/local/v1/health")
    assert status == 200
    assert isinstance(body, dict)
    return body


@pytest.fixture
def box(server: Server, sandbox: sockt.Sandbox) -> sockt.Sandbox:
    if health(server)["isolation"] != "bwrap":
        pytest.skip("bubblewrap cannot create sandboxes on this machine (isolation: none)")
    return sandbox


def run(sb: sockt.Sandbox, command: str, timeout_ms: int = 60000) -> sockt.ExecResult:
    result = sb.exec(command, timeout_ms=timeout_ms).wait(timeout=timeout_ms / 1000 + 30)
    assert result.status in ("completed", "failed"), result
    return result


def sandbox_host_pids(sandbox_id: str) -> list[int]:
    """Host pids of processes started for this sandbox (they carry SOCKT_SANDBOX_ID, §4.1)."""
    marker = f"SOCKT_SANDBOX_ID={sandbox_id}".encode()
    pids = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            if marker in (entry / "environ").read_bytes().split(b"\0"):
                pids.append(int(entry.name))
        except OSError:
            continue
    return pids


def host_uids(pid: int) -> list[int]:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("Uid:"):
            return [int(x) for x in line.split()[1:]]
    raise AssertionError(f"no Uid line for {pid}")


def wait_for(predicate: Any, timeout: float = 10.0) -> Any:
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value or time.monotonic() > deadline:
            return value
        time.sleep(0.05)


# ---- who runs the code, and what of the host it sees ------------------------------------------


def test_code_runs_as_sandbox_user_never_host_root(box: sockt.Sandbox) -> None:
    r = run(box, "id -u; id -g; whoami; echo $HOME")
    assert r.stdout.split() == ["1000", "1000", "sandbox", "/home/sandbox"]
    if not ROOT:
        pytest.skip("the server is not root: sandboxes run as the server's own user")
    execution = box.exec("sleep 30", timeout_ms=60000)
    try:
        pids = wait_for(lambda: [p for p in sandbox_host_pids(box.id) if b"sleep" in
                                 Path(f"/proc/{p}/cmdline").read_bytes()])
        assert pids, "the command's process was not found on the host"
        for pid in pids:
            uids = host_uids(pid)
            assert 0 not in uids, uids
            assert all(u == uids[0] for u in uids)
    finally:
        box.exec_cancel(execution.execution_id)


def test_host_files_are_not_visible(box: sockt.Sandbox, server: Server) -> None:
    r = run(
        box,
        "ls -A /; echo ---; ls -A /etc; echo ---; ls -A /home; echo ---;"
        f" for p in /etc/shadow /etc/ssh /root /srv /opt /mnt /var/lib /var/log /run/systemd"
        f" '{server.data_dir}' '{server.data_dir}/state.json'; do"
        "   [ -e \"$p\" ] && echo \"VISIBLE $p\"; done; echo end",
    )
    top, etc, home, rest = r.stdout.split("---\n")
    assert set(top.split()) <= {"bin", "sbin", "lib", "lib32", "lib64", "libx32", "usr", "etc",
                                "home", "tmp", "var", "run", "dev", "proc"}, top
    assert "shadow" not in etc.split() and "ssh" not in etc.split() and "sudoers" not in etc.split()
    assert {"passwd", "group", "hosts", "resolv.conf"} <= set(etc.split())
    assert home.split() == ["sandbox"]
    assert "VISIBLE" not in rest and rest.strip() == "end", rest


def test_root_filesystem_is_read_only_and_tmp_is_private(
    box: sockt.Sandbox, client: sockt.ComputeClient
) -> None:
    r = run(box, "touch /etc/x /usr/x /x /bin/x 2>&1; echo mine > /tmp/t; cat /tmp/t")
    assert r.stdout.count("Read-only file system") == 4, r.stdout
    assert r.stdout.endswith("mine\n")
    other = client.create_sandbox(tier="nano")
    try:
        other.wait_until_running(timeout=30, poll_interval=0.1)
        assert run(other, "cat /tmp/t 2>&1 || true").stdout.endswith("No such file or directory\n")
    finally:
        other.terminate()


def test_setuid_bits_give_nothing(box: sockt.Sandbox, server: Server) -> None:
    r = run(box, "cp /bin/bash ~/r && chmod 4755 ~/r && ~/r -p -c 'id -u; id -un'")
    assert r.stdout.split() == ["1000", "sandbox"], r
    planted = Path(server.data_dir) / "sandboxes" / box.id / "home" / "r"
    st = planted.stat()
    assert st.st_mode & stat.S_ISUID  # the bit is kept …
    if ROOT:
        assert st.st_uid != 0 and st.st_gid != 0  # … on a file no host user with rights owns


def test_python_and_pip_resolve(box: sockt.Sandbox) -> None:
    r = run(box, "python --version && pip --version && python -c 'print(6*7)'")
    assert r.exit_code == 0, r.stderr
    assert r.stdout.startswith("Python 3.")
    assert r.stdout.endswith("42\n")


def test_a_command_starting_with_a_dash_is_a_command(box: sockt.Sandbox) -> None:
    r = run(box, "--version")
    assert r.exit_code == 127
    assert "--version: command not found" in r.stderr


# ---- network ----------------------------------------------------------------------------------


@pytest.fixture
def listeners() -> Iterator[dict[str, Any]]:
    """A TCP listener on every host address, a 0666 unix socket, an abstract unix socket."""
    tcp = socket.socket()
    tcp.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    tcp.bind(("0.0.0.0", 0))
    tcp.listen(16)
    path = f"/tmp/sockt-probe-{os.getpid()}.sock"
    unix = socket.socket(socket.AF_UNIX)
    unix.bind(path)
    os.chmod(path, 0o666)
    unix.listen(4)
    abstract = socket.socket(socket.AF_UNIX)
    name = f"sockt-probe-{os.getpid()}"
    abstract.bind("\0" + name)
    abstract.listen(4)
    accepted: list[str] = []

    def accept(sock: socket.socket, label: str) -> None:
        while True:
            try:
                conn, _ = sock.accept()
            except OSError:
                return
            accepted.append(label)
            conn.close()

    for sock, label in ((tcp, "tcp"), (unix, "unix"), (abstract, "abstract")):
        threading.Thread(target=accept, args=(sock, label), daemon=True).start()
    shown = subprocess.run(["ip", "-4", "-o", "addr"], capture_output=True, text=True).stdout
    addrs = sorted({line.split()[3].split("/")[0] for line in shown.splitlines()} | {"127.0.0.1"})
    yield {"port": tcp.getsockname()[1], "path": path, "abstract": name, "addrs": addrs,
           "accepted": accepted}
    for sock in (tcp, unix, abstract):
        sock.close()
    os.unlink(path)


PROBE = r"""
import json, socket, sys
args = json.loads(sys.argv[1])
out = {}
def attempt(key, family, target):
    s = socket.socket(family)
    s.settimeout(3)
    try:
        s.connect(target)
        out[key] = "connected"
    except Exception as e:
        out[key] = type(e).__name__
    finally:
        s.close()
for host in args["hosts"]:
    for port in args["ports"]:
        attempt(f"{host}:{port}", socket.AF_INET, (host, port))
attempt("unix", socket.AF_UNIX, args["path"])
attempt("abstract", socket.AF_UNIX, "\0" + args["abstract"])
print(json.dumps(out))
"""


def test_host_sockets_and_loopback_are_unreachable(
    box: sockt.Sandbox, server: Server, listeners: dict[str, Any]
) -> None:
    server_port = int(server.url.rsplit(":", 1)[1])
    hosts = [*listeners["addrs"], "10.0.2.2", "169.254.169.254"]
    args = {"hosts": hosts, "ports": [listeners["port"], server_port],
            "path": listeners["path"], "abstract": listeners["abstract"]}
    box.write_file("probe.py", PROBE)
    r = run(box, f"python3 probe.py '{json.dumps(args)}'")
    assert r.exit_code == 0, r.stderr
    seen = json.loads(r.stdout)
    assert "connected" not in seen.values(), seen
    assert listeners["accepted"] == []
    # The admin routes stay loopback-only and unauthenticated for local tools (§11.3).
    assert health(server)["ok"] is True


def test_outbound_network_reaches_the_internet(box: sockt.Sandbox, server: Server) -> None:
    if health(server)["network"] != "slirp4netns":
        pytest.skip("no user-mode network stack here: sandboxes have no network")
    try:
        urllib.request.urlopen("https://pypi.org/simple/", timeout=10).close()
    except OSError:
        pytest.skip("this host itself cannot reach pypi.org")
    r = run(box, "python3 -c \"import urllib.request as u;"
                 " print(u.urlopen('https://pypi.org/simple/six/', timeout=20).status)\"")
    assert r.stdout == "200\n", r.stderr
    r = run(box, "pip download --no-deps --quiet -d /tmp/dl six && ls /tmp/dl", timeout_ms=120000)
    assert r.exit_code == 0 and ".whl" in r.stdout, r.stderr


def test_health_names_the_isolation_it_applies(server: Server) -> None:
    h = health(server)
    assert h["isolation"] in ("bwrap", "none")
    assert h["limits"] in ("cgroup-v2", "cgroup-v1", "rlimit")
    if h["isolation"] == "bwrap":
        assert h["network"] in ("slirp4netns", "none")
        if h["network"] == "none":
            assert any("sandboxes have no network" in line for line in server.stderr_lines)
    else:
        assert h["network"] == "shared"
    if ROOT and Path("/sys/fs/cgroup/memory/cgroup.procs").exists():
        assert h["limits"].startswith("cgroup")


# ---- limits (nano: 512 MiB, 256 tasks, half a core; runtime/tier_limits.hpp) --------------------


def test_memory_overrun_kills_the_command_not_the_sandbox(
    box: sockt.Sandbox, server: Server, client: sockt.ComputeClient
) -> None:
    neighbour = client.create_sandbox(tier="nano")
    try:
        neighbour.wait_until_running(timeout=30, poll_interval=0.1)
        background = neighbour.exec("sleep 60; echo survived", timeout_ms=120000)
        r = run(box, "python3 -c 'b = bytearray(700 * 1024 * 1024); print(len(b))'")
        if health(server)["limits"] == "rlimit":
            assert r.exit_code != 0 and "MemoryError" in r.stderr
        else:
            assert r.exit_code == 137, r
        assert run(box, "echo alive").stdout == "alive\n"
        assert neighbour.exec_result(background.execution_id).status == "running"
        assert health(server)["ok"] is True
        neighbour.exec_cancel(background.execution_id)
    finally:
        neighbour.terminate()


FORK_PROBE = r"""
import errno, os, sys, time
children = []
try:
    for _ in range(2000):
        pid = os.fork()
        if pid == 0:
            time.sleep(20)
            os._exit(0)
        children.append(pid)
    print("forked", len(children))
except OSError as e:
    print("stopped", len(children), errno.errorcode[e.errno])
for pid in children:
    os.kill(pid, 9)
for pid in children:
    os.waitpid(pid, 0)
"""


def test_process_count_is_limited(box: sockt.Sandbox, server: Server) -> None:
    if health(server)["limits"] == "rlimit" and not ROOT:
        pytest.skip("rlimits without a uid per sandbox cannot cap processes")
    box.write_file("fork.py", FORK_PROBE)
    r = run(box, "python3 fork.py")
    word, count, *rest = r.stdout.split()
    assert word == "stopped" and rest == ["EAGAIN"], r.stdout
    assert 100 < int(count) < 1024
    assert run(box, "echo alive").stdout == "alive\n"


def test_cpu_is_limited(box: sockt.Sandbox, server: Server) -> None:
    if health(server)["limits"] == "rlimit":
        pytest.skip("rlimits cannot cap a CPU share")
    r = run(box, "python3 -c \"import time\n"
                 "t = time.time(); c = time.process_time()\n"
                 "while time.time() - t < 3: pass\n"
                 "print(round((time.process_time() - c) / (time.time() - t), 2))\"")
    assert float(r.stdout) <= 0.7, r.stdout  # nano: half a core


# ---- the agent and the kernel's sharper edges ---------------------------------------------------


def test_the_agent_is_out_of_reach(box: sockt.Sandbox) -> None:
    if not ROOT:
        pytest.skip("the server is not root: the agent shares the sandbox user's uid")
    r = run(box, "ps -eo pid=,uid=,args= ; echo ---;"
                 " for p in 1 2; do kill -9 $p 2>&1; kill -STOP $p 2>&1; done;"
                 " cat /proc/2/environ >/dev/null 2>&1 || echo noenv;"
                 " python3 -c 'import ctypes; l = ctypes.CDLL(None, use_errno=True);"
                 " print(\"ptrace\", l.ptrace(16, 2, 0, 0), ctypes.get_errno())'")
    ps, probes = r.stdout.split("---\n")
    agent = [line for line in ps.splitlines()
             if "__sandbox-agent" in line and "bwrap" not in line.split()[2]]
    assert len(agent) == 1 and agent[0].split()[:2] == ["2", "100"], ps
    assert probes.count("Operation not permitted") == 4, probes
    assert "noenv" in probes
    assert "ptrace -1 1" in probes  # EPERM
    assert run(box, "echo still serving").stdout == "still serving\n"
    execution = box.exec("sleep 30", timeout_ms=60000)
    try:
        users = wait_for(lambda: [p for p in sandbox_host_pids(box.id)
                                  if Path(f"/proc/{p}/cmdline").read_bytes().startswith(b"sleep")])
        assert users
        agent = int(Path(f"/proc/{users[0]}/stat").read_text().rsplit(")", 1)[1].split()[1])
        assert b"__sandbox-agent" in Path(f"/proc/{agent}/cmdline").read_bytes()
        agent_uid = host_uids(agent)[0]
        assert agent_uid != 0
        assert all(host_uids(p)[0] not in (0, agent_uid) for p in users)
    finally:
        box.exec_cancel(execution.execution_id)


SYSCALL_PROBE = r"""
import ctypes, os
libc = ctypes.CDLL(None, use_errno=True)
nr = {"keyctl": 250, "add_key": 248, "perf_event_open": 298, "bpf": 321,
      "io_uring_setup": 425, "unshare": 272, "mount": 165, "ptrace": 101}
args = {"unshare": (0x10000000,), "mount": (b"none", b"/tmp", b"tmpfs", 0, None)}
for name, number in nr.items():
    rc = libc.syscall(number, *args.get(name, (0, 0, 0, 0)))
    print(name, rc, ctypes.get_errno())
print(open("/proc/self/status").read().split("Seccomp:")[1].split()[0])
"""


def test_seccomp_denies_the_dangerous_syscalls(box: sockt.Sandbox) -> None:
    if os.uname().machine != "x86_64":
        pytest.skip("the probe uses x86_64 syscall numbers")
    box.write_file("sys.py", SYSCALL_PROBE)
    lines = run(box, "python3 sys.py").stdout.splitlines()
    assert lines[-1] == "2"  # a filter is installed
    for line in lines[:-1]:
        name, rc, err = line.split()
        assert rc == "-1" and err == "1", line  # EPERM
    r = run(box, "unshare -U true 2>&1; echo rc=$?")
    assert r.stdout.endswith("rc=1\n")
