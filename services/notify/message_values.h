#ifndef KPR_SERVICES_NOTIFY_MESSAGE_VALUES_H_
#define KPR_SERVICES_NOTIFY_MESSAGE_VALUES_H_

// The values placeholders take, written as a Danish or an English reader expects them, in
// Copenhagen time: "tirsdag 9. marts kl. 10.00" / "Tuesday 9 March at 10:00". Every value is
// GSM-7, so a Danish SMS stays in 160-character parts. Pure.

#include <string>
#include <vector>

#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "kpr/notify/v1/notify.pb.h"
#include "kpr/outcomes/v1/outcomes.pb.h"

namespace kpr::notify {

// A session's start: "tirsdag 9. marts kl. 10.00" / "Tuesday 9 March at 10:00".
std::string FormatSessionStart(absl::Time start, v1::Language language);

// A day: "9. marts 2027" / "9 March 2027".
std::string FormatDay(absl::CivilDay day, v1::Language language);

// A cohort's session days in order, each once: "9/3, 16/3 og 23/3" / "9 Mar, 16 Mar and 23 Mar".
std::string FormatCohortDates(std::vector<absl::Time> session_starts, v1::Language language);

// Why a participant may be dropping out, for the coordinator: "to fravær i træk" / "two
// absences in a row". Attendance only: never a score.
std::string FormatRiskReasons(const std::vector<outcomes::v1::RiskReason>& reasons,
                              v1::Language language);

// "a, b og c" / "a, b and c".
std::string JoinAsList(const std::vector<std::string>& items, v1::Language language);

}  // namespace kpr::notify

#endif  // KPR_SERVICES_NOTIFY_MESSAGE_VALUES_H_
