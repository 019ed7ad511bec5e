#!/usr/bin/env bash
# Builds the libFuzzer targets of tests/fuzz and runs each for SECONDS, JOBS at a time (default 2),
# printing every target's libFuzzer summary line (`Done N runs in S second(s)`). Fails when a target
# crashes, leaks, trips a sanitizer or times out on an input; the input is kept in
# <build dir>/artifacts/<target>/ and the end of the report is printed.
#
#   tests/fuzz/run.sh SECONDS [JOBS] [BUILD_DIR]     (BUILD_DIR: default build-fuzz)
#
# The checked-in seeds (tests/fuzz/corpus/<target>) are only read; what a run learns goes to
# <build dir>/corpus/<target>, so a later run on the same build dir starts from there.
set -euo pipefail

usage() {
    echo "usage: $0 SECONDS [JOBS] [BUILD_DIR]" >&2
    exit 2
}
[[ $# -ge 1 && $# -le 3 ]] || usage
seconds=$1
jobs=${2:-2}
[[ $seconds =~ ^[0-9]+$ && $seconds -ge 1 && $jobs =~ ^[0-9]+$ && $jobs -ge 1 ]] || usage

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/../.." && pwd)
build=${3:-${SOCKT_FUZZ_BUILD_DIR:-$root/build-fuzz}}
mkdir -p "$build"
build=$(cd "$build" && pwd)

cxx=${SOCKT_FUZZ_CXX:-}
if [[ -z $cxx ]]; then
    for candidate in clang++-14 clang++; do
        if command -v "$candidate" >/dev/null; then
            cxx=$candidate
            break
        fi
    done
fi
if [[ -z $cxx ]]; then
    echo "fuzz: clang++ not found (Debian: apt-get install clang-14 libfuzzer-14-dev" \
        "libclang-rt-14-dev)" >&2
    exit 1
fi

started=$(date +%s)
if [[ ! -f $build/CMakeCache.txt ]]; then
    launcher=()
    if command -v ccache >/dev/null; then
        launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache)
    fi
    generator=()
    if command -v ninja >/dev/null; then
        generator=(-G Ninja)
    fi
    cmake -S "$here" -B "$build" "${generator[@]}" -DCMAKE_CXX_COMPILER="$cxx" \
        -DCMAKE_BUILD_TYPE= "${launcher[@]}" >"$build/configure.log" 2>&1 || {
        cat "$build/configure.log" >&2
        exit 1
    }
fi
# At most two compile jobs: the machines this runs on are shared.
cmake --build "$build" -j "$((jobs < 2 ? jobs : 2))" >"$build/build.log" 2>&1 || {
    tail -n 60 "$build/build.log" >&2
    exit 1
}
echo "fuzz: targets built in $(($(date +%s) - started)) s ($build)"

targets=()
for exe in "$build"/fuzz_*; do
    [[ -x $exe && -f $exe ]] && targets+=("$(basename "$exe")")
done
[[ ${#targets[@]} -gt 0 ]] || {
    echo "fuzz: no targets in $build" >&2
    exit 1
}

export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1:symbolize=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-halt_on_error=1:print_stacktrace=1}

# One target: its own work corpus, the seeds read-only; -timeout turns a hang into a failure.
run_target() {
    local name=$1 seeds=$here/corpus/${1#fuzz_} work=$build/corpus/${1#fuzz_}
    local artifacts=$build/artifacts/${1#fuzz_}/
    mkdir -p "$work" "$artifacts"
    local dirs=("$work") options=()
    [[ -d $seeds ]] && dirs+=("$seeds")
    case $name in
    fuzz_json_parse | fuzz_models | fuzz_plain_members | fuzz_server_request)
        options+=(-dict="$here/json.dict") ;;
    fuzz_http_response) options+=(-dict="$here/http.dict") ;;
    esac
    "$build/$name" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
        -print_final_stats=0 -artifact_prefix="$artifacts" "${options[@]}" "${dirs[@]}" \
        >"$build/logs/$name.log" 2>&1
}

mkdir -p "$build/logs"
declare -A pids=()
failed=()
report() {
    local name=$1 status=$2 log=$build/logs/$1.log summary
    summary=$(grep -E '^Done [0-9]+ runs in [0-9]+ second' "$log" | tail -n 1 || true)
    if [[ $status -eq 0 && -n $summary ]]; then
        printf 'fuzz: %-24s %s\n' "$name" "$summary"
        return
    fi
    failed+=("$name")
    printf 'fuzz: %-24s FAILED (exit %s)%s\n' "$name" "$status" "${summary:+; $summary}"
    # What went wrong, where in our code, and the input that did it (the whole report: the log).
    { grep -E 'runtime error:|==[0-9]+==ERROR|^SUMMARY:|Test unit written' "$log" | sort -u
      grep -E '^ +#[0-9]+ .* in .*/(core|server|tests/fuzz)/' "$log" | head -n 8
      echo "log: $log"; } | head -n 24 | sed 's/^/    /'
}

queue=("${targets[@]}")
while [[ ${#queue[@]} -gt 0 || ${#pids[@]} -gt 0 ]]; do
    while [[ ${#queue[@]} -gt 0 && ${#pids[@]} -lt $jobs ]]; do
        name=${queue[0]}
        queue=("${queue[@]:1}")
        run_target "$name" &
        pids[$name]=$!
    done
    status=0
    ended=
    wait -n -p ended "${pids[@]}" || status=$?
    for name in "${!pids[@]}"; do
        if [[ ${pids[$name]} == "$ended" ]]; then
            unset "pids[$name]"
            report "$name" "$status"
        fi
    done
done

echo "fuzz: ${#targets[@]} targets, ${seconds} s each, ${jobs} at a time," \
    "$(($(date +%s) - started)) s in all"
if [[ ${#failed[@]} -gt 0 ]]; then
    echo "fuzz: FAILED: ${failed[*]} (inputs in $build/artifacts/)" >&2
    exit 1
fi
