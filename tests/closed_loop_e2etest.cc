// The closed loop across the three services, each its own process (kpr-referral,
// kpr-scheduling, kpr-outcomes) on a real NATS and Redis: referrals submitted over NATS are
// accepted; the cohort fills and the third is WAITLISTED; a seat frees and it is ENROLLED; the
// cohort is cancelled before its start and its participants are placed again, in the order they
// were accepted, in the next open cohort. kpr.referral.v1.status_changed.<municipality> shows
// every status change exactly once, with from and to statuses and their FHIR Task codes, and
// GetReferral shows where each referral is placed.

#include <map>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "grpcpp/grpcpp.h"
#include "gtest/gtest.h"
#include "kpr/referral/v1/events.pb.h"
#include "kpr/referral/v1/referral_service.grpc.pb.h"
#include "kpr/scheduling/v1/scheduling_service.grpc.pb.h"
#include "libs/rpc/auth.h"
#include "tests/harness/servers.h"
#include "tests/support/referral_testing.h"
#include "tests/support/scheduling_testing.h"

namespace kpr::testing {
namespace {

namespace sv1 = ::kpr::scheduling::v1;
namespace rv1 = ::kpr::referral::v1;
using identity::Role;
using ::testing::ElementsAre;

constexpr char kProgram[] = "sund-med-kultur";  // 0165's default program in the demo catalog

// "FROM>TO (from-fhir>to-fhir)" for one status_changed event.
std::string Change(const rv1::ReferralStatusChanged& c) {
  return absl::StrCat(rv1::ReferralStatus_Name(c.from()).substr(16), ">",
                      rv1::ReferralStatus_Name(c.to()).substr(16), " (", c.from_fhir_status(), ">",
                      c.to_fhir_status(), ")");
}

class ClosedLoop : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(FlushRedis().ok());
    ASSERT_TRUE(DeleteAllStreams().ok());
    secrets_ = WriteSecrets(Servers::Dir());
    referral_ = std::make_unique<ServiceProcess>("referral", secrets_);
    scheduling_ = std::make_unique<ServiceProcess>(
        "scheduling", secrets_,
        std::map<std::string, std::string>{{"KPR_REFERRAL_ADDR", referral_->grpc_address()}});
    outcomes_ = std::make_unique<ServiceProcess>("outcomes", secrets_);
    for (ServiceProcess* s : {referral_.get(), scheduling_.get(), outcomes_.get()}) {
      ASSERT_TRUE(s->Start().ok());
      ASSERT_TRUE(s->WaitServing().ok()) << s->Log();
      ASSERT_TRUE(s->WaitConsuming().ok()) << s->Log();
    }
    auto nats = TestNats::Connect(Servers::Nats().url());
    ASSERT_TRUE(nats.ok());
    nats_ = *std::move(nats);
    referrals_ = rv1::ReferralService::NewStub(
        grpc::CreateChannel(referral_->grpc_address(), grpc::InsecureChannelCredentials()));
    scheduling_stub_ = sv1::SchedulingService::NewStub(
        grpc::CreateChannel(scheduling_->grpc_address(), grpc::InsecureChannelCredentials()));
    coordinator_ = MakeToken(secrets_.jwt_secret, Role::kCoordinator, {"0165"}, "coordinator-1");
    auto catalog = LoadDemoCatalog();
    ASSERT_TRUE(catalog.ok());
    ASSERT_TRUE(PutCatalog(*scheduling_stub_,
                           MakeToken(secrets_.jwt_secret, Role::kAdmin, {"0165", "0183"}), *catalog)
                    .ok());
  }

  sv1::Cohort CreateCohort(int iso_week, const std::string& request_id) {
    sv1::CreateCohortRequest req;
    req.set_municipality("0165");
    req.set_program_id(kProgram);
    req.set_start_iso_year(2027);
    req.set_start_iso_week(iso_week);
    req.set_capacity(2);
    req.set_request_id(request_id);
    sv1::CreateCohortResponse resp;
    CallAs c(coordinator_);
    grpc::Status st = scheduling_stub_->CreateCohort(&c.ctx, req, &resp);
    EXPECT_TRUE(st.ok()) << st.error_message();
    return resp.cohort();
  }

  // Waits until the referral with `external_id` exists, returns it.
  rv1::Referral Find(const std::string& external_id) {
    rv1::Referral found;
    EXPECT_TRUE(Eventually(
        [&] {
          rv1::ListReferralsRequest req;
          req.set_municipality("0165");
          req.set_page_size(500);
          rv1::ListReferralsResponse resp;
          CallAs c(coordinator_);
          if (!referrals_->ListReferrals(&c.ctx, req, &resp).ok()) return false;
          for (const auto& r : resp.referrals()) {
            if (r.external_id() == external_id) found = r;
          }
          return !found.id().empty();
        },
        absl::Seconds(30)))
        << external_id;
    return found;
  }

  rv1::Referral Get(const std::string& id) {
    rv1::GetReferralRequest req;
    req.set_id(id);
    rv1::Referral r;
    CallAs c(coordinator_);
    EXPECT_TRUE(referrals_->GetReferral(&c.ctx, req, &r).ok());
    return r;
  }

  void Decide(rv1::Referral& r, rv1::ReferralStatus to) {
    rv1::UpdateReferralStatusRequest req;
    req.set_id(r.id());
    req.set_expected_version(r.version());
    req.set_status(to);
    CallAs c(coordinator_);
    grpc::Status st = referrals_->UpdateReferralStatus(&c.ctx, req, &r);
    ASSERT_TRUE(st.ok()) << st.error_message();
  }

  // Waits until the referral is in `status` (and, if given, placed in `cohort_id`).
  rv1::Referral WaitFor(const std::string& id, rv1::ReferralStatus status,
                        const std::string& cohort_id = "") {
    rv1::Referral r;
    EXPECT_TRUE(Eventually(
        [&] {
          r = Get(id);
          return r.status() == status &&
                 (cohort_id.empty() || r.placement().cohort_id() == cohort_id);
        },
        absl::Seconds(30)))
        << id << " is " << rv1::ReferralStatus_Name(r.status()) << " in "
        << r.placement().cohort_id() << ", expected " << rv1::ReferralStatus_Name(status) << " "
        << cohort_id;
    return r;
  }

  // Every status_changed of referral `id` on the stream, in stream order.
  std::vector<std::string> Changes(const std::string& id) {
    std::vector<std::string> out;
    auto msgs = nats_->ReadStream("KPR_REFERRAL");
    EXPECT_TRUE(msgs.ok());
    if (!msgs.ok()) return out;
    for (const StreamMessage& m : *msgs) {
      if (!absl::StartsWith(m.subject, "kpr.referral.v1.status_changed.0165")) continue;
      common::v1::Event e;
      rv1::ReferralStatusChanged c;
      if (!e.ParseFromString(m.data) || !e.payload().UnpackTo(&c)) {
        ADD_FAILURE() << "undecodable status_changed";
        continue;
      }
      if (c.referral_id() == id) out.push_back(Change(c));
    }
    return out;
  }

  Secrets secrets_;
  std::unique_ptr<ServiceProcess> referral_, scheduling_, outcomes_;
  std::unique_ptr<TestNats> nats_;
  std::unique_ptr<rv1::ReferralService::Stub> referrals_;
  std::unique_ptr<sv1::SchedulingService::Stub> scheduling_stub_;
  std::string coordinator_;
};

TEST_F(ClosedLoop, WaitlistedEnrolledWhenASeatFreesAndPlacedAgainAfterACancellation) {
  const sv1::Cohort a = CreateCohort(9, "cohort-a");
  ASSERT_FALSE(a.cohort_id().empty());

  // Three referrals from the jobcenter's integration, over NATS.
  std::vector<rv1::Referral> r;
  for (int n = 1; n <= 3; ++n) {
    intake::v1::ReferralSubmitted s = SyntheticSubmission(n, "0165");
    s.set_preferred_program(kProgram);
    const std::string id = absl::StrCat("loop-", n);
    ASSERT_TRUE(nats_
                    ->PublishAsync("kpr.intake.v1.referral_submitted.0165",
                                   IntakeEnvelope(s, id, "0165"), id)
                    .ok());
    ASSERT_TRUE(nats_->WaitPublished().ok());
    r.push_back(Find(s.external_id()));
  }
  // Accepted in order: two seats in cohort A, the third waits.
  for (int i = 0; i < 3; ++i) {
    Decide(r[i], rv1::REFERRAL_STATUS_UNDER_REVIEW);
    Decide(r[i], rv1::REFERRAL_STATUS_ACCEPTED);
    WaitFor(r[i].id(), i < 2 ? rv1::REFERRAL_STATUS_ENROLLED : rv1::REFERRAL_STATUS_WAITLISTED,
            i < 2 ? a.cohort_id() : "");
  }
  EXPECT_EQ(Get(r[2].id()).placement().program_id(), kProgram);

  // The first citizen leaves before the start: back to ACCEPTED, and the seat goes to the third.
  {
    sv1::UnenrollRequest req;
    req.set_municipality("0165");
    req.set_cohort_id(a.cohort_id());
    req.set_referral_id(r[0].id());
    req.set_reason_code(sv1::CHANGE_REASON_CITIZEN_LEFT);
    sv1::UnenrollResponse resp;
    CallAs c(coordinator_);
    grpc::Status st = scheduling_stub_->Unenroll(&c.ctx, req, &resp);
    ASSERT_TRUE(st.ok()) << st.error_message();
  }
  WaitFor(r[0].id(), rv1::REFERRAL_STATUS_ACCEPTED);
  EXPECT_FALSE(Get(r[0].id()).has_placement());
  WaitFor(r[2].id(), rv1::REFERRAL_STATUS_ENROLLED, a.cohort_id());

  // Cohort A is cancelled before its start; B is the next open cohort of the program.
  const sv1::Cohort b = CreateCohort(20, "cohort-b");
  {
    sv1::CancelCohortRequest req;
    req.set_municipality("0165");
    req.set_cohort_id(a.cohort_id());
    req.set_reason("the venue is being renovated");
    req.set_reason_code(sv1::CHANGE_REASON_VENUE_CLOSED);
    sv1::Cohort resp;
    CallAs c(coordinator_);
    grpc::Status st = scheduling_stub_->CancelCohort(&c.ctx, req, &resp);
    ASSERT_TRUE(st.ok()) << st.error_message();
  }
  const rv1::Referral second = WaitFor(r[1].id(), rv1::REFERRAL_STATUS_ENROLLED, b.cohort_id());
  const rv1::Referral third = WaitFor(r[2].id(), rv1::REFERRAL_STATUS_ENROLLED, b.cohort_id());
  EXPECT_EQ(second.placement().first_day(), b.first_day());
  // Placed again in the order of acceptance: the second citizen's seat came first.
  sv1::ListParticipantsRequest lp;
  lp.set_municipality("0165");
  lp.set_cohort_id(b.cohort_id());
  sv1::ListParticipantsResponse participants;
  {
    CallAs c(coordinator_);
    ASSERT_TRUE(scheduling_stub_->ListParticipants(&c.ctx, lp, &participants).ok());
  }
  ASSERT_EQ(participants.participants_size(), 2);
  EXPECT_EQ(participants.participants(0).referral_id(), r[1].id());
  EXPECT_EQ(participants.participants(1).referral_id(), r[2].id());

  // Every change exactly once, with the FHIR codes, and nothing more after a quiet moment.
  absl::SleepFor(absl::Seconds(2));
  EXPECT_THAT(Changes(r[0].id()), ElementsAre("RECEIVED>UNDER_REVIEW (requested>received)",
                                              "UNDER_REVIEW>ACCEPTED (received>accepted)",
                                              "ACCEPTED>ENROLLED (accepted>in-progress)",
                                              "ENROLLED>ACCEPTED (in-progress>accepted)"));
  EXPECT_THAT(Changes(r[1].id()), ElementsAre("RECEIVED>UNDER_REVIEW (requested>received)",
                                              "UNDER_REVIEW>ACCEPTED (received>accepted)",
                                              "ACCEPTED>ENROLLED (accepted>in-progress)",
                                              "ENROLLED>ACCEPTED (in-progress>accepted)",
                                              "ACCEPTED>ENROLLED (accepted>in-progress)"));
  EXPECT_THAT(Changes(r[2].id()), ElementsAre("RECEIVED>UNDER_REVIEW (requested>received)",
                                              "UNDER_REVIEW>ACCEPTED (received>accepted)",
                                              "ACCEPTED>WAITLISTED (accepted>on-hold)",
                                              "WAITLISTED>ENROLLED (on-hold>in-progress)",
                                              "ENROLLED>ACCEPTED (in-progress>accepted)",
                                              "ACCEPTED>ENROLLED (accepted>in-progress)"));
}

}  // namespace
}  // namespace kpr::testing
