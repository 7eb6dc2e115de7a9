// Tenant isolation and roles for every ReferralService RPC, over real gRPC against a referral
// server running in this process on the harness's real Redis and NATS.

#include <hiredis/hiredis.h>

#include <set>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "grpcpp/grpcpp.h"
#include "gtest/gtest.h"
#include "kpr/common/v1/event.pb.h"
#include "kpr/referral/v1/events.pb.h"
#include "kpr/referral/v1/referral_service.grpc.pb.h"
#include "libs/rpc/auth.h"
#include "services/referral/referral_server.h"
#include "tests/support/referral_testing.h"

namespace kpr::testing {
namespace {

namespace rv1 = ::kpr::referral::v1;
using identity::Role;

class ReferralAccess : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    ASSERT_TRUE(FlushRedis().ok());
    ASSERT_TRUE(DeleteAllStreams().ok());
    secrets_ = new Secrets(WriteSecrets(Servers::Dir()));
    rpc::ServiceConfig config = HarnessServiceConfig(*secrets_);
    auto server = referral::ReferralServer::Start(config, {});
    ASSERT_TRUE(server.ok()) << server.status();
    server_ = server->release();
    ASSERT_TRUE(Eventually([] { return server_->healthy(); }, absl::Seconds(10)));
    stub_ = rv1::ReferralService::NewStub(
                grpc::CreateChannel(absl::StrCat("127.0.0.1:", server_->grpc_port()),
                                    grpc::InsecureChannelCredentials()))
                .release();
  }
  static void TearDownTestSuite() {
    delete stub_;
    server_->Shutdown(absl::Seconds(1));
    delete server_;
    delete secrets_;
  }

  static std::string Token(Role role, std::vector<std::string> ms, std::string sub = "tester") {
    return MakeToken(secrets_->jwt_secret, role, std::move(ms), std::move(sub));
  }

  struct Ctx {
    grpc::ClientContext ctx;
    explicit Ctx(const std::string& token) {
      if (!token.empty()) rpc::SetBearerToken(ctx, token);
      ctx.set_deadline(absl::ToChronoTime(absl::Now() + absl::Seconds(10)));
    }
  };

  static grpc::Status Submit(const std::string& token, const intake::v1::ReferralSubmitted& s,
                             rv1::SubmitReferralResponse* resp) {
    Ctx c(token);
    rv1::SubmitReferralRequest req;
    *req.mutable_submission() = s;
    return stub_->SubmitReferral(&c.ctx, req, resp);
  }
  static grpc::Status Get(const std::string& token, const std::string& id,
                          rv1::Referral* out = nullptr) {
    Ctx c(token);
    rv1::GetReferralRequest req;
    req.set_id(id);
    rv1::Referral resp;
    grpc::Status st = stub_->GetReferral(&c.ctx, req, &resp);
    if (out) *out = resp;
    return st;
  }
  static grpc::Status List(const std::string& token, rv1::ListReferralsRequest req,
                           rv1::ListReferralsResponse* resp) {
    Ctx c(token);
    return stub_->ListReferrals(&c.ctx, req, resp);
  }
  static grpc::Status Update(const std::string& token, const std::string& id, int64_t version,
                             rv1::ReferralStatus status,
                             rv1::StatusReason reason = rv1::STATUS_REASON_UNSPECIFIED,
                             rv1::Referral* out = nullptr, std::string note = "") {
    Ctx c(token);
    rv1::UpdateReferralStatusRequest req;
    req.set_id(id);
    req.set_expected_version(version);
    req.set_status(status);
    req.set_reason(reason);
    req.set_note(note);
    rv1::Referral resp;
    grpc::Status st = stub_->UpdateReferralStatus(&c.ctx, req, &resp);
    if (out) *out = resp;
    return st;
  }
  static grpc::Status Contact(const std::string& token, const std::string& id,
                              rv1::Contact* out = nullptr) {
    Ctx c(token);
    rv1::GetContactRequest req;
    req.set_id(id);
    rv1::Contact resp;
    grpc::Status st = stub_->GetContact(&c.ctx, req, &resp);
    if (out) *out = resp;
    return st;
  }
  static grpc::Status Funnel(const std::string& token, const std::string& m,
                             rv1::Funnel* out = nullptr) {
    Ctx c(token);
    rv1::GetFunnelRequest req;
    req.set_municipality(m);
    rv1::Funnel resp;
    grpc::Status st = stub_->GetFunnel(&c.ctx, req, &resp);
    if (out) *out = resp;
    return st;
  }

  // A fresh referral in `m` sent by caseworker `cw`, created by a coordinator.
  static rv1::Referral NewReferral(const std::string& m, const std::string& cw) {
    static int n = 100;
    auto s = SyntheticSubmission(++n, m, "access");
    s.mutable_referrer()->set_caseworker_id(cw);
    rv1::SubmitReferralResponse resp;
    grpc::Status st = Submit(Token(Role::kCoordinator, {m}), s, &resp);
    EXPECT_TRUE(st.ok()) << st.error_message();
    return resp.referral();
  }

  static int64_t AuditLength(const std::string& m) {
    redisContext* c = redisConnect("127.0.0.1", Servers::Redis().port());
    auto* r = static_cast<redisReply*>(redisCommand(c, "XLEN kpr:{%s}:audit", m.c_str()));
    int64_t n = r ? r->integer : -1;
    if (r) freeReplyObject(r);
    redisFree(c);
    return n;
  }

  static Secrets* secrets_;
  static referral::ReferralServer* server_;
  static rv1::ReferralService::Stub* stub_;
};

Secrets* ReferralAccess::secrets_ = nullptr;
referral::ReferralServer* ReferralAccess::server_ = nullptr;
rv1::ReferralService::Stub* ReferralAccess::stub_ = nullptr;

TEST_F(ReferralAccess, EveryRpcRejectsMissingAndForgedTokens) {
  rv1::Referral r = NewReferral("0165", "cw-a");
  std::string forged = MakeToken("not the secret", Role::kCoordinator, {"0165"});
  for (const std::string& token : {std::string(), forged}) {
    rv1::SubmitReferralResponse sr;
    EXPECT_EQ(Submit(token, SyntheticSubmission(1, "0165"), &sr).error_code(),
              grpc::StatusCode::UNAUTHENTICATED);
    EXPECT_EQ(Get(token, r.id()).error_code(), grpc::StatusCode::UNAUTHENTICATED);
    rv1::ListReferralsRequest lr;
    lr.set_municipality("0165");
    rv1::ListReferralsResponse lresp;
    EXPECT_EQ(List(token, lr, &lresp).error_code(), grpc::StatusCode::UNAUTHENTICATED);
    EXPECT_EQ(Update(token, r.id(), 1, rv1::REFERRAL_STATUS_UNDER_REVIEW).error_code(),
              grpc::StatusCode::UNAUTHENTICATED);
    EXPECT_EQ(Contact(token, r.id()).error_code(), grpc::StatusCode::UNAUTHENTICATED);
    EXPECT_EQ(Funnel(token, "0165").error_code(), grpc::StatusCode::UNAUTHENTICATED);
  }
}

TEST_F(ReferralAccess, NoRoleReachesAnotherMunicipality) {
  rv1::Referral theirs = NewReferral("0183", "cw-b");
  for (Role role : {Role::kCaseworker, Role::kCoordinator, Role::kAnalyst, Role::kAdmin,
                    Role::kService, Role::kInstructor}) {
    std::string token = Token(role, {"0165"}, "cw-b");  // even the right caseworker id
    SCOPED_TRACE(std::string(identity::RoleName(role)));
    rv1::SubmitReferralResponse sr;
    EXPECT_EQ(Submit(token, SyntheticSubmission(7, "0183"), &sr).error_code(),
              grpc::StatusCode::PERMISSION_DENIED);
    EXPECT_EQ(Get(token, theirs.id()).error_code(), grpc::StatusCode::PERMISSION_DENIED);
    rv1::ListReferralsRequest lr;
    lr.set_municipality("0183");
    rv1::ListReferralsResponse lresp;
    EXPECT_EQ(List(token, lr, &lresp).error_code(), grpc::StatusCode::PERMISSION_DENIED);
    EXPECT_EQ(Update(token, theirs.id(), theirs.version(), rv1::REFERRAL_STATUS_WITHDRAWN,
                     rv1::STATUS_REASON_OTHER)
                  .error_code(),
              grpc::StatusCode::PERMISSION_DENIED);
    EXPECT_EQ(Contact(token, theirs.id()).error_code(), grpc::StatusCode::PERMISSION_DENIED);
    EXPECT_EQ(Funnel(token, "0183").error_code(), grpc::StatusCode::PERMISSION_DENIED);
  }
  // And nothing of 0183 shows in 0165's list.
  rv1::ListReferralsRequest lr;
  lr.set_municipality("0165");
  lr.set_page_size(500);
  rv1::ListReferralsResponse lresp;
  ASSERT_TRUE(List(Token(Role::kCoordinator, {"0165"}), lr, &lresp).ok());
  for (const auto& r : lresp.referrals()) EXPECT_EQ(r.municipality(), "0165");
}

TEST_F(ReferralAccess, SubmitReferralRolesValidationAndDeduplication) {
  auto s = SyntheticSubmission(501, "0165", "paper");
  rv1::SubmitReferralResponse resp;
  for (Role role : {Role::kAnalyst, Role::kInstructor, Role::kAdmin}) {
    EXPECT_EQ(Submit(Token(role, {"0165"}), s, &resp).error_code(),
              grpc::StatusCode::PERMISSION_DENIED);
  }
  // A caseworker refers in their own name, whatever the submission says.
  ASSERT_TRUE(Submit(Token(Role::kCaseworker, {"0165"}, "cw-self"), s, &resp).ok());
  EXPECT_TRUE(resp.created());
  EXPECT_EQ(resp.referral().referrer().caseworker_id(), "cw-self");
  EXPECT_EQ(resp.referral().status(), rv1::REFERRAL_STATUS_RECEIVED);
  std::string id = resp.referral().id();
  // Same (source_system, external_id) again: the same referral, not a new one.
  rv1::SubmitReferralResponse again;
  ASSERT_TRUE(Submit(Token(Role::kCaseworker, {"0165"}, "cw-self"), s, &again).ok());
  EXPECT_FALSE(again.created());
  EXPECT_EQ(again.referral().id(), id);
  // Invalid fields are named.
  auto bad = SyntheticSubmission(502, "0165", "paper");
  bad.mutable_citizen()->set_cpr("999999-9999");
  bad.clear_target_group();
  grpc::Status st = Submit(Token(Role::kCoordinator, {"0165"}), bad, &resp);
  EXPECT_EQ(st.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_NE(st.error_message().find("citizen.cpr"), std::string::npos);
  EXPECT_NE(st.error_message().find("target_group"), std::string::npos);
  EXPECT_EQ(st.error_message().find("999999"), std::string::npos);
  // A service identity may submit too (an integration over gRPC).
  ASSERT_TRUE(
      Submit(Token(Role::kService, {"0165"}), SyntheticSubmission(503, "0165", "paper"), &resp)
          .ok());
}

// The admin role manages the catalog: it may see the funnel's counts, never a citizen's referral.
TEST_F(ReferralAccess, AdminKeepsTheFunnelButNeitherReadsNorDecidesReferrals) {
  rv1::Referral r = NewReferral("0165", "cw-admin");
  const std::string admin = Token(Role::kAdmin, {"0165"});
  EXPECT_EQ(Get(admin, r.id()).error_code(), grpc::StatusCode::PERMISSION_DENIED);
  rv1::ListReferralsRequest lr;
  lr.set_municipality("0165");
  rv1::ListReferralsResponse lresp;
  EXPECT_EQ(List(admin, lr, &lresp).error_code(), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(Update(admin, r.id(), r.version(), rv1::REFERRAL_STATUS_UNDER_REVIEW,
                   rv1::STATUS_REASON_OTHER)
                .error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_TRUE(Funnel(admin, "0165").ok());
  rv1::Referral still;
  ASSERT_TRUE(Get(Token(Role::kCoordinator, {"0165"}), r.id(), &still).ok());
  EXPECT_EQ(still.version(), r.version());
}

TEST_F(ReferralAccess, GetReferralByRole) {
  rv1::Referral r = NewReferral("0165", "cw-get");
  EXPECT_TRUE(Get(Token(Role::kCoordinator, {"0165", "0183"}), r.id()).ok());
  EXPECT_TRUE(Get(Token(Role::kService, {"0165"}), r.id()).ok());
  // The catalog role reads no citizen's referral.
  EXPECT_EQ(Get(Token(Role::kAdmin, {"0165"}), r.id()).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  rv1::Referral got;
  ASSERT_TRUE(Get(Token(Role::kCaseworker, {"0165"}, "cw-get"), r.id(), &got).ok());
  EXPECT_EQ(got.external_id(), r.external_id());
  EXPECT_EQ(Get(Token(Role::kCaseworker, {"0165"}, "cw-other"), r.id()).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(Get(Token(Role::kAnalyst, {"0165"}), r.id()).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(Get(Token(Role::kInstructor, {"0165"}), r.id()).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(
      Get(Token(Role::kCoordinator, {"0165"}), "0165-01JD3M5V0Q6Y2ZK4E1N8W9XRTB").error_code(),
      grpc::StatusCode::NOT_FOUND);
  EXPECT_EQ(Get(Token(Role::kCoordinator, {"0165"}), "nonsense").error_code(),
            grpc::StatusCode::INVALID_ARGUMENT);
}

TEST_F(ReferralAccess, ListReferralsByRolePagesNewestFirstAndFilters) {
  const std::string m = "0173";  // a municipality of its own for this test
  std::vector<std::string> ids;
  for (int i = 0; i < 7; ++i) {
    ids.push_back(NewReferral(m, i < 3 ? "cw-list" : "cw-else").id());
    absl::SleepFor(absl::Milliseconds(2));
  }
  std::string coordinator = Token(Role::kCoordinator, {m});
  std::vector<std::string> seen;
  rv1::ListReferralsRequest req;
  req.set_municipality(m);
  req.set_page_size(2);
  for (int pages = 0; pages < 10; ++pages) {
    rv1::ListReferralsResponse resp;
    ASSERT_TRUE(List(coordinator, req, &resp).ok());
    for (const auto& r : resp.referrals()) seen.push_back(r.id());
    if (resp.next_page_token().empty()) break;
    req.set_page_token(resp.next_page_token());
  }
  EXPECT_EQ(seen, std::vector<std::string>(ids.rbegin(), ids.rend()));  // newest first, each once

  rv1::ListReferralsRequest own;
  own.set_municipality(m);
  rv1::ListReferralsResponse resp;
  ASSERT_TRUE(List(Token(Role::kCaseworker, {m}, "cw-list"), own, &resp).ok());
  ASSERT_EQ(resp.referrals_size(), 3);
  for (const auto& r : resp.referrals()) EXPECT_EQ(r.referrer().caseworker_id(), "cw-list");
  EXPECT_EQ(List(Token(Role::kAnalyst, {m}), own, &resp).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(List(Token(Role::kInstructor, {m}), own, &resp).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);

  // Filter by status after one moves on.
  rv1::Referral moved;
  ASSERT_TRUE(Update(coordinator, ids[0], 1, rv1::REFERRAL_STATUS_UNDER_REVIEW, {}, &moved).ok());
  rv1::ListReferralsRequest filtered;
  filtered.set_municipality(m);
  filtered.set_status(rv1::REFERRAL_STATUS_UNDER_REVIEW);
  ASSERT_TRUE(List(coordinator, filtered, &resp).ok());
  ASSERT_EQ(resp.referrals_size(), 1);
  EXPECT_EQ(resp.referrals(0).id(), ids[0]);
  filtered.set_status(rv1::REFERRAL_STATUS_UNSPECIFIED);
  filtered.set_source_system("no-such-system");
  ASSERT_TRUE(List(coordinator, filtered, &resp).ok());
  EXPECT_EQ(resp.referrals_size(), 0);
}

TEST_F(ReferralAccess, UpdateReferralStatusLifecycleVersionsAndRoles) {
  rv1::Referral r = NewReferral("0165", "cw-up");
  std::string coordinator = Token(Role::kCoordinator, {"0165"}, "coord-1");
  EXPECT_EQ(Update(Token(Role::kAnalyst, {"0165"}), r.id(), 1, rv1::REFERRAL_STATUS_UNDER_REVIEW)
                .error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(Update(Token(Role::kCaseworker, {"0165"}, "cw-up"), r.id(), 1,
                   rv1::REFERRAL_STATUS_UNDER_REVIEW)
                .error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(Update(coordinator, r.id(), 1, rv1::REFERRAL_STATUS_ENROLLED).error_code(),
            grpc::StatusCode::FAILED_PRECONDITION);
  rv1::Referral v2;
  ASSERT_TRUE(Update(coordinator, r.id(), 1, rv1::REFERRAL_STATUS_UNDER_REVIEW, {}, &v2,
                     "called, intake on Monday")
                  .ok());
  EXPECT_EQ(v2.version(), 2);
  EXPECT_TRUE(v2.has_notes());
  // A stale version is ABORTED, however valid the change.
  EXPECT_EQ(Update(coordinator, r.id(), 1, rv1::REFERRAL_STATUS_ACCEPTED).error_code(),
            grpc::StatusCode::ABORTED);
  EXPECT_EQ(Update(coordinator, r.id(), 2, rv1::REFERRAL_STATUS_DECLINED).error_code(),
            grpc::StatusCode::INVALID_ARGUMENT);  // a reason is required
  rv1::Referral v3;
  ASSERT_TRUE(Update(coordinator, r.id(), 2, rv1::REFERRAL_STATUS_ACCEPTED, {}, &v3).ok());
  ASSERT_EQ(v3.history_size(), 2);
  EXPECT_EQ(v3.history(1).changed_by(), "coord-1");
  // The caseworker who sent it may withdraw it; another may not.
  EXPECT_EQ(Update(Token(Role::kCaseworker, {"0165"}, "cw-x"), r.id(), 3,
                   rv1::REFERRAL_STATUS_WITHDRAWN, rv1::STATUS_REASON_REFERRER_WITHDREW)
                .error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  rv1::Referral v4;
  ASSERT_TRUE(Update(Token(Role::kCaseworker, {"0165"}, "cw-up"), r.id(), 3,
                     rv1::REFERRAL_STATUS_WITHDRAWN, rv1::STATUS_REASON_REFERRER_WITHDREW, &v4)
                  .ok());
  EXPECT_EQ(v4.status(), rv1::REFERRAL_STATUS_WITHDRAWN);
  EXPECT_EQ(Update(coordinator, r.id(), 4, rv1::REFERRAL_STATUS_UNDER_REVIEW).error_code(),
            grpc::StatusCode::FAILED_PRECONDITION);

  // The closed loop: accepted, withdrawn and a status_changed per change are on KPR_REFERRAL.
  auto nats = TestNats::Connect(Servers::Nats().url());
  ASSERT_TRUE(nats.ok());
  std::multiset<std::string> types;
  ASSERT_TRUE(Eventually(
      [&] {
        auto msgs = (*nats)->ReadStream("KPR_REFERRAL");
        if (!msgs.ok()) return false;
        types.clear();
        for (const auto& m : *msgs) {
          kpr::common::v1::Event e;
          if (!e.ParseFromString(m.data) || e.id().rfind(r.id(), 0) != 0) continue;
          types.insert(e.type());
        }
        return types.size() == 6;
      },
      absl::Seconds(10)));
  EXPECT_EQ(types.count("kpr.referral.v1.ReferralReceived"), 1u);
  EXPECT_EQ(types.count("kpr.referral.v1.ReferralStatusChanged"), 3u);
  EXPECT_EQ(types.count("kpr.referral.v1.ReferralAccepted"), 1u);
  EXPECT_EQ(types.count("kpr.referral.v1.ReferralWithdrawn"), 1u);
}

TEST_F(ReferralAccess, GetContactOnlyCoordinatorAndServiceAndEveryReadIsAudited) {
  rv1::Referral r = NewReferral("0165", "cw-contact");
  for (Role role : {Role::kCaseworker, Role::kAnalyst, Role::kAdmin, Role::kInstructor}) {
    EXPECT_EQ(Contact(Token(role, {"0165"}, "cw-contact"), r.id()).error_code(),
              grpc::StatusCode::PERMISSION_DENIED)
        << identity::RoleName(role);
  }
  int64_t before = AuditLength("0165");
  rv1::Contact c;
  ASSERT_TRUE(Contact(Token(Role::kCoordinator, {"0165"}, "coord-read"), r.id(), &c).ok());
  EXPECT_EQ(c.family_name(), "Syntetisk");
  EXPECT_EQ(c.cpr().size(), 10u);
  EXPECT_EQ(c.phone().substr(0, 3), "+45");
  EXPECT_EQ(c.reason(), "stress efter sygemelding");
  ASSERT_TRUE(Contact(Token(Role::kService, {"0165"}, "notify"), r.id(), &c).ok());
  EXPECT_EQ(AuditLength("0165"), before + 2);
  // The audit entry says who read which referral, and holds no personal data.
  redisContext* rc = redisConnect("127.0.0.1", Servers::Redis().port());
  auto* reply =
      static_cast<redisReply*>(redisCommand(rc, "XREVRANGE kpr:{0165}:audit + - COUNT 1"));
  ASSERT_TRUE(reply && reply->type == REDIS_REPLY_ARRAY && reply->elements == 1);
  std::string entry;
  redisReply* fields = reply->element[0]->element[1];
  for (size_t i = 0; i < fields->elements; ++i)
    entry += std::string(fields->element[i]->str, fields->element[i]->len) + "=";
  freeReplyObject(reply);
  redisFree(rc);
  EXPECT_NE(entry.find("notify"), std::string::npos);
  EXPECT_NE(entry.find(r.id()), std::string::npos);
  EXPECT_EQ(entry.find(c.cpr()), std::string::npos);
}

TEST_F(ReferralAccess, GetFunnelForAnalystsCoordinatorsAndAdminsOnly) {
  const std::string m = "0376";
  rv1::Referral a = NewReferral(m, "cw-f");
  NewReferral(m, "cw-f");
  std::string coordinator = Token(Role::kCoordinator, {m});
  ASSERT_TRUE(Update(coordinator, a.id(), 1, rv1::REFERRAL_STATUS_UNDER_REVIEW).ok());
  rv1::Funnel f;
  ASSERT_TRUE(Funnel(Token(Role::kAnalyst, {m}), m, &f).ok());
  // Two referred, one contacted: counts that single people out are withheld (threshold 5).
  EXPECT_EQ(f.suppression_threshold(), 5);
  EXPECT_EQ(f.referred(), 0);
  EXPECT_EQ(f.contacted(), 0);
  EXPECT_EQ(f.accepted(), 0);
  EXPECT_THAT(f.suppressed_stages(),
              ::testing::IsSupersetOf({rv1::FUNNEL_STAGE_REFERRED, rv1::FUNNEL_STAGE_CONTACTED}));
  for (const auto& sc : f.by_status()) {
    EXPECT_TRUE(sc.suppressed());
    EXPECT_EQ(sc.count(), 0);
  }
  EXPECT_TRUE(Funnel(coordinator, m).ok());
  EXPECT_TRUE(Funnel(Token(Role::kAdmin, {m}), m).ok());
  for (Role role : {Role::kCaseworker, Role::kService, Role::kInstructor}) {
    EXPECT_EQ(Funnel(Token(role, {m}), m).error_code(), grpc::StatusCode::PERMISSION_DENIED);
  }
}

}  // namespace
}  // namespace kpr::testing
