#include "services/scheduling/planning_model.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <vector>

#include "absl/strings/str_cat.h"
#include "services/scheduling/planner_test_world.h"

namespace kpr::scheduling {
namespace {

using ::testing::ElementsAre;
using testing::Hm;
using ::testing::IsEmpty;

constexpr absl::CivilDay kMonday(2026, 3, 2);  // ISO 2026-W10

TEST(MinuteSpan, OverlapsAndContains) {
  const MinuteSpan morning{Hm(9), Hm(11)};
  EXPECT_TRUE(morning.Overlaps({Hm(10), Hm(12)}));
  EXPECT_TRUE(morning.Overlaps({Hm(8), Hm(9, 1)}));
  // Back to back is not an overlap: a session may start when the previous one ends.
  EXPECT_FALSE(morning.Overlaps({Hm(11), Hm(13)}));
  EXPECT_FALSE(morning.Overlaps({Hm(7), Hm(9)}));
  EXPECT_TRUE(morning.Contains({Hm(9), Hm(11)}));
  EXPECT_TRUE(morning.Contains({Hm(9, 30), Hm(10)}));
  EXPECT_FALSE(morning.Contains({Hm(8, 30), Hm(10)}));
  EXPECT_FALSE(morning.Contains({Hm(10), Hm(11, 30)}));
}

TEST(PlanningModel, WeekdayIndexIsMondayZero) {
  EXPECT_EQ(WeekdayIndex(kMonday), 0);
  EXPECT_EQ(WeekdayIndex(kMonday + 3), 3);
  EXPECT_EQ(WeekdayIndex(kMonday + 6), 6);
  EXPECT_EQ(WeekdayIndex(absl::CivilDay(2027, 1, 1)), 4);  // a Friday
}

TEST(PlanningModel, WithinWeeklyChecksTheDaysSpans) {
  WeeklySpans hours;
  hours[0] = {{Hm(9), Hm(12)}, {Hm(13), Hm(16)}};
  EXPECT_TRUE(WithinWeekly(hours, kMonday, {Hm(9), Hm(12)}));
  EXPECT_TRUE(WithinWeekly(hours, kMonday, {Hm(13), Hm(15)}));
  // Across the lunch break is in neither span.
  EXPECT_FALSE(WithinWeekly(hours, kMonday, {Hm(11), Hm(14)}));
  // Tuesday has no hours at all.
  EXPECT_FALSE(WithinWeekly(hours, kMonday + 1, {Hm(9), Hm(10)}));
}

TEST(PlanningModel, InAnyPeriodIsInclusive) {
  const std::vector<ClosedPeriod> periods = {{kMonday, kMonday + 2, "Renovering"},
                                             {kMonday + 10, kMonday + 10, "Studiedag"}};
  EXPECT_FALSE(InAnyPeriod(periods, kMonday - 1));
  EXPECT_TRUE(InAnyPeriod(periods, kMonday));
  EXPECT_TRUE(InAnyPeriod(periods, kMonday + 2));
  EXPECT_FALSE(InAnyPeriod(periods, kMonday + 3));
  EXPECT_TRUE(InAnyPeriod(periods, kMonday + 10));
  EXPECT_FALSE(InAnyPeriod({}, kMonday));
}

TEST(PlanningModel, FindsById) {
  const PlanningWorld world = testing::WorldBuilder()
                                  .Institution("musik", "Musikskolen")
                                  .Institution("bib", "Biblioteket")
                                  .Build();
  ASSERT_NE(world.FindInstitution("bib"), nullptr);
  EXPECT_EQ(world.FindInstitution("bib")->name, "Biblioteket");
  EXPECT_EQ(world.FindInstitution("museum"), nullptr);
  ASSERT_NE(world.FindVenue("musik-v1"), nullptr);
  EXPECT_EQ(world.FindVenue("musik-v1")->institution_id, "musik");
  EXPECT_EQ(world.FindVenue("musik-v2"), nullptr);
  ASSERT_NE(world.FindInstructor("bib-i1"), nullptr);
  EXPECT_EQ(world.FindInstructor("bib-i2"), nullptr);

  const ProgramModel program = testing::Program("p", {"musik", "bib"}, 4, 1, 2);
  ASSERT_NE(program.FindActivity("act-bib"), nullptr);
  EXPECT_EQ(program.FindActivity("act-bib")->institution_ids, std::vector<std::string>{"bib"});
  EXPECT_EQ(program.FindActivity("act-museum"), nullptr);
}

Booking MakeBooking(std::string cohort, absl::CivilDay day, MinuteSpan time, std::string inst,
                    std::string venue, std::string instructor) {
  static int n = 0;
  return Booking{absl::StrCat("s", ++n), cohort, day, time, inst, venue, instructor};
}

TEST(Occupancy, FindsConflictsByVenueAndByInstructorOnTheDay) {
  Occupancy occ;
  occ.Add(MakeBooking("c1", kMonday, {Hm(9), Hm(11)}, "musik", "musik-v1", "musik-i1"));
  EXPECT_EQ(occ.size(), 1u);

  const Booking* hit = occ.VenueConflict("musik-v1", kMonday, {Hm(10), Hm(12)});
  ASSERT_NE(hit, nullptr);
  EXPECT_EQ(hit->cohort_id, "c1");
  EXPECT_NE(occ.InstructorConflict("musik-i1", kMonday, {Hm(8), Hm(9, 30)}), nullptr);
  // Back to back, another day, another venue or instructor: no conflict.
  EXPECT_EQ(occ.VenueConflict("musik-v1", kMonday, {Hm(11), Hm(13)}), nullptr);
  EXPECT_EQ(occ.VenueConflict("musik-v1", kMonday + 1, {Hm(9), Hm(11)}), nullptr);
  EXPECT_EQ(occ.VenueConflict("musik-v2", kMonday, {Hm(9), Hm(11)}), nullptr);
  EXPECT_EQ(occ.InstructorConflict("musik-i2", kMonday, {Hm(9), Hm(11)}), nullptr);
  // A venue id is not an instructor id.
  EXPECT_EQ(occ.InstructorConflict("musik-v1", kMonday, {Hm(9), Hm(11)}), nullptr);
}

TEST(Occupancy, ListsBusyTimesOfADay) {
  Occupancy occ;
  occ.Add(MakeBooking("c1", kMonday, {Hm(9), Hm(11)}, "musik", "musik-v1", "musik-i1"));
  occ.Add(MakeBooking("c2", kMonday, {Hm(13), Hm(15)}, "musik", "musik-v1", "musik-i2"));
  occ.Add(MakeBooking("c2", kMonday + 1, {Hm(9), Hm(11)}, "musik", "musik-v1", "musik-i1"));
  std::vector<MinuteSpan> busy;
  occ.VenueBusy("musik-v1", kMonday, &busy);
  EXPECT_THAT(busy, ElementsAre(MinuteSpan{Hm(9), Hm(11)}, MinuteSpan{Hm(13), Hm(15)}));
  busy.clear();
  occ.InstructorBusy("musik-i1", kMonday, &busy);
  EXPECT_THAT(busy, ElementsAre(MinuteSpan{Hm(9), Hm(11)}));
  busy.clear();
  occ.VenueBusy("bib-v1", kMonday, &busy);
  EXPECT_THAT(busy, IsEmpty());
}

TEST(Occupancy, CountsLoadPerInstitutionAndIsoWeek) {
  Occupancy occ;
  occ.Add(MakeBooking("c1", kMonday, {Hm(9), Hm(11)}, "musik", "musik-v1", "musik-i1"));
  occ.Add(MakeBooking("c1", kMonday + 6, {Hm(9), Hm(11)}, "musik", "musik-v2", "musik-i2"));
  occ.Add(MakeBooking("c1", kMonday + 7, {Hm(9), Hm(11)}, "musik", "musik-v1", "musik-i1"));
  occ.Add(MakeBooking("c1", kMonday, {Hm(9), Hm(11)}, "bib", "bib-v1", "bib-i1"));
  // Monday and Sunday are the same ISO week; the next Monday is not.
  EXPECT_EQ(occ.InstitutionLoad("musik", kMonday + 3), 2);
  EXPECT_EQ(occ.InstitutionLoad("musik", kMonday + 7), 1);
  EXPECT_EQ(occ.InstitutionLoad("bib", kMonday), 1);
  EXPECT_EQ(occ.InstitutionLoad("museum", kMonday), 0);
}

TEST(Occupancy, LoadFollowsIsoWeeksAcrossNewYear) {
  Occupancy occ;
  // 2026-12-31 (Thursday) and 2027-01-01 (Friday) are both in 2026-W53.
  occ.Add(MakeBooking("c1", absl::CivilDay(2026, 12, 31), {Hm(9), Hm(11)}, "musik", "v", "i"));
  EXPECT_EQ(occ.InstitutionLoad("musik", absl::CivilDay(2027, 1, 1)), 1);
  EXPECT_EQ(occ.InstitutionLoad("musik", absl::CivilDay(2027, 1, 4)), 0);
}

TEST(Occupancy, RemoveCohortFreesItsBookingsOnly) {
  Occupancy occ;
  occ.Add(MakeBooking("c1", kMonday, {Hm(9), Hm(11)}, "musik", "musik-v1", "musik-i1"));
  occ.Add(MakeBooking("c1", kMonday + 2, {Hm(9), Hm(11)}, "musik", "musik-v1", "musik-i1"));
  occ.Add(MakeBooking("c2", kMonday, {Hm(11), Hm(13)}, "musik", "musik-v1", "musik-i2"));
  occ.RemoveCohort("c1");
  EXPECT_EQ(occ.size(), 1u);
  EXPECT_EQ(occ.VenueConflict("musik-v1", kMonday, {Hm(9), Hm(11)}), nullptr);
  EXPECT_EQ(occ.InstructorConflict("musik-i1", kMonday + 2, {Hm(9), Hm(11)}), nullptr);
  EXPECT_NE(occ.VenueConflict("musik-v1", kMonday, {Hm(11), Hm(12)}), nullptr);
  EXPECT_EQ(occ.InstitutionLoad("musik", kMonday), 1);
  std::vector<MinuteSpan> busy;
  occ.VenueBusy("musik-v1", kMonday, &busy);
  EXPECT_THAT(busy, ElementsAre(MinuteSpan{Hm(11), Hm(13)}));

  occ.RemoveCohort("c1");       // again: nothing left to remove
  occ.RemoveCohort("unknown");  // never booked
  EXPECT_EQ(occ.size(), 1u);
  // A re-planned cohort can book again.
  occ.Add(MakeBooking("c1", kMonday, {Hm(9), Hm(11)}, "musik", "musik-v1", "musik-i1"));
  EXPECT_NE(occ.VenueConflict("musik-v1", kMonday, {Hm(9), Hm(10)}), nullptr);
  EXPECT_EQ(occ.InstitutionLoad("musik", kMonday), 2);
}

}  // namespace
}  // namespace kpr::scheduling
