#!/usr/bin/env bash
# Renders the overlays (kubectl kustomize) and validates every object against the Kubernetes
# schemas (the Prometheus Operator's for the monitoring component) and kpr's policies
# (deploy/k8s/validate/validate.mjs). Offline once the npm packages are installed. Without
# kubectl it says so and exits 77, which ctest reports as skipped.
set -euo pipefail
cd "$(dirname "$0")"
if ! command -v kubectl >/dev/null; then
  echo "SKIPPED: kubectl not found; the manifests were not rendered or validated" \
    "(install kubectl >= 1.27 with kustomize, then run deploy/k8s/check.sh)"
  exit 77
fi
if [ ! -d validate/node_modules/kubernetes-models ] ||
  [ ! -d validate/node_modules/@kubernetes-models/prometheus-operator ]; then
  (cd validate && npm ci --no-audit --no-fund --loglevel=error)
fi
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
for overlay in dev prod prod-monitored; do
  kubectl kustomize "overlays/$overlay" >"$out/$overlay.yaml"
  node validate/validate.mjs "$overlay" "$out/$overlay.yaml"
done
