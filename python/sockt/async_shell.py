"""AsyncShellSession: the interactive shell for asyncio code."""

from __future__ import annotations

from collections.abc import AsyncIterator, Generator
from typing import Any, Callable

from sockt import _aio, _registry
from sockt.shell import _ended, _ShellBase

__all__ = ["AsyncShellSession"]


class AsyncShellSession(_ShellBase, _aio.AsyncExit):
    """One WebSocket shell: :class:`ShellSession`'s methods as coroutines. ``async with``
    connects and closes it, ``async for`` yields its frames until the session ends, and listeners
    added with :meth:`on` run on the event loop's thread.

    :meth:`AsyncSandbox.shell` makes no network call, so it is a plain method; awaiting its
    result (``session = await sandbox.shell()``) gives the session too.
    """

    async def connect(self) -> None:
        """Opens the WebSocket (the sandbox must be running)."""
        await _aio.call(self._native.connect_async)
        # The native session has a blocking close() that the exit hook can call.
        _registry.track(self._native)

    async def close(self) -> None:
        """Closes the WebSocket (waits up to 2.5 s for the server's close). Idempotent."""
        await _aio.call(self._native.close_async)
        _registry.untrack(self._native)

    async def send(self, text: str) -> None:
        """Sends raw keystrokes (``"\\x03"`` is Ctrl-C)."""
        self._native.send(text)

    async def send_line(self, text: str) -> None:
        """Sends ``text`` followed by a newline."""
        self._native.send_line(text)

    async def resize(self, cols: int, rows: int) -> None:
        """Resizes the remote terminal."""
        self._native.resize(cols, rows)

    async def recv(self, timeout: float = 30.0) -> dict[str, Any]:
        """The next frame, in arrival order. :class:`sockt.TimeoutError` when none arrives within
        ``timeout`` seconds, :class:`sockt.ConnectionError` once the session has ended."""
        frame: dict[str, Any] | None = await _aio.call(self._native.recv_async, timeout)
        if frame is None:
            raise _ended()
        return frame

    async def _frames(self) -> AsyncIterator[dict[str, Any]]:
        while True:
            frame: dict[str, Any] | None = await _aio.call(self._native.recv_async, 30.0)
            if frame is None:
                return
            yield frame

    def __aiter__(self) -> AsyncIterator[dict[str, Any]]:
        """Frames until the session ends (each wait at most 30 s, then TimeoutError)."""
        return self._frames()

    def _listener_target(
        self, callback: Callable[[dict[str, Any]], object]
    ) -> Callable[[dict[str, Any]], object]:
        return _aio.on_loop(callback)

    def __await__(self) -> Generator[Any, None, AsyncShellSession]:
        async def itself() -> AsyncShellSession:
            return self

        return itself().__await__()

    async def __aenter__(self) -> AsyncShellSession:
        await self.connect()
        return self

    async def _on_exit(self, exc: BaseException | None) -> None:
        await self.close()
