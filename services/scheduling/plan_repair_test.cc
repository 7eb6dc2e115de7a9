// RepairCohort and FindSlotInWeek: only what broke moves, within its own ISO week, never into
// the past, and what cannot move is reported with a reason.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <set>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "libs/calendar/iso_week.h"
#include "services/scheduling/cohort_planner.h"
#include "services/scheduling/planner_test_world.h"

namespace kpr::scheduling {
namespace {

using ::testing::ElementsAre;
using ::testing::ElementsAreArray;
using ::testing::HasSubstr;
using testing::Hm;
using ::testing::IsEmpty;
using testing::Program;
using testing::WorldBuilder;

constexpr absl::CivilDay kW10(2026, 3, 2);  // Monday of ISO 2026-W10, the course's first week
const absl::CivilMinute kBeforeCourse = absl::CivilMinute(kW10 - 7);

void ExpectSameSession(const PlannedSession& a, const PlannedSession& b) {
  EXPECT_EQ(a.index, b.index);
  EXPECT_EQ(a.week_index, b.week_index);
  EXPECT_EQ(a.activity_id, b.activity_id);
  EXPECT_EQ(a.day, b.day);
  EXPECT_EQ(a.time, b.time);
  EXPECT_EQ(a.institution_id, b.institution_id);
  EXPECT_EQ(a.venue_id, b.venue_id);
  EXPECT_EQ(a.instructor_id, b.instructor_id);
}

const PlannedSession* ByIndex(const std::vector<PlannedSession>& sessions, int index) {
  for (const PlannedSession& s : sessions) {
    if (s.index == index) return &s;
  }
  return nullptr;
}

absl::CivilDay MondayOf(absl::CivilDay day) { return day - WeekdayIndex(day); }

// Three institutions with two rooms and two instructors each; a cohort of six weeks, two
// sessions a week, already planned (the repair tests change the world under it).
class RepairTest : public ::testing::Test {
 protected:
  void SetUp() override {
    WorldBuilder b;
    for (auto [id, name] :
         {std::pair{"musik", "Musikskolen"}, {"billed", "Billedskolen"}, {"bib", "Biblioteket"}}) {
      testing::InstitutionSpec spec{id, name};
      spec.venues = 2;
      spec.instructors = 2;
      b.Institution(spec);
    }
    world_ = b.Build();
    program_ = Program("p", {"musik", "billed", "bib"}, 6, 1, 2);
    const PlanOutcome out = PlanCohort(
        world_, none_, PlanRequest{&program_, 2026, 10, 15, absl::CivilDay(2026, 1, 1), "c"});
    ASSERT_TRUE(out.plan.has_value());
    plan_ = out.plan->sessions;
    ASSERT_EQ(plan_.size(), 12u);
  }

  RepairOutcome Repair(absl::CivilMinute now) {
    return RepairCohort(world_, none_, RepairRequest{&program_, 15, plan_, now});
  }

  // Every session of `out` either equals the original or is in `moved`; moved ones kept their
  // activity and ISO week and break nothing now.
  void ExpectOnlyMovedChanged(const RepairOutcome& out) {
    ASSERT_EQ(out.sessions.size(), plan_.size());
    const std::set<int> moved(out.moved.begin(), out.moved.end());
    for (const PlannedSession& before : plan_) {
      SCOPED_TRACE(absl::StrCat("session ", before.index));
      const PlannedSession* after = ByIndex(out.sessions, before.index);
      ASSERT_NE(after, nullptr);
      if (moved.count(before.index) == 0) {
        ExpectSameSession(*after, before);
        continue;
      }
      EXPECT_EQ(after->activity_id, before.activity_id);
      EXPECT_EQ(after->week_index, before.week_index);
      EXPECT_EQ(calendar::IsoWeekLabel(after->day), calendar::IsoWeekLabel(before.day));
      EXPECT_THAT(SessionViolations(world_, none_, program_, 15, *after), IsEmpty());
    }
    // Still one session a day, ordered by day.
    for (size_t i = 1; i < out.sessions.size(); ++i) {
      EXPECT_LT(out.sessions[i - 1].day, out.sessions[i].day);
    }
  }

  PlanningWorld world_;
  ProgramModel program_;
  Occupancy none_;
  std::vector<PlannedSession> plan_;
};

TEST_F(RepairTest, NothingBrokenNothingMoves) {
  const RepairOutcome out = Repair(kBeforeCourse);
  EXPECT_THAT(out.moved, IsEmpty());
  EXPECT_THAT(out.unplaceable, IsEmpty());
  EXPECT_EQ(out.past_untouched, 0);
  ExpectOnlyMovedChanged(out);
}

TEST_F(RepairTest, VenueClosureInWeekThreeMovesOnlyThatWeeksSessionsThere) {
  const PlannedSession& victim = plan_[4];  // course week 3 (index 2)
  ASSERT_EQ(victim.week_index, 2);
  const absl::CivilDay monday = MondayOf(victim.day);
  testing::MutableVenue(world_, victim.venue_id)->closures = {{monday, monday + 6, "Vandskade"}};
  std::vector<int> expected;
  for (const PlannedSession& s : plan_) {
    if (s.venue_id == victim.venue_id && MondayOf(s.day) == monday) expected.push_back(s.index);
  }

  const RepairOutcome out = Repair(kBeforeCourse);
  EXPECT_THAT(out.moved, ElementsAreArray(expected));
  EXPECT_THAT(out.unplaceable, IsEmpty());
  EXPECT_EQ(out.past_untouched, 0);
  ExpectOnlyMovedChanged(out);
  for (int index : expected) {
    const PlannedSession& before = *ByIndex(plan_, index);
    const PlannedSession& after = *ByIndex(out.sessions, index);
    EXPECT_NE(after.venue_id, victim.venue_id);
    // The other room of the same institution is free: nothing else needs to change.
    EXPECT_EQ(after.day, before.day);
    EXPECT_EQ(after.time, before.time);
    EXPECT_EQ(after.institution_id, before.institution_id);
    EXPECT_EQ(after.instructor_id, before.instructor_id);
  }
}

TEST_F(RepairTest, InstructorAbsenceMovesOnlyThatInstructorsFutureSessions) {
  const std::string absent = plan_[2].instructor_id;  // teaches in course week 2
  // Away in course weeks 2-4; the repair runs at the start of week 3, so week 2 is history.
  testing::MutableInstructor(world_, absent)->absences = {{kW10 + 7, kW10 + 27, "Orlov"}};
  const absl::CivilMinute now = absl::CivilMinute(kW10 + 14);
  int past = 0;
  std::vector<int> expected;
  for (const PlannedSession& s : plan_) {
    if (s.instructor_id != absent || s.day < kW10 + 7 || s.day > kW10 + 27) continue;
    if (s.day < kW10 + 14) {
      ++past;
    } else {
      expected.push_back(s.index);
    }
  }
  ASSERT_GT(past, 0);
  ASSERT_FALSE(expected.empty());

  const RepairOutcome out = Repair(now);
  EXPECT_EQ(out.past_untouched, past);
  EXPECT_THAT(out.moved, ElementsAreArray(expected));
  EXPECT_THAT(out.unplaceable, IsEmpty());
  ExpectOnlyMovedChanged(out);
  for (int index : expected) {
    const PlannedSession& after = *ByIndex(out.sessions, index);
    EXPECT_NE(after.instructor_id, absent);
    EXPECT_GE(absl::CivilMinute(after.day) + after.time.start, now);
  }
}

TEST_F(RepairTest, PastSessionsNeverMove) {
  // Every room of every institution closes for the whole course, but it is all over already.
  for (VenueModel& v : world_.venues) v.closures = {{kW10, kW10 + 60, "Lukket"}};
  const RepairOutcome out = Repair(absl::CivilMinute(kW10 + 70));
  EXPECT_EQ(out.past_untouched, 12);
  EXPECT_THAT(out.moved, IsEmpty());
  EXPECT_THAT(out.unplaceable, IsEmpty());
  ExpectOnlyMovedChanged(out);
}

TEST_F(RepairTest, SessionWithoutAnyFreeSlotIsReportedWithItsReason) {
  const PlannedSession victim = plan_[6];  // course week 4
  const absl::CivilDay monday = MondayOf(victim.day);
  // Both rooms of its institution are closed all that week; the activity has no other host.
  for (VenueModel& v : world_.venues) {
    if (v.institution_id == victim.institution_id) v.closures = {{monday, monday + 6, "Vandskade"}};
  }
  const RepairOutcome out = Repair(kBeforeCourse);
  ExpectOnlyMovedChanged(out);
  ASSERT_FALSE(out.unplaceable.empty());
  const auto it = std::find_if(out.unplaceable.begin(), out.unplaceable.end(),
                               [&](const auto& u) { return u.first == victim.index; });
  ASSERT_NE(it, out.unplaceable.end());
  const Obstacle& o = it->second;
  EXPECT_EQ(o.constraint, HardConstraint::kClosed);
  EXPECT_EQ(o.institution_id, victim.institution_id);
  EXPECT_THAT(o.weeks, ElementsAre(calendar::IsoWeekLabel(victim.day)));
  EXPECT_THAT(o.message, HasSubstr("has no free slot in " + calendar::IsoWeekLabel(victim.day)));
  EXPECT_THAT(o.message, HasSubstr("is closed (Vandskade) Monday-Friday"));
  // Unplaceable sessions stay as they were: the caller cancels them.
  ExpectSameSession(*ByIndex(out.sessions, victim.index), victim);
  EXPECT_THAT(out.moved, ::testing::Not(::testing::Contains(victim.index)));
}

TEST(Repair, FixedFirstSessionStaysFirst) {
  testing::InstitutionSpec sund{"sund", "Sundhedshuset"};
  sund.venues = 2;
  const PlanningWorld base = WorldBuilder()
                                 .Institution(sund)
                                 .Institution("musik", "Musikskolen")
                                 .Institution("billed", "Billedskolen")
                                 .Build();
  const ProgramModel program =
      testing::WithFixedEnds(Program("p", {"musik", "billed"}, 3, 2, 2), "sund");
  Occupancy none;
  const PlanOutcome planned =
      PlanCohort(base, none, PlanRequest{&program, 2026, 10, 15, absl::CivilDay(2026, 1, 1), "c"});
  ASSERT_TRUE(planned.plan.has_value());
  const std::vector<PlannedSession>& plan = planned.plan->sessions;
  ASSERT_EQ(plan[0].activity_id, "intro");
  // Sundhedshuset closes on the intro's day: the intro moves to another day of that week, still
  // before every other session.
  PlanningWorld world = base;
  for (VenueModel& v : world.venues) {
    if (v.institution_id == "sund") v.closures = {{plan[0].day, plan[0].day, "Personaledag"}};
  }
  const RepairOutcome out =
      RepairCohort(world, none, RepairRequest{&program, 15, plan, kBeforeCourse});
  ASSERT_THAT(out.moved, ElementsAre(0));
  const PlannedSession& intro = *ByIndex(out.sessions, 0);
  EXPECT_NE(intro.day, plan[0].day);
  EXPECT_EQ(calendar::IsoWeekLabel(intro.day), calendar::IsoWeekLabel(plan[0].day));
  EXPECT_EQ(out.sessions.front().index, 0);
  for (const PlannedSession& s : out.sessions) {
    if (s.index != 0) {
      EXPECT_LT(intro.day, s.day);
    }
  }
}

TEST_F(RepairTest, FindSlotInWeekOffersAnotherFreeSlot) {
  const PlannedSession session = plan_[3];
  std::vector<PlannedSession> siblings;
  for (const PlannedSession& s : plan_) {
    if (s.index != session.index) siblings.push_back(s);
  }
  const SlotChoice choice =
      FindSlotInWeek(world_, none_, program_, 15, session, siblings, kBeforeCourse);
  ASSERT_TRUE(choice.session.has_value());
  EXPECT_FALSE(choice.obstacle.has_value());
  const PlannedSession& s = *choice.session;
  EXPECT_EQ(s.index, session.index);
  EXPECT_EQ(s.activity_id, session.activity_id);
  EXPECT_EQ(s.week_index, session.week_index);
  EXPECT_EQ(calendar::IsoWeekLabel(s.day), calendar::IsoWeekLabel(session.day));
  EXPECT_FALSE(s.day == session.day && s.time == session.time && s.venue_id == session.venue_id &&
               s.instructor_id == session.instructor_id)
      << "a reschedule without a target must offer something else";
  for (const PlannedSession& sibling : siblings) EXPECT_NE(sibling.day, s.day);
  EXPECT_THAT(SessionViolations(world_, none_, program_, 15, s), IsEmpty());
}

TEST_F(RepairTest, FindSlotInWeekExplainsAFullWeek) {
  const PlannedSession session = plan_[3];
  std::vector<PlannedSession> siblings;
  for (const PlannedSession& s : plan_) {
    if (s.index != session.index) siblings.push_back(s);
  }
  // Every other room of the hosts is closed that week, and its own room too.
  const absl::CivilDay monday = MondayOf(session.day);
  const ActivityModel* activity = program_.FindActivity(session.activity_id);
  for (VenueModel& v : world_.venues) {
    if (std::find(activity->institution_ids.begin(), activity->institution_ids.end(),
                  v.institution_id) != activity->institution_ids.end()) {
      v.closures = {{monday, monday + 6, "Flytning"}};
    }
  }
  const SlotChoice choice =
      FindSlotInWeek(world_, none_, program_, 15, session, siblings, kBeforeCourse);
  EXPECT_FALSE(choice.session.has_value());
  ASSERT_TRUE(choice.obstacle.has_value());
  EXPECT_EQ(choice.obstacle->constraint, HardConstraint::kClosed);
  EXPECT_EQ(choice.obstacle->institution_id, session.institution_id);
  EXPECT_THAT(choice.obstacle->weeks, ElementsAre(calendar::IsoWeekLabel(session.day)));
  EXPECT_THAT(choice.obstacle->message, HasSubstr("Flytning"));
}

TEST_F(RepairTest, FindSlotInWeekNeverOffersThePast) {
  const PlannedSession session = plan_[3];
  std::vector<PlannedSession> siblings;
  for (const PlannedSession& s : plan_) {
    if (s.index != session.index) siblings.push_back(s);
  }
  // "Now" is Thursday noon of the session's week: a two-hour session in 09-13 fits only on
  // Friday.
  const absl::CivilMinute now = absl::CivilMinute(MondayOf(session.day) + 3) + Hm(12);
  const SlotChoice choice = FindSlotInWeek(world_, none_, program_, 15, session, siblings, now);
  ASSERT_TRUE(choice.session.has_value());
  EXPECT_EQ(choice.session->day, MondayOf(session.day) + 4);
  // Friday taken too: nothing left that week.
  PlannedSession friday = session;
  friday.index = 99;
  friday.day = MondayOf(session.day) + 4;
  siblings.push_back(friday);
  const SlotChoice none = FindSlotInWeek(world_, none_, program_, 15, session, siblings, now);
  EXPECT_FALSE(none.session.has_value());
  ASSERT_TRUE(none.obstacle.has_value());
  EXPECT_THAT(none.obstacle->weeks, ElementsAre(calendar::IsoWeekLabel(session.day)));
  EXPECT_THAT(none.obstacle->message, HasSubstr("sessions cannot start before 2026-03-12"));
  EXPECT_THAT(none.obstacle->message,
              HasSubstr("Tuesday and Friday are taken by the cohort's other sessions"));
}

}  // namespace
}  // namespace kpr::scheduling
