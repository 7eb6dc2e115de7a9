#ifndef KPR_TOOLS_KPRCTL_SCHEDULING_FORMAT_H_
#define KPR_TOOLS_KPRCTL_SCHEDULING_FORMAT_H_

// Plain-text output of kprctl's scheduling commands: tables and short summaries a coordinator
// reads in a terminal (--json prints the messages themselves instead). Pure: each function
// returns the text, every line ending in "\n". Enrolment: enrolment_format.h.

#include <string>
#include <vector>

#include "google/protobuf/repeated_ptr_field.h"
#include "kpr/scheduling/v1/scheduling.pb.h"
#include "kpr/scheduling/v1/scheduling_service.pb.h"

namespace kpr::kprctl {

namespace sv1 = ::kpr::scheduling::v1;
using Sessions = google::protobuf::RepeatedPtrField<sv1::Session>;

// ---- Pieces -------------------------------------------------------------------------------

// 570 -> "09:30".
std::string FormatMinute(int minute_of_day);
// "09:30-11:00".
std::string FormatTimeSpan(int start_minute, int end_minute);
// "2027-01-18" -> "Mon"; "" when `day` is not a date. (Weeks: calendar::IsoWeekLabel.)
std::string WeekdayOf(const std::string& day);
// Consecutive weekdays with the same hours together: "Mon-Fri 09:00-16:00; Sat 10:00-14:00";
// "-" when empty.
std::string FormatWeeklyHours(const google::protobuf::RepeatedPtrField<sv1::WeeklyHours>& hours);
// Sorted, duplicates dropped, runs of consecutive weeks joined:
// {"2026-W44","2026-W42","2026-W43","2027-W02"} -> "2026-W42..W44, 2027-W02". Entries that are
// not ISO weeks are kept as they are, at the end.
std::string CompressWeeks(const std::vector<std::string>& weeks);
// "planned", "open", ...; "scheduled" / "cancelled"; "music_school", ...
std::string CohortStatusName(sv1::CohortStatus status);
std::string SessionStatusName(sv1::SessionStatus status);
std::string InstitutionKindName(sv1::InstitutionKind kind);

// ---- Catalog ------------------------------------------------------------------------------

std::string FormatInstitutions(const sv1::ListInstitutionsResponse& response);
std::string FormatInstructors(const sv1::ListInstructorsResponse& response);
std::string FormatPrograms(const sv1::ListProgramsResponse& response);
std::string FormatCalendar(const sv1::MunicipalityCalendar& calendar);

// ---- Planning and cohorts -----------------------------------------------------------------

// A cohort's timetable, one row a session in timetable order: #, WEEK (course week), ISO WEEK,
// DAY, WD, TIME, ACTIVITY, INSTITUTION, VENUE, INSTRUCTOR (and SESSION, V once ids exist).
std::string FormatTimetable(const Sessions& sessions);
// The soft constraints given up, or a line saying there are none.
std::string FormatSoftViolations(
    const google::protobuf::RepeatedPtrField<sv1::SoftViolation>& violations);
// CONSTRAINT, INSTITUTION, WEEKS, MESSAGE.
std::string FormatObstacles(const google::protobuf::RepeatedPtrField<sv1::PlanObstacle>& obstacles);
// Feasible: summary line, timetable, score and soft constraints. Otherwise: the obstacles.
std::string FormatPlan(const sv1::PlanCohortResponse& response);
std::string FormatCohort(const sv1::Cohort& cohort);
std::string FormatCreatedCohort(const sv1::CreateCohortResponse& response);
std::string FormatCohortList(const sv1::ListCohortsResponse& response);

// ---- Sessions -----------------------------------------------------------------------------

// The week view: sessions sorted by day and time, a heading for each ISO week and each day.
std::string FormatWeekView(const Sessions& sessions);
// One session after a manual change: where and when it is now, or that it is cancelled.
std::string FormatSessionChange(const sv1::Session& session);
// Moved sessions, cancelled sessions (with the reason) and how many past ones were left alone.
std::string FormatRepair(const sv1::RepairResponse& response);

}  // namespace kpr::kprctl

#endif  // KPR_TOOLS_KPRCTL_SCHEDULING_FORMAT_H_
