"""Binary files without base64 by hand: write_file_bytes / read_file_bytes."""

from __future__ import annotations

import hashlib
import os

from sockt import ComputeClient


def main() -> None:
    payload = os.urandom(1 << 16)
    with ComputeClient() as client, client.create_sandbox(tier="nano") as sandbox:
        sandbox.wait_until_running()
        sandbox.write_file_bytes("data/blob.bin", payload)
        remote = sandbox.exec_sync("sha256sum data/blob.bin").stdout.split()[0]
        assert remote == hashlib.sha256(payload).hexdigest()
        assert sandbox.read_file_bytes("data/blob.bin") == payload
        print(f"round-tripped {len(payload)} bytes, sha256 {remote[:16]}…")


if __name__ == "__main__":
    main()
