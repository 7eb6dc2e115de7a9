#include "services/scheduling/desk_context.h"

#include <set>

#include "absl/random/random.h"
#include "absl/strings/str_cat.h"
#include "libs/store/retry_on_conflict.h"
#include "services/scheduling/catalog_validator.h"

namespace kpr::scheduling {
namespace {}  // namespace

std::string RandomNonce() {
  thread_local absl::BitGen gen;  // seeded from the OS; not thread-safe, hence one per thread
  return absl::StrCat(absl::Hex(absl::Uniform<uint64_t>(gen), absl::kZeroPad16));
}

std::vector<std::string> InstitutionsOf(const std::vector<v1::Session>& sessions) {
  std::set<std::string> ids;
  for (const auto& s : sessions) ids.insert(s.institution_id());
  return {ids.begin(), ids.end()};
}

EventStamp DeskContext::Stamp(const std::string& municipality, const Caller& caller) const {
  return EventStamp{municipality, Now(), caller.correlation_id, caller.traceparent, RandomNonce()};
}

absl::StatusOr<AccessGrant> DeskContext::AuthorizeForInstitutions(
    const Caller& caller, SchedulingRpc rpc, const std::string& m,
    std::vector<std::string> concerned, bool caller_teaches_cohort) const {
  AccessScope scope;
  scope.municipality = m;
  if (NeedsInstitutionCheck(caller.claims, rpc)) {
    auto instructor = store.GetInstructor(m, caller.claims.subject);
    scope.caller_institution_id = instructor.ok() ? instructor->institution_id() : "";
  }
  scope.concerned_institution_ids = std::move(concerned);
  scope.caller_teaches_cohort = caller_teaches_cohort;
  return Authorize(caller.claims, rpc, scope);
}

Caller EventCaller(const common::v1::Event& event) {
  return identity::ServiceCaller(kSchedulingService, event.municipality(), event.correlation_id(),
                                 event.trace().traceparent());
}

absl::Status Invalid(absl::string_view field, absl::string_view what) {
  return absl::InvalidArgumentError(absl::StrCat(field, ": ", what));
}

absl::Status RequireId(absl::string_view field, const std::string& id) {
  if (!IsValidId(id)) return Invalid(field, "required: 1-64 of A-Z a-z 0-9 _ -");
  return absl::OkStatus();
}

absl::Status StaleVersion(absl::string_view entity, int64_t expected, int64_t now) {
  return store::StaleVersionError(
      absl::StrCat(entity, " changed since version ", expected, " (now ", now, "): read it again"));
}

absl::Status RetryRaces(absl::string_view gave_up, const std::function<absl::Status()>& attempt) {
  absl::Status last = store::RetryOnConflict(attempt);
  if (last.code() == absl::StatusCode::kAborted && !store::IsStaleVersion(last) &&
      !gave_up.empty()) {
    return absl::AbortedError(gave_up);
  }
  return last;
}

}  // namespace kpr::scheduling
