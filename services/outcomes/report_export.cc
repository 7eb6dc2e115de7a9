#include "services/outcomes/report_export.h"

#include <algorithm>
#include <string>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/strings/strip.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "google/protobuf/util/json_util.h"
#include "libs/calendar/danish_time.h"
#include "services/outcomes/questionnaire_schedule.h"

namespace kpr::outcomes {
namespace {

// ---- Figures as rows ------------------------------------------------------------------------

enum class Kind { kCount, kDecimal };

struct Row {
  std::string section;  // CSV section key
  std::string key;      // CSV figure key
  std::string label;    // text label
  const v1::Figure* figure;
  Kind kind;
};

struct Section {
  std::string key;
  std::string title;
  std::vector<Row> rows;
};

class SectionBuilder {
 public:
  SectionBuilder(std::string key, std::string title) {
    s_ = {std::move(key), std::move(title), {}};
  }
  SectionBuilder& Count(std::string key, std::string label, const v1::Figure& f) {
    s_.rows.push_back({s_.key, std::move(key), std::move(label), &f, Kind::kCount});
    return *this;
  }
  SectionBuilder& Decimal(std::string key, std::string label, const v1::Figure& f) {
    s_.rows.push_back({s_.key, std::move(key), std::move(label), &f, Kind::kDecimal});
    return *this;
  }
  Section Build() { return std::move(s_); }

 private:
  Section s_;
};

std::string EnumKey(const std::string& name, absl::string_view prefix = "") {
  return absl::AsciiStrToLower(absl::StripPrefix(name, prefix));
}

std::string Readable(std::string key) {
  std::replace(key.begin(), key.end(), '_', ' ');
  if (!key.empty()) key[0] = absl::ascii_toupper(key[0]);
  return key;
}

Section Change(const std::string& key, const std::string& title, const v1::ChangeFigures& c,
               bool who5) {
  const char* unit = who5 ? "points" : "index points";
  SectionBuilder s(key, title);
  s.Count("baseline_n", "Answers at baseline", c.baseline_n())
      .Decimal("baseline_mean", absl::StrCat("Mean at baseline, ", unit), c.baseline_mean())
      .Count("end_n", "Answers at end", c.end_n())
      .Decimal("end_mean", absl::StrCat("Mean at end, ", unit), c.end_mean())
      .Count("paired_n", "Paired answers", c.paired_n())
      .Decimal("mean_change", absl::StrCat("Mean change, ", unit), c.mean_change())
      .Decimal("change_ci_low", "Mean change, 95 % CI low", c.change_ci_low())
      .Decimal("change_ci_high", "Mean change, 95 % CI high", c.change_ci_high());
  if (who5) {
    s.Count("improved", "Improved by the relevant change", c.improved())
        .Decimal("improved_share", "Improved, % of paired", c.improved_share())
        .Count("baseline_at_most_50", "At or below 50 at baseline", c.baseline_at_most_50())
        .Count("moved_above_50", "Of those, above 50 at end", c.moved_above_50())
        .Decimal("moved_above_50_share", "Moved above 50, % of those at or below 50",
                 c.moved_above_50_share());
  }
  return s.Build();
}

Section Employment(const std::string& key, const std::string& title,
                   const v1::EmploymentFigures& e) {
  SectionBuilder s(key, title);
  s.Count("responders", "Responders", e.responders());
  for (const v1::StatusFigure& status : e.by_status()) {
    const std::string name =
        EnumKey(v1::EmploymentStatus_Name(status.status()), "EMPLOYMENT_STATUS_");
    s.Count(name, Readable(name), status.count())
        .Decimal(name + "_share", Readable(name) + ", %", status.share());
  }
  s.Count("oriented", "Work, education or oriented measure", e.oriented())
      .Decimal("oriented_share", "Work, education or oriented measure, %", e.oriented_share())
      .Count("ordinary_or_education", "Ordinary work or education", e.ordinary_or_education())
      .Decimal("ordinary_or_education_share", "Ordinary work or education, %",
               e.ordinary_or_education_share());
  return s.Build();
}

std::vector<Section> Sections(const v1::OutcomeReport& r) {
  std::vector<Section> sections;
  sections.push_back(SectionBuilder("participation", "Participation")
                         .Count("participants", "Participants", r.participants())
                         .Count("completed", "Completed", r.completed())
                         .Count("dropped_out", "Dropped out", r.dropped_out())
                         .Count("in_progress", "In progress", r.in_progress())
                         .Decimal("completion_share", "Completed, %", r.completion_share())
                         .Build());
  sections.push_back(
      SectionBuilder("attendance", "Attendance")
          .Decimal("attendance_mean", "Mean attendance rate, %", r.attendance_mean())
          .Count("attendance_at_least_80", "At least 80 %", r.attendance_at_least_80())
          .Decimal("attendance_at_least_80_share", "At least 80 %, % of those with a rate",
                   r.attendance_at_least_80_share())
          .Build());
  sections.push_back(Change("who5", "WHO-5 wellbeing (0-100)", r.who5(), true));
  sections.push_back(Change("wai", "Work Ability Index (7-49)", r.wai(), false));
  sections.push_back(
      Employment("employment_1m", "Employment 1 month after the course", r.employment_1m()));
  sections.push_back(
      Employment("employment_12m", "Employment 12 months after the course", r.employment_12m()));
  if (r.has_funnel()) {
    const v1::FunnelFigures& f = r.funnel();
    SectionBuilder s("funnel", "Recruitment funnel");
    s.Count("referred", "Referred", f.referred())
        .Count("contacted", "Contacted", f.contacted())
        .Count("accepted", "Accepted", f.accepted())
        .Count("enrolled", "Enrolled", f.enrolled())
        .Count("completed", "Completed", f.completed())
        .Count("dropped_out", "Dropped out", f.dropped_out())
        .Count("declined", "Declined", f.declined())
        .Count("withdrawn", "Withdrawn", f.withdrawn());
    for (const v1::SourceFigure& source : f.by_source()) {
      const std::string name =
          EnumKey(intake::v1::ReferralSource_Name(source.source()), "REFERRAL_SOURCE_");
      s.Count(name + "_referred", Readable(name) + ": referred", source.referred())
          .Count(name + "_enrolled", Readable(name) + ": enrolled", source.enrolled());
    }
    sections.push_back(s.Build());
  }
  return sections;
}

// ---- Values -------------------------------------------------------------------------------

std::string Number(double value, Kind kind) {
  if (kind == Kind::kCount) return absl::StrFormat("%.0f", value);
  std::string s = absl::StrFormat("%.1f", value);
  if (absl::EndsWith(s, ".0")) s.resize(s.size() - 2);
  if (s == "-0") s = "0";
  return s;
}

// The value as printed: empty unless SHOWN.
std::string Value(const v1::Figure& f, Kind kind) {
  return f.state() == v1::FIGURE_STATE_SHOWN ? Number(f.value(), kind) : "";
}

std::string StateName(const v1::Figure& f) {
  switch (f.state()) {
    case v1::FIGURE_STATE_SHOWN:
      return "shown";
    case v1::FIGURE_STATE_SUPPRESSED:
      return "suppressed";
    default:
      return "no data";
  }
}

std::string TargetStateName(v1::TargetState state) {
  switch (state) {
    case v1::TARGET_STATE_MET:
      return "MET";
    case v1::TARGET_STATE_NOT_MET:
      return "NOT MET";
    default:
      return "NOT ENOUGH DATA";
  }
}

// ---- Dates --------------------------------------------------------------------------------

// The Danish local day of an instant, in the zone the desk made the report's period in.
absl::CivilDay DanishDay(absl::Time t) { return absl::ToCivilDay(t, calendar::DanishTimeZone()); }

absl::Time ToTime(const google::protobuf::Timestamp& ts) {
  return absl::FromUnixSeconds(ts.seconds()) + absl::Nanoseconds(ts.nanos());
}

std::string FirstDay(const v1::OutcomeReport& r) {
  return r.has_from() ? absl::FormatCivilTime(DanishDay(ToTime(r.from()))) : "";
}
// The period ends before `to`: its last day is the day of the instant just before.
std::string LastDay(const v1::OutcomeReport& r) {
  return r.has_to() ? absl::FormatCivilTime(DanishDay(ToTime(r.to()) - absl::Nanoseconds(1))) : "";
}
std::string Generated(const v1::OutcomeReport& r) {
  return r.has_generated_at()
             ? absl::FormatTime("%Y-%m-%dT%H:%M:%SZ", ToTime(r.generated_at()), absl::UTCTimeZone())
             : "";
}

// ---- CSV ----------------------------------------------------------------------------------

std::string CsvField(const std::string& s) {
  if (s.find_first_of(",\"\r\n") == std::string::npos) return s;
  std::string quoted = "\"";
  for (char c : s) {
    if (c == '"') quoted += '"';
    quoted += c;
  }
  return quoted + "\"";
}

void CsvRow(std::string& out, const std::string& section, const std::string& figure,
            const std::string& value, const std::string& state) {
  absl::StrAppend(&out, CsvField(section), ",", CsvField(figure), ",", CsvField(value), ",",
                  CsvField(state), "\r\n");
}

// ---- Text ---------------------------------------------------------------------------------

std::string TextValue(const v1::Figure& f, Kind kind) {
  switch (f.state()) {
    case v1::FIGURE_STATE_SHOWN:
      return Number(f.value(), kind);
    case v1::FIGURE_STATE_SUPPRESSED:
      return "suppressed";
    default:
      return "-";
  }
}

}  // namespace

std::string ReportToCsv(const v1::OutcomeReport& r) {
  std::string out;
  CsvRow(out, "section", "figure", "value", "state");
  CsvRow(out, "report", "municipality", r.municipality(), "");
  CsvRow(out, "report", "program_id", r.program_id(), "");
  CsvRow(out, "report", "cohort_id", r.cohort_id(), "");
  CsvRow(out, "report", "first_day", FirstDay(r), "");
  CsvRow(out, "report", "last_day", LastDay(r), "");
  CsvRow(out, "report", "cohorts", absl::StrCat(r.cohorts()), "");
  CsvRow(out, "report", "suppression_threshold", absl::StrCat(r.suppression_threshold()), "");
  CsvRow(out, "report", "generated_at", Generated(r), "");
  for (const Section& section : Sections(r)) {
    for (const Row& row : section.rows) {
      CsvRow(out, row.section, row.key, Value(*row.figure, row.kind), StateName(*row.figure));
    }
  }
  for (const v1::TargetResult& t : r.targets()) {
    std::string state = absl::AsciiStrToLower(TargetStateName(t.state()));
    CsvRow(out, "targets", t.target(), Value(t.value(), Kind::kDecimal), state);
    CsvRow(out, "targets", t.target() + "_threshold", Number(t.threshold(), Kind::kDecimal), "");
  }
  return out;
}

std::string ReportToJson(const v1::OutcomeReport& r) {
  google::protobuf::util::JsonPrintOptions options;
  options.add_whitespace = true;
  options.always_print_primitive_fields = true;
  options.preserve_proto_field_names = true;
  std::string out;
  // Cannot fail for a well-formed message (it fails only on invalid Any or unknown types).
  if (!google::protobuf::util::MessageToJsonString(r, &out, options).ok()) return "{}";
  return out;
}

std::string ReportToText(const v1::OutcomeReport& r) {
  std::string out = "Outcome report\n";
  auto title = [&](const std::string& name, const std::string& value) {
    if (!value.empty()) absl::StrAppend(&out, absl::StrFormat("  %-14s%s\n", name + ":", value));
  };
  title("Municipality", r.municipality());
  title("Program", r.program_id());
  title("Cohort", r.cohort_id());
  if (r.has_from() || r.has_to()) title("Period", absl::StrCat(FirstDay(r), " to ", LastDay(r)));
  if (r.cohorts() > 0) title("Cohorts", absl::StrCat(r.cohorts()));
  title("Generated", Generated(r));
  absl::StrAppend(&out, "  Counts below ", r.suppression_threshold(),
                  ", and figures they could be derived from, are suppressed.\n");

  const std::vector<Section> sections = Sections(r);
  size_t label_width = 0, value_width = 0;
  for (const Section& section : sections) {
    for (const Row& row : section.rows) {
      label_width = std::max(label_width, row.label.size());
      value_width = std::max(value_width, TextValue(*row.figure, row.kind).size());
    }
  }
  for (const Section& section : sections) {
    absl::StrAppend(&out, "\n", section.title, "\n");
    for (const Row& row : section.rows) {
      absl::StrAppend(
          &out, absl::StrFormat("  %-*s  %*s\n", static_cast<int>(label_width), row.label,
                                static_cast<int>(value_width), TextValue(*row.figure, row.kind)));
    }
  }

  if (r.targets_size() > 0) {
    size_t description_width = 0;
    for (const auto& t : r.targets()) {
      description_width = std::max(description_width, t.description().size());
    }
    absl::StrAppend(&out, "\nTargets\n");
    for (const v1::TargetResult& t : r.targets()) {
      absl::StrAppend(
          &out, absl::StrFormat("  %-*s  %-15s  %s (target %s)\n",
                                static_cast<int>(description_width), t.description(),
                                TargetStateName(t.state()), TextValue(t.value(), Kind::kDecimal),
                                Number(t.threshold(), Kind::kDecimal)));
    }
  }
  return out;
}

std::string ReportFilename(const v1::OutcomeReport& r, v1::ExportFormat format) {
  auto safe = [](const std::string& s) {
    std::string out;
    for (char c : absl::AsciiStrToLower(s)) {
      const bool ok = absl::ascii_isalnum(static_cast<unsigned char>(c));
      if (ok) {
        out += c;
      } else if (!out.empty() && out.back() != '-') {
        out += '-';
      }
    }
    while (!out.empty() && out.back() == '-') out.pop_back();
    return out;
  };
  std::vector<std::string> parts = {"kpr"};
  for (const std::string& part :
       {safe(r.municipality()), safe(r.cohort_id().empty() ? r.program_id() : r.cohort_id()),
        FirstDay(r)}) {
    if (!part.empty()) parts.push_back(part);
  }
  const char* extension = format == v1::EXPORT_FORMAT_CSV    ? ".csv"
                          : format == v1::EXPORT_FORMAT_JSON ? ".json"
                                                             : ".txt";
  return absl::StrCat(absl::StrJoin(parts, "-"), extension);
}

v1::ExportReportResponse ExportedReport(const v1::OutcomeReport& r, v1::ExportFormat format) {
  v1::ExportReportResponse out;
  switch (format) {
    case v1::EXPORT_FORMAT_JSON:
      out.set_content_type("application/json");
      out.set_content(ReportToJson(r));
      break;
    case v1::EXPORT_FORMAT_TEXT:
      out.set_content_type("text/plain; charset=utf-8");
      out.set_content(ReportToText(r));
      break;
    default:
      out.set_content_type("text/csv; charset=utf-8");
      out.set_content(ReportToCsv(r));
      format = v1::EXPORT_FORMAT_CSV;
  }
  out.set_filename(ReportFilename(r, format));
  return out;
}

}  // namespace kpr::outcomes
