"""AsyncExecution: the handle :meth:`AsyncSandbox.exec` returns."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import TYPE_CHECKING, Any

from sockt import _aio
from sockt._sockt import DEFAULT_POLL_INTERVAL_SECS
from sockt.execution import _ExecutionBase
from sockt.models import ExecResult, OutputChunk

if TYPE_CHECKING:
    from sockt.async_sandbox import AsyncSandbox

__all__ = ["AsyncExecution"]


class AsyncExecution(_ExecutionBase):
    """A command started with :meth:`AsyncSandbox.exec`.

    ``async for chunk in execution`` yields its output as it arrives; :meth:`wait` awaits the
    end. Once the command has ended, :attr:`result` (and ``stdout``, ``stderr``, ``exit_code``,
    ``error``, ``output``) hold the final result; before, they raise
    :class:`asyncio.InvalidStateError`, as ``Future.result()`` does.
    """

    def __init__(self, sandbox: AsyncSandbox, data: dict[str, Any]) -> None:
        super().__init__(sandbox.id, data)
        self._sandbox = sandbox

    async def wait(
        self, timeout: float | None = None, poll_interval: float = DEFAULT_POLL_INTERVAL_SECS
    ) -> ExecResult:
        """Awaits the end of the command and returns every chunk of its output.

        Raises :class:`sockt.TimeoutError` when ``timeout`` seconds pass first (the command keeps
        running; :meth:`cancel` stops it).
        """
        with self._lock:
            if self._result is not None:
                return self._result
        native = self._sandbox._native
        result = ExecResult._from_native(
            await _aio.call(native.exec_wait_async, self.execution_id, poll_interval, timeout)
        )
        self._note(result, True)
        return result

    async def poll(self) -> ExecResult:
        """One poll (:meth:`AsyncSandbox.exec_result`): the chunks since the last poll."""
        result = await self._sandbox.exec_result(self.execution_id)
        self._note(result, False)
        return result

    async def cancel(self) -> None:
        """Cancels the command (:meth:`AsyncSandbox.exec_cancel`)."""
        await self._sandbox.exec_cancel(self.execution_id)

    def __aiter__(self) -> AsyncIterator[OutputChunk]:
        return self._chunks(None)  # the core's default interval

    async def _chunks(self, poll_interval: float | None) -> AsyncIterator[OutputChunk]:
        native = self._sandbox._native
        while True:
            step = ExecResult._from_native(
                await _aio.call(native.exec_next_async, self.execution_id, poll_interval, None)
            )
            for chunk in step.output:
                yield OutputChunk._from_native(chunk)
            if step.finished:
                await self.wait(poll_interval=poll_interval)
                return
            self._note(step, False)

    def _cancel_in_background(self) -> None:
        # The awaiting task is gone (cancelled), so nothing can await this: fire and forget.
        _aio.start_detached(self._sandbox._native.exec_cancel_async, self.execution_id)

    @property
    def finished(self) -> bool:
        with self._lock:
            return self._result is not None

    @property
    def result(self) -> ExecResult:
        """The final result; :class:`asyncio.InvalidStateError` while the command runs."""
        with self._lock:
            if self._result is None:
                raise asyncio.InvalidStateError(
                    "the command has not ended yet: await wait() or iterate over the execution"
                )
            return self._result

    @property
    def stdout(self) -> str:
        return self.result.stdout

    @property
    def stderr(self) -> str:
        return self.result.stderr

    @property
    def exit_code(self) -> int | None:
        return self.result.exit_code

    @property
    def error(self) -> str | None:
        return self.result.error

    @property
    def output(self) -> list[dict[str, str]]:
        return self.result.output
