"""`sockt sandbox …`, the --wait algorithm, pre-checks and `local pay|credit`
(docs/protocol.md §10.5-§10.8, §10.14)."""
import json
import re
import subprocess

from conftest import SOCKT

WAIT_RE = re.compile(r"^Waiting for sandbox to start\.\.\.\.* running\. Waiting for data plane\.\.\.\.* ready!\n$")
UUID = r"[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}"


def test_create_wait_captures_only_the_id(server, sockt):
    # Exactly what scripts do: ID=$(sockt sandbox create --wait)
    proc = subprocess.run(["bash", "-c", f'ID=$("{SOCKT}" sandbox create --wait); printf "%s" "$ID"'],
                          capture_output=True, env=server.env(), timeout=120)
    assert proc.returncode == 0, proc
    sid = proc.stdout.decode()
    assert re.fullmatch(UUID, sid), sid
    assert WAIT_RE.match(proc.stderr.decode()), proc.stderr
    assert sockt("sandbox", "terminate", sid).code == 0


def test_create_without_wait_prints_the_id(sockt):
    r = sockt("sandbox", "create", "--tier", "small", "--label", "e2e")
    assert r.code == 0, r
    assert re.fullmatch(UUID + "\n", r.out)
    assert r.err == ""
    sid = r.out.strip()
    st = json.loads(sockt("sandbox", "status", sid, "--json").out)
    assert st["tier"] == "small" and st["label"] == "e2e"
    sockt("sandbox", "terminate", sid)


def test_create_invalid_tier_is_an_api_error(sockt):
    r = sockt("sandbox", "create", "--tier", "huge")
    assert r.code == 1
    assert r.out == ""
    assert r.err.startswith('Error: API error (400): {"code":"invalid_params"'), r.err


def test_status_layout_credits(sockt, sandbox):
    r = sockt("sandbox", "status", sandbox)
    assert r.code == 0, r
    assert r.out == (f"ID:       {sandbox}\nStatus:   running\nTier:     nano\n"
                     f"Runtime:  local\nBilling:  credits\n")


def test_lifecycle_and_prechecks(sockt, sandbox):
    sid = sandbox
    r = sockt("sandbox", "pause", sid)
    assert (r.code, r.out, r.err) == (0, f"Sandbox {sid} paused\n", "")
    paused = f"Error: sandbox {sid} is paused; run: sockt sandbox resume {sid}\n"
    for args in (["exec", sid, "true"], ["files", "ls", sid], ["files", "read", sid, "x"],
                 ["shell", sid]):
        r = sockt(*args)
        assert (r.code, r.out, r.err) == (1, "", paused), (args, r)
    r = sockt("files", "write", sid, "x", input=b"data")
    assert (r.code, r.err) == (1, paused)
    r = sockt("sandbox", "resume", sid)
    assert (r.code, r.out) == (0, f"Sandbox {sid} resumed\n")
    assert sockt("exec", sid, "true").code == 0
    r = sockt("sandbox", "terminate", sid)
    assert (r.code, r.out) == (0, f"Sandbox {sid} terminated\n")
    r = sockt("exec", sid, "true")
    assert (r.code, r.out, r.err) == (1, "", f"Error: sandbox {sid} is terminated\n")
    r = sockt("sandbox", "pause", sid)
    assert r.code == 1 and r.err.startswith('Error: API error (410): {"code":"sandbox_terminated"')
    r = sockt("sandbox", "status", sid)
    assert "Status:   terminated\n" in r.out


def test_lightning_create_pay_and_use(sockt, server):
    r = sockt("sandbox", "create", "--billing", "lightning", "--prepaid-sats", "5000",
              env={"SOCKT_API_KEY": None})
    assert r.code == 0, r
    sid = r.out.strip()
    assert re.fullmatch(UUID, sid)
    m = re.fullmatch(r"Sandbox token: (sbx_[0-9a-f]{32})\nPayment required\. Invoice:\n(lnbc50u1[a-z0-9]+)\n",
                     r.err)
    assert m, r.err
    token, bolt11 = m.group(1), m.group(2)
    tok = {"SOCKT_API_KEY": None, "SOCKT_SANDBOX_TOKEN": token}
    r = sockt("exec", sid, "true", env=tok)
    assert (r.code, r.err) == (1, f"Error: sandbox {sid} is awaiting payment; pay the invoice "
                                  f"from create output, then poll status\n")
    r = sockt("local", "pay", bolt11, env={"SOCKT_API_KEY": None})
    assert (r.code, r.out) == (0, f"Invoice paid: 5000 sats for sandbox {sid}\n"), r
    # The token also works through --token, and the wait loop reaches running.
    r = sockt("--token", token, "exec", sid, "echo", "paid", env={"SOCKT_API_KEY": None})
    for _ in range(50):
        if r.code == 0:
            break
        r = sockt("--token", token, "exec", sid, "echo", "paid", env={"SOCKT_API_KEY": None})
    assert (r.code, r.out) == (0, "paid\n"), r
    r = sockt("sandbox", "status", sid, env=tok)
    lines = r.out.splitlines()
    assert lines[0] == f"ID:              {sid}"
    assert lines[1:6] == ["Status:          running", "Tier:            nano", "Runtime:         local",
                          "Billing:         lightning", "Rate:            0.50 sats/sec"]
    assert re.fullmatch(r"Time remaining:  \d+s", lines[6])
    assert lines[7] == "Warning:         ok"
    assert sockt("sandbox", "terminate", sid, env=tok).code == 0


def test_lightning_create_with_wait_after_payment(sockt, server):
    # --wait keeps polling awaiting_payment; pay from another process meanwhile.
    proc = subprocess.Popen([SOCKT, "sandbox", "create", "--billing", "lightning", "--wait"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            env=server.env(SOCKT_API_KEY=None))
    err = b""
    # The invoice line may arrive in the same read as the "Waiting…" text that follows it.
    while not re.search(rb"lnbc[a-z0-9]+\n", err):
        chunk = proc.stderr.read1(4096)
        assert chunk, err
        err += chunk
    bolt11 = re.search(rb"(lnbc[a-z0-9]+)\n", err).group(1).decode()
    assert sockt("local", "pay", bolt11).code == 0
    out, rest = proc.communicate(timeout=120)
    assert proc.returncode == 0, (err + rest)
    sid = out.decode().strip()
    assert re.fullmatch(UUID, sid)
    assert b" running. Waiting for data plane..." in err + rest
    assert (err + rest).endswith(b" ready!\n")
    token = re.search(rb"Sandbox token: (sbx_[0-9a-f]+)", err).group(1).decode()
    sockt("sandbox", "terminate", sid, env={"SOCKT_SANDBOX_TOKEN": token})


def test_local_pay_unknown_invoice(sockt):
    r = sockt("local", "pay", "0" * 64)
    assert r.code == 1
    assert r.err.startswith('Error: API error (404): {"code":"not_found"'), r.err


def test_local_credit(sockt):
    r = sockt("local", "credit", "250")
    assert r.code == 0, r
    assert re.fullmatch(r"Balance: \d+ cents\n", r.out)
    r = sockt("local", "credit", "abc")
    assert r.code == 1 and r.err.startswith("Error: invalid cents")


def test_json_output_of_lifecycle(sockt, sandbox):
    r = sockt("sandbox", "pause", sandbox, "--json")
    assert json.loads(r.out) == {"sandbox_id": sandbox, "status": "paused"}
    r = sockt("--json", "sandbox", "resume", sandbox)
    assert json.loads(r.out)["status"] == "running"
