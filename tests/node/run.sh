#!/usr/bin/env bash
# The node suite, as `make test-node` runs it:
#  1. the package as a checkout has it after `make npm-package`: dependencies (no scripts),
#     node/dist from tsc, and the addon and CLI staged in prebuilds/ (stripped, their shared
#     libraries beside them), which is what the tarball carries;
#  2. node --test tests/node/ (fails when no test ran);
#  3. the tarball ($SOCKT_TARBALL, else npm pack) installed into an empty project, and checked
#     there: `import { ComputeClient } from '@sockt/client'`, `require('@sockt/client')` and the
#     `sockt` bin work, examples/node compiles with tsc --strict, and the compiled examples run.
set -euo pipefail
cd "$(dirname "$0")/../.."
root=$PWD
export npm_config_fund=false npm_config_audit=false npm_config_update_notifier=false

step() { printf '\n== %s\n' "$*"; }

step "dependencies, tsc, the staged prebuilt addon"
[ -d node_modules/typescript ] || npm ci --no-audit --no-fund --ignore-scripts
npm run --silent build:ts
test -f node/dist/index.js && test -f node/dist/index.mjs && test -f node/dist/index.d.ts
addon=$(node -p "require('./node/bin/locate.cjs').addonCandidates('.').find((f) => require('fs').existsSync(f)) || ''")
[ -n "$addon" ] || { echo "no addon staged: run make npm-package (or make dist) first" >&2; exit 1; }
echo "addon: $addon"

step "node --test tests/node/"
log=$(mktemp)
trap 'rm -f "$log"' EXIT
set +e
node --test --test-reporter=spec tests/node/ 2>&1 | tee "$log"
status=${PIPESTATUS[0]}
set -e
tests=$(sed -n 's/^ℹ tests \([0-9]\+\)$/\1/p' "$log" | tail -1)
if [ "$status" -ne 0 ]; then
    echo "node --test failed (exit $status)" >&2
    exit "$status"
fi
if [ -z "$tests" ] || [ "$tests" -eq 0 ]; then
    echo "node --test ran no test" >&2
    exit 1
fi

step "npm pack → empty project"
work=$(mktemp -d)
trap 'rm -f "$log"; rm -rf "$work"; [ -n "${server_pid:-}" ] && kill "$server_pid" 2>/dev/null || true' EXIT
if [ -n "${SOCKT_TARBALL:-}" ]; then
    tarball=$(cd "$(dirname "$SOCKT_TARBALL")" && pwd)/$(basename "$SOCKT_TARBALL")
else
    npm pack --pack-destination "$work" --loglevel warn >/dev/null
    tarball=$(ls "$work"/sockt-client-*.tgz)
fi
echo "packed $(basename "$tarball") ($(du -k "$tarball" | cut -f1) KiB)"
tar -tzf "$tarball" > "$work/contents.txt"
for member in 'package/prebuilds/[^/]*/sockt_node.node' 'package/prebuilds/[^/]*/sockt' \
    'package/node/dist/index.mjs' 'package/node/dist/index.d.ts' 'package/node/bin/sockt.cjs'; do
    grep -qx "$member" "$work/contents.txt" || { echo "tarball lacks $member" >&2; exit 1; }
done
manifest=$(tar -xOzf "$tarball" package/package.json)
if [[ "$manifest" == *'"dependencies"'* ]]; then
    echo "the tarball's package.json has runtime dependencies" >&2
    exit 1
fi

consumer="$work/consumer"
mkdir -p "$consumer"
cp examples/node/*.ts examples/node/tsconfig.json "$consumer/"
ts_version=$(node -p "require('./node_modules/typescript/package.json').version")
types_version=$(node -p "require('./node_modules/@types/node/package.json').version")
cat > "$consumer/package.json" <<JSON
{ "name": "sockt-consumer", "version": "1.0.0", "private": true, "type": "module" }
JSON
(cd "$consumer" && npm install --no-audit --no-fund "$tarball" "typescript@$ts_version" \
    "@types/node@$types_version")

step "the sockt bin of the installed package starts a server"
data="$work/data"
mkdir -p "$data"
fifo="$work/serve.out"
mkfifo "$fifo"
"$consumer/node_modules/.bin/sockt" serve --port 0 --rate-limit 0 --boot-delay-ms 50 \
    --data-dir "$data" > "$fifo" 2> "$work/serve.err" &
server_pid=$!
exec 3< "$fifo"
read -r -t 30 first <&3 || { cat "$work/serve.err" >&2; exit 1; }
if [[ ! $first =~ ^export\ SOCKT_API_URL=([^ ]+)\ SOCKT_API_KEY=([^ ]+)$ ]]; then
    echo "unexpected first line from sockt serve: $first" >&2
    exit 1
fi
export SOCKT_API_URL=${BASH_REMATCH[1]} SOCKT_API_KEY=${BASH_REMATCH[2]}
echo "server at $SOCKT_API_URL"

step "require('@sockt/client') and import { ComputeClient } from '@sockt/client'"
(cd "$consumer" && node -e "
const { ComputeClient, SocktError } = require('@sockt/client');
const client = new ComputeClient();
client.listTiers().then(async (tiers) => {
    if (tiers.length !== 6 || !(new SocktError('x') instanceof Error)) process.exit(1);
    console.log('require: ' + tiers.length + ' tiers');
    await client.close();
});")
(cd "$consumer" && node --input-type=module -e "
import { ComputeClient, APIError } from '@sockt/client';
import cjs from '@sockt/client';
if (cjs.ComputeClient !== ComputeClient) throw new Error('ESM and CJS classes differ');
const client = new ComputeClient();
const sandbox = await client.createSandbox({ tier: 'nano' });
const result = await sandbox.exec('echo from-the-tarball');
await sandbox.terminate();
await client.close();
if (result.stdout !== 'from-the-tarball\n') throw new Error(JSON.stringify(result));
console.log('import: ' + result.stdout.trim(), typeof APIError);")

step "tsc --strict examples/node against the tarball, then run them"
(cd "$consumer" && npx tsc -p tsconfig.json && for example in dist/*.js; do
    echo "-- node $example"; node "$example"; done)

kill "$server_pid" && wait "$server_pid" 2>/dev/null || true
server_pid=
step "node suite: $tests tests passed; tarball checks passed"
