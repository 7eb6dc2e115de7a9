// The simulated clock end to end: a real kpr-scheduling-sim follows `kprctl clock` through a
// cohort's ten-week course in seconds. The cohort opens at once in simulated January, starts
// when the clock is advanced past its first session and completes past its last, each within
// about a second of the advance, and the lifecycle events carry simulated times. The
// production binaries hold no simulated clock at all.

#include <algorithm>
#include <cstdio>
#include <iostream>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "grpcpp/grpcpp.h"
#include "gtest/gtest.h"
#include "kpr/common/v1/event.pb.h"
#include "kpr/scheduling/v1/events.pb.h"
#include "libs/rpc/auth.h"
#include "tests/support/referral_testing.h"
#include "tests/support/scheduling_testing.h"
#include "tests/support/sim_clock_testing.h"

namespace kpr::testing {
namespace {

namespace v1 = ::kpr::scheduling::v1;
using identity::Role;

// When the session starts / ends, in Danish time.
absl::Time SessionAt(const v1::Session& s, int minute) {
  absl::CivilDay day;
  EXPECT_TRUE(absl::ParseCivilTime(s.day(), &day)) << s.day();
  return DanishTime(static_cast<int>(day.year()), day.month(), day.day(), minute / 60, minute % 60);
}

// Symbols of a built binary, demangled.
std::string Symbols(const std::string& binary) {
  std::string out;
  FILE* p = popen(absl::StrCat("nm -C ", binary, " 2>/dev/null").c_str(), "r");
  if (p == nullptr) return out;
  char buf[4096];
  size_t n;
  while ((n = fread(buf, 1, sizeof(buf), p)) > 0) out.append(buf, n);
  pclose(p);
  return out;
}

class SimClockE2e : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(FlushRedis().ok());
    ASSERT_TRUE(DeleteAllStreams().ok());
    secrets_ = WriteSecrets(Servers::Dir());
  }

  v1::Cohort GetCohort(v1::SchedulingService::Stub& stub, const std::string& id) {
    v1::GetCohortRequest get;
    get.set_municipality("0165");
    get.set_cohort_id(id);
    v1::Cohort cohort;
    CallAs c(Token(Role::kCoordinator), absl::Seconds(5));
    grpc::Status st = stub.GetCohort(&c.ctx, get, &cohort);
    EXPECT_TRUE(st.ok()) << st.error_message();
    return cohort;
  }

  // How long after the call the cohort reached `status`; InfiniteDuration if not in 10 s.
  absl::Duration TimeUntil(v1::SchedulingService::Stub& stub, const std::string& id,
                           v1::CohortStatus status) {
    const absl::Time start = absl::Now();
    if (!Eventually([&] { return GetCohort(stub, id).status() == status; }, absl::Seconds(10),
                    absl::Milliseconds(20))) {
      return absl::InfiniteDuration();
    }
    return absl::Now() - start;
  }

  std::string Token(Role role) {
    return MakeToken(secrets_.jwt_secret, role, {"0165", "0183"}, "sim-clock-test");
  }

  Secrets secrets_;
};

TEST_F(SimClockE2e, ACohortFollowsKprctlClockAdvanceThroughItsCourse) {
  // Monday 4 January 2027, 09:00 in Copenhagen: weeks before the cohort starts.
  const absl::Time monday = DanishTime(2027, 1, 4, 9, 0);
  ASSERT_TRUE(SetSimClock(monday).ok());
  ServiceProcess scheduling("scheduling", secrets_);
  scheduling.UseSimulatedClock();
  ASSERT_TRUE(scheduling.Start().ok());
  ASSERT_TRUE(scheduling.WaitServing().ok()) << scheduling.Log();
  EXPECT_TRUE(absl::StrContains(scheduling.Log(), "\"kind\":\"simulated\"")) << scheduling.Log();
  auto stub = v1::SchedulingService::NewStub(
      grpc::CreateChannel(scheduling.grpc_address(), grpc::InsecureChannelCredentials()));
  auto catalog = LoadDemoCatalog();
  ASSERT_TRUE(catalog.ok()) << catalog.status();
  ASSERT_TRUE(PutCatalog(*stub, Token(Role::kAdmin), *catalog).ok());

  v1::CreateCohortRequest create;
  create.set_municipality("0165");
  create.set_program_id("sund-med-kultur");
  create.set_start_iso_year(2027);
  create.set_start_iso_week(9);
  create.set_request_id("sim-clock");
  v1::CreateCohortResponse created;
  {
    CallAs c(Token(Role::kCoordinator), absl::Seconds(60));
    grpc::Status st = stub->CreateCohort(&c.ctx, create, &created);
    ASSERT_TRUE(st.ok()) << st.error_message();
  }
  const std::string id = created.cohort().cohort_id();
  // Opened at once, in simulated January, not on the machine's date.
  EXPECT_EQ(GetCohort(*stub, id).status(), v1::COHORT_STATUS_OPEN);
  const absl::Time opened = absl::FromUnixSeconds(created.cohort().opens_at().seconds());
  EXPECT_GE(opened, monday);
  EXPECT_LT(opened, monday + absl::Minutes(5));

  absl::Time first_start = absl::InfiniteFuture(), last_end = absl::InfinitePast();
  for (const auto& s : created.sessions()) {
    first_start = std::min(first_start, SessionAt(s, s.start_minute()));
    last_end = std::max(last_end, SessionAt(s, s.end_minute()));
  }
  ASSERT_GT(created.sessions_size(), 0);
  ASSERT_GT(first_start, monday + absl::Hours(24 * 7 * 7));  // week 9 is weeks away

  // Not yet: an advance that stops short of the first session changes nothing.
  ASSERT_TRUE(AdvanceSimClockTo(first_start - absl::Hours(1)).ok());
  absl::SleepFor(absl::Seconds(2));
  EXPECT_EQ(GetCohort(*stub, id).status(), v1::COHORT_STATUS_OPEN);

  ASSERT_TRUE(AdvanceSimClockTo(first_start + absl::Minutes(1)).ok());
  const absl::Duration to_start = TimeUntil(*stub, id, v1::COHORT_STATUS_RUNNING);
  std::cerr << "started " << to_start << " after the advance\n";
  EXPECT_LT(to_start, absl::Seconds(3)) << scheduling.Log();

  ASSERT_TRUE(AdvanceSimClockTo(last_end + absl::Minutes(1)).ok());
  const absl::Duration to_complete = TimeUntil(*stub, id, v1::COHORT_STATUS_COMPLETED);
  std::cerr << "completed " << to_complete << " after the advance\n";
  EXPECT_LT(to_complete, absl::Seconds(3)) << scheduling.Log();

  // The lifecycle events, once each, stamped with simulated time.
  auto nats = TestNats::Connect(Servers::Nats().url());
  ASSERT_TRUE(nats.ok());
  int started = 0, completed = 0;
  EXPECT_TRUE(Eventually(
      [&] {
        auto messages = (*nats)->ReadStream("KPR_SCHEDULING");
        if (!messages.ok()) return false;
        started = completed = 0;
        for (const auto& m : *messages) {
          common::v1::Event e;
          if (!e.ParseFromString(m.data)) continue;
          const absl::Time at = absl::FromUnixSeconds(e.occurred_at().seconds());
          if (e.type() == "kpr.scheduling.v1.CohortStarted") {
            ++started;
            EXPECT_GE(at, first_start);
            EXPECT_LT(at, first_start + absl::Minutes(10));
          } else if (e.type() == "kpr.scheduling.v1.CohortCompleted") {
            ++completed;
            EXPECT_GE(at, last_end);
            EXPECT_LT(at, last_end + absl::Minutes(10));
          }
        }
        return started >= 1 && completed >= 1;
      },
      absl::Seconds(10)));
  EXPECT_EQ(started, 1);
  EXPECT_EQ(completed, 1);

  // The clock never moves back, and says so.
  KprctlRun back = KprctlClock("set 2027-01-04T08:00:00Z");
  EXPECT_EQ(back.exit_code, 1);
  EXPECT_TRUE(absl::StrContains(back.err, "never moves back")) << back.err;
  EXPECT_EQ(scheduling.Terminate(), 0);
}

TEST(SimClockBinaries, OnlyTheSimBinariesHoldTheSimulatedClock) {
  for (const char* service : {"referral", "scheduling", "outcomes", "notify"}) {
    const std::string base = absl::StrCat(BinaryDir(), "/services/", service, "/kpr-", service);
    const std::string real = Symbols(base), sim = Symbols(base + "-sim");
    ASSERT_FALSE(real.empty()) << base << " (nm installed?)";
    ASSERT_FALSE(sim.empty()) << base << "-sim";
    EXPECT_FALSE(absl::StrContains(real, "kpr::clock::SimulatedClock")) << service;
    EXPECT_TRUE(absl::StrContains(sim, "kpr::clock::SimulatedClock")) << service;
  }
}

}  // namespace
}  // namespace kpr::testing
