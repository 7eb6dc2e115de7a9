#ifndef KPR_LIBS_VALIDATION_PERIOD_H_
#define KPR_LIBS_VALIDATION_PERIOD_H_

// Periods and date ranges in requests, checked and capped the same way everywhere: a request
// naming a period of a million years must be refused before it reaches a loop over its days.
// Errors are INVALID_ARGUMENT naming the field.

#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "google/protobuf/timestamp.pb.h"

namespace kpr::validation {

// The caps: reports and the funnel at 5 years, session lists and calendar export at a year.
inline constexpr absl::Duration kMaxReportPeriod = absl::Hours(24 * (5 * 365 + 2));
inline constexpr int kMaxDayRangeDays = 366;

struct Period {
  absl::Time from;
  absl::Time to;
};

// A protobuf Timestamp as the well-known type defines it: seconds within years 1..9999 and
// nanos in [0, 1e9). INVALID_ARGUMENT "<field>: ..." otherwise.
absl::StatusOr<absl::Time> CheckTimestamp(absl::string_view field,
                                          const google::protobuf::Timestamp& ts);

// `from` and `to` (absent = nullopt, then the default is used) must be valid timestamps, from
// before to, and at most `max` apart. Names the fields "from" and "to".
absl::StatusOr<Period> CheckPeriod(const std::optional<google::protobuf::Timestamp>& from,
                                   const std::optional<google::protobuf::Timestamp>& to,
                                   absl::Time default_from, absl::Time default_to,
                                   absl::Duration max);

struct DayRange {
  absl::CivilDay from;
  absl::CivilDay to;  // inclusive
};

// Days as "YYYY-MM-DD", from not after to, at most `max_days` apart. Errors name the fields.
absl::StatusOr<DayRange> CheckDayRange(absl::string_view from_field, absl::string_view from,
                                       absl::string_view to_field, absl::string_view to,
                                       int max_days = kMaxDayRangeDays);

}  // namespace kpr::validation

#endif  // KPR_LIBS_VALIDATION_PERIOD_H_
