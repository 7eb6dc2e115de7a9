// Validates rendered kustomize output: every object against the Kubernetes schemas
// (kubernetes-models; monitoring.coreos.com kinds with @kubernetes-models/prometheus-operator;
// any other kind fails), then kpr's own policies. Exits 1 with one line per problem.
//
//   node validate.mjs <overlay-name> <rendered.yaml>
//
// Policies:
//   - every long-running container (Deployments and StatefulSets: the services, NATS, Redis)
//     has readiness and liveness probes, CPU and memory requests and limits, and the
//     securityContext (non-root, no privilege escalation, all capabilities dropped, read-only
//     root filesystem, seccomp RuntimeDefault at pod or container level); Jobs the same minus
//     probes;
//   - selectors match the pod template's labels; Services, PDBs and HPAs point at something;
//   - in prod (and prod-*), every Deployment has a PDB and an HPA;
//   - a PodMonitor or ServiceMonitor selects pods or Services that have the port it scrapes;
//   - every pod is covered by a NetworkPolicy besides the default deny, and the default deny is
//     there;
//   - no Secret objects and no secret-looking literal values (the services read secrets from
//     mounted files).
import fs from "node:fs";
import yaml from "js-yaml";

const [overlay, file] = process.argv.slice(2);
if (!overlay || !file) {
  console.error("usage: node validate.mjs <overlay-name> <rendered.yaml>");
  process.exit(2);
}
const objects = yaml.loadAll(fs.readFileSync(file, "utf8")).filter(Boolean);
const problems = [];
const where = (o) => `${overlay}: ${o.kind}/${o.metadata?.name}`;
const problem = (o, what) => problems.push(`${where(o)}: ${what}`);

// ---- Schemas ----
for (const o of objects) {
  const [group, version] = o.apiVersion.includes("/") ? o.apiVersion.split("/") : [null, o.apiVersion];
  const models = group === "monitoring.coreos.com" ? "@kubernetes-models/prometheus-operator" : "kubernetes-models";
  const path = group ? `${models}/${group}/${version}` : `${models}/${version}`;
  let mod;
  try {
    mod = await import(path);
  } catch {
    problem(o, `no schema for ${o.apiVersion}`);
    continue;
  }
  const Kind = mod[o.kind];
  if (!Kind) {
    problem(o, `no kind ${o.kind} in ${o.apiVersion}`);
    continue;
  }
  try {
    new Kind(o).validate();
  } catch (e) {
    problem(o, `schema: ${e.message.split("\n").slice(0, 4).join(" | ")}`);
  }
}

// ---- Namespace ----
// Everything but the Namespace itself goes to kpr: an object without one lands in whatever
// namespace kubectl's context points at, where its selectors match nothing.
for (const o of objects) {
  if (o.kind !== "Namespace" && o.metadata?.namespace !== "kpr") problem(o, "not in namespace kpr");
}

// ---- Workloads ----
const workloads = objects.filter((o) => ["Deployment", "StatefulSet", "Job"].includes(o.kind));
const matches = (selector, labels) =>
  Object.entries(selector?.matchLabels ?? {}).every(([k, v]) => labels?.[k] === v) &&
  (selector?.matchExpressions ?? []).every((e) => {
    const v = labels?.[e.key];
    if (e.operator === "In") return e.values.includes(v);
    if (e.operator === "NotIn") return !e.values.includes(v);
    if (e.operator === "Exists") return v !== undefined;
    if (e.operator === "DoesNotExist") return v === undefined;
    return false;
  });

for (const w of workloads) {
  const pod = w.spec.template;
  const labels = pod.metadata?.labels ?? {};
  if (w.kind !== "Job") {
    if (!w.spec.selector?.matchLabels || Object.keys(w.spec.selector.matchLabels).length === 0) {
      problem(w, "no selector.matchLabels");
    } else if (!matches(w.spec.selector, labels)) {
      problem(w, "selector does not match the pod template's labels");
    }
  }
  const podSc = pod.spec.securityContext ?? {};
  if (pod.spec.automountServiceAccountToken !== false) {
    problem(w, "automountServiceAccountToken is not false");
  }
  for (const c of pod.spec.containers) {
    const at = `container ${c.name}`;
    const sc = c.securityContext ?? {};
    if (w.kind !== "Job") {
      if (!c.readinessProbe) problem(w, `${at}: no readinessProbe`);
      if (!c.livenessProbe) problem(w, `${at}: no livenessProbe`);
    }
    for (const kind of ["requests", "limits"]) {
      for (const res of ["cpu", "memory"]) {
        if (!c.resources?.[kind]?.[res]) problem(w, `${at}: no ${kind}.${res}`);
      }
    }
    if (!(sc.runAsNonRoot ?? podSc.runAsNonRoot)) problem(w, `${at}: not runAsNonRoot`);
    if ((sc.runAsUser ?? podSc.runAsUser) === 0) problem(w, `${at}: runs as uid 0`);
    if (sc.allowPrivilegeEscalation !== false) problem(w, `${at}: allowPrivilegeEscalation`);
    if (sc.privileged) problem(w, `${at}: privileged`);
    if (!(sc.capabilities?.drop ?? []).includes("ALL")) problem(w, `${at}: capabilities not all dropped`);
    if ((sc.capabilities?.add ?? []).length) problem(w, `${at}: adds capabilities`);
    if (sc.readOnlyRootFilesystem !== true) problem(w, `${at}: root filesystem not read-only`);
    const seccomp = sc.seccompProfile?.type ?? podSc.seccompProfile?.type;
    if (seccomp !== "RuntimeDefault") problem(w, `${at}: seccomp is not RuntimeDefault`);
    for (const e of c.env ?? []) {
      if (e.value && /password|secret|token|key/i.test(e.name)) {
        problem(w, `${at}: ${e.name} has a literal value; use a secretKeyRef or a file`);
      }
    }
  }
}

// ---- What points at workloads ----
const podsOf = (selectorLabels) =>
  workloads.filter((w) => matches({ matchLabels: selectorLabels }, w.spec.template.metadata?.labels));
for (const s of objects.filter((o) => o.kind === "Service")) {
  if (s.spec.selector && podsOf(s.spec.selector).length === 0) problem(s, "selects no pods");
}
for (const p of objects.filter((o) => o.kind === "PodDisruptionBudget")) {
  if (workloads.filter((w) => matches(p.spec.selector, w.spec.template.metadata?.labels)).length === 0) {
    problem(p, "selects no pods");
  }
}
const hpas = objects.filter((o) => o.kind === "HorizontalPodAutoscaler");
for (const h of hpas) {
  const t = h.spec.scaleTargetRef;
  if (!objects.some((o) => o.kind === t.kind && o.metadata.name === t.name)) {
    problem(h, `targets ${t.kind}/${t.name}, which is not there`);
  }
}
if (/^prod(-|$)/.test(overlay)) {
  for (const d of objects.filter((o) => o.kind === "Deployment")) {
    const labels = d.spec.template.metadata?.labels;
    if (!objects.some((o) => o.kind === "PodDisruptionBudget" && matches(o.spec.selector, labels))) {
      problem(d, "no PodDisruptionBudget");
    }
    if (!hpas.some((h) => h.spec.scaleTargetRef.kind === "Deployment" && h.spec.scaleTargetRef.name === d.metadata.name)) {
      problem(d, "no HorizontalPodAutoscaler");
    }
  }
}

// ---- Scrapes: the Prometheus Operator's monitors must find something to scrape ----
for (const m of objects.filter((o) => o.kind === "PodMonitor")) {
  const pods = workloads.filter((w) => matches(m.spec.selector, w.spec.template.metadata?.labels));
  if (pods.length === 0) problem(m, "selects no pods");
  for (const e of [m.spec.podMetricsEndpoints ?? []].flat()) {
    for (const w of pods) {
      const ports = w.spec.template.spec.containers.flatMap((c) => c.ports ?? []);
      if (!ports.some((p) => p.name === e.port)) problem(m, `${w.kind}/${w.metadata.name} has no port named ${e.port}`);
    }
  }
  if (m.spec.jobLabel && pods.some((w) => !w.spec.template.metadata?.labels?.[m.spec.jobLabel])) {
    problem(m, `jobLabel ${m.spec.jobLabel} is missing on a pod it selects`);
  }
}
for (const m of objects.filter((o) => o.kind === "ServiceMonitor")) {
  const services = objects.filter((o) => o.kind === "Service" && matches(m.spec.selector, o.metadata.labels));
  if (services.length === 0) problem(m, "selects no Services");
  for (const e of [m.spec.endpoints ?? []].flat()) {
    for (const s of services) {
      if (e.port && !(s.spec.ports ?? []).some((p) => p.name === e.port)) problem(m, `Service/${s.metadata.name} has no port named ${e.port}`);
    }
  }
}

// ---- NetworkPolicies ----
const policies = objects.filter((o) => o.kind === "NetworkPolicy");
const denyAll = policies.find(
  (p) => Object.keys(p.spec.podSelector ?? {}).length === 0 && !p.spec.ingress && !p.spec.egress &&
    (p.spec.policyTypes ?? []).includes("Ingress") && (p.spec.policyTypes ?? []).includes("Egress"));
if (!denyAll) problems.push(`${overlay}: no default-deny NetworkPolicy (empty podSelector, no rules)`);
for (const w of workloads) {
  const labels = w.spec.template.metadata?.labels ?? {};
  const allowing = policies.filter(
    (p) => p !== denyAll && Object.keys(p.spec.podSelector ?? {}).length > 0 && matches(p.spec.podSelector, labels));
  if (allowing.length === 0) problem(w, "no NetworkPolicy allows its pods anything");
}

// ---- Secrets ----
for (const o of objects) {
  if (o.kind === "Secret") problem(o, "a Secret in the manifests: create it in the cluster instead");
  if (o.kind === "ConfigMap") {
    for (const [k, v] of Object.entries(o.data ?? {})) {
      if (/(password|secret|token|key)$/i.test(k) && !/_FILE$/.test(k)) {
        problem(o, `${k} looks like a secret value`);
      }
      if (/BEGIN [A-Z ]*PRIVATE KEY/.test(String(v))) problem(o, `${k} holds a private key`);
    }
  }
}

if (problems.length) {
  for (const p of problems) console.error(p);
  console.error(`${overlay}: ${problems.length} problem(s) in ${objects.length} objects`);
  process.exit(1);
}
console.log(`${overlay}: ${objects.length} objects valid, policies hold`);
