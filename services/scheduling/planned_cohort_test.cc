#include "services/scheduling/planned_cohort.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "kpr/scheduling/v1/events.pb.h"
#include "services/scheduling/outbox_event_testing.h"

namespace kpr::scheduling {
namespace {

using ::testing::ElementsAre;
using testing::Ids;
using ::testing::MatchesRegex;
using testing::Payload;
using testing::TestStamp;

TEST(CohortIdTest, StableReadableAndOnePerRequest) {
  const std::string id = CohortIdFor("0165", "sund-med-kultur", 2027, 9, "req-1");
  EXPECT_THAT(id, MatchesRegex("0165-sund-med-kultur-2027w09-[0-9a-f]{8}"));
  EXPECT_EQ(id, CohortIdFor("0165", "sund-med-kultur", 2027, 9, "req-1"));
  EXPECT_NE(id, CohortIdFor("0165", "sund-med-kultur", 2027, 9, "req-2"));
  // Long program ids are cut to 24 characters.
  EXPECT_THAT(CohortIdFor("0165", std::string(40, 'p'), 2027, 12, "r"),
              MatchesRegex("0165-p{24}-2027w12-[0-9a-f]{8}"));
  EXPECT_EQ(SessionIdFor("c", 0), "c-s01");
  EXPECT_EQ(SessionIdFor("c", 11), "c-s12");
}

class PlannedCohortTest : public ::testing::Test {
 protected:
  PlannedCohortTest() {
    program_.name = "Sund med Kultur";
    program_.min_cohort_size = 6;
    program_.max_cohort_size = 14;
    for (int i = 0; i < 2; ++i) {
      PlannedSession s;
      s.index = i;
      s.week_index = i;
      s.activity_id = "act";
      s.day = absl::CivilDay(2027, 3, 2) + 7 * i;
      s.time = MinuteSpan{9 * 60, 11 * 60};
      s.institution_id = "musik";
      s.venue_id = "musik-v1";
      s.instructor_id = "musik-i1";
      plan_.sessions.push_back(s);
    }
    plan_.score = 2.5;
    cohort_.cohort_id = "c1";
    cohort_.request_id = "req-1";
    cohort_.program_id = "smk";
    cohort_.start_iso_year = 2027;
    cohort_.start_iso_week = 9;
    cohort_.opens_at = absl::FromUnixSeconds(1'790'000'000);
  }
  ProgramModel program_;
  Plan plan_;
  NewCohort cohort_;
};

TEST_F(PlannedCohortTest, TheCohortItsSessionsTheirEventsAndItsTimers) {
  CohortCommit commit = PlannedCohortCommit(cohort_, program_, plan_, TestStamp());
  EXPECT_EQ(commit.request_id, "req-1");
  const v1::Cohort& c = commit.cohort;
  EXPECT_EQ(c.municipality(), "0165");
  EXPECT_EQ(c.status(), v1::COHORT_STATUS_PLANNED);
  EXPECT_EQ(c.name(), "Sund med Kultur 2027-W09");
  EXPECT_EQ(c.capacity(), 14);  // the program's largest cohort when none was asked for
  EXPECT_EQ(c.min_size(), 6);
  EXPECT_EQ(c.score(), 2.5);
  EXPECT_EQ(c.first_day(), "2027-03-02");
  EXPECT_EQ(c.last_day(), "2027-03-09");
  EXPECT_EQ(c.session_count(), 2);
  EXPECT_EQ(c.created_at().seconds(), absl::ToUnixSeconds(TestStamp().at));
  EXPECT_EQ(c.opens_at().seconds(), 1'790'000'000);
  ASSERT_EQ(commit.sessions.size(), 2u);
  EXPECT_EQ(commit.sessions[1].session_id(), "c1-s02");
  EXPECT_EQ(commit.sessions[1].cohort_id(), "c1");

  EXPECT_THAT(Ids(commit.events),
              ElementsAre("c1:planned", "c1-s01:v1:scheduled", "c1-s02:v1:scheduled"));
  EXPECT_EQ(commit.events[0].subject, "kpr.scheduling.v1.cohort_planned.0165");
  EXPECT_EQ(Payload<v1::CohortPlanned>(commit.events[0]).sessions_size(), 2);
  EXPECT_EQ(Payload<v1::SessionScheduled>(commit.events[2]).session().version(), 1);

  std::vector<std::string> timers;
  for (const auto& t : commit.timers) timers.push_back(t.id);
  EXPECT_THAT(timers, ElementsAre(StartTimerId("c1"), CompleteTimerId("c1"), OpenTimerId("c1")));
  EXPECT_EQ(commit.timers[2].due, cohort_.opens_at);
}

TEST_F(PlannedCohortTest, AskedForNameAndCapacityWin) {
  cohort_.name = "Forår på Musikskolen";
  cohort_.capacity = 8;
  CohortCommit commit = PlannedCohortCommit(cohort_, program_, plan_, TestStamp());
  EXPECT_EQ(commit.cohort.name(), "Forår på Musikskolen");
  EXPECT_EQ(commit.cohort.capacity(), 8);
}

}  // namespace
}  // namespace kpr::scheduling
