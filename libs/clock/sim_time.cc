#include "libs/clock/sim_time.h"

#include <cstdlib>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"

namespace kpr::clock {
namespace {

constexpr absl::Duration kMaxAdvance = absl::Hours(24 * 366 * 100);

absl::Status BadAdvance(absl::string_view text) {
  return absl::InvalidArgumentError(absl::StrCat(
      "'", text, "' is not a duration such as 3d, 72h, 10w or 1w2d (units w d h m s)"));
}

absl::Duration Unit(char c) {
  switch (c) {
    case 'w':
      return absl::Hours(24 * 7);
    case 'd':
      return absl::Hours(24);
    case 'h':
      return absl::Hours(1);
    case 'm':
      return absl::Minutes(1);
    case 's':
      return absl::Seconds(1);
    default:
      return absl::ZeroDuration();
  }
}

}  // namespace

absl::StatusOr<absl::Duration> ParseClockAdvance(absl::string_view text) {
  absl::string_view rest = absl::StripAsciiWhitespace(text);
  if (rest.empty()) return BadAdvance(text);
  absl::Duration total;
  while (!rest.empty()) {
    size_t digits = 0;
    while (digits < rest.size() && absl::ascii_isdigit(rest[digits])) ++digits;
    // Nine digits of any unit stay far inside absl::Duration's range before the cap below.
    if (digits == 0 || digits > 9 || digits == rest.size()) return BadAdvance(text);
    int64_t n = 0;
    if (!absl::SimpleAtoi(rest.substr(0, digits), &n)) return BadAdvance(text);
    absl::Duration unit = Unit(rest[digits]);
    if (unit == absl::ZeroDuration()) return BadAdvance(text);
    total += n * unit;
    rest.remove_prefix(digits + 1);
  }
  if (total <= absl::ZeroDuration()) {
    return absl::InvalidArgumentError(
        absl::StrCat("'", text, "' is no step forward: the clock only advances"));
  }
  if (total > kMaxAdvance) {
    return absl::InvalidArgumentError(absl::StrCat("'", text, "' is more than 100 years"));
  }
  return total;
}

absl::StatusOr<absl::Time> ParseClockInstant(absl::string_view text) {
  absl::Time t;
  std::string err;
  if (!absl::ParseTime(absl::RFC3339_full, std::string(absl::StripAsciiWhitespace(text)), &t,
                       &err)) {
    return absl::InvalidArgumentError(
        absl::StrCat("'", text,
                     "' is not an RFC 3339 instant with its offset, e.g. 2027-01-04T08:00:00Z or "
                     "2027-01-04T09:00:00+01:00"));
  }
  return t;
}

absl::StatusOr<int64_t> ParseStoredOffset(absl::string_view text) {
  int64_t ms = 0;
  if (!absl::SimpleAtoi(text, &ms)) {
    return absl::InvalidArgumentError(
        absl::StrCat(kSimClockKey, " holds '", text, "', not an offset in milliseconds"));
  }
  return ms;
}

absl::Time SimulatedTime(absl::Time real, int64_t offset_ms) {
  return real + absl::Milliseconds(offset_ms);
}

absl::StatusOr<int64_t> OffsetToReach(absl::Time target, absl::Time real_now,
                                      std::optional<int64_t> current) {
  const int64_t offset = absl::ToUnixMillis(target) - absl::ToUnixMillis(real_now);
  if (current.has_value() && offset < *current) {
    return absl::FailedPreconditionError(
        absl::StrCat("the simulated clock is at ", FormatInstant(SimulatedTime(real_now, *current)),
                     " and never moves back (asked for ", FormatInstant(target), ")"));
  }
  return offset;
}

std::string FormatInstant(absl::Time t) {
  return absl::FormatTime("%Y-%m-%dT%H:%M:%E3SZ", t, absl::UTCTimeZone());
}

std::string FormatOffset(int64_t offset_ms) {
  if (offset_ms == 0) return "0s";
  const char* sign = offset_ms < 0 ? "-" : "+";
  // Whole seconds: a clock set by hand is read in days and hours, not milliseconds.
  uint64_t s = static_cast<uint64_t>(offset_ms < 0 ? -(offset_ms / 1000) : offset_ms / 1000);
  const uint64_t days = s / 86400, hours = s / 3600 % 24, minutes = s / 60 % 60, seconds = s % 60;
  std::string out = sign;
  if (days) absl::StrAppend(&out, days, "d");
  if (hours) absl::StrAppend(&out, hours, "h");
  if (minutes) absl::StrAppend(&out, minutes, "m");
  if (seconds || out.size() == 1) absl::StrAppend(&out, seconds, "s");
  return out;
}

absl::Time MonotonicTime::Next(absl::Time t) {
  const int64_t ns = absl::ToUnixNanos(t);
  int64_t last = last_ns_.load(std::memory_order_relaxed);
  while (ns > last) {
    if (last_ns_.compare_exchange_weak(last, ns, std::memory_order_relaxed)) return t;
  }
  return absl::FromUnixNanos(last);
}

}  // namespace kpr::clock
