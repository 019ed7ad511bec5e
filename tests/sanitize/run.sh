#!/usr/bin/env bash
# The C++ suites under sanitizers (docs/hardening.md):
#   asan  ASan + UBSan at -O1 (every error fatal): the core and server suites (core, runtime,
#         server, the core against `sockt serve`) and the installed-package consumer, which is
#         configured with the same flags (CXXFLAGS/LDFLAGS reach its fresh CMake configure).
#   tsan  TSan at -O1: the core's suite, where the threads are (the connection pool shared by
#         concurrent calls, the shell session's I/O thread and its listeners, cancellation).
# Not the CLI, Python or Node fronts, and no benchmarks. Prints each ctest summary and time.
#
#   tests/sanitize/run.sh [asan|tsan|all]        (default all; JOBS=2, build dirs below)
#   SOCKT_ASAN_BUILD_DIR (default build-asan-ubsan), SOCKT_TSAN_BUILD_DIR (default build-tsan)
set -euo pipefail

what=${1:-all}
case $what in
asan | tsan | all) ;;
*)
    echo "usage: $0 [asan|tsan|all]" >&2
    exit 2
    ;;
esac
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/../.." && pwd)
jobs=${JOBS:-2}
generator=()
command -v ninja >/dev/null && generator=(-G Ninja)
launcher=()
command -v ccache >/dev/null && launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache)

# configure DIR SANITIZERS CMAKE-ARGS...: a Debug build (asserts on) whose flags come from
# CXXFLAGS/LDFLAGS, so -O1 is not overridden by a build type's optimisation flags.
configure() {
    local dir=$1 sanitizers=$2
    shift 2
    export CXXFLAGS="-O1 -g -fno-omit-frame-pointer -fsanitize=$sanitizers -fno-sanitize-recover=all"
    export LDFLAGS="-fsanitize=$sanitizers"
    mkdir -p "$dir"
    if [[ ! -f $dir/CMakeCache.txt ]]; then
        cmake -S "$root" -B "$dir" "${generator[@]}" "${launcher[@]}" -DCMAKE_BUILD_TYPE=Debug \
            -DSOCKT_BUILD_TESTS=ON -DSOCKT_BUILD_CLI=OFF -DSOCKT_BUILD_PYTHON=OFF \
            -DSOCKT_BUILD_NODE=OFF "$@" >"$dir/sanitize-configure.log" 2>&1 || {
            cat "$dir/sanitize-configure.log" >&2
            return 1
        }
    fi
}

# build DIR TARGET...
build() {
    local dir=$1
    shift
    local targets=()
    for t in "$@"; do targets+=(--target "$t"); done
    cmake --build "$dir" -j "$jobs" "${targets[@]}" >"$dir/sanitize-build.log" 2>&1 || {
        tail -n 60 "$dir/sanitize-build.log" >&2
        return 1
    }
}

# check NAME DIR CTEST-ARGS...: runs ctest, prints its summary lines; the full log stays in
# DIR/sanitize-ctest.log (failures are printed there and here). Sanitizer reports go to files under
# DIR/sanitizer-reports (log_path), so those of processes the tests start and whose stderr they
# discard, such as `sockt serve` and what it runs, fail the check as well.
check() {
    local name=$1 dir=$2 status=0
    shift 2
    ctest --test-dir "$dir" -j "$jobs" --output-on-failure "$@" >"$dir/sanitize-ctest.log" 2>&1 || status=$?
    if [[ $status -ne 0 ]]; then
        grep -vE '^ *(Start|[0-9]+/[0-9]+ Test) ' "$dir/sanitize-ctest.log" | tail -n 200
    fi
    grep -E 'tests passed|tests failed out of|Total Test time' "$dir/sanitize-ctest.log" |
        sed "s/^/$name: /"
    # ASan prints a one-line caveat on the first swapcontext of a process; the core's fibers
    # (core/src/async/fiber_context.cpp) tell ASan of every stack switch, so a file holding only
    # that line is no finding.
    local file reports=()
    for file in "$dir"/sanitizer-reports/*; do
        [[ -e $file ]] || continue
        if grep -qvE "$ASAN_SWAPCONTEXT_CAVEAT|^\s*$" "$file"; then
            reports+=("$file")
        fi
    done
    if ((${#reports[@]})); then
        echo "$name: ${#reports[@]} sanitizer report(s) in $dir/sanitizer-reports:"
        head -n 60 "${reports[@]}"
        status=1
    fi
    return $status
}

ASAN_SWAPCONTEXT_CAVEAT="WARNING: ASan doesn't fully support makecontext/swapcontext"

# reports DIR: an empty report directory, for log_path.
reports() {
    rm -rf "$1/sanitizer-reports"
    mkdir -p "$1/sanitizer-reports"
    echo "$1/sanitizer-reports"
}

status=0
if [[ $what == asan || $what == all ]]; then
    started=$(date +%s)
    dir=${SOCKT_ASAN_BUILD_DIR:-$root/build-asan-ubsan}
    configure "$dir" address,undefined -DSOCKT_BUILD_SERVER=ON
    build "$dir"
    built=$(date +%s)
    out=$(reports "$dir")
    export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:halt_on_error=1:strict_string_checks=1:log_path=$out/asan}
    export UBSAN_OPTIONS=${UBSAN_OPTIONS:-halt_on_error=1:print_stacktrace=1:log_path=$out/ubsan}
    check asan+ubsan "$dir" || status=1
    echo "asan+ubsan: built in $((built - started)) s, tests in $(($(date +%s) - built)) s," \
        "$(($(date +%s) - started)) s in all"
    unset ASAN_OPTIONS UBSAN_OPTIONS
fi
if [[ $what == tsan || $what == all ]]; then
    started=$(date +%s)
    dir=${SOCKT_TSAN_BUILD_DIR:-$root/build-tsan}
    # No server: its tests need sockt serve, and a TSan server would cost more than it finds.
    configure "$dir" thread -DSOCKT_BUILD_SERVER=OFF
    build "$dir" sockt_core_tests
    built=$(date +%s)
    out=$(reports "$dir")
    export TSAN_OPTIONS=${TSAN_OPTIONS:-halt_on_error=1:second_deadlock_stack=1:log_path=$out/tsan}
    # The package test installs and builds a consumer: nothing threaded to see there.
    check tsan "$dir" -L core -E 'InstalledPackage' || status=1
    echo "tsan: built in $((built - started)) s, tests in $(($(date +%s) - built)) s," \
        "$(($(date +%s) - started)) s in all"
fi
exit $status
