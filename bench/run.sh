#!/usr/bin/env bash
# Builds and runs kpr's benchmarks; prints markdown for bench/RESULTS.md. Each benchmark starts
# its own nats-server and redis-server on loopback and measures its reference in the same run
# (raw JetStream, a bare gRPC echo server, an exact MILP solver, a scan of the raw records).
#   bench/run.sh [intake-messages] [get-referral-rate] [outcomes-scale] [notify-burst-count]
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
# It exits 1 if a plan breaks a hard constraint (set -e then fails the run).
"$BIN/kpr-bench-plan" --runs=5 --milp-instances=20
echo
echo "## Outcomes: GetProgramReport latency and Redis memory on national data"
echo
# Outcomes: argument 3 is --scale (default 0.1 = 10,000 participants, ~3-5 min; 1 = the full
# 100,000 participants / 3,000,000 attendance marks / 400,000 questionnaires, ~18-20 min on the
# shared 2-core machine). Exits 1 on a load error, a failed call or a report that does not match
# the generated data.
./scripts/build.sh kpr-bench-outcomes
"$BIN/kpr-bench-outcomes" --scale="${3:-0.1}"
echo
echo "## Notify morning burst: reminders due at once against a rate-limited gateway; Redis memory"
echo
# Argument 4 is the burst (default 50000 at 500/s over 3 replicas: an ideal of 100 s; ~6 min
# with the seeding and 1,000,000 reminders for the memory figure). Exits 1 if the gateway did not
# receive every message.
./scripts/build.sh kpr-bench-notify-burst
uptime
# The service defaults (2 timer workers per replica), as in RESULTS.md.
"$BIN/kpr-bench-notify-burst" --count="${4:-50000}" --rate=500 --replicas=3 \
  --memory=1000000
echo
echo "## Beyond one machine: Redis Cluster and a NATS cluster on loopback"
echo
./scripts/build.sh kpr-bench-cluster-intake kpr-bench-cluster-failover
echo "### Intake on a Redis Cluster against one Redis"
echo
"$BIN/kpr-bench-cluster-intake" 20000 6
echo
echo "### Intake latency and recovery across a NATS leader kill and a Redis primary loss"
echo
# Exits 2 if a submission NATS acknowledged never arrived.
"$BIN/kpr-bench-cluster-failover" 100 15
echo
echo "### GetProgramReport on a Redis Cluster against one Redis"
echo
bench/cluster_report.sh "${3:-0.05}"
echo
echo "### The scale-out semester at full size"
echo
bench/scale_out.sh
