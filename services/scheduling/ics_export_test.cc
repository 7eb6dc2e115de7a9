#include "services/scheduling/ics_export.h"

#include <map>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/time/time.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "libs/calendar/ics.h"
#include "libs/calendar/ics_testing.h"

namespace kpr::scheduling {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Not;

using calendar::UnfoldIcs;
using calendar::testing::Events;
using calendar::testing::ExpectWellFormed;
using calendar::testing::Property;
using calendar::testing::Unescape;

// ---- fixtures: invented names only ----

IcsLookup Lookup() {
  IcsLookup lookup;
  v1::Institution music;
  music.set_institution_id("music");
  music.set_name("Musikskolen Æblehaven");
  v1::Venue* hall = music.add_venues();
  hall->set_venue_id("hall");
  hall->set_name("Store sal");
  hall->set_address("Prøvevej 3, 2620 Albertslund");
  lookup.AddInstitution(music);

  v1::ProgramTemplate program;
  program.set_program_id("kultur");
  v1::Activity* a = program.add_activities();
  a->set_activity_id("sing");
  a->set_name("Fællessang; stemmer, og åndedræt");
  lookup.AddProgram(program);

  v1::Cohort cohort;
  cohort.set_cohort_id("c1");
  cohort.set_program_id("kultur");
  cohort.set_name("Hold Forår 2026");
  lookup.AddCohort(cohort);
  return lookup;
}

v1::Session MakeSession(std::string id, std::string day, int start, int end) {
  v1::Session s;
  s.set_session_id(std::move(id));
  s.set_cohort_id("c1");
  s.set_municipality("0165");
  s.set_activity_id("sing");
  s.set_day(std::move(day));
  s.set_start_minute(start);
  s.set_end_minute(end);
  s.set_institution_id("music");
  s.set_venue_id("hall");
  s.set_instructor_id("t1");
  s.set_status(v1::SESSION_STATUS_SCHEDULED);
  s.set_version(1);
  return s;
}

const absl::Time kStamp = absl::FromUnixSeconds(1790000000);  // 2026-09-21T14:13:20Z

TEST(IcsExportTest, CalendarHeaderAndTimezone) {
  absl::StatusOr<std::string> ics =
      ExportIcs("Hold Forår 2026", std::vector<v1::Session>{}, Lookup(), kStamp);
  ASSERT_TRUE(ics.ok()) << ics.status();
  ExpectWellFormed(*ics);
  std::vector<std::string> lines = UnfoldIcs(*ics);
  ASSERT_GE(lines.size(), 6u);
  EXPECT_EQ(lines.front(), "BEGIN:VCALENDAR");
  EXPECT_EQ(lines.back(), "END:VCALENDAR");
  EXPECT_THAT(lines, testing::Contains("VERSION:2.0"));
  EXPECT_THAT(lines, testing::Contains("PRODID:-//kpr//scheduling//EN"));
  EXPECT_THAT(lines, testing::Contains("CALSCALE:GREGORIAN"));
  EXPECT_THAT(lines, testing::Contains("X-WR-CALNAME:Hold Forår 2026"));
  EXPECT_THAT(lines, Not(testing::Contains("BEGIN:VEVENT")));

  // The VTIMEZONE: CEST from the last Sunday of March, CET from the last Sunday of October.
  auto begin = std::find(lines.begin(), lines.end(), "BEGIN:VTIMEZONE");
  auto end = std::find(lines.begin(), lines.end(), "END:VTIMEZONE");
  ASSERT_NE(begin, lines.end());
  ASSERT_NE(end, lines.end());
  std::vector<std::string> tz(begin, end + 1);
  EXPECT_THAT(
      tz,
      ElementsAre("BEGIN:VTIMEZONE", "TZID:Europe/Copenhagen", "X-LIC-LOCATION:Europe/Copenhagen",
                  "BEGIN:DAYLIGHT", "TZOFFSETFROM:+0100", "TZOFFSETTO:+0200", "TZNAME:CEST",
                  "DTSTART:19700329T020000", "RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU",
                  "END:DAYLIGHT", "BEGIN:STANDARD", "TZOFFSETFROM:+0200", "TZOFFSETTO:+0100",
                  "TZNAME:CET", "DTSTART:19701025T030000",
                  "RRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU", "END:STANDARD", "END:VTIMEZONE"));
}

TEST(IcsExportTest, OneEventPerSessionWithEveryField) {
  v1::Session moved = MakeSession("c1-1", "2026-10-08", 600, 720);
  moved.set_version(3);
  v1::Session cancelled = MakeSession("c1-0", "2026-10-06", 570, 690);
  cancelled.set_status(v1::SESSION_STATUS_CANCELLED);
  cancelled.set_version(2);
  cancelled.set_change_reason("Underviser syg");
  v1::Session summer = MakeSession("c1-2", "2026-03-31", 540, 630);  // CEST already

  absl::StatusOr<std::string> ics = ExportIcs(
      "Hold Forår 2026", std::vector<v1::Session>{moved, cancelled, summer}, Lookup(), kStamp);
  ASSERT_TRUE(ics.ok()) << ics.status();
  ExpectWellFormed(*ics);
  std::vector<std::map<std::string, Property>> events = Events(UnfoldIcs(*ics));
  ASSERT_EQ(events.size(), 3u);

  // Ordered by day: summer (March), cancelled (Oct 6), moved (Oct 8).
  EXPECT_EQ(events[0]["UID"].value, "c1-2@kpr");
  EXPECT_EQ(events[1]["UID"].value, "c1-0@kpr");
  EXPECT_EQ(events[2]["UID"].value, "c1-1@kpr");

  auto& e = events[2];
  EXPECT_EQ(e["DTSTAMP"].value, "20260921T141320Z");
  EXPECT_EQ(e["DTSTART"].params, "TZID=Europe/Copenhagen");
  EXPECT_EQ(e["DTSTART"].value, "20261008T100000");
  EXPECT_EQ(e["DTEND"].params, "TZID=Europe/Copenhagen");
  EXPECT_EQ(e["DTEND"].value, "20261008T120000");
  EXPECT_EQ(e["SUMMARY"].value, "Fællessang\\; stemmer\\, og åndedræt");
  EXPECT_EQ(Unescape(e["SUMMARY"].value), "Fællessang; stemmer, og åndedræt");
  EXPECT_EQ(Unescape(e["LOCATION"].value), "Store sal, Prøvevej 3, 2620 Albertslund");
  EXPECT_EQ(Unescape(e["DESCRIPTION"].value),
            "Institution: Musikskolen Æblehaven\nCohort: Hold Forår 2026");
  EXPECT_EQ(e["SEQUENCE"].value, "3");
  EXPECT_EQ(e["STATUS"].value, "CONFIRMED");

  EXPECT_EQ(events[1]["STATUS"].value, "CANCELLED");
  EXPECT_EQ(events[1]["SEQUENCE"].value, "2");
  EXPECT_EQ(events[1]["DTSTART"].value, "20261006T093000");
  EXPECT_EQ(events[1]["DTEND"].value, "20261006T113000");
  EXPECT_EQ(events[0]["DTSTART"].value, "20260331T090000");
  EXPECT_EQ(events[0]["DTEND"].value, "20260331T103000");

  // Sessions only: nobody's participation, no instructor ids.
  EXPECT_THAT(*ics, Not(HasSubstr("ATTENDEE")));
  EXPECT_THAT(*ics, Not(HasSubstr("ORGANIZER")));
  EXPECT_THAT(*ics, Not(HasSubstr("t1")));
}

TEST(IcsExportTest, RepeatedFieldOverloadAndOrderingWithinADay) {
  google::protobuf::RepeatedPtrField<v1::Session> sessions;
  *sessions.Add() = MakeSession("b", "2026-10-08", 720, 780);
  *sessions.Add() = MakeSession("c", "2026-10-08", 540, 600);
  *sessions.Add() = MakeSession("a", "2026-10-08", 720, 780);
  absl::StatusOr<std::string> ics = ExportIcs("x", sessions, Lookup(), kStamp);
  ASSERT_TRUE(ics.ok()) << ics.status();
  std::vector<std::map<std::string, Property>> events = Events(UnfoldIcs(*ics));
  ASSERT_EQ(events.size(), 3u);
  EXPECT_EQ(events[0]["UID"].value, "c@kpr");
  EXPECT_EQ(events[1]["UID"].value, "a@kpr");
  EXPECT_EQ(events[2]["UID"].value, "b@kpr");
}

TEST(IcsExportTest, MissingNamesFallBackToIds) {
  v1::Session s = MakeSession("s9", "2026-10-08", 600, 1440);  // ends at midnight
  s.set_cohort_id("c-unknown");
  s.set_venue_id("v-unknown");
  s.set_institution_id("i-unknown");
  s.set_activity_id("act-unknown");
  s.set_version(0);
  absl::StatusOr<std::string> ics =
      ExportIcs("x", std::vector<v1::Session>{s}, IcsLookup(), kStamp);
  ASSERT_TRUE(ics.ok()) << ics.status();
  auto events = Events(UnfoldIcs(*ics));
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0]["SUMMARY"].value, "act-unknown");
  EXPECT_EQ(events[0]["LOCATION"].value, "v-unknown");
  EXPECT_EQ(Unescape(events[0]["DESCRIPTION"].value), "Institution: i-unknown\nCohort: c-unknown");
  EXPECT_EQ(events[0]["DTEND"].value, "20261009T000000");
  EXPECT_EQ(events[0]["SEQUENCE"].value, "0");
}

TEST(IcsExportTest, RejectsMalformedSessions) {
  for (v1::Session s : {MakeSession("bad-day", "2026-10-32", 600, 660),
                        MakeSession("bad-time", "2026-10-08", 660, 600),
                        MakeSession("late", "2026-10-08", 1400, 1500)}) {
    absl::StatusOr<std::string> ics = ExportIcs("x", std::vector<v1::Session>{s}, Lookup(), kStamp);
    EXPECT_EQ(ics.status().code(), absl::StatusCode::kInvalidArgument) << s.session_id();
    EXPECT_THAT(ics.status().message(), HasSubstr(s.session_id()));
  }
}

TEST(IcsExportTest, LongDanishNamesAreFoldedAndRoundTrip) {
  IcsLookup lookup = Lookup();
  const std::string long_name =
      "Kunstværkstedet på Ørnevej: Maleri, grafik og skulptur; for øvede og begyndere — "
      "æøå ÆØÅ æøå ÆØÅ æøå ÆØÅ æøå ÆØÅ æøå ÆØÅ æøå ÆØÅ æøå ÆØÅ æøå ÆØÅ æøå ÆØÅ æøå";
  lookup.venues["hall"].name = long_name;
  absl::StatusOr<std::string> ics = ExportIcs(
      "x", std::vector<v1::Session>{MakeSession("s1", "2026-10-08", 600, 720)}, lookup, kStamp);
  ASSERT_TRUE(ics.ok()) << ics.status();
  ExpectWellFormed(*ics);
  EXPECT_THAT(*ics, HasSubstr("\r\n "));  // something was folded
  auto events = Events(UnfoldIcs(*ics));
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(Unescape(events[0]["LOCATION"].value), long_name + ", Prøvevej 3, 2620 Albertslund");
}

}  // namespace
}  // namespace kpr::scheduling
