#include "libs/calendar/ics.h"

#include <string>
#include <vector>

#include "absl/strings/str_split.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "libs/calendar/ics_testing.h"

namespace kpr::calendar {
namespace {

using ::kpr::calendar::testing::Events;
using ::kpr::calendar::testing::ExpectWellFormed;
using ::kpr::calendar::testing::Unescape;
using ::kpr::calendar::testing::ValidUtf8;
using ::testing::Contains;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Not;

const absl::Time kStamp = absl::FromUnixSeconds(1790000000);  // 2026-09-21T14:13:20Z

IcsEvent Session(std::string uid, absl::CivilMinute start, int minutes) {
  return IcsEvent{.uid = std::move(uid),
                  .start = start,
                  .end = start + minutes,
                  .summary = "Kultur på recept: Sang & åndedræt",
                  .location = "Musikskolen, Store sal"};
}

TEST(WriteIcsTest, OneParticipantsCohortSessions) {
  IcsCalendar cal;
  cal.prodid = "-//kpr//notify//DA";
  cal.events.push_back(Session("s1@kpr", absl::CivilMinute(2027, 3, 9, 10, 0), 120));
  IcsEvent moved = Session("s2@kpr", absl::CivilMinute(2027, 3, 30, 9, 30), 90);  // CEST
  moved.sequence = 2;
  cal.events.push_back(moved);
  IcsEvent cancelled = Session("s3@kpr", absl::CivilMinute(2027, 4, 6, 10, 0), 120);
  cancelled.cancelled = true;
  cancelled.sequence = 1;
  cal.events.push_back(cancelled);

  absl::StatusOr<std::string> ics = WriteIcs(cal, kStamp);
  ASSERT_TRUE(ics.ok()) << ics.status();
  ExpectWellFormed(*ics);
  const std::vector<std::string> lines = UnfoldIcs(*ics);
  EXPECT_EQ(lines.front(), "BEGIN:VCALENDAR");
  EXPECT_EQ(lines.back(), "END:VCALENDAR");
  EXPECT_THAT(lines, Contains("METHOD:PUBLISH"));
  EXPECT_THAT(lines, Contains("PRODID:-//kpr//notify//DA"));
  EXPECT_THAT(lines, Contains("TZID:Europe/Copenhagen"));
  EXPECT_THAT(lines, Not(Contains(HasSubstr("X-WR-CALNAME"))));  // no name given

  auto events = Events(lines);
  ASSERT_EQ(events.size(), 3u);  // in the order given
  EXPECT_EQ(events[0]["UID"].value, "s1@kpr");
  EXPECT_EQ(events[0]["DTSTAMP"].value, "20260921T141320Z");
  EXPECT_EQ(events[0]["DTSTART"].params, "TZID=Europe/Copenhagen");
  EXPECT_EQ(events[0]["DTSTART"].value, "20270309T100000");
  EXPECT_EQ(events[0]["DTEND"].value, "20270309T120000");
  EXPECT_EQ(Unescape(events[0]["SUMMARY"].value), "Kultur på recept: Sang & åndedræt");
  EXPECT_EQ(events[0]["LOCATION"].value, "Musikskolen\\, Store sal");
  EXPECT_EQ(events[0]["SEQUENCE"].value, "0");
  EXPECT_EQ(events[0]["STATUS"].value, "CONFIRMED");
  EXPECT_EQ(events[0].count("DESCRIPTION"), 0u);
  EXPECT_EQ(events[1]["DTSTART"].value, "20270330T093000");
  EXPECT_EQ(events[1]["DTEND"].value, "20270330T110000");
  EXPECT_EQ(events[1]["SEQUENCE"].value, "2");
  EXPECT_EQ(events[2]["STATUS"].value, "CANCELLED");
  EXPECT_EQ(events[2]["SEQUENCE"].value, "1");
}

TEST(WriteIcsTest, RejectsEventsWithoutUidOrLength) {
  IcsCalendar cal;
  cal.events.push_back(Session("", absl::CivilMinute(2027, 3, 9, 10, 0), 60));
  EXPECT_EQ(WriteIcs(cal, kStamp).status().code(), absl::StatusCode::kInvalidArgument);
  cal.events[0] = Session("zero@kpr", absl::CivilMinute(2027, 3, 9, 10, 0), 0);
  absl::StatusOr<std::string> ics = WriteIcs(cal, kStamp);
  EXPECT_EQ(ics.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(ics.status().message(), HasSubstr("zero@kpr"));
}

TEST(WriteIcsTest, NoLineInjectionThroughValues) {
  IcsCalendar cal;
  cal.name = "Hold\r\nMETHOD:CANCEL";
  IcsEvent e = Session("s1@kpr", absl::CivilMinute(2027, 3, 9, 10, 0), 60);
  e.summary = "Sang\r\nEND:VEVENT\r\nBEGIN:VEVENT";
  cal.events.push_back(e);
  absl::StatusOr<std::string> ics = WriteIcs(cal, kStamp);
  ASSERT_TRUE(ics.ok()) << ics.status();
  ExpectWellFormed(*ics);
  const std::vector<std::string> lines = UnfoldIcs(*ics);
  EXPECT_THAT(lines, Not(Contains("METHOD:CANCEL")));
  EXPECT_EQ(Events(lines).size(), 1u);
}

TEST(EscapeIcsTextTest, EscapesTextSpecials) {
  EXPECT_EQ(EscapeIcsText("plain æøå"), "plain æøå");
  EXPECT_EQ(EscapeIcsText("a,b;c\\d"), "a\\,b\\;c\\\\d");
  EXPECT_EQ(EscapeIcsText("one\ntwo\r\nthree\rfour"), "one\\ntwo\\nthree\\nfour");
  EXPECT_EQ(EscapeIcsText("tab\there"), "tab\there");
  EXPECT_EQ(EscapeIcsText(std::string("bell\x07nul\0x", 10)), "bellnulx");
  EXPECT_EQ(EscapeIcsText("a:b"), "a:b");  // colons need no escaping in a value
  for (const std::string s : {"x,y;z\\w\nv", "æ,ø;å\\", ""}) {
    EXPECT_EQ(Unescape(EscapeIcsText(s)), s);
  }
}

TEST(FoldIcsLineTest, ShortLinesAreUntouched) {
  EXPECT_EQ(FoldIcsLine("VERSION:2.0"), "VERSION:2.0\r\n");
  EXPECT_EQ(FoldIcsLine(""), "\r\n");
  const std::string exactly75(75, 'x');
  EXPECT_EQ(FoldIcsLine(exactly75), exactly75 + "\r\n");
}

TEST(FoldIcsLineTest, FoldsAt75OctetsCountingTheLeadingSpace) {
  const std::string line(200, 'x');
  const std::string folded = FoldIcsLine(line);
  std::vector<std::string> parts = absl::StrSplit(folded, "\r\n");
  ASSERT_EQ(parts.back(), "");
  parts.pop_back();
  // 75 + (1 + 74) + (1 + 51)
  ASSERT_EQ(parts.size(), 3u);
  EXPECT_EQ(parts[0].size(), 75u);
  EXPECT_EQ(parts[1].size(), 75u);
  EXPECT_EQ(parts[1][0], ' ');
  EXPECT_EQ(parts[2], " " + std::string(51, 'x'));
  EXPECT_THAT(UnfoldIcs(folded), ElementsAre(line));
}

TEST(FoldIcsLineTest, NeverSplitsAUtf8Character) {
  // Two-byte letters at every alignment, and a 3-byte and a 4-byte character.
  for (int prefix = 0; prefix < 4; ++prefix) {
    std::string line = "SUMMARY:" + std::string(prefix, 'a');
    for (int i = 0; i < 60; ++i) line += "æø";
    line += "€😀æøå";
    const std::string folded = FoldIcsLine(line);
    std::vector<absl::string_view> parts = absl::StrSplit(folded, "\r\n");
    parts.pop_back();
    ASSERT_GT(parts.size(), 1u);
    for (absl::string_view p : parts) {
      EXPECT_LE(p.size(), 75u);
      EXPECT_TRUE(ValidUtf8(p)) << "prefix " << prefix << ": " << p;
    }
    EXPECT_THAT(UnfoldIcs(folded), ElementsAre(line)) << prefix;
  }
}

TEST(UnfoldIcsTest, JoinsContinuationLines) {
  EXPECT_THAT(UnfoldIcs("A:1\r\nB:2\r\n 3\r\n\t4\r\nC:5\r\n"), ElementsAre("A:1", "B:234", "C:5"));
  EXPECT_THAT(UnfoldIcs(""), ElementsAre());
}

}  // namespace
}  // namespace kpr::calendar
