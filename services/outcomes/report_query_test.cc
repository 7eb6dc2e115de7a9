#include "services/outcomes/report_query.h"

#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "services/outcomes/decision_testing.h"
#include "services/outcomes/versioned_records.h"

namespace kpr::outcomes {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using namespace decision_testing;  // NOLINT: test vocabulary

const absl::TimeZone kTz = calendar::DanishTimeZone();
const absl::Time kNow = Local(absl::CivilMinute(2027, 6, 15, 12, 0));

v1::GetProgramReportRequest Program() {
  v1::GetProgramReportRequest req;
  req.set_municipality(kM);
  req.set_program_id("p-1");
  return req;
}

TEST(ProgramReportPeriod, DefaultsToTheCalendarYearOfNow) {
  auto p = ProgramReportPeriod(Program(), kNow, kTz);
  ASSERT_TRUE(p.ok()) << p.status();
  EXPECT_EQ(p->from, absl::CivilDay(2027, 1, 1));
  EXPECT_EQ(p->to, absl::CivilDay(2028, 1, 1));
}

TEST(ProgramReportPeriod, FromAloneMeansItsYear) {
  v1::GetProgramReportRequest req = Program();
  *req.mutable_from() = ToProto(Local(absl::CivilMinute(2026, 3, 1, 0, 0)));
  auto p = ProgramReportPeriod(req, kNow, kTz);
  ASSERT_TRUE(p.ok()) << p.status();
  EXPECT_EQ(p->from, absl::CivilDay(2026, 3, 1));
  EXPECT_EQ(p->to, absl::CivilDay(2027, 1, 1));
}

TEST(ProgramReportPeriod, Refusals) {
  v1::GetProgramReportRequest no_program = Program();
  no_program.clear_program_id();
  EXPECT_EQ(ProgramReportPeriod(no_program, kNow, kTz).status(),
            absl::InvalidArgumentError("program_id: missing"));

  v1::GetProgramReportRequest same_day = Program();
  *same_day.mutable_from() = ToProto(Local(absl::CivilMinute(2027, 3, 1, 8, 0)));
  *same_day.mutable_to() = ToProto(Local(absl::CivilMinute(2027, 3, 1, 20, 0)));
  EXPECT_EQ(ProgramReportPeriod(same_day, kNow, kTz).status(),
            absl::InvalidArgumentError("to: must be after from"));

  v1::GetProgramReportRequest decade = Program();
  *decade.mutable_from() = ToProto(Local(absl::CivilMinute(2017, 1, 1, 0, 0)));
  *decade.mutable_to() = ToProto(Local(absl::CivilMinute(2027, 1, 1, 0, 0)));
  auto too_long = ProgramReportPeriod(decade, kNow, kTz);
  EXPECT_EQ(too_long.status().code(), absl::StatusCode::kInvalidArgument);

  v1::GetProgramReportRequest bad_from = Program();
  bad_from.mutable_from()->set_nanos(-1);
  EXPECT_THAT(ProgramReportPeriod(bad_from, kNow, kTz).status().message(), HasSubstr("from"));
}

TEST(ReportPeriod, CohortIndexRangeAndFunnelMonths) {
  const ReportPeriod p{absl::CivilDay(2027, 2, 15), absl::CivilDay(2027, 4, 1)};
  const auto [first, last] = CohortIndexRange(p);
  EXPECT_EQ(first, absl::CivilDay(2027, 2, 15) - absl::CivilDay(1970, 1, 1));
  EXPECT_EQ(last, absl::CivilDay(2027, 3, 31) - absl::CivilDay(1970, 1, 1));
  EXPECT_THAT(FunnelMonths(p), ElementsAre("2027-02", "2027-03"));
}

ReportSettings Settings() { return ReportSettings{OutcomePolicy(), 5, kTz}; }

TEST(CohortReport, OverItsDaysFromItsTally) {
  OutcomeTally t;
  t.participants = 12;
  t.completed = 9;
  const Cohort c = PlannedCohort();
  TallyFields fields;
  for (const auto& [name, value] : t.ToFields()) fields[name] = value;
  const v1::OutcomeReport r = CohortReport(kM, c.record, fields, Settings(), kNow);
  EXPECT_EQ(r.municipality(), kM);
  EXPECT_EQ(r.program_id(), "p-1");
  EXPECT_EQ(r.cohort_id(), "c-1");
  EXPECT_EQ(r.cohorts(), 1);
  EXPECT_EQ(r.from().seconds(), absl::ToUnixSeconds(Local(absl::CivilMinute(2027, 3, 1, 0, 0))));
  EXPECT_EQ(r.to().seconds(), absl::ToUnixSeconds(Local(absl::CivilMinute(2027, 3, 9, 0, 0))));
  EXPECT_EQ(r.generated_at().seconds(), absl::ToUnixSeconds(kNow));
  EXPECT_EQ(r.participants().value(), 12);
  EXPECT_EQ(r.suppression_threshold(), 5);
}

TEST(ProgramReport, SumsCohortsWhereSomeoneStartedAndTheFunnel) {
  const TallyFields started{{"participants", 6}, {"completed", 5}};
  const TallyFields nobody{};
  const ReportPeriod p{absl::CivilDay(2027, 1, 1), absl::CivilDay(2028, 1, 1)};
  const v1::OutcomeReport r = ProgramReport(kM, "p-1", p, {started, nobody, started},
                                            {{{"referred", 30}}, {}}, Settings(), kNow);
  EXPECT_EQ(r.cohorts(), 2);
  EXPECT_EQ(r.participants().value(), 12);
  EXPECT_EQ(r.program_id(), "p-1");
  EXPECT_TRUE(r.cohort_id().empty());
  EXPECT_TRUE(r.has_funnel());
  EXPECT_EQ(r.from().seconds(), absl::ToUnixSeconds(Local(absl::CivilMinute(2027, 1, 1, 0, 0))));
}

}  // namespace
}  // namespace kpr::outcomes
