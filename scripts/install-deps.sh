#!/usr/bin/env bash
# Installs the Debian 12 packages kpr builds, tests and runs with, if any is missing.
set -euo pipefail
packages=(
  cmake ninja-build g++ pkg-config
  libgrpc++-dev libgrpc-dev protobuf-compiler-grpc libprotobuf-dev protobuf-compiler
  libnats-dev libhiredis-dev libabsl-dev libssl-dev libjemalloc-dev
  libgtest-dev libgmock-dev libbenchmark-dev libglpk-dev libboost-dev
  libcpp-httplib-dev libcurl4-openssl-dev nlohmann-json3-dev
  nats-server redis-server
  # redis-cli --cluster create forms the test harness's Redis Cluster
  redis-tools
  # notify's test peers: the SMTP sink (aiosmtpd) and its self-signed certificate (openssl)
  python3-aiosmtpd openssl
  # promtool (the alerting rules' checks and unit tests) and the server a live test scrapes with
  prometheus
  # the container images: a Debian root filesystem (mmdebstrap), built and smoke-run with podman
  # on runc (crun refuses this machine's hybrid cgroups)
  mmdebstrap podman runc
)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
# buf (contract checks) comes from the npm registry; npm from Debian only when there is none.
command -v npm >/dev/null || missing+=(nodejs npm)
if [ ${#missing[@]} -gt 0 ]; then
  echo "installing: ${missing[*]}"
  SUDO=""
  if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends \
    "${missing[@]}" >/dev/null
fi
cd "$(dirname "$0")/.."
if [ ! -x tools/buf/node_modules/.bin/buf ]; then
  echo "installing buf (npm @bufbuild/buf, pinned in tools/buf/package-lock.json)"
  (cd tools/buf && npm ci --no-audit --no-fund --loglevel=error)
fi
if [ ! -d deploy/k8s/validate/node_modules/kubernetes-models ] ||
  [ ! -d deploy/k8s/validate/node_modules/@kubernetes-models/prometheus-operator ]; then
  echo "installing the manifest validator's packages (npm, pinned in deploy/k8s/validate/package-lock.json)"
  (cd deploy/k8s/validate && npm ci --no-audit --no-fund --loglevel=error)
fi
