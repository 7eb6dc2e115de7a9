#ifndef KPR_TESTS_SUPPORT_SCHEDULING_FIXTURE_H_
#define KPR_TESTS_SUPPORT_SCHEDULING_FIXTURE_H_

// A scheduling server in this process on the harness's Redis and NATS, with the demo catalog
// loaded, planning as of 1 December 2026 (so the tests plan 2027 whenever they run).

#include <memory>
#include <string>

#include "absl/strings/str_cat.h"
#include "grpcpp/grpcpp.h"
#include "gtest/gtest.h"
#include "libs/rpc/auth.h"
#include "services/scheduling/scheduling_server.h"
#include "tests/support/referral_testing.h"
#include "tests/support/scheduling_testing.h"

namespace kpr::testing {

class SchedulingServiceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(FlushRedis().ok());
    ASSERT_TRUE(DeleteAllStreams().ok());
    secrets_ = WriteSecrets(Servers::Dir());
    scheduling::SchedulingServer::Options options;
    options.clock = [] {
      return absl::FromCivil(absl::CivilMinute(2026, 12, 1, 9, 0), absl::UTCTimeZone());
    };
    auto server = scheduling::SchedulingServer::Start(HarnessServiceConfig(secrets_), options);
    ASSERT_TRUE(server.ok()) << server.status();
    server_ = *std::move(server);
    ASSERT_TRUE(Eventually([&] { return server_->healthy(); }, absl::Seconds(15)));
    channel_ = grpc::CreateChannel(absl::StrCat("127.0.0.1:", server_->grpc_port()),
                                   grpc::InsecureChannelCredentials());
    stub_ = scheduling::v1::SchedulingService::NewStub(channel_);
    auto catalog = LoadDemoCatalog();
    ASSERT_TRUE(catalog.ok()) << catalog.status();
    catalog_ = *catalog;
    ASSERT_TRUE(PutCatalog(*stub_, Token(identity::Role::kAdmin), catalog_).ok());
  }
  void TearDown() override { server_->Shutdown(absl::Seconds(2)); }

  std::string Token(identity::Role role) {
    return MakeToken(secrets_.jwt_secret, role, {"0165", "0183"}, "scheduling-test");
  }

  // A call context with the token and a generous deadline (planning a year on a busy machine).
  struct Ctx {
    grpc::ClientContext ctx;
    explicit Ctx(const std::string& token) {
      rpc::SetBearerToken(ctx, token);
      ctx.set_deadline(absl::ToChronoTime(absl::Now() + absl::Seconds(120)));
    }
  };

  // Every cohort of the municipality with its scheduled sessions.
  std::vector<CohortTimetable> Timetables(const std::string& m) {
    std::vector<CohortTimetable> out;
    scheduling::v1::ListCohortsRequest list;
    list.set_municipality(m);
    list.set_page_size(500);
    scheduling::v1::ListCohortsResponse cohorts;
    Ctx c(Token(identity::Role::kCoordinator));
    EXPECT_TRUE(stub_->ListCohorts(&c.ctx, list, &cohorts).ok());
    for (const auto& cohort : cohorts.cohorts()) {
      scheduling::v1::ListSessionsRequest req;
      req.set_municipality(m);
      req.set_cohort_id(cohort.cohort_id());
      scheduling::v1::ListSessionsResponse sessions;
      Ctx sc(Token(identity::Role::kCoordinator));
      EXPECT_TRUE(stub_->ListSessions(&sc.ctx, req, &sessions).ok());
      out.push_back({cohort, {sessions.sessions().begin(), sessions.sessions().end()}});
    }
    return out;
  }

  Secrets secrets_;
  std::unique_ptr<scheduling::SchedulingServer> server_;
  std::shared_ptr<grpc::Channel> channel_;
  std::unique_ptr<scheduling::v1::SchedulingService::Stub> stub_;
  scheduling::v1::CatalogBundle catalog_;
};

}  // namespace kpr::testing

#endif  // KPR_TESTS_SUPPORT_SCHEDULING_FIXTURE_H_
