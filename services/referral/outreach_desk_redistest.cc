// Notify's read of contact points against a real Redis: only the contact points, first name and
// language come out, only for the service role, only for the caller's municipality, and every
// referral read is in the audit trail first.

#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "gtest/gtest.h"
#include "services/referral/outreach_desk.h"
#include "tests/support/referral_fixture.h"

namespace kpr::referral {
namespace {

class OutreachDeskTest : public testing::ReferralDeskTest {
 protected:
  void SetUp() override {
    ReferralDeskTest::SetUp();
    coordinator_.claims.subject = "coordinator-1";
    coordinator_.claims.role = identity::Role::kCoordinator;
    coordinator_.claims.municipalities = {"0165"};
    notify_.claims.subject = "kpr-notify";
    notify_.claims.role = identity::Role::kService;
    notify_.claims.municipalities = {"0165"};
  }

  std::string Submit(int n) {
    auto r = desks_->intake.Submit(testing::SyntheticSubmission(n, "0165"), coordinator_);
    EXPECT_TRUE(r.ok()) << r.status();
    return r.ok() ? r->first.id() : "";
  }

  int64_t AuditLength() {
    auto r = pool_->Command({"XLEN", privacy::AuditTrail::StreamKey("0165")});
    return r.ok() ? r->integer() : -1;
  }

  v1::GetContactPointsRequest Request(const std::vector<std::string>& ids) {
    v1::GetContactPointsRequest req;
    req.set_municipality("0165");
    for (const auto& id : ids) req.add_referral_ids(id);
    return req;
  }

  Caller coordinator_;
  Caller notify_;
};

TEST_F(OutreachDeskTest, ReturnsTheContactPointsOnlyAndAuditsEachRead) {
  const std::string a = Submit(1);
  const std::string b = Submit(2);
  const std::string unknown = "0165-0000000000000000000000GHST";
  const int64_t audited_before = AuditLength();
  auto resp = desks_->outreach.GetContactPoints(Request({b, unknown, a}), notify_);
  ASSERT_TRUE(resp.ok()) << resp.status();
  ASSERT_EQ(resp->contact_points_size(), 2);
  EXPECT_EQ(resp->contact_points(0).referral_id(), b);
  EXPECT_EQ(resp->contact_points(1).referral_id(), a);
  const auto submitted = testing::SyntheticSubmission(1, "0165");
  EXPECT_EQ(resp->contact_points(1).given_name(), submitted.citizen().given_name());
  // As the intake normalized it (E.164).
  EXPECT_EQ(resp->contact_points(1).phone(), "+45" + submitted.citizen().phone());
  EXPECT_EQ(resp->contact_points(1).email(), submitted.citizen().email());
  EXPECT_EQ(resp->contact_points(1).preferred_channel(), submitted.citizen().preferred_channel());
  ASSERT_EQ(resp->not_found_size(), 1);
  EXPECT_EQ(resp->not_found(0), unknown);
  // Nothing else of the contact: no CPR number, family name, reason or notes.
  const std::string wire = resp->SerializeAsString();
  EXPECT_EQ(wire.find(submitted.citizen().cpr()), std::string::npos);
  EXPECT_EQ(wire.find(absl::StrReplaceAll(submitted.citizen().cpr(), {{"-", ""}})),
            std::string::npos);
  EXPECT_EQ(wire.find(submitted.citizen().family_name()), std::string::npos);
  EXPECT_EQ(AuditLength(), audited_before + 2);  // the two found, each once
}

TEST_F(OutreachDeskTest, OnlyTheServiceRoleOfTheMunicipalityMayAsk) {
  const std::string a = Submit(3);
  EXPECT_EQ(desks_->outreach.GetContactPoints(Request({a}), coordinator_).status().code(),
            absl::StatusCode::kPermissionDenied);
  Caller other = notify_;
  other.claims.municipalities = {"0183"};
  EXPECT_EQ(desks_->outreach.GetContactPoints(Request({a}), other).status().code(),
            absl::StatusCode::kPermissionDenied);
  // An id of another municipality inside a 0165 request is refused, naming the field.
  auto mixed =
      desks_->outreach.GetContactPoints(Request({a, "0183-0000000000000000000000GHST"}), notify_);
  EXPECT_EQ(mixed.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(mixed.status().message().find("referral_ids[1]"), std::string::npos);
  std::vector<std::string> too_many(kMaxContactPointsPerCall + 1, a);
  EXPECT_EQ(desks_->outreach.GetContactPoints(Request(too_many), notify_).status().code(),
            absl::StatusCode::kInvalidArgument);
}

TEST_F(OutreachDeskTest, NoAuditTrailNoContactPoints) {
  const std::string a = Submit(4);
  testing::Servers::Redis().Stop();
  auto resp = desks_->outreach.GetContactPoints(Request({a}), notify_);
  ASSERT_TRUE(testing::Servers::Redis().Start().ok());
  EXPECT_FALSE(resp.ok());
  EXPECT_EQ(resp.status().code(), absl::StatusCode::kUnavailable);
}

}  // namespace
}  // namespace kpr::referral
