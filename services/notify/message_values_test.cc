#include "services/notify/message_values.h"

#include "gtest/gtest.h"
#include "libs/calendar/danish_time.h"
#include "services/notify/sms_encoding.h"

namespace kpr::notify {
namespace {

absl::Time Local(int y, int mo, int d, int h, int mi) {
  return calendar::LocalToAbsolute(absl::CivilMinute(y, mo, d, h, mi));
}

TEST(MessageValues, SessionStartInDanishAndEnglish) {
  ASSERT_TRUE(calendar::DanishTimeZoneLoaded().ok()) << "needs tzdata";
  EXPECT_EQ(FormatSessionStart(Local(2027, 3, 9, 10, 0), v1::LANGUAGE_DA),
            "tirsdag 9. marts kl. 10.00");
  EXPECT_EQ(FormatSessionStart(Local(2027, 3, 9, 10, 0), v1::LANGUAGE_EN),
            "Tuesday 9 March at 10:00");
  // Copenhagen time whatever the zone of the instant: 08:30 UTC on a summer day is 10.30.
  EXPECT_EQ(FormatSessionStart(
                absl::FromCivil(absl::CivilMinute(2027, 6, 12, 8, 30), absl::UTCTimeZone()),
                v1::LANGUAGE_DA),
            "lørdag 12. juni kl. 10.30");
  // Unspecified language reads as Danish.
  EXPECT_EQ(FormatSessionStart(Local(2027, 10, 31, 9, 5), v1::LANGUAGE_UNSPECIFIED),
            "søndag 31. oktober kl. 09.05");
}

TEST(MessageValues, Days) {
  EXPECT_EQ(FormatDay(absl::CivilDay(2027, 5, 1), v1::LANGUAGE_DA), "1. maj 2027");
  EXPECT_EQ(FormatDay(absl::CivilDay(2027, 5, 1), v1::LANGUAGE_EN), "1 May 2027");
}

TEST(MessageValues, CohortDatesAreInOrderAndEachOnce) {
  std::vector<absl::Time> starts = {Local(2027, 3, 16, 10, 0), Local(2027, 3, 9, 10, 0),
                                    Local(2027, 3, 9, 13, 0), Local(2027, 4, 6, 9, 0)};
  EXPECT_EQ(FormatCohortDates(starts, v1::LANGUAGE_DA), "9/3, 16/3 og 6/4");
  EXPECT_EQ(FormatCohortDates(starts, v1::LANGUAGE_EN), "9 Mar, 16 Mar and 6 Apr");
  EXPECT_EQ(FormatCohortDates({Local(2027, 3, 9, 10, 0)}, v1::LANGUAGE_DA), "9/3");
  EXPECT_EQ(FormatCohortDates({}, v1::LANGUAGE_DA), "");
  // 23:30 UTC on 8 March is already 9 March in Copenhagen.
  EXPECT_EQ(FormatCohortDates(
                {absl::FromCivil(absl::CivilMinute(2027, 3, 8, 23, 30), absl::UTCTimeZone())},
                v1::LANGUAGE_DA),
            "9/3");
}

TEST(MessageValues, RiskReasonsNameAttendanceOnly) {
  EXPECT_EQ(FormatRiskReasons({outcomes::v1::RISK_REASON_TWO_ABSENCES_IN_A_ROW,
                               outcomes::v1::RISK_REASON_ATTENDANCE_BELOW_THRESHOLD},
                              v1::LANGUAGE_DA),
            "to fravær i træk og fremmøde under grænsen");
  EXPECT_EQ(FormatRiskReasons({outcomes::v1::RISK_REASON_TWO_ABSENCES_IN_A_ROW}, v1::LANGUAGE_EN),
            "two absences in a row");
  EXPECT_EQ(FormatRiskReasons({}, v1::LANGUAGE_EN), "low attendance");
}

TEST(MessageValues, DanishValuesStayInGsm7) {
  for (int month = 1; month <= 12; ++month) {
    for (int day = 1; day <= 7; ++day) {
      const std::string s = FormatSessionStart(Local(2027, month, day, 10, 0), v1::LANGUAGE_DA);
      EXPECT_EQ(AnalyzeSms(s).encoding, v1::SMS_ENCODING_GSM7) << s;
    }
  }
}

}  // namespace
}  // namespace kpr::notify
