"""Output as it arrives with the blocking API: exec_sync callbacks and
iterating an Execution, long-polled, so the first chunk is there while the command still runs."""

from __future__ import annotations

import time

import pytest

import sockt


def test_exec_sync_callbacks_get_each_chunk_as_it_arrives(sandbox: sockt.Sandbox) -> None:
    start = time.monotonic()
    seen: list[tuple[float, str]] = []
    result = sandbox.exec_sync(
        "echo a; sleep 1; echo b; echo problem >&2",
        on_stdout=lambda text: seen.append((time.monotonic() - start, "out:" + text)),
        on_stderr=lambda text: seen.append((time.monotonic() - start, "err:" + text)),
    )
    ended = time.monotonic() - start
    assert [s for _, s in seen] == ["out:a\n", "out:b\n", "err:problem\n"]
    assert (result.stdout, result.stderr, result.exit_code) == ("a\nb\n", "problem\n", 0)
    assert seen[0][0] < ended - 0.5  # while the command was still sleeping


def test_only_one_stream_may_be_watched(sandbox: sockt.Sandbox) -> None:
    errors: list[str] = []
    result = sandbox.exec_sync("echo out; echo err >&2", on_stderr=errors.append)
    assert errors == ["err\n"]
    assert result.stdout == "out\n"


def test_iterating_an_execution_yields_chunks_then_the_result(sandbox: sockt.Sandbox) -> None:
    execution = sandbox.exec("echo 1; sleep 1; echo 2 >&2; exit 3")
    arrivals = []
    for chunk in execution:
        assert isinstance(chunk, sockt.OutputChunk)
        arrivals.append((time.monotonic(), chunk.stream, chunk.data))
    assert [(s, d) for _, s, d in arrivals] == [("stdout", "1\n"), ("stderr", "2\n")]
    assert arrivals[1][0] - arrivals[0][0] > 0.5  # the first came a second before the second
    assert execution.status == "completed"
    assert execution.exit_code == 3 and execution.stdout == "1\n" and execution.stderr == "2\n"


def test_iteration_includes_chunks_an_earlier_poll_fetched(sandbox: sockt.Sandbox) -> None:
    execution = sandbox.exec("echo early; sleep 0.5; echo late")
    deadline = time.monotonic() + 10
    polled = ""
    while "early" not in polled and time.monotonic() < deadline:
        polled += execution.poll().stdout
    assert polled == "early\n"
    assert [c.data for c in execution] == ["early\n", "late\n"]


def test_a_raising_callback_ends_the_wait_at_once(sandbox: sockt.Sandbox) -> None:
    def boom(text: str) -> None:
        raise RuntimeError("seen " + text.strip())

    start = time.monotonic()
    with pytest.raises(RuntimeError, match="seen a"):
        sandbox.exec_sync("echo a; sleep 20", on_stdout=boom)
    assert time.monotonic() - start < 10
