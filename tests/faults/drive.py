"""The Python front of the fault matrix (docs/faults.md): ``drive.py <op> <base_url> <timeout_ms>
[file]`` runs one operation with the installed ``sockt`` package against the fault fixture and
prints one JSON line, as fault_driver.cpp does for the core."""

import json
import sys
import time

import sockt


def main() -> None:
    op, base_url, timeout_ms = sys.argv[1], sys.argv[2], int(sys.argv[3])
    out: dict[str, object] = {}
    start = time.monotonic()
    try:
        client = sockt.ComputeClient(
            api_key="sk_faults", base_url=base_url, timeout=timeout_ms / 1000
        )
        if op == "create":
            out["status"] = client.create_sandbox("nano").status
        elif op == "status":
            out["status"] = client.get_sandbox("sbx-faults").status
        elif op == "exec":
            result = client.get_sandbox("sbx-faults").exec_sync("echo hi")
            out.update(status=result.status, exit_code=result.exit_code, stdout=result.stdout)
        elif op == "write":
            with open(sys.argv[4], encoding="utf-8") as f:
                content = f.read()
            client.get_sandbox("sbx-faults").write_file("/home/sandbox/big.txt", content)
        else:
            raise SystemExit(f"unknown operation {op}")
        out["ok"] = True
    except sockt.SocktError as e:
        out = {
            "ok": False,
            "error": type(e).__name__,
            "message": e.message,
            "status_code": e.status_code,
            "retry_after": getattr(e, "retry_after", None),
        }
    out["elapsed"] = time.monotonic() - start
    print(json.dumps(out), flush=True)


main()
