// Redis stops under load: health goes NOT_SERVING, calls get UNAVAILABLE, nothing is acked that
// was not stored (the intake is a work queue: an acked submission is gone from NATS, so a lost
// one would be missing at the end); after Redis is back the service catches up by itself.

#include <thread>

#include "absl/strings/str_cat.h"
#include "grpc/health/v1/health.grpc.pb.h"
#include "grpcpp/grpcpp.h"
#include "gtest/gtest.h"
#include "kpr/common/v1/event.pb.h"
#include "kpr/referral/v1/events.pb.h"
#include "kpr/referral/v1/referral_service.grpc.pb.h"
#include "libs/rpc/auth.h"
#include "tests/support/referral_testing.h"

namespace kpr::testing {
namespace {

constexpr int kSubmissions = 3000;

grpc::health::v1::HealthCheckResponse::ServingStatus Health(const std::string& addr) {
  auto stub = grpc::health::v1::Health::NewStub(
      grpc::CreateChannel(addr, grpc::InsecureChannelCredentials()));
  grpc::ClientContext ctx;
  ctx.set_deadline(absl::ToChronoTime(absl::Now() + absl::Seconds(1)));
  grpc::health::v1::HealthCheckRequest req;
  req.set_service("kpr.referral.v1.ReferralService");
  grpc::health::v1::HealthCheckResponse resp;
  if (!stub->Check(&ctx, req, &resp).ok()) return grpc::health::v1::HealthCheckResponse::UNKNOWN;
  return resp.status();
}

TEST(ReferralRedisOutage, NotServingWhileRedisIsDownThenCatchesUp) {
  ASSERT_TRUE(FlushRedis().ok());
  ASSERT_TRUE(DeleteAllStreams().ok());
  Secrets secrets = WriteSecrets(Servers::Dir());
  // Started with only the six settings every kpr service must be able to start and serve with.
  ReferralProcess service(secrets);
  ASSERT_TRUE(service.Start().ok());
  ASSERT_TRUE(service.WaitServing().ok()) << service.Log();
  ASSERT_TRUE(service.WaitConsuming().ok()) << service.Log();
  auto nats = TestNats::Connect(Servers::Nats().url());
  ASSERT_TRUE(nats.ok());

  std::thread publisher([&] {
    auto pub = TestNats::Connect(Servers::Nats().url());
    ASSERT_TRUE(pub.ok());
    absl::Time start = absl::Now();
    for (int n = 0; n < kSubmissions; ++n) {
      auto s = SyntheticSubmission(n, "0183");
      std::string id = absl::StrCat("outage-", n);
      ASSERT_TRUE((*pub)
                      ->PublishAsync("kpr.intake.v1.referral_submitted.0183",
                                     IntakeEnvelope(s, id, "0183"), id)
                      .ok());
      if (n % 100 == 99) {  // ~1,000 a second for three seconds
        absl::Time due = start + absl::Milliseconds(n + 1);
        if (absl::Now() < due) absl::SleepFor(due - absl::Now());
      }
    }
    ASSERT_TRUE((*pub)->WaitPublished().ok());
  });

  ASSERT_TRUE(Eventually(
      [&] {
        auto n = (*nats)->StreamCount("KPR_REFERRAL");
        return n.ok() && *n >= 300;
      },
      absl::Seconds(30), absl::Milliseconds(10)));
  Servers::Redis().Stop();

  // Health follows Redis.
  EXPECT_TRUE(Eventually(
      [&] {
        return Health(service.grpc_address()) == grpc::health::v1::HealthCheckResponse::NOT_SERVING;
      },
      absl::Seconds(5)));
  // Calls get UNAVAILABLE.
  {
    auto stub = referral::v1::ReferralService::NewStub(
        grpc::CreateChannel(service.grpc_address(), grpc::InsecureChannelCredentials()));
    grpc::ClientContext ctx;
    rpc::SetBearerToken(ctx, MakeToken(secrets.jwt_secret, identity::Role::kCoordinator, {"0183"}));
    ctx.set_deadline(absl::ToChronoTime(absl::Now() + absl::Seconds(10)));
    referral::v1::ListReferralsRequest req;
    req.set_municipality("0183");
    referral::v1::ListReferralsResponse resp;
    grpc::Status st = stub->ListReferrals(&ctx, req, &resp);
    EXPECT_EQ(st.error_code(), grpc::StatusCode::UNAVAILABLE) << st.error_message();
  }
  absl::SleepFor(absl::Seconds(2));  // the outage lasts while submissions keep coming
  ASSERT_TRUE(Servers::Redis().Start().ok());

  EXPECT_TRUE(Eventually(
      [&] {
        return Health(service.grpc_address()) == grpc::health::v1::HealthCheckResponse::SERVING;
      },
      absl::Seconds(10)));
  publisher.join();

  std::set<std::string> received_ext;
  bool caught_up = Eventually(
      [&] {
        auto left = (*nats)->StreamCount("KPR_INTAKE");
        if (!left.ok() || *left != 0) return false;
        auto out = (*nats)->StreamCount("KPR_REFERRAL");  // cheap check before reading it all
        if (!out.ok() || *out < static_cast<uint64_t>(kSubmissions)) return false;
        auto msgs = (*nats)->ReadStream("KPR_REFERRAL");
        if (!msgs.ok()) return false;
        received_ext.clear();
        for (const auto& m : *msgs) {
          kpr::common::v1::Event e;
          referral::v1::ReferralReceived r;
          if (e.ParseFromString(m.data) && e.payload().UnpackTo(&r))
            received_ext.insert(r.external_id());
        }
        return received_ext.size() >= static_cast<size_t>(kSubmissions);
      },
      absl::Seconds(120), absl::Milliseconds(500));
  EXPECT_TRUE(caught_up) << "received " << received_ext.size() << " of " << kSubmissions;

  auto dump = DumpRedis(Servers::Redis().port());
  ASSERT_TRUE(dump.ok());
  size_t entities = 0;
  for (size_t pos = 0; (pos = dump->find("kpr:{0183}:referral:r:", pos)) != std::string::npos;
       ++pos) {
    ++entities;
  }
  EXPECT_EQ(entities, static_cast<size_t>(kSubmissions)) << "a submission was acked but not stored";
  EXPECT_NE(service.Log().find("not serving"), std::string::npos);
  service.Terminate();
}

}  // namespace
}  // namespace kpr::testing
