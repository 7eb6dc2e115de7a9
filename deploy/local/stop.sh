#!/usr/bin/env bash
# Stops what deploy/local/run.sh started (services first, so they drain, then NATS and Redis).
cd "$(dirname "$0")/../.."
VAR=var/local
for name in notify outcomes scheduling referral sms-gateway smtp-sink nats redis; do
  if [ -f "$VAR/$name.pid" ]; then
    pid=$(cat "$VAR/$name.pid")
    if kill -0 "$pid" 2>/dev/null; then
      kill -TERM "$pid" 2>/dev/null
      for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    fi
    rm -f "$VAR/$name.pid"
  fi
done
echo "stopped"
