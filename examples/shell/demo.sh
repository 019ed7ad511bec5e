#!/usr/bin/env bash
# `make demo`: start a local Sockt server on a free port and run the Python SDK's quick start
# (examples/python/quickstart.py) against it: create a sandbox, write a Python file, run it, list
# files, terminate. Then stop the server.
#
#   examples/shell/demo.sh [path/to/sockt]
#
# The binary defaults to $SOCKT_BIN, then build/cli/sockt, then `sockt` on PATH; the Python
# interpreter to $PYTHON, then python3. `make demo` puts the freshly built module on PYTHONPATH.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
bin="${1:-${SOCKT_BIN:-}}"
if [[ -z "$bin" ]]; then
  if [[ -x "$root/build/cli/sockt" ]]; then bin="$root/build/cli/sockt"; else bin="$(command -v sockt || true)"; fi
fi
[[ -n "$bin" && -x "$bin" ]] || { echo "demo: sockt binary not found (make demo builds it)" >&2; exit 1; }
python="${PYTHON:-python3}"

work="$(mktemp -d "${TMPDIR:-/tmp}/sockt-demo.XXXXXX")"
server_pid=""
cleanup() {
  if [[ -n "$server_pid" ]] && kill -0 "$server_pid" 2>/dev/null; then
    kill -TERM "$server_pid" 2>/dev/null || true
    wait "$server_pid" 2>/dev/null || true
  fi
  rm -rf "$work"
}
trap cleanup EXIT

# 1. Start the server; its first stdout line is the export line with URL and API key.
mkfifo "$work/stdout"
"$bin" serve --port 0 --data-dir "$work/data" --boot-delay-ms 200 >"$work/stdout" 2>"$work/server.log" &
server_pid=$!
exec 3<"$work/stdout"
read -r -t 30 export_line <&3 || { cat "$work/server.log" >&2; echo "demo: sockt serve did not start" >&2; exit 1; }
eval "$export_line"
echo "\$ sockt serve --port 0        # $SOCKT_API_URL"

# 2. The Python quick start, unchanged, with SOCKT_API_URL / SOCKT_API_KEY from the server.
echo "\$ python examples/python/quickstart.py"
"$python" "$root/examples/python/quickstart.py"

# 3. Stop the server.
kill -TERM "$server_pid"
wait "$server_pid" || true
server_pid=""
echo "server stopped"
