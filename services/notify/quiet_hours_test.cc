#include "services/notify/quiet_hours.h"

#include "absl/time/civil_time.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "libs/calendar/danish_time.h"

namespace kpr::notify {
namespace {

using ::testing::HasSubstr;

// Expectations are written in UTC, so they do not lean on the code's own zone arithmetic:
// Copenhagen is UTC+1 in winter (CET) and UTC+2 in summer (CEST). In 2027 summer time starts
// Sunday 28 March (02:00 CET -> 03:00 CEST) and ends Sunday 31 October (03:00 CEST -> 02:00
// CET).
absl::Time Utc(int y, int mo, int d, int h, int mi) {
  return absl::FromCivil(absl::CivilMinute(y, mo, d, h, mi), absl::UTCTimeZone());
}

class QuietHoursTest : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_TRUE(calendar::DanishTimeZoneLoaded().ok()) << "needs tzdata"; }
  QuietHours Window(absl::string_view text) {
    auto q = QuietHours::Parse(text);
    EXPECT_TRUE(q.ok()) << q.status();
    return q.ok() ? *q : QuietHours::Off();
  }
};

TEST_F(QuietHoursTest, ParsesWindowsAndOff) {
  EXPECT_EQ(Window("21:00-08:00").ToString(), "21:00-08:00");
  EXPECT_EQ(Window(" 22:30-07:15 ").ToString(), "22:30-07:15");
  EXPECT_EQ(Window("00:00-06:00").ToString(), "00:00-06:00");
  EXPECT_FALSE(Window("OFF").enabled());
  EXPECT_EQ(Window("off").ToString(), "off");
  EXPECT_EQ(QuietHours::Default().ToString(), "21:00-08:00");
}

TEST_F(QuietHoursTest, RejectsMalformedWindowsNamingTheField) {
  for (absl::string_view bad : {"", "21-08", "21:00", "21:00-8:00", "24:00-08:00", "21:60-08:00",
                                "21:00-08:00x", "aa:bb-cc:dd", "21:00_08:00", "08:00-08:00"}) {
    auto q = QuietHours::Parse(bad, "KPR_NOTIFY_QUIET_HOURS");
    ASSERT_FALSE(q.ok()) << bad;
    EXPECT_EQ(q.status().code(), absl::StatusCode::kInvalidArgument);
    EXPECT_THAT(q.status().message(), HasSubstr("KPR_NOTIFY_QUIET_HOURS: ")) << bad;
  }
}

TEST_F(QuietHoursTest, OutsideTheWindowAnSmsGoesAtOnce) {
  const QuietHours q = QuietHours::Default();
  const absl::Time noon = Utc(2027, 1, 12, 11, 0);  // 12:00 CET
  EXPECT_EQ(q.NextAllowed(noon), noon);
  // 20:59:59 CET is before 21:00; 08:00 is the window's end, no longer inside it.
  const absl::Time before_start = Utc(2027, 1, 12, 19, 59) + absl::Seconds(59);
  EXPECT_EQ(q.NextAllowed(before_start), before_start);
  EXPECT_EQ(q.NextAllowed(Utc(2027, 1, 13, 7, 0)), Utc(2027, 1, 13, 7, 0));
}

TEST_F(QuietHoursTest, AWindowThatWrapsMidnightDefersToTheMorning) {
  const QuietHours q = QuietHours::Default();
  // 21:00 CET sharp, 23:30 CET, 03:00 CET, 07:59:30 CET: all go at 08:00 CET = 07:00 UTC.
  EXPECT_EQ(q.NextAllowed(Utc(2027, 1, 12, 20, 0)), Utc(2027, 1, 13, 7, 0));
  EXPECT_EQ(q.NextAllowed(Utc(2027, 1, 12, 22, 30)), Utc(2027, 1, 13, 7, 0));
  EXPECT_EQ(q.NextAllowed(Utc(2027, 1, 13, 2, 0)), Utc(2027, 1, 13, 7, 0));
  EXPECT_EQ(q.NextAllowed(Utc(2027, 1, 13, 6, 59) + absl::Seconds(30)), Utc(2027, 1, 13, 7, 0));
  // Summer: 23:00 CEST -> 08:00 CEST = 06:00 UTC.
  EXPECT_EQ(q.NextAllowed(Utc(2027, 6, 15, 21, 0)), Utc(2027, 6, 16, 6, 0));
  // New Year's Eve rolls into the next year.
  EXPECT_EQ(q.NextAllowed(Utc(2027, 12, 31, 22, 0)), Utc(2028, 1, 1, 7, 0));
}

TEST_F(QuietHoursTest, AWindowWithinOneDay) {
  const QuietHours q = Window("12:00-13:30");
  EXPECT_EQ(q.NextAllowed(Utc(2027, 1, 12, 11, 15)), Utc(2027, 1, 12, 12, 30));  // 12:15 CET
  EXPECT_EQ(q.NextAllowed(Utc(2027, 1, 12, 12, 30)), Utc(2027, 1, 12, 12, 30));  // 13:30 CET
  EXPECT_EQ(q.NextAllowed(Utc(2027, 1, 12, 10, 59)), Utc(2027, 1, 12, 10, 59));  // 11:59 CET
}

TEST_F(QuietHoursTest, TheSpringNightIsAnHourShorter) {
  const QuietHours q = QuietHours::Default();
  // Saturday 27 March 23:00 CET (22:00 UTC) waits until Sunday 08:00 CEST = 06:00 UTC: nine
  // hours, not ten.
  EXPECT_EQ(q.NextAllowed(Utc(2027, 3, 27, 22, 0)), Utc(2027, 3, 28, 6, 0));
  // Just before the jump (01:59 CET) and just after it (03:00 CEST).
  EXPECT_EQ(q.NextAllowed(Utc(2027, 3, 28, 0, 59)), Utc(2027, 3, 28, 6, 0));
  EXPECT_EQ(q.NextAllowed(Utc(2027, 3, 28, 1, 0)), Utc(2027, 3, 28, 6, 0));
  // Sunday 21:00 CEST (19:00 UTC) is quiet again; 20:59 CEST is not.
  EXPECT_EQ(q.NextAllowed(Utc(2027, 3, 28, 19, 0)), Utc(2027, 3, 29, 6, 0));
  EXPECT_EQ(q.NextAllowed(Utc(2027, 3, 28, 18, 59)), Utc(2027, 3, 28, 18, 59));
}

TEST_F(QuietHoursTest, TheAutumnNightIsAnHourLonger) {
  const QuietHours q = QuietHours::Default();
  // Saturday 30 October 22:00 CEST (20:00 UTC) waits until Sunday 08:00 CET = 07:00 UTC.
  EXPECT_EQ(q.NextAllowed(Utc(2027, 10, 30, 20, 0)), Utc(2027, 10, 31, 7, 0));
  // Both passes through 02:30 (00:30 UTC in CEST, 01:30 UTC in CET) wait for the same morning.
  EXPECT_EQ(q.NextAllowed(Utc(2027, 10, 31, 0, 30)), Utc(2027, 10, 31, 7, 0));
  EXPECT_EQ(q.NextAllowed(Utc(2027, 10, 31, 1, 30)), Utc(2027, 10, 31, 7, 0));
  // 20:59 CET on Sunday is 19:59 UTC: allowed; 21:00 CET is quiet.
  EXPECT_EQ(q.NextAllowed(Utc(2027, 10, 31, 19, 59)), Utc(2027, 10, 31, 19, 59));
  EXPECT_TRUE(q.Contains(Utc(2027, 10, 31, 20, 0)));
}

TEST_F(QuietHoursTest, AWindowEndingInsideTheChangedHour) {
  // Ends at 02:30, which does not exist on 28 March: over when the clock jumps to 03:00 CEST.
  EXPECT_EQ(Window("22:00-02:30").NextAllowed(Utc(2027, 3, 27, 23, 0)), Utc(2027, 3, 28, 1, 0));
  // Ends at 02:30, which happens twice on 31 October: the first pass ends the window for what
  // fell due before it (00:30 UTC), the second for what fell due in the repeated hour.
  const QuietHours q = Window("01:00-02:30");
  EXPECT_EQ(q.NextAllowed(Utc(2027, 10, 30, 23, 30)), Utc(2027, 10, 31, 0, 30));  // 01:30 CEST
  EXPECT_EQ(q.NextAllowed(Utc(2027, 10, 31, 1, 10)), Utc(2027, 10, 31, 1, 30));   // 02:10 CET
}

TEST_F(QuietHoursTest, OffLetsEverythingThrough) {
  const QuietHours q = QuietHours::Off();
  EXPECT_FALSE(q.Contains(Utc(2027, 1, 13, 2, 0)));
  EXPECT_EQ(q.NextAllowed(Utc(2027, 1, 13, 2, 0)), Utc(2027, 1, 13, 2, 0));
}

TEST_F(QuietHoursTest, AReminderThatQuietHoursPushPastTheSessionIsDropped) {
  const QuietHours q = QuietHours::Default();
  // Session 09:00 CET: the 2 h reminder (07:00) waits until 08:00 and still comes first.
  const absl::Time nine = Utc(2027, 1, 13, 8, 0);
  EXPECT_EQ(ReminderSendTime(nine - absl::Hours(2), nine, q), Utc(2027, 1, 13, 7, 0));
  // Session 08:00 CET: the 2 h reminder would arrive as the session starts: dropped.
  const absl::Time eight = Utc(2027, 1, 13, 7, 0);
  EXPECT_EQ(ReminderSendTime(eight - absl::Hours(2), eight, q), std::nullopt);
  // Session 08:30 CET: the 2 h reminder goes at 08:00.
  const absl::Time half_past = Utc(2027, 1, 13, 7, 30);
  EXPECT_EQ(ReminderSendTime(half_past - absl::Hours(2), half_past, q), eight);
  // Outside quiet hours a reminder goes when due; after the start it never goes.
  const absl::Time afternoon = Utc(2027, 1, 13, 13, 0);
  EXPECT_EQ(ReminderSendTime(afternoon - absl::Hours(2), afternoon, q), afternoon - absl::Hours(2));
  EXPECT_EQ(ReminderSendTime(afternoon + absl::Minutes(1), afternoon, q), std::nullopt);
  // Without quiet hours the 07:00 reminder for the 08:00 session goes at 07:00.
  EXPECT_EQ(ReminderSendTime(eight - absl::Hours(1), eight, QuietHours::Off()),
            eight - absl::Hours(1));
}

TEST_F(QuietHoursTest, RemindersAcrossBothDaylightSavingChanges) {
  const QuietHours q = QuietHours::Default();
  // Sunday 28 March 2027, session 09:00 CEST (07:00 UTC): the 2 h reminder falls due at 07:00
  // CEST, waits until 08:00 CEST (06:00 UTC) and goes. The 24 h reminder falls due 24 hours
  // earlier, Saturday 08:00 CET (07:00 UTC), just after that night's quiet hours.
  const absl::Time spring = Utc(2027, 3, 28, 7, 0);
  EXPECT_EQ(ReminderSendTime(spring - absl::Hours(2), spring, q), Utc(2027, 3, 28, 6, 0));
  EXPECT_EQ(ReminderSendTime(spring - absl::Hours(24), spring, q), Utc(2027, 3, 27, 7, 0));
  // Session 08:30 CEST (06:30 UTC) that morning: due 06:30 CEST, goes 08:00 CEST.
  const absl::Time spring_early = Utc(2027, 3, 28, 6, 30);
  EXPECT_EQ(ReminderSendTime(spring_early - absl::Hours(2), spring_early, q),
            Utc(2027, 3, 28, 6, 0));
  // Sunday 31 October 2027, session 08:30 CET (07:30 UTC): due 06:30 CET, goes 08:00 CET.
  const absl::Time autumn = Utc(2027, 10, 31, 7, 30);
  EXPECT_EQ(ReminderSendTime(autumn - absl::Hours(2), autumn, q), Utc(2027, 10, 31, 7, 0));
  // Session 08:00 CET that morning: the 2 h reminder (06:00 CET) is dropped.
  const absl::Time autumn_eight = Utc(2027, 10, 31, 7, 0);
  EXPECT_EQ(ReminderSendTime(autumn_eight - absl::Hours(2), autumn_eight, q), std::nullopt);
  // Its 24 h reminder falls due Saturday 09:00 CEST (07:00 UTC): goes at once.
  EXPECT_EQ(ReminderSendTime(autumn_eight - absl::Hours(24), autumn_eight, q),
            Utc(2027, 10, 30, 7, 0));
}

}  // namespace
}  // namespace kpr::notify
