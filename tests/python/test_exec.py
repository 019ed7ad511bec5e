"""Commands: exec (with the overview's blocking stdout), exec_result, exec_sync, exec_cancel."""

from __future__ import annotations

import pytest

import sockt
from conftest import eventually


def test_exec_returns_at_once(sandbox: sockt.Sandbox) -> None:
    execution = sandbox.exec("sleep 1; echo done")
    assert isinstance(execution, sockt.Execution)
    assert execution.execution_id.startswith("exec_")
    assert execution.status == "running"
    assert execution.sandbox_id == sandbox.id
    assert execution.command == "sleep 1; echo done"
    # The API overview's usage: result = sandbox.exec(cmd); print(result.stdout)
    assert execution.stdout == "done\n"
    assert execution.exit_code == 0
    assert execution.status == "completed"
    assert execution.stderr == ""
    assert execution.error is None
    assert isinstance(execution.wait(), sockt.ExecResult)


def test_exec_working_dir_and_timeout(sandbox: sockt.Sandbox) -> None:
    sandbox.write_file("work/sub/x.txt", "x")
    r = sandbox.exec_sync("pwd; ls", working_dir="work/sub")
    assert r.stdout.splitlines()[-1] == "x.txt"
    timed = sandbox.exec("sleep 5", timeout_ms=300).wait(timeout=10)
    assert timed.status == "failed" and timed.exit_code == 124
    assert timed.error == "timeout: command exceeded 300 ms"
    with pytest.raises(sockt.APIError) as info:
        sandbox.exec("true", working_dir="does/not/exist")
    assert info.value.status_code == 400


def test_exec_sync(sandbox: sockt.Sandbox) -> None:
    r = sandbox.exec_sync("echo out; echo err >&2; exit 3", poll_interval=0.05)
    assert isinstance(r, sockt.ExecResult)
    assert r.status == "completed" and r.exit_code == 3  # a result, not an exception
    assert r.stdout == "out\n" and r.stderr == "err\n"
    assert {c["stream"] for c in r.output} == {"stdout", "stderr"}
    r2 = sandbox.exec_sync("sleep 2; exit 0", timeout_ms=100)
    assert r2.status == "failed" and r2.exit_code == 124
    big = sandbox.exec_sync("seq 1 20000")
    assert big.stdout == "".join(f"{i}\n" for i in range(1, 20001))


def test_exec_result_polling_and_accumulation(sandbox: sockt.Sandbox) -> None:
    execution = sandbox.exec("echo first; sleep 1; echo second")
    seen: list[str] = []

    def first_polled() -> bool:
        poll = sandbox.exec_result(execution.execution_id)
        assert poll.execution_id == execution.execution_id
        seen.append(poll.stdout)
        return "first" in "".join(seen)

    eventually(first_polled, "the first line through exec_result")
    assert "".join(seen) == "first\n"
    # Chunks fetched through exec_result are still part of the execution's full output.
    assert execution.wait().stdout == "first\nsecond\n"
    final = sandbox.exec_result(execution.execution_id)
    assert final.status == "completed" and final.exit_code == 0 and final.output == []
    assert final.finished


def test_exec_cancel(sandbox: sockt.Sandbox) -> None:
    execution = sandbox.exec("sleep 30")
    assert sandbox.exec_cancel(execution.execution_id) is None
    r = execution.wait(timeout=10)
    assert r.status == "cancelled" and r.exit_code == 137
    sandbox.exec_cancel(execution.execution_id)  # already ended: not an error
    done = sandbox.exec("true")
    done.wait()
    done.cancel()


def test_execution_wait_timeout(sandbox: sockt.Sandbox) -> None:
    execution = sandbox.exec("sleep 5")
    with pytest.raises(sockt.TimeoutError) as info:
        execution.wait(timeout=0.3)
    assert isinstance(info.value, TimeoutError)
    execution.cancel()


def test_exec_unknown_execution(sandbox: sockt.Sandbox) -> None:
    with pytest.raises(sockt.APIError) as info:
        sandbox.exec_result("exec_000000000000000000000000")
    assert info.value.status_code == 404


def test_exec_invalid_arguments(sandbox: sockt.Sandbox) -> None:
    with pytest.raises(ValueError):
        sandbox.exec_sync("true", poll_interval=-1)
    with pytest.raises(sockt.InvalidArgumentError, match="poll_interval"):
        sandbox.wait_until_running(poll_interval=float("inf"))
    with pytest.raises(ValueError):  # validated before sending
        sandbox.exec("true", timeout_ms=-5)
    with pytest.raises(TypeError):
        sandbox.exec(123)  # type: ignore[arg-type]
