#include "libs/privacy/audit_trail.h"

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "libs/observe/log.h"

namespace kpr::privacy {

AuditTrail::AuditTrail(store::RedisPool& pool) : pool_(pool) {}

std::string AuditTrail::StreamKey(const std::string& municipality) {
  return absl::StrCat("kpr:{", municipality, "}:audit");
}

absl::Status AuditTrail::Record(const AuditRecord& r) {
  auto reply = pool_.Command({"XADD", StreamKey(r.municipality), "*", "at",
                              std::to_string(absl::ToUnixMillis(absl::Now())), "actor", r.actor,
                              "role", r.role, "action", r.action, "subject", r.subject_id,
                              "traceparent", r.traceparent});
  if (!reply.ok()) return reply.status();
  observe::Info("personal data read")
      .With("audit", true)
      .With("actor", r.actor)
      .With("role", r.role)
      .With("action", r.action)
      .With("subject_id", r.subject_id)
      .With("municipality", r.municipality);
  return absl::OkStatus();
}

}  // namespace kpr::privacy
