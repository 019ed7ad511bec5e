"""The dataclasses of sockt.models against the model table bindings/models/fields.hpp.

The native converters are expanded from that table, so a dataclass that names a field the table
does not (or types it differently, or misses one) would be filled wrongly or not at all; this
test fails first. It also checks what the converters really hand out for a live status."""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path

import pytest

import sockt
from sockt import models

TABLE = Path(__file__).resolve().parents[2] / "bindings" / "models" / "fields.hpp"

# Kind of the table → the annotation a dataclass field of that kind carries.
PY_TYPES = {
    "Str": "str",
    "Int": "int",
    "Float": "float",
    "Bool": "bool",
    "Count": "int",
    "OptStr": "str | None",
    "OptInt": "int | None",
    "OptFloat": "float | None",
    "Json": "dict[str, Any]",
    "OptJson": "dict[str, Any] | None",
    "Invoice": "PendingInvoice | None",
    "Chunks": "list[dict[str, str]]",
}

# Table models with a dataclass in sockt.models. OutputChunk is the streamed (stream, data) pair,
# not the table's (stream, chunk) dict, so it has no counterpart here.
DATACLASSES = ["Tier", "PendingInvoice", "SandboxStatus", "ExecResult", "FileEntry",
               "TransferProgress", "TransferResult"]


def read_table() -> dict[str, list[tuple[str, str, str, str]]]:
    """model → [(snake, camel, kind, fronts)] in table order."""
    table: dict[str, list[tuple[str, str, str, str]]] = {}
    current: list[tuple[str, str, str, str]] | None = None
    for line in TABLE.read_text().splitlines():
        start = re.match(r"#define SOCKT_MODEL_(\w+)\(F\)", line)
        if start:
            current = table.setdefault(start.group(1), [])
            continue
        row = re.match(r"\s*F\(([^,]+), (\w+), (\w+), (\w+), (\w+)\)", line)
        if row and current is not None:
            current.append((row.group(2), row.group(3), row.group(4), row.group(5)))
        if not line.rstrip().endswith("\\"):
            current = None
    return table


def python_rows(model: str) -> list[tuple[str, str]]:
    return [(snake, PY_TYPES[kind]) for snake, _, kind, fronts in read_table()[model]
            if fronts != "JsOnly"]


def test_table_is_read() -> None:
    table = read_table()
    assert len(table) >= 11 and all(table.values())
    assert all(kind in PY_TYPES for rows in table.values() for _, _, kind, _ in rows)


@pytest.mark.parametrize("model", DATACLASSES)
def test_dataclass_matches_table(model: str) -> None:
    cls = getattr(models, model)
    fields = {f.name: str(f.type) for f in dataclasses.fields(cls)}
    assert sorted(fields.items()) == sorted(python_rows(model))


def test_every_model_with_a_front_carries_raw() -> None:
    for model, rows in read_table().items():
        if any(snake == "raw" for snake, *_ in rows):
            continue
        # Plain value groups without a JSON object of their own.
        assert model in {"OutputChunk", "BillingEvent", "TransferProgress", "TransferResult"}


def test_converters_hand_out_the_table_fields(client: sockt.ComputeClient) -> None:
    tiers = client.list_tiers()
    assert tiers and tiers[0].raw["msats_per_second"] == tiers[0].msats_per_second


def test_file_entries_and_invoices_carry_raw(sandbox: sockt.Sandbox,
                                             lightning: sockt.Sandbox) -> None:
    sandbox.write_file("t/a.txt", "x")
    [entry] = sandbox.list_files("t")
    assert entry.raw["name"] == entry.name == "a.txt"
    invoice = lightning.pending_invoice
    assert invoice is not None and invoice.raw["bolt11"] == invoice.bolt11
