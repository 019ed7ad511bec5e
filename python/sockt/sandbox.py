"""Sandbox: one sandbox's lifecycle, commands, files, shell and billing events (official reference
"Sandbox"). Every blocking call releases the GIL and can be interrupted with Ctrl-C."""

from __future__ import annotations

import threading
from types import TracebackType
from typing import TYPE_CHECKING, Any, Callable

from sockt import _sockt
from sockt.errors import SocktError
from sockt.execution import Execution
from sockt.models import ExecResult, FileEntry, PendingInvoice, SandboxStatus
from sockt.shell import ShellSession

if TYPE_CHECKING:
    from sockt.client import ComputeClient

__all__ = ["Sandbox"]

#: The billing events of :meth:`Sandbox.on`.
EVENTS = ("pending_invoice", "low_balance", "out_of_balance")


class _Listener:
    """One ``on(event, callback)`` registration. The core decides when it fires (once per
    invoice per listener, docs/protocol.md §12 rule 11); this only converts the payload."""

    def __init__(self, event: str, callback: Callable[[Any], object]) -> None:
        self.event = event
        self.callback = callback

    def deliver(self, event_data: dict[str, Any]) -> None:
        # Called by the core, on the thread whose call fired the event, with the GIL held.
        invoice = PendingInvoice._from_native(event_data.get("invoice"))
        if self.event == "pending_invoice" and invoice is not None:
            self.callback(invoice)
        else:
            self.callback(event_data.get("data"))


class Sandbox:
    """A sandbox. Returned by :meth:`ComputeClient.create_sandbox` and
    :meth:`ComputeClient.get_sandbox`; thread-safe. As a context manager it terminates the sandbox
    on exit."""

    def __init__(self, client: ComputeClient, native: _sockt.Sandbox) -> None:
        self._client = client
        self._native = native
        self._listeners: dict[str, list[tuple[_Listener, int]]] = {}
        self._lock = threading.Lock()

    # --- properties -------------------------------------------------------------------------

    @property
    def id(self) -> str:
        """The sandbox id."""
        return self._native.id

    @property
    def status(self) -> str:
        """The last known lifecycle state (``refresh_status()`` updates it)."""
        return self._native.status

    @property
    def pending_invoice(self) -> PendingInvoice | None:
        """The Lightning invoice to pay, if any (from the create answer or the last status)."""
        return PendingInvoice._from_native(self._native.pending_invoice)

    @property
    def sandbox_token(self) -> str | None:
        """The sandbox token (``sbx_…``) issued for a Lightning sandbox. A secret: never logged."""
        return self._native.sandbox_token

    # --- lifecycle ---------------------------------------------------------------------------

    def wait_until_running(self, timeout: float = 120.0, poll_interval: float = 2.0) -> None:
        """Blocks until the sandbox is ``running``.

        Raises :class:`SandboxNotRunningError` on timeout, or when the sandbox fails or is
        terminated.
        """
        # Every poll of the core's wait goes through the status path, so billing listeners hear
        # about an invoice while the wait runs (the official SDK's wait loop does the same).
        self._native.wait_until_running(timeout, poll_interval)

    def refresh_status(self) -> SandboxStatus:
        """Fetches the status, updates this handle and fires billing events.

        ``pending_invoice`` listeners are called once per invoice: also for an invoice that was
        already outstanding when they were registered (the reference's ``on(...)`` then
        ``refresh_status()`` example), never twice for the same ``payment_hash``.
        """
        return SandboxStatus._from_native(self._native.refresh_status())

    def pause(self) -> None:
        """Pauses the sandbox: its processes are frozen and billing stops."""
        self._native.pause()

    def resume(self) -> None:
        """Resumes a paused sandbox."""
        self._native.resume()

    def terminate(self, lightning_address: str | None = None) -> dict[str, Any]:
        """Destroys the sandbox; returns the server's answer (with the refund)."""
        result: dict[str, Any] = self._native.terminate(lightning_address)
        return result

    # --- commands ----------------------------------------------------------------------------

    def exec(
        self, command: str, working_dir: str | None = None, timeout_ms: int | None = None
    ) -> Execution:
        """Starts ``command`` (``/bin/bash -lc``) and returns at once.

        The :class:`Execution` also waits on demand: ``sandbox.exec(cmd).stdout`` blocks until the
        command has finished.
        """
        return Execution(self, self._native.exec(command, working_dir, timeout_ms))

    def exec_sync(
        self,
        command: str,
        working_dir: str | None = None,
        timeout_ms: int | None = None,
        poll_interval: float = 0.5,
    ) -> ExecResult:
        """Runs ``command`` and waits for it; the result holds all of its output. A non-zero exit
        code is a result, not an exception."""
        return ExecResult._from_native(
            self._native.exec_sync(command, working_dir, timeout_ms, poll_interval, None)
        )

    def exec_result(self, execution_id: str) -> ExecResult:
        """One poll: the output chunks that arrived since the previous poll."""
        return ExecResult._from_native(self._native.exec_result(execution_id))

    def exec_cancel(self, execution_id: str) -> None:
        """Cancels a running execution (not an error if it already ended)."""
        self._native.exec_cancel(execution_id)

    def _exec_wait(
        self, execution_id: str, poll_interval: float, timeout: float | None
    ) -> ExecResult:
        return ExecResult._from_native(
            self._native.exec_wait(execution_id, poll_interval, timeout)
        )

    # --- files -------------------------------------------------------------------------------

    def write_file(
        self, path: str, content: str, encoding: str = "utf8", create_dirs: bool = True
    ) -> dict[str, Any]:
        """Writes ``content`` (text, or base64 with ``encoding="base64"``) to ``path``."""
        result: dict[str, Any] = self._native.write_file(path, content, encoding, create_dirs)
        return result

    def read_file(self, path: str, encoding: str = "utf8", max_bytes: int | None = None) -> str:
        """Reads ``path`` as text, or as base64 with ``encoding="base64"``."""
        return self._native.read_file(path, encoding, max_bytes)

    def write_file_bytes(
        self, path: str, data: bytes | bytearray | memoryview, create_dirs: bool = True
    ) -> dict[str, Any]:
        """Writes raw bytes (base64 on the wire, done for you).

        ``bytes`` are read in place; a ``bytearray``, ``memoryview`` or other buffer is copied
        first (also a non-contiguous one, in C order), since it may change during the upload.
        """
        result: dict[str, Any] = self._native.write_file_bytes(path, data, create_dirs)
        return result

    def read_file_bytes(self, path: str, max_bytes: int | None = None) -> bytes:
        """Reads the exact bytes of ``path``."""
        return self._native.read_file_bytes(path, max_bytes)

    def list_files(
        self, path: str = ".", recursive: bool = False, max_depth: int | None = None
    ) -> list[FileEntry]:
        """Lists a directory (``recursive=True`` descends, ``max_depth`` limits the depth)."""
        return [FileEntry._from_native(e) for e in self._native.list_files(path, recursive, max_depth)]

    # --- shell and events --------------------------------------------------------------------

    def shell(self) -> ShellSession:
        """A new interactive shell; call ``connect()`` or use it as a context manager."""
        return ShellSession(self._native.shell(), self.id)

    def on(self, event: str, callback: Callable[[Any], object]) -> None:
        """Registers ``callback`` for a billing event: ``"pending_invoice"`` (called with a
        :class:`PendingInvoice`), ``"low_balance"`` or ``"out_of_balance"`` (called with the status
        data dict). Callbacks run on the thread whose call fired them, with the GIL held."""

        listener = _Listener(event, callback)
        listener_id = self._native.on(event, listener.deliver)
        with self._lock:
            self._listeners.setdefault(event, []).append((listener, listener_id))

    def off(self, event: str, callback: Callable[[Any], object]) -> None:
        """Unregisters a callback registered with :meth:`on` (no-op if it was not)."""
        with self._lock:
            # Equality, not identity: `obj.method` is a new bound-method object on every access.
            entries = self._listeners.get(event, [])
            found = next((e for e in entries if e[0].callback == callback), None)
            if found is None:
                return
            entries.remove(found)
        self._native.off(event, found[1])

    # --- Python protocol ---------------------------------------------------------------------

    def __enter__(self) -> Sandbox:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        try:
            self.terminate()
        except SocktError:
            if exc is None:
                raise  # otherwise the block's own exception is the one to see

    def __repr__(self) -> str:
        return self._native.describe()

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Sandbox) and other.id == self.id

    def __hash__(self) -> int:
        return hash(("sockt.Sandbox", self.id))
