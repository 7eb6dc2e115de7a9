#include "tests/support/sim_clock_testing.h"

#include <sys/wait.h>

#include <cstdlib>
#include <fstream>
#include <sstream>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "libs/calendar/danish_time.h"
#include "libs/clock/sim_clock_store.h"
#include "libs/clock/sim_time.h"
#include "tests/harness/servers.h"
#include "tests/support/redis_testing.h"

namespace kpr::testing {
namespace {

std::string ReadAll(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

absl::Status Ok(const KprctlRun& r, const std::string& what) {
  if (r.exit_code == 0) return absl::OkStatus();
  return absl::InternalError(
      absl::StrCat("kprctl clock ", what, " exited ", r.exit_code, ": ", r.err));
}

}  // namespace

KprctlRun KprctlClock(const std::string& args) {
  static int runs = 0;
  const std::string base = absl::StrCat(Servers::Dir(), "/kprctl-clock-", ++runs);
  const std::string cmd =
      absl::StrCat(BinaryDir(), "/tools/kprctl/kprctl --redis-url ", Servers::Redis().url(),
                   " clock ", args, " >", base, ".out 2>", base, ".err </dev/null");
  const int status = std::system(cmd.c_str());
  return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, ReadAll(base + ".out"),
          ReadAll(base + ".err")};
}

absl::Status SetSimClock(absl::Time t) {
  const std::string instant = clock::FormatInstant(t);
  return Ok(KprctlClock(absl::StrCat("set ", instant)), absl::StrCat("set ", instant));
}

absl::Status AdvanceSimClock(absl::Duration step) {
  if (step <= absl::ZeroDuration() || step != absl::Trunc(step, absl::Seconds(1))) {
    return absl::InvalidArgumentError("AdvanceSimClock: whole seconds above zero");
  }
  const std::string by = absl::StrCat(absl::ToInt64Seconds(step), "s");
  return Ok(KprctlClock(absl::StrCat("advance ", by)), absl::StrCat("advance ", by));
}

absl::Status AdvanceSimClockTo(absl::Time t) {
  auto now = SimClockNow();
  if (!now.ok()) return now.status();
  if (*now >= t) return absl::OkStatus();
  return AdvanceSimClock(absl::Ceil(t - *now, absl::Seconds(1)));
}

absl::StatusOr<absl::Time> SimClockNow() {
  auto pool = HarnessRedisPool();
  auto offset = clock::ReadSimOffset(*pool);
  if (!offset.ok()) return offset.status();
  return clock::SimulatedTime(absl::Now(), offset->value_or(0));
}

absl::Time DanishTime(int year, int month, int day, int hour, int minute) {
  return calendar::LocalToAbsolute(absl::CivilMinute(year, month, day, hour, minute));
}

}  // namespace kpr::testing
