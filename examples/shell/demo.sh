#!/usr/bin/env bash
# `make demo`: start a local Sockt server on a free port, create a sandbox, write a Python file,
# run it, print its output, terminate the sandbox and stop the server.
#
#   examples/shell/demo.sh [path/to/sockt]
#
# The binary defaults to $SOCKT_BIN, then build/cli/sockt, then `sockt` on PATH. Only curl and
# python3 (for JSON) are needed besides it.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
bin="${1:-${SOCKT_BIN:-}}"
if [[ -z "$bin" ]]; then
  if [[ -x "$root/build/cli/sockt" ]]; then bin="$root/build/cli/sockt"; else bin="$(command -v sockt || true)"; fi
fi
[[ -n "$bin" && -x "$bin" ]] || { echo "demo: sockt binary not found (build it with 'make build')" >&2; exit 1; }

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
"$bin" serve --port 0 --data-dir "$work/data" --boot-delay-ms 200 >"$work/stdout" 2>"$work/server.log" &
server_pid=$!
for _ in $(seq 1 100); do
  [[ -s "$work/stdout" ]] && break
  kill -0 "$server_pid" 2>/dev/null || { cat "$work/server.log" >&2; exit 1; }
  sleep 0.1
done
eval "$(head -n 1 "$work/stdout")"
echo "server:  $SOCKT_API_URL"

api() {  # api METHOD PATH [JSON]
  local args=(-sS -X "$1" -H "Authorization: Bearer $SOCKT_API_KEY")
  [[ $# -ge 3 ]] && args+=(-H "Content-Type: application/json" --data-binary "$3")
  curl "${args[@]}" "$SOCKT_API_URL$2"
}
field() { python3 -c 'import json,sys; v=json.load(sys.stdin)[sys.argv[1]]; print(v if v is not None else "")' "$1"; }

# 2. Create a sandbox and wait until it runs.
sandbox="$(api POST /v1/sandboxes '{"tier":"nano","label":"demo"}' | field sandbox_id)"
echo "sandbox: $sandbox"
for _ in $(seq 1 100); do
  [[ "$(api GET "/v1/sandboxes/$sandbox" | field status)" == running ]] && break
  sleep 0.1
done

# 3. Write a Python file into it.
program='import platform, sys
print(f"Hello from the sandbox: Python {platform.python_version()} on {sys.platform}")
print("2 ** 100 =", 2 ** 100)'
payload="$(python3 -c 'import json,sys; print(json.dumps({"path":"hello.py","content":sys.argv[1]}))' "$program")"
api POST "/v1/sandboxes/$sandbox/files/write" "$payload" >/dev/null
echo "wrote:   /home/sandbox/hello.py"

# 4. Run it and print its output (long-poll until the execution ends).
exec_id="$(api POST "/v1/sandboxes/$sandbox/exec" '{"command":"python3 hello.py"}' | field execution_id)"
echo "output:"
while :; do
  poll="$(api GET "/v1/executions/$exec_id?wait_ms=25000")"
  printf '%s' "$poll" | python3 -c '
import json, sys
r = json.load(sys.stdin)
for c in r["output"]:
    (sys.stdout if c["stream"] == "stdout" else sys.stderr).write(c["chunk"])'
  status="$(printf '%s' "$poll" | field status)"
  [[ "$status" != running ]] && break
done
echo "status:  $status (exit code $(printf '%s' "$poll" | field exit_code))"

# 5. Terminate the sandbox and stop the server.
echo "terminated: $(api DELETE "/v1/sandboxes/$sandbox" | field status)"
kill -TERM "$server_pid"
wait "$server_pid"
server_pid=""
echo "server stopped"
