#ifndef KPR_TOOLS_KPRCTL_VALUE_ARGS_H_
#define KPR_TOOLS_KPRCTL_VALUE_ARGS_H_

// Strict parsing of the values kprctl's options take, shared by every command group: whole
// numbers, clock times, points in time and lists of ids. Days and ISO weeks are parsed by
// libs/calendar (calendar::ParseDay, calendar::ParseIsoWeekLabel) through ForFlag, so kprctl has
// one calendar with the services. A date or time a user types is Danish (Europe/Copenhagen)
// whatever the machine's time zone. Every error is INVALID_ARGUMENT naming the flag, e.g.
// "--start: expected a time HH:MM between 00:00 and 23:59, got '9.30'". No I/O.

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "google/protobuf/timestamp.pb.h"

// Binds `var` to the value of a StatusOr expression or returns its error.
#define KPRCTL_TRY(var, expr)                   \
  auto var##_or = (expr);                       \
  if (!var##_or.ok()) return var##_or.status(); \
  auto var = *std::move(var##_or)

namespace kpr::kprctl {

// `value`, or its error with "--<flag>: " in front: ForFlag("from", calendar::ParseDay(text))
// fails with `--from: "2027-02-30" is not a day YYYY-MM-DD`.
template <typename T>
absl::StatusOr<T> ForFlag(absl::string_view flag, absl::StatusOr<T> value) {
  if (value.ok()) return value;
  return absl::Status(value.status().code(),
                      absl::StrCat("--", flag, ": ", value.status().message()));
}

// INVALID_ARGUMENT "--<flag>: <message>".
absl::Status FlagError(absl::string_view flag, absl::string_view message);

// A decimal integer in [min, max].
absl::StatusOr<int64_t> ParseInteger(const std::string& value, const std::string& flag, int64_t min,
                                     int64_t max);
// "HH:MM" or "H:MM", 00:00..23:59 -> minutes after midnight.
absl::StatusOr<int> ParseClockTime(const std::string& value, const std::string& flag);
// "YYYY-MM-DD" (the start of that Danish day), "YYYY-MM-DD HH:MM" or "YYYY-MM-DDTHH:MM" (Danish
// local time), or RFC 3339 with an offset ("2027-01-04T08:00:00+01:00", "...Z").
absl::StatusOr<absl::Time> ParseInstant(const std::string& value, const std::string& flag);

// "r1,r2" -> {"r1", "r2"}; blanks around ids dropped; "" -> {}. An empty item ("r1,,r2") or a
// value that looks like an option ("--absent", when a value was forgotten) is an error.
absl::StatusOr<std::vector<std::string>> ParseIdList(const std::string& value,
                                                     const std::string& flag);

// The protobuf Timestamp of `t` (to the nanosecond).
google::protobuf::Timestamp ToTimestamp(absl::Time t);

}  // namespace kpr::kprctl

#endif  // KPR_TOOLS_KPRCTL_VALUE_ARGS_H_
