#include "services/notify/session_calendar.h"

#include <string>
#include <vector>

#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "libs/calendar/ics.h"
#include "libs/calendar/ics_testing.h"

namespace kpr::notify {
namespace {

using ::kpr::calendar::testing::Events;
using ::kpr::calendar::testing::ExpectWellFormed;
using ::kpr::calendar::testing::Unescape;
using ::testing::Contains;

absl::Time Utc(int y, int m, int d, int h, int min) {
  return absl::FromCivil(absl::CivilMinute(y, m, d, h, min), absl::UTCTimeZone());
}

CalendarSession Session(std::string id, absl::Time start) {
  return CalendarSession{.session_id = std::move(id),
                         .start = start,
                         .end = start + absl::Hours(2),
                         .venue = "Musikskolen Æblehaven, Store sal",
                         .version = 1};
}

TEST(CohortCalendarIcsTest, OneParticipantsSessionsInCopenhagenTime) {
  CalendarSession moved = Session("c1-2", Utc(2027, 3, 30, 7, 30));  // 09:30 CEST
  moved.version = 3;
  CalendarSession cancelled = Session("c1-1", Utc(2027, 3, 16, 9, 0));  // 10:00 CET
  cancelled.cancelled = true;
  absl::StatusOr<std::string> ics = CohortCalendarIcs(
      "Kultur på recept", {moved, Session("c1-0", Utc(2027, 3, 9, 9, 0)), cancelled},
      Utc(2027, 3, 1, 12, 0));
  ASSERT_TRUE(ics.ok()) << ics.status();
  ExpectWellFormed(*ics);
  const std::vector<std::string> lines = calendar::UnfoldIcs(*ics);
  EXPECT_THAT(lines, Contains("METHOD:PUBLISH"));
  auto events = Events(lines);
  ASSERT_EQ(events.size(), 3u);
  EXPECT_EQ(events[0]["UID"].value, "c1-0@kpr");  // the UID scheduling's export gives it
  EXPECT_EQ(events[0]["DTSTART"].value, "20270309T100000");
  EXPECT_EQ(events[0]["DTEND"].value, "20270309T120000");
  EXPECT_EQ(Unescape(events[0]["SUMMARY"].value), "Kultur på recept");
  EXPECT_EQ(Unescape(events[0]["LOCATION"].value), "Musikskolen Æblehaven, Store sal");
  EXPECT_EQ(events[1]["UID"].value, "c1-1@kpr");
  EXPECT_EQ(events[1]["STATUS"].value, "CANCELLED");
  EXPECT_EQ(events[2]["DTSTART"].value, "20270330T093000");
  EXPECT_EQ(events[2]["SEQUENCE"].value, "3");
  EXPECT_EQ(events[2]["STATUS"].value, "CONFIRMED");
}

TEST(CohortCalendarIcsTest, RefusesSessionsWithoutIdOrLength) {
  const absl::Time t = Utc(2027, 3, 9, 9, 0);
  EXPECT_FALSE(CohortCalendarIcs("x", {Session("", t)}, t).ok());
  CalendarSession empty = Session("s", t);
  empty.end = t;
  EXPECT_FALSE(CohortCalendarIcs("x", {empty}, t).ok());
}

}  // namespace
}  // namespace kpr::notify
