#include "services/scheduling/closure_calendar.h"

#include <utility>

#include "absl/strings/str_cat.h"
#include "libs/calendar/danish_holidays.h"
#include "libs/calendar/iso_week.h"

namespace kpr::scheduling {

absl::Status ClosureCalendar::AddClosedPeriod(ClosedPeriod p) {
  if (p.first > p.last) {
    return absl::InvalidArgumentError(
        absl::StrCat("closed period \"", p.reason, "\" ends (", absl::FormatCivilTime(p.last),
                     ") before it starts (", absl::FormatCivilTime(p.first), ")"));
  }
  if (p.reason.empty()) {
    return absl::InvalidArgumentError("closed period needs a reason");
  }
  periods_.push_back(std::move(p));
  return absl::OkStatus();
}

const ClosedPeriod* ClosureCalendar::PeriodContaining(absl::CivilDay day) const {
  for (const ClosedPeriod& p : periods_) {
    if (p.first <= day && day <= p.last) return &p;
  }
  return nullptr;
}

bool ClosureCalendar::IsClosed(absl::CivilDay day) const {
  return calendar::IsDanishPublicHoliday(day, /*include_customary=*/true) ||
         PeriodContaining(day) != nullptr;
}

std::optional<std::string> ClosureCalendar::WhyClosed(absl::CivilDay day) const {
  if (std::optional<calendar::PublicHoliday> h =
          calendar::DanishPublicHolidayOn(day, /*include_customary=*/true)) {
    return absl::StrCat(h->danish_name,
                        h->official ? " (public holiday)" : " (customary closing day)");
  }
  if (const ClosedPeriod* p = PeriodContaining(day)) return p->reason;
  return std::nullopt;
}

std::vector<absl::CivilDay> ClosureCalendar::OpenDaysInWeek(absl::CivilDay any_day_in_week) const {
  const absl::CivilDay monday = any_day_in_week - calendar::DaysSinceMonday(any_day_in_week);
  std::vector<absl::CivilDay> open;
  open.reserve(5);
  for (int i = 0; i < 5; ++i) {
    if (!IsClosed(monday + i)) open.push_back(monday + i);
  }
  return open;
}

}  // namespace kpr::scheduling
