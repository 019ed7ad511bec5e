"""An interactive shell over WebSocket: send lines, read frames, resize."""

from __future__ import annotations

from typing import Any

from sockt import ComputeClient


def main() -> None:
    with ComputeClient() as client, client.create_sandbox(tier="nano") as sandbox:
        sandbox.wait_until_running()
        with sandbox.shell() as sh:
            sh.resize(cols=120, rows=40)
            sh.send_line("stty size; echo done-$((1+1))")
            seen = ""
            while "done-2" not in seen:
                frame: dict[str, Any] = sh.recv(timeout=10.0)
                if frame["type"] == "stdout":
                    seen += frame["data"]
            print(seen)


if __name__ == "__main__":
    main()
