#include "services/outcomes/questionnaire_schedule.h"

#include <string>

#include "absl/time/civil_time.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace kpr::outcomes {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;

absl::Time Utc(int y, int m, int d, int hh = 0, int mm = 0) {
  return absl::FromCivil(absl::CivilMinute(y, m, d, hh, mm), absl::UTCTimeZone());
}

void AddSession(v1::CohortRecord& c, int index, const std::string& day, int start_minute,
                bool cancelled = false) {
  v1::SessionRef* s = c.add_sessions();
  s->set_session_id("s-" + std::to_string(index));
  s->set_index(index);
  s->set_day(day);
  s->set_start_minute(start_minute);
  s->set_end_minute(start_minute + 120);
  s->set_cancelled(cancelled);
}

// Sessions given out of order; the first (index 0) and the last (index 12) are cancelled.
v1::CohortRecord Cohort() {
  v1::CohortRecord c;
  c.set_cohort_id("c-1");
  AddSession(c, 12, "2027-05-17", 600, /*cancelled=*/true);
  AddSession(c, 5, "2027-03-29", 600);
  AddSession(c, 1, "2027-03-01", 600);  // 10:00 CET = 09:00 UTC
  AddSession(c, 0, "2027-02-22", 600, /*cancelled=*/true);
  AddSession(c, 11, "2027-05-10", 570);  // 09:30 CEST = 07:30 UTC
  return c;
}

TEST(Schedule, DefaultsAreDanish) {
  const ScheduleOptions o = DefaultScheduleOptions();
  EXPECT_EQ(o.tz.name(), "Europe/Copenhagen");  // the zone database is installed here
  EXPECT_EQ(o.grace, absl::Hours(7 * 24));
  EXPECT_EQ(o.window, absl::Hours(28 * 24));
  EXPECT_EQ(o.followup_window, absl::Hours(42 * 24));
  EXPECT_EQ(ScheduleOptions().tz.name(), "Europe/Copenhagen");
}

TEST(Schedule, InstrumentsAt) {
  EXPECT_THAT(InstrumentsAt(v1::TIME_POINT_BASELINE),
              ElementsAre(v1::INSTRUMENT_WHO5, v1::INSTRUMENT_WORK_ABILITY_INDEX,
                          v1::INSTRUMENT_EMPLOYMENT_STATUS));
  EXPECT_THAT(InstrumentsAt(v1::TIME_POINT_END),
              ElementsAre(v1::INSTRUMENT_WHO5, v1::INSTRUMENT_WORK_ABILITY_INDEX));
  EXPECT_THAT(InstrumentsAt(v1::TIME_POINT_FOLLOWUP_1M),
              ElementsAre(v1::INSTRUMENT_EMPLOYMENT_STATUS, v1::INSTRUMENT_WHO5));
  EXPECT_THAT(InstrumentsAt(v1::TIME_POINT_FOLLOWUP_12M),
              ElementsAre(v1::INSTRUMENT_EMPLOYMENT_STATUS, v1::INSTRUMENT_WHO5));
  EXPECT_THAT(InstrumentsAt(v1::TIME_POINT_UNSPECIFIED), IsEmpty());
}

TEST(TimePointOpens, FromTheFirstAndLastSessionsNotCancelled) {
  const v1::CohortRecord c = Cohort();
  const ScheduleOptions o = DefaultScheduleOptions();
  EXPECT_EQ(TimePointOpens(c, v1::TIME_POINT_BASELINE, o), Utc(2027, 3, 1, 9, 0));
  EXPECT_EQ(TimePointOpens(c, v1::TIME_POINT_END, o), Utc(2027, 5, 10, 7, 30));
  // Midnight local (CEST, UTC+2) on the last day + 1 / 12 months.
  EXPECT_EQ(TimePointOpens(c, v1::TIME_POINT_FOLLOWUP_1M, o), Utc(2027, 6, 9, 22, 0));
  EXPECT_EQ(TimePointOpens(c, v1::TIME_POINT_FOLLOWUP_12M, o), Utc(2028, 5, 9, 22, 0));
  EXPECT_EQ(TimePointOpens(c, v1::TIME_POINT_UNSPECIFIED, o), std::nullopt);
}

TEST(TimePointOpens, ClampsTheDayOfMonth) {
  const ScheduleOptions o = DefaultScheduleOptions();
  auto followup = [&](const std::string& last_day, v1::TimePoint tp) {
    v1::CohortRecord c;
    AddSession(c, 1, last_day, 600);
    return TimePointOpens(c, tp, o);
  };
  auto local_midnight = [&](int y, int m, int d) {
    return absl::FromCivil(absl::CivilDay(y, m, d), o.tz);
  };
  EXPECT_EQ(followup("2027-01-31", v1::TIME_POINT_FOLLOWUP_1M), local_midnight(2027, 2, 28));
  EXPECT_EQ(followup("2028-01-31", v1::TIME_POINT_FOLLOWUP_1M),
            local_midnight(2028, 2, 29));  // leap
  EXPECT_EQ(followup("2027-03-31", v1::TIME_POINT_FOLLOWUP_1M), local_midnight(2027, 4, 30));
  EXPECT_EQ(followup("2027-12-31", v1::TIME_POINT_FOLLOWUP_1M), local_midnight(2028, 1, 31));
  EXPECT_EQ(followup("2028-02-29", v1::TIME_POINT_FOLLOWUP_12M), local_midnight(2029, 2, 28));
  EXPECT_EQ(followup("2027-06-15", v1::TIME_POINT_FOLLOWUP_12M), local_midnight(2028, 6, 15));
}

TEST(TimePointOpens, NothingWithoutUsableSessions) {
  const ScheduleOptions o = DefaultScheduleOptions();
  v1::CohortRecord c;
  EXPECT_EQ(TimePointOpens(c, v1::TIME_POINT_BASELINE, o), std::nullopt);
  AddSession(c, 1, "2027-03-01", 600, /*cancelled=*/true);
  EXPECT_EQ(TimePointOpens(c, v1::TIME_POINT_BASELINE, o), std::nullopt);
  AddSession(c, 2, "1 March", 600);
  EXPECT_EQ(TimePointOpens(c, v1::TIME_POINT_END, o), std::nullopt);
}

TEST(TimePointOpens, UsesTheConfiguredZone) {
  ScheduleOptions o = DefaultScheduleOptions();
  o.tz = absl::UTCTimeZone();
  EXPECT_EQ(TimePointOpens(Cohort(), v1::TIME_POINT_BASELINE, o), Utc(2027, 3, 1, 10, 0));
}

absl::Time Opens() { return Utc(2027, 3, 1, 9, 0); }

TEST(MakeTimePoint, SetsTheWindow) {
  const ScheduleOptions o = DefaultScheduleOptions();
  const v1::TimePointSchedule s = MakeTimePoint("r-1", "c-1", v1::TIME_POINT_BASELINE, Opens(), o);
  EXPECT_EQ(s.referral_id(), "r-1");
  EXPECT_EQ(s.cohort_id(), "c-1");
  EXPECT_EQ(s.time_point(), v1::TIME_POINT_BASELINE);
  EXPECT_EQ(s.state(), v1::TIME_POINT_STATE_SCHEDULED);
  EXPECT_EQ(s.opens_at().seconds(), absl::ToUnixSeconds(Opens()));
  EXPECT_EQ(s.overdue_at().seconds(), absl::ToUnixSeconds(Opens() + absl::Hours(7 * 24)));
  EXPECT_EQ(s.closes_at().seconds(), absl::ToUnixSeconds(Opens() + absl::Hours(28 * 24)));
  EXPECT_THAT(s.instruments(), ElementsAre(v1::INSTRUMENT_WHO5, v1::INSTRUMENT_WORK_ABILITY_INDEX,
                                           v1::INSTRUMENT_EMPLOYMENT_STATUS));
  EXPECT_THAT(s.answered(), IsEmpty());

  const v1::TimePointSchedule f =
      MakeTimePoint("r-1", "c-1", v1::TIME_POINT_FOLLOWUP_12M, Opens(), o);
  EXPECT_EQ(f.closes_at().seconds(), absl::ToUnixSeconds(Opens() + absl::Hours(42 * 24)));
  EXPECT_THAT(f.instruments(), ElementsAre(v1::INSTRUMENT_EMPLOYMENT_STATUS, v1::INSTRUMENT_WHO5));
}

TEST(StateAt, WalksThroughTheWindow) {
  v1::TimePointSchedule s =
      MakeTimePoint("r-1", "c-1", v1::TIME_POINT_END, Opens(), DefaultScheduleOptions());
  const absl::Time overdue = Opens() + absl::Hours(7 * 24);
  const absl::Time closes = Opens() + absl::Hours(28 * 24);
  EXPECT_EQ(StateAt(s, Opens() - absl::Seconds(1)), v1::TIME_POINT_STATE_SCHEDULED);
  EXPECT_EQ(StateAt(s, Opens()), v1::TIME_POINT_STATE_DUE);
  EXPECT_EQ(StateAt(s, overdue - absl::Seconds(1)), v1::TIME_POINT_STATE_DUE);
  EXPECT_EQ(StateAt(s, overdue), v1::TIME_POINT_STATE_OVERDUE);
  s.add_answered(v1::INSTRUMENT_WHO5);  // one of two: still owed
  EXPECT_EQ(StateAt(s, overdue), v1::TIME_POINT_STATE_OVERDUE);
  EXPECT_EQ(StateAt(s, Opens()), v1::TIME_POINT_STATE_DUE);
  s.add_answered(v1::INSTRUMENT_WORK_ABILITY_INDEX);
  EXPECT_EQ(StateAt(s, Opens()), v1::TIME_POINT_STATE_ANSWERED);
  EXPECT_EQ(StateAt(s, overdue), v1::TIME_POINT_STATE_ANSWERED);
  EXPECT_EQ(StateAt(s, closes - absl::Seconds(1)), v1::TIME_POINT_STATE_ANSWERED);
  EXPECT_EQ(StateAt(s, closes), v1::TIME_POINT_STATE_CLOSED);
  EXPECT_EQ(StateAt(s, Opens() - absl::Seconds(1)), v1::TIME_POINT_STATE_SCHEDULED);
}

TEST(CheckSubmission, AcceptsWithinTheWindowOnly) {
  const ScheduleOptions o = DefaultScheduleOptions();
  const v1::CohortRecord c = Cohort();
  v1::TimePointSchedule base = MakeTimePoint("r-1", "c-1", v1::TIME_POINT_BASELINE,
                                             *TimePointOpens(c, v1::TIME_POINT_BASELINE, o), o);
  EXPECT_TRUE(CheckSubmission(base, v1::INSTRUMENT_WHO5, Opens()).ok());
  base.add_answered(v1::INSTRUMENT_WHO5);  // a resubmission replaces until the close
  EXPECT_TRUE(CheckSubmission(base, v1::INSTRUMENT_WHO5, Opens() + absl::Hours(27 * 24)).ok());
  // 2027-03-01 09:00 UTC + 28 days = 2027-03-29 09:00 UTC (11:00 CEST).
  EXPECT_EQ(CheckSubmission(base, v1::INSTRUMENT_WHO5, Opens() + absl::Hours(28 * 24)),
            absl::FailedPreconditionError("TIME_POINT_BASELINE closed on 2027-03-29"));

  const v1::TimePointSchedule f1 =
      MakeTimePoint("r-1", "c-1", v1::TIME_POINT_FOLLOWUP_1M,
                    *TimePointOpens(c, v1::TIME_POINT_FOLLOWUP_1M, o), o);
  // Opens 2027-06-09 22:00 UTC: the local date is the 10th.
  EXPECT_EQ(CheckSubmission(f1, v1::INSTRUMENT_EMPLOYMENT_STATUS, Utc(2027, 6, 9, 21, 59)),
            absl::FailedPreconditionError("TIME_POINT_FOLLOWUP_1M opens 2027-06-10"));
  EXPECT_TRUE(CheckSubmission(f1, v1::INSTRUMENT_EMPLOYMENT_STATUS, Utc(2027, 6, 9, 22, 0)).ok());
  EXPECT_EQ(CheckSubmission(f1, v1::INSTRUMENT_EMPLOYMENT_STATUS, Utc(2027, 6, 9, 21, 59),
                            absl::UTCTimeZone()),
            absl::FailedPreconditionError("TIME_POINT_FOLLOWUP_1M opens 2027-06-09"));
}

TEST(CheckSubmission, InstrumentMustBeAskedAtTheTimePoint) {
  const v1::TimePointSchedule f1 =
      MakeTimePoint("r-1", "c-1", v1::TIME_POINT_FOLLOWUP_1M, Opens(), DefaultScheduleOptions());
  EXPECT_EQ(CheckSubmission(f1, v1::INSTRUMENT_WORK_ABILITY_INDEX, Opens()),
            absl::InvalidArgumentError(
                "instrument: INSTRUMENT_WORK_ABILITY_INDEX is not asked at TIME_POINT_FOLLOWUP_1M"));
  // The argument is wrong whenever it comes, so it is named before the window.
  EXPECT_EQ(CheckSubmission(f1, v1::INSTRUMENT_WORK_ABILITY_INDEX, Opens() - absl::Hours(1)).code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(CheckSubmission(f1, v1::INSTRUMENT_UNSPECIFIED, Opens()),
            absl::InvalidArgumentError("instrument: missing"));
  const v1::TimePointSchedule end =
      MakeTimePoint("r-1", "c-1", v1::TIME_POINT_END, Opens(), DefaultScheduleOptions());
  EXPECT_EQ(
      CheckSubmission(end, v1::INSTRUMENT_EMPLOYMENT_STATUS, Opens()),
      absl::InvalidArgumentError("instrument: INSTRUMENT_EMPLOYMENT_STATUS is not asked at TIME_POINT_END"));
}

}  // namespace
}  // namespace kpr::outcomes
