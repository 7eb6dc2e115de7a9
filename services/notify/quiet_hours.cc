#include "services/notify/quiet_hours.h"

#include <algorithm>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/time/civil_time.h"
#include "libs/calendar/danish_time.h"

namespace kpr::notify {
namespace {

constexpr int kDefaultStart = 21 * 60;
constexpr int kDefaultEnd = 8 * 60;

// "HH:MM" as minutes after midnight, or -1.
int ParseClock(absl::string_view text) {
  if (text.size() != 5 || text[2] != ':') return -1;
  int hour = 0;
  int minute = 0;
  if (!absl::ascii_isdigit(text[0]) || !absl::ascii_isdigit(text[1]) ||
      !absl::ascii_isdigit(text[3]) || !absl::ascii_isdigit(text[4]) ||
      !absl::SimpleAtoi(text.substr(0, 2), &hour) || !absl::SimpleAtoi(text.substr(3, 2), &minute))
    return -1;
  if (hour > 23 || minute > 59) return -1;
  return hour * 60 + minute;
}

int MinuteOfDay(absl::CivilMinute local) { return local.hour() * 60 + local.minute(); }

}  // namespace

absl::StatusOr<QuietHours> QuietHours::Parse(absl::string_view text, absl::string_view field) {
  text = absl::StripAsciiWhitespace(text);
  if (absl::AsciiStrToLower(text) == "off") return Off();
  const size_t dash = text.find('-');
  const int start = dash == absl::string_view::npos ? -1 : ParseClock(text.substr(0, dash));
  const int end = dash == absl::string_view::npos ? -1 : ParseClock(text.substr(dash + 1));
  if (start < 0 || end < 0) {
    return absl::InvalidArgumentError(
        absl::StrCat(field, ": must be HH:MM-HH:MM (e.g. 21:00-08:00) or off"));
  }
  if (start == end) {
    return absl::InvalidArgumentError(
        absl::StrCat(field, ": start and end must differ (use off for no quiet hours)"));
  }
  return QuietHours(true, start, end);
}

QuietHours QuietHours::Default() { return QuietHours(true, kDefaultStart, kDefaultEnd); }

QuietHours QuietHours::Off() { return QuietHours(false, 0, 0); }

bool QuietHours::Contains(absl::Time t) const {
  if (!enabled_) return false;
  const int m = MinuteOfDay(calendar::AbsoluteToLocal(t));
  if (start_minute_ < end_minute_) return m >= start_minute_ && m < end_minute_;
  return m >= start_minute_ || m < end_minute_;  // wraps midnight
}

absl::Time QuietHours::NextAllowed(absl::Time due) const {
  if (!Contains(due)) return due;
  const absl::CivilMinute local = calendar::AbsoluteToLocal(due);
  absl::CivilDay day(local);
  // In a window that wraps midnight, evening times end on the next day.
  if (start_minute_ > end_minute_ && MinuteOfDay(local) >= start_minute_) ++day;
  const absl::CivilSecond end(absl::CivilMinute(day) + end_minute_);
  const absl::TimeZone::TimeInfo info = calendar::DanishTimeZone().At(end);
  switch (info.kind) {
    case absl::TimeZone::TimeInfo::SKIPPED:
      // The end lies in the spring gap: the window is over when the clock jumps past it.
      return std::max(info.trans, due);
    case absl::TimeZone::TimeInfo::REPEATED:
      // The end occurs twice in autumn: the first occurrence after `due`.
      return info.pre > due ? info.pre : std::max(info.post, due);
    case absl::TimeZone::TimeInfo::UNIQUE:
      break;
  }
  return std::max(info.pre, due);
}

std::string QuietHours::ToString() const {
  if (!enabled_) return "off";
  return absl::StrFormat("%02d:%02d-%02d:%02d", start_minute_ / 60, start_minute_ % 60,
                         end_minute_ / 60, end_minute_ % 60);
}

std::optional<absl::Time> ReminderSendTime(absl::Time due, absl::Time session_start,
                                           const QuietHours& quiet_hours) {
  const absl::Time send = quiet_hours.NextAllowed(due);
  if (send >= session_start) return std::nullopt;
  return send;
}

}  // namespace kpr::notify
