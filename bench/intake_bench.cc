// Intake throughput, measured against raw JetStream on the same nats-server in the same run:
//   1. raw pull:  publish N messages of an intake event's size, then fetch(256) + ack them all
//   2. raw push:  the same with a push consumer and a deliver group (what kpr's consumer uses)
//   3. intake:    publish N submissions to KPR_INTAKE, then start kpr-referral in-process and
//                 time until every one is stored in Redis, acked (the work queue is empty) and
//                 its received event is on KPR_REFERRAL (publishing is outside the timing in all
//                 three, so they compare like with like)
// Prints one markdown row per measurement. Target: intake >= 25 % of the raw fetch+ack rate.
// Each round starts from an empty Redis with a freshly rewritten AOF and no streams.
// KPR_BENCH_VERBOSE=1: also the CPU each process (and the whole machine) used per phase, and
// Redis's commandstats for the intake. KPR_BENCH_INTAKE_ONLY=1: skip the raw references (for
// profiling the intake, e.g. under valgrind --tool=callgrind).

#include <nats/nats.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <map>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/time/clock.h"
#include "bench/cpu_usage.h"
#include "bench/intake_handled.h"
#include "bench/stats.h"
#include "libs/observe/log.h"
#include "libs/observe/metrics.h"
#include "libs/store/redis_pool.h"
#include "services/referral/referral_server.h"
#include "tests/support/referral_testing.h"

namespace kpr::bench {
namespace {

using testing::TestNats;

// `work_queue`: the stream deletes each message when it is acked, as KPR_INTAKE must.
double RawPull(TestNats& nats, const std::string& payload, int n, bool work_queue) {
  const std::string stream = work_queue ? "BENCH_PULL_WQ" : "BENCH_PULL";
  const std::string subject = work_queue ? "bench.pullwq" : "bench.pull";
  (void)nats.EnsureStream(stream, subject, work_queue);
  for (int i = 0; i < n; ++i) {
    (void)nats.PublishAsync(subject, payload, absl::StrCat(subject, "-", i));
  }
  (void)nats.WaitPublished();
  natsSubscription* sub = nullptr;
  jsSubOptions so;
  jsSubOptions_Init(&so);
  so.Stream = stream.c_str();
  jsErrCode err;
  if (js_PullSubscribe(&sub, nats.js(), subject.c_str(), (stream + "-durable").c_str(), nullptr,
                       &so, &err) != NATS_OK) {
    std::cerr << "pull subscribe failed\n";
    return 0;
  }
  absl::Time start = absl::Now();
  // The Fetch path can stall for good on this client (PITFALLS); a reference that never ends
  // would hang the whole benchmark, so it gives up and reports the rate of what it got.
  const absl::Time give_up = start + absl::Seconds(120);
  int got = 0;
  while (got < n && absl::Now() < give_up) {
    natsMsgList list{};
    // Long expiry and a batch far above anything pending: no leftover deliveries (PITFALLS).
    natsStatus s = natsSubscription_Fetch(&list, sub, 256, 5000, &err);
    if (s != NATS_OK && s != NATS_TIMEOUT) break;
    for (int i = 0; i < list.Count; ++i) natsMsg_Ack(list.Msgs[i], nullptr);
    got += list.Count;
    natsMsgList_Destroy(&list);
  }
  double seconds = absl::ToDoubleSeconds(absl::Now() - start);
  if (got < n) std::cerr << "raw fetch stalled: " << got << " of " << n << " in 120 s\n";
  natsSubscription_Unsubscribe(sub);
  natsSubscription_Destroy(sub);
  return got / seconds;
}

struct PushState {
  std::atomic<int> got{0};
};

void OnPush(natsConnection*, natsSubscription*, natsMsg* msg, void* closure) {
  natsMsg_Ack(msg, nullptr);
  natsMsg_Destroy(msg);
  static_cast<PushState*>(closure)->got.fetch_add(1);
}

double RawPush(TestNats& nats, const std::string& payload, int n) {
  (void)nats.EnsureStream("BENCH_PUSH", "bench.push", false);
  for (int i = 0; i < n; ++i) {
    (void)nats.PublishAsync("bench.push", payload, absl::StrCat("push-", i));
  }
  (void)nats.WaitPublished();
  PushState state;
  natsSubscription* sub = nullptr;
  jsSubOptions so;
  jsSubOptions_Init(&so);
  so.Stream = "BENCH_PUSH";
  so.Queue = "bench-push";
  so.ManualAck = true;
  so.Config.Durable = "bench-push";
  so.Config.DeliverGroup = "bench-push";
  so.Config.AckPolicy = js_AckExplicit;
  so.Config.MaxAckPending = 4096;
  jsErrCode err;
  absl::Time start = absl::Now();
  if (js_Subscribe(&sub, nats.js(), "bench.push", OnPush, &state, nullptr, &so, &err) != NATS_OK) {
    std::cerr << "push subscribe failed\n";
    return 0;
  }
  natsSubscription_SetPendingLimits(sub, -1, -1);
  testing::Eventually([&] { return state.got.load() >= n; }, absl::Seconds(120),
                      absl::Milliseconds(1));
  double seconds = absl::ToDoubleSeconds(absl::Now() - start);
  natsSubscription_Unsubscribe(sub);
  natsSubscription_Destroy(sub);
  return state.got.load() / seconds;
}

// Rewrites Redis's AOF and waits for it: each round then starts from a near-empty AOF, so the
// automatic rewrite (a fork that copies the dataset, triggered once the AOF has doubled and passed
// 64 MB) does not land inside some rounds' timing and not others'.
void CompactAof() {
  store::RedisOptions options;
  options.port = testing::Servers::Redis().port();
  store::RedisPool pool(options);
  (void)pool.Command({"BGREWRITEAOF"});
  testing::Eventually(
      [&] {
        auto info = pool.Command({"INFO", "persistence"});
        return info.ok() && info->str().find("aof_rewrite_in_progress:0") != std::string::npos &&
               info->str().find("aof_rewrite_scheduled:0") != std::string::npos;
      },
      absl::Seconds(30), absl::Milliseconds(20));
}

// Submissions the intake handler has finished with (stored, duplicate, rejected or dead letter;
// retries not counted), from the service's metrics.
double Intake(TestNats& nats, int n, const testing::Secrets& secrets) {
  rpc::ServiceConfig config = testing::HarnessServiceConfig(secrets);
  // First run: creates the streams and the durable intake consumer, then stops, so the
  // submissions can be published beforehand, as the raw measurements are.
  {
    auto server = referral::ReferralServer::Start(config, {});
    if (!server.ok()) {
      std::cerr << "referral server: " << server.status() << "\n";
      return 0;
    }
    testing::Eventually([&] { return (*server)->healthy(); }, absl::Seconds(20));
    absl::SleepFor(absl::Seconds(1));
    (*server)->Shutdown(absl::Seconds(2));
  }
  for (int i = 0; i < n; ++i) {
    const std::string m = i % 2 ? "0165" : "0183";
    (void)nats.PublishAsync(
        absl::StrCat("kpr.intake.v1.referral_submitted.", m),
        testing::IntakeEnvelope(testing::SyntheticSubmission(i, m), absl::StrCat("bench-", i), m),
        absl::StrCat("bench-", i));
  }
  if (!nats.WaitPublished(absl::Seconds(60)).ok()) {
    std::cerr << "publishing the submissions failed\n";
    return 0;
  }
  // Timed: from the service's start until every submission is stored, acked (the work queue is
  // empty) and its received event is on KPR_REFERRAL.
  const bool verbose = std::getenv("KPR_BENCH_VERBOSE") != nullptr;
  if (verbose) {  // commandstats of this intake run only
    (void)std::system(absl::StrCat("redis-cli -p ", testing::Servers::Redis().port(),
                                   " CONFIG RESETSTAT >/dev/null")
                          .c_str());
  }
  auto cpu_before = verbose ? CpuSnapshot() : std::map<std::string, double>();
  absl::Time start = absl::Now();
  auto server = referral::ReferralServer::Start(config, {});
  if (!server.ok()) return 0;
  // Two phases, so that measuring does not load the server being measured: polling stream info
  // every 2 ms for the whole run costs nats-server ~18 % of a core (and this process ~8 %), which
  // the raw references do not pay. First the service's own count of handled submissions (an
  // in-process atomic: free to read); once it reaches n, the criterion itself, from NATS.
  const double handled_before = HandledSubmissions();
  absl::Time handled = absl::InfiniteFuture();
  absl::Time acked = absl::InfiniteFuture();
  bool done = testing::Eventually([&] { return HandledSubmissions() - handled_before >= n; },
                                  absl::Seconds(300), absl::Milliseconds(1));
  if (done) handled = absl::Now();
  done =
      done && testing::Eventually(
                  [&] {
                    auto out = nats.StreamCount("KPR_REFERRAL");
                    auto left = nats.StreamCount("KPR_INTAKE");
                    if (left.ok() && *left == 0 && acked == absl::InfiniteFuture())
                      acked = absl::Now();
                    return out.ok() && left.ok() && *out >= static_cast<uint64_t>(n) && *left == 0;
                  },
                  absl::Seconds(60), absl::Milliseconds(2));
  double seconds = absl::ToDoubleSeconds(absl::Now() - start);
  if (verbose) {
    PrintCpu(cpu_before, CpuSnapshot(), n, seconds);
    std::cerr << "intake: all handled after " << absl::ToDoubleSeconds(handled - start)
              << " s, all acked after " << absl::ToDoubleSeconds(acked - start)
              << " s, all events out after " << seconds << " s\n";
    std::string cmd = absl::StrCat(
        "redis-cli -p ", testing::Servers::Redis().port(),
        " INFO commandstats | grep -E 'evalsha|xrange|xdel|xadd|hset|zadd|sadd|hget|cmdstat_exec' "
        ">&2; redis-cli -p ",
        testing::Servers::Redis().port(),
        " INFO persistence | grep -E 'aof_last_bgrewrite|aof_current_size|aof_rewrites' >&2");
    (void)std::system(cmd.c_str());
  }
  (*server)->Shutdown(absl::Seconds(2));
  if (!done) {
    std::cerr << "intake did not finish\n";
    return 0;
  }
  return n / seconds;
}

}  // namespace
}  // namespace kpr::bench

int main(int argc, char** argv) {
  int n = argc > 1 ? std::atoi(argv[1]) : 20000;
  int rounds = argc > 2 ? std::atoi(argv[2]) : 3;
  kpr::observe::SetMinLogLevel(kpr::observe::LogLevel::kError);
  std::string tmpl = (std::filesystem::temp_directory_path() / "kpr-bench-XXXXXX").string();
  std::string dir = mkdtemp(tmpl.data());
  kpr::testing::InitHarness(dir);
  auto secrets = kpr::testing::WriteSecrets(dir);
  auto sample =
      kpr::testing::IntakeEnvelope(kpr::testing::SyntheticSubmission(1, "0165"), "sample", "0165");
  std::cout
      << "| round | messages | raw fetch(256)+ack /s | raw fetch+ack, work queue /s | raw push+ack "
         "/s | intake end-to-end /s | intake / raw fetch | intake / raw work queue |\n"
      << "|---|---|---|---|---|---|---|---|\n";
  std::vector<double> pulls, pulls_wq, pushes, intakes, ratios, ratios_wq;
  for (int r = 1; r <= rounds; ++r) {
    (void)kpr::testing::FlushRedis();
    kpr::bench::CompactAof();
    (void)kpr::testing::DeleteAllStreams();
    auto nats = kpr::testing::TestNats::Connect(kpr::testing::Servers::Nats().url());
    if (!nats.ok()) return 1;
    // KPR_BENCH_INTAKE_ONLY=1 skips the references (to profile the intake alone).
    const bool intake_only = std::getenv("KPR_BENCH_INTAKE_ONLY") != nullptr;
    const bool verbose = std::getenv("KPR_BENCH_VERBOSE") != nullptr;
    // Runs one reference; verbose: with the CPU each process used during it (publishing included).
    auto reference = [&](const char* name, auto&& run) -> double {
      if (intake_only) return 0;
      auto before = verbose ? kpr::bench::CpuSnapshot() : std::map<std::string, double>();
      absl::Time t0 = absl::Now();
      double rate = run();
      if (verbose) {
        std::cerr << name << " (CPU includes publishing the messages beforehand):\n";
        kpr::bench::PrintCpu(before, kpr::bench::CpuSnapshot(), n,
                             absl::ToDoubleSeconds(absl::Now() - t0));
      }
      return rate;
    };
    double pull =
        reference("raw fetch+ack", [&] { return kpr::bench::RawPull(**nats, sample, n, false); });
    double pull_wq = reference("raw fetch+ack, work queue",
                               [&] { return kpr::bench::RawPull(**nats, sample, n, true); });
    double push = reference("raw push+ack", [&] { return kpr::bench::RawPush(**nats, sample, n); });
    double intake = kpr::bench::Intake(**nats, n, secrets);
    std::cout << absl::StrFormat("| %d | %d | %.0f | %.0f | %.0f | %.0f | %.0f %% | %.0f %% |\n", r,
                                 n, pull, pull_wq, push, intake,
                                 pull > 0 ? 100.0 * intake / pull : 0.0,
                                 pull_wq > 0 ? 100.0 * intake / pull_wq : 0.0)
              << std::flush;
    pulls.push_back(pull);
    pulls_wq.push_back(pull_wq);
    ratios_wq.push_back(pull_wq > 0 ? 100.0 * intake / pull_wq : 0.0);
    pushes.push_back(push);
    intakes.push_back(intake);
    ratios.push_back(pull > 0 ? 100.0 * intake / pull : 0.0);
  }
  using kpr::bench::Median;
  std::cout << absl::StrFormat(
      "\nMedian over %d rounds: raw fetch+ack %.0f/s (work queue %.0f/s), raw push+ack %.0f/s, "
      "intake %.0f/s; intake at %.0f %% of raw fetch+ack (target >= 25 %%), %.0f %% of raw "
      "fetch+ack on a work-queue stream like KPR_INTAKE\n",
      rounds, Median(pulls), Median(pulls_wq), Median(pushes), Median(intakes), Median(ratios),
      Median(ratios_wq));
  kpr::testing::ShutdownHarness();
  std::filesystem::remove_all(dir);
  return 0;
}
