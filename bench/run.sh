#!/usr/bin/env bash
# Builds and runs kpr's benchmarks; prints markdown for bench/RESULTS.md. Each benchmark starts
# its own nats-server and redis-server on loopback and measures its reference in the same run
# (raw JetStream, a bare gRPC echo server, an exact MILP solver).
#   bench/run.sh [intake-messages] [get-referral-rate]
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/install-deps.sh
./scripts/build.sh kpr-bench-intake kpr-bench-get-referral kpr-bench-plan
BIN=${BUILD_DIR:-build}/bench
echo "## Machine"
echo
echo "- $(nproc) cores: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ //')"
echo "- memory: $(free -g | awk '/Mem:/ {print $2}') GiB; $(. /etc/os-release; echo "$PRETTY_NAME")"
echo "- nats-server $(nats-server --version | awk '{print $2}'), redis-server $(redis-server --version | awk '{print $3}' | cut -d= -f2), libnats $(dpkg-query -W -f='${Version}' libnats-dev), gRPC $(dpkg-query -W -f='${Version}' libgrpc++-dev)"
echo "- date: $(date -u +%Y-%m-%d)"
echo
echo "## Intake throughput"
echo
"$BIN/kpr-bench-intake" "${1:-20000}" 5
echo
echo "## GetReferral latency"
echo
"$BIN/kpr-bench-get-referral" "${2:-2000}" 5 5
echo
echo "## Cohort planner: national semester and gap to the optimum"
echo
# Last: it exits 1 if a plan breaks a hard constraint (set -e then fails the run).
"$BIN/kpr-bench-plan" --runs=5 --milp-instances=20
