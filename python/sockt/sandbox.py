"""Sandbox: one sandbox's lifecycle, commands, files, shell and billing events (official reference
"Sandbox"). Every blocking call releases the GIL and can be interrupted with Ctrl-C."""

from __future__ import annotations

import os
import threading
from typing import TYPE_CHECKING, Any, Callable

from sockt import _sockt
from sockt._constants import (
    DEFAULT_POLL_INTERVAL_SECS,
    DEFAULT_WAIT_POLL_INTERVAL_SECS,
    DEFAULT_WAIT_TIMEOUT_SECS,
)
from sockt._sockt import DEFAULT_TRANSFER_CONCURRENCY
from sockt._exit import SyncExit
from sockt.errors import SocktError
from sockt.execution import Execution
from sockt.models import (
    ExecResult,
    FileEntry,
    PendingInvoice,
    SandboxStatus,
    TransferProgress,
    TransferResult,
)
from sockt.shell import ShellSession

if TYPE_CHECKING:
    from sockt.client import ComputeClient

__all__ = ["Sandbox"]

#: Callback of ``exec_sync(on_stdout=…, on_stderr=…)``: the text of one chunk.
OutputCallback = Callable[[str], object]
#: Callback of ``upload``/``download(on_progress=…)``.
ProgressCallback = Callable[[TransferProgress], object]


def _output_dispatch(
    on_stdout: OutputCallback | None, on_stderr: OutputCallback | None
) -> Callable[[dict[str, str]], None] | None:
    """One native output callback that hands each chunk's text to the callback of its stream."""
    if on_stdout is None and on_stderr is None:
        return None

    def deliver(chunk: dict[str, str]) -> None:
        callback = on_stdout if chunk["stream"] == "stdout" else on_stderr
        if callback is not None:
            callback(chunk["chunk"])

    return deliver


def _progress_dispatch(
    on_progress: ProgressCallback | None,
) -> Callable[[dict[str, int]], object] | None:
    if on_progress is None:
        return None
    return lambda data: on_progress(TransferProgress._from_native(data))

#: The billing events of :meth:`Sandbox.on`.
EVENTS = ("pending_invoice", "low_balance", "out_of_balance")


class _Listener:
    """One ``on(event, callback)`` registration. The core decides when it fires (once per
    invoice per listener, docs/protocol.md §12 rule 11); this only converts the payload."""

    def __init__(
        self, event: str, callback: Callable[[Any], object], user_callback: Callable[[Any], object]
    ) -> None:
        self.event = event
        self.callback = callback
        self.user_callback = user_callback

    def deliver(self, event_data: dict[str, Any]) -> None:
        # Called by the core, on the thread whose call fired the event, with the GIL held.
        invoice = PendingInvoice._from_native(event_data.get("invoice"))
        if self.event == "pending_invoice" and invoice is not None:
            self.callback(invoice)
        else:
            self.callback(event_data.get("data"))


class _SandboxBase:
    """What :class:`Sandbox` and :class:`sockt.AsyncSandbox` share: the cached state (no network
    call), billing-event listeners, and identity."""

    def __init__(self, client: object, native: _sockt.Sandbox) -> None:
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

    # --- billing events ----------------------------------------------------------------------

    def on(self, event: str, callback: Callable[[Any], object]) -> None:
        """Registers ``callback`` for a billing event: ``"pending_invoice"`` (called with a
        :class:`PendingInvoice`), ``"low_balance"`` or ``"out_of_balance"`` (called with the status
        data dict). Callbacks run on the thread whose call fired them, with the GIL held (on an
        :class:`sockt.AsyncSandbox`: on the event loop's thread)."""

        listener = _Listener(event, self._listener_target(callback), callback)
        listener_id = self._native.on(event, listener.deliver)
        with self._lock:
            self._listeners.setdefault(event, []).append((listener, listener_id))

    def off(self, event: str, callback: Callable[[Any], object]) -> None:
        """Unregisters a callback registered with :meth:`on` (no-op if it was not)."""
        with self._lock:
            # Equality, not identity: `obj.method` is a new bound-method object on every access.
            entries = self._listeners.get(event, [])
            found = next((e for e in entries if e[0].user_callback == callback), None)
            if found is None:
                return
            entries.remove(found)
        self._native.off(event, found[1])

    # --- Python protocol ---------------------------------------------------------------------

    def __repr__(self) -> str:
        return self._native.describe()

    def _listener_target(self, callback: Callable[[Any], object]) -> Callable[[Any], object]:
        return callback

    # Handles of one kind compare by id (subclasses included); a Sandbox never equals an
    # AsyncSandbox of the same id.
    _hash_tag = "sockt.Sandbox"

    def __eq__(self, other: object) -> bool:
        return (
            isinstance(other, _SandboxBase)
            and other._hash_tag == self._hash_tag
            and other.id == self.id
        )

    def __hash__(self) -> int:
        return hash((self._hash_tag, self.id))


class Sandbox(_SandboxBase, SyncExit):
    """A sandbox. Returned by :meth:`ComputeClient.create_sandbox` and
    :meth:`ComputeClient.get_sandbox`; thread-safe. As a context manager it terminates the sandbox
    on exit."""

    def __init__(self, client: ComputeClient, native: _sockt.Sandbox) -> None:
        super().__init__(client, native)

    # --- lifecycle ---------------------------------------------------------------------------

    def wait_until_running(
        self,
        timeout: float = DEFAULT_WAIT_TIMEOUT_SECS,
        poll_interval: float = DEFAULT_WAIT_POLL_INTERVAL_SECS,
    ) -> None:
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
        poll_interval: float = DEFAULT_POLL_INTERVAL_SECS,
        *,
        on_stdout: OutputCallback | None = None,
        on_stderr: OutputCallback | None = None,
    ) -> ExecResult:
        """Runs ``command`` and waits for it; the result holds all of its output. A non-zero exit
        code is a result, not an exception.

        ``on_stdout`` / ``on_stderr`` get the text of each chunk of that stream as it arrives, in
        order, on this thread (long-polling, so a chunk is there as soon as the server has it).
        An exception raised by one of them ends the wait and propagates; the command keeps
        running (:meth:`exec_cancel` stops it).
        """
        return ExecResult._from_native(
            self._native.exec_sync(
                command,
                working_dir,
                timeout_ms,
                poll_interval,
                None,
                _output_dispatch(on_stdout, on_stderr),
            )
        )

    def exec_result(self, execution_id: str) -> ExecResult:
        """One poll: the output chunks that arrived since the previous poll."""
        return ExecResult._from_native(self._native.exec_result(execution_id))

    def exec_cancel(self, execution_id: str) -> None:
        """Cancels a running execution (not an error if it already ended)."""
        self._native.exec_cancel(execution_id)

    def _exec_wait(
        self, execution_id: str, poll_interval: float | None, timeout: float | None
    ) -> ExecResult:
        return ExecResult._from_native(
            self._native.exec_wait(execution_id, poll_interval, timeout)
        )

    def _exec_next(self, execution_id: str, poll_interval: float | None) -> ExecResult:
        return ExecResult._from_native(self._native.exec_next(execution_id, poll_interval, None))

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

    def upload(
        self,
        local_path: str | os.PathLike[str],
        remote_path: str,
        *,
        concurrency: int = DEFAULT_TRANSFER_CONCURRENCY,
        preserve_mode: bool = True,
        on_progress: ProgressCallback | None = None,
    ) -> TransferResult:
        """Copies a local file or directory to ``remote_path``, which becomes that copy.

        A directory's files land under ``remote_path`` itself (``upload("src", "up")`` gives
        ``up/a.txt``, not ``up/src/a.txt``), recursively, ``concurrency`` files at a time.
        Binary-safe; each file is read from disk while it is sent, never whole in memory. Mode
        bits other than 0644 (files) / 0755 (directories) and empty directories are applied with
        one command in the sandbox (``preserve_mode=False`` skips the modes). ``on_progress``
        gets a :class:`TransferProgress` on this thread as bytes move.
        """
        return TransferResult._from_native(
            self._native.upload(
                os.fspath(local_path),
                remote_path,
                concurrency,
                preserve_mode,
                _progress_dispatch(on_progress),
            )
        )

    def download(
        self,
        remote_path: str,
        local_path: str | os.PathLike[str],
        *,
        concurrency: int = DEFAULT_TRANSFER_CONCURRENCY,
        preserve_mode: bool = True,
        on_progress: ProgressCallback | None = None,
    ) -> TransferResult:
        """Copies a remote file or directory to ``local_path``, which becomes that copy
        (existing files are replaced, others left alone; remote symlinks are skipped).

        Each file is written under a temporary name and renamed, so a failure leaves no partial
        file. With ``preserve_mode`` the remote mode bits are read with one command and applied.
        """
        return TransferResult._from_native(
            self._native.download(
                remote_path,
                os.fspath(local_path),
                concurrency,
                preserve_mode,
                _progress_dispatch(on_progress),
            )
        )

    def shell(self) -> ShellSession:
        """A new interactive shell; call ``connect()`` or use it as a context manager."""
        return ShellSession(self._native.shell(), self.id)

    # --- Python protocol ---------------------------------------------------------------------

    def __enter__(self) -> Sandbox:
        return self

    def _on_exit_sync(self, exc: BaseException | None) -> None:
        try:
            self.terminate()
        except SocktError:
            if exc is None:
                raise  # otherwise the block's own exception is the one to see


