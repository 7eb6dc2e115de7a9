#include "libs/calendar/danish_time.h"

#include "absl/strings/str_cat.h"
#include "libs/calendar/civil_day.h"

namespace kpr::calendar {
namespace {

struct Zone {
  absl::TimeZone tz;
  bool loaded = false;
};

const Zone& Copenhagen() {
  static const Zone* zone = [] {
    auto* z = new Zone();
    z->loaded = absl::LoadTimeZone("Europe/Copenhagen", &z->tz);
    if (!z->loaded) z->tz = absl::FixedTimeZone(3600);
    return z;
  }();
  return *zone;
}

}  // namespace

absl::TimeZone DanishTimeZone() { return Copenhagen().tz; }

absl::Status DanishTimeZoneLoaded() {
  if (Copenhagen().loaded) return absl::OkStatus();
  return absl::FailedPreconditionError(
      "time zone Europe/Copenhagen not found: install tzdata (without it Danish summer time "
      "would be an hour off)");
}

absl::Time LocalToAbsolute(absl::CivilMinute local) {
  return absl::FromCivil(local, DanishTimeZone());
}

absl::CivilMinute AbsoluteToLocal(absl::Time t) { return absl::ToCivilMinute(t, DanishTimeZone()); }

absl::Time StartOfLocalDay(absl::CivilDay day) { return absl::FromCivil(day, DanishTimeZone()); }

absl::CivilDay LocalDay(absl::Time t) { return absl::ToCivilDay(t, DanishTimeZone()); }

absl::StatusOr<absl::Time> ParseLocalDate(absl::string_view text, absl::string_view field) {
  auto day = ParseDay(text);
  if (!day.ok())
    return absl::InvalidArgumentError(absl::StrCat(field, ": ", day.status().message()));
  return StartOfLocalDay(*day);
}

}  // namespace kpr::calendar
