"""The documented surface of the official SDK reference: names, parameters, defaults, fields."""

from __future__ import annotations

import dataclasses
import inspect
import typing
from typing import Any

import pytest

import sockt

# (callable, [(parameter, default or REQUIRED)]) exactly as the reference documents them.
REQUIRED = inspect.Parameter.empty
SIGNATURES: list[tuple[Any, list[tuple[str, Any]]]] = [
    (sockt.ComputeClient.__init__, [("api_key", None), ("sandbox_token", None), ("base_url", None),
                                    ("timeout", 120.0)]),
    (sockt.ComputeClient.list_tiers, []),
    (sockt.ComputeClient.create_sandbox, [("tier", REQUIRED), ("billing_method", None),
                                          ("prepaid_sats", None), ("initial_credits_cents", None),
                                          ("label", None)]),
    (sockt.ComputeClient.get_sandbox, [("sandbox_id", REQUIRED)]),
    (sockt.ComputeClient.close, []),
    (sockt.Sandbox.wait_until_running, [("timeout", 120.0), ("poll_interval", 2.0)]),
    (sockt.Sandbox.refresh_status, []),
    (sockt.Sandbox.pause, []),
    (sockt.Sandbox.resume, []),
    (sockt.Sandbox.terminate, [("lightning_address", None)]),
    (sockt.Sandbox.exec, [("command", REQUIRED), ("working_dir", None), ("timeout_ms", None)]),
    (sockt.Sandbox.exec_sync, [("command", REQUIRED), ("working_dir", None), ("timeout_ms", None),
                               ("poll_interval", 0.5)]),
    (sockt.Sandbox.exec_result, [("execution_id", REQUIRED)]),
    (sockt.Sandbox.exec_cancel, [("execution_id", REQUIRED)]),
    (sockt.Sandbox.write_file, [("path", REQUIRED), ("content", REQUIRED), ("encoding", "utf8"),
                                ("create_dirs", True)]),
    (sockt.Sandbox.read_file, [("path", REQUIRED), ("encoding", "utf8"), ("max_bytes", None)]),
    (sockt.Sandbox.list_files, [("path", "."), ("recursive", False), ("max_depth", None)]),
    (sockt.Sandbox.shell, []),
    (sockt.Sandbox.on, [("event", REQUIRED), ("callback", REQUIRED)]),
    (sockt.Sandbox.off, [("event", REQUIRED), ("callback", REQUIRED)]),
    (sockt.ShellSession.connect, []),
    (sockt.ShellSession.close, []),
    (sockt.ShellSession.send, [("text", REQUIRED)]),
    (sockt.ShellSession.send_line, [("text", REQUIRED)]),
    (sockt.ShellSession.resize, [("cols", REQUIRED), ("rows", REQUIRED)]),
    (sockt.ShellSession.recv, [("timeout", 30.0)]),
    (sockt.ShellSession.on, [("event", REQUIRED), ("callback", REQUIRED)]),
    (sockt.ShellSession.off, [("event", REQUIRED), ("callback", REQUIRED)]),
]


# Keyword-only parameters beyond the reference (output callbacks), each with a default
# so that every call written for the reference still means the same.
EXTENSIONS: dict[Any, list[tuple[str, Any]]] = {
    sockt.Sandbox.exec_sync: [("on_stdout", None), ("on_stderr", None)],
}


@pytest.mark.parametrize("func,params", SIGNATURES, ids=[f.__qualname__ for f, _ in SIGNATURES])
def test_signature(func: Any, params: list[tuple[str, Any]]) -> None:
    sig = inspect.signature(func)
    documented = [p for p in sig.parameters.values()
                  if p.name != "self" and p.kind != inspect.Parameter.KEYWORD_ONLY]
    assert [(p.name, p.default) for p in documented] == params
    extra = [(p.name, p.default) for p in sig.parameters.values()
             if p.kind == inspect.Parameter.KEYWORD_ONLY]
    assert extra == EXTENSIONS.get(func, [])


FIELDS = {
    sockt.Tier: ["name", "msats_per_second", "sats_per_second", "usd_cents_per_second",
                 "cost_per_minute_sats", "cost_per_hour_sats", "cost_per_day_sats",
                 "cost_per_hour_usd"],
    sockt.SandboxStatus: ["sandbox_id", "status", "tier", "runtime", "billing_method", "template",
                          "consumed_msats", "msats_per_second", "sats_per_second",
                          "prepaid_balance_msats", "seconds_remaining", "warning_level",
                          "next_poll_secs", "pending_invoice", "sandbox_token", "raw"],
    sockt.ExecResult: ["execution_id", "status", "output", "exit_code", "error",
                       "pending_invoice"],
    sockt.FileEntry: ["name", "size", "mod_ts", "is_dir"],
    sockt.PendingInvoice: ["bolt11", "payment_hash", "amount_msats", "expires_at"],
}


@pytest.mark.parametrize("cls", list(FIELDS), ids=[c.__name__ for c in FIELDS])
def test_model_fields(cls: type) -> None:
    names = [f.name for f in dataclasses.fields(cls)]
    assert names[: len(FIELDS[cls])] == FIELDS[cls]  # documented fields first, in order


def test_execution_fields_and_properties() -> None:
    for name in ("execution_id", "status", "sandbox_id", "command", "stdout", "stderr",
                 "exit_code", "wait"):
        assert hasattr(sockt.Execution, name) or name in typing.get_type_hints(sockt.Execution)
    assert isinstance(sockt.ExecResult.stdout, property)
    assert isinstance(sockt.ExecResult.stderr, property)


def test_sandbox_properties() -> None:
    for name in ("id", "status", "pending_invoice"):
        assert isinstance(getattr(sockt.Sandbox, name), property)


def test_exports() -> None:
    for name in ("ComputeClient", "Sandbox", "ShellSession", "SocktError", "AuthenticationError",
                 "NoCapacityError", "SandboxNotRunningError", "TopUpFailedError",
                 "HostUnreachableError", "RateLimitedError", "APIError", "Tier", "SandboxStatus",
                 "Execution", "ExecResult", "FileEntry", "PendingInvoice"):
        assert name in sockt.__all__ and hasattr(sockt, name)
    assert (sockt.Sandbox.__enter__ and sockt.ComputeClient.__enter__
            and sockt.ShellSession.__enter__)
