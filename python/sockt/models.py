"""Result types (official reference "Data models"). Plain dataclasses built from the values the
native core parsed (the lenient parsing rules of docs/protocol.md §12 live in the core).

Their fields are those of the model table bindings/models/fields.hpp, which the native converters
expand; tests/python/test_model_table.py fails when a dataclass and the table disagree."""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from typing import Any, TypeVar

from sockt import _sockt

__all__ = [
    "Tier",
    "PendingInvoice",
    "SandboxStatus",
    "ExecResult",
    "FileEntry",
    "OutputChunk",
    "TransferProgress",
    "TransferResult",
]

_T = TypeVar("_T")


# Field names per dataclass, computed once: dataclasses.fields() builds a tuple on every call,
# which was a third of the Python time of a status call (bench/FINDINGS.md P2).
_FIELD_NAMES: dict[type, frozenset[str]] = {}


def _field_names(cls: type) -> frozenset[str]:
    names = _FIELD_NAMES.get(cls)
    if names is None:
        names = _FIELD_NAMES[cls] = frozenset(f.name for f in fields(cls))
    return names


def _make(cls: type[_T], values: dict[str, Any]) -> _T:
    """An instance of the dataclass ``cls`` holding ``values``.

    The native dicts carry exactly the fields, so they are copied into the instance's ``__dict__``
    in one C-level step: the generated ``__init__`` would bind 27 keyword arguments one by one,
    two thirds of the Python time of a status call. None of these classes has ``__post_init__``
    or slots, so the instance is the one ``__init__`` would make. Otherwise unknown keys are
    dropped and ``__init__`` fills in the defaults.
    """
    names = _field_names(cls)
    if len(values) == len(names) and names.issuperset(values):
        obj = object.__new__(cls)
        obj.__dict__.update(values)
        return obj
    return cls(**{k: v for k, v in values.items() if k in names})


@dataclass
class Tier:
    """A sandbox tier with its prices."""

    name: str
    msats_per_second: int = 0
    sats_per_second: float = 0.0
    usd_cents_per_second: float = 0.0
    cost_per_minute_sats: float = 0.0
    cost_per_hour_sats: float = 0.0
    cost_per_day_sats: float = 0.0
    cost_per_hour_usd: float = 0.0
    # Beyond the reference: the object as received, as on every model.
    raw: dict[str, Any] = field(default_factory=dict, repr=False)

    @classmethod
    def _from_native(cls, data: dict[str, Any]) -> Tier:
        return _make(cls, data)


@dataclass
class PendingInvoice:
    """A Lightning invoice awaiting payment."""

    bolt11: str
    payment_hash: str
    amount_msats: int = 0
    expires_at: str | None = None
    raw: dict[str, Any] = field(default_factory=dict, repr=False)

    @classmethod
    def _from_native(cls, data: dict[str, Any] | None) -> PendingInvoice | None:
        if data is None:
            return None
        return _make(cls, data)


@dataclass(repr=False)
class SandboxStatus:
    """The full state of a sandbox (``GET /v1/sandboxes/{id}``)."""

    sandbox_id: str
    status: str
    tier: str
    runtime: str = ""
    billing_method: str = ""
    template: str = ""
    consumed_msats: int = 0
    msats_per_second: int | None = None
    sats_per_second: float | None = None
    prepaid_balance_msats: int | None = None
    seconds_remaining: int | None = None
    warning_level: str | None = None
    next_poll_secs: int | None = None
    pending_invoice: PendingInvoice | None = None
    sandbox_token: str | None = None
    raw: dict[str, Any] = field(default_factory=dict)
    # Beyond the reference: the rest of the status body (docs/protocol.md §2.3).
    label: str | None = None
    status_reason: str | None = None
    created_at: str | None = None
    terminated_at: str | None = None
    metrics_stale: bool = False
    runtime_consumed_total: int | None = None
    invoice: str | None = None
    usd_cents_per_second: float | None = None
    consumed_subcents: int | None = None
    prepaid_balance_subcents: int | None = None

    @classmethod
    def _from_native(cls, data: dict[str, Any]) -> SandboxStatus:
        made = _make(cls, data)
        made.pending_invoice = PendingInvoice._from_native(data.get("pending_invoice"))
        return made

    def __repr__(self) -> str:
        # Token-free (docs/protocol.md §12 rule 7): the token is redacted and `raw` is left out.
        token = _sockt.redact(self.sandbox_token) if self.sandbox_token else None
        return (
            f"SandboxStatus(sandbox_id={self.sandbox_id!r}, status={self.status!r}, "
            f"tier={self.tier!r}, billing_method={self.billing_method!r}, "
            f"warning_level={self.warning_level!r}, seconds_remaining={self.seconds_remaining!r}, "
            f"pending_invoice={self.pending_invoice!r}, sandbox_token={token!r})"
        )


@dataclass
class ExecResult:
    """Output and state of an execution.

    From :meth:`Sandbox.exec_result`: the chunks that arrived since the previous poll. From
    :meth:`Sandbox.exec_sync` or :meth:`Execution.wait`: every chunk of the execution.
    """

    execution_id: str
    status: str
    output: list[dict[str, str]] = field(default_factory=list)
    exit_code: int | None = None
    error: str | None = None
    pending_invoice: PendingInvoice | None = None
    # Beyond the reference (docs/protocol.md §2.8).
    sandbox_id: str | None = None
    started_at: str | None = None
    finished_at: str | None = None
    raw: dict[str, Any] = field(default_factory=dict, repr=False)

    @property
    def stdout(self) -> str:
        """Every ``stdout`` chunk, joined."""
        return "".join(c["chunk"] for c in self.output if c.get("stream") == "stdout")

    @property
    def stderr(self) -> str:
        """Every ``stderr`` chunk, joined."""
        return "".join(c["chunk"] for c in self.output if c.get("stream") != "stdout")

    @property
    def finished(self) -> bool:
        """True once the status is terminal (anything but ``running``)."""
        return self.status != "running"

    @classmethod
    def _from_native(cls, data: dict[str, Any]) -> ExecResult:
        made = _make(cls, data)
        made.pending_invoice = PendingInvoice._from_native(data.get("pending_invoice"))
        return made


@dataclass
class FileEntry:
    """One entry of a directory listing."""

    name: str
    size: int = 0
    mod_ts: int = 0
    is_dir: bool = False
    # Beyond the reference (docs/protocol.md §5.3).
    is_file: bool = False
    is_symlink: bool = False
    raw: dict[str, Any] = field(default_factory=dict, repr=False)

    @classmethod
    def _from_native(cls, data: dict[str, Any]) -> FileEntry:
        return _make(cls, data)


@dataclass(frozen=True)
class OutputChunk:
    """One piece of a command's output as it arrived (iterating an execution yields these)."""

    stream: str
    """``"stdout"`` or ``"stderr"``."""
    data: str

    @classmethod
    def _from_native(cls, chunk: dict[str, str]) -> OutputChunk:
        return cls(chunk["stream"], chunk["chunk"])


@dataclass(frozen=True)
class TransferProgress:
    """Where an upload or download stands (passed to ``on_progress``)."""

    bytes_done: int
    bytes_total: int
    files_done: int
    files_total: int

    @classmethod
    def _from_native(cls, data: dict[str, int]) -> TransferProgress:
        return cls(data["bytes_done"], data["bytes_total"], data["files_done"], data["files_total"])


@dataclass(frozen=True)
class TransferResult:
    """What an upload or download moved."""

    files: int
    """Regular files written."""
    directories: int
    """Directories of the copy (its root included), 0 for a single file."""
    bytes: int
    """Content bytes of those files."""

    @classmethod
    def _from_native(cls, data: dict[str, int]) -> TransferResult:
        return cls(data["files"], data["directories"], data["bytes"])
