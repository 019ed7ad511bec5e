"""Awaiting native calls.

Each ``*_async`` method of the native module starts its core call on a fiber of the core's I/O
threads and returns at once; the outcome comes back on the event loop's thread through the loop's
``LoopBridge`` (an eventfd the loop watches with ``add_reader``; ``call_soon_threadsafe`` on loops
without readers). No thread per call, no executor. Cancelling the
awaiting task cancels the native call, whose wait then ends at once.
"""

from __future__ import annotations

import asyncio
import weakref
from types import TracebackType
from typing import Any, Callable

from sockt import _sockt

__all__ = ["call", "start_detached", "bridge_for", "on_loop", "AsyncExit"]

_bridges: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, _sockt.LoopBridge] = (
    weakref.WeakKeyDictionary()
)


# The last loop asked for and its bridge: a burst of calls on one loop skips the dictionary.
_last: tuple[weakref.ref[asyncio.AbstractEventLoop], _sockt.LoopBridge] | None = None


def bridge_for(loop: asyncio.AbstractEventLoop) -> _sockt.LoopBridge:
    """The loop's bridge (one per loop; it holds the loop only weakly). Made on the loop's
    thread, which is where it registers its reader."""
    global _last
    last = _last
    if last is not None and last[0]() is loop:
        return last[1]
    bridge = _bridges.get(loop)
    if bridge is None:
        bridge = _bridges[loop] = _sockt.LoopBridge(loop)
    _last = (weakref.ref(loop), bridge)
    return bridge


async def call(
    start: Callable[..., _sockt.AsyncCall],
    *args: Any,
    handles: list[_sockt.AsyncCall] | None = None,
) -> Any:
    """``await``s ``start(*args, bridge, future)``, a native ``*_async`` method that settles
    ``future`` on the loop's thread. ``handles``, when given, receives the call's handle (to
    cancel it from a callback)."""
    loop = asyncio.get_running_loop()
    # No closure or tuple per call: the native side settles the future itself, so a burst of
    # calls allocates fewer objects for the cyclic GC to count and scan.
    future: asyncio.Future[Any] = loop.create_future()
    handle = start(*args, bridge_for(loop), future)
    if handles is not None:
        handles.append(handle)
    try:
        return await future
    except asyncio.CancelledError:
        handle.cancel()
        raise


def start_detached(start: Callable[..., _sockt.AsyncCall], *args: Any) -> None:
    """Starts a native call nobody awaits (a clean-up such as cancelling a remote execution);
    it runs to its end on the core's threads and its outcome is dropped."""
    start(*args, bridge_for(asyncio.get_running_loop()), None)


def on_loop(callback: Callable[[Any], object]) -> Callable[[Any], object]:
    """``callback`` made safe to call from any thread: it then runs on the current event loop's
    thread (listeners of async objects fire on the core's or a shell's I/O thread)."""
    loop = asyncio.get_running_loop()

    def forward(payload: Any) -> None:
        try:
            running = asyncio.get_running_loop()
        except RuntimeError:
            running = None
        if running is loop:
            callback(payload)
        elif not loop.is_closed():
            loop.call_soon_threadsafe(callback, payload)

    return forward


class AsyncExit:
    """``async with`` support: leaving the block awaits ``_on_exit(exc)`` (close, terminate)."""

    async def _on_exit(self, exc: BaseException | None) -> None:
        raise NotImplementedError

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self._on_exit(exc)
