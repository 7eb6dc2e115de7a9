#include "services/outcomes/report_export.h"

#include <map>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_split.h"
#include "gmock/gmock.h"
#include "google/protobuf/util/json_util.h"
#include "google/protobuf/util/message_differencer.h"
#include "gtest/gtest.h"
#include "services/outcomes/outcome_report.h"

namespace kpr::outcomes {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

// A small RFC 4180 reader: rows of fields, CRLF line ends, "" inside quotes.
std::vector<std::vector<std::string>> ParseCsv(const std::string& csv) {
  std::vector<std::vector<std::string>> rows(1);
  std::string field;
  bool quoted = false;
  for (size_t i = 0; i < csv.size(); ++i) {
    const char c = csv[i];
    if (quoted) {
      if (c == '"' && i + 1 < csv.size() && csv[i + 1] == '"') {
        field += '"';
        ++i;
      } else if (c == '"') {
        quoted = false;
      } else {
        field += c;
      }
    } else if (c == '"') {
      quoted = true;
    } else if (c == ',') {
      rows.back().push_back(std::move(field));
      field.clear();
    } else if (c == '\r') {
      EXPECT_EQ(csv[i + 1], '\n') << "bare CR at " << i;
      rows.back().push_back(std::move(field));
      field.clear();
      rows.emplace_back();
      ++i;
    } else {
      EXPECT_NE(c, '\n') << "bare LF at " << i;
      field += c;
    }
  }
  EXPECT_TRUE(rows.back().empty() && field.empty()) << "last line must end with CRLF";
  rows.pop_back();
  return rows;
}

// section/figure -> {value, state}
std::map<std::string, std::pair<std::string, std::string>> CsvFigures(const std::string& csv) {
  std::map<std::string, std::pair<std::string, std::string>> figures;
  for (const auto& row : ParseCsv(csv)) {
    EXPECT_EQ(row.size(), 4u);
    if (row.size() == 4) figures[row[0] + "/" + row[1]] = {row[2], row[3]};
  }
  return figures;
}

google::protobuf::Timestamp At(int64_t seconds) {
  google::protobuf::Timestamp ts;
  ts.set_seconds(seconds);
  return ts;
}

// 2027-01-01 00:00 CET and 2027-07-01 00:00 CEST, as UTC seconds.
constexpr int64_t kJan1 = 1798758000;  // 2026-12-31T23:00:00Z
constexpr int64_t kJul1 = 1814392800;  // 2027-06-30T22:00:00Z

// A program report with one small (suppressed) count among shown ones.
v1::OutcomeReport SampleReport() {
  OutcomeTally t;
  t.participants = 20;
  t.completed = 3;  // suppressed, and with it dropped_out (6)
  t.dropped_out = 6;
  t.attendance_n = 20;
  t.attendance_rate_sum = 16.5;  // 82.5 %
  t.attendance_at_least_target = 15;
  t.who5_baseline_n = 20;
  t.who5_baseline_sum = 760;
  t.who5_end_n = 18;
  t.who5_end_sum = 1044;
  t.who5_paired_n = 18;
  t.who5_change_sum = 360;
  t.who5_change_sumsq = 9000;
  t.who5_improved = 12;
  t.who5_baseline_at_most_50 = 13;
  t.who5_moved_above_50 = 8;
  t.employment_1m = {5, 0, 5, 5, 0, 5, 0, 0};
  FunnelTally f;
  f.referred = f.referred_by_source[intake::v1::REFERRAL_SOURCE_JOBCENTER] = 30;
  f.contacted = 30;
  f.accepted = 25;
  f.enrolled = f.enrolled_by_source[intake::v1::REFERRAL_SOURCE_JOBCENTER] = 20;
  v1::OutcomeReport r = BuildReport(t, &f, OutcomePolicy{}, 5);
  r.set_municipality("0165");
  r.set_program_id("sund-med-kultur");
  *r.mutable_from() = At(kJan1);
  *r.mutable_to() = At(kJul1);
  r.set_cohorts(3);
  *r.mutable_generated_at() = At(kJul1 + 36000);
  return r;
}

TEST(ReportExportTest, CsvRowsValuesAndStates) {
  const v1::OutcomeReport r = SampleReport();
  ASSERT_EQ(r.completed().state(), v1::FIGURE_STATE_SUPPRESSED);
  const std::string csv = ReportToCsv(r);
  EXPECT_TRUE(absl::StartsWith(csv, "section,figure,value,state\r\n"));
  const auto figures = CsvFigures(csv);
  using P = std::pair<std::string, std::string>;
  EXPECT_EQ(figures.at("report/municipality"), P("0165", ""));
  EXPECT_EQ(figures.at("report/first_day"), P("2027-01-01", ""));
  EXPECT_EQ(figures.at("report/last_day"), P("2027-06-30", ""));
  EXPECT_EQ(figures.at("report/suppression_threshold"), P("5", ""));
  EXPECT_EQ(figures.at("report/generated_at"), P("2027-07-01T08:00:00Z", ""));
  EXPECT_EQ(figures.at("participation/participants"), P("20", "shown"));
  EXPECT_EQ(figures.at("participation/completed"), P("", "suppressed"));
  EXPECT_EQ(figures.at("participation/dropped_out"), P("", "suppressed"));
  EXPECT_EQ(figures.at("participation/in_progress"), P("11", "shown"));
  EXPECT_EQ(figures.at("participation/completion_share"), P("", "suppressed"));
  EXPECT_EQ(figures.at("attendance/attendance_mean"), P("82.5", "shown"));
  EXPECT_EQ(figures.at("attendance/attendance_at_least_80_share"), P("75", "shown"));
  EXPECT_EQ(figures.at("who5/improved_share"), P("66.7", "shown"));
  EXPECT_EQ(figures.at("wai/mean_change"), P("", "no data"));
  EXPECT_EQ(figures.count("wai/improved"), 0u);  // WHO-5 only
  EXPECT_EQ(figures.at("employment_1m/ordinary_work"), P("5", "shown"));
  EXPECT_EQ(figures.at("employment_1m/subsidised_work_share"), P("0", "shown"));
  EXPECT_EQ(figures.at("employment_12m/oriented_share"), P("", "no data"));
  EXPECT_EQ(figures.at("funnel/jobcenter_referred"), P("30", "shown"));
  EXPECT_EQ(figures.at("targets/attendance"), P("82.5", "met"));
  EXPECT_EQ(figures.at("targets/attendance_threshold"), P("80", ""));
  EXPECT_EQ(figures.at("targets/employment_1m"), P("75", "met"));
  EXPECT_EQ(figures.at("targets/employment_1m_threshold"), P("33.3", ""));
  EXPECT_EQ(figures.at("targets/employment_12m"), P("", "not enough data"));
}

TEST(ReportExportTest, CsvEscaping) {
  v1::OutcomeReport r;
  r.set_program_id("sund, \"med\" kultur");
  r.set_cohort_id("line\r\nbreak");
  const std::string csv = ReportToCsv(r);
  EXPECT_THAT(csv, HasSubstr("report,program_id,\"sund, \"\"med\"\" kultur\",\r\n"));
  const auto figures = CsvFigures(csv);
  EXPECT_EQ(figures.at("report/program_id").first, "sund, \"med\" kultur");
  EXPECT_EQ(figures.at("report/cohort_id").first, "line\r\nbreak");
  EXPECT_EQ(figures.count("funnel/referred"), 0u);  // no funnel in a cohort report
}

TEST(ReportExportTest, SuppressedValueNeverPrinted) {
  v1::OutcomeReport r = SampleReport();
  // The builder never lets a withheld value into the proto ...
  EXPECT_EQ(r.completed().value(), 0);
  EXPECT_EQ(r.completion_share().value(), 0);
  const std::string json = ReportToJson(r);
  EXPECT_THAT(json,
              HasSubstr("\"completed\": {\n  \"state\": \"FIGURE_STATE_SUPPRESSED\",\n  \"value\": 0\n }"));
  // ... and CSV and text would not print one even if it were there.
  r.mutable_completed()->set_value(1234.5);
  r.mutable_who5()->mutable_mean_change()->set_state(v1::FIGURE_STATE_NO_DATA);
  r.mutable_who5()->mutable_mean_change()->set_value(4321.5);
  EXPECT_THAT(ReportToCsv(r), Not(HasSubstr("1234")));
  EXPECT_THAT(ReportToCsv(r), Not(HasSubstr("4321")));
  EXPECT_THAT(ReportToText(r), Not(HasSubstr("1234")));
  EXPECT_THAT(ReportToText(r), Not(HasSubstr("4321")));
}

TEST(ReportExportTest, JsonParsesBackToTheSameMessage) {
  const v1::OutcomeReport r = SampleReport();
  const std::string json = ReportToJson(r);
  EXPECT_THAT(json, HasSubstr("\"suppression_threshold\": 5"));  // proto field names
  EXPECT_THAT(json, HasSubstr("\"attendance_at_least_80\""));
  EXPECT_THAT(json, HasSubstr("\"cohort_id\": \"\""));  // primitives always printed
  v1::OutcomeReport parsed;
  ASSERT_TRUE(google::protobuf::util::JsonStringToMessage(json, &parsed).ok());
  EXPECT_TRUE(google::protobuf::util::MessageDifferencer::Equals(parsed, r))
      << parsed.DebugString();
}

TEST(ReportExportTest, TextTable) {
  const v1::OutcomeReport r = SampleReport();
  const std::string text = ReportToText(r);
  EXPECT_THAT(text, HasSubstr("Municipality: 0165\n"));
  EXPECT_THAT(text, HasSubstr("Program:      sund-med-kultur\n"));
  EXPECT_THAT(text, HasSubstr("Period:       2027-01-01 to 2027-06-30\n"));
  EXPECT_THAT(text, HasSubstr("Counts below 5"));
  EXPECT_THAT(text, Not(HasSubstr("Cohort:")));
  EXPECT_THAT(text, Not(HasSubstr("<5")));
  // Aligned: every figure line has the same width, with the value at its right edge.
  size_t width = 0;
  bool in_figures = false;
  for (absl::string_view line : absl::StrSplit(text, '\n')) {
    if (line == "Participation") in_figures = true;
    if (line == "Targets") in_figures = false;
    if (!in_figures || !absl::StartsWith(line, "  ")) continue;
    if (width == 0) width = line.size();
    EXPECT_EQ(line.size(), width) << line;
  }
  EXPECT_GT(width, 0u);
  EXPECT_THAT(text, testing::ContainsRegex("\n  Participants +20\n"));
  EXPECT_THAT(text, testing::ContainsRegex("\n  Completed +suppressed\n"));
  EXPECT_THAT(text, testing::ContainsRegex("\n  Mean change, index points +-\n"));
  EXPECT_THAT(text, testing::ContainsRegex("\n  Mean attendance rate at least 80 % +MET +82.5 "));
  EXPECT_THAT(text, HasSubstr("NOT ENOUGH DATA"));
}

TEST(ReportExportTest, Filenames) {
  v1::OutcomeReport r = SampleReport();
  EXPECT_EQ(ReportFilename(r, v1::EXPORT_FORMAT_CSV), "kpr-0165-sund-med-kultur-2027-01-01.csv");
  EXPECT_EQ(ReportFilename(r, v1::EXPORT_FORMAT_JSON), "kpr-0165-sund-med-kultur-2027-01-01.json");
  EXPECT_EQ(ReportFilename(r, v1::EXPORT_FORMAT_TEXT), "kpr-0165-sund-med-kultur-2027-01-01.txt");
  // Summer time: local midnight of 1 July is 22:00 UTC the day before.
  *r.mutable_from() = At(kJul1);
  r.set_cohort_id("../Hold 2: Forår/ø");
  EXPECT_EQ(ReportFilename(r, v1::EXPORT_FORMAT_CSV), "kpr-0165-hold-2-for-r-2027-07-01.csv");
  r.clear_from();
  r.set_municipality("");
  r.set_cohort_id("");
  r.set_program_id("");
  EXPECT_EQ(ReportFilename(r, v1::EXPORT_FORMAT_CSV), "kpr.csv");
}

TEST(ReportExportTest, ExportedReportPicksContentTypeAndFilenameByFormat) {
  const v1::OutcomeReport r = SampleReport();
  const v1::ExportReportResponse json = ExportedReport(r, v1::EXPORT_FORMAT_JSON);
  EXPECT_EQ(json.content_type(), "application/json");
  EXPECT_EQ(json.content(), ReportToJson(r));
  EXPECT_EQ(json.filename(), "kpr-0165-sund-med-kultur-2027-01-01.json");
  const v1::ExportReportResponse text = ExportedReport(r, v1::EXPORT_FORMAT_TEXT);
  EXPECT_EQ(text.content_type(), "text/plain; charset=utf-8");
  EXPECT_EQ(text.content(), ReportToText(r));
  EXPECT_EQ(text.filename(), "kpr-0165-sund-med-kultur-2027-01-01.txt");
  // CSV is the default, also for a format this version does not know.
  for (v1::ExportFormat f :
       {v1::EXPORT_FORMAT_CSV, v1::EXPORT_FORMAT_UNSPECIFIED, static_cast<v1::ExportFormat>(99)}) {
    const v1::ExportReportResponse csv = ExportedReport(r, f);
    EXPECT_EQ(csv.content_type(), "text/csv; charset=utf-8");
    EXPECT_EQ(csv.content(), ReportToCsv(r));
    EXPECT_EQ(csv.filename(), "kpr-0165-sund-med-kultur-2027-01-01.csv");
  }
}

}  // namespace
}  // namespace kpr::outcomes
