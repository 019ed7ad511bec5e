#!/usr/bin/env bash
# `install_python_package.sh VENV [REQUIREMENT…]`: installs the sockt package the way users do
# into the virtual environment VENV (made with $PYTHON when missing): the REQUIREMENTs first, then
# the wheel in $SOCKT_WHEEL (`make test-python` and `make test-faults` set it to dist/'s repaired
# wheel), else `pip install <repository>`.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
VENV="$1"
shift
export CMAKE_BUILD_PARALLEL_LEVEL="${CMAKE_BUILD_PARALLEL_LEVEL:-2}"

[ -x "$VENV/bin/python" ] || "${PYTHON:-python3}" -m venv "$VENV"
PIP=("$VENV/bin/python" -m pip --disable-pip-version-check -q)
"${PIP[@]}" install --upgrade pip >/dev/null || echo "install: could not upgrade pip; continuing" >&2
[ "$#" -eq 0 ] || "${PIP[@]}" install "$@"
if [ -n "${SOCKT_WHEEL:-}" ]; then
    echo "install: pip install $SOCKT_WHEEL"
    "${PIP[@]}" install --force-reinstall --no-deps "$SOCKT_WHEEL"
else
    echo "install: pip install $ROOT"
    "${PIP[@]}" install "$ROOT"
fi
