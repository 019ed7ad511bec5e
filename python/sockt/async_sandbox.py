"""AsyncSandbox: every :class:`Sandbox` method under the same name and parameters, as a coroutine.
Properties, :meth:`on` and :meth:`off` stay plain; listeners run on the event
loop's thread."""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Any, Callable

from sockt import _aio, _sockt
from sockt._constants import (
    DEFAULT_POLL_INTERVAL_SECS,
    DEFAULT_WAIT_POLL_INTERVAL_SECS,
    DEFAULT_WAIT_TIMEOUT_SECS,
)
from sockt._sockt import DEFAULT_TRANSFER_CONCURRENCY
from sockt.async_execution import AsyncExecution
from sockt.async_shell import AsyncShellSession
from sockt.errors import SocktError
from sockt.models import ExecResult, FileEntry, SandboxStatus, TransferResult
from sockt.sandbox import (
    OutputCallback,
    ProgressCallback,
    _progress_dispatch,
    _SandboxBase,
)

if TYPE_CHECKING:
    from sockt.async_client import AsyncComputeClient

__all__ = ["AsyncSandbox"]


class AsyncSandbox(_SandboxBase, _aio.AsyncExit):
    """A sandbox for asyncio code. Returned by :meth:`AsyncComputeClient.create_sandbox` and
    :meth:`AsyncComputeClient.get_sandbox`. ``async with`` terminates it on exit.

    Every network call runs on the core's own I/O threads (two, however many calls are in
    flight) and completes on the event loop; cancelling the awaiting task ends the call at once.
    """

    _hash_tag = "sockt.AsyncSandbox"

    def __init__(self, client: AsyncComputeClient, native: _sockt.Sandbox) -> None:
        super().__init__(client, native)

    # --- lifecycle ---------------------------------------------------------------------------

    async def wait_until_running(
        self,
        timeout: float = DEFAULT_WAIT_TIMEOUT_SECS,
        poll_interval: float = DEFAULT_WAIT_POLL_INTERVAL_SECS,
    ) -> None:
        """Waits until the sandbox is ``running`` (:class:`SandboxNotRunningError` on timeout,
        failure or termination)."""
        await _aio.call(self._native.wait_until_running_async, timeout, poll_interval)

    async def refresh_status(self) -> SandboxStatus:
        """Fetches the status, updates this handle and fires billing events."""
        return SandboxStatus._from_native(await _aio.call(self._native.refresh_status_async))

    async def pause(self) -> None:
        """Pauses the sandbox: its processes are frozen and billing stops."""
        await _aio.call(self._native.pause_async)

    async def resume(self) -> None:
        """Resumes a paused sandbox."""
        await _aio.call(self._native.resume_async)

    async def terminate(self, lightning_address: str | None = None) -> dict[str, Any]:
        """Destroys the sandbox; returns the server's answer (with the refund)."""
        result: dict[str, Any] = await _aio.call(self._native.terminate_async, lightning_address)
        return result

    # --- commands ----------------------------------------------------------------------------

    async def exec(
        self, command: str, working_dir: str | None = None, timeout_ms: int | None = None
    ) -> AsyncExecution:
        """Starts ``command`` and returns at once; ``async for`` over the :class:`AsyncExecution`
        yields its output as it arrives."""
        data = await _aio.call(self._native.exec_async, command, working_dir, timeout_ms)
        return AsyncExecution(self, data)

    async def exec_sync(
        self,
        command: str,
        working_dir: str | None = None,
        timeout_ms: int | None = None,
        poll_interval: float = DEFAULT_POLL_INTERVAL_SECS,
        *,
        on_stdout: OutputCallback | None = None,
        on_stderr: OutputCallback | None = None,
    ) -> ExecResult:
        """Runs ``command`` and awaits its end; the result holds all of its output.

        ``on_stdout`` / ``on_stderr`` get the text of each chunk as it arrives, on the loop's
        thread. If the wait is abandoned — the task is cancelled, or a callback raises — the
        command is cancelled on the server too.
        """
        execution = await self.exec(command, working_dir, timeout_ms)
        try:
            if on_stdout is None and on_stderr is None:
                return await execution.wait(poll_interval=poll_interval)
            async for chunk in execution._chunks(poll_interval):
                callback = on_stdout if chunk.stream == "stdout" else on_stderr
                if callback is not None:
                    callback(chunk.data)
            return execution.result
        except BaseException:
            if not execution.finished:
                execution._cancel_in_background()
            raise

    async def exec_result(self, execution_id: str) -> ExecResult:
        """One poll: the output chunks that arrived since the previous poll."""
        data = await _aio.call(self._native.exec_result_async, execution_id)
        return ExecResult._from_native(data)

    async def exec_cancel(self, execution_id: str) -> None:
        """Cancels a running execution (not an error if it already ended)."""
        await _aio.call(self._native.exec_cancel_async, execution_id)

    # --- files -------------------------------------------------------------------------------

    async def write_file(
        self, path: str, content: str, encoding: str = "utf8", create_dirs: bool = True
    ) -> dict[str, Any]:
        """Writes ``content`` (text, or base64 with ``encoding="base64"``) to ``path``."""
        result: dict[str, Any] = await _aio.call(
            self._native.write_file_async, path, content, encoding, create_dirs
        )
        return result

    async def read_file(
        self, path: str, encoding: str = "utf8", max_bytes: int | None = None
    ) -> str:
        """Reads ``path`` as text, or as base64 with ``encoding="base64"``."""
        text: str = await _aio.call(self._native.read_file_async, path, encoding, max_bytes)
        return text

    async def write_file_bytes(
        self, path: str, data: bytes | bytearray | memoryview, create_dirs: bool = True
    ) -> dict[str, Any]:
        """Writes raw bytes (``bytes`` are read in place, other buffers copied first)."""
        result: dict[str, Any] = await _aio.call(
            self._native.write_file_bytes_async, path, data, create_dirs
        )
        return result

    async def read_file_bytes(self, path: str, max_bytes: int | None = None) -> bytes:
        """Reads the exact bytes of ``path``."""
        data: bytes = await _aio.call(self._native.read_file_bytes_async, path, max_bytes)
        return data

    async def list_files(
        self, path: str = ".", recursive: bool = False, max_depth: int | None = None
    ) -> list[FileEntry]:
        """Lists a directory (``recursive=True`` descends, ``max_depth`` limits the depth)."""
        entries = await _aio.call(self._native.list_files_async, path, recursive, max_depth)
        return [FileEntry._from_native(e) for e in entries]

    async def upload(
        self,
        local_path: str | os.PathLike[str],
        remote_path: str,
        *,
        concurrency: int = DEFAULT_TRANSFER_CONCURRENCY,
        preserve_mode: bool = True,
        on_progress: ProgressCallback | None = None,
    ) -> TransferResult:
        """:meth:`Sandbox.upload`, awaited; ``on_progress`` runs on the loop's thread."""
        return await self._transfer(
            self._native.upload_async,
            os.fspath(local_path),
            remote_path,
            concurrency,
            preserve_mode,
            on_progress,
        )

    async def download(
        self,
        remote_path: str,
        local_path: str | os.PathLike[str],
        *,
        concurrency: int = DEFAULT_TRANSFER_CONCURRENCY,
        preserve_mode: bool = True,
        on_progress: ProgressCallback | None = None,
    ) -> TransferResult:
        """:meth:`Sandbox.download`, awaited; ``on_progress`` runs on the loop's thread."""
        return await self._transfer(
            self._native.download_async,
            remote_path,
            os.fspath(local_path),
            concurrency,
            preserve_mode,
            on_progress,
        )

    async def _transfer(
        self,
        start: Callable[..., _sockt.AsyncCall],
        source: str,
        destination: str,
        concurrency: int,
        preserve_mode: bool,
        on_progress: ProgressCallback | None,
    ) -> TransferResult:
        # A progress callback that raises stops the transfer, and its exception is what the
        # caller sees (as with the blocking call).
        failure: list[BaseException] = []
        handles: list[_sockt.AsyncCall] = []
        dispatch = _progress_dispatch(on_progress)

        def report(data: dict[str, int]) -> None:
            if failure or dispatch is None:
                return
            try:
                dispatch(data)
            except BaseException as e:  # noqa: BLE001 - re-raised by the awaiting coroutine
                failure.append(e)
                for handle in handles:
                    handle.cancel()

        try:
            result = await _aio.call(
                start,
                source,
                destination,
                concurrency,
                preserve_mode,
                report if dispatch is not None else None,
                handles=handles,
            )
        except BaseException:
            if failure:
                raise failure[0] from None
            raise
        return TransferResult._from_native(result)

    # --- shell -------------------------------------------------------------------------------

    def shell(self) -> AsyncShellSession:
        """A new interactive shell: ``async with sandbox.shell() as session`` connects it
        (``session = await sandbox.shell()`` also works; then ``await session.connect()``)."""
        return AsyncShellSession(self._native.shell(), self.id)

    # --- Python protocol ---------------------------------------------------------------------

    def _listener_target(self, callback: Callable[[Any], object]) -> Callable[[Any], object]:
        return _aio.on_loop(callback)

    async def __aenter__(self) -> AsyncSandbox:
        return self

    async def _on_exit(self, exc: BaseException | None) -> None:
        try:
            await self.terminate()
        except SocktError:
            if exc is None:
                raise
