#include "services/scheduling/scheduling_store.h"

#include <string>
#include <utility>

#include "absl/strings/str_cat.h"
#include "services/scheduling/scheduling_store_script_io.h"

// The store's calls are split by concept: scheduling_store_catalog.cc,
// scheduling_store_cohorts.cc (cohorts and sessions) and scheduling_store_enrolment.cc
// (enrolments and waitlists); scheduling_store_script_io.cc talks to the scripts.

namespace kpr::scheduling {
namespace {

using script_io::CheckMunicipality;

}  // namespace

std::string OpenTimerId(absl::string_view cohort_id) { return absl::StrCat("open:", cohort_id); }
std::string StartTimerId(absl::string_view cohort_id) { return absl::StrCat("start:", cohort_id); }
std::string CompleteTimerId(absl::string_view cohort_id) {
  return absl::StrCat("complete:", cohort_id);
}

SchedulingStore::SchedulingStore(store::RedisPool& pool, std::function<absl::Time()> clock)
    : pool_(pool),
      clock_(std::move(clock)),
      outbox_(pool, kSchedulingService),
      timers_(pool, kSchedulingService) {}

absl::Status SchedulingStore::Register(absl::string_view municipality) {
  if (auto s = CheckMunicipality(municipality); !s.ok()) return s;
  if (auto s = outbox_.Register(municipality); !s.ok()) return s;
  return timers_.Register(municipality);
}

}  // namespace kpr::scheduling
