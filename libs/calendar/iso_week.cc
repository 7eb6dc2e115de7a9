#include "libs/calendar/iso_week.h"

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"

namespace kpr::calendar {
namespace {

// Every ISO week is named after the year its Thursday falls in.
absl::CivilDay ThursdayOfWeek(absl::CivilDay day) { return day + (3 - DaysSinceMonday(day)); }

}  // namespace

int DaysSinceMonday(absl::CivilDay day) { return static_cast<int>(absl::GetWeekday(day)); }

int IsoWeekYear(absl::CivilDay day) { return static_cast<int>(ThursdayOfWeek(day).year()); }

int IsoWeek(absl::CivilDay day) { return (absl::GetYearDay(ThursdayOfWeek(day)) - 1) / 7 + 1; }

int IsoWeeksInYear(int iso_year) { return IsoWeek(absl::CivilDay(iso_year, 12, 28)); }

absl::CivilDay MondayOfIsoWeek(int iso_year, int week) {
  // 4 January is always in week 1.
  const absl::CivilDay jan4(iso_year, 1, 4);
  return jan4 - DaysSinceMonday(jan4) + 7 * (week - 1);
}

std::string IsoWeekLabel(absl::CivilDay day) {
  return absl::StrFormat("%04d-W%02d", IsoWeekYear(day), IsoWeek(day));
}

absl::StatusOr<YearWeek> ParseIsoWeekLabel(absl::string_view text) {
  auto bad = [&](absl::string_view why) {
    return absl::InvalidArgumentError(
        absl::StrCat("\"", text.substr(0, 16), "\" is not an ISO week like 2027-W33: ", why));
  };
  absl::string_view t = absl::StripAsciiWhitespace(text);
  if (t.size() < 6 || t.size() > 8) return bad("wrong length");
  absl::string_view year_text = t.substr(0, 4);
  absl::string_view rest = t.substr(4);
  if (!rest.empty() && rest.front() == '-') rest.remove_prefix(1);
  if (rest.empty() || (rest.front() != 'W' && rest.front() != 'w')) return bad("no W");
  rest.remove_prefix(1);
  YearWeek out;
  for (char c : year_text) {
    if (!absl::ascii_isdigit(static_cast<unsigned char>(c))) return bad("year is not 4 digits");
  }
  if (rest.empty() || rest.size() > 2) return bad("week is not 1 or 2 digits");
  for (char c : rest) {
    if (!absl::ascii_isdigit(static_cast<unsigned char>(c))) return bad("week is not a number");
  }
  if (!absl::SimpleAtoi(year_text, &out.year) || !absl::SimpleAtoi(rest, &out.week)) {
    return bad("not a number");
  }
  if (out.week < 1 || out.week > IsoWeeksInYear(out.year)) {
    return bad(absl::StrCat(out.year, " has weeks 1-", IsoWeeksInYear(out.year)));
  }
  return out;
}

}  // namespace kpr::calendar
