# The README's commands. `make test` is what CI runs (.ci/run).
SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
BUILD_DIR ?= build
BUILD_TYPE ?= RelWithDebInfo
JOBS ?= $(shell nproc)
PYTHON ?= python3

APT_PACKAGES := build-essential cmake ninja-build pkg-config libpoco-dev nlohmann-json3-dev \
	libgtest-dev libgmock-dev libcli11-dev libssl-dev bubblewrap openssl ca-certificates \
	tmux wrk procps
PIP_PACKAGES := pytest pybind11 scikit-build-core mypy

.PHONY: all setup build test test-cpp test-python test-node test-e2e demo bench clean

all: build

# Idempotent: installs only what is missing, so repeated runs are quick and offline-safe.
setup:
	@missing=""; for p in $(APT_PACKAGES); do \
	  dpkg-query -W -f='$${Status}' "$$p" 2>/dev/null | grep -q "install ok installed" || missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then \
	  echo "setup: apt-get install$$missing"; \
	  SUDO=""; [ "$$(id -u)" = 0 ] || SUDO=sudo; \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq $$missing; \
	fi
	@if [ -f pyproject.toml ]; then \
	  $(PYTHON) -m pip install -q --disable-pip-version-check $(PIP_PACKAGES); \
	fi
	@if [ -f package.json ] && [ ! -d node_modules ]; then npm install --no-audit --no-fund --ignore-scripts; fi

build:
	cmake -S . -B $(BUILD_DIR) -G Ninja -DCMAKE_BUILD_TYPE=$(BUILD_TYPE) -DSOCKT_BUILD_TESTS=ON
	cmake --build $(BUILD_DIR) -j $(JOBS)

test-cpp: build
	ctest --test-dir $(BUILD_DIR) --output-on-failure -j $(JOBS)

test: setup build
	$(MAKE) --no-print-directory test-cpp
	@if [ -f tests/e2e/run.sh ]; then $(MAKE) --no-print-directory test-e2e; fi
	@if [ -f tests/python/run.sh ]; then $(MAKE) --no-print-directory test-python; fi
	@if [ -f tests/node/run.sh ]; then $(MAKE) --no-print-directory test-node; fi

test-e2e: build
	SOCKT_BIN=$(abspath $(BUILD_DIR))/cli/sockt bash tests/e2e/run.sh

# Installs the package the way users do (pip install . into a venv) and runs pytest, mypy, stubtest.
test-python: build
	SOCKT_BIN=$(abspath $(BUILD_DIR))/cli/sockt bash tests/python/run.sh

# Builds the package the way `npm install` does, runs node --test, then checks the packed tarball.
test-node: build
	SOCKT_BIN=$(abspath $(BUILD_DIR))/cli/sockt bash tests/node/run.sh

# Starts sockt serve on a free port, runs a Python file in a new sandbox, stops everything.
demo: build
	SOCKT_BIN=$(abspath $(BUILD_DIR))/cli/sockt bash examples/shell/demo.sh

# Measures the C++ core, Python and Node against the official SDK, a fetch baseline and wrk
# (issue #7); writes bench/results/latest.{md,json}. Builds its own Release copy in build-bench.
bench: build
	bash bench/run.sh

clean:
	rm -rf $(BUILD_DIR)
