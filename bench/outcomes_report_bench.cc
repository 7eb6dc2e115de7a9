// GetProgramReport latency on national-scale outcomes data, and the memory Redis needs for it.
//
// 1. Starts redis-server and nats-server -js on free loopback ports (tests/harness) and an
//    in-process OutcomesServer whose clock is a simulated one.
// 2. Loads a generated nation (bench/outcomes_load.h; default 100,000 participants in 98
//    municipalities, 30 sessions each = 3,000,000 attendance marks, 400,000 questionnaires,
//    2 programs, cohorts starting 2026-2027) through the real write paths of an in-process
//    OutcomesDesks on the same Redis, day by simulated day, with the questionnaire and settle
//    timers fired by TimerWorkers. The server's outbox relay publishes the events meanwhile.
//    Redis AOF is off during the load unless --aof_during_load; it is switched back on (and
//    rewritten) before measuring.
// 3. Reports Redis memory (INFO memory, DBSIZE, bytes per key class).
// 4. Measures GetProgramReport over gRPC for municipality-year reports (random municipality,
//    program and year) at a fixed rate, open loop (latency from the scheduled send time), and
//    the same load against a trivial echo server in the same run; also the largest
//    municipality's reports alone, and a one-shot "scan" reference (the same report computed
//    by reading every participant record, which also checks the aggregates).
// 5. Checks every municipality-year report against figures computed from the generated data.
// Target: report p99 < 100 ms.

#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <optional>
#include <random>
#include <thread>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_split.h"
#include "absl/time/clock.h"
#include "bench/outcomes_load.h"
#include "bench/stats.h"
#include "grpcpp/grpcpp.h"
#include "kpr/bench/v1/echo.grpc.pb.h"
#include "kpr/outcomes/v1/outcomes_service.grpc.pb.h"
#include "libs/calendar/danish_time.h"
#include "libs/observe/log.h"
#include "libs/privacy/data_keys.h"
#include "libs/privacy/sealed_box.h"
#include "libs/rpc/auth.h"
#include "libs/rpc/server.h"
#include "libs/store/outbox.h"
#include "libs/store/redis_pool.h"
#include "services/outcomes/outcome_report.h"
#include "services/outcomes/outcome_tally.h"
#include "services/outcomes/outcomes_server.h"
#include "services/outcomes/outcomes_store.h"
#include "services/outcomes/questionnaire_schedule.h"
#include "tests/harness/redis_cluster.h"
#include "tests/support/referral_testing.h"

ABSL_FLAG(int, participants, 100000, "participants (before --scale)");
ABSL_FLAG(int, municipalities, 98, "municipalities");
ABSL_FLAG(double, scale, 1.0, "multiplies --participants (e.g. 0.01 for a quick run)");
ABSL_FLAG(int, threads, 4, "loader threads (municipalities in parallel; as many timer workers)");
ABSL_FLAG(uint64_t, seed, 1, "data generator seed");
ABSL_FLAG(bool, funnel, true, "also load the referral events the report's funnel counts");
ABSL_FLAG(bool, aof_during_load, false, "keep Redis AOF (appendfsync everysec) on during the load");
ABSL_FLAG(int, rate, 100, "report calls per second");
ABSL_FLAG(int, seconds, 20, "seconds per measurement");
ABSL_FLAG(int, rounds, 3, "rounds of (echo, reports, largest municipality's reports)");
ABSL_FLAG(bool, verify, true, "check every municipality-year report against the generated data");
ABSL_FLAG(bool, redis_cluster, false,
          "run on a Redis Cluster of 3 primaries and 3 replicas (loopback) instead of one Redis; "
          "the memory and AOF figures, which need one server, are left out");
ABSL_FLAG(bool, keep_dir, false, "keep the scratch directory (Redis and NATS data)");

namespace kpr::bench {
namespace {

namespace ov1 = ::kpr::outcomes::v1;

class EchoService final : public kpr::bench::v1::EchoService::Service {
  grpc::Status Echo(grpc::ServerContext*, const v1::EchoRequest* req,
                    v1::EchoResponse* resp) override {
    resp->set_payload(req->payload());
    return grpc::Status::OK;
  }
};

struct Result {
  double p50_ms = 0, p99_ms = 0, max_ms = 0;
  int ok = 0, failed = 0;
  std::string first_error;
};

struct Call {
  grpc::ClientContext ctx;
  grpc::Status status;
  absl::Time scheduled;
  v1::EchoResponse echo;
  ov1::OutcomeReport report;
};

// Sends `rate` calls a second for `duration` through start_call(i, call, cq) and collects
// latencies from the scheduled send time (open loop: a stall is not hidden).
template <typename StartCall>
Result RunOpenLoop(int rate, absl::Duration duration, StartCall start_call) {
  grpc::CompletionQueue cq;
  const int total = static_cast<int>(rate * absl::ToDoubleSeconds(duration));
  std::vector<double> latencies;
  latencies.reserve(total);
  Result result;
  std::thread receiver([&] {
    void* tag;
    bool ok;
    for (int i = 0; i < total && cq.Next(&tag, &ok); ++i) {
      auto* call = static_cast<Call*>(tag);
      if (call->status.ok()) {
        latencies.push_back(absl::ToDoubleMilliseconds(absl::Now() - call->scheduled));
        ++result.ok;
      } else {
        if (result.failed++ == 0) result.first_error = call->status.error_message();
      }
      delete call;
    }
  });
  const absl::Time start = absl::Now();
  for (int i = 0; i < total; ++i) {
    const absl::Time due = start + absl::Seconds(1) * i / rate;
    const absl::Time now = absl::Now();
    if (due > now) absl::SleepFor(due - now);
    auto* call = new Call;
    call->scheduled = due;
    call->ctx.set_deadline(absl::ToChronoTime(absl::Now() + absl::Seconds(5)));
    start_call(i, call, &cq);
  }
  receiver.join();
  cq.Shutdown();
  void* tag;
  bool ok;
  while (cq.Next(&tag, &ok)) {
  }
  std::sort(latencies.begin(), latencies.end());
  if (!latencies.empty()) {
    result.p50_ms = latencies[latencies.size() / 2];
    result.p99_ms = latencies[std::min(latencies.size() - 1, latencies.size() * 99 / 100)];
    result.max_ms = latencies.back();
  }
  return result;
}

// ---- Redis and process facts ---------------------------------------------------------------

std::map<std::string, std::string> Info(store::RedisPool& pool, const std::string& section) {
  std::map<std::string, std::string> out;
  auto r = pool.Command({"INFO", section});
  if (!r.ok()) return out;
  for (absl::string_view line : absl::StrSplit(r->str(), "\r\n")) {
    size_t colon = line.find(':');
    if (colon == absl::string_view::npos || line.empty() || line[0] == '#') continue;
    out[std::string(line.substr(0, colon))] = std::string(line.substr(colon + 1));
  }
  return out;
}

int64_t InfoInt(const std::map<std::string, std::string>& info, const std::string& key) {
  auto it = info.find(key);
  int64_t v = 0;
  if (it != info.end()) (void)absl::SimpleAtoi(it->second, &v);
  return v;
}

// CPU seconds (user + system) of this process's children by command name (redis-server,
// nats-server), from /proc.
std::map<std::string, double> ChildCpu() {
  std::map<std::string, double> out;
  const pid_t self = getpid();
  const double tick = static_cast<double>(sysconf(_SC_CLK_TCK));
  for (const auto& entry : std::filesystem::directory_iterator("/proc")) {
    std::ifstream f(entry.path() / "stat");
    std::string stat;
    if (!f || !std::getline(f, stat)) continue;
    size_t open = stat.find('('), close = stat.rfind(')');
    if (open == std::string::npos || close == std::string::npos) continue;
    std::vector<std::string> fields = absl::StrSplit(stat.substr(close + 2), ' ');
    // After the comm: state(3) ppid(4) ... utime(14) stime(15), i.e. fields[1], [11], [12].
    if (fields.size() < 13 || fields[1] != std::to_string(self)) continue;
    double utime = 0, stime = 0;
    (void)absl::SimpleAtod(fields[11], &utime);
    (void)absl::SimpleAtod(fields[12], &stime);
    out[stat.substr(open + 1, close - open - 1)] += (utime + stime) / tick;
  }
  return out;
}

double SelfCpu() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return u.ru_utime.tv_sec + u.ru_utime.tv_usec / 1e6 + u.ru_stime.tv_sec +
         u.ru_stime.tv_usec / 1e6;
}

// "kpr:{9001}:outcomes:participant:ref-..." -> "outcomes:participant"; tally, funnel and timer
// keys keep their kind ("outcomes:tally:cohort"); keys outside a municipality's slot stay whole.
std::string KeyClass(absl::string_view key) {
  std::vector<absl::string_view> parts = absl::StrSplit(key, ':');
  if (parts.size() < 3 || parts[0] != "kpr" || parts[1].size() != 6 || parts[1][0] != '{')
    return std::string(key);
  std::string cls(parts[2]);
  if (parts.size() > 3) absl::StrAppend(&cls, ":", parts[3]);
  if (parts.size() > 4 && (parts[3] == "tally" || parts[3] == "funnel" || parts[3] == "timers")) {
    absl::StrAppend(&cls, ":", parts[4]);
  }
  return cls;
}

struct KeyClassUsage {
  int64_t keys = 0;
  int64_t bytes = 0;
};

// SCAN every key with MEMORY USAGE (SAMPLES 0: exact), by class.
std::map<std::string, KeyClassUsage> MemoryByClass(store::RedisPool& pool) {
  std::map<std::string, KeyClassUsage> out;
  std::string cursor = "0";
  do {
    auto r = pool.Command({"SCAN", cursor, "COUNT", "2000"});
    if (!r.ok() || r->size() != 2) break;
    cursor = r->element(0).string();
    std::vector<std::string> keys;
    for (size_t i = 0; i < r->element(1).size(); ++i)
      keys.push_back(r->element(1).element(i).string());
    std::vector<std::vector<std::string>> cmds;
    for (const std::string& k : keys) cmds.push_back({"MEMORY", "USAGE", k, "SAMPLES", "0"});
    if (cmds.empty()) continue;
    auto usage = pool.Pipeline(cmds);
    if (!usage.ok()) break;
    for (size_t i = 0; i < keys.size(); ++i) {
      KeyClassUsage& u = out[KeyClass(keys[i])];
      ++u.keys;
      u.bytes += (*usage)[i].integer();
    }
  } while (cursor != "0");
  return out;
}

// "evalsha 1351572 calls 17.7 s (13.1 us/call), ..." for the commands Redis spent most time on.
std::string TopCommands(const std::map<std::string, std::string>& commandstats) {
  struct Cmd {
    std::string name;
    int64_t calls = 0;
    double usec = 0;
  };
  std::vector<Cmd> cmds;
  double total = 0;
  for (const auto& [key, value] : commandstats) {
    if (key.rfind("cmdstat_", 0) != 0) continue;
    Cmd c{key.substr(8)};
    for (absl::string_view kv : absl::StrSplit(value, ',')) {
      std::pair<absl::string_view, absl::string_view> f = absl::StrSplit(kv, '=');
      if (f.first == "calls") (void)absl::SimpleAtoi(f.second, &c.calls);
      if (f.first == "usec") (void)absl::SimpleAtod(f.second, &c.usec);
    }
    total += c.usec;
    cmds.push_back(c);
  }
  std::sort(cmds.begin(), cmds.end(), [](const Cmd& a, const Cmd& b) { return a.usec > b.usec; });
  std::string out = absl::StrFormat("%.1f s in all", total / 1e6);
  for (size_t i = 0; i < cmds.size() && i < 8; ++i) {
    absl::StrAppendFormat(&out, "; %s %d calls %.1f s (%.1f us/call)", cmds[i].name, cmds[i].calls,
                          cmds[i].usec / 1e6, cmds[i].calls ? cmds[i].usec / cmds[i].calls : 0.0);
  }
  return out;
}

std::string Mb(double bytes) { return absl::StrFormat("%.1f MB", bytes / 1e6); }

ov1::GetProgramReportRequest ReportRequest(const std::string& m, const std::string& program,
                                           int year) {
  const absl::TimeZone tz = calendar::DanishTimeZone();
  ov1::GetProgramReportRequest req;
  req.set_municipality(m);
  req.set_program_id(program);
  req.mutable_from()->set_seconds(
      absl::ToUnixSeconds(absl::FromCivil(absl::CivilDay(year, 1, 1), tz)));
  req.mutable_to()->set_seconds(
      absl::ToUnixSeconds(absl::FromCivil(absl::CivilDay(year + 1, 1, 1), tz)));
  return req;
}

// ---- The scan reference --------------------------------------------------------------------

// The report's tally computed the slow way: every participant record of the municipality's
// cohorts in the period, unsealed and added up. Also returns the tally the service keeps.
struct ScanResult {
  absl::Duration scan_time;
  absl::Duration aggregate_time;
  int cohorts = 0;
  int participants = 0;
  outcomes::OutcomeTally scanned, aggregated;
};

absl::StatusOr<ScanResult> ScanReport(outcomes::OutcomesStore& store, const privacy::SealedBox& box,
                                      const std::string& m, const std::string& program, int year) {
  // The service's index: cohort -> first day as days since 1970-01-01.
  const double from = static_cast<double>(absl::CivilDay(year, 1, 1) - absl::CivilDay(1970, 1, 1));
  const double to =
      static_cast<double>(absl::CivilDay(year + 1, 1, 1) - absl::CivilDay(1970, 1, 1) - 1);
  ScanResult out;
  absl::Time t0 = absl::Now();
  auto ids = store.IndexRange(m, outcomes::ProgramCohortsKey(m, program), from, to);
  if (!ids.ok()) return ids.status();
  std::vector<std::string> cohort_keys;
  for (const std::string& id : *ids) cohort_keys.push_back(outcomes::CohortKey(m, id));
  auto cohorts = store.Read(m, cohort_keys);
  if (!cohorts.ok()) return cohorts.status();
  std::vector<std::string> participant_keys;
  for (const auto& rec : *cohorts) {
    if (!rec) continue;
    ov1::CohortRecord c;
    if (!c.ParseFromString(rec->data)) return absl::DataLossError("cohort record");
    ++out.cohorts;
    for (const std::string& r : c.participants())
      participant_keys.push_back(outcomes::ParticipantKey(m, r));
  }
  auto participants = store.Read(m, participant_keys);
  if (!participants.ok()) return participants.status();
  outcomes::OutcomePolicy policy;
  for (size_t i = 0; i < participant_keys.size(); ++i) {
    if (!(*participants)[i]) continue;
    auto plain = box.Open((*participants)[i]->data, participant_keys[i]);
    if (!plain.ok()) return plain.status();
    ov1::ParticipantRecord p;
    if (!p.ParseFromString(*plain)) return absl::DataLossError("participant record");
    out.scanned += outcomes::ParticipantContribution(p, policy);
    ++out.participants;
  }
  (void)outcomes::BuildReport(out.scanned, nullptr, policy, 5);
  out.scan_time = absl::Now() - t0;

  t0 = absl::Now();
  std::vector<std::string> tally_keys;
  for (const std::string& id : *ids) tally_keys.push_back(outcomes::CohortTallyKey(m, id));
  auto tallies = store.ReadTallies(m, tally_keys);
  if (!tallies.ok()) return tallies.status();
  for (const auto& fields : *tallies) out.aggregated += outcomes::OutcomeTally::FromFields(fields);
  (void)outcomes::BuildReport(out.aggregated, nullptr, policy, 5);
  out.aggregate_time = absl::Now() - t0;
  return out;
}

double ThreadCpuMs() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

// Where a program report's time goes, in-process (no gRPC, no token): the desk's
// GetProgramReport end to end, and its steps done the same way with the store's public calls.
// Wall and CPU of this thread (CPU excludes Redis), medians over `iterations`.
struct ReportProfile {
  int iterations = 0;
  int cohorts = 0;
  int tally_fields = 0;
  double desk_wall_p50 = 0, desk_wall_p99 = 0, desk_cpu_p50 = 0;
  double index_wall = 0, tallies_wall = 0, tallies_cpu = 0, sum_cpu = 0, funnel_wall = 0,
         build_cpu = 0;
};

ReportProfile ProfileReport(outcomes::ReportDesk& reports, outcomes::OutcomesStore& store,
                            const std::string& m, const std::string& program, int year,
                            int iterations) {
  ReportProfile out;
  out.iterations = iterations;
  identity::Caller analyst;
  analyst.claims.subject = "bench-analyst";
  analyst.claims.role = identity::Role::kAnalyst;
  analyst.claims.municipalities = {m};
  const ov1::GetProgramReportRequest req = ReportRequest(m, program, year);
  std::vector<double> wall, cpu, index_wall, tallies_wall, tallies_cpu, sum_cpu, funnel_wall,
      build_cpu;
  const double from = static_cast<double>(absl::CivilDay(year, 1, 1) - absl::CivilDay(1970, 1, 1));
  const double to =
      static_cast<double>(absl::CivilDay(year + 1, 1, 1) - absl::CivilDay(1970, 1, 1) - 1);
  std::vector<std::string> months;
  for (int mo = 1; mo <= 12; ++mo) months.push_back(absl::StrFormat("%04d-%02d", year, mo));
  for (int i = 0; i < iterations; ++i) {
    absl::Time t0 = absl::Now();
    double c0 = ThreadCpuMs();
    auto r = reports.GetProgramReport(req, analyst);
    wall.push_back(absl::ToDoubleMilliseconds(absl::Now() - t0));
    cpu.push_back(ThreadCpuMs() - c0);
    if (!r.ok()) continue;

    t0 = absl::Now();
    auto ids = store.IndexRange(m, outcomes::ProgramCohortsKey(m, program), from, to);
    index_wall.push_back(absl::ToDoubleMilliseconds(absl::Now() - t0));
    if (!ids.ok()) continue;
    std::vector<std::string> keys;
    for (const std::string& id : *ids) keys.push_back(outcomes::CohortTallyKey(m, id));
    t0 = absl::Now();
    c0 = ThreadCpuMs();
    auto tallies = store.ReadTallies(m, keys);
    tallies_wall.push_back(absl::ToDoubleMilliseconds(absl::Now() - t0));
    tallies_cpu.push_back(ThreadCpuMs() - c0);
    if (!tallies.ok()) continue;
    c0 = ThreadCpuMs();
    outcomes::OutcomeTally tally;
    int fields = 0;
    for (const auto& f : *tallies) {
      tally += outcomes::OutcomeTally::FromFields(f);
      fields += static_cast<int>(f.size());
    }
    sum_cpu.push_back(ThreadCpuMs() - c0);
    t0 = absl::Now();
    auto funnel_months = store.ReadFunnelMonths(m, months);
    funnel_wall.push_back(absl::ToDoubleMilliseconds(absl::Now() - t0));
    outcomes::FunnelTally funnel;
    if (funnel_months.ok()) {
      for (const auto& f : *funnel_months) funnel += outcomes::FunnelTally::FromFields(f);
    }
    c0 = ThreadCpuMs();
    (void)outcomes::BuildReport(tally, &funnel, outcomes::OutcomePolicy(), 5);
    build_cpu.push_back(ThreadCpuMs() - c0);
    out.cohorts = static_cast<int>(ids->size());
    out.tally_fields = fields;
  }
  std::vector<double> sorted = wall;
  std::sort(sorted.begin(), sorted.end());
  if (!sorted.empty())
    out.desk_wall_p99 = sorted[std::min(sorted.size() - 1, sorted.size() * 99 / 100)];
  out.desk_wall_p50 = Median(wall);
  out.desk_cpu_p50 = Median(cpu);
  out.index_wall = Median(index_wall);
  out.tallies_wall = Median(tallies_wall);
  out.tallies_cpu = Median(tallies_cpu);
  out.sum_cpu = Median(sum_cpu);
  out.funnel_wall = Median(funnel_wall);
  out.build_cpu = Median(build_cpu);
  return out;
}

// Field-by-field comparison; sums of fractions may differ in the last bits.
std::vector<std::string> TallyDifferences(const outcomes::OutcomeTally& a,
                                          const outcomes::OutcomeTally& b) {
  std::vector<std::string> out;
  auto fa = a.ToFields(), fb = b.ToFields();
  for (size_t i = 0; i < fa.size() && i < fb.size(); ++i) {
    double tol = 1e-6 * std::max({1.0, std::abs(fa[i].second), std::abs(fb[i].second)});
    if (std::abs(fa[i].second - fb[i].second) > tol) {
      out.push_back(absl::StrFormat("%s: scan %.6f, aggregate %.6f", fa[i].first, fa[i].second,
                                    fb[i].second));
    }
  }
  return out;
}

// ---- Verification against the generated data -----------------------------------------------

struct Verification {
  int reports = 0;
  int compared = 0;  // figures SHOWN and compared
  int withheld = 0;  // figures SUPPRESSED (or NO_DATA where data exists)
  int mismatches = 0;
  std::string first;
};

void Check(Verification& v, const std::string& where, const char* name, const ov1::Figure& f,
           double expected, bool mean = false) {
  if (f.state() != ov1::FIGURE_STATE_SHOWN) {
    ++v.withheld;
    return;
  }
  ++v.compared;
  double tol = mean ? 1e-6 * std::max(1.0, std::abs(expected)) : 1e-9;
  if (std::abs(f.value() - expected) > tol) {
    if (v.mismatches++ < 10)
      absl::StrAppend(&v.first, "  ", where, " ", name, ": report ", f.value(), ", expected ",
                      expected, "\n");
  }
}

void VerifyReport(Verification& v, const std::string& where, const ov1::OutcomeReport& r,
                  const ExpectedReport& e) {
  ++v.reports;
  if (r.cohorts() != e.cohorts) {
    if (v.mismatches++ < 10)
      absl::StrAppend(&v.first, "  ", where, " cohorts: report ", r.cohorts(), ", expected ",
                      e.cohorts, "\n");
  }
  Check(v, where, "participants", r.participants(), e.participants);
  Check(v, where, "completed", r.completed(), e.completed);
  Check(v, where, "dropped_out", r.dropped_out(), e.dropped_out);
  Check(v, where, "in_progress", r.in_progress(), 0);
  if (e.attendance_n > 0)
    Check(v, where, "attendance_mean", r.attendance_mean(),
          100 * e.attendance_rate_sum / e.attendance_n, true);
  if (e.who5_paired_n > 0) {
    Check(v, where, "who5.baseline_mean", r.who5().baseline_mean(),
          e.who5_baseline_sum / e.who5_baseline_n, true);
    Check(v, where, "who5.end_mean", r.who5().end_mean(), e.who5_end_sum / e.who5_end_n, true);
    Check(v, where, "who5.paired_n", r.who5().paired_n(), e.who5_paired_n);
    Check(v, where, "who5.mean_change", r.who5().mean_change(), e.who5_change_sum / e.who5_paired_n,
          true);
  }
  if (e.employment_1m_n > 0) {
    Check(v, where, "employment_1m.responders", r.employment_1m().responders(), e.employment_1m_n);
    Check(v, where, "employment_1m.oriented", r.employment_1m().oriented(),
          e.employment_1m_oriented);
  }
  if (e.employment_12m_n > 0) {
    Check(v, where, "employment_12m.responders", r.employment_12m().responders(),
          e.employment_12m_n);
    Check(v, where, "employment_12m.ordinary_or_education",
          r.employment_12m().ordinary_or_education(), e.employment_12m_ordinary_or_education);
  }
  if (e.funnel_referred > 0) {
    Check(v, where, "funnel.referred", r.funnel().referred(), e.funnel_referred);
    Check(v, where, "funnel.enrolled", r.funnel().enrolled(), e.funnel_enrolled);
  }
}

std::string Fig(const ov1::Figure& f, int decimals = 1) {
  switch (f.state()) {
    case ov1::FIGURE_STATE_SHOWN:
      return absl::StrFormat("%.*f", decimals, f.value());
    case ov1::FIGURE_STATE_SUPPRESSED:
      return "(suppressed)";
    case ov1::FIGURE_STATE_NO_DATA:
      return "(no data)";
    default:
      return "?";
  }
}

}  // namespace
}  // namespace kpr::bench

int main(int argc, char** argv) {
  using namespace kpr;  // NOLINT
  namespace ov1 = ::kpr::outcomes::v1;
  absl::ParseCommandLine(argc, argv);
  observe::SetMinLogLevel(observe::LogLevel::kError);
  const absl::Time bench_start = absl::Now();

  bench::WorldOptions world_options;
  world_options.participants =
      static_cast<int>(std::lround(absl::GetFlag(FLAGS_participants) * absl::GetFlag(FLAGS_scale)));
  world_options.municipalities = absl::GetFlag(FLAGS_municipalities);
  world_options.seed = absl::GetFlag(FLAGS_seed);
  const bool funnel = absl::GetFlag(FLAGS_funnel);
  const int threads = absl::GetFlag(FLAGS_threads);

  std::string tmpl =
      (std::filesystem::temp_directory_path() / "kpr-bench-outcomes-XXXXXX").string();
  const std::string dir = mkdtemp(tmpl.data());
  testing::InitHarness(dir);
  auto secrets = testing::WriteSecrets(dir);
  rpc::ServiceConfig config = testing::HarnessServiceConfig(secrets);
  const bool on_cluster = absl::GetFlag(FLAGS_redis_cluster);
  std::optional<testing::RedisCluster> cluster;
  if (on_cluster) {
    cluster.emplace(dir + "/redis-cluster", testing::RedisCluster::Options{});
    if (absl::Status st = cluster->Start(); !st.ok()) {
      std::cerr << "redis cluster: " << st << "\n";
      return 1;
    }
    config.redis_url = cluster->url();
  }
  std::cout << "Redis: "
            << (on_cluster ? "a Redis Cluster of 3 primaries and 3 replicas" : "one server")
            << "\n";

  auto redis_options = store::RedisOptionsFromUrl(config.redis_url);
  if (!redis_options.ok()) return 1;
  redis_options->pool_size = threads + 4;
  redis_options->command_timeout = absl::Seconds(30);
  store::RedisPool pool(*redis_options);
  // On a cluster CONFIG would reach one node only: AOF stays as the harness set it.
  const bool aof_during_load = absl::GetFlag(FLAGS_aof_during_load) || on_cluster;
  if (!aof_during_load) (void)pool.Command({"CONFIG", "SET", "appendonly", "no"});

  // One simulated clock for the loader's desks, its timer workers and the server.
  std::atomic<int64_t> sim_ms{
      absl::ToUnixMillis(absl::FromCivil(absl::CivilDay(2025, 1, 1), calendar::DanishTimeZone()))};
  outcomes::OutcomesOptions desks_options;
  desks_options.clock = [&sim_ms] { return absl::FromUnixMillis(sim_ms.load()); };

  outcomes::OutcomesServer::Options server_options;
  server_options.desks = desks_options;
  server_options.timer_poll_interval = absl::Seconds(10);  // the loader's workers fire the timers
  auto server = outcomes::OutcomesServer::Start(config, server_options);
  if (!server.ok()) {
    std::cerr << "outcomes server: " << server.status() << "\n";
    return 1;
  }
  if (!testing::Eventually([&] { return (*server)->healthy(); }, absl::Seconds(30))) {
    std::cerr << "outcomes server not healthy\n";
    return 1;
  }

  // The loader's desks: the production desks on their own pool, without NATS (the server's relay
  // publishes the outbox both write to).
  auto keys = privacy::LoadDataKeysFromFile(secrets.data_key_file);
  if (!keys.ok()) return 1;
  outcomes::OutcomesStore store(pool);
  privacy::AuditTrail audit(pool);
  outcomes::OutcomesDesks desks(store, audit, keys->encryption_key, nullptr, desks_options);

  // ---- Data ----
  absl::Time t0 = absl::Now();
  const bench::SimWorld world = bench::GenerateWorld(world_options);
  int largest = 0;
  {
    std::vector<int> per_m(world.municipalities.size(), 0);
    for (const auto& p : world.participants) ++per_m[p.municipality];
    largest = static_cast<int>(std::max_element(per_m.begin(), per_m.end()) - per_m.begin());
    std::cout << absl::StrFormat(
        "World (seed %d, generated in %.1f s): %d participants in %d municipalities (largest %s: "
        "%d, smallest: %d), "
        "%d cohorts, %d sessions, %d attendance marks, %d questionnaires to submit, %d referrals "
        "that never "
        "enrol; %s\n",
        world_options.seed, absl::ToDoubleSeconds(absl::Now() - t0), world.participants.size(),
        world.municipalities.size(), world.municipalities[largest], per_m[largest],
        *std::min_element(per_m.begin(), per_m.end()), world.cohorts.size(), world.sessions(),
        world.attendance_records(), 4 * world.participants.size(), world.extra_referrals.size(),
        funnel ? "referral events loaded (funnel)" : "no referral events (--funnel=false)");
  }

  // ---- Load ----
  (void)pool.Command({"CONFIG", "RESETSTAT"});
  const double self_cpu0 = bench::SelfCpu();
  const auto child_cpu0 = bench::ChildCpu();
  bench::LoaderOptions loader_options;
  loader_options.threads = threads;
  loader_options.funnel = funnel;
  loader_options.progress = [start = absl::Now()](absl::CivilDay day, const bench::LoadStats& s) {
    std::cerr << absl::StrFormat(
        "  %s  %6.0f s  calls %9d  attendance %9d  questionnaires %7d  timers %8d  errors %d\n",
        absl::FormatCivilTime(day), absl::ToDoubleSeconds(absl::Now() - start), s.desk_calls(),
        s.attendance_records, s.questionnaires, s.timers_fired, s.errors);
  };
  std::cout << absl::StrFormat(
                   "Loading with %d threads (simulated days; AOF %s during the load)...\n", threads,
                   aof_during_load ? "on" : "off")
            << std::flush;
  const bench::LoadStats load = bench::Load(world, desks, pool, sim_ms, loader_options);
  const double self_cpu = bench::SelfCpu() - self_cpu0;
  auto child_cpu = bench::ChildCpu();
  for (auto& [name, cpu] : child_cpu) cpu -= child_cpu0.count(name) ? child_cpu0.at(name) : 0;
  const auto commandstats = bench::Info(pool, "commandstats");
  const double wall = absl::ToDoubleSeconds(load.wall);

  // The server's relay publishes what the load wrote to the outbox; wait until it is empty.
  t0 = absl::Now();
  int64_t outbox_left = -1;
  while (absl::Now() - t0 < absl::Minutes(20)) {
    std::vector<std::vector<std::string>> cmds;
    for (const std::string& m : world.municipalities)
      cmds.push_back({"XLEN", store::OutboxKey(m, outcomes::kOutcomesService)});
    auto r = pool.Pipeline(cmds);
    if (!r.ok()) break;
    outbox_left = 0;
    for (const auto& x : *r) outbox_left += x.integer();
    if (outbox_left == 0) break;
    absl::SleepFor(absl::Milliseconds(500));
  }
  const double drain_s = absl::ToDoubleSeconds(absl::Now() - t0);
  int64_t timers_left = 0;
  {
    std::vector<std::vector<std::string>> cmds;
    for (const std::string& m : world.municipalities)
      cmds.push_back({"ZCARD", timer::TimersKey(m, outcomes::kOutcomesService)});
    auto r = pool.Pipeline(cmds);
    if (r.ok()) {
      for (const auto& x : *r) timers_left += x.integer();
    }
  }

  std::cout << absl::StrFormat(
      "\n### Load\n\n"
      "- %d simulated days in %.1f s wall (%.1f min)\n"
      "- %d desk calls: %d scheduling events, %d referral events, %d RecordAttendance (%d marks), "
      "%d SubmitQuestionnaire, %d timers fired\n"
      "- throughput: %.0f desk calls/s, %.0f attendance marks/s, %.0f questionnaires/s (over the "
      "whole load)\n"
      "- errors: %d%s\n"
      "- CPU during the load: bench process (loader, server, relay) %.0f s, redis-server %.0f s, "
      "nats-server %.0f s "
      "(%.2f cores of 2 busy on average)\n"
      "- Redis commands by time (INFO commandstats): %s\n"
      "- outbox drained %.1f s after the load (left: %d); timers left: %d\n",
      load.days, wall, wall / 60, load.desk_calls(), load.scheduling_events, load.referral_events,
      load.sessions, load.attendance_records, load.questionnaires, load.timers_fired,
      load.desk_calls() / wall, load.attendance_records / wall, load.questionnaires / wall,
      load.errors, load.errors ? absl::StrCat("\n", load.first_errors) : "", self_cpu,
      child_cpu["redis-server"], child_cpu["nats-server"],
      (self_cpu + child_cpu["redis-server"] + child_cpu["nats-server"]) / wall,
      bench::TopCommands(commandstats), drain_s, outbox_left, timers_left);
  std::cout << "\n| desk call | calls | mean ms (wall, in the desk) |\n|---|---|---|\n";
  for (int k = 0; k < bench::kCallKinds; ++k) {
    const bench::CallTime& c = load.calls[k];
    std::cout << absl::StrFormat("| %s | %d | %.3f |\n", bench::kCallKindNames[k], c.calls,
                                 c.calls ? absl::ToDoubleMilliseconds(c.total) / c.calls : 0.0);
  }

  // ---- AOF back on (production setting), rewritten before measuring ----
  if (!aof_during_load) {
    t0 = absl::Now();
    (void)pool.Command({"CONFIG", "SET", "appendonly", "yes"});
    while (absl::Now() - t0 < absl::Minutes(20)) {
      auto p = bench::Info(pool, "persistence");
      if (bench::InfoInt(p, "aof_enabled") == 1 &&
          bench::InfoInt(p, "aof_rewrite_in_progress") == 0 &&
          bench::InfoInt(p, "aof_rewrite_scheduled") == 0) {
        break;
      }
      absl::SleepFor(absl::Milliseconds(200));
    }
    std::cout << absl::StrFormat("- AOF switched on after the load: rewritten in %.1f s\n",
                                 absl::ToDoubleSeconds(absl::Now() - t0));
  }
  int64_t aof_bytes = 0;
  if (!on_cluster) {
    auto data_dir = pool.Command({"CONFIG", "GET", "dir"});
    auto aof_dir = pool.Command({"CONFIG", "GET", "appenddirname"});
    if (data_dir.ok() && aof_dir.ok() && data_dir->size() == 2 && aof_dir->size() == 2) {
      std::error_code ec;
      std::filesystem::path p =
          std::filesystem::path(data_dir->element(1).string()) / aof_dir->element(1).string();
      for (const auto& e : std::filesystem::directory_iterator(p, ec)) {
        if (e.is_regular_file(ec)) aof_bytes += static_cast<int64_t>(e.file_size(ec));
      }
    }
  }

  // ---- Memory (one server: INFO, DBSIZE and SCAN see one node of a cluster) ----
  std::map<std::string, std::string> memory;
  decltype(pool.Command({"DBSIZE"})) dbsize = absl::UnavailableError("not measured on a cluster");
  if (!on_cluster) {
    memory = bench::Info(pool, "memory");
    dbsize = pool.Command({"DBSIZE"});
    const auto by_class = bench::MemoryByClass(pool);
    int64_t class_total = 0;
    for (const auto& [cls, u] : by_class) class_total += u.bytes;
    std::cout << absl::StrFormat(
        "\n### Redis memory after the load\n\n"
        "- used_memory %d (%s), used_memory_dataset %d, used_memory_rss %d; DBSIZE %d; AOF on disk "
        "%s\n"
        "- per participant: %.0f bytes of used_memory\n\n"
        "| key class | keys | MEMORY USAGE | bytes/key |\n|---|---|---|---|\n",
        bench::InfoInt(memory, "used_memory"),
        memory.count("used_memory_human") ? memory.at("used_memory_human") : "?",
        bench::InfoInt(memory, "used_memory_dataset"), bench::InfoInt(memory, "used_memory_rss"),
        dbsize.ok() ? dbsize->integer() : -1, bench::Mb(aof_bytes),
        world.participants.empty() ? 0.0
                                   : static_cast<double>(bench::InfoInt(memory, "used_memory")) /
                                         world.participants.size());
    std::vector<std::pair<std::string, bench::KeyClassUsage>> classes(by_class.begin(),
                                                                      by_class.end());
    std::sort(classes.begin(), classes.end(),
              [](const auto& a, const auto& b) { return a.second.bytes > b.second.bytes; });
    for (const auto& [cls, u] : classes) {
      std::cout << absl::StrFormat("| %s | %d | %s | %.0f |\n", cls, u.keys, bench::Mb(u.bytes),
                                   u.keys ? static_cast<double>(u.bytes) / u.keys : 0.0);
    }
    std::cout << absl::StrFormat("| (all) | %d | %s | |\n", dbsize.ok() ? dbsize->integer() : -1,
                                 bench::Mb(class_total))
              << std::flush;
  }

  // ---- Latency ----
  bench::EchoService echo;
  rpc::ServerOptions echo_options;
  echo_options.address = "127.0.0.1:0";
  echo_options.services = {&echo};
  auto echo_server = rpc::RpcServer::Start(echo_options);
  if (!echo_server.ok()) return 1;
  (*echo_server)->SetServing(true);
  auto echo_stub = kpr::bench::v1::EchoService::NewStub(grpc::CreateChannel(
      absl::StrCat("127.0.0.1:", (*echo_server)->port()), grpc::InsecureChannelCredentials()));
  auto stub = ov1::OutcomesService::NewStub(grpc::CreateChannel(
      absl::StrCat("127.0.0.1:", (*server)->grpc_port()), grpc::InsecureChannelCredentials()));
  std::vector<std::string> tokens;  // one analyst per municipality
  for (const std::string& m : world.municipalities) {
    tokens.push_back(testing::MakeToken(secrets.jwt_secret, identity::Role::kAnalyst, {m},
                                        absl::StrCat("analyst-", m)));
  }
  const int years = world_options.years;
  const int programs = static_cast<int>(world_options.programs.size());
  struct Req {
    int m;
    ov1::GetProgramReportRequest req;
  };
  std::mt19937_64 rng(world_options.seed + 99);
  auto make_requests = [&](bool only_largest) {
    std::vector<Req> out;
    for (int i = 0; i < 10000; ++i) {
      int m = only_largest ? largest : static_cast<int>(rng() % world.municipalities.size());
      out.push_back({m, bench::ReportRequest(
                            world.municipalities[m], world_options.programs[rng() % programs],
                            world_options.first_year + static_cast<int>(rng() % years))});
    }
    return out;
  };
  const std::vector<Req> random_requests = make_requests(false);
  const std::vector<Req> largest_requests = make_requests(true);
  kpr::bench::v1::EchoRequest echo_req;
  echo_req.set_payload(std::string(200, 'x'));

  // Warm-up: connections, token cache, scripts.
  for (int i = 0; i < 200; ++i) {
    grpc::ClientContext ctx;
    rpc::SetBearerToken(ctx, tokens[random_requests[i].m]);
    ov1::OutcomeReport r;
    (void)stub->GetProgramReport(&ctx, random_requests[i].req, &r);
  }

  const int rate = absl::GetFlag(FLAGS_rate);
  const int seconds = absl::GetFlag(FLAGS_seconds);
  const int rounds = absl::GetFlag(FLAGS_rounds);
  std::cout << absl::StrFormat(
                   "\n### GetProgramReport latency (municipality-year reports, open loop %d/s for "
                   "%d s per measurement)\n\n"
                   "| round | server | ok | failed | p50 ms | p99 ms | max ms "
                   "|\n|---|---|---|---|---|---|---|\n",
                   rate, seconds)
            << std::flush;
  std::vector<double> echo_p50, echo_p99, rep_p50, rep_p99, big_p50, big_p99;
  int failed = 0;
  std::string first_failure;
  auto report_call = [&](const std::vector<Req>& reqs) {
    return [&stub, &tokens, &reqs](int i, bench::Call* call, grpc::CompletionQueue* cq) {
      const Req& r = reqs[i % reqs.size()];
      rpc::SetBearerToken(call->ctx, tokens[r.m]);
      auto rpc = stub->AsyncGetProgramReport(&call->ctx, r.req, cq);
      rpc->Finish(&call->report, &call->status, call);
    };
  };
  auto row = [&](int round, const char* name, const bench::Result& r) {
    std::cout << absl::StrFormat("| %d | %s | %d | %d | %.3f | %.3f | %.3f |\n", round, name, r.ok,
                                 r.failed, r.p50_ms, r.p99_ms, r.max_ms)
              << std::flush;
    failed += r.failed;
    if (first_failure.empty()) first_failure = r.first_error;
  };
  for (int round = 1; round <= rounds; ++round) {
    auto e = bench::RunOpenLoop(rate, absl::Seconds(seconds),
                                [&](int, bench::Call* call, grpc::CompletionQueue* cq) {
                                  auto rpc = echo_stub->AsyncEcho(&call->ctx, echo_req, cq);
                                  rpc->Finish(&call->echo, &call->status, call);
                                });
    row(round, "echo", e);
    auto g = bench::RunOpenLoop(rate, absl::Seconds(seconds), report_call(random_requests));
    row(round, "GetProgramReport (random municipality)", g);
    auto b = bench::RunOpenLoop(rate, absl::Seconds(seconds), report_call(largest_requests));
    row(round,
        absl::StrCat("GetProgramReport (largest, ", world.municipalities[largest], ")").c_str(), b);
    echo_p50.push_back(e.p50_ms);
    echo_p99.push_back(e.p99_ms);
    rep_p50.push_back(g.p50_ms);
    rep_p99.push_back(g.p99_ms);
    big_p50.push_back(b.p50_ms);
    big_p99.push_back(b.p99_ms);
  }
  if (failed) std::cout << "failed calls: " << failed << "; first: " << first_failure << "\n";

  // ---- Scan reference (largest municipality, first program, first year) ----
  privacy::SealedBox box(keys->encryption_key);
  auto scan = bench::ScanReport(store, box, world.municipalities[largest],
                                world_options.programs[0], world_options.first_year);
  std::vector<std::string> scan_diff;
  if (scan.ok()) scan_diff = bench::TallyDifferences(scan->scanned, scan->aggregated);

  // ---- In-process profile of the largest municipality's report ----
  const bench::ReportProfile profile =
      bench::ProfileReport(desks.reports, store, world.municipalities[largest],
                           world_options.programs[0], world_options.first_year, 200);

  // ---- Verification ----
  bench::Verification verification;
  ov1::OutcomeReport sample;
  if (absl::GetFlag(FLAGS_verify)) {
    for (int m = 0; m < static_cast<int>(world.municipalities.size()); ++m) {
      for (int p = 0; p < programs; ++p) {
        for (int y = world_options.first_year; y < world_options.first_year + years; ++y) {
          grpc::ClientContext ctx;
          rpc::SetBearerToken(ctx, tokens[m]);
          ov1::OutcomeReport r;
          grpc::Status st = stub->GetProgramReport(
              &ctx, bench::ReportRequest(world.municipalities[m], world_options.programs[p], y),
              &r);
          std::string where =
              absl::StrCat(world.municipalities[m], "/", world_options.programs[p], "/", y);
          if (!st.ok()) {
            if (verification.mismatches++ < 10)
              absl::StrAppend(&verification.first, "  ", where, ": ", st.error_message(), "\n");
            continue;
          }
          bench::VerifyReport(verification, where, r, bench::Expect(world, m, p, y, funnel));
          if (m == largest && p == 0 && y == world_options.first_year) sample = r;
        }
      }
    }
  }

  // ---- Result ----
  using bench::Median;
  const double target_ms = 100;
  std::cout << absl::StrFormat(
      "\n### Result\n\n"
      "- data: %d participants, %d municipalities, %d cohorts, %d attendance marks, %d "
      "questionnaires loaded "
      "(%d errors)\n"
      "- load: %.1f min wall, %.0f desk calls/s, %.0f marks/s\n"
      "- Redis: used_memory %s (%d bytes), DBSIZE %d\n"
      "- echo: p50 %.3f ms, p99 %.3f ms (median of %d rounds)\n"
      "- GetProgramReport, random municipality-year: p50 %.3f ms, p99 %.3f ms\n"
      "- GetProgramReport, largest municipality (%s, ~%d cohorts a report): p50 %.3f ms, p99 %.3f "
      "ms\n"
      "- target p99 < %.0f ms: %s\n",
      world.participants.size(), world.municipalities.size(), world.cohorts.size(),
      load.attendance_records, load.questionnaires, load.errors, wall / 60,
      load.desk_calls() / wall, load.attendance_records / wall,
      memory.count("used_memory_human") ? memory.at("used_memory_human") : "?",
      bench::InfoInt(memory, "used_memory"), dbsize.ok() ? dbsize->integer() : -1, Median(echo_p50),
      Median(echo_p99), rounds, Median(rep_p50), Median(rep_p99), world.municipalities[largest],
      scan.ok() ? scan->cohorts : 0, Median(big_p50), Median(big_p99), target_ms,
      std::max(Median(rep_p99), Median(big_p99)) < target_ms ? "MET" : "NOT MET");
  if (scan.ok()) {
    std::cout << absl::StrFormat(
        "- scan reference (%s, %s, %d: %d cohorts, %d participant records read and unsealed, "
        "in-process): "
        "%.1f ms; the same from the aggregates: %.2f ms; aggregates %s\n",
        world.municipalities[largest], world_options.programs[0], world_options.first_year,
        scan->cohorts, scan->participants, absl::ToDoubleMilliseconds(scan->scan_time),
        absl::ToDoubleMilliseconds(scan->aggregate_time),
        scan_diff.empty() ? "equal to the scan" : absl::StrCat("DIFFER: ", scan_diff.front()));
  } else {
    std::cout << "- scan reference failed: " << scan.status() << "\n";
  }
  std::cout << absl::StrFormat(
      "- in-process profile of that report (%d calls, medians; no gRPC): desk GetProgramReport "
      "%.2f ms wall "
      "(p99 %.2f), %.2f ms CPU in this thread; steps: cohort index %.2f ms; %d cohort tallies (%d "
      "fields, one "
      "pipelined HGETALL each) %.2f ms wall of which %.2f ms CPU parsing; adding them up %.2f ms "
      "CPU; funnel "
      "months %.2f ms; BuildReport (with suppression) %.2f ms CPU\n",
      profile.iterations, profile.desk_wall_p50, profile.desk_wall_p99, profile.desk_cpu_p50,
      profile.index_wall, profile.cohorts, profile.tally_fields, profile.tallies_wall,
      profile.tallies_cpu, profile.sum_cpu, profile.funnel_wall, profile.build_cpu);
  if (absl::GetFlag(FLAGS_verify)) {
    std::cout << absl::StrFormat(
        "- verification: %d reports, %d figures compared with the generated data, %d withheld by "
        "suppression, "
        "%d mismatches\n%s",
        verification.reports, verification.compared, verification.withheld, verification.mismatches,
        verification.first);
    std::cout << absl::StrFormat(
        "- sample (%s, %s, %d): participants %s, completed %s %%, attendance mean %s %%, WHO-5 "
        "baseline %s -> end "
        "%s (change %s, 95 %% CI %s..%s), oriented at 1 month %s %%, ordinary work/education at 12 "
        "months %s %%, "
        "referred %s\n",
        world.municipalities[largest], world_options.programs[0], world_options.first_year,
        bench::Fig(sample.participants(), 0), bench::Fig(sample.completion_share()),
        bench::Fig(sample.attendance_mean()), bench::Fig(sample.who5().baseline_mean()),
        bench::Fig(sample.who5().end_mean()), bench::Fig(sample.who5().mean_change()),
        bench::Fig(sample.who5().change_ci_low()), bench::Fig(sample.who5().change_ci_high()),
        bench::Fig(sample.employment_1m().oriented_share()),
        bench::Fig(sample.employment_12m().ordinary_or_education_share()),
        bench::Fig(sample.funnel().referred(), 0));
  }
  std::cout << absl::StrFormat("- whole run: %.1f min\n",
                               absl::ToDoubleMinutes(absl::Now() - bench_start));

  (*server)->Shutdown(absl::Seconds(1));
  (*echo_server)->Shutdown(absl::Seconds(1));
  testing::ShutdownHarness();
  if (!absl::GetFlag(FLAGS_keep_dir)) {
    std::error_code ec;
    std::filesystem::remove_all(dir, ec);
  } else {
    std::cout << "scratch directory kept: " << dir << "\n";
  }
  // A run in which every figure was withheld verified nothing: that is a failure too.
  const bool ok = load.errors == 0 && failed == 0 && verification.mismatches == 0 &&
                  verification.compared > 0 && scan.ok() && scan_diff.empty();
  return ok ? 0 : 1;
}
