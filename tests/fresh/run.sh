#!/usr/bin/env bash
# `make test-fresh`: dist/'s packages as a new user gets them. A bare Debian 12 root filesystem
# (tests/fresh/rootfs.sh: python3, venv, pip, Debian's Node 18 and npm 9, no compiler, CMake or
# Poco), entered with bubblewrap in the host's network namespace, installs the wheel with
# `pip install --no-index` and the tarball with `npm install --offline`, and runs against a
# `sockt serve` on the host (tests/fresh/inside.sh): the Python, ESM and CJS quick starts, the
# wheel's `sockt --version` and `sockt tiers`. Then the vendored OpenSSL's CA lookup: HTTPS through
# tests/fresh/tls_forward.py with the test CA only where Alpine keeps its bundle, or only in
# SSL_CERT_FILE, and nowhere (which must fail).
#
#   tests/fresh/run.sh [DIST_DIR]     SOCKT_BIN: the host's sockt for `sockt serve`
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
dist="$(cd "${1:-$root/dist}" && pwd)"
bin="${SOCKT_BIN:-$root/build/cli/sockt}"
version="$(sed -n 's/^  "version": "\(.*\)",$/\1/p' "$root/package.json")"

step() { printf '\n== fresh: %s\n' "$*"; }
fail() { printf 'fresh: FAIL: %s\n' "$*" >&2; exit 1; }
checks=0
pass() { checks=$((checks + 1)); printf 'fresh: ok: %s\n' "$*"; }

shopt -s nullglob
wheels=("$dist"/*.whl) tarballs=("$dist"/*.tgz) sdists=("$dist"/*.tar.gz)
[ "${#wheels[@]}" -eq 1 ] || fail "dist/ holds ${#wheels[@]} wheels, not exactly one"
[ "${#tarballs[@]}" -eq 1 ] || fail "dist/ holds ${#tarballs[@]} npm tarballs, not exactly one"
[ "${#sdists[@]}" -eq 1 ] || fail "dist/ holds ${#sdists[@]} sdists, not exactly one"
shopt -u nullglob
[[ "$(basename "${wheels[0]}")" == sockt-"$version"-*manylinux* ]] ||
    fail "$(basename "${wheels[0]}") is not a repaired sockt $version wheel"
pass "dist/: $(basename "${wheels[0]}") $(du -k "${wheels[0]}" | cut -f1) KiB," \
    "$(basename "${tarballs[0]}") $(du -k "${tarballs[0]}" | cut -f1) KiB, $(basename "${sdists[0]}")"

step "root filesystem"
rootfs="$(bash "$root/tests/fresh/rootfs.sh")"
found=""
for tool in cc gcc g++ c++ clang clang++ cmake; do
    for dir in usr/bin usr/local/bin; do
        if [ -e "$rootfs/$dir/$tool" ] || [ -L "$rootfs/$dir/$tool" ]; then found="$found /$dir/$tool"; fi
    done
done
found="$found $(cd "$rootfs" && find usr -name 'cc1*' -o -name 'libPoco*' -o -path 'usr/include/Poco' | tr '\n' ' ')"
[ -z "${found// /}" ] || fail "the root filesystem is not bare: $found"
pass "$rootfs has no compiler, CMake or Poco"

work="$(mktemp -d "${TMPDIR:-/tmp}/sockt-fresh.XXXXXX")"
pids=()
cleanup() {
    for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null || true; done
    rm -rf "$work"
}
trap cleanup EXIT
mkdir -p "$work/home" "$work/data"

# Starts a program whose first stdout line we need; waits for it with a deadline.
first_line() {  # first_line VAR DEADLINE_S command...
    local var="$1" deadline="$2" fifo
    shift 2
    fifo="$(mktemp -u "$work/fifo.XXXXXX")"
    mkfifo "$fifo"
    "$@" > "$fifo" 2>> "$work/servers.log" &
    pids+=("$!")
    local line
    exec {fd}< "$fifo"
    read -r -t "$deadline" line <&"$fd" || { cat "$work/servers.log" >&2; fail "no first line from $1"; }
    printf -v "$var" '%s' "$line"
}

step "sockt serve on the host"
first_line serve_line 30 "$bin" serve --port 0 --rate-limit 0 --boot-delay-ms 50 --data-dir "$work/data"
[[ "$serve_line" =~ ^export\ SOCKT_API_URL=([^ ]+)\ SOCKT_API_KEY=([^ ]+)$ ]] ||
    fail "unexpected first line from sockt serve: $serve_line"
url="${BASH_REMATCH[1]}" key="${BASH_REMATCH[2]}"
echo "server at $url"

# Runs a command inside the root filesystem: read-only, its own /tmp and a writable home, the
# host's network namespace (so the host's loopback is reachable), nothing else from the host.
in_rootfs() {  # in_rootfs [bwrap args...] -- command...
    local extra=()
    while [ "$1" != "--" ]; do extra+=("$1"); shift; done
    shift
    bwrap --ro-bind "$rootfs" / --proc /proc --dev /dev --tmpfs /tmp \
        --bind "$work/home" /root \
        --tmpfs /mnt --ro-bind "$dist" /mnt/dist --ro-bind "$root/examples" /mnt/examples \
        --ro-bind "$root/tests/fresh" /mnt/fresh \
        --unshare-pid --unshare-ipc --unshare-uts --die-with-parent --clearenv \
        --setenv PATH /usr/local/bin:/usr/bin:/bin --setenv HOME /root --setenv LANG C.UTF-8 \
        --setenv SOCKT_API_URL "$url" --setenv SOCKT_API_KEY "$key" --chdir /root \
        "${extra[@]}" "$@"
}

step "inside: pip install --no-index, npm install --offline, quick starts"
in_rootfs -- bash /mnt/fresh/inside.sh "$version" "$(basename "${wheels[0]}")" "$(basename "${tarballs[0]}")"
checks=$((checks + $(cat "$work/home/checks")))

step "the vendored OpenSSL finds CA certificates where other distributions keep them"
ca="$work/ca"
mkdir -p "$ca"
openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=sockt fresh test CA" \
    -keyout "$ca/ca.key" -out "$ca/ca.pem" 2> "$ca/openssl.log"
openssl req -newkey rsa:2048 -nodes -subj "/CN=localhost" -keyout "$ca/server.key" \
    -out "$ca/server.csr" 2>> "$ca/openssl.log"
printf 'subjectAltName=DNS:localhost,IP:127.0.0.1\n' > "$ca/ext.cnf"
openssl x509 -req -in "$ca/server.csr" -CA "$ca/ca.pem" -CAkey "$ca/ca.key" -CAcreateserial \
    -days 2 -extfile "$ca/ext.cnf" -out "$ca/server.pem" 2>> "$ca/openssl.log"
first_line tls_port 30 python3 "$root/tests/fresh/tls_forward.py" "$ca/server.pem" "$ca/server.key" "$url"
https="https://localhost:$tls_port"
tiers=(/root/venv/bin/sockt tiers)

# /etc/ssl is an empty tmpfs in all three: Debian's bundle is gone, and Debian's libssl3 has no
# /usr/lib/ssl of its own without the openssl package, as on a distribution that keeps it elsewhere.
alpine=(--tmpfs /etc/ssl --ro-bind "$ca/ca.pem" /etc/ssl/cert.pem --setenv SOCKT_API_URL "$https")
out="$(in_rootfs "${alpine[@]}" -- "${tiers[@]}" 2>&1)" || fail "bundle at /etc/ssl/cert.pem: $out"
[[ "$out" == TIER*nano* ]] || fail "sockt tiers over HTTPS printed: $out"
pass "sockt tiers over HTTPS with the CA only at /etc/ssl/cert.pem (Alpine's place)"
# The wheel's module and the npm addon carry the same probe (each links the core statically).
out="$(in_rootfs "${alpine[@]}" -- /root/venv/bin/python -c \
    'from sockt import ComputeClient; print(len(ComputeClient().list_tiers()), "tiers")' 2>&1)" ||
    fail "Python over HTTPS: $out"
[[ "$out" == "6 tiers" ]] || fail "Python list_tiers over HTTPS printed: $out"
out="$(in_rootfs "${alpine[@]}" -- node -e "
const { ComputeClient } = require('/root/cjs/node_modules/@sockt/client');
const client = new ComputeClient();
client.listTiers().then((tiers) => { console.log(tiers.length + ' tiers'); return client.close(); });" 2>&1)" ||
    fail "Node over HTTPS: $out"
[[ "$out" == "6 tiers" ]] || fail "Node listTiers over HTTPS printed: $out"
pass "Python list_tiers and Node listTiers over HTTPS with the CA only at /etc/ssl/cert.pem"
# The control: a user's SSL_CERT_DIR switches the probe off, and OpenSSL alone finds nothing there.
if out="$(in_rootfs "${alpine[@]}" --setenv SSL_CERT_DIR /nonexistent -- "${tiers[@]}" 2>&1)"; then
    fail "the CA at /etc/ssl/cert.pem was found without the probe: $out"
fi
[[ "$out" == *"certificate verify failed"* ]] || fail "unexpected error without the probe: $out"
pass "with the probe off (SSL_CERT_DIR set) the same call fails verification"

mkdir -p "$work/home/certs"
cp "$ca/ca.pem" "$work/home/certs/mine.pem"
out="$(in_rootfs --tmpfs /etc/ssl --setenv SOCKT_API_URL "$https" \
    --setenv SSL_CERT_FILE /root/certs/mine.pem -- "${tiers[@]}" 2>&1)" ||
    fail "SSL_CERT_FILE: $out"
[[ "$out" == TIER*nano* ]] || fail "sockt tiers with SSL_CERT_FILE printed: $out"
pass "sockt tiers over HTTPS with the CA only in SSL_CERT_FILE"

if out="$(in_rootfs --tmpfs /etc/ssl --setenv SOCKT_API_URL "$https" -- "${tiers[@]}" 2>&1)"; then
    fail "sockt tiers trusted a server whose CA is nowhere: $out"
fi
[[ "$out" == *"certificate verify failed"* ]] || fail "unexpected error with the CA nowhere: $out"
pass "without the CA anywhere the same call fails: ${out%%$'\n'*}"

step "summary"
echo "$checks passed, 0 failed"
