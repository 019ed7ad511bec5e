"""Quick start: create a sandbox, run a command, read a file, clean up.

    eval "$(sockt serve --port 0 &)"   # or export SOCKT_API_URL / SOCKT_API_KEY yourself
    python examples/python/quickstart.py
"""

from __future__ import annotations

from sockt import ComputeClient


def main() -> None:
    with ComputeClient() as client:  # SOCKT_API_KEY / SOCKT_API_URL from the environment
        with client.create_sandbox(tier="nano", label="quickstart") as sandbox:  # terminates on exit
            sandbox.wait_until_running()
            sandbox.write_file("hello.py", 'print("Hello from Sockt!")')
            result = sandbox.exec_sync("python3 hello.py")
            print(result.stdout, end="")
            print(f"exit code: {result.exit_code}")
            # The API overview's form: exec() returns at once; .stdout waits for the command.
            print(sandbox.exec("uname -s").stdout, end="")
            for entry in sandbox.list_files():
                print(f"{'d' if entry.is_dir else '-'} {entry.size:>8} {entry.name}")


if __name__ == "__main__":
    main()
