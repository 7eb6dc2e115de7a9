#ifndef KPR_TOOLS_KPRCTL_QUESTIONNAIRE_ANSWERS_H_
#define KPR_TOOLS_KPRCTL_QUESTIONNAIRE_ANSWERS_H_

// The questionnaire answers `kprctl outcomes questionnaire submit` takes (--who5, --wai,
// --employment), strictly parsed. Every error is INVALID_ARGUMENT naming the flag, e.g.
// "--who5: answer 2 (calm) must be 0..5, got '7'". No I/O.
//
// The syntax is the one `outcomes questionnaire get` prints (FormatWho5Answers, ...), so a
// printed answer can be pasted back to correct it.

#include <string>

#include "absl/status/statusor.h"
#include "kpr/outcomes/v1/outcomes.pb.h"

namespace kpr::kprctl {

namespace ov1 = ::kpr::outcomes::v1;

// Five answers 0..5 in the questionnaire's order (cheerful, calm, active, rested, interested):
// "3,3,2,2,3".
absl::StatusOr<ov1::Who5Answers> ParseWho5(const std::string& value, const std::string& flag);
// Comma-separated key=value, every item required, each checked against its scale:
//   current=0..10 demands=physical|mental|both physical=1..5 mental=1..5 diseases=0..
//   impairment=1..6 sick_leave=1..5 prognosis=1|4|7 enjoy=0..4 alert=0..4 hopeful=0..4
// The proto field names (current_work_ability, ...) are accepted as keys too. One error names
// every missing item.
absl::StatusOr<ov1::WaiAnswers> ParseWai(const std::string& value, const std::string& flag);
// A status and optionally the weekly hours: "ordinary_work", "subsidised_work,hours=20".
// Statuses: ordinary_work subsidised_work education employment_oriented_measure
// health_oriented_measure unemployed_no_measure early_retirement other (or other_status).
absl::StatusOr<ov1::EmploymentAnswers> ParseEmployment(const std::string& value,
                                                       const std::string& flag);
// Short names, as the parsers take them: "ordinary_work"; "physical". "?" when unset.
std::string EmploymentStatusName(ov1::EmploymentStatus status);
std::string WorkDemandsName(ov1::WorkDemands demands);

}  // namespace kpr::kprctl

#endif  // KPR_TOOLS_KPRCTL_QUESTIONNAIRE_ANSWERS_H_
