#!/usr/bin/env bash
# `make bench`: prepares every implementation and reference, then bench/driver.py
# measures them against one `sockt serve` and writes bench/results/latest.{md,json}.
#
# What is measured, each built or installed the way its users get it:
#   C++ core      build-bench (Release), installed, consumed by bench/CMakeLists.txt via
#                 find_package(sockt)
#   Python, ours  `pip install .` into bench/.venv-ours (Release wheel build)
#   Python, ref.  the official SDK sockt==0.2.0 from PyPI in bench/.venv-official (it has our
#                 import name, so it never shares a venv with ours)
#   Node, ours    @sockt/client: node/src compiled by tsc, the addon built in build-bench
#   Node, ref.    bench/workers/node_worker.cjs --impl fetch (global fetch, keep-alive)
#   ceilings      wrk -t1 -c1 on the same status endpoint; bench/ceiling/transfer_ceiling (the
#                 least work moving a file's bytes along the files route) and exec_floor
#                 (`bash -lc true` started straight inside the sandbox), built with sockt_bench
#
# Environment: BENCH_BUILD_DIR (default build-bench), BENCH_JOBS (default 2),
# BENCH_ARGS (extra driver flags, e.g. "--quick" or "--only status,exec_true"),
# BENCH_QUIET_WAIT (default 120: seconds to wait at most for a quiet machine before measuring).
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BENCH=$ROOT/bench
BUILD=${BENCH_BUILD_DIR:-$ROOT/build-bench}
JOBS=${BENCH_JOBS:-2}
PYTHON=${PYTHON:-python3}
OFFICIAL_VERSION=0.2.0
T0=$SECONDS

log() { printf 'bench: %s\n' "$*" >&2; }
die() { log "$*"; exit 1; }

log "load average at start: $(cut -d' ' -f1-3 /proc/loadavg) ($(nproc) cores)"
for tool in cmake ninja node npm wrk "$PYTHON"; do
    command -v "$tool" >/dev/null || die "$tool not found; run \`make setup\` first"
done

# --- C++: the core, `sockt serve` and the Node addon, Release ---------------------------------
if [[ ! -d $ROOT/node_modules/node-addon-api ]]; then
    log "npm install (headers for the Node addon and tsc)"
    (cd "$ROOT" && npm install --no-audit --no-fund --ignore-scripts >/dev/null)
fi
log "building core, sockt serve and the Node addon (Release) in $BUILD"
cmake -S "$ROOT" -B "$BUILD" -G Ninja -DCMAKE_BUILD_TYPE=Release -DSOCKT_BUILD_TESTS=OFF \
    -DSOCKT_BUILD_NODE=ON -DSOCKT_BUILD_PYTHON=OFF -DCMAKE_INSTALL_PREFIX="$BUILD/install" >/dev/null
cmake --build "$BUILD" --target sockt sockt_core sockt_node -j "$JOBS"
cmake --install "$BUILD" --component Unspecified >/dev/null

log "building bench/cpp against the installed core"
cmake -S "$BENCH" -B "$BUILD/bench-cpp" -G Ninja -DCMAKE_BUILD_TYPE=Release \
    -DCMAKE_PREFIX_PATH="$BUILD/install" >/dev/null
cmake --build "$BUILD/bench-cpp" -j "$JOBS"

# --- Python: the official SDK and ours, each in its own venv ---------------------------------
venv() {  # venv DIR: creates it when missing
    [[ -x $1/bin/python ]] || "$PYTHON" -m venv "$1"
}
pip_q() { "$1/bin/python" -m pip install -q --disable-pip-version-check "${@:2}"; }

OFFICIAL=$BENCH/.venv-official
venv "$OFFICIAL"
if ! "$OFFICIAL/bin/python" -c "import importlib.metadata as m, sys; \
sys.exit(m.version('sockt') != '$OFFICIAL_VERSION')" 2>/dev/null; then
    log "installing the official SDK sockt==$OFFICIAL_VERSION into $OFFICIAL"
    pip_q "$OFFICIAL" "sockt==$OFFICIAL_VERSION"
fi

OURS=$BENCH/.venv-ours
venv "$OURS"
# Reinstall only when a source the wheel is built from changed.
stamp=$(cd "$ROOT" && find core bindings/python python pyproject.toml CMakeLists.txt -type f \
    \( -name '*.cpp' -o -name '*.hpp' -o -name '*.in' -o -name '*.py' -o -name '*.pyi' \
       -o -name '*.txt' -o -name '*.toml' -o -name '*.cmake' -o -name 'py.typed' \) \
    -print0 | sort -z | xargs -0 sha1sum | sha1sum | cut -c1-40)
if [[ ! -f $OURS/.bench-stamp || $(cat "$OURS/.bench-stamp") != "$stamp" ]]; then
    log "pip install . into $OURS (Release wheel build in $BUILD/wheel)"
    pip_q "$OURS" scikit-build-core pybind11
    # The wheel's bundled CLI and server are not measured here; leaving them out halves the build.
    pip_q "$OURS" --no-build-isolation --force-reinstall --no-deps "$ROOT" \
        -C build-dir="$BUILD/wheel" \
        -C cmake.define.SOCKT_BUILD_CLI=OFF -C cmake.define.SOCKT_BUILD_SERVER=OFF
    echo "$stamp" >"$OURS/.bench-stamp"
fi

# --- Node: our package, resolvable as @sockt/client -------------------------------------------
NODE_PKG=$BUILD/node_modules/@sockt/client
log "compiling @sockt/client (tsc) into $NODE_PKG"
mkdir -p "$NODE_PKG"
cp "$ROOT/package.json" "$NODE_PKG/package.json"
(cd "$ROOT" && node_modules/.bin/tsc -p tsconfig.json --outDir "$NODE_PKG/node/dist")

log "setup took $((SECONDS - T0)) s; measuring"
# shellcheck disable=SC2086
"$PYTHON" "$BENCH/driver.py" \
    --sockt-bin "$BUILD/cli/sockt" \
    --cpp-bench "$BUILD/bench-cpp/sockt_bench" \
    --py-ours "$OURS/bin/python" \
    --py-official "$OFFICIAL/bin/python" \
    --node "$(command -v node)" \
    --node-path "$BUILD/node_modules" \
    --node-addon "$BUILD/Release/sockt_node.node" \
    --transfer-ceiling "$BUILD/bench-cpp/transfer_ceiling" \
    --exec-floor "$BUILD/bench-cpp/exec_floor" \
    --quiet-wait "${BENCH_QUIET_WAIT:-120}" \
    ${BENCH_ARGS:-}
log "done in $((SECONDS - T0)) s"
