#include "services/scheduling/closure_calendar.h"

#include <utility>

#include "absl/strings/str_cat.h"
#include "services/scheduling/danish_holidays.h"

namespace kpr::scheduling {
namespace {

// Days since the Monday of the day's week: Monday 0 .. Sunday 6 (absl::Weekday's order).
int DaysSinceMonday(absl::CivilDay day) { return static_cast<int>(absl::GetWeekday(day)); }

// Every ISO week is named after the year its Thursday falls in.
absl::CivilDay ThursdayOfWeek(absl::CivilDay day) { return day + (3 - DaysSinceMonday(day)); }

}  // namespace

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
  return IsDanishPublicHoliday(day, /*include_customary=*/true) || PeriodContaining(day) != nullptr;
}

std::optional<std::string> ClosureCalendar::WhyClosed(absl::CivilDay day) const {
  if (std::optional<PublicHoliday> h = DanishPublicHolidayOn(day, /*include_customary=*/true)) {
    return absl::StrCat(h->danish_name,
                        h->official ? " (public holiday)" : " (customary closing day)");
  }
  if (const ClosedPeriod* p = PeriodContaining(day)) return p->reason;
  return std::nullopt;
}

std::vector<absl::CivilDay> ClosureCalendar::OpenDaysInWeek(absl::CivilDay any_day_in_week) const {
  const absl::CivilDay monday = any_day_in_week - DaysSinceMonday(any_day_in_week);
  std::vector<absl::CivilDay> open;
  open.reserve(5);
  for (int i = 0; i < 5; ++i) {
    if (!IsClosed(monday + i)) open.push_back(monday + i);
  }
  return open;
}

int IsoWeekYear(absl::CivilDay day) { return static_cast<int>(ThursdayOfWeek(day).year()); }

int IsoWeek(absl::CivilDay day) { return (absl::GetYearDay(ThursdayOfWeek(day)) - 1) / 7 + 1; }

int IsoWeeksInYear(int iso_year) { return IsoWeek(absl::CivilDay(iso_year, 12, 28)); }

absl::CivilDay MondayOfIsoWeek(int iso_year, int week) {
  // 4 January is always in week 1.
  const absl::CivilDay jan4(iso_year, 1, 4);
  return jan4 - DaysSinceMonday(jan4) + 7 * (week - 1);
}

}  // namespace kpr::scheduling
