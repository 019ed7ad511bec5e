"""`sockt serve`'s MCP endpoint through the official MCP Python SDK client (`pip install mcp`,
installed by run.sh): every tool of seed 002, `sandbox_exec` waiting for its command and
`sandbox_extend_balance` (docs/protocol.md §9.3)."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Awaitable, Callable
from typing import Any

from mcp import Client
from mcp.client.streamable_http import streamable_http_client
from mcp.shared._httpx_utils import create_mcp_http_client

from conftest import Server

SEED_002_TOOLS = [
    "sandbox_list_tiers", "sandbox_create", "sandbox_status", "sandbox_exec",
    "sandbox_exec_result", "sandbox_exec_cancel", "sandbox_write_file", "sandbox_read_file",
    "sandbox_list_files", "sandbox_pause", "sandbox_resume", "sandbox_terminate",
    "sandbox_extend_balance",
]

# The example tools/list entry of docs/protocol.md §9.3, verbatim.
SANDBOX_EXEC = {
    "name": "sandbox_exec",
    "description": "Run a shell command inside a sandbox. Returns stdout, stderr and exit code (or, "
                   "if it is still running when the wait ends, the execution ID to poll).",
    "inputSchema": {"type": "object", "properties": {
        "sandbox_id": {"type": "string", "description": "Sandbox ID"},
        "command": {"type": "string", "description": "Shell command, run with /bin/bash -lc"},
        "working_dir": {"type": "string",
                        "description": "Working directory, relative to /home/sandbox"},
        "timeout_ms": {"type": "integer", "minimum": 0, "default": 30000,
                       "description": "0 = no timeout"},
        "wait_ms": {"type": "integer", "minimum": 0, "maximum": 300000, "default": 30000,
                    "description": "How long to wait for the command; 0 = return the execution "
                                   "ID at once"},
        "sandbox_token": {"type": "string", "description": "Sandbox token (Lightning)"}},
        "required": ["sandbox_id", "command"]},
}

Call = Callable[..., Awaitable[tuple[bool, dict[str, Any]]]]


def keys(answer: dict[str, Any]) -> list[str]:
    """The answer's keys in the order the server sent them (json.loads keeps it)."""
    return list(answer)


def with_mcp(server: Server, body: Callable[[Call, Client], Awaitable[None]]) -> None:
    """Runs `body(call, client)` with a connected official client sending the API key."""

    async def main() -> None:
        http = create_mcp_http_client(headers={"Authorization": f"Bearer {server.api_key}"})
        async with http, Client(streamable_http_client(server.url + "/v1/mcp",
                                                       http_client=http)) as client:

            async def call(name: str, **arguments: Any) -> tuple[bool, dict[str, Any]]:
                result = await client.call_tool(name, arguments)
                text = result.content[0].text  # type: ignore[union-attr]
                answer = json.loads(text)
                assert isinstance(answer, dict)
                return result.is_error, answer

            await body(call, client)

    asyncio.run(main())


def test_tools_and_schemas(server: Server) -> None:
    async def body(call: Call, client: Client) -> None:
        listed = await client.list_tools()
        tools = {t.name: t for t in listed.tools}
        assert set(SEED_002_TOOLS) <= set(tools)
        assert "sandbox_run" in tools  # kept as an alias
        exec_tool = tools["sandbox_exec"]
        assert exec_tool.description == SANDBOX_EXEC["description"]
        assert exec_tool.input_schema == SANDBOX_EXEC["inputSchema"]
        extend = tools["sandbox_extend_balance"]
        assert extend.description == "Add more sats or credits to a running sandbox."
        schema = extend.input_schema
        assert schema["required"] == ["sandbox_id"]
        assert set(schema["properties"]) == {"sandbox_id", "cents", "sats", "sandbox_token"}
        assert schema["properties"]["cents"]["type"] == "integer"
        assert schema["properties"]["cents"]["minimum"] == 1
        assert schema["properties"]["sats"]["minimum"] == 1
        for prop in schema["properties"].values():
            assert prop["description"]

    with_mcp(server, body)


def test_sandbox_exec_waits_and_returns_the_output(server: Server) -> None:
    async def body(call: Call, client: Client) -> None:
        err, created = await call("sandbox_create", tier="nano")
        assert not err, created
        sid = created["sandbox_id"]
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            _, status = await call("sandbox_status", sandbox_id=sid)
            if status["status"] == "running":
                break
            await asyncio.sleep(0.05)
        try:
            err, ran = await call("sandbox_exec", sandbox_id=sid,
                                  command="echo out; echo err >&2; exit 3")
            assert not err, ran
            assert keys(ran) == ["execution_id", "status", "stdout", "stderr", "exit_code", "error"]
            result = ran
            assert result["execution_id"].startswith("exec_")
            assert (result["status"], result["stdout"], result["stderr"]) == (
                "completed", "out\n", "err\n")
            assert (result["exit_code"], result["error"]) == (3, None)

            # wait_ms 0: the bare asynchronous answer of §2.7.
            err, bare = await call("sandbox_exec", sandbox_id=sid, command="echo later",
                                   wait_ms=0)
            assert not err and bare["status"] == "running" and "next_step" in bare

            # A wait that ends first: status running, the id to continue with.
            err, early = await call("sandbox_exec", sandbox_id=sid,
                                    command="echo first; sleep 2; echo second", wait_ms=500)
            assert not err and early["status"] == "running"
            assert early["stdout"] == "first\n"
            rest = ""
            while True:
                _, polled = await call("sandbox_exec_result", execution_id=early["execution_id"],
                                       wait_ms=5000)
                rest += "".join(c["chunk"] for c in polled["output"] if c["stream"] == "stdout")
                if polled["status"] != "running":
                    break
            assert rest == "second\n"

            err, alias = await call("sandbox_run", sandbox_id=sid, command="echo alias")
            assert not err and alias["stdout"] == "alias\n"

            err, bad = await call("sandbox_exec", sandbox_id=sid, command="true",
                                  wait_ms=300001)
            assert err and bad["code"] == "invalid_params" and bad["http_status"] == 400
        finally:
            await call("sandbox_terminate", sandbox_id=sid)
        err, gone = await call("sandbox_exec", sandbox_id=sid, command="true")
        assert err and gone["http_status"] == 410

    with_mcp(server, body)


def test_extend_balance_of_a_credits_sandbox(server: Server) -> None:
    async def body(call: Call, client: Client) -> None:
        err, created = await call("sandbox_create", tier="nano", initial_credits_cents=10)
        assert not err, created
        sid = created["sandbox_id"]
        try:
            err, extended = await call("sandbox_extend_balance", sandbox_id=sid, cents=5)
            assert not err, extended
            assert keys(extended) == ["sandbox_id", "reserved_cents", "key_balance_cents"]
            assert extended["sandbox_id"] == sid
            assert extended["reserved_cents"] in (14, 15)  # 10 + 5, less what ran since
            _, status = await call("sandbox_status", sandbox_id=sid)
            assert status["prepaid_balance_subcents"] > 10 * 100_000

            err, poor = await call("sandbox_extend_balance", sandbox_id=sid,
                                   cents=extended["key_balance_cents"] + 1)
            assert err and poor["code"] == "insufficient_credits"
            assert poor["http_status"] == 402
            for wrong in ({"sats": 10}, {"cents": 1, "sats": 1}, {}, {"cents": 0}):
                err, refused = await call("sandbox_extend_balance", sandbox_id=sid, **wrong)
                assert err and refused["code"] == "invalid_params", wrong
        finally:
            await call("sandbox_terminate", sandbox_id=sid)
        err, late = await call("sandbox_extend_balance", sandbox_id=sid, cents=1)
        assert err and late["code"] == "sandbox_terminated"

    with_mcp(server, body)


def test_extend_balance_of_a_lightning_sandbox(server: Server) -> None:
    async def body(call: Call, client: Client) -> None:
        err, created = await call("sandbox_create", billing_method="lightning", prepaid_sats=1000)
        assert not err, created
        sid, token = created["sandbox_id"], created["sandbox_token"]
        try:
            # Awaiting payment is no obstacle; the sandbox token alone is enough.
            err, invoice = await call("sandbox_extend_balance", sandbox_id=sid, sats=2000,
                                      sandbox_token=token)
            assert not err, invoice
            assert keys(invoice) == ["sandbox_id", "bolt11", "payment_hash", "amount_msats",
                                     "expires_at"]
            assert invoice["amount_msats"] == 2_000_000
            assert invoice["bolt11"].startswith("lnbc20u1")
            _, status = await call("sandbox_status", sandbox_id=sid)
            assert status["pending_invoice"]["payment_hash"] == invoice["payment_hash"]
            server.pay(invoice["payment_hash"])
            server.pay(created["payment_hash"])  # the create invoice starts it
            deadline = time.monotonic() + 30
            balance = 0
            while time.monotonic() < deadline:
                _, status = await call("sandbox_status", sandbox_id=sid)
                balance = status["prepaid_balance_msats"] or 0
                if status["status"] == "running":
                    break
                await asyncio.sleep(0.05)
            assert balance > 2_500_000  # both invoices, less a few seconds of running
        finally:
            await call("sandbox_terminate", sandbox_id=sid)

    with_mcp(server, body)
