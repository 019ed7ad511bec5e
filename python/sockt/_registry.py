"""Live native objects to close before the interpreter exits (native threads are
stopped and joined before interpreter exit). A shell owns an I/O thread; closing it joins that
thread while the interpreter can still run its callbacks. Asynchronous calls still running on the
core's I/O threads are cancelled and waited for (briefly) first, so none of them delivers a result
into a finalizing interpreter."""

from __future__ import annotations

import atexit
import weakref
from typing import Protocol


class _Closable(Protocol):
    def close(self) -> None: ...


_live: weakref.WeakSet[_Closable] = weakref.WeakSet()


def track(obj: _Closable) -> None:
    _live.add(obj)


def untrack(obj: _Closable) -> None:
    _live.discard(obj)


@atexit.register
def _close_all() -> None:
    from sockt import _sockt

    _sockt._cancel_async_calls(2.0)
    for obj in list(_live):
        try:
            obj.close()
        except Exception:  # noqa: BLE001 - best effort at exit; never block shutdown
            pass
