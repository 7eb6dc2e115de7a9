#include "services/scheduling/plan_format.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"

namespace kpr::scheduling::plan {

absl::string_view WeekdayName(int dow) {
  static constexpr absl::string_view kNames[] = {"Monday", "Tuesday",  "Wednesday", "Thursday",
                                                 "Friday", "Saturday", "Sunday"};
  return dow >= 0 && dow < 7 ? kNames[dow] : absl::string_view("?");
}

std::string ClockText(int minute) { return absl::StrFormat("%02d:%02d", minute / 60, minute % 60); }

std::string SpanText(MinuteSpan span) {
  return absl::StrCat(ClockText(span.start), "-", ClockText(span.end));
}

std::string DayText(absl::CivilDay day) { return absl::FormatCivilTime(day); }

std::string ActivityName(const ProgramModel& program, absl::string_view activity_id) {
  const ActivityModel* a = program.FindActivity(activity_id);
  return a != nullptr && !a->name.empty() ? a->name : std::string(activity_id);
}

std::string JoinAnd(const std::vector<std::string>& items) {
  std::string out;
  for (size_t i = 0; i < items.size(); ++i) {
    if (i > 0) out += (i + 1 == items.size()) ? " and " : ", ";
    out += items[i];
  }
  return out;
}

std::string WeekdaysText(const std::vector<int>& dows) {
  // Runs of consecutive weekdays read as ranges ("Tuesday-Thursday").
  std::vector<std::string> parts;
  for (size_t i = 0; i < dows.size();) {
    size_t j = i;
    while (j + 1 < dows.size() && dows[j + 1] == dows[j] + 1) ++j;
    if (j == i) {
      parts.emplace_back(WeekdayName(dows[i]));
    } else if (j == i + 1) {
      parts.emplace_back(WeekdayName(dows[i]));
      parts.emplace_back(WeekdayName(dows[j]));
    } else {
      parts.push_back(absl::StrCat(WeekdayName(dows[i]), "-", WeekdayName(dows[j])));
    }
    i = j + 1;
  }
  return JoinAnd(parts);
}

std::string CommonHoursText(const WeeklySpans& spans, const std::vector<int>& dows) {
  if (dows.empty() || spans[dows[0]].empty()) return "";
  const std::vector<MinuteSpan>& first = spans[dows[0]];
  for (int dow : dows) {
    if (spans[dow] != first) return "";
  }
  std::vector<std::string> parts;
  for (MinuteSpan s : first) parts.push_back(SpanText(s));
  return JoinAnd(parts);
}

}  // namespace kpr::scheduling::plan
