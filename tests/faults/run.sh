#!/usr/bin/env bash
# The client fault matrix (docs/faults.md), as `make test-faults` runs it: the fault fixture
# (fault_server.py) in front of each front — the C++ core (sockt_fault_driver from the build
# tree), the CLI ($SOCKT_BIN), Python (the wheel in $SOCKT_WHEEL, installed into a venv of its
# own) and Node (node/dist with the addon staged by `make npm-package`) — one pytest run.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
BUILD="${BUILD_DIR:-$ROOT/build}"
VENV="${SOCKT_FAULTS_VENV:-$BUILD/venv-faults}"
bash "$ROOT/tests/support/install_python_package.sh" "$VENV" pytest

export SOCKT_BIN="${SOCKT_BIN:-$BUILD/cli/sockt}"
export SOCKT_FAULT_DRIVER="$BUILD/tests/faults/sockt_fault_driver"
export FAULTS_PYTHON="$VENV/bin/python"
for f in "$SOCKT_BIN" "$SOCKT_FAULT_DRIVER" "$ROOT/node/dist/index.js"; do
    [ -e "$f" ] || { echo "run.sh: $f is missing (make build npm-package first)" >&2; exit 1; }
done

# From the suite's folder, so `import sockt` in drive.py is the installed package.
cd "$ROOT/tests/faults"
log=$(mktemp)
trap 'rm -f "$log"' EXIT
set +e
"$VENV/bin/python" -m pytest -p no:cacheprovider -q -rf "$@" . 2>&1 | tee "$log"
rc=${PIPESTATUS[0]}
set -e
summary=$(grep -E '^(=+ )?[0-9]+ (passed|failed)' "$log" | tail -1 | sed 's/=//g')
echo "fault matrix (4 fronts): ${summary:-no summary}"
[ "$rc" -eq 5 ] && { echo "run.sh: pytest collected no tests" >&2; exit 1; }
exit "$rc"
