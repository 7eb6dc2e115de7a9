#ifndef KPR_TOOLS_KPRCTL_NEW_YORK_TEST_ZONE_H_
#define KPR_TOOLS_KPRCTL_NEW_YORK_TEST_ZONE_H_

// For kprctl's tests: moves the test process to New York (TZ=America/New_York, then tzset), so
// that a test shows the days and times kprctl reads and prints stay Danish whatever the
// machine's zone. Test code only.

#include <stdlib.h>
#include <time.h>

#include "absl/time/civil_time.h"
#include "absl/time/time.h"

namespace kpr::kprctl {

// True once the machine's zone (absl::LocalTimeZone, as the old kprctl code used) is New York's:
// UTC-5 on 2027-01-04. False when tzdata lacks the zone: the test would then prove nothing.
inline bool MachineInNewYork() {
  if (setenv("TZ", "America/New_York", 1) != 0) return false;
  tzset();
  const absl::TimeZone local = absl::LocalTimeZone();
  const absl::Time t = absl::FromCivil(absl::CivilDay(2027, 1, 4), absl::UTCTimeZone());
  return absl::FormatTime("%z", t, local) == "-0500";
}

}  // namespace kpr::kprctl

#endif  // KPR_TOOLS_KPRCTL_NEW_YORK_TEST_ZONE_H_
