#!/usr/bin/env bash
# The whole test suite: installs what is missing, builds, then runs every test with ctest.
# Unit tests run in parallel; integration tests (each starts its own redis-server and
# nats-server -js on free loopback ports) run one at a time, since several measure timing under
# load on a 2-core machine.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/install-deps.sh
./scripts/build.sh
BUILD_DIR=${BUILD_DIR:-build}
ctest --test-dir "$BUILD_DIR" -L unit -j "$(nproc)" --output-on-failure
ctest --test-dir "$BUILD_DIR" -L integration --output-on-failure
