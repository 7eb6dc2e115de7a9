#include "tools/kprctl/outcomes_args.h"

#include <climits>
#include <map>
#include <optional>
#include <utility>

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "tools/kprctl/scheduling_args.h"

// Binds `var` to the value of a StatusOr expression or returns its error.
#define KPRCTL_OUTCOMES_TRY(var, expr)          \
  auto var##_or = (expr);                       \
  if (!var##_or.ok()) return var##_or.status(); \
  auto var = *std::move(var##_or)

namespace kpr::kprctl {
namespace {

absl::Status Bad(const std::string& flag, const std::string& message) {
  return absl::InvalidArgumentError(absl::StrCat("--", flag, ": ", message));
}

std::string Lower(const std::string& s) {
  return absl::AsciiStrToLower(absl::StripAsciiWhitespace(s));
}

// A whole number in [min, max] (no sign, no blanks), or nullopt.
std::optional<int> SmallInt(const std::string& s, int min, int max) {
  if (s.empty() || s.size() > 9) return std::nullopt;
  int v = 0;
  for (char c : s) {
    if (!absl::ascii_isdigit(static_cast<unsigned char>(c))) return std::nullopt;
    v = v * 10 + (c - '0');
  }
  if (v < min || v > max) return std::nullopt;
  return v;
}

std::string RangeText(int min, int max) {
  return max == INT_MAX ? absl::StrCat(min, " or more") : absl::StrCat(min, "..", max);
}

// "key=value" -> {key, value}, both stripped; nullopt without '='.
std::optional<std::pair<std::string, std::string>> KeyValue(absl::string_view item) {
  size_t eq = item.find('=');
  if (eq == absl::string_view::npos) return std::nullopt;
  return std::make_pair(Lower(std::string(item.substr(0, eq))),
                        std::string(absl::StripAsciiWhitespace(item.substr(eq + 1))));
}

constexpr const char* kWho5Items[] = {"cheerful", "calm", "active", "rested", "interested"};

// The WAI's numeric items in questionnaire order (work_demands is handled apart).
struct WaiItem {
  const char* key;
  const char* field;
  int min;
  int max;
  void (ov1::WaiAnswers::*set)(int32_t);
};

const std::vector<WaiItem>& WaiItems() {
  static const auto* items = new std::vector<WaiItem>{
      {"current", "current_work_ability", 0, 10, &ov1::WaiAnswers::set_current_work_ability},
      {"physical", "physical_demands_ability", 1, 5,
       &ov1::WaiAnswers::set_physical_demands_ability},
      {"mental", "mental_demands_ability", 1, 5, &ov1::WaiAnswers::set_mental_demands_ability},
      {"diseases", "diagnosed_diseases", 0, INT_MAX, &ov1::WaiAnswers::set_diagnosed_diseases},
      {"impairment", "work_impairment", 1, 6, &ov1::WaiAnswers::set_work_impairment},
      {"sick_leave", "sick_leave", 1, 5, &ov1::WaiAnswers::set_sick_leave},
      {"prognosis", "prognosis", 1, 7, &ov1::WaiAnswers::set_prognosis},
      {"enjoy", "enjoy_daily_activities", 0, 4, &ov1::WaiAnswers::set_enjoy_daily_activities},
      {"alert", "active_and_alert", 0, 4, &ov1::WaiAnswers::set_active_and_alert},
      {"hopeful", "hopeful", 0, 4, &ov1::WaiAnswers::set_hopeful},
  };
  return *items;
}

// Short names of an enum's values: lower case, the type's prefix optional ("mental" or
// "work_demands_mental").
template <typename Enum>
std::optional<Enum> ParseShortEnum(const std::string& value,
                                   bool (*parse)(const std::string&, Enum*),
                                   const std::string& prefix) {
  std::string upper = absl::AsciiStrToUpper(absl::StripAsciiWhitespace(value));
  if (upper.empty()) return std::nullopt;
  if (!absl::StartsWith(upper, prefix)) upper = prefix + upper;
  Enum e;
  if (upper.empty() || !parse(upper, &e) || static_cast<int>(e) == 0) return std::nullopt;
  return e;
}

// Options every outcomes command accepts.
const std::set<std::string>& GlobalOptions() {
  static const auto* g =
      new std::set<std::string>{"outcomes-addr", "token", "token-file", "timeout", "json", "help"};
  return *g;
}

// Command name -> the options it takes besides the global ones.
const std::map<std::string, std::set<std::string>>& Specs() {
  static const auto* specs = new std::map<std::string, std::set<std::string>>{
      {"attendance record",
       {"municipality", "session", "present", "absent", "excused", "expected-version", "version"}},
      {"attendance get", {"municipality", "cohort"}},
      {"questionnaire submit",
       {"municipality", "referral", "time-point", "who5", "wai", "employment"}},
      {"questionnaire get", {"municipality", "referral"}},
      {"schedule", {"municipality", "cohort"}},
      {"report cohort", {"municipality", "cohort", "format", "out"}},
      {"report program", {"municipality", "program", "from", "to", "format", "out"}},
  };
  return *specs;
}

const std::map<std::string, std::vector<std::string>>& Groups() {
  static const auto* groups = new std::map<std::string, std::vector<std::string>>{
      {"attendance", {"record", "get"}},
      {"questionnaire", {"submit", "get"}},
      {"schedule", {}},
      {"report", {"cohort", "program"}},
  };
  return *groups;
}

absl::StatusOr<std::string> Need(const ParsedArgs& a, const std::string& command,
                                 const std::string& flag) {
  std::string v = a.Get(flag);
  if (v.empty()) return absl::InvalidArgumentError(absl::StrCat(command, " needs --", flag));
  return v;
}

google::protobuf::Timestamp MillisToTimestamp(int64_t ms) {
  google::protobuf::Timestamp ts;
  int64_t seconds = ms / 1000;
  int64_t millis = ms % 1000;
  if (millis < 0) {
    --seconds;
    millis += 1000;
  }
  ts.set_seconds(seconds);
  ts.set_nanos(static_cast<int32_t>(millis * 1000000));
  return ts;
}

// --format, or --json alone; TEXT when neither.
absl::StatusOr<ov1::ExportFormat> Format(const ParsedArgs& a) {
  if (!a.Has("format")) return a.Has("json") ? ov1::EXPORT_FORMAT_JSON : ov1::EXPORT_FORMAT_TEXT;
  KPRCTL_OUTCOMES_TRY(format, ParseExportFormat(a.Get("format"), "format"));
  if (a.Has("json") && format != ov1::EXPORT_FORMAT_JSON) {
    return absl::InvalidArgumentError(absl::StrCat("--json asks for JSON but --format says ",
                                                   a.Get("format"), ": give one of them"));
  }
  return format;
}

absl::Status CheckOut(const ParsedArgs& a) {
  if (a.Has("out") && a.Get("out").empty()) return Bad("out", "expected a file name");
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
    return Bad(flag, absl::StrCat("expected baseline, end, 1m or 12m, got '", value, "'"));
  }
  return it->second;
}

absl::StatusOr<ov1::Who5Answers> ParseWho5(const std::string& value, const std::string& flag) {
  std::vector<std::string> parts = absl::StrSplit(value, ',');
  if (parts.size() != 5) {
    // The count only: the answers themselves are health data.
    return Bad(flag, absl::StrCat("expected five answers 0..5 (cheerful, calm, active, rested, "
                                  "interested) like 3,3,2,2,3, got ",
                                  parts.size()));
  }
  int answers[5];
  for (size_t i = 0; i < 5; ++i) {
    std::string item(absl::StripAsciiWhitespace(parts[i]));
    auto v = SmallInt(item, 0, 5);
    if (!v) {
      return Bad(flag, absl::StrCat("answer ", i + 1, " (", kWho5Items[i], ") must be 0..5, got '",
                                    item, "'"));
    }
    answers[i] = *v;
  }
  ov1::Who5Answers w;
  w.set_cheerful(answers[0]);
  w.set_calm(answers[1]);
  w.set_active(answers[2]);
  w.set_rested(answers[3]);
  w.set_interested(answers[4]);
  return w;
}

absl::StatusOr<ov1::WaiAnswers> ParseWai(const std::string& value, const std::string& flag) {
  std::string keys = "demands";
  for (const auto& item : WaiItems()) absl::StrAppend(&keys, " ", item.key);
  ov1::WaiAnswers w;
  std::set<std::string> seen;
  for (absl::string_view part : absl::StrSplit(value, ',')) {
    auto kv = KeyValue(part);
    if (!kv) {
      return Bad(flag, absl::StrCat("expected key=value items like current=7,demands=mental, got '",
                                    absl::StripAsciiWhitespace(part), "'"));
    }
    auto [key, v] = *kv;
    if (key == "demands" || key == "work_demands") {
      if (!seen.insert("demands").second) return Bad(flag, "demands given twice");
      auto d = ParseShortEnum<ov1::WorkDemands>(v, ov1::WorkDemands_Parse, "WORK_DEMANDS_");
      if (!d) {
        return Bad(flag, absl::StrCat("demands must be physical, mental or both, got '", v, "'"));
      }
      w.set_work_demands(*d);
      continue;
    }
    const WaiItem* item = nullptr;
    for (const auto& i : WaiItems()) {
      if (key == i.key || key == i.field) item = &i;
    }
    if (item == nullptr) {
      return Bad(flag, absl::StrCat("unknown item '", key, "' (items: ", keys, ")"));
    }
    if (!seen.insert(item->key).second) return Bad(flag, absl::StrCat(item->key, " given twice"));
    auto n = SmallInt(v, item->min, item->max);
    if (n && std::string(item->key) == "prognosis" && *n != 1 && *n != 4 && *n != 7) {
      n.reset();
    }
    if (!n) {
      std::string range = std::string(item->key) == "prognosis" ? std::string("1, 4 or 7")
                                                                : RangeText(item->min, item->max);
      return Bad(flag, absl::StrCat(item->key, " must be ", range, ", got '", v, "'"));
    }
    (w.*(item->set))(*n);
  }
  std::vector<std::string> missing;
  if (!seen.count("demands")) missing.push_back("demands");
  for (const auto& item : WaiItems()) {
    if (!seen.count(item.key)) missing.push_back(item.key);
  }
  if (!missing.empty()) {
    return Bad(flag,
               absl::StrCat("every item is required; missing ", absl::StrJoin(missing, ", ")));
  }
  return w;
}

absl::StatusOr<ov1::EmploymentAnswers> ParseEmployment(const std::string& value,
                                                       const std::string& flag) {
  std::vector<std::string> parts = absl::StrSplit(value, ',');
  std::string status_text(absl::StripAsciiWhitespace(parts[0]));
  std::optional<ov1::EmploymentStatus> status;
  if (Lower(status_text) == "other") {
    status = ov1::EMPLOYMENT_STATUS_OTHER;
  } else {
    status = ParseShortEnum<ov1::EmploymentStatus>(status_text, ov1::EmploymentStatus_Parse,
                                                   "EMPLOYMENT_STATUS_");
  }
  if (!status) {
    return Bad(flag, absl::StrCat("expected a status (ordinary_work, subsidised_work, education, "
                                  "employment_oriented_measure, health_oriented_measure, "
                                  "unemployed_no_measure, early_retirement, other), got '",
                                  status_text, "'"));
  }
  ov1::EmploymentAnswers e;
  e.set_status(*status);
  for (size_t i = 1; i < parts.size(); ++i) {
    auto kv = KeyValue(parts[i]);
    if (!kv || (kv->first != "hours" && kv->first != "weekly_hours")) {
      return Bad(flag, absl::StrCat("after the status only hours=N is taken, got '",
                                    absl::StripAsciiWhitespace(parts[i]), "'"));
    }
    if (e.has_weekly_hours()) return Bad(flag, "hours given twice");
    // A week has 168 hours; anything above is a typo.
    auto hours = SmallInt(kv->second, 0, 168);
    if (!hours) return Bad(flag, absl::StrCat("hours must be 0..168, got '", kv->second, "'"));
    e.set_weekly_hours(*hours);
  }
  return e;
}

absl::StatusOr<std::vector<std::string>> ParseIdList(const std::string& value,
                                                     const std::string& flag) {
  std::vector<std::string> ids;
  if (absl::StripAsciiWhitespace(value).empty()) return ids;
  if (absl::StartsWith(value, "--")) {
    return Bad(flag, absl::StrCat("expected referral ids like r1,r2, got '", value,
                                  "' (a value missing?)"));
  }
  for (absl::string_view part : absl::StrSplit(value, ',')) {
    std::string id(absl::StripAsciiWhitespace(part));
    if (id.empty()) {
      return Bad(flag, absl::StrCat("an empty referral id in '", value, "'"));
    }
    ids.push_back(std::move(id));
  }
  return ids;
}

absl::StatusOr<ov1::ExportFormat> ParseExportFormat(const std::string& value,
                                                    const std::string& flag) {
  std::string v = Lower(value);
  if (v == "text") return ov1::EXPORT_FORMAT_TEXT;
  if (v == "csv") return ov1::EXPORT_FORMAT_CSV;
  if (v == "json") return ov1::EXPORT_FORMAT_JSON;
  return Bad(flag, absl::StrCat("expected text, csv or json, got '", value, "'"));
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

std::string EmploymentStatusName(ov1::EmploymentStatus status) {
  if (status == ov1::EMPLOYMENT_STATUS_OTHER) return "other";
  if (status == ov1::EMPLOYMENT_STATUS_UNSPECIFIED || !ov1::EmploymentStatus_IsValid(status)) {
    return "?";
  }
  return absl::AsciiStrToLower(
      absl::StripPrefix(ov1::EmploymentStatus_Name(status), "EMPLOYMENT_STATUS_"));
}

std::string WorkDemandsName(ov1::WorkDemands demands) {
  if (demands == ov1::WORK_DEMANDS_UNSPECIFIED || !ov1::WorkDemands_IsValid(demands)) return "?";
  return absl::AsciiStrToLower(absl::StripPrefix(ov1::WorkDemands_Name(demands), "WORK_DEMANDS_"));
}

// ---- Commands -----------------------------------------------------------------------------

bool IsOutcomesCommand(const std::string& command) { return command == "outcomes"; }

const std::set<std::string>& OutcomesOptions() {
  static const auto* options = [] {
    auto* s = new std::set<std::string>;
    for (const auto& [name, opts] : Specs()) s->insert(opts.begin(), opts.end());
    for (const auto& g : GlobalOptions()) s->insert(g);
    for (const auto& f : OutcomesFlags()) s->erase(f);
    return s;
  }();
  return *options;
}

const std::set<std::string>& OutcomesFlags() {
  static const auto* flags = new std::set<std::string>{"json", "help"};
  return *flags;
}

absl::StatusOr<std::string> ResolveOutcomesCommand(const ParsedArgs& args) {
  std::string groups;
  for (const auto& [g, subs] : Groups()) absl::StrAppend(&groups, groups.empty() ? "" : " ", g);
  if (args.positional.empty()) {
    return absl::InvalidArgumentError(absl::StrCat("outcomes needs a command: ", groups));
  }
  const std::string& group = args.positional[0];
  auto it = Groups().find(group);
  if (it == Groups().end()) {
    return absl::InvalidArgumentError(
        absl::StrCat("unknown command 'outcomes ", group, "' (one of: ", groups, ")"));
  }
  std::string name = group;
  size_t used = 1;
  if (!it->second.empty()) {
    std::string choices = absl::StrJoin(it->second, " ");
    if (args.positional.size() < 2) {
      return absl::InvalidArgumentError(
          absl::StrCat("outcomes ", group, " needs a subcommand: ", choices));
    }
    name = absl::StrCat(group, " ", args.positional[1]);
    if (Specs().count(name) == 0) {
      return absl::InvalidArgumentError(
          absl::StrCat("unknown subcommand 'outcomes ", name, "' (one of: ", choices, ")"));
    }
    used = 2;
  }
  // "--present --absent r2" gives --present the value "--absent": name the real mistake.
  for (const auto& [option, value] : args.options) {
    if (!OutcomesFlags().count(option) && absl::StartsWith(value, "--")) {
      return absl::InvalidArgumentError(
          absl::StrCat("--", option, " needs a value (got '", value, "')"));
    }
  }
  if (args.positional.size() > used) {
    return absl::InvalidArgumentError(
        absl::StrCat("outcomes ", name, ": unexpected argument '", args.positional[used],
                     "' (ids are given with options such as --cohort)"));
  }
  const auto& allowed = Specs().at(name);
  for (const auto& [option, value] : args.options) {
    if (allowed.count(option) || GlobalOptions().count(option)) continue;
    if (option == "addr" || option == "scheduling-addr") {
      return absl::InvalidArgumentError(
          absl::StrCat("--", option, " is the ", option == "addr" ? "referral" : "scheduling",
                       " service's address; use --outcomes-addr (or $KPR_OUTCOMES_ADDR)"));
    }
    return absl::InvalidArgumentError(absl::StrCat("outcomes ", name, " does not take --", option));
  }
  return name;
}

// ---- Requests -----------------------------------------------------------------------------

absl::StatusOr<ov1::RecordAttendanceRequest> BuildRecordAttendance(const ParsedArgs& a) {
  const std::string command = "attendance record";
  KPRCTL_OUTCOMES_TRY(m, Need(a, command, "municipality"));
  KPRCTL_OUTCOMES_TRY(session, Need(a, command, "session"));
  ov1::RecordAttendanceRequest req;
  req.set_municipality(m);
  req.set_session_id(session);
  std::map<std::string, std::string> flag_of;  // referral -> the list it is in
  for (const auto& [flag, mark] : std::vector<std::pair<std::string, ov1::AttendanceMark>>{
           {"present", ov1::ATTENDANCE_MARK_PRESENT},
           {"absent", ov1::ATTENDANCE_MARK_ABSENT},
           {"excused", ov1::ATTENDANCE_MARK_EXCUSED}}) {
    KPRCTL_OUTCOMES_TRY(ids, ParseIdList(a.Get(flag), flag));
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
    KPRCTL_OUTCOMES_TRY(version, ParseInteger(a.Get(vflag), vflag, 0, INT64_MAX));
    req.set_expected_version(version);
  }
  return req;
}

absl::StatusOr<ov1::GetAttendanceRequest> BuildGetAttendance(const ParsedArgs& a) {
  KPRCTL_OUTCOMES_TRY(m, Need(a, "attendance get", "municipality"));
  KPRCTL_OUTCOMES_TRY(cohort, Need(a, "attendance get", "cohort"));
  ov1::GetAttendanceRequest req;
  req.set_municipality(m);
  req.set_cohort_id(cohort);
  return req;
}

absl::StatusOr<ov1::SubmitQuestionnaireRequest> BuildSubmitQuestionnaire(const ParsedArgs& a) {
  const std::string command = "questionnaire submit";
  KPRCTL_OUTCOMES_TRY(m, Need(a, command, "municipality"));
  KPRCTL_OUTCOMES_TRY(referral, Need(a, command, "referral"));
  KPRCTL_OUTCOMES_TRY(tp_text, Need(a, command, "time-point"));
  KPRCTL_OUTCOMES_TRY(tp, ParseTimePoint(tp_text, "time-point"));
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
    KPRCTL_OUTCOMES_TRY(w, ParseWho5(a.Get(found), found));
    *req.mutable_who5() = std::move(w);
  } else if (found == "wai") {
    KPRCTL_OUTCOMES_TRY(w, ParseWai(a.Get(found), found));
    *req.mutable_wai() = std::move(w);
  } else {
    KPRCTL_OUTCOMES_TRY(e, ParseEmployment(a.Get(found), found));
    *req.mutable_employment() = std::move(e);
  }
  return req;
}

absl::StatusOr<ov1::GetQuestionnairesRequest> BuildGetQuestionnaires(const ParsedArgs& a) {
  KPRCTL_OUTCOMES_TRY(m, Need(a, "questionnaire get", "municipality"));
  KPRCTL_OUTCOMES_TRY(referral, Need(a, "questionnaire get", "referral"));
  ov1::GetQuestionnairesRequest req;
  req.set_municipality(m);
  req.set_referral_id(referral);
  return req;
}

absl::StatusOr<ov1::ListQuestionnaireScheduleRequest> BuildListQuestionnaireSchedule(
    const ParsedArgs& a) {
  KPRCTL_OUTCOMES_TRY(m, Need(a, "schedule", "municipality"));
  KPRCTL_OUTCOMES_TRY(cohort, Need(a, "schedule", "cohort"));
  ov1::ListQuestionnaireScheduleRequest req;
  req.set_municipality(m);
  req.set_cohort_id(cohort);
  return req;
}

absl::StatusOr<ov1::ExportReportRequest> BuildExportCohortReport(const ParsedArgs& a) {
  KPRCTL_OUTCOMES_TRY(m, Need(a, "report cohort", "municipality"));
  KPRCTL_OUTCOMES_TRY(cohort, Need(a, "report cohort", "cohort"));
  KPRCTL_OUTCOMES_TRY(format, Format(a));
  if (auto st = CheckOut(a); !st.ok()) return st;
  ov1::ExportReportRequest req;
  req.mutable_cohort()->set_municipality(m);
  req.mutable_cohort()->set_cohort_id(cohort);
  req.set_format(format);
  return req;
}

absl::StatusOr<ov1::ExportReportRequest> BuildExportProgramReport(const ParsedArgs& a,
                                                                  absl::TimeZone tz) {
  KPRCTL_OUTCOMES_TRY(m, Need(a, "report program", "municipality"));
  KPRCTL_OUTCOMES_TRY(program, Need(a, "report program", "program"));
  KPRCTL_OUTCOMES_TRY(format, Format(a));
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
    KPRCTL_OUTCOMES_TRY(from, ParseInstant(a.Get("from"), "from", tz));
    KPRCTL_OUTCOMES_TRY(to, ParseInstant(a.Get("to"), "to", tz));
    if (from >= to) {
      return absl::InvalidArgumentError(absl::StrCat("--from ", a.Get("from"),
                                                     " must be before --to ", a.Get("to"),
                                                     " (the period is [from, to))"));
    }
    *p->mutable_from() = MillisToTimestamp(from);
    *p->mutable_to() = MillisToTimestamp(to);
  }
  return req;
}

}  // namespace kpr::kprctl
