#!/usr/bin/env bash
# End-to-end tests of the `sockt` CLI against a real `sockt serve` (docs/protocol.md §10).
# Usage: SOCKT_BIN=<build>/cli/sockt bash tests/e2e/run.sh [pytest args]
# Exits non-zero on any failure and when no test ran (pytest exit code 5).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
if [[ -z "${SOCKT_BIN:-}" ]]; then
    echo "run.sh: set SOCKT_BIN to the sockt binary (e.g. build/cli/sockt)" >&2
    exit 2
fi
if [[ ! -x "$SOCKT_BIN" ]]; then
    echo "run.sh: SOCKT_BIN=$SOCKT_BIN is not an executable" >&2
    exit 2
fi
export SOCKT_BIN="$(cd "$(dirname "$SOCKT_BIN")" && pwd)/$(basename "$SOCKT_BIN")"
if ! python3 -c 'import pytest' 2>/dev/null; then
    python3 -m pip install -q --disable-pip-version-check pytest
fi
cd "$here"
exec python3 -m pytest -q -p no:cacheprovider "$@" .
