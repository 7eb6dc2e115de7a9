// The coordinator's deliveries against a real Redis and the simulator: SendMessage to a cohort
// records one delivery per participant and, sent again with the same request id, nothing new;
// ListDeliveries filters by referral, cohort and status and shows only masked contact points;
// another municipality's coordinator is refused.

#include "absl/strings/match.h"
#include "gtest/gtest.h"
#include "services/notify/delivery_desk.h"
#include "services/notify/dispatch_desk.h"
#include "services/notify/notify_testing.h"

namespace kpr::notify {
namespace {

using kpr::testing::Servers;

constexpr char kM[] = "0165";

identity::Caller Coordinator(const std::string& m = kM) {
  identity::Caller c;
  c.claims.subject = "coordinator-1";
  c.claims.role = identity::Role::kCoordinator;
  c.claims.municipalities = {m};
  c.claims.expires_at = absl::Now() + absl::Hours(1);
  return c;
}

class DeliveryDeskTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(kpr::testing::FlushRedis().ok());
    Servers::SmsGateway().Reset();
    fx_ = std::make_unique<testing::NotifyFixture>();
    ctx_ = std::make_unique<NotifyContext>(fx_->Context());
    facts_ = std::make_unique<FactsDesk>(*ctx_);
    dispatch_ = std::make_unique<DispatchDesk>(*ctx_);
    desk_ = std::make_unique<DeliveryDesk>(*ctx_, *facts_);
    for (int i = 1; i <= 3; ++i) {
      const std::string id = absl::StrCat("0165-R", i);
      fx_->contacts.contacts[id] = testing::Contact(id, absl::StrCat("+45200000", 10 + i), "",
                                                    intake::v1::CONTACT_CHANNEL_SMS);
      ASSERT_TRUE(fx_->roster->AddParticipant(kM, "0165-C1", id).ok());
    }
    ASSERT_TRUE(fx_->roster->PutCohort(kM, "0165-C1", "sund-med-kultur", "Hold 9").ok());
  }

  v1::SendMessageRequest ToCohort(const std::string& request_id) {
    v1::SendMessageRequest req;
    req.set_municipality(kM);
    req.set_request_id(request_id);
    req.set_cohort_id("0165-C1");
    req.set_text("Husk madpakke i morgen");
    return req;
  }

  std::unique_ptr<testing::NotifyFixture> fx_;
  std::unique_ptr<NotifyContext> ctx_;
  std::unique_ptr<FactsDesk> facts_;
  std::unique_ptr<DispatchDesk> dispatch_;
  std::unique_ptr<DeliveryDesk> desk_;
};

TEST_F(DeliveryDeskTest, AMessageToACohortGoesOnceToEachParticipantEvenWhenSentTwice) {
  auto first = desk_->SendMessage(ToCohort("req-1"), Coordinator());
  ASSERT_TRUE(first.ok()) << first.status();
  EXPECT_EQ(first->queued(), 3);
  ASSERT_EQ(first->delivery_ids_size(), 3);
  auto again = desk_->SendMessage(ToCohort("req-1"), Coordinator());
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(std::vector<std::string>(again->delivery_ids().begin(), again->delivery_ids().end()),
            std::vector<std::string>(first->delivery_ids().begin(), first->delivery_ids().end()));
  for (const std::string& id : first->delivery_ids()) ASSERT_TRUE(dispatch_->Dispatch(kM, id).ok());
  for (const std::string& id : again->delivery_ids()) ASSERT_TRUE(dispatch_->Dispatch(kM, id).ok());
  std::vector<kpr::testing::SimSms> sent = Servers::SmsGateway().Messages();
  ASSERT_EQ(sent.size(), 3u);
  EXPECT_TRUE(absl::StrContains(sent[0].message, "Husk madpakke i morgen")) << sent[0].message;
  // A new request id is a new message.
  auto other = desk_->SendMessage(ToCohort("req-2"), Coordinator());
  ASSERT_TRUE(other.ok());
  EXPECT_NE(other->delivery_ids(0), first->delivery_ids(0));
}

TEST_F(DeliveryDeskTest, RefusesBadRequestsNamingTheFieldsAndOtherMunicipalities) {
  v1::SendMessageRequest bad = ToCohort("");
  bad.add_referral_ids("0183-R1");
  bad.set_text("");
  auto st = desk_->SendMessage(bad, Coordinator()).status();
  EXPECT_EQ(st.code(), absl::StatusCode::kInvalidArgument);
  for (const char* field : {"request_id", "text", "referral_ids[0]"}) {
    EXPECT_TRUE(absl::StrContains(st.message(), field)) << st.message();
  }
  EXPECT_EQ(desk_->SendMessage(ToCohort("req-1"), Coordinator("0183")).status().code(),
            absl::StatusCode::kPermissionDenied);
  v1::ListDeliveriesRequest list;
  list.set_municipality(kM);
  EXPECT_EQ(desk_->ListDeliveries(list, Coordinator()).status().code(),
            absl::StatusCode::kInvalidArgument)
      << "one of referral, cohort or status is required";
}

TEST_F(DeliveryDeskTest, ListsByReferralCohortAndStatusWithMaskedContactsOnly) {
  auto sent = desk_->SendMessage(ToCohort("req-1"), Coordinator());
  ASSERT_TRUE(sent.ok());
  ASSERT_TRUE(dispatch_->Dispatch(kM, sent->delivery_ids(0)).ok());
  v1::ListDeliveriesRequest by_cohort;
  by_cohort.set_municipality(kM);
  by_cohort.set_cohort_id("0165-C1");
  auto cohort = desk_->ListDeliveries(by_cohort, Coordinator());
  ASSERT_TRUE(cohort.ok()) << cohort.status();
  EXPECT_EQ(cohort->deliveries_size(), 3);
  v1::ListDeliveriesRequest by_status;
  by_status.set_municipality(kM);
  by_status.set_status(v1::DELIVERY_STATUS_SENT);
  auto done = desk_->ListDeliveries(by_status, Coordinator());
  ASSERT_TRUE(done.ok());
  ASSERT_EQ(done->deliveries_size(), 1);
  EXPECT_EQ(done->deliveries(0).masked_recipient(), "+45 ** ** 00 11");
  v1::ListDeliveriesRequest by_referral;
  by_referral.set_municipality(kM);
  by_referral.set_referral_id("0165-R2");
  auto one = desk_->ListDeliveries(by_referral, Coordinator());
  ASSERT_TRUE(one.ok());
  ASSERT_EQ(one->deliveries_size(), 1);
  EXPECT_EQ(one->deliveries(0).status(), v1::DELIVERY_STATUS_PENDING);
  EXPECT_EQ(one->deliveries(0).trigger(), v1::TRIGGER_COORDINATOR_MESSAGE);
}

}  // namespace
}  // namespace kpr::notify
