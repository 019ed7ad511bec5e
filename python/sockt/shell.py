"""ShellSession: an interactive shell over WebSocket (official reference "ShellSession",
docs/protocol.md §6)."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from typing import Any, Callable

from sockt import _registry, _sockt
from sockt._exit import SyncExit
from sockt.errors import ConnectionError

__all__ = ["ShellSession"]


def _ended() -> ConnectionError:
    return ConnectionError(
        "shell session closed", slug="shell_closed", description="shell session closed"
    )


class _ShellBase:
    """What :class:`ShellSession` and :class:`sockt.AsyncShellSession` share: state, listeners."""

    def __init__(self, native: _sockt.ShellSession, sandbox_id: str) -> None:
        self._native = native
        self._sandbox_id = sandbox_id
        self._listeners: dict[str, list[tuple[Callable[[dict[str, Any]], object], int]]] = {}
        self._lock = threading.Lock()

    @property
    def connected(self) -> bool:
        return self._native.connected

    @property
    def exit_code(self) -> int | None:
        """The shell process's exit status, once its ``exit`` frame arrived."""
        return self._native.exit_code

    @property
    def close_code(self) -> int:
        """The WebSocket close status sent by the server (0 while open)."""
        return self._native.close_code

    def on(self, event: str, callback: Callable[[dict[str, Any]], object]) -> None:
        """Calls ``callback(frame)`` for every frame of type ``event`` (``"*"``: every frame)."""
        listener_id = self._native.on(event, self._listener_target(callback))
        with self._lock:
            self._listeners.setdefault(event, []).append((callback, listener_id))

    def off(self, event: str, callback: Callable[[dict[str, Any]], object]) -> None:
        """Removes a listener added with :meth:`on` (no-op if it was not).

        When it returns, the listener is not running and is never called again: a call already
        under way on the session's I/O thread is waited for, except when ``off`` is called from
        inside a listener.
        """
        with self._lock:
            entries = self._listeners.get(event, [])
            found = next((e for e in entries if e[0] == callback), None)
            if found is None:
                return
            entries.remove(found)
        self._native.off(event, found[1])

    def _listener_target(
        self, callback: Callable[[dict[str, Any]], object]
    ) -> Callable[[dict[str, Any]], object]:
        return callback

    def __repr__(self) -> str:
        return self._native.describe()


class ShellSession(_ShellBase, SyncExit):
    """One WebSocket shell. ``send``/``send_line``/``resize`` may be called from any thread.

    Frames are dicts: ``{"type": "stdout", "data": "..."}`` and the types of the reference
    (``stderr``, ``billing``, ``low_balance``, ``deposit_required``, ``out_of_balance``,
    ``error``) plus ``exit`` (with ``code``) when the shell process ends, with their keys in the
    order the server sent them. Listeners registered with :meth:`on` run on the session's I/O
    thread (with the GIL held) for every frame as it arrives; they must not block. The session is
    also an iterator over its frames.
    """

    def connect(self) -> None:
        """Opens the WebSocket (the sandbox must be running)."""
        self._native.connect()
        _registry.track(self)

    def close(self) -> None:
        """Closes the WebSocket. Idempotent."""
        self._native.close()
        _registry.untrack(self)

    def send(self, text: str) -> None:
        """Sends raw keystrokes (``"\\x03"`` is Ctrl-C)."""
        self._native.send(text)

    def send_line(self, text: str) -> None:
        """Sends ``text`` followed by a newline."""
        self._native.send_line(text)

    def resize(self, cols: int, rows: int) -> None:
        """Resizes the remote terminal."""
        self._native.resize(cols, rows)

    def recv(self, timeout: float = 30.0) -> dict[str, Any]:
        """The next frame, in arrival order.

        Raises :class:`sockt.TimeoutError` (also a builtin ``TimeoutError``) when no frame arrives
        within ``timeout`` seconds, and :class:`sockt.ConnectionError` once the session has ended
        and every frame was received.
        """
        frame = self._native.recv(timeout)
        if frame is None:
            raise _ended()
        return frame

    def __iter__(self) -> Iterator[dict[str, Any]]:
        """Yields frames until the session ends (each wait is at most 30 s, then TimeoutError)."""
        while True:
            frame = self._native.recv(30.0)
            if frame is None:
                return
            yield frame

    def __enter__(self) -> ShellSession:
        self.connect()
        return self

    def _on_exit_sync(self, exc: BaseException | None) -> None:
        self.close()
