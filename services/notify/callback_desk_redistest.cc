// The gateway's callbacks against a real Redis: a report or reply without a valid signature is
// refused, reports move a delivery once and in order (a transient status after a final one is
// ignored), a report that overtakes our record of the acceptance is refused for now so the
// gateway sends it again, and a STOP reply suppresses the number for every municipality.

#include "gtest/gtest.h"
#include "services/notify/callback_desk.h"
#include "services/notify/callback_signature.h"
#include "services/notify/delivery_key.h"
#include "services/notify/dispatch_desk.h"
#include "services/notify/facts_desk.h"
#include "services/notify/notify_testing.h"
#include "tests/harness/sms_report_sender.h"

namespace kpr::notify {
namespace {

using kpr::testing::Servers;
using kpr::testing::SimDeliveryReport;

constexpr char kM[] = "0165";
constexpr char kSecret[] = "callback-secret";

observe::HttpRequest Signed(const std::string& body, const std::string& secret = kSecret) {
  observe::HttpRequest r;
  r.method = "POST";
  r.path = kReportPath;
  r.body = body;
  r.headers.push_back({kCallbackSignatureHeader, CallbackSignature(secret, body)});
  return r;
}

class CallbackDeskTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(kpr::testing::FlushRedis().ok());
    Servers::SmsGateway().Reset();
    fx_ = std::make_unique<testing::NotifyFixture>();
    ctx_ = std::make_unique<NotifyContext>(fx_->Context());
    facts_ = std::make_unique<FactsDesk>(*ctx_);
    dispatch_ = std::make_unique<DispatchDesk>(*ctx_);
    desk_ = std::make_unique<CallbackDesk>(*ctx_, kSecret);
    fx_->contacts.contacts["0165-R1"] =
        testing::Contact("0165-R1", "+4520001234", "", intake::v1::CONTACT_CHANNEL_SMS);
    std::vector<std::string> ids;
    MessageIntent intent{v1::TRIGGER_WELCOME, "0165-R1", "", "", false};
    ASSERT_TRUE(facts_
                    ->Record(kM, TriggeringFact::Event("e1"), {intent}, v1::MessageFacts(),
                             ctx_->Now(), &ids)
                    .ok());
    id_ = ids[0];
  }

  std::string Report(const std::string& status) {
    SimDeliveryReport r;
    r.id = 1000001;
    r.msisdn = "4520001234";
    r.time = absl::Now();
    r.status = status;
    r.userref = UserrefFor(id_);
    return kpr::testing::ReportJson(r);
  }

  v1::Delivery Load() {
    auto d = fx_->deliveries->Get(kM, id_);
    EXPECT_TRUE(d.ok() && d->has_value());
    return (*d)->stored.delivery();
  }

  std::unique_ptr<testing::NotifyFixture> fx_;
  std::unique_ptr<NotifyContext> ctx_;
  std::unique_ptr<FactsDesk> facts_;
  std::unique_ptr<DispatchDesk> dispatch_;
  std::unique_ptr<CallbackDesk> desk_;
  std::string id_;
};

TEST_F(CallbackDeskTest, RefusesAnUnsignedOrWronglySignedReportAndChangesNothing) {
  ASSERT_TRUE(dispatch_->Dispatch(kM, id_).ok());
  observe::HttpRequest unsigned_report;
  unsigned_report.body = Report("DELIVERED");
  EXPECT_EQ(desk_->OnDeliveryReport(unsigned_report).status, 401);
  EXPECT_EQ(desk_->OnDeliveryReport(Signed(Report("DELIVERED"), "another-secret")).status, 401);
  observe::HttpRequest tampered = Signed(Report("UNDELIVERABLE"));
  tampered.body = Report("DELIVERED");
  EXPECT_EQ(desk_->OnDeliveryReport(tampered).status, 401);
  EXPECT_EQ(Load().status(), v1::DELIVERY_STATUS_SENT);
  // And a receiver with no secret configured refuses everything.
  CallbackDesk unconfigured(*ctx_, "");
  EXPECT_EQ(unconfigured.OnDeliveryReport(Signed(Report("DELIVERED"))).status, 401);
}

TEST_F(CallbackDeskTest, AFinalStatusWinsOnceAndATransientOneAfterItIsIgnored) {
  ASSERT_TRUE(dispatch_->Dispatch(kM, id_).ok());
  EXPECT_EQ(desk_->OnDeliveryReport(Signed(Report("ENROUTE"))).status, 200);
  EXPECT_EQ(Load().status(), v1::DELIVERY_STATUS_SENT);
  EXPECT_EQ(desk_->OnDeliveryReport(Signed(Report("DELIVERED"))).status, 200);
  EXPECT_EQ(Load().status(), v1::DELIVERY_STATUS_DELIVERED);
  const int64_t version = Load().version();
  // Out of order and repeated: nothing moves.
  EXPECT_EQ(desk_->OnDeliveryReport(Signed(Report("BUFFERED"))).status, 200);
  EXPECT_EQ(desk_->OnDeliveryReport(Signed(Report("DELIVERED"))).status, 200);
  EXPECT_EQ(desk_->OnDeliveryReport(Signed(Report("UNDELIVERABLE"))).status, 200);
  EXPECT_EQ(Load().status(), v1::DELIVERY_STATUS_DELIVERED);
  EXPECT_EQ(Load().version(), version);
  // One message_sent and one message_delivered in the outbox, nothing more.
  auto outbox = fx_->pool->Command({"XLEN", "kpr:{0165}:notify:outbox"});
  ASSERT_TRUE(outbox.ok());
  EXPECT_EQ(outbox->integer(), 2);
}

TEST_F(CallbackDeskTest, AReportBeforeTheAcceptanceIsRecordedIsRefusedForNow) {
  // Never sent: a report about it changes nothing.
  EXPECT_EQ(desk_->OnDeliveryReport(Signed(Report("DELIVERED"))).status, 200);
  EXPECT_EQ(Load().status(), v1::DELIVERY_STATUS_PENDING);
  // SENDING on record, the gateway's answer not yet: the report overtook it.
  auto loaded = fx_->deliveries->Get(kM, id_);
  ASSERT_TRUE(loaded.ok() && loaded->has_value());
  v1::StoredDelivery sending = (*loaded)->stored;
  auto begun = BeginAttempt(sending.delivery(), "primary", ctx_->Now());
  ASSERT_TRUE(begun.ok());
  begun->set_channel(v1::CHANNEL_SMS);
  *sending.mutable_delivery() = *begun;
  ASSERT_TRUE(
      fx_->deliveries
          ->Update(sending, v1::DELIVERY_STATUS_PENDING, (*loaded)->version, {}, TimerChange())
          .ok());
  EXPECT_EQ(desk_->OnDeliveryReport(Signed(Report("DELIVERED"))).status, 409);
  // The sender died; the outcome is unknown and a retry is due: still too early.
  ASSERT_TRUE(dispatch_->Dispatch(kM, id_).ok());
  EXPECT_EQ(Load().status(), v1::DELIVERY_STATUS_PENDING);
  EXPECT_EQ(desk_->OnDeliveryReport(Signed(Report("DELIVERED"))).status, 409);
  fx_->SetNow(ctx_->Now() + absl::Hours(1));
  ASSERT_TRUE(dispatch_->Dispatch(kM, id_).ok());
  EXPECT_EQ(Load().status(), v1::DELIVERY_STATUS_SENT);
  EXPECT_EQ(desk_->OnDeliveryReport(Signed(Report("DELIVERED"))).status, 200);
  EXPECT_EQ(Load().status(), v1::DELIVERY_STATUS_DELIVERED);
}

TEST_F(CallbackDeskTest, MalformedBodiesAre400AndForeignUserrefsAreAcknowledged) {
  EXPECT_EQ(desk_->OnDeliveryReport(Signed("not json")).status, 400);
  SimDeliveryReport r;
  r.status = "DELIVERED";
  r.userref = "someone-elses-reference";
  EXPECT_EQ(desk_->OnDeliveryReport(Signed(kpr::testing::ReportJson(r))).status, 200);
}

TEST_F(CallbackDeskTest, AStopReplySuppressesTheNumberAndTheNextMessageIsSkipped) {
  auto reply = [](const std::string& text) {
    return Signed(absl::StrCat(R"({"id":7,"msisdn":4520001234,"receiver":1204,"message":")", text,
                               R"(","senttime":1800000000})"));
  };
  EXPECT_EQ(desk_->OnInboundReply(reply("Tak for i dag")).status, 200);
  auto stopped = fx_->stop_list->AreSuppressed({"+45 20 00 12 34"});
  ASSERT_TRUE(stopped.ok());
  EXPECT_FALSE(stopped->at(0));
  observe::HttpRequest unsigned_stop = reply("STOP");
  unsigned_stop.headers.clear();
  EXPECT_EQ(desk_->OnInboundReply(unsigned_stop).status, 401);
  EXPECT_EQ(desk_->OnInboundReply(reply("afmeld tak")).status, 200);
  stopped = fx_->stop_list->AreSuppressed({"+45 20 00 12 34"});
  ASSERT_TRUE(stopped.ok());
  EXPECT_TRUE(stopped->at(0));
  // The number has no e-mail to fall back on: the welcome is skipped with the reason.
  ASSERT_TRUE(dispatch_->Dispatch(kM, id_).ok());
  EXPECT_EQ(Load().status(), v1::DELIVERY_STATUS_SKIPPED);
  EXPECT_EQ(Load().reason(), v1::DELIVERY_REASON_SUPPRESSED);
  EXPECT_EQ(Servers::SmsGateway().MessageCount(), 0u);
}

}  // namespace
}  // namespace kpr::notify
