#!/usr/bin/env bash
# Build dependencies (Poco with NetSSL, nlohmann_json, CLI11, OpenSSL, CMake, Ninja) for the release
# builds of .github/workflows/release.yml, on each image they run in: manylinux_2_28 (AlmaLinux 8),
# musllinux_1_2 and node:*-alpine (Alpine), macOS (Homebrew), Windows (vcpkg, with
# CMAKE_TOOLCHAIN_FILE set by the workflow). Written for CI; not run on the
# development machine (docs/release.md).
set -euo pipefail

POCO_VERSION=1.13.3
NLOHMANN_VERSION=3.11.3
CLI11_VERSION=2.4.2
prefix=/usr/local

from_source_poco() {
    curl -fsSL "https://github.com/pocoproject/poco/archive/refs/tags/poco-${POCO_VERSION}-release.tar.gz" | tar xz
    cmake -S "poco-poco-${POCO_VERSION}-release" -B poco-build -G Ninja -DCMAKE_BUILD_TYPE=Release \
        -DCMAKE_INSTALL_PREFIX="$prefix" -DBUILD_SHARED_LIBS=ON -DENABLE_NETSSL=ON -DENABLE_CRYPTO=ON \
        -DENABLE_UTIL=ON -DENABLE_NET=ON -DENABLE_JSON=ON -DENABLE_XML=ON -DENABLE_TESTS=OFF \
        -DENABLE_DATA=OFF -DENABLE_MONGODB=OFF -DENABLE_REDIS=OFF -DENABLE_PDF=OFF -DENABLE_ZIP=OFF \
        -DENABLE_PAGECOMPILER=OFF -DENABLE_PAGECOMPILER_FILE2PAGE=OFF -DENABLE_ACTIVERECORD=OFF \
        -DENABLE_ACTIVERECORD_COMPILER=OFF -DENABLE_PROMETHEUS=OFF -DENABLE_JWT=OFF
    cmake --build poco-build -j "$(nproc)"
    cmake --install poco-build
}

from_source_headers() {
    curl -fsSL "https://github.com/nlohmann/json/archive/refs/tags/v${NLOHMANN_VERSION}.tar.gz" | tar xz
    cmake -S "json-${NLOHMANN_VERSION}" -B json-build -DJSON_BuildTests=OFF -DCMAKE_INSTALL_PREFIX="$prefix"
    cmake --install json-build
    curl -fsSL "https://github.com/CLIUtils/CLI11/archive/refs/tags/v${CLI11_VERSION}.tar.gz" | tar xz
    cmake -S "CLI11-${CLI11_VERSION}" -B cli11-build -DCLI11_BUILD_TESTS=OFF -DCLI11_BUILD_EXAMPLES=OFF \
        -DCLI11_BUILD_DOCS=OFF -DCMAKE_INSTALL_PREFIX="$prefix"
    cmake --install cli11-build
}

work="$(mktemp -d)"
cd "$work"
if command -v apk >/dev/null; then
    apk add --no-cache build-base cmake ninja linux-headers openssl-dev poco-dev nlohmann-json cli11 \
        bash curl patchelf
elif command -v dnf >/dev/null || command -v yum >/dev/null; then
    pm="$(command -v dnf || command -v yum)"
    "$pm" install -y openssl-devel zlib-devel expat-devel pcre-devel
    # manylinux images carry CMake and Ninja as pipx tools; install them where they do not.
    for tool in cmake ninja; do
        command -v "$tool" >/dev/null || pipx install "$tool"
    done
    from_source_poco
    from_source_headers
elif [ "${OS:-}" = Windows_NT ]; then
    vcpkg install "poco[netssl]" nlohmann-json cli11 --triplet x64-windows
elif command -v brew >/dev/null; then
    brew install poco nlohmann-json cli11 ninja
else
    echo "install-deps.sh: no known package manager here" >&2
    exit 1
fi
