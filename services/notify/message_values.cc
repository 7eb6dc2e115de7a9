#include "services/notify/message_values.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "libs/calendar/danish_time.h"

namespace kpr::notify {
namespace {

constexpr const char* kDanishMonths[12] = {"januar",    "februar", "marts",    "april",
                                           "maj",       "juni",    "juli",     "august",
                                           "september", "oktober", "november", "december"};
constexpr const char* kEnglishMonths[12] = {"January",   "February", "March",    "April",
                                            "May",       "June",     "July",     "August",
                                            "September", "October",  "November", "December"};
// absl::Weekday order: Monday first.
constexpr const char* kDanishWeekdays[7] = {"mandag", "tirsdag", "onsdag", "torsdag",
                                            "fredag", "lørdag",  "søndag"};
constexpr const char* kEnglishWeekdays[7] = {"Monday", "Tuesday",  "Wednesday", "Thursday",
                                             "Friday", "Saturday", "Sunday"};

bool English(v1::Language language) { return language == v1::LANGUAGE_EN; }

// Pointers, not `(cond ? array_a : array_b)[i]`: GCC 12 miscompiles the conditional on two
// array lvalues (the Danish branch read garbage here).
const char* Month(absl::CivilDay day, v1::Language language) {
  const char* const* names = English(language) ? kEnglishMonths : kDanishMonths;
  return names[day.month() - 1];
}

const char* Weekday(absl::CivilDay day, v1::Language language) {
  const char* const* names = English(language) ? kEnglishWeekdays : kDanishWeekdays;
  return names[static_cast<int>(absl::GetWeekday(day))];
}

}  // namespace

std::string FormatSessionStart(absl::Time start, v1::Language language) {
  const absl::CivilMinute local = calendar::AbsoluteToLocal(start);
  const absl::CivilDay day(local);
  if (English(language)) {
    return absl::StrFormat("%s %d %s at %02d:%02d", Weekday(day, language), day.day(),
                           Month(day, language), local.hour(), local.minute());
  }
  // Danish writes the time with a period: kl. 10.00.
  return absl::StrFormat("%s %d. %s kl. %02d.%02d", Weekday(day, language), day.day(),
                         Month(day, language), local.hour(), local.minute());
}

std::string FormatDay(absl::CivilDay day, v1::Language language) {
  if (English(language)) {
    return absl::StrFormat("%d %s %d", day.day(), Month(day, language), day.year());
  }
  return absl::StrFormat("%d. %s %d", day.day(), Month(day, language), day.year());
}

std::string FormatCohortDates(std::vector<absl::Time> session_starts, v1::Language language) {
  std::vector<absl::CivilDay> days;
  days.reserve(session_starts.size());
  for (absl::Time t : session_starts) days.push_back(calendar::LocalDay(t));
  std::sort(days.begin(), days.end());
  days.erase(std::unique(days.begin(), days.end()), days.end());
  std::vector<std::string> items;
  items.reserve(days.size());
  for (absl::CivilDay d : days) {
    items.push_back(English(language) ? absl::StrFormat("%d %.3s", d.day(), Month(d, language))
                                      : absl::StrFormat("%d/%d", d.day(), d.month()));
  }
  return JoinAsList(items, language);
}

std::string FormatRiskReasons(const std::vector<outcomes::v1::RiskReason>& reasons,
                              v1::Language language) {
  std::vector<std::string> items;
  for (outcomes::v1::RiskReason r : reasons) {
    switch (r) {
      case outcomes::v1::RISK_REASON_TWO_ABSENCES_IN_A_ROW:
        items.push_back(English(language) ? "two absences in a row" : "to fravær i træk");
        break;
      case outcomes::v1::RISK_REASON_ATTENDANCE_BELOW_THRESHOLD:
        items.push_back(English(language) ? "attendance below the threshold"
                                          : "fremmøde under grænsen");
        break;
      default:
        break;
    }
  }
  if (items.empty()) items.push_back(English(language) ? "low attendance" : "lavt fremmøde");
  return JoinAsList(items, language);
}

std::string JoinAsList(const std::vector<std::string>& items, v1::Language language) {
  if (items.size() <= 1) return items.empty() ? "" : items.front();
  return absl::StrCat(absl::StrJoin(items.begin(), items.end() - 1, ", "),
                      English(language) ? " and " : " og ", items.back());
}

}  // namespace kpr::notify
