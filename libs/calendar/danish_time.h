#ifndef KPR_LIBS_CALENDAR_DANISH_TIME_H_
#define KPR_LIBS_CALENDAR_DANISH_TIME_H_

// Denmark's local time (Europe/Copenhagen: CET, CEST in summer). Sessions are planned, reports
// are cut and reminders are sent in local time, so every service, kprctl and the benchmarks use
// this one zone, never the machine's.
//
// The zone comes from the system's tzdata. Without it absl would fall back to UTC and summer
// times would be an hour off (two in winter): DanishTimeZoneLoaded() tells, and a service
// refuses to start without it (libs/host/run_service.h).

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"

namespace kpr::calendar {

// Europe/Copenhagen; fixed UTC+1 if tzdata is missing (see DanishTimeZoneLoaded()).
absl::TimeZone DanishTimeZone();
// OK when Europe/Copenhagen was loaded from tzdata; FAILED_PRECONDITION saying to install tzdata
// otherwise.
absl::Status DanishTimeZoneLoaded();

// Local Danish time <-> absolute time. A local time skipped by the spring change maps to the
// instant after the gap; a repeated one (autumn) to its first occurrence.
absl::Time LocalToAbsolute(absl::CivilMinute local);
absl::CivilMinute AbsoluteToLocal(absl::Time t);
// Midnight at the start of `day` in Denmark.
absl::Time StartOfLocalDay(absl::CivilDay day);
// The Danish day `t` falls on.
absl::CivilDay LocalDay(absl::Time t);

// A date given by a person ("2027-01-01") as the start of that day in Denmark, whatever zone the
// machine is in. INVALID_ARGUMENT naming `field` for anything but YYYY-MM-DD.
absl::StatusOr<absl::Time> ParseLocalDate(absl::string_view text, absl::string_view field);

}  // namespace kpr::calendar

#endif  // KPR_LIBS_CALENDAR_DANISH_TIME_H_
