// What an operator's Prometheus sees of kpr: Debian's prometheus scrapes all four running
// services every second with deploy/k8s/monitoring/kpr-alerts.rules.yaml loaded. Every figure
// the rules read is there for every service from start-up, promtool accepts every /metrics, and
// the rules fire when the dead-letter stream gets a message, when Redis goes away (NOT_SERVING)
// and when a service stops. The rules' `for:` durations are the operator's patience: here they
// are cut to 1 s (promtool test rules checks them at full length, deploy/k8s/monitoring/check.sh).

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <regex>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "gmock/gmock.h"
#include "grpcpp/create_channel.h"
#include "gtest/gtest.h"
#include "kpr/referral/v1/referral_service.grpc.pb.h"
#include "libs/observe/http_test_client.h"
#include "tests/support/command.h"
#include "tests/support/prometheus_server.h"
#include "tests/support/suite_processes.h"

namespace kpr::testing {
namespace {

using ::testing::Contains;

std::string ReadFile(const std::string& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

// The rules as shipped, waiting 1 s where they would wait minutes.
std::string RulesWithShortFor(int* replaced) {
  std::string rules =
      ReadFile(std::string(KPR_SOURCE_DIR) + "/deploy/k8s/monitoring/kpr-alerts.rules.yaml");
  static const std::regex kFor(R"(for: [0-9]+[smh])");
  *replaced = static_cast<int>(std::distance(std::sregex_iterator(rules.begin(), rules.end(), kFor),
                                             std::sregex_iterator()));
  return std::regex_replace(rules, kFor, "for: 1s");
}

std::set<std::string> LabelValues(const std::vector<PromSample>& samples,
                                  const std::string& label) {
  std::set<std::string> values;
  for (const PromSample& s : samples)
    values.insert(s.labels.count(label) ? s.labels.at(label) : "");
  return values;
}

void ExpectPromtoolAccepts(int http_port, const std::string& service) {
  const std::string body = observe::testing::Body(observe::testing::Get(http_port, "/metrics"));
  const std::string file = absl::StrCat(Servers::Dir(), "/", service, ".metrics");
  WriteFile(file, body);
  auto check = RunCommand({"/bin/sh", "-c", absl::StrCat("promtool check metrics < ", file)});
  ASSERT_TRUE(check.ok());
  EXPECT_EQ(check->exit_code, 0) << service << ":\n" << check->out << check->err;
}

class PrometheusE2eTest : public ::testing::Test {
 protected:
  // Eventually `promql` returns series for every job in `jobs`.
  std::vector<PromSample> SeriesForEveryJob(PrometheusServer& prom, const std::string& promql,
                                            const std::set<std::string>& jobs) {
    std::vector<PromSample> samples;
    Eventually(
        [&] {
          auto r = prom.Query(promql);
          samples = r.ok() ? *r : std::vector<PromSample>{};
          std::set<std::string> seen = LabelValues(samples, "job");
          return std::includes(seen.begin(), seen.end(), jobs.begin(), jobs.end());
        },
        absl::Seconds(20), absl::Milliseconds(500));
    EXPECT_THAT(LabelValues(samples, "job"), ::testing::IsSupersetOf(jobs)) << promql;
    return samples;
  }

  // Eventually an alert `name` fires whose labels include `labels`.
  bool Fires(PrometheusServer& prom, const std::string& name,
             const std::map<std::string, std::string>& labels, absl::Duration timeout) {
    return Eventually(
        [&] {
          auto alerts = prom.Alerts();
          if (!alerts.ok()) return false;
          for (const PromAlert& a : *alerts) {
            if (a.name != name || a.state != "firing") continue;
            if (std::all_of(labels.begin(), labels.end(), [&](const auto& kv) {
                  return a.labels.count(kv.first) && a.labels.at(kv.first) == kv.second;
                })) {
              return true;
            }
          }
          return false;
        },
        timeout, absl::Milliseconds(500));
  }
};

TEST_F(PrometheusE2eTest, RulesReadEveryServiceAndFireOnDeadLettersOutagesAndStops) {
  ASSERT_TRUE(FlushRedis().ok());
  ASSERT_TRUE(DeleteAllStreams().ok());
  Secrets secrets = WriteSecrets(Servers::Dir());
  SuiteProcesses suite(secrets, SuiteOptions{});
  ASSERT_TRUE(suite.Start().ok()) << suite.Logs();

  std::map<std::string, std::vector<std::string>> jobs;
  std::set<std::string> job_names;
  for (const char* service : SuiteProcesses::kServices) {
    const int port = suite.replica(service, 0).http_port();
    const std::string job = absl::StrCat("kpr-", service);
    jobs[job] = {absl::StrCat("127.0.0.1:", port)};
    job_names.insert(job);
  }
  // promtool's lint of every /metrics: from start-up, and again once calls and dead letters have
  // added the series that appear on first use.
  auto lint_every_service = [&] {
    for (const char* service : SuiteProcesses::kServices) {
      ExpectPromtoolAccepts(suite.replica(service, 0).http_port(), service);
    }
  };
  lint_every_service();

  int replaced = 0;
  const std::string rules = RulesWithShortFor(&replaced);
  ASSERT_GE(replaced, 5) << "the rules file has no for: durations any more?";
  const std::string dir = absl::StrCat(Servers::Dir(), "/prometheus");
  std::filesystem::create_directories(dir);
  PrometheusServer prom(dir, jobs, rules);
  ASSERT_TRUE(prom.Start().ok()) << prom.Log();

  // Every service is scraped, and every figure a rule reads is there for it from start-up.
  SeriesForEveryJob(prom, "up == 1", job_names);
  SeriesForEveryJob(prom, "kpr_build_info", job_names);
  SeriesForEveryJob(prom, "process_start_time_seconds", job_names);
  std::vector<PromSample> deps = SeriesForEveryJob(prom, "kpr_dependency_up == 1", job_names);
  EXPECT_EQ(LabelValues(deps, "dependency"), (std::set<std::string>{"nats", "redis"}));
  SeriesForEveryJob(prom, "max by (job, consumer) (kpr_consumer_pending_messages)", job_names);
  SeriesForEveryJob(prom, "max by (job, consumer) (kpr_consumer_redelivered_messages)", job_names);
  SeriesForEveryJob(prom, "kpr_consumer_messages_total{outcome=\"dead_lettered\"}", job_names);
  SeriesForEveryJob(prom, "max by (job) (kpr_outbox_oldest_age_seconds)", job_names);
  SeriesForEveryJob(prom, "max by (job) (kpr_timer_lag_seconds)", {"kpr-outcomes", "kpr-notify"});
  // Nothing fires on a healthy suite. (With `for: 1s`, KprServiceAbsent may fire for a moment
  // before Prometheus's first scrapes; with the shipped 5 min it cannot.)
  std::vector<std::string> firing;
  EXPECT_TRUE(Eventually(
      [&] {
        auto alerts = prom.Alerts();
        firing = alerts.ok() ? FiringNames(*alerts) : std::vector<std::string>{"?"};
        return firing.empty();
      },
      absl::Seconds(15), absl::Milliseconds(500)))
      << "firing on a healthy suite: " << absl::StrJoin(firing, ", ");

  // The error-ratio rule's figure: calls by method and code.
  {
    auto channel =
        grpc::CreateChannel(suite.Target("referral"), grpc::InsecureChannelCredentials());
    auto stub = referral::v1::ReferralService::NewStub(channel);
    grpc::ClientContext ctx;
    ctx.AddMetadata("authorization", "Bearer " + MakeToken(secrets.jwt_secret,
                                                           identity::Role::kCoordinator, {"0165"}));
    referral::v1::GetReferralRequest req;
    req.set_id("0165-00000000000000000000000000");
    referral::v1::Referral resp;
    EXPECT_EQ(stub->GetReferral(&ctx, req, &resp).error_code(), grpc::StatusCode::NOT_FOUND);
  }
  std::vector<PromSample> calls =
      SeriesForEveryJob(prom, "sum by (job, method, code) (kpr_grpc_server_handling_seconds_count)",
                        {"kpr-referral"});
  EXPECT_THAT(LabelValues(calls, "code"), Contains("NOT_FOUND"));

  // A poison message: a 0183 referral on 0165's subject. The intake consumer dead-letters it.
  auto nats = TestNats::Connect(Servers::Nats().url());
  ASSERT_TRUE(nats.ok());
  ASSERT_TRUE((*nats)
                  ->PublishAsync("kpr.intake.v1.referral_submitted.0165",
                                 IntakeEnvelope(SyntheticSubmission(1, "0183"), "x-poison", "0183"),
                                 "x-poison")
                  .ok());
  ASSERT_TRUE((*nats)->WaitPublished().ok());
  EXPECT_TRUE(Fires(prom, "KprDeadLettersArriving", {{"job", "kpr-referral"}}, absl::Seconds(30)))
      << suite.Logs();

  lint_every_service();

  // Redis away: every service reports NOT_SERVING through kpr_dependency_up.
  Servers::Redis().Stop();
  EXPECT_TRUE(Fires(prom, "KprDependencyDown", {{"job", "kpr-notify"}, {"dependency", "redis"}},
                    absl::Seconds(30)));
  ASSERT_TRUE(Servers::Redis().Start().ok());
  EXPECT_TRUE(Eventually(
      [&] {
        auto down = prom.Query("kpr_dependency_up == 0");
        return down.ok() && down->empty();
      },
      absl::Seconds(30), absl::Milliseconds(500)));

  // A stopped service, consumers and all: its scrape fails.
  suite.replica("outcomes", 0).Terminate();
  EXPECT_TRUE(Fires(prom, "KprServiceDown", {{"job", "kpr-outcomes"}}, absl::Seconds(30)));
}

}  // namespace
}  // namespace kpr::testing
