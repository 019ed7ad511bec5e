#!/usr/bin/env bash
# Prints the path of a bare Debian 12 root filesystem for tests/fresh/run.sh, building it first if
# it is not cached: mmdebstrap --variant=minbase plus what a user of our packages has (python3,
# venv, pip, Debian's nodejs and npm), nothing to build with. Built once, outside the clone:
# $SOCKT_FRESH_CACHE (default /var/cache/sockt-fresh-rootfs), one directory per package set.
set -euo pipefail

packages="python3,python3-venv,python3-pip,nodejs,npm"
mirror="${SOCKT_FRESH_MIRROR:-http://deb.debian.org/debian}"
cache="${SOCKT_FRESH_CACHE:-/var/cache/sockt-fresh-rootfs}"
# The key changes when the package set or the way it is built changes.
key="$(printf 'bookworm minbase %s no-recommends hosts v2' "$packages" | sha256sum | cut -c1-12)"
rootfs="$cache/bookworm-$key"

if [ -f "$rootfs/.complete" ]; then
    echo "$rootfs"
    exit 0
fi
command -v mmdebstrap >/dev/null || { echo "rootfs.sh: mmdebstrap missing (make setup installs it)" >&2; exit 1; }
mkdir -p "$cache"
partial="$rootfs.partial.$$"
trap 'rm -rf "$partial"' EXIT
echo "rootfs.sh: building $rootfs (mmdebstrap, once)" >&2
# Recommends off: node-gyp recommends build-essential, which is exactly what a user may not have.
mmdebstrap --quiet --variant=minbase --include="$packages" \
    --aptopt='APT::Install-Recommends "false"' \
    --dpkgopt='path-exclude=/usr/share/man/*' --dpkgopt='path-exclude=/usr/share/doc/*' \
    --customize-hook='printf "127.0.0.1 localhost\n::1 localhost\n" > "$1/etc/hosts"' \
    bookworm "$partial" "$mirror" >&2
touch "$partial/.complete"
rm -rf "$rootfs"
mv "$partial" "$rootfs"
trap - EXIT
# Older package sets are dead weight (half a gigabyte each); builds in progress are left alone.
find "$cache" -mindepth 1 -maxdepth 1 -name 'bookworm-*' ! -name "bookworm-$key" ! -name '*.partial.*' \
    -exec rm -rf {} +
echo "$rootfs"
