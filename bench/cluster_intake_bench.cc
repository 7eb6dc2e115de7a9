// kpr-bench-cluster-intake: the referral intake on a Redis Cluster (3 primaries, 3 replicas, on
// loopback) against one Redis, in the same run, alternating which goes first each round. A round
// publishes n submissions to KPR_INTAKE, then times one kpr-referral (in process) from its start
// until it has handled all n and the intake stream is empty. Target: cluster >= 0.8 of one Redis.
//
//   kpr-bench-cluster-intake [n=10000] [rounds=4]

#include <algorithm>
#include <filesystem>
#include <iostream>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "bench/intake_handled.h"
#include "libs/observe/log.h"
#include "libs/observe/metrics.h"
#include "services/referral/referral_server.h"
#include "tests/harness/redis_cluster.h"
#include "tests/harness/servers.h"
#include "tests/support/referral_testing.h"

namespace kpr::bench {
namespace {

// Ten real municipality codes (the intake refuses others), spread over the cluster's slots.
constexpr const char* kMunicipalities[] = {"0101", "0147", "0151", "0153", "0155",
                                           "0157", "0159", "0161", "0163", "0165"};

// Submissions per second from the service's start until all n are handled and acked.
double Intake(testing::TestNats& nats, rpc::ServiceConfig config, int n, int round) {
  {  // creates the streams and the durable consumer, so the submissions can wait in the stream
    auto server = referral::ReferralServer::Start(config, {});
    if (!server.ok()) return 0;
    testing::Eventually([&] { return (*server)->healthy(); }, absl::Seconds(30));
    absl::SleepFor(absl::Seconds(1));  // its consumers subscribe after it turns healthy
    (*server)->Shutdown(absl::Seconds(2));
  }
  for (int i = 0; i < n; ++i) {
    const std::string m = kMunicipalities[i % 10];
    const std::string id = absl::StrCat("bench-", round, "-", i);
    (void)nats.PublishAsync(absl::StrCat("kpr.intake.v1.referral_submitted.", m),
                            testing::IntakeEnvelope(testing::SyntheticSubmission(i, m), id, m), id);
  }
  if (!nats.WaitPublished(absl::Seconds(120)).ok()) return 0;
  const double before = HandledSubmissions();
  const absl::Time start = absl::Now();
  auto server = referral::ReferralServer::Start(config, {});
  if (!server.ok()) return 0;
  bool done = testing::Eventually([&] { return HandledSubmissions() - before >= n; },
                                  absl::Seconds(300), absl::Milliseconds(1)) &&
              testing::Eventually(
                  [&] {
                    auto left = nats.StreamCount("KPR_INTAKE");
                    return left.ok() && *left == 0;
                  },
                  absl::Seconds(60), absl::Milliseconds(2));
  const double seconds = absl::ToDoubleSeconds(absl::Now() - start);
  (*server)->Shutdown(absl::Seconds(2));
  return done ? n / seconds : 0;
}

double Median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v.empty() ? 0 : v[v.size() / 2];
}

}  // namespace
}  // namespace kpr::bench

int main(int argc, char** argv) {
  using namespace kpr;  // NOLINT: a benchmark's main
  const int n = argc > 1 ? std::atoi(argv[1]) : 10000;
  const int rounds = argc > 2 ? std::atoi(argv[2]) : 4;
  observe::SetMinLogLevel(observe::LogLevel::kError);
  std::string tmpl = (std::filesystem::temp_directory_path() / "kpr-bench-XXXXXX").string();
  const std::string dir = mkdtemp(tmpl.data());
  testing::InitHarness(dir);
  testing::RedisCluster cluster(dir + "/cluster", {});
  if (absl::Status st = cluster.Start(); !st.ok()) {
    std::cerr << "redis cluster: " << st << "\n";
    return 1;
  }
  const testing::Secrets secrets = testing::WriteSecrets(dir);
  std::cout << "| round | order | one Redis /s | Redis Cluster /s | cluster / one |\n"
            << "|---|---|---|---|---|" << std::endl;
  std::vector<double> ratios, singles, clusters;
  for (int r = 1; r <= rounds; ++r) {
    double rate[2] = {0, 0};  // one Redis, cluster
    for (int k = 0; k < 2; ++k) {
      const int which = (r % 2 == 0) ? 1 - k : k;  // alternate who goes first
      (void)testing::FlushRedis();
      for (int node : cluster.Primaries()) (void)cluster.Command(node, {"FLUSHALL"});
      (void)testing::DeleteAllStreams();
      auto nats = testing::TestNats::Connect(testing::Servers::Nats().url());
      if (!nats.ok()) return 1;
      rpc::ServiceConfig config = testing::HarnessServiceConfig(secrets);
      if (which == 1) config.redis_url = cluster.url();
      rate[which] = bench::Intake(**nats, config, n, r * 2 + k);
    }
    const double ratio = rate[0] > 0 ? rate[1] / rate[0] : 0;
    std::cout << absl::StrFormat("| %d | %s | %.0f | %.0f | %.2f |\n", r,
                                 r % 2 == 0 ? "cluster first" : "one first", rate[0], rate[1],
                                 ratio)
              << std::flush;
    singles.push_back(rate[0]);
    clusters.push_back(rate[1]);
    ratios.push_back(ratio);
  }
  std::cout << absl::StrFormat(
      "\nMedian over %d rounds of %d submissions (10 municipalities): one Redis %.0f/s, Redis "
      "Cluster %.0f/s, cluster / one %.2f (target >= 0.8)\n",
      rounds, n, bench::Median(singles), bench::Median(clusters), bench::Median(ratios));
  cluster.Stop();
  testing::ShutdownHarness();
  std::filesystem::remove_all(dir);
  return 0;
}
