#include "tools/kprctl/outcomes_commands.h"

#include <functional>
#include <iostream>
#include <map>
#include <string>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "kpr/outcomes/v1/outcomes_service.grpc.pb.h"
#include "tools/kprctl/client_common.h"
#include "tools/kprctl/outcomes_format.h"

namespace kpr::kprctl {

const char kOutcomesUsage[] = R"(
Outcomes commands (kpr-outcomes at --outcomes-addr HOST:PORT, default $KPR_OUTCOMES_ADDR or
127.0.0.1:50053; --municipality defaults to $KPR_MUNICIPALITY). Referral ids are comma-separated.
  outcomes attendance record --municipality M --session S [--present r1,r2] [--absent r3]
                [--excused r4] [--expected-version N]
                the whole session at once; a correction names the version it replaces (shown
                by attendance get), without it the session is recorded for the first time
  outcomes attendance get --municipality M --cohort C
                sessions x participants (P present, A absent, E excused), each participant's
                counts, attendance rate, outcome and drop-out risk
  outcomes questionnaire submit --municipality M --referral R --time-point baseline|end|1m|12m
                (--who5 A,B,C,D,E | --wai ITEMS | --employment STATUS[,hours=N])
                --who5: five answers 0..5 (cheerful, calm, active, rested, interested)
                --wai: current=0..10,demands=physical|mental|both,physical=1..5,mental=1..5,
                  diseases=N,impairment=1..6,sick_leave=1..5,prognosis=1|4|7,enjoy=0..4,
                  alert=0..4,hopeful=0..4 (every item)
                --employment: ordinary_work subsidised_work education
                  employment_oriented_measure health_oriented_measure unemployed_no_measure
                  early_retirement other
                a value of - reads the answers from standard input (keeps them out of `ps` and
                shell history); prints no answers or scores
  outcomes questionnaire get --municipality M --referral R
                the participant's answers, scores and schedule (health data; audited)
  outcomes schedule --municipality M --cohort C
                each participant's time points: due, overdue, answered (no answers)
  outcomes report cohort --municipality M --cohort C [--format text|csv|json] [--out FILE]
  outcomes report program --municipality M --program P [--from DAY --to DAY]
                [--format text|csv|json] [--out FILE]
                the committees' report (suppressed small counts), to standard output or FILE;
                program: cohorts starting in [from, to) (Danish days), default the current
                calendar year
)";

namespace {

using Stub = ov1::OutcomesService::Stub;

class Outcomes : public ServiceClient<ov1::OutcomesService> {
 public:
  explicit Outcomes(const ParsedArgs& args)
      // kpr-outcomes: --outcomes-addr, else $KPR_OUTCOMES_ADDR, else the local default.
      : ServiceClient(args, Connection::FromArgs(args, "kpr-outcomes", "outcomes-addr",
                                                 "KPR_OUTCOMES_ADDR", "127.0.0.1:50053")) {}
};

int AttendanceRecord(Outcomes& o) {
  auto req = OrUsage(BuildRecordAttendance(o.args()));
  ov1::SessionAttendance resp;
  grpc::Status status = o.Try(&Stub::RecordAttendance, req, &resp);
  if (status.error_code() == grpc::StatusCode::ABORTED) {
    Fail(absl::StrCat(DescribeStatus(status),
                      "\n(the session was recorded before: `kprctl outcomes attendance get` shows "
                      "its version V; a correction names it with --expected-version)"));
  }
  o.conn().Check(status);
  o.Print(resp, FormatRecordedAttendance(resp));
  return 0;
}

int AttendanceGet(Outcomes& o) {
  auto resp = o.Call(&Stub::GetAttendance, OrUsage(BuildGetAttendance(o.args())));
  o.Print(resp, FormatAttendance(resp));
  return 0;
}

int QuestionnaireSubmit(Outcomes& o) {
  auto req = OrUsage(BuildSubmitQuestionnaire(o.args()));
  auto resp = o.Call(&Stub::SubmitQuestionnaire, req);
  // The answers were just typed in: echoing them (or their score) would only spread health
  // data into terminals and logs. `questionnaire get` shows them, audited.
  o.Print(WithoutAnswers(resp), FormatSubmitted(resp));
  return 0;
}

int QuestionnaireGet(Outcomes& o) {
  auto req = OrUsage(BuildGetQuestionnaires(o.args()));
  auto resp = o.Call(&Stub::GetQuestionnaires, req);
  o.Print(resp, FormatQuestionnaires(req.referral_id(), resp));
  return 0;
}

int Schedule(Outcomes& o) {
  auto req = OrUsage(BuildListQuestionnaireSchedule(o.args()));
  auto resp = o.Call(&Stub::ListQuestionnaireSchedule, req);
  o.Print(resp, FormatSchedule(req.cohort_id(), resp));
  return 0;
}

// Writes the report to --out (beside it first, then renamed: an interrupted export never
// leaves half a file) or prints it.
int Export(Outcomes& o, const ov1::ExportReportRequest& req) {
  auto resp = o.Call(&Stub::ExportReport, req);
  const ParsedArgs& a = o.args();
  if (!a.Has("out")) {
    std::cout << resp.content();
    if (!resp.content().empty() && resp.content().back() != '\n') std::cout << "\n";
    return 0;
  }
  const std::string out = a.Get("out");
  WriteFileAtomically(out, resp.content());
  std::cout << FormatReportWritten(out, resp);
  return 0;
}

int ReportCohort(Outcomes& o) { return Export(o, OrUsage(BuildExportCohortReport(o.args()))); }

int ReportProgram(Outcomes& o) { return Export(o, OrUsage(BuildExportProgramReport(o.args()))); }

}  // namespace

int RunOutcomesCommand(const ParsedArgs& parsed) {
  std::string name = OrUsage(ResolveOutcomesCommand(parsed));
  ParsedArgs a = parsed;
  DefaultMunicipalityFromEnv(a);
  // "-" reads the answers from standard input, so they never show in `ps` or shell history.
  for (const char* flag : {"who5", "wai", "employment"}) {
    if (a.Get(flag) != "-") continue;
    auto text = ReadInput("-");
    if (!text.ok()) Fail(std::string(text.status().message()));
    a.options[flag] = std::string(absl::StripAsciiWhitespace(*text));
  }
  static const auto* commands = new std::map<std::string, std::function<int(Outcomes&)>>{
      {"attendance record", AttendanceRecord},
      {"attendance get", AttendanceGet},
      {"questionnaire submit", QuestionnaireSubmit},
      {"questionnaire get", QuestionnaireGet},
      {"schedule", Schedule},
      {"report cohort", ReportCohort},
      {"report program", ReportProgram},
  };
  auto it = commands->find(name);
  if (it == commands->end()) Usage(absl::StrCat("unknown command 'outcomes ", name, "'"));
  Outcomes o(a);
  return it->second(o);
}

}  // namespace kpr::kprctl
