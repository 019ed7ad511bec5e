"""AsyncComputeClient: the entry point for asyncio code."""

from __future__ import annotations

from sockt import _aio
from sockt.async_sandbox import AsyncSandbox
from sockt.client import _ClientBase
from sockt.models import Tier

__all__ = ["AsyncComputeClient"]


class AsyncComputeClient(_ClientBase, _aio.AsyncExit):
    """:class:`ComputeClient` for asyncio: the same constructor, its calls as coroutines, and
    ``async with``. Calls run on the core's own I/O threads (two in all, however many are in
    flight) and complete on the running event loop; one client may serve several loops.
    """

    async def list_tiers(self) -> list[Tier]:
        """The sandbox tiers with their prices."""
        return [Tier._from_native(t) for t in await _aio.call(self._native.list_tiers_async)]

    async def create_sandbox(
        self,
        tier: str,
        billing_method: str | None = None,
        prepaid_sats: int | None = None,
        initial_credits_cents: int | None = None,
        label: str | None = None,
    ) -> AsyncSandbox:
        """Creates a sandbox (see :meth:`ComputeClient.create_sandbox`)."""
        native = await _aio.call(
            self._native.create_sandbox_async,
            tier,
            billing_method,
            prepaid_sats,
            initial_credits_cents,
            label,
        )
        return AsyncSandbox(self, native)

    async def get_sandbox(self, sandbox_id: str) -> AsyncSandbox:
        """An existing sandbox, with its status loaded."""
        return AsyncSandbox(self, await _aio.call(self._native.get_sandbox_async, sandbox_id))

    async def close(self) -> None:
        """Closes the connections. Idempotent; later calls raise :class:`sockt.ConnectionError`."""
        self._close()

    async def __aenter__(self) -> AsyncComputeClient:
        return self

    async def _on_exit(self, exc: BaseException | None) -> None:
        await self.close()
