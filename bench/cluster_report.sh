#!/usr/bin/env bash
# GetProgramReport latency on a Redis Cluster (3 primaries, 3 replicas) against one Redis: the
# outcomes benchmark on the same generated data (same seed), alternating one Redis and the
# cluster for two rounds each, and prints each run's latency lines.
#   bench/cluster_report.sh [scale=0.05]   (0.05 = 5,000 participants, ~2-3 min a run)
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/build.sh kpr-bench-outcomes >/dev/null
BIN=${BUILD_DIR:-build}/bench
scale=${1:-0.05}
for round in 1 2; do
  for cluster in false true; do
    if [ "$round" = 2 ]; then cluster=$([ "$cluster" = false ] && echo true || echo false); fi
    echo "#### round $round, --redis_cluster=$cluster"
    out=$("$BIN/kpr-bench-outcomes" --scale="$scale" --rounds=2 --redis_cluster="$cluster" \
      2>/dev/null) || {
      echo "$out" | tail -20
      echo "kpr-bench-outcomes failed (a load error, a failed call or a wrong report)" >&2
      exit 1
    }
    echo "$out" | grep -E '^Redis:|^- (echo|GetProgramReport|target|verification)'
    echo
  done
done
