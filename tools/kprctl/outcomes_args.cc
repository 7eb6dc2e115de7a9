#include "tools/kprctl/outcomes_args.h"

#include <map>
#include <utility>

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "tools/kprctl/command_group.h"
#include "tools/kprctl/value_args.h"

namespace kpr::kprctl {
namespace {

std::string Lower(const std::string& s) {
  return absl::AsciiStrToLower(absl::StripAsciiWhitespace(s));
}

// The outcomes commands: their subcommands and the options each takes.
const CommandGroup& Outcomes() {
  static const auto* group = new CommandGroup{
      "outcomes",
      "outcomes-addr",
      "KPR_OUTCOMES_ADDR",
      {
          {"attendance", {"record", "get"}},
          {"questionnaire", {"submit", "get"}},
          {"schedule", {}},
          {"report", {"cohort", "program"}},
      },
      {
          {"attendance record",
           {"municipality", "session", "present", "absent", "excused", "expected-version",
            "version"}},
          {"attendance get", {"municipality", "cohort"}},
          {"questionnaire submit",
           {"municipality", "referral", "time-point", "who5", "wai", "employment"}},
          {"questionnaire get", {"municipality", "referral"}},
          {"schedule", {"municipality", "cohort"}},
          {"report cohort", {"municipality", "cohort", "format", "out"}},
          {"report program", {"municipality", "program", "from", "to", "format", "out"}},
      },
      {"json", "help"},
  };
  return *group;
}

// --format, or --json alone; TEXT when neither.
absl::StatusOr<ov1::ExportFormat> Format(const ParsedArgs& a) {
  if (!a.Has("format")) return a.Has("json") ? ov1::EXPORT_FORMAT_JSON : ov1::EXPORT_FORMAT_TEXT;
  KPRCTL_TRY(format, ParseExportFormat(a.Get("format"), "format"));
  if (a.Has("json") && format != ov1::EXPORT_FORMAT_JSON) {
    return absl::InvalidArgumentError(absl::StrCat("--json asks for JSON but --format says ",
                                                   a.Get("format"), ": give one of them"));
  }
  return format;
}

absl::Status CheckOut(const ParsedArgs& a) {
  if (a.Has("out") && a.Get("out").empty()) return FlagError("out", "expected a file name");
  return absl::OkStatus();
}

}  // namespace

// ---- Values -------------------------------------------------------------------------------

absl::StatusOr<ov1::TimePoint> ParseTimePoint(const std::string& value, const std::string& flag) {
  static const auto* names = new std::map<std::string, ov1::TimePoint>{
      {"baseline", ov1::TIME_POINT_BASELINE},       {"end", ov1::TIME_POINT_END},
      {"1m", ov1::TIME_POINT_FOLLOWUP_1M},          {"12m", ov1::TIME_POINT_FOLLOWUP_12M},
      {"followup_1m", ov1::TIME_POINT_FOLLOWUP_1M}, {"followup_12m", ov1::TIME_POINT_FOLLOWUP_12M},
  };
  auto it = names->find(Lower(value));
  if (it == names->end()) {
    return FlagError(flag, absl::StrCat("expected baseline, end, 1m or 12m, got '", value, "'"));
  }
  return it->second;
}

absl::StatusOr<ov1::ExportFormat> ParseExportFormat(const std::string& value,
                                                    const std::string& flag) {
  std::string v = Lower(value);
  if (v == "text") return ov1::EXPORT_FORMAT_TEXT;
  if (v == "csv") return ov1::EXPORT_FORMAT_CSV;
  if (v == "json") return ov1::EXPORT_FORMAT_JSON;
  return FlagError(flag, absl::StrCat("expected text, csv or json, got '", value, "'"));
}

std::string TimePointName(ov1::TimePoint time_point) {
  switch (time_point) {
    case ov1::TIME_POINT_BASELINE:
      return "baseline";
    case ov1::TIME_POINT_END:
      return "end";
    case ov1::TIME_POINT_FOLLOWUP_1M:
      return "1m";
    case ov1::TIME_POINT_FOLLOWUP_12M:
      return "12m";
    default:
      return "?";
  }
}

std::string InstrumentName(ov1::Instrument instrument) {
  switch (instrument) {
    case ov1::INSTRUMENT_WHO5:
      return "who5";
    case ov1::INSTRUMENT_WORK_ABILITY_INDEX:
      return "wai";
    case ov1::INSTRUMENT_EMPLOYMENT_STATUS:
      return "employment";
    default:
      return "?";
  }
}

// ---- Commands -----------------------------------------------------------------------------

bool IsOutcomesCommand(const std::string& command) { return command == "outcomes"; }

const std::set<std::string>& OutcomesOptions() {
  static const auto* options = new std::set<std::string>(GroupOptions(Outcomes()));
  return *options;
}

const std::set<std::string>& OutcomesFlags() { return Outcomes().flags; }

absl::StatusOr<std::string> ResolveOutcomesCommand(const ParsedArgs& args) {
  return ResolveGroupCommand(Outcomes(), args);
}

// ---- Requests -----------------------------------------------------------------------------

absl::StatusOr<ov1::RecordAttendanceRequest> BuildRecordAttendance(const ParsedArgs& a) {
  const std::string command = "attendance record";
  KPRCTL_TRY(m, Need(a, command, "municipality"));
  KPRCTL_TRY(session, Need(a, command, "session"));
  ov1::RecordAttendanceRequest req;
  req.set_municipality(m);
  req.set_session_id(session);
  std::map<std::string, std::string> flag_of;  // referral -> the list it is in
  for (const auto& [flag, mark] : std::vector<std::pair<std::string, ov1::AttendanceMark>>{
           {"present", ov1::ATTENDANCE_MARK_PRESENT},
           {"absent", ov1::ATTENDANCE_MARK_ABSENT},
           {"excused", ov1::ATTENDANCE_MARK_EXCUSED}}) {
    KPRCTL_TRY(ids, ParseIdList(a.Get(flag), flag));
    for (const auto& id : ids) {
      auto [it, fresh] = flag_of.emplace(id, flag);
      if (!fresh) {
        return absl::InvalidArgumentError(
            it->second == flag ? absl::StrCat(id, " is given twice in --", flag)
                               : absl::StrCat(id, " is in both --", it->second, " and --", flag));
      }
      auto* e = req.add_entries();
      e->set_referral_id(id);
      e->set_mark(mark);
    }
  }
  if (req.entries().empty()) {
    return absl::InvalidArgumentError(
        "attendance record needs the marks: --present, --absent and/or --excused with referral "
        "ids like r1,r2");
  }
  if (a.Has("version") && a.Has("expected-version")) {
    return absl::InvalidArgumentError("give --expected-version or --version, not both");
  }
  std::string vflag = a.Has("version") ? "version" : "expected-version";
  if (a.Has(vflag)) {
    KPRCTL_TRY(version, ParseInteger(a.Get(vflag), vflag, 0, INT64_MAX));
    req.set_expected_version(version);
  }
  return req;
}

absl::StatusOr<ov1::GetAttendanceRequest> BuildGetAttendance(const ParsedArgs& a) {
  KPRCTL_TRY(m, Need(a, "attendance get", "municipality"));
  KPRCTL_TRY(cohort, Need(a, "attendance get", "cohort"));
  ov1::GetAttendanceRequest req;
  req.set_municipality(m);
  req.set_cohort_id(cohort);
  return req;
}

absl::StatusOr<ov1::SubmitQuestionnaireRequest> BuildSubmitQuestionnaire(const ParsedArgs& a) {
  const std::string command = "questionnaire submit";
  KPRCTL_TRY(m, Need(a, command, "municipality"));
  KPRCTL_TRY(referral, Need(a, command, "referral"));
  KPRCTL_TRY(tp_text, Need(a, command, "time-point"));
  KPRCTL_TRY(tp, ParseTimePoint(tp_text, "time-point"));
  std::string found;
  for (const char* f : {"who5", "wai", "employment"}) {
    if (!a.Has(f)) continue;
    if (!found.empty()) {
      return absl::InvalidArgumentError(absl::StrCat(
          command, " takes one questionnaire at a time: --", found, " or --", f, ", not both"));
    }
    found = f;
  }
  if (found.empty()) {
    return absl::InvalidArgumentError(
        absl::StrCat(command, " needs one of --who5 | --wai | --employment"));
  }
  ov1::SubmitQuestionnaireRequest req;
  req.set_municipality(m);
  req.set_referral_id(referral);
  req.set_time_point(tp);
  if (found == "who5") {
    KPRCTL_TRY(w, ParseWho5(a.Get(found), found));
    *req.mutable_who5() = std::move(w);
  } else if (found == "wai") {
    KPRCTL_TRY(w, ParseWai(a.Get(found), found));
    *req.mutable_wai() = std::move(w);
  } else {
    KPRCTL_TRY(e, ParseEmployment(a.Get(found), found));
    *req.mutable_employment() = std::move(e);
  }
  return req;
}

absl::StatusOr<ov1::GetQuestionnairesRequest> BuildGetQuestionnaires(const ParsedArgs& a) {
  KPRCTL_TRY(m, Need(a, "questionnaire get", "municipality"));
  KPRCTL_TRY(referral, Need(a, "questionnaire get", "referral"));
  ov1::GetQuestionnairesRequest req;
  req.set_municipality(m);
  req.set_referral_id(referral);
  return req;
}

absl::StatusOr<ov1::ListQuestionnaireScheduleRequest> BuildListQuestionnaireSchedule(
    const ParsedArgs& a) {
  KPRCTL_TRY(m, Need(a, "schedule", "municipality"));
  KPRCTL_TRY(cohort, Need(a, "schedule", "cohort"));
  ov1::ListQuestionnaireScheduleRequest req;
  req.set_municipality(m);
  req.set_cohort_id(cohort);
  return req;
}

absl::StatusOr<ov1::ExportReportRequest> BuildExportCohortReport(const ParsedArgs& a) {
  KPRCTL_TRY(m, Need(a, "report cohort", "municipality"));
  KPRCTL_TRY(cohort, Need(a, "report cohort", "cohort"));
  KPRCTL_TRY(format, Format(a));
  if (auto st = CheckOut(a); !st.ok()) return st;
  ov1::ExportReportRequest req;
  req.mutable_cohort()->set_municipality(m);
  req.mutable_cohort()->set_cohort_id(cohort);
  req.set_format(format);
  return req;
}

absl::StatusOr<ov1::ExportReportRequest> BuildExportProgramReport(const ParsedArgs& a) {
  KPRCTL_TRY(m, Need(a, "report program", "municipality"));
  KPRCTL_TRY(program, Need(a, "report program", "program"));
  KPRCTL_TRY(format, Format(a));
  if (auto st = CheckOut(a); !st.ok()) return st;
  ov1::ExportReportRequest req;
  auto* p = req.mutable_program();
  p->set_municipality(m);
  p->set_program_id(program);
  req.set_format(format);
  if (a.Has("from") != a.Has("to")) {
    return absl::InvalidArgumentError(
        "give --from and --to together (or neither: the current calendar year)");
  }
  if (a.Has("from")) {
    KPRCTL_TRY(from, ParseInstant(a.Get("from"), "from"));
    KPRCTL_TRY(to, ParseInstant(a.Get("to"), "to"));
    if (from >= to) {
      return absl::InvalidArgumentError(absl::StrCat("--from ", a.Get("from"),
                                                     " must be before --to ", a.Get("to"),
                                                     " (the period is [from, to))"));
    }
    *p->mutable_from() = ToTimestamp(from);
    *p->mutable_to() = ToTimestamp(to);
  }
  return req;
}

}  // namespace kpr::kprctl
