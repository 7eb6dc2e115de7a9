#include "services/scheduling/session_reschedule.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "libs/calendar/civil_day.h"
#include "services/scheduling/planner_test_world.h"

namespace kpr::scheduling {
namespace {

using ::testing::HasSubstr;
using testing::Hm;

class RescheduledSessionTest : public ::testing::Test {
 protected:
  RescheduledSessionTest() {
    testing::InstitutionSpec musik;
    musik.id = "musik";
    musik.name = "Musikskolen";
    musik.venues = 2;
    world_ = testing::WorldBuilder().Institution(musik).Build();
    program_ = testing::Program("p", {"musik"}, 2, 1, 2);
    timetable_ = {Session(0, "2027-03-02"), Session(1, "2027-03-05")};
    req_.set_municipality("0999");
    req_.set_session_id("c1-s01");
    req_.set_reason("the hall is being painted");
  }

  static v1::Session Session(int index, const std::string& day) {
    v1::Session s;
    s.set_municipality("0999");
    s.set_cohort_id("c1");
    s.set_session_id(absl::StrCat("c1-s0", index + 1));
    s.set_index(index);
    s.set_week_index(0);
    s.set_activity_id("act-musik");
    s.set_day(day);
    s.set_start_minute(Hm(9));
    s.set_end_minute(Hm(11));
    s.set_institution_id("musik");
    s.set_venue_id("musik-v1");
    s.set_instructor_id("musik-i1");
    s.set_status(v1::SESSION_STATUS_SCHEDULED);
    s.set_version(2);
    return s;
  }

  absl::StatusOr<v1::Session> Reschedule(absl::CivilMinute now = absl::CivilMinute(2027, 3, 1)) {
    RescheduleWorld in{&world_, &others_, &program_, 10, ScoreWeights()};
    return RescheduledSession(in, req_, timetable_[0], timetable_, now);
  }

  PlanningWorld world_;
  ProgramModel program_;
  Occupancy others_;
  std::vector<v1::Session> timetable_;
  v1::RescheduleSessionRequest req_;
};

TEST_F(RescheduledSessionTest, ToTheNamedDayStartAndVenue) {
  req_.set_day("2027-03-04");
  req_.set_start_minute(Hm(10));
  req_.set_venue_id("musik-v2");
  auto s = Reschedule();
  ASSERT_TRUE(s.ok()) << s.status();
  EXPECT_EQ(s->day(), "2027-03-04");
  EXPECT_EQ(s->start_minute(), Hm(10));
  EXPECT_EQ(s->end_minute(), Hm(12));  // the activity's duration
  EXPECT_EQ(s->venue_id(), "musik-v2");
  EXPECT_EQ(s->institution_id(), "musik");
  EXPECT_EQ(s->instructor_id(), "musik-i1");
  EXPECT_EQ(s->session_id(), "c1-s01");
  EXPECT_EQ(s->cohort_id(), "c1");
  EXPECT_EQ(s->index(), 0);
  EXPECT_EQ(s->version(), 2);  // the version read: the store checks it
  EXPECT_EQ(s->change_reason(), "the hall is being painted");
}

TEST_F(RescheduledSessionTest, NotOntoADayTheCohortMeetsNorABookedVenue) {
  req_.set_day("2027-03-05");
  req_.set_start_minute(Hm(9));
  auto s = Reschedule();
  EXPECT_EQ(s.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(s.status().message(),
              HasSubstr("weekly_rhythm (another session of the cohort that day)"));

  others_.Add(testing::Hold("musik", "musik-v1", "", absl::CivilDay(2027, 3, 4), Hm(9), Hm(12)));
  req_.set_day("2027-03-04");
  s = Reschedule();
  EXPECT_EQ(s.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(s.status().message(), HasSubstr("the new slot breaks: venue_booked"));
}

TEST_F(RescheduledSessionTest, RefusesThePastAnUnknownVenueAndAStartOutOfTheDay) {
  req_.set_day("2027-03-04");
  req_.set_start_minute(Hm(9));
  EXPECT_EQ(Reschedule(absl::CivilMinute(2027, 3, 4, 10, 0)).status(),
            absl::InvalidArgumentError("day: in the past"));
  req_.set_venue_id("nowhere");
  EXPECT_EQ(Reschedule().status().code(), absl::StatusCode::kNotFound);
  req_.clear_venue_id();
  req_.set_start_minute(Hm(23));
  EXPECT_EQ(Reschedule().status(), absl::InvalidArgumentError("start_minute: out of the day"));
  req_.set_day("4 March");
  EXPECT_EQ(Reschedule().status(), absl::InvalidArgumentError("day: YYYY-MM-DD"));
}

TEST_F(RescheduledSessionTest, WithoutADayTheBestFreeSlotInTheSessionsWeek) {
  auto s = Reschedule();
  ASSERT_TRUE(s.ok()) << s.status();
  auto day = calendar::ParseDay(s->day());
  ASSERT_TRUE(day.ok());
  EXPECT_GE(*day, absl::CivilDay(2027, 3, 1));
  EXPECT_LE(*day, absl::CivilDay(2027, 3, 7));
  EXPECT_NE(s->day(), "2027-03-05");  // the cohort meets then
  EXPECT_FALSE(s->day() == "2027-03-02" && s->start_minute() == Hm(9) &&
               s->venue_id() == "musik-v1" && s->instructor_id() == "musik-i1");
  EXPECT_EQ(s->change_reason(), "the hall is being painted");
}

}  // namespace
}  // namespace kpr::scheduling
