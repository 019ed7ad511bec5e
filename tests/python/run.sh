#!/usr/bin/env bash
# Python suite: installs the package the way users do into a fresh virtual
# environment (the wheel in $SOCKT_WHEEL, which `make test-python` sets to dist/'s repaired wheel;
# else `pip install .`), then runs pytest on tests/python (with the official MCP SDK installed for
# the MCP tests), `mypy --strict examples/python/` and stubtest on sockt._sockt. SOCKT_BIN points
# at the built CLI.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
VENV="${SOCKT_TEST_VENV:-$ROOT/build/venv-test}"
# mcp: the official MCP Python SDK, whose client test_mcp_official.py drives against sockt serve.
bash "$ROOT/tests/support/install_python_package.sh" "$VENV" pytest mypy "mcp==2.3.0"

# Run from outside the source tree so `import sockt` is the installed package, not python/sockt.
cd "$ROOT/tests/python"
"$VENV/bin/python" - <<'PY'
import sockt, os
assert "site-packages" in sockt.__file__, sockt.__file__
print(f"run.sh: testing sockt {sockt.__version__} from {os.path.dirname(sockt.__file__)}")
PY

status=0
set +e
"$VENV/bin/python" -m pytest -p no:cacheprovider -q "$ROOT/tests/python" "$@"
rc=$?
set -e
if [ "$rc" -eq 5 ]; then
    echo "run.sh: pytest collected no tests" >&2
    status=1
elif [ "$rc" -ne 0 ]; then
    status=$rc
fi

echo "run.sh: mypy --strict examples/python/"
(cd "$ROOT" && "$VENV/bin/python" -m mypy --strict --no-incremental examples/python/) || status=1

echo "run.sh: stubtest sockt._sockt"
"$VENV/bin/python" -m mypy.stubtest --allowlist "$ROOT/tests/python/stubtest-allowlist.txt" sockt._sockt || status=1

exit "$status"
