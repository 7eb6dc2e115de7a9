// The morning burst (issue 11): N session reminders fall due at once over R kpr-notify replicas,
// every citizen on SMS, with the simulated gateway limited to `rate` messages a second and
// KPR_SMS_RATE set to the same (the token bucket in Redis that the replicas share). The gateway is
// the bottleneck by construction, so the ideal drain is N / rate; the benchmark reports the time
// from "timers due" to the last message the gateway accepted, against that ideal, and the
// duplicates (repeated userrefs at the gateway), which must be 0. Target: within 5 % of the ideal.
//
// Then, in the emptied Redis: used_memory before and after scheduling M pending reminder timers
// (ids and payloads shaped like the real ones), and the bytes per reminder.
//
//   kpr-bench-notify-burst [--count=50000] [--rate=500] [--replicas=3] [--memory=1000000]
//
// kpr-referral and kpr-notify run as child processes (from $KPR_BIN_DIR, else this binary's
// build tree) against the bench's own redis-server and nats-server; the gateway simulator runs in
// this process. Prints markdown for bench/RESULTS.md; progress and CPU per process on stderr.

#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <iostream>
#include <set>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/time/clock.h"
#include "bench/cpu_usage.h"
#include "libs/observe/log.h"
#include "libs/store/redis_pool.h"
#include "services/notify/reminder_plan.h"
#include "tests/harness/sms_gateway_sim.h"
#include "tests/support/metrics_scrape.h"
#include "tests/support/notify_burst.h"
#include "tests/support/referral_testing.h"

ABSL_FLAG(int, count, 50000, "reminders falling due at once (all SMS)");
ABSL_FLAG(int, rate, 500, "the gateway's limit and KPR_SMS_RATE, messages a second");
ABSL_FLAG(int, replicas, 3, "kpr-notify processes");
ABSL_FLAG(int, timer_workers, 0, "KPR_NOTIFY_TIMER_WORKERS per replica; 0: the default");
ABSL_FLAG(int, memory, 1000000, "pending reminders for the Redis memory measurement; 0 skips it");

namespace kpr::bench {
namespace {

using testing::Servers;
namespace nv1 = ::kpr::notify::v1;

constexpr char kM[] = "0165";

int64_t Zcard(store::RedisPool& pool, const std::string& key) {
  auto r = pool.Command({"ZCARD", key});
  return r.ok() ? r->integer() : -1;
}

struct DrainResult {
  bool complete = false;
  double seconds = 0;
  double first_accept_s = 0;
};

// Seeds N citizens, starts the replicas, schedules the reminders due at T0 and waits until the
// gateway has accepted them all.
DrainResult Drain(int count, int rate, int replicas, int workers) {
  testing::SmsGatewaySimOptions sim_options;
  sim_options.token = testing::kTestGatewayToken;
  sim_options.reports.statuses = {};  // no delivery reports: no callback URL anyway
  // A thread per keep-alive connection: with fewer threads than the replicas' workers the
  // simulator, not notify, would queue the sends (a real gateway has no such limit).
  sim_options.threads = std::max(16, 2 * replicas * std::max(workers, 2));
  testing::SmsGatewaySim sim(sim_options);
  if (!sim.Start().ok()) return {};
  sim.SetRateLimit(rate);

  testing::Secrets secrets = testing::WriteSecrets(Servers::Dir());
  testing::ReferralProcess referral(secrets);
  if (!referral.Start().ok() || !referral.WaitServing().ok()) {
    std::cerr << "kpr-referral did not start\n" << referral.Log();
    return {};
  }
  absl::Time t = absl::Now();
  auto citizens = testing::SubmitBurstCitizens(referral.grpc_address(), secrets.jwt_secret, count,
                                               /*email_every=*/0, /*threads=*/8);
  if (!citizens.ok()) {
    std::cerr << "seeding referrals: " << citizens.status() << "\n";
    return {};
  }
  std::cerr << absl::StrFormat("seeded %d referrals in %.1f s\n", count,
                               absl::ToDoubleSeconds(absl::Now() - t));

  testing::NotifyStores stores;
  const absl::Time session_start = absl::Now() + absl::Hours(3);
  auto reminders = testing::SeedBurstRoster(stores.roster, *citizens, session_start, absl::Now());
  if (!reminders.ok()) {
    std::cerr << "seeding the roster: " << reminders.status() << "\n";
    return {};
  }

  std::map<std::string, std::string> extra;
  if (workers > 0) extra["KPR_NOTIFY_TIMER_WORKERS"] = absl::StrCat(workers);
  std::vector<std::unique_ptr<testing::ServiceProcess>> notify;
  for (int i = 0; i < replicas; ++i) {
    notify.push_back(std::make_unique<testing::ServiceProcess>(
        "notify", secrets,
        testing::NotifyProcessEnv(referral.grpc_address(), sim.url(), rate, extra)));
    if (!notify.back()->Start().ok() || !notify.back()->WaitServing().ok()) {
      std::cerr << "kpr-notify did not start\n" << notify.back()->Log();
      return {};
    }
  }

  // Every reminder is due at T0, a moment after they are all written.
  const absl::Time t0 = absl::Now() + absl::Seconds(5);
  for (timer::Timer& r : *reminders) r.due = t0;
  t = absl::Now();
  if (auto st = testing::ScheduleInBatches(stores.timers, *reminders); !st.ok()) {
    std::cerr << "scheduling: " << st << "\n";
    return {};
  }
  std::cerr << absl::StrFormat("scheduled %d reminder timers in %.1f s%s\n", count,
                               absl::ToDoubleSeconds(absl::Now() - t),
                               absl::Now() > t0 ? " (AFTER T0: the drain time includes some)" : "");
  if (absl::Now() < t0) absl::SleepFor(t0 - absl::Now());
  const auto cpu_before = CpuSnapshot();

  // Progress every 5 s: what the gateway took, and how many deliveries are recorded and sent.
  const double ideal = static_cast<double>(count) / rate;
  const absl::Time give_up = t0 + absl::Seconds(3 * ideal + 120);
  absl::Time next_report = t0 + absl::Seconds(5);
  while (sim.stats().accepted < count && absl::Now() < give_up) {
    absl::SleepFor(absl::Milliseconds(100));
    if (absl::Now() < next_report) continue;
    next_report += absl::Seconds(5);
    const testing::SimStats s = sim.stats();
    std::cerr << absl::StrFormat(
        "  t=%5.1f s  accepted %6d  throttled %5d  deliveries pending %6d sent %6d\n",
        absl::ToDoubleSeconds(absl::Now() - t0), s.accepted, s.throttled,
        Zcard(stores.pool,
              absl::StrCat("kpr:{", kM, "}:notify:status:", nv1::DELIVERY_STATUS_PENDING)),
        Zcard(stores.pool,
              absl::StrCat("kpr:{", kM, "}:notify:status:", nv1::DELIVERY_STATUS_SENT)));
  }
  const absl::Time end = absl::Now();
  PrintCpu(cpu_before, CpuSnapshot(), count, absl::ToDoubleSeconds(end - t0));

  DrainResult out;
  const std::vector<testing::SimSms> messages = sim.Messages();
  absl::Time first = absl::InfiniteFuture(), last = absl::InfinitePast();
  std::set<std::string> userrefs;
  for (const testing::SimSms& m : messages) {
    first = std::min(first, m.accepted_at);
    last = std::max(last, m.accepted_at);
    userrefs.insert(m.userref);
  }
  const testing::SimStats stats = sim.stats();
  out.complete = stats.accepted >= count;
  out.seconds = absl::ToDoubleSeconds(last - t0);
  out.first_accept_s = absl::ToDoubleSeconds(first - t0);
  absl::SleepFor(absl::Seconds(2));  // let the last results be recorded
  auto tally = testing::TallyDeliveries(stores.deliveries, kM);

  std::cout << "| reminders | rate /s | replicas | ideal s | drain s | drain / ideal | first "
               "accepted after s | accepted | distinct userrefs | duplicates | throttled (429) | "
               "SENT | per replica (accepted SMS) |\n"
            << "|---|---|---|---|---|---|---|---|---|---|---|---|---|\n";
  std::string split;
  for (const auto& n : notify) {
    absl::StrAppend(&split, split.empty() ? "" : " / ",
                    testing::SumMatching(
                        testing::ScrapeMetric(n->http_port(), "kpr_notify_provider_calls_total"),
                        {{"channel", "sms"}, {"outcome", "accepted"}}));
  }
  std::cout << absl::StrFormat(
      "| %d | %d | %d | %.1f | %.1f | %.3f | %.2f | %d | %d | %d | %d | %d | %s |\n", count, rate,
      replicas, ideal, out.seconds, out.seconds / ideal, out.first_accept_s, stats.accepted,
      userrefs.size(), stats.duplicates, stats.throttled,
      tally.ok() ? tally->Count(nv1::DELIVERY_STATUS_SENT) : -1, split);
  if (!out.complete) std::cerr << "INCOMPLETE: the gateway accepted " << stats.accepted << "\n";
  for (auto& n : notify) n->Terminate();
  referral.Terminate();
  return out;
}

// An id of the shape of kpr's ULID-based ids: "<m>-" + 26 Crockford base32 characters.
std::string UlidLike(uint64_t n) {
  static constexpr char kAlphabet[] = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";
  std::string out = absl::StrCat(kM, "-01J");
  uint64_t x = n * 0x9E3779B97F4A7C15ULL + 0x632BE59BD9B4E019ULL;
  for (int i = 0; i < 23; ++i) {
    out.push_back(kAlphabet[x % 32]);
    x = x / 32 ^ (x << 7) * 31;
  }
  return out;
}

// Redis memory for `count` pending reminders: cohorts of 12 with 10 weekly sessions and the
// default offsets (24 h, 2 h), as PlanReminders schedules them.
void Memory(int count) {
  if (!testing::FlushRedis().ok()) return;
  testing::NotifyStores stores;
  store::RedisPool& pool = stores.pool;
  timer::TimerStore& timers = stores.timers;
  auto before = testing::RedisUsedMemory(pool);
  const absl::Time base = absl::Now() + absl::Hours(24 * 7);
  const absl::Duration offsets[] = {absl::Hours(24), absl::Hours(2)};
  std::vector<timer::Timer> batch;
  absl::Time t = absl::Now();
  for (int i = 0; i < count; ++i) {
    const int offset = i % 2, session = (i / 2) % 10, participant = (i / 20) % 12;
    const int cohort = i / 240;
    const std::string cohort_id =
        absl::StrFormat("%s-korsang-og-faellesskab-2027w%02d-%08x", kM, 1 + cohort % 52, cohort);
    const std::string session_id = absl::StrFormat("%s-s%02d", cohort_id, session + 1);
    const notify::SessionSlot slot{kM, cohort_id, session_id,
                                   base + absl::Hours(24 * 7 * session + cohort % 200)};
    const std::string referral_id = UlidLike(static_cast<uint64_t>(cohort) * 12 + participant);
    batch.push_back({kM, notify::ReminderTimerId(session_id, referral_id, offsets[offset]),
                     slot.start - offsets[offset],
                     notify::ReminderPayload(slot, referral_id, offsets[offset]), 0});
    if (batch.size() == 10000 || i + 1 == count) {
      if (auto st = timers.ScheduleMany(batch); !st.ok()) {
        std::cerr << "scheduling: " << st << "\n";
        return;
      }
      batch.clear();
    }
  }
  const double seconds = absl::ToDoubleSeconds(absl::Now() - t);
  auto after = testing::RedisUsedMemory(pool);
  auto zcard = Zcard(pool, timer::TimersKey(kM, notify::kNotifyService));
  if (!before.ok() || !after.ok()) return;
  std::cout << "\n| pending reminders | timers in the zset | used_memory before | after | per "
               "reminder | scheduled in |\n|---|---|---|---|---|---|\n"
            << absl::StrFormat("| %d | %d | %.1f MB | %.1f MB | %.0f bytes | %.1f s |\n", count,
                               zcard, *before / 1e6, *after / 1e6,
                               static_cast<double>(*after - *before) / count, seconds);
}

}  // namespace
}  // namespace kpr::bench

int main(int argc, char** argv) {
  absl::ParseCommandLine(argc, argv);
  kpr::observe::SetMinLogLevel(kpr::observe::LogLevel::kError);
  if (std::getenv("KPR_BIN_DIR") == nullptr) {
    // bench/kpr-bench-notify-burst in the build tree: the services are beside bench/.
    const auto exe = std::filesystem::read_symlink("/proc/self/exe");
    setenv("KPR_BIN_DIR", exe.parent_path().parent_path().c_str(), 1);
  }
  std::string tmpl = (std::filesystem::temp_directory_path() / "kpr-bench-XXXXXX").string();
  std::string dir = mkdtemp(tmpl.data());
  kpr::testing::InitHarness(dir);
  int status = 0;
  if (absl::GetFlag(FLAGS_count) > 0) {
    auto drain =
        kpr::bench::Drain(absl::GetFlag(FLAGS_count), absl::GetFlag(FLAGS_rate),
                          absl::GetFlag(FLAGS_replicas), absl::GetFlag(FLAGS_timer_workers));
    if (!drain.complete) status = 1;
  }
  if (absl::GetFlag(FLAGS_memory) > 0) kpr::bench::Memory(absl::GetFlag(FLAGS_memory));
  kpr::testing::ShutdownHarness();
  std::filesystem::remove_all(dir);
  return status;
}
