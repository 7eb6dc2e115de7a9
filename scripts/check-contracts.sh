#!/usr/bin/env bash
# Checks the contracts like code: `buf lint` (STANDARD, see proto/buf.yaml) and `buf breaking`
# (WIRE_JSON) against the baseline commit named in proto/BREAKING_BASELINE, so that no change
# silently breaks an integration's wire or JSON contract. Moving the baseline is a deliberate
# commit of its own. buf comes from npm (@bufbuild/buf, pinned in tools/buf); install-deps.sh
# installs it.
set -euo pipefail
cd "$(dirname "$0")/.."
BUF=tools/buf/node_modules/.bin/buf
if [ ! -x "$BUF" ]; then
  echo "check-contracts: $BUF is missing; run scripts/install-deps.sh" >&2
  exit 1
fi
baseline=$(grep -v '^#' proto/BREAKING_BASELINE | tr -d '[:space:]')
if ! git cat-file -e "$baseline^{commit}" 2>/dev/null; then
  # A shallow clone lacks the baseline: fetch just that commit.
  git fetch --quiet --depth=1 origin "$baseline"
fi
"$BUF" lint proto
echo "buf lint: clean"
"$BUF" breaking proto --against ".git#ref=$baseline,subdir=proto"
echo "buf breaking: no breaking change against $baseline"
