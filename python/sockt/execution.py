"""Execution: the handle returned by :meth:`Sandbox.exec`.

It carries the documented fields (``execution_id``, ``status``, ``sandbox_id``, ``command``) and,
so that the API overview's ``result = sandbox.exec(cmd); print(result.stdout)`` works, blocking
``stdout`` / ``stderr`` / ``exit_code`` / ``error`` that wait for the command to finish.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from sockt._sockt import DEFAULT_POLL_INTERVAL_SECS
from sockt.models import ExecResult, OutputChunk

if TYPE_CHECKING:
    from sockt.sandbox import Sandbox

__all__ = ["Execution"]


class _ExecutionBase:
    """The fields of a started command, shared by :class:`Execution` and
    :class:`sockt.AsyncExecution`."""

    execution_id: str
    sandbox_id: str
    command: str
    working_dir: str | None
    timeout_ms: int | None
    started_at: str | None
    raw: dict[str, Any]

    def __init__(self, sandbox_id: str, data: dict[str, Any]) -> None:
        self.execution_id = data["execution_id"]
        self.sandbox_id = data.get("sandbox_id") or sandbox_id
        self.command = data.get("command", "")
        self.working_dir = data.get("working_dir")
        self.timeout_ms = data.get("timeout_ms")
        self.started_at = data.get("started_at")
        self.raw = data.get("raw") or {}
        self._status: str = data.get("status") or "running"
        self._result: ExecResult | None = None
        self._lock = threading.Lock()

    @property
    def status(self) -> str:
        """``"running"`` until a poll or :meth:`wait` saw the final status."""
        with self._lock:
            return self._status

    def _note(self, result: ExecResult, final: bool) -> None:
        with self._lock:
            self._status = result.status
            if final:
                self._result = result

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}(execution_id={self.execution_id!r}, status={self.status!r}, "
            f"sandbox_id={self.sandbox_id!r}, command={self.command!r})"
        )


class Execution(_ExecutionBase):
    """A command started with :meth:`Sandbox.exec`. Thread-safe."""

    def __init__(self, sandbox: Sandbox, data: dict[str, Any]) -> None:
        super().__init__(sandbox.id, data)
        self._sandbox = sandbox

    def wait(self, timeout: float | None = None, poll_interval: float = DEFAULT_POLL_INTERVAL_SECS) -> ExecResult:
        """Blocks until the command ends and returns every chunk of its output.

        Raises :class:`sockt.TimeoutError` when ``timeout`` seconds pass first (the command keeps
        running; call :meth:`cancel` to stop it).
        """
        with self._lock:
            if self._result is not None:
                return self._result
        result = self._sandbox._exec_wait(self.execution_id, poll_interval, timeout)
        self._note(result, True)
        return result

    def __iter__(self) -> Iterator[OutputChunk]:
        """Yields the output as it arrives, as :class:`OutputChunk` objects (``.stream``,
        ``.data``), from the first chunk (also chunks an earlier :meth:`poll` fetched), and ends
        when the command ends; :attr:`result` then holds the final :class:`ExecResult`."""
        while True:
            step = self._sandbox._exec_next(self.execution_id, None)  # the core's default
            for chunk in step.output:
                yield OutputChunk._from_native(chunk)
            if step.finished:
                self.wait()  # the whole result, kept on the execution
                return
            self._note(step, False)

    def poll(self) -> ExecResult:
        """One poll (:meth:`Sandbox.exec_result`): the chunks that arrived since the last poll."""
        result = self._sandbox.exec_result(self.execution_id)
        self._note(result, False)
        return result

    def cancel(self) -> None:
        """Cancels the command (:meth:`Sandbox.exec_cancel`)."""
        self._sandbox.exec_cancel(self.execution_id)

    @property
    def result(self) -> ExecResult:
        """The final result (waits for it)."""
        return self.wait()

    @property
    def stdout(self) -> str:
        """All of the command's stdout (waits for the command to end)."""
        return self.wait().stdout

    @property
    def stderr(self) -> str:
        """All of the command's stderr (waits for the command to end)."""
        return self.wait().stderr

    @property
    def exit_code(self) -> int | None:
        """The exit code (waits for the command to end); None if it never ran."""
        return self.wait().exit_code

    @property
    def error(self) -> str | None:
        """The server's error text for a failed execution (waits for the command to end)."""
        return self.wait().error

    @property
    def output(self) -> list[dict[str, str]]:
        """Every output chunk in order (waits for the command to end)."""
        return self.wait().output
