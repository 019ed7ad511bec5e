# The README's commands. `make test` is what CI runs (.ci/run).
SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
BUILD_DIR ?= build
# Two cores are shared with other builds: never more than two jobs.
JOBS ?= $(shell n=$$(nproc); echo $$(( n < 2 ? n : 2 )))
# Any Python 3.10+ with venv: everything Python goes into a venv under build/ (no system pip).
PYTHON ?= python3
PREFIX ?= /usr/local
VENV := $(BUILD_DIR)/venv
VENV_PYTHON := $(abspath $(VENV))/bin/python

# ccache keeps every build after the first cheap; its cache lives outside the clone, and base-dir
# relative paths let trees at the same depth (build/, build-wheel/, build-install/) share entries.
# (/var/cache/ccache when it is writable, as for root and CI; else ccache's own default).
ifndef CCACHE_DIR
CCACHE_DIR := $(shell d=/var/cache/ccache; mkdir -p $$d 2>/dev/null; \
	if [ -w $$d ]; then echo $$d; else echo $${XDG_CACHE_HOME:-$$HOME/.cache}/ccache; fi)
endif
export CCACHE_DIR
export CCACHE_BASEDIR ?= $(CURDIR)
LAUNCHER := $(shell command -v ccache >/dev/null && echo ccache)
# scikit-build-core and cmake-js start CMake themselves; CMake reads the launcher from here.
export CMAKE_CXX_COMPILER_LAUNCHER := $(LAUNCHER)
export CMAKE_BUILD_PARALLEL_LEVEL := $(JOBS)

APT_PACKAGES := build-essential cmake ninja-build pkg-config libpoco-dev nlohmann-json3-dev \
	libgtest-dev libgmock-dev libcli11-dev libssl-dev bubblewrap openssl ca-certificates \
	tmux wrk procps patchelf python3-dev \
	slirp4netns passt uidmap python3 python3-pip python3-venv curl mmdebstrap ccache \
	clang-14 libfuzzer-14-dev libclang-rt-14-dev
PIP_PACKAGES := pytest mypy pybind11 scikit-build-core build auditwheel patchelf

# One Release tree feeds the tests, the demo, the wheel (through ccache) and the npm package.
CONFIGURE := cmake -S . -B $(BUILD_DIR) -G Ninja -DCMAKE_BUILD_TYPE=Release \
	-DCMAKE_CXX_COMPILER_LAUNCHER=$(LAUNCHER) -DSOCKT_BUILD_TESTS=ON \
	-DSOCKT_BUILD_PYTHON=ON -DSOCKT_BUILD_NODE=ON -DPython_EXECUTABLE=$(VENV_PYTHON)
VENV_STAMP := $(VENV)/.sockt-setup
NPM_STAMP := node_modules/.sockt-setup
SOCKT_BIN := $(abspath $(BUILD_DIR))/cli/sockt

.PHONY: all setup apt build configure test test-cpp test-python test-node test-e2e test-fresh test-install \
	test-sanitize test-faults fuzz dist wheel sdist npm-package demo install bench clean

all: build

# Idempotent: installs only what is missing, so repeated runs are quick and offline-safe.
setup: apt $(VENV_STAMP) $(NPM_STAMP)

apt:
	@missing=""; for p in $(APT_PACKAGES); do \
	  [ "$$(dpkg-query -W -f='$${Status}' "$$p" 2>/dev/null)" = "install ok installed" ] || missing="$$missing $$p"; \
	done; \
	command -v node >/dev/null || missing="$$missing nodejs"; \
	command -v npm >/dev/null || missing="$$missing npm"; \
	if [ -n "$$missing" ]; then \
	  echo "setup: apt-get install$$missing"; \
	  SUDO=""; [ "$$(id -u)" = 0 ] || SUDO=sudo; \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq $$missing; \
	fi

$(VENV_STAMP): Makefile
	@[ -x $(VENV_PYTHON) ] || { echo "setup: $(PYTHON) -m venv $(VENV)"; $(PYTHON) -m venv $(VENV); }
	$(VENV_PYTHON) -m pip install -q --disable-pip-version-check $(PIP_PACKAGES)
	@touch $@

# --ignore-scripts: the package's own install hook is for users of the tarball; here the addon
# comes from the CMake build.
$(NPM_STAMP): package.json package-lock.json
	npm ci --no-audit --no-fund --ignore-scripts
	@touch $@

configure: $(VENV_STAMP) $(NPM_STAMP)
	$(CONFIGURE)

node/dist/index.mjs: $(NPM_STAMP) tsconfig.json $(wildcard node/src/*.ts) node/scripts/gen-esm.cjs
	npm run --silent build:ts

build: configure node/dist/index.mjs
	cmake --build $(BUILD_DIR) -j $(JOBS)

test-cpp: build
	ctest --test-dir $(BUILD_DIR) --output-on-failure -j $(JOBS)

# The packaged suites test dist/'s packages; PACKAGED=1 says dist/ is fresh, so they do not
# rebuild them (run alone, each makes what it tests first).
test: setup build
	$(MAKE) --no-print-directory test-cpp
	$(MAKE) --no-print-directory test-sanitize
	$(MAKE) --no-print-directory fuzz FUZZ_SECONDS=20
	$(MAKE) --no-print-directory test-e2e
	$(MAKE) --no-print-directory test-install
	$(MAKE) --no-print-directory dist
	$(MAKE) --no-print-directory PACKAGED=1 test-python
	$(MAKE) --no-print-directory PACKAGED=1 test-node
	$(MAKE) --no-print-directory PACKAGED=1 test-faults
	$(MAKE) --no-print-directory PACKAGED=1 test-fresh

test-e2e: build
	SOCKT_BIN=$(SOCKT_BIN) bash tests/e2e/run.sh

# ASan+UBSan over the core and server C++ suites and the package consumer; TSan over the core's
# threaded tests (docs/hardening.md). Separate build trees; ccache keeps reruns short.
test-sanitize: setup
	JOBS=$(JOBS) bash tests/sanitize/run.sh

# The libFuzzer targets of tests/fuzz, each FUZZ_SECONDS, two at a time; fails on any finding.
FUZZ_SECONDS ?= 60
fuzz: setup
	bash tests/fuzz/run.sh $(FUZZ_SECONDS) 2

# Installs the wheel of dist/ into a venv (as users do) and runs pytest, mypy, stubtest.
test-python: $(if $(PACKAGED),,wheel)
	SOCKT_BIN=$(SOCKT_BIN) SOCKT_WHEEL="$$(ls dist/*.whl)" PYTHON=$(VENV_PYTHON) \
	  bash tests/python/run.sh

# node --test against the staged prebuilds, then the packed tarball in an empty project.
test-node: $(if $(PACKAGED),,npm-package)
	SOCKT_BIN=$(SOCKT_BIN) SOCKT_TARBALL="$$(ls dist/*.tgz)" bash tests/node/run.sh

# The client fault matrix (docs/faults.md): the C++ core, the CLI, dist/'s wheel and the staged
# npm package against a fault-injecting fixture server.
test-faults: $(if $(PACKAGED),,wheel npm-package)
	SOCKT_BIN=$(SOCKT_BIN) SOCKT_WHEEL="$$(ls dist/*.whl)" PYTHON=$(VENV_PYTHON) \
	  BUILD_DIR=$(abspath $(BUILD_DIR)) bash tests/faults/run.sh

# dist/'s wheel and tarball in a bare Debian 12 (no compiler, no Poco), against sockt serve here.
test-fresh: $(if $(PACKAGED),,dist)
	SOCKT_BIN=$(SOCKT_BIN) bash tests/fresh/run.sh dist

# dist/: the repaired wheel, the sdist and the npm tarball, from the one Release tree.
dist: wheel sdist npm-package
	@ls -l dist

# scikit-build-core builds in build-wheel/ with build/'s compiler (ccache hashes its path), at the
# same depth as build/, so every object of the core, server and CLI is a ccache hit; auditwheel
# (with the venv's patchelf) vendors Poco, OpenSSL and pcre with the lowest manylinux tag the
# binaries allow, and strips.
wheel: build
	rm -rf dist/*.whl $(BUILD_DIR)/wheelhouse
	mkdir -p dist
	$(VENV_PYTHON) -m pip wheel --no-build-isolation --no-deps -q -w $(BUILD_DIR)/wheelhouse \
	  -C build-dir=build-wheel -C cmake.define.Python_EXECUTABLE=$(VENV_PYTHON) \
	  -C cmake.define.CMAKE_CXX_COMPILER=$$(sed -n 's/^CMAKE_CXX_COMPILER:FILEPATH=//p' $(BUILD_DIR)/CMakeCache.txt) .
	PATH=$(abspath $(VENV))/bin:$$PATH $(VENV_PYTHON) -m auditwheel repair --strip -w dist \
	  $(BUILD_DIR)/wheelhouse/sockt-*.whl

sdist: $(VENV_STAMP)
	rm -f dist/*.tar.gz
	$(VENV_PYTHON) -m build --sdist --no-isolation -o dist . > $(BUILD_DIR)/sdist.log

# prebuilds/<platform>-<arch>-<libc>/: the addon and the CLI of build/, stripped, with the
# shared libraries they need beside them ($ORIGIN rpath); then npm pack.
npm-package: build
	rm -f dist/*.tgz
	mkdir -p dist
	PATH=$(abspath $(VENV))/bin:$$PATH \
	  node node/scripts/prebuild.cjs $(BUILD_DIR)/Release/sockt_node.node $(BUILD_DIR)/cli/sockt
	npm pack --pack-destination dist --loglevel warn

# Builds only what it runs (the CLI for sockt serve, the Python module) and runs the Python quick
# start against a fresh server.
demo: configure
	cmake --build $(BUILD_DIR) -j $(JOBS) --target sockt _sockt
	SOCKT_BIN=$(SOCKT_BIN) PYTHON=$(VENV_PYTHON) \
	  PYTHONPATH=$(abspath $(BUILD_DIR))/bindings/python/pkg bash examples/shell/demo.sh

# The C++ package (shared libsockt, headers, CMake config) and the sockt CLI, stripped Release.
install:
	cmake -S . -B build-install -G Ninja -DCMAKE_BUILD_TYPE=Release \
	  -DCMAKE_CXX_COMPILER_LAUNCHER=$(LAUNCHER) -DSOCKT_BUILD_SHARED=ON -DSOCKT_BUILD_TESTS=OFF \
	  -DCMAKE_INSTALL_PREFIX=$(PREFIX)
	cmake --build build-install -j $(JOBS)
	cmake --install build-install --strip

# `make install` into a scratch prefix, then examples/cpp/consumer built against it with
# find_package(sockt) and run; the installed library and CLI must carry no debug sections.
INSTALL_TEST := $(abspath $(BUILD_DIR))/install-test
test-install:
	rm -rf $(INSTALL_TEST)
	$(MAKE) --no-print-directory install PREFIX=$(INSTALL_TEST)/prefix > $(BUILD_DIR)/install-test.log
	cmake -S examples/cpp/consumer -B $(INSTALL_TEST)/consumer -G Ninja -DCMAKE_BUILD_TYPE=Release \
	  -DCMAKE_PREFIX_PATH=$(INSTALL_TEST)/prefix > /dev/null
	cmake --build $(INSTALL_TEST)/consumer > /dev/null
	$(INSTALL_TEST)/consumer/sockt_consumer | grep "^sockt-cpp/$$(sed -n 's/^  "version": "\(.*\)",$$/\1/p' package.json) "
	ldd $(INSTALL_TEST)/consumer/sockt_consumer | grep "libsockt.so.* => $(INSTALL_TEST)/prefix/lib/"
	for f in $(INSTALL_TEST)/prefix/lib/libsockt.so.*.*.* $(INSTALL_TEST)/prefix/bin/sockt; do \
	  if readelf -S "$$f" | grep '\.debug_\|\.symtab' > /dev/null; then echo "$$f is not stripped" >&2; exit 1; fi; \
	done
	@echo "test-install: find_package(sockt) against the installed shared, stripped libsockt: passed"

# Measures the C++ core, Python and Node against the official SDK, a fetch baseline, wrk and the
# transfer and exec ceilings of bench/ceiling; writes bench/results/latest.{md,json}. Builds its
# own Release copy in build-bench.
# A busy machine (1-min load above half the cores) is waited for up to BENCH_QUIET_WAIT seconds,
# then measured anyway and marked so in the table.
BENCH_QUIET_WAIT ?= 120
bench: build
	BENCH_QUIET_WAIT=$(BENCH_QUIET_WAIT) bash bench/run.sh

clean:
	rm -rf $(BUILD_DIR) build-wheel build-install build-asan-ubsan build-tsan build-fuzz dist prebuilds
