#include "libs/validation/period.h"

#include "absl/strings/str_cat.h"
#include "libs/calendar/civil_day.h"

namespace kpr::validation {
namespace {

// 0001-01-01T00:00:00Z and 9999-12-31T23:59:59Z, the range of google.protobuf.Timestamp.
constexpr int64_t kMinSeconds = -62135596800;
constexpr int64_t kMaxSeconds = 253402300799;

absl::Status Invalid(absl::string_view field, absl::string_view what) {
  return absl::InvalidArgumentError(absl::StrCat(field, ": ", what));
}

}  // namespace

absl::StatusOr<absl::Time> CheckTimestamp(absl::string_view field,
                                          const google::protobuf::Timestamp& ts) {
  if (ts.seconds() < kMinSeconds || ts.seconds() > kMaxSeconds || ts.nanos() < 0 ||
      ts.nanos() > 999'999'999) {
    return Invalid(field, "not a valid timestamp (years 1 to 9999)");
  }
  return absl::FromUnixSeconds(ts.seconds()) + absl::Nanoseconds(ts.nanos());
}

absl::StatusOr<Period> CheckPeriod(const std::optional<google::protobuf::Timestamp>& from,
                                   const std::optional<google::protobuf::Timestamp>& to,
                                   absl::Time default_from, absl::Time default_to,
                                   absl::Duration max) {
  Period p{default_from, default_to};
  if (from) {
    auto t = CheckTimestamp("from", *from);
    if (!t.ok()) return t.status();
    p.from = *t;
  }
  if (to) {
    auto t = CheckTimestamp("to", *to);
    if (!t.ok()) return t.status();
    p.to = *t;
  }
  if (p.from >= p.to) return Invalid("to", "must be after from");
  if (p.to - p.from > max) {
    return Invalid("to",
                   absl::StrCat("at most ", absl::ToInt64Hours(max) / 24, " days after from"));
  }
  return p;
}

absl::StatusOr<DayRange> CheckDayRange(absl::string_view from_field, absl::string_view from,
                                       absl::string_view to_field, absl::string_view to,
                                       int max_days) {
  auto f = calendar::ParseDay(from);
  if (!f.ok()) return Invalid(from_field, "required: YYYY-MM-DD");
  auto t = calendar::ParseDay(to);
  if (!t.ok()) return Invalid(to_field, "required: YYYY-MM-DD");
  if (*t < *f) return Invalid(to_field, absl::StrCat("before ", from_field));
  if (*t - *f > max_days) {
    return Invalid(to_field, absl::StrCat("at most ", max_days, " days after ", from_field));
  }
  return DayRange{*f, *t};
}

}  // namespace kpr::validation
