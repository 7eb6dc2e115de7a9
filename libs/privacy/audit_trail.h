#ifndef KPR_LIBS_PRIVACY_AUDIT_TRAIL_H_
#define KPR_LIBS_PRIVACY_AUDIT_TRAIL_H_

// The audit trail of every read of personal data: who read whose record, when, in which trace.
// Kept per municipality in the Redis stream kpr:{<municipality>}:audit (append-only, AOF-backed)
// and mirrored as a JSON log line. A read whose audit record cannot be written must not return
// data: callers check the status.

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "libs/identity/caller.h"
#include "libs/store/redis_pool.h"

namespace kpr::privacy {

struct AuditRecord {
  std::string municipality;
  std::string actor;  // JWT subject
  std::string role;
  std::string action;      // e.g. "referral.GetContact"
  std::string subject_id;  // e.g. the referral id; never a CPR number
  std::string traceparent;
};

// The record of `caller` reading `subject_id`'s personal data in `municipality`.
AuditRecord ReadBy(const identity::Caller& caller, std::string municipality, std::string action,
                   std::string subject_id);

class AuditTrail {
 public:
  explicit AuditTrail(store::RedisPool& pool);
  absl::Status Record(const AuditRecord& record);
  // Several reads at once (one round trip): all recorded, or an error and the data withheld.
  absl::Status RecordMany(const std::vector<AuditRecord>& records);

  static std::string StreamKey(const std::string& municipality);

 private:
  store::RedisPool& pool_;
};

}  // namespace kpr::privacy

#endif  // KPR_LIBS_PRIVACY_AUDIT_TRAIL_H_
