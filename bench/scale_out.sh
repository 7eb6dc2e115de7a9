#!/usr/bin/env bash
# The scale-out semester at full size: three replicas of every service on a Redis Cluster and a
# NATS cluster, ten municipalities, parts failing during the walk (tests/scale_out_e2etest.cc,
# whose CI run is the short version). Prints the test's account: the failures, the semester's
# ledger and every replica's share of each consumer's work.
#   bench/scale_out.sh [citizens per municipality=24]
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/build.sh scale_out_e2etest kpr-referral-sim kpr-scheduling-sim kpr-outcomes-sim \
  kpr-notify-sim kprctl >/dev/null
start=$(date +%s)
# From the build directory, as ctest runs it: the test finds kprctl and the services there.
(cd "${BUILD_DIR:-build}" && KPR_SCALE_OUT_CITIZENS=${1:-24} tests/scale_out_e2etest) 2>&1 \
  | grep -vE '^\{|^[0-9]{4}-[0-9]{2}-[0-9]{2}T' 
echo "wall: $(( $(date +%s) - start )) s"
