#ifndef KPR_TOOLS_KPRCTL_OUTCOMES_FORMAT_H_
#define KPR_TOOLS_KPRCTL_OUTCOMES_FORMAT_H_

// Plain-text output of kprctl's outcomes commands (--json prints the messages instead). Pure:
// each function returns the text, every line ending in "\n".
//
// Questionnaire answers and scores are health data: only FormatQuestionnaires (the audited
// `outcomes questionnaire get`) prints them. FormatSubmitted and WithoutAnswers exist so that
// `questionnaire submit` confirms a submission without echoing it.

#include <string>

#include "kpr/outcomes/v1/outcomes.pb.h"
#include "kpr/outcomes/v1/outcomes_service.pb.h"

namespace kpr::kprctl {

namespace ov1 = ::kpr::outcomes::v1;

// ---- Pieces -------------------------------------------------------------------------------

// "P", "A", "E"; "-" for no mark.
std::string MarkLetter(ov1::AttendanceMark mark);
// 0.75 -> "75 %", 0.7951 -> "79.5 %".
std::string FormatRate(double rate);
// "scheduled", "due", "overdue", "answered", "closed".
std::string TimePointStateName(ov1::TimePointState state);
// "two absences in a row", "attendance below target".
std::string RiskReasonName(ov1::RiskReason reason);
// "completed", "dropped out"; "" while undecided.
std::string ParticipationOutcomeName(ov1::ParticipationOutcome outcome);
// "WHO-5", "WAI", "employment status".
std::string InstrumentTitle(ov1::Instrument instrument);

// The answers in the syntax the --who5 / --wai / --employment flags take (so they can be
// pasted back): "3,3,2,2,3"; "current=7,demands=mental,physical=4,..."; "ordinary_work,hours=20".
// An item not answered shows as "?".
std::string FormatWho5Answers(const ov1::Who5Answers& answers);
std::string FormatWaiAnswers(const ov1::WaiAnswers& answers);
std::string FormatEmploymentAnswers(const ov1::EmploymentAnswers& answers);
// WHO-5: "52 % (raw 13, risk; screen for depression)"; WAI: "37.5 (good)"; employment: "".
std::string FormatScore(const ov1::Questionnaire& questionnaire);

// ---- Attendance ---------------------------------------------------------------------------

// After `attendance record`: the session, how many of each mark, the new version.
std::string FormatRecordedAttendance(const ov1::SessionAttendance& session);
// A summary line, the recorded sessions (#, day, session id, version, recorded at/by), then the
// grid: one row a participant, one column a session (P/A/E, "-" when not marked), then
// PRESENT, ABSENT, EXCUSED, RATE ("-" when nothing counts yet), OUTCOME and AT RISK (reasons).
std::string FormatAttendance(const ov1::GetAttendanceResponse& response);

// ---- Questionnaires -----------------------------------------------------------------------

// Time points sorted by referral and time point: REFERRAL, TIME POINT, STATE, OPENS,
// OVERDUE FROM, CLOSES, ASKED, ANSWERED (instruments, no answers), after a line counting the
// time points by state.
std::string FormatSchedule(const std::string& cohort_id,
                           const ov1::ListQuestionnaireScheduleResponse& response);
// After `questionnaire submit`: what was saved, for whom, the revision; no answers, no score.
std::string FormatSubmitted(const ov1::Questionnaire& questionnaire);
// `questionnaire submit --json`: the response without its answers and score.
ov1::Questionnaire WithoutAnswers(const ov1::Questionnaire& questionnaire);
// `questionnaire get`: each answer with its score (sorted by time point and instrument), then
// the participant's schedule.
std::string FormatQuestionnaires(const std::string& referral_id,
                                 const ov1::GetQuestionnairesResponse& response);

// ---- Reports ------------------------------------------------------------------------------

// After `report ... --out FILE`: "Wrote FILE (text/csv, 812 bytes).".
std::string FormatReportWritten(const std::string& path, const ov1::ExportReportResponse& response);

}  // namespace kpr::kprctl

#endif  // KPR_TOOLS_KPRCTL_OUTCOMES_FORMAT_H_
