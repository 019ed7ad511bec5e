"""Exceptions raised by sockt (official reference "Error hierarchy", docs/protocol.md §12 rule 8).

Every error is a :class:`SocktError` with ``message``, ``slug``, ``status_code`` and
``request_id``. The native core raises them through one translator (``bindings/python/errors.cpp``).

Beyond the documented tree:

* :class:`SandboxStoppedError` (HTTP 409 ``sandbox_paused``, HTTP 410) is both an :class:`APIError`
  and a :class:`SandboxNotRunningError`, so handlers written for either keep working.
* Transport failures are :class:`ConnectionError` / :class:`TimeoutError`: subclasses of
  :class:`HostUnreachableError` (what the official SDK raises for them) *and* of the builtins of the
  same name, so ``except TimeoutError`` works.
* :class:`InvalidArgumentError` (bad input detected before anything was sent) is also a
  :class:`ValueError`.
"""

from __future__ import annotations

import builtins
from typing import Any

__all__ = [
    "SocktError",
    "AuthenticationError",
    "NoCapacityError",
    "SandboxNotRunningError",
    "TopUpFailedError",
    "HostUnreachableError",
    "RateLimitedError",
    "APIError",
    "SandboxStoppedError",
    "ConnectionError",
    "TimeoutError",
    "CancelledError",
    "InvalidArgumentError",
]


def _rebuild(cls: type[SocktError], message: str, state: dict[str, Any]) -> SocktError:
    return cls(message, **state)


class SocktError(Exception):
    """Base class of every sockt error.

    Attributes:
        message: the human-readable description (without status or request id).
        slug: the machine-readable error code (``"not_found"``…), or None.
        status_code: the HTTP status, or None when no response was received.
        request_id: the server's ``X-Request-Id``, or None.
        hint: the server's hint, or None.
    """

    message: str
    slug: str | None
    status_code: int | None
    request_id: str | None
    hint: str | None

    def __init__(
        self,
        message: str = "",
        *,
        slug: str | None = None,
        status_code: int | None = None,
        request_id: str | None = None,
        hint: str | None = None,
        retry_after: float | None = None,
        description: str | None = None,
    ) -> None:
        super().__init__(description if description else message)
        self.message = message
        self.slug = slug
        self.status_code = status_code
        self.request_id = request_id
        self.hint = hint
        self._retry_after = retry_after
        self._description = description

    def __str__(self) -> str:
        return self._description if self._description else self.message

    def __repr__(self) -> str:
        parts = [repr(self.message)]
        for name in ("slug", "status_code", "request_id"):
            value = getattr(self, name)
            if value is not None:
                parts.append(f"{name}={value!r}")
        return f"{type(self).__name__}({', '.join(parts)})"

    def __reduce__(self) -> tuple[Any, ...]:
        state = {
            "slug": self.slug,
            "status_code": self.status_code,
            "request_id": self.request_id,
            "hint": self.hint,
            "retry_after": self._retry_after,
            "description": self._description,
        }
        return (_rebuild, (type(self), self.message, state))


class AuthenticationError(SocktError):
    """HTTP 401/403: invalid or missing credentials, or no access to this sandbox."""


class NoCapacityError(SocktError):
    """HTTP 503 ``no_capacity``: no room for a new sandbox of this tier."""


class SandboxNotRunningError(SocktError):
    """The sandbox is not running: a wait timed out, or it failed, paused or terminated."""


class TopUpFailedError(SocktError):
    """HTTP 402: insufficient credits or an unpaid Lightning balance."""


class HostUnreachableError(SocktError):
    """HTTP 502/503: the sandbox runtime could not be reached (also every transport failure)."""


class RateLimitedError(SocktError):
    """HTTP 429: too many requests (or more than 10 concurrent executions)."""

    @property
    def retry_after(self) -> float | None:
        """Seconds the server asked to wait (``Retry-After``), or None."""
        return self._retry_after


class APIError(SocktError):
    """Any other HTTP error status."""


class SandboxStoppedError(APIError, SandboxNotRunningError):
    """HTTP 409 ``sandbox_paused`` or 410 ``sandbox_terminated``: an APIError that is also a
    SandboxNotRunningError (docs/protocol.md §12 rule 8)."""


class ConnectionError(HostUnreachableError, builtins.ConnectionError):  # noqa: A001
    """The server could not be reached: refused, reset, DNS or TLS failure, or a closed client."""


class TimeoutError(HostUnreachableError, builtins.TimeoutError):  # noqa: A001
    """A request, a wait or a shell ``recv`` exceeded its deadline."""


class CancelledError(SocktError):
    """A blocking call was cancelled."""


class InvalidArgumentError(SocktError, ValueError):
    """Bad input detected before anything was sent."""


# Each kind of error the native core raises (its names: errorKindName in core/src/errors.cpp) →
# the class raised for it. The native module reads this once, when it is loaded.
_KIND_CLASSES: dict[str, type[SocktError]] = {
    "generic": SocktError,
    "authentication": AuthenticationError,
    "top_up_failed": TopUpFailedError,
    "rate_limited": RateLimitedError,
    "no_capacity": NoCapacityError,
    "host_unreachable": HostUnreachableError,
    "sandbox_not_running": SandboxNotRunningError,
    "sandbox_stopped": SandboxStoppedError,
    "api": APIError,
    "connection": ConnectionError,
    "timeout": TimeoutError,
    "cancelled": CancelledError,
    "invalid_argument": InvalidArgumentError,
}
