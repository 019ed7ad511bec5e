#!/usr/bin/env bash
# Runs inside the bare root filesystem of tests/fresh/run.sh, as a new user would: /dist holds the
# packages, /mnt/examples the repository's examples, $SOCKT_API_URL a `sockt serve` on the host.
# Writes the number of checks that passed to ~/checks.
#
#   inside.sh VERSION WHEEL TARBALL
set -euo pipefail
version="$1" wheel="/mnt/dist/$2" tarball="/mnt/dist/$3"
# At most this many packages in node_modules: the SDK has no runtime dependencies.
max_packages=3

fail() { printf 'fresh: FAIL: %s\n' "$*" >&2; exit 1; }
checks=0
pass() { checks=$((checks + 1)); printf 'fresh: ok: %s\n' "$*"; echo "$checks" > "$HOME/checks"; }
expect() {  # expect WHAT PATTERN OUTPUT
    [[ "$3" == $2 ]] || fail "$1 printed: ${3:0:600}"
    pass "$1"
}

echo "inside: $(. /etc/os-release && echo "$PRETTY_NAME"), Python $(python3 -c 'import platform; print(platform.python_version())'), Node $(node --version), npm $(npm --version)"

python3 -m venv "$HOME/venv"
"$HOME/venv/bin/pip" install --no-index --disable-pip-version-check -q "$wheel"
pass "pip install --no-index $(basename "$wheel")"

out="$("$HOME/venv/bin/python" -c 'import sockt; print(sockt.__version__)')"
expect "import sockt; sockt.__version__" "$version" "$out"
out="$(cd "$HOME" && "$HOME/venv/bin/python" /mnt/examples/python/quickstart.py)"
expect "Python quick start (examples/python/quickstart.py)" $'Hello from Sockt!\nexit code: 0\nLinux\n*hello.py*' "$out"
out="$("$HOME/venv/bin/sockt" --version)"
expect "the wheel's sockt --version" "sockt version $version" "$out"
out="$("$HOME/venv/bin/sockt" tiers)"
expect "the wheel's sockt tiers" $'TIER*SATS/SEC*\nnano*0.50*' "$out"
out="$("$HOME/venv/bin/sockt" completion powershell)"
for line in "Register-ArgumentCompleter -Native -CommandName 'sockt'" "'sockt sandbox' = @(@{n = 'create'" \
    "'sockt exec' = @('--help', '-h', '--poll', '--timeout', '--workdir', '-d'"; do
    grep -qF -- "$line" <<< "$out" || fail "sockt completion powershell lacks: $line"
done
pass "sockt completion powershell"

# CommonJS project, a plain `npm install` (Debian's npm 9 runs the package's install hook, which
# must stay quiet when the prebuilt loads). --offline: nothing may come from a registry.
mkdir -p "$HOME/cjs" "$HOME/esm"
printf '{ "name": "cjs-app", "version": "1.0.0", "private": true }\n' > "$HOME/cjs/package.json"
out="$(cd "$HOME/cjs" && npm install --offline --no-audit --no-fund "$tarball" 2>&1)"
printf '%s\n' "$out"
[[ "$out" != *"@sockt/client:"* ]] || fail "the install hook complained: $out"
count="$(cd "$HOME/cjs" && npm ls --all --parseable | tail -n +2 | wc -l)"
[ "$count" -le "$max_packages" ] || fail "npm install brought $count packages: $(cd "$HOME/cjs" && npm ls --all)"
pass "npm install $(basename "$tarball"): $count package(s), node_modules $(du -sk "$HOME/cjs/node_modules" | cut -f1) KiB"
cp /mnt/examples/node/quickstart.cjs "$HOME/cjs/"
out="$(cd "$HOME/cjs" && node quickstart.cjs)"
expect "CJS quick start (examples/node/quickstart.cjs)" "Hello from Sockt! exit code 0" "$out"
out="$("$HOME/cjs/node_modules/.bin/sockt" --version)"
expect "the npm package's sockt --version" "sockt version $version" "$out"

# ES-module project with install scripts off: the prebuilt must load without any hook.
printf '{ "name": "esm-app", "version": "1.0.0", "private": true, "type": "module" }\n' > "$HOME/esm/package.json"
(cd "$HOME/esm" && npm install --offline --no-audit --no-fund --ignore-scripts "$tarball" > /dev/null)
cp /mnt/examples/node/quickstart.mjs "$HOME/esm/"
out="$(cd "$HOME/esm" && node quickstart.mjs)"
expect "ESM quick start (examples/node/quickstart.mjs, installed with --ignore-scripts)" "Hello from Sockt! exit code 0" "$out"

# A source build happens only when asked for, and here (no compiler, no CMake, no Poco, no
# cmake-js) it must fail saying what to install.
if out="$(cd "$HOME/cjs" && npm rebuild @sockt/client 2>&1)"; then
    fail "npm rebuild succeeded without a compiler: $out"
fi
for word in "missing cmake, a C++17 compiler, Poco with NetSSL (libpoco-dev), cmake-js" \
    "apt-get install cmake g++" "npm install --no-save cmake-js"; do
    grep -qF -- "$word" <<< "$out" || fail "npm rebuild's message lacks '$word': ${out:0:800}"
done
pass "npm rebuild @sockt/client asks for a source build and says what to install"
out="$(cd "$HOME/cjs" && node quickstart.cjs)"
expect "the prebuilt addon still loads after the failed rebuild" "Hello from Sockt! exit code 0" "$out"
