#ifndef KPR_SERVICES_SCHEDULING_DESK_CONTEXT_H_
#define KPR_SERVICES_SCHEDULING_DESK_CONTEXT_H_

// What the scheduling desks share (catalog_desk.h, cohort_desk.h, timetable_desk.h,
// enrolment_desk.h), and the rules every one of them follows:
//   - a desk authorizes (scheduling_access_policy.h), loads, decides with pure functions (what a
//     change writes: cohort_lifecycle.h, planned_cohort.h, session_changes.h,
//     enrolment_changes.h) and commits one store script, which appends the change's events to
//     the outbox; after a commit it wakes the outbox relay (Notify);
//   - a commit that lost a race to another writer (ABORTED) is loaded, decided and committed
//     again under the shared conflict policy (RetryRaces);
//   - domain time comes from the one injected clock.

#include <functional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "kpr/common/v1/event.pb.h"
#include "libs/identity/caller.h"
#include "services/scheduling/cohort_planner.h"
#include "services/scheduling/event_stamp.h"
#include "services/scheduling/scheduling_access_policy.h"
#include "services/scheduling/scheduling_store.h"

namespace kpr::scheduling {

using identity::Caller;

// Looks up a participant's first name (from the referral service, audited there), for
// instructors' participant lists.
using FirstNameLookup = std::function<absl::StatusOr<std::string>(
    const std::string& municipality, const std::string& referral_id, const Caller& caller)>;

struct DeskContext {
  SchedulingStore& store;
  // Domain time: "today" for planning, "now" for what has taken place, when events happened.
  std::function<absl::Time()> clock = [] { return absl::Now(); };
  // Wakes the outbox relay after a commit appended events.
  std::function<void()> on_outbox_write;
  ScoreWeights weights;
  // Unset: instructors' participant lists fail with FAILED_PRECONDITION.
  FirstNameLookup first_names;

  absl::Time Now() const { return clock(); }
  void Notify() const {
    if (on_outbox_write) on_outbox_write();
  }
  // For the events of one attempt at a change in `municipality`: now, the caller's correlation
  // and trace, a fresh nonce.
  EventStamp Stamp(const std::string& municipality, const Caller& caller) const;

  // The access policy for a call that concerns `concerned` institutions; for an instructor, the
  // institution they belong to is looked up first.
  absl::StatusOr<AccessGrant> AuthorizeForInstitutions(const Caller& caller, SchedulingRpc rpc,
                                                       const std::string& municipality,
                                                       std::vector<std::string> concerned,
                                                       bool caller_teaches_cohort = false) const;
};

// The service's own identity for the work a consumed event causes, continuing its trace.
Caller EventCaller(const common::v1::Event& event);

// 64 random bits in hex: for ids that must never collide.
std::string RandomNonce();

// The institutions hosting `sessions`, sorted: what a call about a cohort concerns.
std::vector<std::string> InstitutionsOf(const std::vector<v1::Session>& sessions);

// INVALID_ARGUMENT "<field>: <what>".
absl::Status Invalid(absl::string_view field, absl::string_view what);
// INVALID_ARGUMENT unless `id` is 1-64 of A-Z a-z 0-9 _ -.
absl::Status RequireId(absl::string_view field, const std::string& id);

// ABORTED for a caller whose expected version of `entity` is no longer current ("<entity>
// changed since version <expected> (now <now>): read it again"). Unlike a race lost between a
// desk's own read and commit, reading again cannot make the caller's version current, so the
// shared policy (store::StaleVersionError) ends with it at once.
absl::Status StaleVersion(absl::string_view entity, int64_t expected, int64_t now);

// Runs a desk's load-decide-commit `attempt` under the shared conflict policy
// (store::RetryOnConflict). When every attempt lost its race, ABORTED with `gave_up` tells the
// caller what kept changing ("" keeps the last conflict's own message).
absl::Status RetryRaces(absl::string_view gave_up, const std::function<absl::Status()>& attempt);

template <typename T>
absl::StatusOr<T> RetryRaces(absl::string_view gave_up,
                             const std::function<absl::StatusOr<T>()>& attempt) {
  absl::StatusOr<T> result = absl::AbortedError("not attempted");
  absl::Status st = RetryRaces(gave_up, [&]() -> absl::Status {
    result = attempt();
    return result.status();
  });
  if (!st.ok()) return st;
  return result;
}

}  // namespace kpr::scheduling

#endif  // KPR_SERVICES_SCHEDULING_DESK_CONTEXT_H_
