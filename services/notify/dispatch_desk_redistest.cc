// Sending a recorded delivery against a real Redis, the harness's SMS gateway simulator and SMTP
// sink: the channel the citizen prefers (and the other one when that is blocked), quiet hours,
// the reminder that would arrive after its session, an unknown outcome retried with the same key,
// and a sender that died mid-attempt.

#include "absl/strings/match.h"
#include "gtest/gtest.h"
#include "services/notify/delivery_key.h"
#include "services/notify/dispatch_desk.h"
#include "services/notify/facts_desk.h"
#include "services/notify/notify_testing.h"

namespace kpr::notify {
namespace {

using intake::v1::CONTACT_CHANNEL_EMAIL;
using intake::v1::CONTACT_CHANNEL_PHONE_CALL;
using intake::v1::CONTACT_CHANNEL_SMS;
using kpr::testing::Servers;

constexpr char kM[] = "0165";
const absl::Time kMorning = absl::FromUnixSeconds(1'800'000'000);  // Fri 15 Jan 2027 09:00 CET

class DispatchDeskTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(kpr::testing::FlushRedis().ok());
    Servers::SmsGateway().Reset();
    ASSERT_TRUE(Servers::Smtp().Reset().ok());
    fx_ = std::make_unique<testing::NotifyFixture>();
    fx_->SetNow(kMorning);
    ctx_ = std::make_unique<NotifyContext>(fx_->Context());
    facts_ = std::make_unique<FactsDesk>(*ctx_);
    desk_ = std::make_unique<DispatchDesk>(*ctx_);
  }

  // Records a welcome for `referral` and returns its delivery id.
  std::string RecordWelcome(const std::string& referral, const std::string& event_id = "e1") {
    std::vector<std::string> ids;
    MessageIntent intent{v1::TRIGGER_WELCOME, referral, "", "", false};
    EXPECT_TRUE(facts_
                    ->Record(kM, TriggeringFact::Event(event_id), {intent}, v1::MessageFacts(),
                             ctx_->Now(), &ids)
                    .ok());
    return ids.at(0);
  }

  v1::Delivery Load(const std::string& id) {
    auto d = fx_->deliveries->Get(kM, id);
    EXPECT_TRUE(d.ok() && d->has_value());
    return (*d)->stored.delivery();
  }

  std::unique_ptr<testing::NotifyFixture> fx_;
  std::unique_ptr<NotifyContext> ctx_;
  std::unique_ptr<FactsDesk> facts_;
  std::unique_ptr<DispatchDesk> desk_;
};

TEST_F(DispatchDeskTest, SendsBySmsWithTheDeliveryAsIdempotencyKeyAndKeepsOnlyAMask) {
  fx_->contacts.contacts["0165-R1"] =
      testing::Contact("0165-R1", "+45 20 00 12 34", "anna@example.org", CONTACT_CHANNEL_SMS);
  const std::string id = RecordWelcome("0165-R1");
  ASSERT_TRUE(desk_->Dispatch(kM, id).ok());
  std::vector<kpr::testing::SimSms> sent = Servers::SmsGateway().Messages();
  ASSERT_EQ(sent.size(), 1u);
  EXPECT_EQ(sent[0].userref, UserrefFor(id));
  EXPECT_EQ(sent[0].msisdn, "4520001234");
  EXPECT_TRUE(absl::StartsWith(sent[0].message, "Hej Anna. Velkommen til Kultur på recept"))
      << sent[0].message;
  v1::Delivery d = Load(id);
  EXPECT_EQ(d.status(), v1::DELIVERY_STATUS_SENT);
  EXPECT_EQ(d.channel(), v1::CHANNEL_SMS);
  EXPECT_EQ(d.masked_recipient(), "+45 ** ** 12 34");
  EXPECT_EQ(d.provider_message_id(), std::to_string(sent[0].id));
  EXPECT_EQ(d.sms_segments(), 1);
  EXPECT_EQ(d.attempts(), 1);
  // Sending again changes nothing: the delivery is no longer pending.
  ASSERT_TRUE(desk_->Dispatch(kM, id).ok());
  EXPECT_EQ(Servers::SmsGateway().MessageCount(), 1u);
  // The body is sealed at rest: the clear text is nowhere in Redis.
  auto raw = fx_->pool->Command({"GET", absl::StrCat("kpr:{0165}:notify:d:", id)});
  ASSERT_TRUE(raw.ok());
  EXPECT_FALSE(absl::StrContains(raw->str(), "Velkommen"));
  EXPECT_FALSE(absl::StrContains(raw->str(), "20 00 12 34"));
}

TEST_F(DispatchDeskTest, HoldsAnSmsThroughQuietHoursButNotAnEmail) {
  fx_->SetNow(absl::FromUnixSeconds(1'800'000'000) + absl::Hours(13));  // 22:00 CET
  fx_->contacts.contacts["0165-R1"] =
      testing::Contact("0165-R1", "+4520001234", "", CONTACT_CHANNEL_SMS);
  fx_->contacts.contacts["0165-R2"] =
      testing::Contact("0165-R2", "", "bo@example.org", CONTACT_CHANNEL_EMAIL, "Bo");
  const std::string sms = RecordWelcome("0165-R1");
  const std::string mail = RecordWelcome("0165-R2");
  ASSERT_TRUE(desk_->Dispatch(kM, sms).ok());
  ASSERT_TRUE(desk_->Dispatch(kM, mail).ok());
  EXPECT_EQ(Servers::SmsGateway().MessageCount(), 0u);
  v1::Delivery held = Load(sms);
  EXPECT_EQ(held.status(), v1::DELIVERY_STATUS_PENDING);
  const absl::Time eight = kMorning + absl::Hours(23);  // Sat 08:00 CET
  EXPECT_EQ(held.send_at().seconds(), absl::ToUnixSeconds(eight));
  auto timer = fx_->timers->Get(kM, SendTimerId(sms));
  ASSERT_TRUE(timer.ok() && timer->has_value());
  EXPECT_EQ((*timer)->due, eight);
  EXPECT_EQ(Load(mail).status(), v1::DELIVERY_STATUS_SENT);
  EXPECT_EQ(Servers::Smtp().MessageCount(), 1u);
}

TEST_F(DispatchDeskTest, DropsAReminderThatQuietHoursWouldPushPastItsSession) {
  fx_->SetNow(kMorning + absl::Hours(13));  // 22:00 CET; the session starts 07:30 CET
  fx_->contacts.contacts["0165-R1"] =
      testing::Contact("0165-R1", "+4520001234", "", CONTACT_CHANNEL_SMS);
  v1::MessageFacts facts;
  const absl::Time start = kMorning + absl::Hours(22) + absl::Minutes(30);
  facts.mutable_session_start()->set_seconds(absl::ToUnixSeconds(start));
  MessageIntent intent{v1::TRIGGER_SESSION_REMINDER, "0165-R1", "c1", "s1", false};
  std::vector<std::string> ids;
  ASSERT_TRUE(facts_
                  ->Record(kM, TriggeringFact::Reminder("s1", start, absl::Hours(10)), {intent},
                           facts, ctx_->Now(), &ids)
                  .ok());
  ASSERT_TRUE(desk_->Dispatch(kM, ids[0]).ok());
  v1::Delivery d = Load(ids[0]);
  EXPECT_EQ(d.status(), v1::DELIVERY_STATUS_SKIPPED);
  EXPECT_EQ(d.reason(), v1::DELIVERY_REASON_QUIET_HOURS_PAST_SESSION);
  EXPECT_EQ(Servers::SmsGateway().MessageCount(), 0u);
}

TEST_F(DispatchDeskTest, AStoppedNumberFallsBackToEmailAndAPhoneCallIsSkippedWithTheReason) {
  fx_->contacts.contacts["0165-R1"] =
      testing::Contact("0165-R1", "+4520001234", "anna@example.org", CONTACT_CHANNEL_SMS);
  fx_->contacts.contacts["0165-R2"] =
      testing::Contact("0165-R2", "+4520005678", "", CONTACT_CHANNEL_PHONE_CALL, "Bo");
  ASSERT_TRUE(fx_->stop_list->Suppress("4520001234").ok());
  const std::string anna = RecordWelcome("0165-R1");
  const std::string bo = RecordWelcome("0165-R2");
  ASSERT_TRUE(desk_->Dispatch(kM, anna).ok());
  ASSERT_TRUE(desk_->Dispatch(kM, bo).ok());
  EXPECT_EQ(Servers::SmsGateway().MessageCount(), 0u);
  EXPECT_EQ(Load(anna).channel(), v1::CHANNEL_EMAIL);
  EXPECT_EQ(Load(anna).status(), v1::DELIVERY_STATUS_SENT);
  ASSERT_EQ(Servers::Smtp().MessageCount(), 1u);
  EXPECT_EQ(Servers::Smtp().Messages()[0].Header("Message-ID"), MessageIdFor(anna));
  EXPECT_EQ(Load(bo).status(), v1::DELIVERY_STATUS_SKIPPED);
  EXPECT_EQ(Load(bo).reason(), v1::DELIVERY_REASON_PREFERS_PHONE_CALL);
}

TEST_F(DispatchDeskTest, AnUnknownOutcomeIsRetriedWithTheSameKeyAndSentOnce) {
  fx_->contacts.contacts["0165-R1"] =
      testing::Contact("0165-R1", "+4520001234", "", CONTACT_CHANNEL_SMS);
  const std::string id = RecordWelcome("0165-R1");
  // The gateway takes the message but the answer is lost (a 504 after accepting).
  Servers::SmsGateway().FailNext(1, 504, /*after_accept=*/true);
  ASSERT_TRUE(desk_->Dispatch(kM, id).ok());
  v1::Delivery d = Load(id);
  EXPECT_EQ(d.status(), v1::DELIVERY_STATUS_PENDING);
  EXPECT_TRUE(d.outcome_unknown());
  auto timer = fx_->timers->Get(kM, SendTimerId(id));
  ASSERT_TRUE(timer.ok() && timer->has_value()) << "a retry is scheduled";
  fx_->SetNow((*timer)->due);
  ASSERT_TRUE(desk_->Dispatch(kM, id).ok());
  d = Load(id);
  EXPECT_EQ(d.status(), v1::DELIVERY_STATUS_SENT);
  EXPECT_EQ(d.attempts(), 2);
  EXPECT_FALSE(d.possibly_duplicated()) << "the simulator honours the userref";
  kpr::testing::SimStats stats = Servers::SmsGateway().stats();
  EXPECT_EQ(stats.accepted, 1);
  EXPECT_EQ(stats.duplicates, 1);
}

TEST_F(DispatchDeskTest, ADeliveryLeftSendingByADeadSenderIsRetriedNotForgotten) {
  fx_->contacts.contacts["0165-R1"] =
      testing::Contact("0165-R1", "+4520001234", "", CONTACT_CHANNEL_SMS);
  const std::string id = RecordWelcome("0165-R1");
  // A sender recorded SENDING and died before the answer.
  auto loaded = fx_->deliveries->Get(kM, id);
  ASSERT_TRUE(loaded.ok() && loaded->has_value());
  v1::StoredDelivery sending = (*loaded)->stored;
  auto begun = BeginAttempt(sending.delivery(), "primary", kMorning);
  ASSERT_TRUE(begun.ok());
  begun->set_channel(v1::CHANNEL_SMS);
  *sending.mutable_delivery() = *begun;
  ASSERT_TRUE(
      fx_->deliveries
          ->Update(sending, v1::DELIVERY_STATUS_PENDING, (*loaded)->version, {}, TimerChange())
          .ok());
  // Its timer's lease runs out and it fires again.
  ASSERT_TRUE(desk_->Dispatch(kM, id).ok());
  v1::Delivery d = Load(id);
  EXPECT_EQ(d.status(), v1::DELIVERY_STATUS_PENDING);
  EXPECT_TRUE(d.outcome_unknown());
  EXPECT_EQ(d.provider(), "primary");
  fx_->SetNow(kMorning + absl::Hours(1));
  ASSERT_TRUE(desk_->Dispatch(kM, id).ok());
  EXPECT_EQ(Load(id).status(), v1::DELIVERY_STATUS_SENT);
  EXPECT_EQ(Servers::SmsGateway().MessageCount(), 1u);
}

TEST_F(DispatchDeskTest, AReferralServiceOutageIsARetryNotADrop) {
  fx_->contacts.contacts["0165-R1"] =
      testing::Contact("0165-R1", "+4520001234", "", CONTACT_CHANNEL_SMS);
  fx_->contacts.down = true;
  const std::string id = RecordWelcome("0165-R1");
  EXPECT_EQ(desk_->Dispatch(kM, id).code(), absl::StatusCode::kUnavailable);
  EXPECT_EQ(Load(id).status(), v1::DELIVERY_STATUS_PENDING);
  fx_->contacts.down = false;
  ASSERT_TRUE(desk_->Dispatch(kM, id).ok());
  EXPECT_EQ(Load(id).status(), v1::DELIVERY_STATUS_SENT);
}

TEST_F(DispatchDeskTest, TheBodyIsPurgedAfterTheRetentionAndTheRecordStays) {
  fx_->contacts.contacts["0165-R1"] =
      testing::Contact("0165-R1", "+4520001234", "", CONTACT_CHANNEL_SMS);
  const std::string id = RecordWelcome("0165-R1");
  ASSERT_TRUE(desk_->Dispatch(kM, id).ok());
  auto loaded = fx_->deliveries->Get(kM, id);
  ASSERT_TRUE(loaded.ok() && loaded->has_value());
  auto body = ctx_->OpenBody((*loaded)->stored);
  ASSERT_TRUE(body.ok());
  EXPECT_TRUE(absl::StartsWith(body->sms_text(), "Hej Anna.")) << body->sms_text();
  // Once sent, the delivery's timer waits out the retention, then purges.
  auto purge = fx_->timers->Get(kM, SendTimerId(id));
  ASSERT_TRUE(purge.ok() && purge->has_value());
  EXPECT_EQ((*purge)->due, kMorning + ctx_->options.body_retention);
  ASSERT_TRUE(desk_->OnSendTimer(**purge).ok());
  loaded = fx_->deliveries->Get(kM, id);
  ASSERT_TRUE(loaded.ok() && loaded->has_value());
  EXPECT_TRUE((*loaded)->stored.sealed_body().empty());
  EXPECT_TRUE((*loaded)->stored.sealed_facts().empty());
  EXPECT_EQ((*loaded)->stored.delivery().status(), v1::DELIVERY_STATUS_SENT);
}

TEST_F(DispatchDeskTest, APassLooksUpTheContactsOfItsPendingSendsOnce) {
  fx_->contacts.contacts["0165-R1"] =
      testing::Contact("0165-R1", "+4520001234", "", CONTACT_CHANNEL_SMS);
  fx_->contacts.contacts["0165-R2"] =
      testing::Contact("0165-R2", "", "bo@example.org", CONTACT_CHANNEL_EMAIL, "Bo");
  fx_->contacts.contacts["0165-R4"] =
      testing::Contact("0165-R4", "+4520004444", "", CONTACT_CHANNEL_SMS);
  const std::string r1 = RecordWelcome("0165-R1");
  const std::string r2 = RecordWelcome("0165-R2");
  const std::string unknown = RecordWelcome("0165-R3");
  const std::string sent = RecordWelcome("0165-R4");
  ASSERT_TRUE(desk_->Dispatch(kM, sent).ok());
  const int lookups_before = fx_->contacts.lookups;
  std::vector<timer::Timer> pass;
  for (const std::string& id : {r1, r2, unknown, sent}) {
    pass.push_back({kM, SendTimerId(id), ctx_->Now(), "", 0});
  }
  desk_->Prefetch(pass);
  EXPECT_EQ(fx_->contacts.lookups, lookups_before + 1);
  for (const std::string& id : {r1, r2, unknown, sent}) ASSERT_TRUE(desk_->Dispatch(kM, id).ok());
  EXPECT_EQ(fx_->contacts.lookups, lookups_before + 1) << "the sends used what the pass fetched";
  EXPECT_EQ(Load(r1).status(), v1::DELIVERY_STATUS_SENT);
  EXPECT_EQ(Load(r2).status(), v1::DELIVERY_STATUS_SENT);
  EXPECT_EQ(Load(unknown).reason(), v1::DELIVERY_REASON_NO_CONTACT_POINT);
  EXPECT_EQ(Servers::SmsGateway().MessageCount(), 2u);
  EXPECT_EQ(Servers::Smtp().MessageCount(), 1u);
  // Taken once: a later send of the same citizen asks kpr-referral again.
  const std::string again = RecordWelcome("0165-R1", "e2");
  ASSERT_TRUE(desk_->Dispatch(kM, again).ok());
  EXPECT_EQ(fx_->contacts.lookups, lookups_before + 2);
}

}  // namespace
}  // namespace kpr::notify
