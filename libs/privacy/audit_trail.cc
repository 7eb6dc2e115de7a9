#include "libs/privacy/audit_trail.h"

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "libs/observe/log.h"

namespace kpr::privacy {

AuditTrail::AuditTrail(store::RedisPool& pool) : pool_(pool) {}

std::string AuditTrail::StreamKey(const std::string& municipality) {
  return absl::StrCat("kpr:{", municipality, "}:audit");
}

namespace {

std::vector<std::string> AddCommand(const AuditRecord& r) {
  return {"XADD",
          AuditTrail::StreamKey(r.municipality),
          "*",
          "at",
          std::to_string(absl::ToUnixMillis(absl::Now())),
          "actor",
          r.actor,
          "role",
          r.role,
          "action",
          r.action,
          "subject",
          r.subject_id,
          "traceparent",
          r.traceparent};
}

void Log(const AuditRecord& r) {
  observe::Info("personal data read")
      .With("audit", true)
      .With("actor", r.actor)
      .With("role", r.role)
      .With("action", r.action)
      .With("subject_id", r.subject_id)
      .With("municipality", r.municipality);
}

}  // namespace

AuditRecord ReadBy(const identity::Caller& caller, std::string municipality, std::string action,
                   std::string subject_id) {
  return AuditRecord{std::move(municipality),
                     caller.claims.subject,
                     std::string(identity::RoleName(caller.claims.role)),
                     std::move(action),
                     std::move(subject_id),
                     caller.traceparent};
}

absl::Status AuditTrail::Record(const AuditRecord& r) { return RecordMany({r}); }

absl::Status AuditTrail::RecordMany(const std::vector<AuditRecord>& records) {
  if (records.empty()) return absl::OkStatus();
  std::vector<std::vector<std::string>> commands;
  commands.reserve(records.size());
  for (const AuditRecord& r : records) commands.push_back(AddCommand(r));
  auto replies = pool_.Pipeline(commands);
  if (!replies.ok()) return replies.status();
  for (const store::RedisReply& reply : *replies) {
    if (reply.is_error()) return absl::InternalError("the audit trail refused a record");
  }
  for (const AuditRecord& r : records) Log(r);
  return absl::OkStatus();
}

}  // namespace kpr::privacy
