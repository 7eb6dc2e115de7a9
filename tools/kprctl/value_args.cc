#include "tools/kprctl/value_args.h"

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_split.h"
#include "absl/time/civil_time.h"
#include "libs/calendar/civil_day.h"
#include "libs/calendar/danish_time.h"

namespace kpr::kprctl {
namespace {

absl::Status Bad(const std::string& flag, const std::string& expected, const std::string& got) {
  return FlagError(flag, absl::StrCat("expected ", expected, ", got '", got, "'"));
}

bool AllDigits(const std::string& s, size_t from, size_t count) {
  if (from + count > s.size()) return false;
  for (size_t i = from; i < from + count; ++i) {
    if (!absl::ascii_isdigit(static_cast<unsigned char>(s[i]))) return false;
  }
  return true;
}

int Digits(const std::string& s, size_t from, size_t count) {
  int v = 0;
  for (size_t i = from; i < from + count; ++i) v = v * 10 + (s[i] - '0');
  return v;
}

}  // namespace

absl::Status FlagError(absl::string_view flag, absl::string_view message) {
  return absl::InvalidArgumentError(absl::StrCat("--", flag, ": ", message));
}

absl::StatusOr<int64_t> ParseInteger(const std::string& value, const std::string& flag, int64_t min,
                                     int64_t max) {
  int64_t v = 0;
  bool digits = !value.empty() &&
                AllDigits(value, value[0] == '-' ? 1 : 0, value.size() - (value[0] == '-' ? 1 : 0));
  if (!digits || !absl::SimpleAtoi(value, &v) || v < min || v > max) {
    std::string range = max == INT64_MAX ? absl::StrCat("a whole number >= ", min)
                                         : absl::StrCat("a whole number from ", min, " to ", max);
    return Bad(flag, range, value);
  }
  return v;
}

absl::StatusOr<int> ParseClockTime(const std::string& value, const std::string& flag) {
  const std::string expected = "a time HH:MM between 00:00 and 23:59";
  size_t colon = value.find(':');
  if (colon != 1 && colon != 2) return Bad(flag, expected, value);
  if (!AllDigits(value, 0, colon) || value.size() != colon + 3 || !AllDigits(value, colon + 1, 2)) {
    return Bad(flag, expected, value);
  }
  int hours = Digits(value, 0, colon);
  int minutes = Digits(value, colon + 1, 2);
  if (hours > 23 || minutes > 59) return Bad(flag, expected, value);
  return hours * 60 + minutes;
}

absl::StatusOr<absl::Time> ParseInstant(const std::string& value, const std::string& flag) {
  const std::string expected =
      "YYYY-MM-DD, 'YYYY-MM-DD HH:MM' (Danish time) or RFC 3339 like 2027-01-04T08:00:00+01:00";
  if (value.size() < 10) return Bad(flag, expected, value);
  auto day = calendar::ParseDay(absl::string_view(value).substr(0, 10));
  if (!day.ok()) return Bad(flag, expected, value);
  if (value.size() == 10) return calendar::StartOfLocalDay(*day);
  if (value.size() == 16 && (value[10] == ' ' || value[10] == 'T')) {
    auto minutes = ParseClockTime(value.substr(11), flag);
    if (!minutes.ok() || value[13] != ':') return Bad(flag, expected, value);
    return calendar::LocalToAbsolute(absl::CivilMinute(*day) + *minutes);
  }
  absl::Time t;
  std::string err;
  if (!absl::ParseTime(absl::RFC3339_full, value, &t, &err)) return Bad(flag, expected, value);
  return t;
}

absl::StatusOr<std::vector<std::string>> ParseIdList(const std::string& value,
                                                     const std::string& flag) {
  std::vector<std::string> ids;
  if (absl::StripAsciiWhitespace(value).empty()) return ids;
  if (absl::StartsWith(value, "--")) {
    return FlagError(flag, absl::StrCat("expected referral ids like r1,r2, got '", value,
                                        "' (a value missing?)"));
  }
  for (absl::string_view part : absl::StrSplit(value, ',')) {
    std::string id(absl::StripAsciiWhitespace(part));
    if (id.empty()) {
      return FlagError(flag, absl::StrCat("an empty referral id in '", value, "'"));
    }
    ids.push_back(std::move(id));
  }
  return ids;
}

google::protobuf::Timestamp ToTimestamp(absl::Time t) {
  const int64_t seconds = absl::ToUnixSeconds(t);  // rounds down, also before 1970
  google::protobuf::Timestamp ts;
  ts.set_seconds(seconds);
  ts.set_nanos(static_cast<int32_t>(absl::ToInt64Nanoseconds(t - absl::FromUnixSeconds(seconds))));
  return ts;
}

}  // namespace kpr::kprctl
