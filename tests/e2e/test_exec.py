"""`sockt exec` and `sockt exec-cancel` (docs/protocol.md §10.9, §10.10)."""
import json
import subprocess
import time
import urllib.request

from conftest import SOCKT


def test_stdout_stderr_and_exit_code(sockt, sandbox):
    r = sockt("exec", sandbox, "echo", "hello", "world")
    assert (r.code, r.out, r.err) == (0, "hello world\n", "")
    r = sockt("exec", sandbox, "echo out; echo err >&2")
    assert (r.code, r.out, r.err) == (0, "out\n", "err\n")
    r = sockt("exec", sandbox, "sh -c 'exit 3'")
    assert (r.code, r.out, r.err) == (3, "", "")
    r = sockt("exec", sandbox, "sh", "-c", "'exit 7'")
    assert r.code == 7


def test_flags_go_before_the_id_and_the_rest_is_command(sockt, sandbox):
    r = sockt("exec", "--workdir", "/tmp", sandbox, "pwd")
    # /tmp is outside the home: the server refuses it (400) after the data-plane call.
    assert r.code == 1 and "API error (400)" in r.err
    sockt("exec", sandbox, "mkdir -p /home/sandbox/proj")
    r = sockt("exec", "-d", "/home/sandbox/proj", sandbox, "basename $PWD")
    assert (r.code, r.out) == (0, "proj\n")
    r = sockt("exec", sandbox, "echo", "--workdir", "-la", "--token", "x")
    assert (r.code, r.out) == (0, "--workdir -la --token x\n")


def test_timeout_exit_124(sockt, sandbox):
    r = sockt("exec", "--timeout", "500", sandbox, "sleep 10")
    assert r.code == 124
    assert r.out == ""
    assert r.err == "Error: timeout: command exceeded 500 ms\n"


def test_output_streams_while_running(server, sandbox):
    proc = subprocess.Popen([SOCKT, "exec", sandbox, "echo first; sleep 4; echo second"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=server.env())
    first = proc.stdout.readline()
    still_running = proc.poll() is None
    rest, err = proc.communicate(timeout=60)
    assert first == b"first\n"
    assert still_running, "the first line arrived only after the command ended"
    assert rest == b"second\n" and proc.returncode == 0, err


def test_large_and_unicode_output(sockt, sandbox):
    r = sockt("exec", sandbox, "python3 -c \"import sys; sys.stdout.write('é€😀\\n' * 20000)\"")
    assert r.code == 0, r.err
    assert r.out_bytes == "é€😀\n".encode() * 20000


def test_json_result(sockt, sandbox):
    r = sockt("exec", "--json", sandbox, "echo hi; echo oops >&2; exit 4")
    assert r.code == 4
    body = json.loads(r.out)
    assert body["stdout"] == "hi\n" and body["stderr"] == "oops\n"
    assert body["exit_code"] == 4 and body["status"] == "completed"
    assert r.out.count("\n") == 1


def test_exec_cancel(server, sockt, sandbox):
    req = urllib.request.Request(
        f"{server.url}/v1/sandboxes/{sandbox}/exec", method="POST",
        data=json.dumps({"command": "sleep 60", "timeout_ms": 0}).encode(),
        headers={"Authorization": f"Bearer {server.key}", "Content-Type": "application/json"})
    eid = json.loads(urllib.request.urlopen(req).read())["execution_id"]
    r = sockt("exec-cancel", eid)
    assert (r.code, r.out, r.err) == (0, f"Execution {eid} cancelled\n", "")
    r = sockt("exec-cancel", "exec_000000000000000000000000")
    assert r.code == 1 and r.err.startswith('Error: API error (404): {"code":"not_found"')


def test_unknown_sandbox(sockt):
    r = sockt("exec", "00000000-0000-4000-8000-000000000000", "true")
    assert r.code == 1
    assert r.err.startswith('Error: API error (404): {"code":"not_found"')
