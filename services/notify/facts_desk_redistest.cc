// Facts into deliveries and reminders against a real Redis: a fact is recorded once however
// often it is delivered; an old fact (a first deployment replaying the streams) updates the
// roster but messages no one; an enrolment plans the participant's reminders and leaving
// removes them.

#include "gtest/gtest.h"
#include "libs/calendar/proto_time.h"
#include "services/notify/facts_desk.h"
#include "services/notify/notify_testing.h"
#include "services/notify/reminder_plan.h"

namespace kpr::notify {
namespace {

constexpr char kM[] = "0165";
const absl::Time kNow = absl::FromUnixSeconds(1'800'000'000);  // 15 Jan 2027 09:00 CET

common::v1::Event EventAt(const std::string& id, absl::Time at) {
  common::v1::Event e;
  e.set_id(id);
  e.set_municipality(kM);
  *e.mutable_occurred_at() = calendar::ToTimestamp(at);
  return e;
}

class FactsDeskTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(kpr::testing::FlushRedis().ok());
    fx_ = std::make_unique<testing::NotifyFixture>();
    fx_->SetNow(kNow);
    ctx_ = std::make_unique<NotifyContext>(fx_->Context());
    desk_ = std::make_unique<FactsDesk>(*ctx_);
  }

  int DeliveriesOf(const std::string& referral) {
    DeliveryStore::ListQuery q;
    q.municipality = kM;
    q.referral_id = referral;
    auto page = fx_->deliveries->List(q);
    EXPECT_TRUE(page.ok());
    return page.ok() ? static_cast<int>(page->deliveries.size()) : -1;
  }

  std::unique_ptr<testing::NotifyFixture> fx_;
  std::unique_ptr<NotifyContext> ctx_;
  std::unique_ptr<FactsDesk> desk_;
};

TEST_F(FactsDeskTest, AnAcceptedReferralIsWelcomedOnceHoweverOftenTheEventComes) {
  referral::v1::ReferralAccepted accepted;
  accepted.set_referral_id("0165-R1");
  for (int i = 0; i < 3; ++i) {
    ASSERT_TRUE(desk_->OnReferralAccepted(EventAt("ev-1", kNow - absl::Minutes(5)), accepted).ok());
  }
  EXPECT_EQ(DeliveriesOf("0165-R1"), 1);
  auto timers = fx_->pool->Command({"ZCARD", timer::TimersKey(kM, kNotifyService)});
  ASSERT_TRUE(timers.ok());
  EXPECT_EQ(timers->integer(), 1) << "one send timer";
}

TEST_F(FactsDeskTest, AnOldFactMessagesNoOne) {
  referral::v1::ReferralAccepted accepted;
  accepted.set_referral_id("0165-R2");
  ASSERT_TRUE(
      desk_->OnReferralAccepted(EventAt("ev-old", kNow - absl::Hours(24 * 90)), accepted).ok());
  EXPECT_EQ(DeliveriesOf("0165-R2"), 0);
}

TEST_F(FactsDeskTest, EnrolmentPlansRemindersAndLeavingRemovesThem) {
  scheduling::v1::CohortPlanned planned;
  planned.mutable_cohort()->set_cohort_id("0165-C1");
  planned.mutable_cohort()->set_program_id("sund-med-kultur");
  planned.mutable_cohort()->set_name("Hold 9");
  scheduling::v1::Session* s = planned.add_sessions();
  s->set_session_id("0165-S1");
  s->set_cohort_id("0165-C1");
  s->set_day("2027-03-02");
  s->set_start_minute(600);
  s->set_end_minute(720);
  s->set_version(1);
  ASSERT_TRUE(desk_->OnCohortPlanned(EventAt("ev-p", kNow), planned).ok());
  scheduling::v1::Enrolled enrolled;
  enrolled.set_cohort_id("0165-C1");
  enrolled.set_referral_id("0165-R3");
  ASSERT_TRUE(desk_->OnEnrolled(EventAt("ev-e", kNow), enrolled).ok());
  EXPECT_EQ(DeliveriesOf("0165-R3"), 1) << "the cohort's dates";
  for (absl::Duration offset : {absl::Hours(24), absl::Hours(2)}) {
    auto t = fx_->timers->Get(kM, ReminderTimerId("0165-S1", "0165-R3", offset));
    ASSERT_TRUE(t.ok() && t->has_value());
  }
  // The 24 h reminder fires: one reminder delivery, with the session's time in its facts.
  auto reminder = fx_->timers->Get(kM, ReminderTimerId("0165-S1", "0165-R3", absl::Hours(24)));
  ASSERT_TRUE(reminder.ok() && reminder->has_value());
  ASSERT_TRUE(desk_->OnReminder(**reminder).ok());
  ASSERT_TRUE(desk_->OnReminder(**reminder).ok());
  EXPECT_EQ(DeliveriesOf("0165-R3"), 2) << "the dates, and one reminder however often it fires";
  // The session moves: the old timer (if it fired late) records nothing more.
  scheduling::v1::Session moved = *s;
  moved.set_start_minute(660);
  moved.set_version(2);
  scheduling::v1::SessionRescheduled rescheduled;
  *rescheduled.mutable_session() = moved;
  *rescheduled.mutable_previous() = *s;
  ASSERT_TRUE(desk_->OnSessionRescheduled(EventAt("ev-r", kNow), rescheduled).ok());
  EXPECT_EQ(DeliveriesOf("0165-R3"), 3) << "the notice of the move";
  ASSERT_TRUE(desk_->OnReminder(**reminder).ok());
  EXPECT_EQ(DeliveriesOf("0165-R3"), 3);
  auto replanned = fx_->timers->Get(kM, ReminderTimerId("0165-S1", "0165-R3", absl::Hours(24)));
  ASSERT_TRUE(replanned.ok() && replanned->has_value());
  EXPECT_EQ((*replanned)->due, (*reminder)->due + absl::Hours(1));

  scheduling::v1::Unenrolled left;
  left.set_cohort_id("0165-C1");
  left.set_referral_id("0165-R3");
  ASSERT_TRUE(desk_->OnUnenrolled(EventAt("ev-u", kNow), left).ok());
  for (absl::Duration offset : {absl::Hours(24), absl::Hours(2)}) {
    auto t = fx_->timers->Get(kM, ReminderTimerId("0165-S1", "0165-R3", offset));
    ASSERT_TRUE(t.ok());
    EXPECT_FALSE(t->has_value());
  }
  auto roster = fx_->roster->Get(kM, "0165-C1");
  ASSERT_TRUE(roster.ok());
  EXPECT_TRUE(roster->participants.empty());
  EXPECT_EQ(roster->name, "Hold 9");
}

}  // namespace
}  // namespace kpr::notify
