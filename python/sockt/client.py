"""ComputeClient: the entry point (official reference "ComputeClient")."""

from __future__ import annotations

import sys

from sockt import _registry, _sockt
from sockt._constants import DEFAULT_TIMEOUT_SECS
from sockt._exit import SyncExit
from sockt.models import Tier
from sockt.sandbox import Sandbox

__all__ = ["ComputeClient"]

_USER_AGENT_SUFFIX = f"python/{sys.version_info.major}.{sys.version_info.minor}"


class _ClientBase:
    """What :class:`ComputeClient` and :class:`sockt.AsyncComputeClient` share.

    Credentials: the parameter, else the environment (``SOCKT_API_KEY``, ``SOCKT_SANDBOX_TOKEN``,
    ``SOCKT_API_URL``), else the default base URL ``https://api.sockt.dev``. ``timeout`` is the
    deadline of each HTTP request in seconds.
    """

    def __init__(
        self,
        api_key: str | None = None,
        sandbox_token: str | None = None,
        base_url: str | None = None,
        timeout: float = DEFAULT_TIMEOUT_SECS,
    ) -> None:
        self._native = _sockt.Client(api_key, sandbox_token, base_url, timeout, _USER_AGENT_SUFFIX)
        _registry.track(self._native)

    @property
    def base_url(self) -> str:
        """The API base URL in use."""
        return self._native.base_url

    @property
    def closed(self) -> bool:
        return self._native.closed

    def _close(self) -> None:
        self._native.close()
        _registry.untrack(self._native)

    def __repr__(self) -> str:
        return self._native.describe()


class ComputeClient(_ClientBase, SyncExit):
    """Creates and finds sandboxes. Thread-safe: one client may serve many threads; every network
    wait releases the GIL. Credentials: see the constructor parameters (parameter, else
    environment, else default)."""

    def list_tiers(self) -> list[Tier]:
        """The sandbox tiers with their prices."""
        return [Tier._from_native(t) for t in self._native.list_tiers()]

    def create_sandbox(
        self,
        tier: str,
        billing_method: str | None = None,
        prepaid_sats: int | None = None,
        initial_credits_cents: int | None = None,
        label: str | None = None,
    ) -> Sandbox:
        """Creates a sandbox. With ``billing_method="lightning"`` its ``pending_invoice`` holds
        the invoice to pay before it starts."""
        native = self._native.create_sandbox(
            tier, billing_method, prepaid_sats, initial_credits_cents, label
        )
        return Sandbox(self, native)

    def get_sandbox(self, sandbox_id: str) -> Sandbox:
        """An existing sandbox, with its status loaded."""
        return Sandbox(self, self._native.get_sandbox(sandbox_id))

    def close(self) -> None:
        """Closes the connections. Idempotent; later calls raise :class:`sockt.ConnectionError`."""
        self._close()

    def __enter__(self) -> ComputeClient:
        return self

    def _on_exit_sync(self, exc: BaseException | None) -> None:
        self.close()
