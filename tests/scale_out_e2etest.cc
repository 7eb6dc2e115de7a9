// The short version of the scale-out run (bench/scale_out.sh runs the full size): three replicas
// of every service (the simulated-clock builds) on a Redis Cluster of 3 primaries and 3
// replicas and a 3-node NATS JetStream cluster with R3 streams, all on loopback, play a semester
// for ten municipalities through to the 12-month follow-up (tests/support/semester.h). While
// the clock walks the sessions, parts fail, each while the work of a step is in flight:
//   - one replica of each service is SIGKILLed (and started again later);
//   - the leader of the busiest stream is SIGKILLed (and its server started again later);
//   - a Redis primary fails over (CLUSTER FAILOVER on its replica), then the old primary is
//     SIGKILLed (and started again later, to rejoin as a replica);
//   - the slot of a busy municipality migrates to another primary (MIGRATING/IMPORTING and
//     MIGRATE: ASK and TRYAGAIN for the services).
// Afterwards nothing is lost and nothing doubled (semester_audit.h: referrals, status changes,
// enrolments, attendance marks, answers, messages; the SMS gateway saw no message twice), and
// every replica handled a share of every consumer's messages (kpr_consumer_messages_total).
//
// KPR_SCALE_OUT_CITIZENS (per municipality, default 8) sizes it.

#include <cstdlib>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <set>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "gtest/gtest.h"
#include "libs/store/cluster_slot.h"
#include "tests/harness/nats_cluster.h"
#include "tests/harness/redis_cluster.h"
#include "tests/harness/sms_gateway_sim.h"
#include "tests/harness/smtp_sink.h"
#include "tests/support/command.h"
#include "tests/support/metrics_scrape.h"
#include "tests/support/referral_testing.h"
#include "tests/support/semester.h"
#include "tests/support/semester_audit.h"
#include "tests/support/suite_processes.h"

namespace kpr::testing {
namespace {

// Capital Region municipalities; 0165 and 0183 are in the demo catalog, the rest copy 0165's
// institutions, instructors, calendar and programs.
const std::vector<std::string> kMunicipalities = {"0101", "0147", "0151", "0153", "0155",
                                                  "0157", "0159", "0161", "0165", "0183"};

std::string TenMunicipalityCatalog(const std::string& path) {
  std::ifstream in(std::string(KPR_SOURCE_DIR) + "/deploy/local/demo-catalog.json");
  nlohmann::json catalog = nlohmann::json::parse(in);
  for (auto& [part, entries] : catalog.items()) {
    nlohmann::json copies = nlohmann::json::array();
    for (const nlohmann::json& e : entries) {
      if (e.value("municipality", "") != "0165") continue;
      for (const std::string& m : kMunicipalities) {
        if (m == "0165" || m == "0183") continue;
        nlohmann::json copy = e;
        copy["municipality"] = m;
        copies.push_back(copy);
      }
    }
    for (nlohmann::json& c : copies) entries.push_back(std::move(c));
  }
  std::ofstream(path) << catalog.dump(1);
  return path;
}

// acked messages per consumer in one replica's /metrics.
std::map<std::string, double> AckedByConsumer(int http_port) {
  std::map<std::string, double> acked;
  for (const MetricSample& s : ScrapeMetric(http_port, "kpr_consumer_messages_total")) {
    if (s.labels.at("outcome") == "acked") acked[s.labels.at("consumer")] += s.value;
  }
  return acked;
}

// The failures, by clock step of the walk; each undone a few steps later.
class Failures {
 public:
  Failures(SuiteProcesses& suite, NatsCluster& nats, RedisCluster& redis)
      : suite_(suite), nats_(nats), redis_(redis) {}

  absl::Status During(int step) {
    switch (step) {
      case 4:
        return KillOneReplicaOfEach();
      case 7:
        return StartKilledReplicas();
      case 9:
        return KillBusiestStreamLeader();
      case 12:
        return nats_.Restart(nats_node_);
      case 14:
        return FailOverRedisPrimary();
      case 17:
        return redis_.Restart(old_primary_);
      case 19:
        return MigrateBusySlot();
      default:
        return absl::OkStatus();
    }
  }

  // What one replica of `service` acked of `consumer`: over its whole life (for replica 0,
  // before its kill and since its restart) and since replica 0's restart.
  struct Share {
    double lifetime = 0;
    double since_restart = 0;
  };
  std::map<std::string, std::vector<Share>> Shares(const std::string& service) {
    std::map<std::string, std::vector<Share>> out;
    for (int i = 0; i < suite_.replicas(); ++i) {
      for (const auto& [consumer, n] : AckedByConsumer(suite_.replica(service, i).http_port())) {
        std::vector<Share>& shares = out[consumer];
        shares.resize(suite_.replicas());
        shares[i].lifetime = n;
        shares[i].since_restart = n;
      }
    }
    for (auto& [consumer, shares] : out) {
      shares[0].lifetime += acked_before_kill_[service][0][consumer];
      for (int i = 1; i < suite_.replicas(); ++i) {
        shares[i].since_restart -= acked_at_restart_[service][i][consumer];
      }
    }
    return out;
  }

  int done() const { return done_; }

 private:
  absl::Status KillOneReplicaOfEach() {
    for (const char* service : SuiteProcesses::kServices) {
      acked_before_kill_[service][0] = AckedByConsumer(suite_.replica(service, 0).http_port());
      suite_.replica(service, 0).Kill();
    }
    std::cerr << "failure: replica 0 of every service SIGKILLed\n";
    ++done_;
    return absl::OkStatus();
  }

  absl::Status StartKilledReplicas() {
    for (const char* service : SuiteProcesses::kServices) {
      if (absl::Status st = suite_.replica(service, 0).Start(); !st.ok()) return st;
    }
    for (const char* service : SuiteProcesses::kServices) {
      if (absl::Status st = suite_.replica(service, 0).WaitServing(absl::Seconds(60)); !st.ok()) {
        return st;
      }
      for (int i = 1; i < suite_.replicas(); ++i) {
        acked_at_restart_[service][i] = AckedByConsumer(suite_.replica(service, i).http_port());
      }
    }
    return absl::OkStatus();
  }

  absl::Status KillBusiestStreamLeader() {
    auto client = TestNats::Connect(nats_.url());
    if (!client.ok()) return client.status();
    std::string busiest;
    uint64_t most = 0;
    for (const char* stream : {"KPR_SCHEDULING", "KPR_OUTCOMES", "KPR_NOTIFY", "KPR_REFERRAL"}) {
      auto n = (*client)->StreamCount(stream);
      if (n.ok() && *n >= most) most = *n, busiest = stream;
    }
    auto leader = nats_.KillStreamLeader(busiest);
    if (!leader.ok()) return leader.status();
    nats_node_ = *leader;
    std::cerr << "failure: " << busiest << "'s leader (" << nats_.server_name(nats_node_)
              << ") SIGKILLed\n";
    ++done_;
    return absl::OkStatus();
  }

  absl::Status FailOverRedisPrimary() {
    // The primary holding 0165, whose sessions are being reminded of right now.
    auto primary = redis_.PrimaryOfSlot(store::KeySlot("{0165}"));
    if (!primary.ok()) return primary.status();
    auto promoted = redis_.Failover(*primary);
    if (!promoted.ok()) return promoted.status();
    redis_.Kill(*primary);
    old_primary_ = *primary;
    std::cerr << "failure: Redis primary " << redis_.port(*primary) << " failed over to "
              << redis_.port(*promoted) << ", then SIGKILLed\n";
    ++done_;
    return absl::OkStatus();
  }

  absl::Status MigrateBusySlot() {
    const int slot = store::KeySlot("{0183}");
    auto owner = redis_.PrimaryOfSlot(slot);
    if (!owner.ok()) return owner.status();
    int to = -1;
    for (int p : redis_.Primaries()) {
      if (p != *owner) to = p;
    }
    if (to < 0) return absl::FailedPreconditionError("no other primary to migrate to");
    // Keys move while the services write: new keys are ASKed to the target, scripts over keys
    // on both sides get TRYAGAIN.
    if (absl::Status st = redis_.BeginMigration(slot, to); !st.ok()) return st;
    absl::SleepFor(absl::Milliseconds(300));
    if (absl::Status st = redis_.MigrateKeys(slot); !st.ok()) return st;
    absl::SleepFor(absl::Milliseconds(300));
    if (absl::Status st = redis_.FinishMigration(slot); !st.ok()) return st;
    std::cerr << "failure: slot " << slot << " of 0183 migrated from " << redis_.port(*owner)
              << " to " << redis_.port(to) << "\n";
    ++done_;
    return absl::OkStatus();
  }

  SuiteProcesses& suite_;
  NatsCluster& nats_;
  RedisCluster& redis_;
  std::map<std::string, std::map<int, std::map<std::string, double>>> acked_before_kill_;
  std::map<std::string, std::map<int, std::map<std::string, double>>> acked_at_restart_;
  int nats_node_ = -1;
  int old_primary_ = -1;
  int done_ = 0;
};

TEST(ScaleOut, ThreeReplicasOfEverythingOnTheClustersLoseNothingWhenPartsFail) {
  Servers::SmsGateway().Reset();
  ASSERT_TRUE(Servers::Smtp().Reset().ok());
  RedisCluster redis(Servers::Dir() + "/redis-cluster", {});
  ASSERT_TRUE(redis.Start().ok());
  NatsCluster nats(Servers::Dir() + "/nats-cluster");
  ASSERT_TRUE(nats.Start().ok());
  const Secrets secrets = WriteSecrets(Servers::Dir());
  const absl::CivilDay start(2027, 3, 1);
  // The shared clock first, in the cluster: the -sim services read it from there.
  auto set = RunCommand({BinaryDir() + "/tools/kprctl/kprctl", "clock", "set",
                         "2027-03-01T08:00:00Z", "--redis-url", redis.url()});
  ASSERT_TRUE(set.ok() && set->exit_code == 0)
      << (set.ok() ? absl::StrCat("exit ", set->exit_code, ": ", set->out, set->err)
                   : std::string(set.status().message()));

  SuiteOptions options;
  options.replicas = 3;
  options.nats_url = nats.url();
  options.redis_url = redis.url();
  options.env = {{"KPR_STREAM_REPLICAS", "3"}};
  SuiteProcesses suite(secrets, options);
  absl::Status started = suite.Start();
  ASSERT_TRUE(started.ok()) << started;

  SemesterPlan plan;
  plan.municipalities = kMunicipalities;
  plan.citizens = 8;
  if (const char* n = std::getenv("KPR_SCALE_OUT_CITIZENS"))
    ASSERT_TRUE(absl::SimpleAtoi(n, &plan.citizens));
  plan.cohorts = (plan.citizens + 11) / 12;  // the program takes at most 12 a cohort
  plan.referrals_arrive = start;
  plan.idle_timeout = absl::Seconds(180);
  Failures failures(suite, nats, redis);
  plan.during_step = [&failures](int step) { return failures.During(step); };
  SuiteEndpoints endpoints = suite.Endpoints();
  endpoints.catalog_file = TenMunicipalityCatalog(Servers::Dir() + "/scale-out-catalog.json");
  const absl::Time began = absl::Now();
  auto run = RunSemester(endpoints, plan, &std::cerr);
  ASSERT_TRUE(run.ok()) << run.status() << "\n" << suite.Logs(3000);
  std::cerr << "semester on the clusters: " << run->citizens.size() << " citizens, "
            << run->clock_steps << " clock steps, " << absl::Now() - began << "\n";
  EXPECT_EQ(failures.done(), 4) << "every failure happened during the walk";

  auto ledger = AuditSemester(endpoints, plan.municipalities, *run);
  ASSERT_TRUE(ledger.ok()) << ledger.status();
  for (const std::string& p : ledger->problems) ADD_FAILURE() << p;
  EXPECT_EQ(ledger->referrals, static_cast<int>(kMunicipalities.size()) * plan.citizens);
  std::cerr << "ledger: " << ledger->referrals << " referrals, " << ledger->status_changes
            << " status changes, " << ledger->enrolments << " enrolments, "
            << ledger->attendance_marks << " attendance marks, " << ledger->answers << " answers, "
            << ledger->sms_sent << " SMS, " << ledger->email_sent << " e-mails\n";
  EXPECT_EQ(Servers::SmsGateway().stats().accepted, ledger->sms_sent);
  EXPECT_EQ(Servers::SmsGateway().stats().duplicates, 0);
  EXPECT_EQ(static_cast<int>(Servers::Smtp().CountByMessageId().size()), ledger->email_sent);

  // Every replica did a share of every consumer's work, and the killed ones took up work again
  // after their restart. A deliver group spreads messages at random, so a consumer with only a
  // few messages (in a period) may leave a replica without one: those are only shown.
  constexpr double kEnoughToShare = 10.0 * 3;
  for (const char* service : SuiteProcesses::kServices) {
    for (const auto& [consumer, shares] : failures.Shares(service)) {
      double lifetime = 0, since_restart = 0;
      std::string shown;
      for (size_t i = 0; i < shares.size(); ++i) {
        lifetime += shares[i].lifetime;
        since_restart += shares[i].since_restart;
        absl::StrAppend(&shown, i == 0 ? "" : " / ", shares[i].lifetime, " (",
                        shares[i].since_restart, " since the restart)");
      }
      std::cerr << service << " " << consumer << " acked per replica: " << shown << "\n";
      for (size_t i = 0; i < shares.size(); ++i) {
        if (lifetime >= kEnoughToShare) {
          EXPECT_GT(shares[i].lifetime, 0) << service << " replica " << i << " acked none of "
                                           << consumer << "'s " << lifetime << " messages";
        }
        if (i == 0 && since_restart >= kEnoughToShare) {
          EXPECT_GT(shares[i].since_restart, 0)
              << service << " replica 0 acked none of " << consumer << "'s " << since_restart
              << " messages after its restart";
        }
      }
    }
  }
  suite.TerminateAll();
}

}  // namespace
}  // namespace kpr::testing
