#ifndef KPR_SERVICES_OUTCOMES_OUTCOMES_CONTEXT_H_
#define KPR_SERVICES_OUTCOMES_OUTCOMES_CONTEXT_H_

// What every outcomes desk works with: the store, the clock, the outbox notifier, the audit
// trail, the sealing key and the options; and the I/O they share: reading records (opening the
// sealed ones) and committing a Draft (sealing what holds health data, then one script).
//
// Participant and attendance records hold health data: they are sealed (AES-GCM, bound to their
// key) before they reach Redis, and never logged.

#include <functional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "libs/identity/caller.h"
#include "libs/privacy/audit_trail.h"
#include "libs/privacy/sealed_box.h"
#include "services/outcomes/draft.h"
#include "services/outcomes/outcome_tally.h"
#include "services/outcomes/outcomes_store.h"
#include "services/outcomes/questionnaire_schedule.h"
#include "services/outcomes/versioned_records.h"

namespace kpr::outcomes {

struct OutcomesOptions {
  // Domain time: lifecycles, questionnaire windows, timers. Tests and benchmarks simulate it.
  std::function<absl::Time()> clock = [] { return absl::Now(); };
  OutcomePolicy policy;
  ScheduleOptions schedule = DefaultScheduleOptions();
  int suppression_threshold = 5;
  // Outcomes are decided this long after the cohort's completion, so instructors can still
  // record the last sessions.
  absl::Duration settle_delay = absl::Hours(48);
};

struct OutcomesContext {
  // `store` and `audit` must outlive the context. `encryption_key`: DataKeys::encryption_key.
  // `on_outbox_write` (may be empty) is called after a commit that appended events.
  OutcomesContext(OutcomesStore& store, privacy::AuditTrail& audit, std::string encryption_key,
                  std::function<void()> on_outbox_write, OutcomesOptions options);

  absl::Time Now() const { return options.clock(); }

  absl::StatusOr<Cohort> LoadCohort(const std::string& m, const std::string& cohort_id) const;
  // A cohort a caller asks about: NOT_FOUND "cohort <id> is not known" if it was never planned.
  absl::StatusOr<Cohort> LoadKnownCohort(const std::string& m, const std::string& cohort_id) const;
  // In the order of `referral_ids`; version 0 for one never seen.
  absl::StatusOr<std::vector<Participant>> LoadParticipants(
      const std::string& m, const std::vector<std::string>& referral_ids) const;
  // A sealed record's plaintext (DATA_LOSS if it was not sealed for `key`).
  absl::StatusOr<std::string> Open(const std::string& sealed, const std::string& key) const;

  // Seals the draft's sealed writes and commits it in one script (a repeat of the applied event
  // writes nothing); tells the outbox relay when events were appended. ABORTED on a conflict.
  absl::Status Commit(const std::string& m, Draft draft) const;

  // Records that the caller read or changed `referral_id`'s personal data, before it happens:
  // no audit, no data.
  absl::Status Audit(const std::string& m, const identity::Caller& caller,
                     const std::string& action, const std::string& referral_id) const;

  OutcomesStore& store;
  privacy::AuditTrail& audit;
  const privacy::SealedBox box;
  const std::function<void()> on_outbox_write;
  const OutcomesOptions options;
};

}  // namespace kpr::outcomes

#endif  // KPR_SERVICES_OUTCOMES_OUTCOMES_CONTEXT_H_
