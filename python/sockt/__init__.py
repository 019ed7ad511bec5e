"""sockt: the Sockt sandbox SDK on a native C++ core.

A drop-in for the official Python SDK, plus an asyncio twin of every class (``AsyncComputeClient``,
``AsyncSandbox``, ``AsyncExecution``, ``AsyncShellSession``)::

    from sockt import ComputeClient

    with ComputeClient() as client:
        sandbox = client.create_sandbox(tier="nano")
        sandbox.wait_until_running()
        print(sandbox.exec_sync("echo hello").stdout)
        sandbox.terminate()
"""

from sockt._constants import (
    DEFAULT_BASE_URL,
    DEFAULT_POLL_INTERVAL_SECS,
    DEFAULT_TIMEOUT_SECS,
    DEFAULT_WAIT_POLL_INTERVAL_SECS,
    DEFAULT_WAIT_TIMEOUT_SECS,
    POD_STARTING_BACKOFF_SECS,
    POD_STARTING_MAX_RETRIES,
)
from sockt._sockt import version as _native_version
from sockt.async_client import AsyncComputeClient
from sockt.async_execution import AsyncExecution
from sockt.async_sandbox import AsyncSandbox
from sockt.async_shell import AsyncShellSession
from sockt.client import ComputeClient
from sockt.errors import (
    APIError,
    AuthenticationError,
    CancelledError,
    ConnectionError,
    HostUnreachableError,
    InvalidArgumentError,
    NoCapacityError,
    RateLimitedError,
    SandboxNotRunningError,
    SandboxStoppedError,
    SocktError,
    TimeoutError,
    TopUpFailedError,
)
from sockt.execution import Execution
from sockt.models import (
    ExecResult,
    FileEntry,
    OutputChunk,
    PendingInvoice,
    SandboxStatus,
    Tier,
    TransferProgress,
    TransferResult,
)
from sockt.sandbox import Sandbox
from sockt.shell import ShellSession

__version__: str = _native_version()

__all__ = [
    "ComputeClient",
    "Sandbox",
    "ShellSession",
    "AsyncComputeClient",
    "AsyncSandbox",
    "AsyncExecution",
    "AsyncShellSession",
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
    "Tier",
    "SandboxStatus",
    "Execution",
    "ExecResult",
    "FileEntry",
    "PendingInvoice",
    "OutputChunk",
    "TransferProgress",
    "TransferResult",
    "DEFAULT_BASE_URL",
    "DEFAULT_TIMEOUT_SECS",
    "DEFAULT_POLL_INTERVAL_SECS",
    "DEFAULT_WAIT_POLL_INTERVAL_SECS",
    "DEFAULT_WAIT_TIMEOUT_SECS",
    "POD_STARTING_BACKOFF_SECS",
    "POD_STARTING_MAX_RETRIES",
]
