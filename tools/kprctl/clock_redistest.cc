// `kprctl clock` against the harness's redis-server: the binary as a user runs it, reading and
// moving the key the kpr-<service>-sim processes follow.
#include <string>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "libs/clock/sim_clock_store.h"
#include "libs/clock/sim_time.h"
#include "tests/harness/servers.h"
#include "tests/support/redis_testing.h"
#include "tests/support/sim_clock_testing.h"

namespace kpr::kprctl {
namespace {

using ::testing::HasSubstr;

// `kprctl clock <args>` against the harness's Redis (tests/support/sim_clock_testing.h).
testing::KprctlRun Kprctl(const std::string& args) {
  EXPECT_TRUE(absl::StartsWith(args, "clock ")) << args;
  return testing::KprctlClock(args.substr(6));
}

class KprctlClockTest : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_TRUE(testing::FlushRedis().ok()); }
};

TEST_F(KprctlClockTest, SetShowAndAdvanceMoveTheSharedKey) {
  testing::KprctlRun never = Kprctl("clock show");
  ASSERT_EQ(never.exit_code, 0) << never.err;
  EXPECT_THAT(never.out, HasSubstr("never set"));

  testing::KprctlRun set = Kprctl("clock set 2027-01-04T09:00:00+01:00");
  ASSERT_EQ(set.exit_code, 0) << set.err;
  EXPECT_THAT(set.out, HasSubstr("2027-01-04T08:00"));
  EXPECT_THAT(set.out, HasSubstr("Danish time 2027-01-04 09:00"));

  testing::KprctlRun advanced = Kprctl("clock advance 10w");
  ASSERT_EQ(advanced.exit_code, 0) << advanced.err;
  EXPECT_THAT(advanced.out, HasSubstr("2027-03-15T08:0"));  // ten weeks on, at real speed

  // What the -sim processes will read.
  auto pool = testing::HarnessRedisPool();
  auto offset = clock::ReadSimOffset(*pool);
  ASSERT_TRUE(offset.ok()) << offset.status();
  ASSERT_TRUE(offset->has_value());
  const absl::Time simulated = clock::SimulatedTime(absl::Now(), **offset);
  const absl::Time expected =
      absl::FromCivil(absl::CivilSecond(2027, 3, 15, 8, 0, 0), absl::UTCTimeZone());
  EXPECT_GE(simulated, expected);
  EXPECT_LT(simulated, expected + absl::Minutes(1));

  testing::KprctlRun json = Kprctl("clock show --json");
  ASSERT_EQ(json.exit_code, 0) << json.err;
  EXPECT_THAT(json.out, HasSubstr("\"set\": true"));
  EXPECT_THAT(json.out, HasSubstr("\"simulated_time\": \"2027-03-15T08:0"));
}

TEST_F(KprctlClockTest, RefusesToMoveBackOrToGuess) {
  ASSERT_EQ(Kprctl("clock set 2027-03-01T08:00:00Z").exit_code, 0);
  testing::KprctlRun back = Kprctl("clock set 2027-02-01T08:00:00Z");
  EXPECT_EQ(back.exit_code, 1);
  EXPECT_THAT(back.err, HasSubstr("never moves back"));
  EXPECT_THAT(back.err, HasSubstr("2027-03-01T08:00"));

  testing::KprctlRun bad = Kprctl("clock advance 3");
  EXPECT_EQ(bad.exit_code, 2);
  EXPECT_THAT(bad.err, HasSubstr("clock advance: '3' is not a duration"));
  testing::KprctlRun words = Kprctl("clock advance 3 days");
  EXPECT_EQ(words.exit_code, 2);
  EXPECT_THAT(words.err, HasSubstr("unexpected argument 'days'"));
  EXPECT_EQ(Kprctl("clock advance -1d").exit_code, 2);

  // Unchanged by all that.
  testing::KprctlRun show = Kprctl("clock show");
  EXPECT_THAT(show.out, HasSubstr("2027-03-01T08:0"));
}

TEST_F(KprctlClockTest, SaysWhenRedisIsNotThere) {
  testing::KprctlRun r =
      Kprctl(absl::StrCat("clock show --redis-url redis://127.0.0.1:", testing::FreePort()));
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.err, HasSubstr("cannot be read"));
}

}  // namespace
}  // namespace kpr::kprctl
