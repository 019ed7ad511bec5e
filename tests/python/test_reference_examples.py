"""Every example of the official SDK reference and of the API overview, run against `sockt serve`,
adapted only in the server address (SOCKT_API_URL in the environment, the `env` fixture) and the
key (the server's own instead of the placeholder "sockt_live_..."). Where an example needs the
internet, root, a program the sandbox lacks or a file it never wrote, that step is replaced by a
local one of the same shape, said so in a comment at the place."""

from __future__ import annotations

import base64
import os
import threading
import time
from pathlib import Path

import pytest

import sockt
from conftest import Server
from sockt import (
    AuthenticationError,
    ComputeClient,
    NoCapacityError,
    RateLimitedError,
    SandboxNotRunningError,
    SocktError,
)


def test_quick_start(env: Server, capsys: pytest.CaptureFixture[str]) -> None:
    client = ComputeClient(api_key=env.api_key)
    sandbox = client.create_sandbox(tier="nano")
    sandbox.wait_until_running()
    result = sandbox.exec_sync("echo hello")
    print(result.stdout)  # "hello\n"
    sandbox.terminate()
    client.close()
    assert capsys.readouterr().out == "hello\n\n"


def test_authentication_examples(env: Server) -> None:
    client = ComputeClient(api_key=env.api_key)
    # Lightning: a real sandbox token and id stand in for "sbx_abc123" / "sandbox-id-here".
    ln = client.create_sandbox(tier="nano", billing_method="lightning", prepaid_sats=100)
    token, sandbox_id = ln.sandbox_token, ln.id
    assert token is not None
    client2 = ComputeClient(sandbox_token=token)
    sandbox = client2.get_sandbox(sandbox_id)
    assert sandbox.status == "awaiting_payment"
    # Environment: `export SOCKT_API_KEY=…; export SOCKT_API_URL=…` (the env fixture did it).
    client3 = ComputeClient()  # reads from env automatically
    assert client3.base_url == env.url
    ln.terminate()
    for c in (client, client2, client3):
        c.close()


def test_list_tiers_example(env: Server) -> None:
    client = ComputeClient()
    tiers: list[sockt.Tier] = client.list_tiers()
    assert all(isinstance(t, sockt.Tier) for t in tiers)
    client.close()


def test_create_sandbox_examples(env: Server, capsys: pytest.CaptureFixture[str]) -> None:
    client = ComputeClient()
    sandbox = client.create_sandbox(tier="small")
    sandbox.terminate()
    sandbox = client.create_sandbox(
        tier="nano",
        billing_method="lightning",
        prepaid_sats=5000
    )
    assert sandbox.pending_invoice is not None
    print(sandbox.pending_invoice.bolt11)  # Pay this invoice
    assert capsys.readouterr().out.startswith("lnbc50u1")
    sandbox.terminate()
    with ComputeClient(api_key=env.api_key) as client:
        sandbox = client.create_sandbox(tier="nano")
        # client.close() called automatically
        sandbox.terminate()
    assert client.closed


def test_exec_sync_example(env: Server, capsys: pytest.CaptureFixture[str]) -> None:
    with ComputeClient() as client:
        sandbox = client.create_sandbox(tier="nano")
        sandbox.wait_until_running()
        # Local stand-in for "pip install requests" (no internet) and for `python` (the sandbox
        # has python3): same shape, an install step chained with running app.py.
        sandbox.write_file("app.py", "print('app ran')")
        result = sandbox.exec_sync("python3 -m pip --version >/dev/null && python3 app.py")
        print(result.stdout)
        print(f"Exit code: {result.exit_code}")
        sandbox.terminate()
    assert capsys.readouterr().out == "app ran\n\nExit code: 0\n"


def test_write_file_examples(env: Server, tmp_path: Path) -> None:
    with ComputeClient() as client:
        sandbox = client.create_sandbox(tier="nano")
        sandbox.wait_until_running()
        sandbox.write_file("app.py", "print('hello')")
        # image.png is a local file the example never wrote: make one of the same kind.
        png = bytes([137, 80, 78, 71, 13, 10, 26, 10]) + os.urandom(256)
        (tmp_path / "image.png").write_bytes(png)
        with open(tmp_path / "image.png", "rb") as f:
            b64 = base64.b64encode(f.read()).decode()
        sandbox.write_file("image.png", b64, encoding="base64")
        assert sandbox.read_file_bytes("image.png") == png
        assert sandbox.exec_sync("python3 app.py").stdout == "hello\n"
        sandbox.terminate()


def test_on_invoice_example(env: Server, capsys: pytest.CaptureFixture[str]) -> None:
    with ComputeClient() as client:
        sandbox = client.create_sandbox(tier="nano", billing_method="lightning", prepaid_sats=100)

        def on_invoice(invoice: sockt.PendingInvoice) -> None:
            print(f"Pay this invoice: {invoice.bolt11}")
            print(f"Amount: {invoice.amount_msats} msats")
            print(f"Expires: {invoice.expires_at}")

        sandbox.on("pending_invoice", on_invoice)
        sandbox.refresh_status()
        out = capsys.readouterr().out
        assert "Pay this invoice: lnbc" in out and "Amount: 100000 msats" in out
        sandbox.terminate()


def test_shell_context_example(env: Server, capsys: pytest.CaptureFixture[str]) -> None:
    with ComputeClient() as client:
        sandbox = client.create_sandbox(tier="nano")
        sandbox.wait_until_running()
        with sandbox.shell() as sh:
            sh.send_line("ls -la")
            frame = sh.recv()
            print(frame["data"])
        assert capsys.readouterr().out.strip() != ""
        sandbox.terminate()


def test_basic_workflow(env: Server, capsys: pytest.CaptureFixture[str]) -> None:
    with ComputeClient(api_key=env.api_key) as client:
        sandbox = client.create_sandbox(tier="small")
        sandbox.wait_until_running()

        # `python` → `python3`: the sandbox (Debian) has no `python` command.
        result = sandbox.exec_sync("python3 --version")
        print(result.stdout)

        sandbox.write_file("hello.py", 'print("Hello from Sockt!")')
        result = sandbox.exec_sync("python3 hello.py")
        print(result.stdout)

        entries = sandbox.list_files()
        for entry in entries:
            print(f"{'d' if entry.is_dir else '-'} {entry.size:>8} {entry.name}")

        sandbox.terminate()
    out = capsys.readouterr().out
    assert out.startswith("Python 3.")
    assert "Hello from Sockt!\n" in out
    assert "hello.py" in out and ".bashrc" in out


def test_lightning_billing_example(env: Server, capsys: pytest.CaptureFixture[str]) -> None:
    client = ComputeClient()
    sandbox = client.create_sandbox(
        tier="nano",
        billing_method="lightning",
        prepaid_sats=3000
    )
    assert sandbox.pending_invoice is not None
    print(f"Pay this invoice to start: {sandbox.pending_invoice.bolt11}")
    print(f"Amount: {sandbox.pending_invoice.amount_msats} msats")

    def on_invoice(invoice: sockt.PendingInvoice) -> None:
        print(f"\nNew invoice! Pay to continue: {invoice.bolt11}")

    sandbox.on("pending_invoice", on_invoice)
    # The user pays the invoice with their wallet: the local server's pay route stands in.
    env.pay(sandbox.pending_invoice.payment_hash)
    sandbox.wait_until_running(timeout=300)
    result = sandbox.exec_sync("echo 'Paid with Lightning!'")
    print(result.stdout)
    sandbox.terminate(lightning_address="user@getalby.com")
    client.close()
    out = capsys.readouterr().out
    assert "Amount: 3000000 msats" in out and "Paid with Lightning!\n" in out


def test_multi_step_example(env: Server, capsys: pytest.CaptureFixture[str]) -> None:
    with ComputeClient() as client:
        sandbox = client.create_sandbox(tier="nano")
        sandbox.wait_until_running()
        # apt-get (root + internet) and curl to GitHub (internet) are replaced by local steps of
        # the same shape: a preparation step, a tool check, and a pipeline producing a number.
        commands = [
            "mkdir -p cache && echo updated > cache/state",
            "command -v grep && command -v sed",
            "echo '{\"stargazers_count\": 61000}' | sed 's/[^0-9]//g'",
        ]
        for cmd in commands:
            result = sandbox.exec_sync(cmd, timeout_ms=60000)
            if result.exit_code != 0:
                print(f"Command failed: {result.stderr}")
                break
            print(result.stdout)
        sandbox.terminate()
    out = capsys.readouterr().out
    assert "Command failed" not in out and "61000\n" in out


def test_file_upload_download_example(env: Server, tmp_path: Path,
                                      monkeypatch: pytest.MonkeyPatch,
                                      capsys: pytest.CaptureFixture[str]) -> None:
    # main.py and requirements.txt are local files the example never wrote: create them.
    monkeypatch.chdir(tmp_path)
    Path("main.py").write_text(
        "import json, os\nos.makedirs('results', exist_ok=True)\n"
        "json.dump({'ok': True}, open('results/output.json', 'w'))\n")
    Path("requirements.txt").write_text("requests\n")
    with ComputeClient() as client:
        sandbox = client.create_sandbox(tier="nano")
        sandbox.wait_until_running()
        files = {
            "main.py": open("main.py").read(),
            "requirements.txt": open("requirements.txt").read(),
            "config.json": '{"debug": true, "port": 8080}',
        }
        for path, content in files.items():
            sandbox.write_file(path, content)
        # results/output.json is produced by running main.py (the example assumes it exists).
        assert sandbox.exec_sync("python3 main.py").exit_code == 0
        output = sandbox.read_file("results/output.json")
        print(output)
        sandbox.terminate()
    assert capsys.readouterr().out == '{"ok": true}\n'


def test_binary_files_example(env: Server, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    model = os.urandom(4096)
    Path("model.bin").write_bytes(model)  # the local file the example uploads
    with ComputeClient() as client:
        sandbox = client.create_sandbox(tier="nano")
        sandbox.wait_until_running()
        with open("model.bin", "rb") as f:
            encoded = base64.b64encode(f.read()).decode()
        sandbox.write_file("model.bin", encoded, encoding="base64")
        # output.png is produced in the sandbox first (the example assumes a program made it).
        sandbox.exec_sync("cp model.bin output.png")
        b64_content = sandbox.read_file("output.png", encoding="base64")
        with open("output.png", "wb") as f:
            f.write(base64.b64decode(b64_content))
        sandbox.terminate()
    assert Path("output.png").read_bytes() == model


def test_interactive_shell_example(env: Server, capsys: pytest.CaptureFixture[str]) -> None:
    with ComputeClient() as client:
        sandbox = client.create_sandbox(tier="nano")
        sandbox.wait_until_running()
        with sandbox.shell() as sh:
            sh.send_line("cd /tmp && mkdir myproject")
            frame = sh.recv(timeout=5.0)
            print(frame.get("data", ""))

            sh.send_line("echo $PWD")
            frame = sh.recv(timeout=5.0)
            print(frame.get("data", ""))

            sh.resize(cols=120, rows=40)
            sh.send_line("for i in 1 2 3; do echo $i; sleep 1; done")
            for _ in range(3):
                frame = sh.recv(timeout=5.0)
                print(frame.get("data", ""), end="")
        sandbox.terminate()
    assert capsys.readouterr().out != ""


def test_event_handling_example(env: Server, capsys: pytest.CaptureFixture[str]) -> None:
    client = ComputeClient()
    sandbox = client.create_sandbox(
        tier="nano",
        billing_method="lightning",
        prepaid_sats=1000
    )

    def on_invoice(invoice: sockt.PendingInvoice) -> None:
        print(f"Invoice: {invoice.bolt11}")
        print(f"  Amount: {invoice.amount_msats} msats")
        print(f"  Expires: {invoice.expires_at}")

    def on_low_balance(data: object) -> None:
        print("Balance running low!")

    def on_out_of_balance(data: object) -> None:
        print("Out of balance — sandbox will pause")

    sandbox.on("pending_invoice", on_invoice)
    sandbox.on("low_balance", on_low_balance)
    sandbox.on("out_of_balance", on_out_of_balance)
    # The user pays the invoice with a wallet while the script waits: a timer calling the local
    # pay route stands in.
    invoice = sandbox.pending_invoice
    assert invoice is not None
    payer = threading.Timer(0.5, env.pay, args=(invoice.payment_hash,))
    payer.start()
    sandbox.wait_until_running()
    payer.join()
    # "long-running-job" is a placeholder: a local job of the same kind.
    result = sandbox.exec_sync("sleep 1; echo job done")
    assert result.stdout == "job done\n"
    sandbox.terminate()
    client.close()
    assert "Invoice: lnbc" in capsys.readouterr().out


def test_error_handling_examples(env: Server, capsys: pytest.CaptureFixture[str]) -> None:
    try:
        client = ComputeClient(api_key=env.api_key)
        sandbox = client.create_sandbox(tier="gpu-small")
    except AuthenticationError:
        print("Invalid API key")
    except NoCapacityError:
        print("No GPU pods available, try again later")
    except RateLimitedError:
        print("Too many requests, slow down")
    except SocktError as e:
        print(f"API error ({e.status_code}): {e.message}")
    sandbox.terminate()
    client.close()
    # The same handler with an invalid key takes the AuthenticationError branch.
    try:
        client = ComputeClient(api_key="sockt_live_invalid")
        sandbox = client.create_sandbox(tier="gpu-small")
    except AuthenticationError:
        print("Invalid API key")
    except SocktError as e:
        print(f"API error ({e.status_code}): {e.message}")
    assert capsys.readouterr().out == "Invalid API key\n"


def test_retry_example(env: Server, capsys: pytest.CaptureFixture[str]) -> None:
    client = ComputeClient(api_key=env.api_key)

    for attempt in range(3):
        try:
            sandbox = client.create_sandbox(tier="gpu-small")
            break
        except NoCapacityError:
            if attempt == 2:
                raise
            time.sleep(5 * (attempt + 1))

    try:
        sandbox.wait_until_running(timeout=180)
    except SandboxNotRunningError as e:
        print(f"Sandbox failed to start: {e.message}")
        sandbox.terminate()
        raise

    result = sandbox.exec_sync("might-fail-command")
    if result.exit_code != 0:
        print(f"Command failed with exit code {result.exit_code}")
        print(f"stderr: {result.stderr}")
    sandbox.terminate()
    client.close()
    out = capsys.readouterr().out
    assert "Command failed with exit code 127" in out and "not found" in out


def run_in_sandbox(api_key: str, command: str, tier: str = "nano") -> str:
    with ComputeClient(api_key=api_key) as client:
        sandbox = client.create_sandbox(tier=tier)
        try:
            sandbox.wait_until_running()
            result = sandbox.exec_sync(command)
            return result.stdout
        finally:
            sandbox.terminate()


def test_context_manager_pattern(env: Server) -> None:
    assert run_in_sandbox(env.api_key, "echo pattern") == "pattern\n"


def test_api_overview_example(env: Server, capsys: pytest.CaptureFixture[str]) -> None:
    client = ComputeClient(api_key=os.environ["SOCKT_API_KEY"])

    sandbox = client.create_sandbox(tier="micro", billing_method="credits")
    # The overview runs eval.py without creating it, and with `python`: write a local eval.py
    # first and use python3. Like the overview, nothing waits for the sandbox to boot.
    sandbox.write_file("eval.py", "import sys\nprint('evaluated', sys.argv[2])\n")

    result = sandbox.exec("python3 eval.py --dataset cifar10")
    print(result.stdout)

    sandbox.terminate()
    client.close()
    assert capsys.readouterr().out == "evaluated cifar10\n\n"
