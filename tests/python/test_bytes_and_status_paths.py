"""The copy-free paths of the bindings (bench/FINDINGS.md P1, P2) and their general fallbacks:
write_file_bytes reads `bytes` in place and copies every other buffer (bytearray, memoryview,
non-contiguous views, arrays of wider items); read_file_bytes hands back exact bytes, small and
large; status objects keep every field and the full `raw` answer whichever path built them."""

from __future__ import annotations

import array
import dataclasses
import hashlib
import json
import os
import urllib.request
from typing import Any

import pytest

import sockt
from sockt.models import SandboxStatus

from conftest import Server

MiB = 1024 * 1024


def _on_disk(sandbox: sockt.Sandbox, path: str, expected: bytes) -> None:
    assert sandbox.read_file_bytes(path) == expected
    out = sandbox.exec_sync(f"sha256sum {path}").stdout
    assert out.split()[0] == hashlib.sha256(expected).hexdigest()


@pytest.mark.parametrize(
    "make",
    [
        pytest.param(lambda b: b, id="bytes"),
        pytest.param(bytearray, id="bytearray"),
        pytest.param(memoryview, id="memoryview"),
        pytest.param(lambda b: memoryview(bytearray(b)), id="memoryview-of-bytearray"),
        pytest.param(lambda b: type("MyBytes", (bytes,), {})(b), id="bytes-subclass"),
    ],
)
@pytest.mark.parametrize("size", [0, 1000, 3 * MiB + 7])
def test_write_file_bytes_buffer_kinds(sandbox: sockt.Sandbox, make: Any, size: int) -> None:
    blob = os.urandom(size)
    r = sandbox.write_file_bytes("kinds/data.bin", make(blob))
    assert r["bytes_written"] == size
    _on_disk(sandbox, "kinds/data.bin", blob)


def test_write_file_bytes_views_with_offsets_and_strides(sandbox: sockt.Sandbox) -> None:
    blob = os.urandom(2 * MiB + 11)
    view = memoryview(blob)[5 : 5 + MiB + 3]
    sandbox.write_file_bytes("views/slice.bin", view)
    _on_disk(sandbox, "views/slice.bin", bytes(view))

    # Non-contiguous: copied in C order, exactly what bytes(view) gives.
    strided = memoryview(bytearray(blob))[::3]
    assert not strided.contiguous
    sandbox.write_file_bytes("views/strided.bin", strided)
    _on_disk(sandbox, "views/strided.bin", bytes(strided))

    # Items wider than a byte: the raw bytes of the buffer.
    words = array.array("H", range(1000))
    sandbox.write_file_bytes("views/words.bin", words)  # type: ignore[arg-type]
    _on_disk(sandbox, "views/words.bin", words.tobytes())

    # A 2-D view of a contiguous buffer.
    grid = memoryview(bytearray(range(256)) * 4).cast("B", (32, 32))
    sandbox.write_file_bytes("views/grid.bin", grid)
    _on_disk(sandbox, "views/grid.bin", grid.tobytes())


def test_write_file_bytes_rejects_non_buffers(sandbox: sockt.Sandbox) -> None:
    with pytest.raises(TypeError, match="not str"):
        sandbox.write_file_bytes("bad.bin", "text")  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="bytes-like"):
        sandbox.write_file_bytes("bad.bin", 42)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="bytes-like"):
        sandbox.write_file_bytes("bad.bin", None)  # type: ignore[arg-type]
    assert sandbox.exec_sync("test -e bad.bin; echo $?").stdout.strip() == "1"


def test_bytearray_changed_after_the_call_does_not_change_the_file(sandbox: sockt.Sandbox) -> None:
    data = bytearray(b"\x01" * 4096)
    sandbox.write_file_bytes("copy.bin", data)
    data[:] = b"\x02" * 10
    _on_disk(sandbox, "copy.bin", b"\x01" * 4096)


@pytest.mark.parametrize("size", [0, 1, 4096, 2 * MiB + 1])
def test_read_file_bytes_sizes(sandbox: sockt.Sandbox, size: int) -> None:
    blob = os.urandom(size)
    sandbox.write_file_bytes("sizes.bin", blob)
    back = sandbox.read_file_bytes("sizes.bin")
    assert type(back) is bytes
    assert back == blob
    if size > 3:
        assert sandbox.read_file_bytes("sizes.bin", max_bytes=3) == blob[:3]


def _server_status(server: Server, sandbox_id: str) -> dict[str, Any]:
    req = urllib.request.Request(
        f"{server.url}/v1/sandboxes/{sandbox_id}",
        headers={"Authorization": f"Bearer {server.api_key}"},
    )
    with urllib.request.urlopen(req, timeout=10) as resp:
        body = json.loads(resp.read())
    assert isinstance(body, dict)
    return body


def test_status_fields_and_raw_match_the_server_answer(
    server: Server, client: sockt.ComputeClient
) -> None:
    sb = client.create_sandbox(tier="nano", label="status-paths")
    sb.wait_until_running(timeout=30, poll_interval=0.05)
    sb.terminate()  # a terminated sandbox's answer no longer changes between two reads
    status = sb.refresh_status()
    answer = _server_status(server, sb.id)

    assert status.raw == answer
    assert type(status.raw) is dict
    names = [f.name for f in dataclasses.fields(SandboxStatus)]
    as_dict = dataclasses.asdict(status)
    assert list(as_dict) == names
    for key in ("sandbox_id", "status", "tier", "label", "billing_method", "consumed_msats"):
        assert getattr(status, key) == answer[key], key
    assert status.status == "terminated"
    assert status.pending_invoice is None

    # Two builds from the same native dict are equal, also to a copy made field by field.
    again = SandboxStatus._from_native(sb._native.refresh_status())
    assert again == status
    assert dataclasses.replace(status) == status
    # The native dict carries exactly the fields, so models._make fills the instance without
    # __init__: it must be the instance __init__ makes from the same values.
    native = sb._native.refresh_status()
    assert set(native) == set(names)
    assert SandboxStatus(**dict(native, pending_invoice=None)) == status
    assert vars(status).keys() == set(names)


def test_from_native_filters_unknown_keys_and_fills_defaults() -> None:
    minimal = {"sandbox_id": "sbx_1", "status": "running", "tier": "nano"}
    st = SandboxStatus._from_native(dict(minimal, future_field=1, pending_invoice=None))
    assert (st.sandbox_id, st.status, st.tier, st.raw, st.consumed_msats) == (
        "sbx_1", "running", "nano", {}, 0,
    )
    assert not hasattr(st, "future_field")
    invoice = {"bolt11": "lnbc1", "payment_hash": "ab", "amount_msats": 5, "extra": True}
    st = SandboxStatus._from_native(dict(minimal, pending_invoice=invoice))
    assert st.pending_invoice == sockt.PendingInvoice("lnbc1", "ab", 5, None)
    # The caller's dict is not modified by the conversion.
    source = dict(minimal, pending_invoice=invoice)
    SandboxStatus._from_native(source)
    assert source["pending_invoice"] is invoice
