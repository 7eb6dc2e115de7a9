#include "tools/kprctl/clock_commands.h"

#include <cstdlib>
#include <iostream>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "libs/clock/sim_clock_store.h"
#include "libs/store/redis_pool.h"
#include "tools/kprctl/client_common.h"
#include "tools/kprctl/clock_args.h"

namespace kpr::kprctl {

const char kClockUsage[] = R"usage(
Clock commands (the simulated clock of the kpr-<service>-sim binaries, for tests and the demo;
kept in Redis at --redis-url URL, default $KPR_REDIS_URL or redis://127.0.0.1:16379; the
production binaries never read it):
  clock show                 the simulated time, and how far it is from real time
  clock set INSTANT          e.g. 2027-01-04T08:00:00Z or 2027-01-04T09:00:00+01:00; the first
                             set may name any instant (a demo starts months back), after that
                             the clock never moves back
  clock advance DURATION     e.g. 3d, 72h, 10w, 1w2d (w d h m s); timers that come due fire
                             within about a second
)usage";

int RunClockCommand(const ParsedArgs& args) {
  const ClockCommand command = OrUsage(ParseClockCommand(args));
  auto redis = store::RedisOptionsFromUrl(ClockRedisUrl(args, std::getenv("KPR_REDIS_URL")));
  if (!redis.ok()) Usage(absl::StrCat("--redis-url: ", redis.status().message()));
  redis->pool_size = 1;
  store::RedisPool pool(*redis);
  absl::Status changed;
  switch (command.kind) {
    case ClockCommand::Kind::kShow:
      break;
    case ClockCommand::Kind::kSet:
      changed = clock::SetSimTime(pool, command.to, absl::Now()).status();
      break;
    case ClockCommand::Kind::kAdvance:
      changed = clock::AdvanceSimTime(pool, command.by).status();
      break;
  }
  if (!changed.ok()) Fail(std::string(changed.message()));
  auto offset = clock::ReadSimOffset(pool);
  if (!offset.ok()) {
    Fail(absl::StrCat("the clock in Redis at ", redis->host, ":", redis->port,
                      " cannot be read: ", offset.status().message()));
  }
  const absl::Time now = absl::Now();
  std::cout << (args.Has("json") ? FormatClockJson(*offset, now) : FormatClock(*offset, now));
  return 0;
}

}  // namespace kpr::kprctl
