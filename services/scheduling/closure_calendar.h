#ifndef KPR_SERVICES_SCHEDULING_CLOSURE_CALENDAR_H_
#define KPR_SERVICES_SCHEDULING_CLOSURE_CALENDAR_H_

// A municipality's (or an institution's) closed days: Danish public holidays, customary closing
// days included, plus its own closed periods (school holidays, Christmas). Pure: no I/O.

#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/time/civil_time.h"

namespace kpr::scheduling {

// Closed from `first` to `last`, both inclusive.
struct ClosedPeriod {
  absl::CivilDay first;
  absl::CivilDay last;
  std::string reason;  // shown to coordinators, e.g. "Efterårsferie"
};

class ClosureCalendar {
 public:
  // INVALID_ARGUMENT if first > last or the reason is empty (coordinators must be told why).
  // Periods may overlap.
  absl::Status AddClosedPeriod(ClosedPeriod p);

  // A public holiday (customary closing days included) or inside a closed period. Weekends are
  // not closed as such: opening hours decide those.
  bool IsClosed(absl::CivilDay day) const;

  // Why `day` is closed, for coordinator-facing explanations; nullopt when open. A holiday wins
  // over a closed period: "Langfredag (public holiday)", "Grundlovsdag (customary closing day)";
  // otherwise the reason of the first added period containing the day.
  std::optional<std::string> WhyClosed(absl::CivilDay day) const;

  // Monday..Friday of the ISO week containing `any_day_in_week` that are not closed, in order.
  std::vector<absl::CivilDay> OpenDaysInWeek(absl::CivilDay any_day_in_week) const;

  // In the order added.
  const std::vector<ClosedPeriod>& closed_periods() const { return periods_; }

 private:
  const ClosedPeriod* PeriodContaining(absl::CivilDay day) const;

  std::vector<ClosedPeriod> periods_;
};

}  // namespace kpr::scheduling

#endif  // KPR_SERVICES_SCHEDULING_CLOSURE_CALENDAR_H_
