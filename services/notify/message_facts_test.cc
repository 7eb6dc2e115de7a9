#include "services/notify/message_facts.h"

#include "absl/time/civil_time.h"
#include "gtest/gtest.h"
#include "libs/calendar/danish_time.h"

namespace kpr::notify {
namespace {

scheduling::v1::Session MakeSession(const std::string& id, const std::string& day, int minute) {
  scheduling::v1::Session s;
  s.set_session_id(id);
  s.set_cohort_id("c1");
  s.set_day(day);
  s.set_start_minute(minute);
  s.set_end_minute(minute + 120);
  s.set_venue_id("musikskolen");
  s.set_activity_id("kor");
  s.set_version(3);
  return s;
}

TEST(CalendarEntryFor, TurnsCopenhagenLocalTimeIntoInstantsAcrossSummerTime) {
  // 10:00 in Copenhagen is 09:00 UTC in winter and 08:00 UTC in summer.
  auto winter = CalendarEntryFor(MakeSession("s1", "2027-03-09", 600));
  auto summer = CalendarEntryFor(MakeSession("s2", "2027-04-06", 600));
  ASSERT_TRUE(winter.ok() && summer.ok());
  EXPECT_EQ(absl::FromUnixSeconds(winter->start().seconds()),
            absl::FromCivil(absl::CivilMinute(2027, 3, 9, 9, 0), absl::UTCTimeZone()));
  EXPECT_EQ(absl::FromUnixSeconds(summer->start().seconds()),
            absl::FromCivil(absl::CivilMinute(2027, 4, 6, 8, 0), absl::UTCTimeZone()));
  EXPECT_EQ(summer->end().seconds() - summer->start().seconds(), 7200);
  EXPECT_EQ(winter->venue(), "musikskolen");
  EXPECT_EQ(winter->activity(), "kor");
  EXPECT_EQ(winter->version(), 3);
  EXPECT_FALSE(winter->cancelled());
}

TEST(CalendarEntryFor, RefusesASessionWithoutIdOrWithABadDay) {
  EXPECT_EQ(CalendarEntryFor(MakeSession("", "2027-03-09", 600)).status().code(),
            absl::StatusCode::kInvalidArgument);
  auto bad = CalendarEntryFor(MakeSession("s1", "9 March", 600));
  EXPECT_EQ(bad.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(bad.status().message().find("session.day"), absl::string_view::npos);
}

v1::MessageFacts CohortFacts() {
  v1::MessageFacts f;
  f.set_program("Sang og sundhed");
  f.set_venue("musikskolen");
  f.set_activity("kor");
  for (const auto& [id, day, cancelled] : {std::tuple{"s1", "2027-03-09", false},
                                           {"s2", "2027-03-16", true},
                                           {"s3", "2027-03-23", false}}) {
    auto e = CalendarEntryFor(MakeSession(id, day, 600));
    e->set_cancelled(cancelled);
    *f.add_calendar() = *e;
  }
  *f.mutable_session_start() = f.calendar(0).start();
  return f;
}

v1::Delivery DeliveryFor(v1::Trigger trigger) {
  v1::Delivery d;
  d.set_municipality("0165");
  d.set_trigger(trigger);
  d.set_cohort_id("c1");
  return d;
}

TEST(ValuesFor, FillsPlacementValuesInTheRecipientsLanguageWithoutCancelledSessions) {
  MessageValues da = ValuesFor(DeliveryFor(v1::TRIGGER_COHORT_INFORMATION), CohortFacts(), "Anna",
                               v1::LANGUAGE_DA);
  EXPECT_EQ(da["first_name"], "Anna");
  EXPECT_EQ(da["program"], "Sang og sundhed");
  EXPECT_EQ(da["venue"], "musikskolen");
  EXPECT_EQ(da["first_session_start"], "tirsdag 9. marts kl. 10.00");
  EXPECT_EQ(da["cohort_dates"], "9/3 og 23/3");
  EXPECT_EQ(da.count("session_start"), 0u) << "not offered for cohort information";
  MessageValues en = ValuesFor(DeliveryFor(v1::TRIGGER_COHORT_INFORMATION), CohortFacts(), "Anna",
                               v1::LANGUAGE_EN);
  EXPECT_EQ(en["first_session_start"], "Tuesday 9 March at 10:00");
}

TEST(ValuesFor, LeavesOutWhatTheFactsCannotFillSoRenderingNamesIt) {
  MessageValues v = ValuesFor(DeliveryFor(v1::TRIGGER_QUESTIONNAIRE_DUE), v1::MessageFacts(),
                              "Anna", v1::LANGUAGE_DA);
  EXPECT_EQ(v.count("questionnaire_link"), 0u);
  v1::Template t;
  t.set_sms_text("Svar her: {questionnaire_link}");
  t.set_email_subject("x");
  t.set_email_text("x");
  auto rendered = RenderTemplate(t, v);
  EXPECT_EQ(rendered.status().code(), absl::StatusCode::kFailedPrecondition);
}

TEST(ValuesFor, GivesTheCoordinatorIdsAndReasonsButNoFirstName) {
  v1::MessageFacts f;
  f.set_about_referral_id("0165-R-1");
  f.add_risk_reasons(outcomes::v1::RISK_REASON_TWO_ABSENCES_IN_A_ROW);
  MessageValues v = ValuesFor(DeliveryFor(v1::TRIGGER_DROP_OUT_RISK), f, "Anna", v1::LANGUAGE_DA);
  EXPECT_EQ(v["referral_id"], "0165-R-1");
  EXPECT_EQ(v["cohort_id"], "c1");
  EXPECT_FALSE(v["risk_reasons"].empty());
  EXPECT_EQ(v.count("first_name"), 0u);
}

TEST(CalendarAttachment, OnlyForMessagesAboutSessionsAndCancelsEveryEntryOfACancelledCohort) {
  const absl::Time stamp = absl::FromUnixSeconds(1'800'000'000);
  auto welcome = CalendarAttachment(v1::TRIGGER_WELCOME, CohortFacts(), stamp);
  ASSERT_TRUE(welcome.ok());
  EXPECT_TRUE(welcome->empty());
  auto info = CalendarAttachment(v1::TRIGGER_COHORT_INFORMATION, CohortFacts(), stamp);
  ASSERT_TRUE(info.ok());
  EXPECT_NE(info->find("UID:s1@kpr"), std::string::npos);
  EXPECT_NE(info->find("UID:s3@kpr"), std::string::npos);
  auto cancelled = CalendarAttachment(v1::TRIGGER_COHORT_CANCELLED, CohortFacts(), stamp);
  ASSERT_TRUE(cancelled.ok());
  size_t n = 0;
  for (size_t at = cancelled->find("STATUS:CANCELLED"); at != std::string::npos;
       at = cancelled->find("STATUS:CANCELLED", at + 1)) {
    ++n;
  }
  EXPECT_EQ(n, 3u);
}

}  // namespace
}  // namespace kpr::notify
