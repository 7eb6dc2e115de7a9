#include "services/scheduling/closure_calendar.h"

#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/time/civil_time.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace kpr::scheduling {
namespace {

using absl::CivilDay;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Optional;

TEST(ClosureCalendarTest, OpenDaysInEasterWeek2026ExcludeMaundyThursdayAndGoodFriday) {
  ClosureCalendar cal;
  // Any day of ISO week 14, Sunday included, gives the same week.
  for (CivilDay d = CivilDay(2026, 3, 30); d <= CivilDay(2026, 4, 5); ++d) {
    EXPECT_THAT(cal.OpenDaysInWeek(d),
                ElementsAre(CivilDay(2026, 3, 30), CivilDay(2026, 3, 31), CivilDay(2026, 4, 1)))
        << d;
  }
  // The week after loses Easter Monday only.
  EXPECT_THAT(cal.OpenDaysInWeek(CivilDay(2026, 4, 8)),
              ElementsAre(CivilDay(2026, 4, 7), CivilDay(2026, 4, 8), CivilDay(2026, 4, 9),
                          CivilDay(2026, 4, 10)));
  // An ordinary week is Monday..Friday.
  EXPECT_THAT(cal.OpenDaysInWeek(CivilDay(2026, 3, 25)),
              ElementsAre(CivilDay(2026, 3, 23), CivilDay(2026, 3, 24), CivilDay(2026, 3, 25),
                          CivilDay(2026, 3, 26), CivilDay(2026, 3, 27)));
}

TEST(ClosureCalendarTest, ClosedPeriodIsInclusiveAtBothEnds) {
  ClosureCalendar cal;
  ASSERT_TRUE(
      cal.AddClosedPeriod({CivilDay(2026, 10, 12), CivilDay(2026, 10, 16), "Efterårsferie"}).ok());
  EXPECT_FALSE(cal.IsClosed(CivilDay(2026, 10, 11)));
  EXPECT_TRUE(cal.IsClosed(CivilDay(2026, 10, 12)));
  EXPECT_TRUE(cal.IsClosed(CivilDay(2026, 10, 14)));
  EXPECT_TRUE(cal.IsClosed(CivilDay(2026, 10, 16)));
  EXPECT_FALSE(cal.IsClosed(CivilDay(2026, 10, 17)));
  EXPECT_TRUE(cal.OpenDaysInWeek(CivilDay(2026, 10, 14)).empty());
  EXPECT_EQ(cal.OpenDaysInWeek(CivilDay(2026, 10, 19)).size(), 5u);
}

TEST(ClosureCalendarTest, SingleDayPeriodAndPartialWeek) {
  ClosureCalendar cal;
  ASSERT_TRUE(
      cal.AddClosedPeriod({CivilDay(2026, 3, 11), CivilDay(2026, 3, 11), "Personaledag"}).ok());
  ASSERT_TRUE(
      cal.AddClosedPeriod({CivilDay(2026, 3, 13), CivilDay(2026, 3, 20), "Ombygning"}).ok());
  EXPECT_THAT(cal.OpenDaysInWeek(CivilDay(2026, 3, 9)),
              ElementsAre(CivilDay(2026, 3, 9), CivilDay(2026, 3, 10), CivilDay(2026, 3, 12)));
  EXPECT_EQ(cal.closed_periods().size(), 2u);
}

TEST(ClosureCalendarTest, RejectsInvertedOrUnexplainedPeriods) {
  ClosureCalendar cal;
  const absl::Status inverted =
      cal.AddClosedPeriod({CivilDay(2026, 7, 10), CivilDay(2026, 7, 1), "Sommerferie"});
  EXPECT_EQ(inverted.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(inverted.message()), HasSubstr("2026-07-01"));
  EXPECT_EQ(cal.AddClosedPeriod({CivilDay(2026, 7, 1), CivilDay(2026, 7, 10), ""}).code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_TRUE(cal.closed_periods().empty());
  EXPECT_FALSE(cal.IsClosed(CivilDay(2026, 7, 5)));
}

TEST(ClosureCalendarTest, HolidaysCloseWithoutAnyPeriodButWeekendsDoNot) {
  ClosureCalendar cal;
  EXPECT_TRUE(cal.IsClosed(CivilDay(2026, 4, 3)));    // Langfredag
  EXPECT_TRUE(cal.IsClosed(CivilDay(2026, 6, 5)));    // Grundlovsdag (customary)
  EXPECT_TRUE(cal.IsClosed(CivilDay(2023, 5, 5)));    // Store bededag 2023
  EXPECT_FALSE(cal.IsClosed(CivilDay(2024, 4, 26)));  // no Store bededag from 2024
  EXPECT_FALSE(cal.IsClosed(CivilDay(2026, 3, 28)));  // an ordinary Saturday
}

TEST(ClosureCalendarTest, ChristmasWeek2026) {
  ClosureCalendar cal;
  // Thursday 24 (customary) and Friday 25 December close; Monday to Wednesday stay open.
  EXPECT_THAT(cal.OpenDaysInWeek(CivilDay(2026, 12, 21)),
              ElementsAre(CivilDay(2026, 12, 21), CivilDay(2026, 12, 22), CivilDay(2026, 12, 23)));
  ASSERT_TRUE(
      cal.AddClosedPeriod({CivilDay(2026, 12, 21), CivilDay(2027, 1, 3), "Juleferie"}).ok());
  EXPECT_TRUE(cal.OpenDaysInWeek(CivilDay(2026, 12, 21)).empty());
  // Week 53 of 2026 straddles the new year: 28-31 Dec are in the period, Friday 1 Jan is
  // Nytårsdag.
  EXPECT_TRUE(cal.OpenDaysInWeek(CivilDay(2027, 1, 1)).empty());
  EXPECT_EQ(cal.OpenDaysInWeek(CivilDay(2027, 1, 4)).size(), 5u);
}

TEST(ClosureCalendarTest, WhyClosedExplains) {
  ClosureCalendar cal;
  ASSERT_TRUE(
      cal.AddClosedPeriod({CivilDay(2026, 12, 21), CivilDay(2027, 1, 3), "Juleferie"}).ok());
  ASSERT_TRUE(cal.AddClosedPeriod({CivilDay(2026, 12, 28), CivilDay(2026, 12, 30),
                                   "Musikskolen lukket for inventar"})
                  .ok());

  EXPECT_THAT(cal.WhyClosed(CivilDay(2026, 4, 3)),
              Optional(std::string("Langfredag (public holiday)")));
  EXPECT_THAT(cal.WhyClosed(CivilDay(2026, 4, 6)),
              Optional(std::string("2. påskedag (public holiday)")));
  EXPECT_THAT(cal.WhyClosed(CivilDay(2026, 6, 5)),
              Optional(std::string("Grundlovsdag (customary closing day)")));
  // 2028: 2. pinsedag falls on Grundlovsdag; the legal holiday is named.
  EXPECT_THAT(cal.WhyClosed(CivilDay(2028, 6, 5)),
              Optional(std::string("2. pinsedag (public holiday)")));
  // A holiday inside a closed period is named as the holiday.
  EXPECT_THAT(cal.WhyClosed(CivilDay(2026, 12, 24)),
              Optional(std::string("Juleaftensdag (customary closing day)")));
  EXPECT_THAT(cal.WhyClosed(CivilDay(2026, 12, 22)), Optional(std::string("Juleferie")));
  // Overlapping periods: the first added explains.
  EXPECT_THAT(cal.WhyClosed(CivilDay(2026, 12, 29)), Optional(std::string("Juleferie")));
  EXPECT_THAT(cal.WhyClosed(CivilDay(2027, 1, 3)), Optional(std::string("Juleferie")));
  EXPECT_EQ(cal.WhyClosed(CivilDay(2027, 1, 4)), std::nullopt);
  EXPECT_EQ(cal.WhyClosed(CivilDay(2026, 4, 7)), std::nullopt);
}

TEST(ClosureCalendarTest, WhyClosedAgreesWithIsClosed) {
  ClosureCalendar cal;
  ASSERT_TRUE(
      cal.AddClosedPeriod({CivilDay(2026, 7, 1), CivilDay(2026, 8, 7), "Sommerferie"}).ok());
  for (CivilDay d(2026, 1, 1); d <= CivilDay(2027, 12, 31); ++d) {
    ASSERT_EQ(cal.IsClosed(d), cal.WhyClosed(d).has_value()) << d;
  }
}

}  // namespace
}  // namespace kpr::scheduling
