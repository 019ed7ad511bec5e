"""``with`` support shared by ComputeClient, Sandbox and ShellSession (the asyncio twin is
:class:`sockt._aio.AsyncExit`)."""

from __future__ import annotations

from types import TracebackType


class SyncExit:
    """Leaving a ``with`` block calls ``_on_exit_sync(exc)`` (close, terminate)."""

    def _on_exit_sync(self, exc: BaseException | None) -> None:
        raise NotImplementedError

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self._on_exit_sync(exc)
