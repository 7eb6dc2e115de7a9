#!/usr/bin/env bash
# Checks kpr's alerting rules and dashboard offline:
#   - every kpr_* metric the rules and the dashboard read is a string literal in the C++ sources
#     under libs/ or services/ (tests aside), so renaming a metric breaks this check;
#   - the dashboard is JSON whose panels all query ${DS_PROMETHEUS}, filtered by $job, in PromQL
#     that promtool parses;
#   - the PrometheusRule in components/monitoring holds exactly the rules file's groups
#     (`check.sh --write` regenerates it from the rules file, the one source);
#   - promtool check rules, and promtool test rules on kpr-alerts.rules.test.yaml.
# Without promtool (Debian package prometheus) it says so and exits 77, which ctest reports as
# skipped, after the checks that need only node.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../../.." && pwd)
rules=$here/kpr-alerts.rules.yaml
dashboard=$here/kpr-dashboard.json
prometheus_rule=$root/deploy/k8s/components/monitoring/prometheus-rule.yaml
validate=$root/deploy/k8s/validate

if ! command -v node >/dev/null; then
  echo "SKIPPED: node not found (Debian package nodejs); nothing was checked"
  exit 77
fi
if [ ! -d "$validate/node_modules/js-yaml" ]; then
  (cd "$validate" && npm ci --no-audit --no-fund --loglevel=error)
fi

# The C++ registers a histogram by its family name; the rules read its _bucket/_count/_sum.
failed=0
while read -r name; do
  family=$(sed -E 's/_(bucket|count|sum)$//' <<<"$name")
  found=0
  for literal in "\"$name\"" "\"$family\""; do
    if grep -rqF --include='*.cc' --include='*.h' --exclude='*test*' "$literal" \
      "$root/libs" "$root/services"; then
      found=1
    fi
  done
  if [ "$found" = 0 ]; then
    echo "FAIL: $name is read by the rules or the dashboard but no service exports it" >&2
    failed=1
  fi
done < <(grep -ohE 'kpr_[a-z0-9_]+' "$rules" "$dashboard" | sort -u)
[ "$failed" = 0 ] || exit 1
echo "metrics: every kpr_* name in the rules and the dashboard is exported"

scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
MODE=${1:-check} node - "$validate" "$rules" "$prometheus_rule" "$dashboard" \
  "$scratch/dashboard.rules.yaml" <<'JS'
const [validate, rulesFile, ruleObjectFile, dashboardFile, dashboardRules] = process.argv.slice(2);
const fs = require("node:fs");
const { isDeepStrictEqual } = require("node:util");
const yaml = require(`${validate}/node_modules/js-yaml`);
const fail = (what) => { console.error(`FAIL: ${what}`); process.exit(1); };

// ---- Dashboard ----
let d;
try { d = JSON.parse(fs.readFileSync(dashboardFile, "utf8")); } catch (e) { fail(`dashboard: ${e.message}`); }
const vars = Object.fromEntries((d.templating?.list ?? []).map((v) => [v.name, v]));
if (vars.DS_PROMETHEUS?.type !== "datasource") fail("dashboard: no datasource variable DS_PROMETHEUS");
if (vars.job?.type !== "query") fail("dashboard: no query variable job");
const panels = (d.panels ?? []).flatMap((p) => [p, ...(p.panels ?? [])]).filter((p) => p.type !== "row");
const ids = new Set();
for (const p of panels) {
  const at = `dashboard panel ${p.id} "${p.title}"`;
  if (ids.has(p.id)) fail(`${at}: id used twice`);
  ids.add(p.id);
  if (p.datasource?.uid !== "${DS_PROMETHEUS}") fail(`${at}: datasource is not \${DS_PROMETHEUS}`);
  if (!p.targets?.length) fail(`${at}: no queries`);
  for (const t of p.targets) {
    if (!t.expr?.includes('job=~"$job"')) fail(`${at}: query not filtered by $job: ${t.expr}`);
  }
}
// Each query as a recording rule, Grafana's variables filled in, for promtool to parse.
const exprs = panels.flatMap((p) => p.targets.map((t) => t.expr
  .replaceAll("$__rate_interval", "2m").replaceAll("$job", "kpr-.*")));
fs.writeFileSync(dashboardRules, yaml.dump({ groups: [{ name: "dashboard",
  rules: exprs.map((expr, i) => ({ record: `kpr_dashboard_query_${i}`, expr })) }] }));
console.log(`dashboard: ${panels.length} panels query \${DS_PROMETHEUS} by $job`);

// ---- PrometheusRule = the rules file ----
const groups = yaml.load(fs.readFileSync(rulesFile, "utf8")).groups;
if (process.env.MODE === "--write") {
  const header = "# Generated from deploy/k8s/monitoring/kpr-alerts.rules.yaml by " +
    "deploy/k8s/monitoring/check.sh --write;\n# edit the rules file, not this one.\n";
  const object = {
    apiVersion: "monitoring.coreos.com/v1",
    kind: "PrometheusRule",
    metadata: { name: "kpr-alerts", labels: { "app.kubernetes.io/part-of": "kpr" } },
    spec: { groups },
  };
  fs.writeFileSync(ruleObjectFile, header + yaml.dump(object, { lineWidth: -1 }));
  console.log(`wrote ${ruleObjectFile}`);
}
const object = yaml.load(fs.readFileSync(ruleObjectFile, "utf8"));
if (object?.kind !== "PrometheusRule") fail(`${ruleObjectFile}: not a PrometheusRule`);
if (!isDeepStrictEqual(object.spec?.groups, groups)) {
  const theirs = (object.spec?.groups ?? []).flatMap((g) => g.rules ?? []);
  const ours = groups.flatMap((g) => g.rules);
  const i = ours.findIndex((r, n) => !isDeepStrictEqual(r, theirs[n]));
  const where = i < 0 ? "the groups" : `rule ${i + 1} (${ours[i].alert ?? ours[i].record})`;
  fail(`the PrometheusRule's groups differ from kpr-alerts.rules.yaml at ${where}; ` +
    "run deploy/k8s/monitoring/check.sh --write");
}
console.log("PrometheusRule: the same groups as kpr-alerts.rules.yaml");
JS

if ! command -v promtool >/dev/null; then
  echo "SKIPPED: promtool not found (Debian package prometheus)"
  exit 77
fi
promtool check rules "$scratch/dashboard.rules.yaml" >/dev/null ||
  { echo "FAIL: a dashboard query is not valid PromQL (above)" >&2; exit 1; }
echo "dashboard: every query parses"
cd "$here"
promtool check rules kpr-alerts.rules.yaml
promtool test rules kpr-alerts.rules.test.yaml
