#ifndef KPR_TOOLS_KPRCTL_CLOCK_ARGS_H_
#define KPR_TOOLS_KPRCTL_CLOCK_ARGS_H_

// The pure half of `kprctl clock`: the simulated clock that the kpr-<service>-sim binaries
// share (libs/clock/sim_time.h). The command talks to Redis, not to a service: --redis-url,
// else $KPR_REDIS_URL, else the local demo's Redis.
//   kprctl clock show
//   kprctl clock set 2027-01-04T08:00:00Z     RFC 3339 with its offset; never back
//   kprctl clock advance 10w                  w d h m s, e.g. 3d, 72h, 1w2d
// Production binaries never read this clock.

#include <cstdint>
#include <optional>
#include <set>
#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "tools/kprctl/cli_args.h"

namespace kpr::kprctl {

inline constexpr char kDefaultRedisUrl[] = "redis://127.0.0.1:16379";  // deploy/local/run.sh

struct ClockCommand {
  enum class Kind { kShow, kSet, kAdvance };
  Kind kind = Kind::kShow;
  absl::Time to;      // kSet
  absl::Duration by;  // kAdvance
};

// True for "clock".
bool IsClockCommand(const std::string& command);
// Every option that takes a value / every flag `kprctl clock` accepts (for ParseArgs).
const std::set<std::string>& ClockOptions();
const std::set<std::string>& ClockFlags();
// The command and its one argument, checked as command_group.h says; INVALID_ARGUMENT naming
// the mistake ("clock advance: '3x' is not a duration such as 3d, ...").
absl::StatusOr<ClockCommand> ParseClockCommand(const ParsedArgs& args);
// --redis-url, else `env` ($KPR_REDIS_URL, may be null), else kDefaultRedisUrl.
std::string ClockRedisUrl(const ParsedArgs& args, const char* env);

// What `clock show` (and set, advance after the change) print: the simulated time in UTC and
// in Danish time, and how far it is from real time; `offset_ms` nullopt when never set.
std::string FormatClock(std::optional<int64_t> offset_ms, absl::Time real_now);
// The same as JSON: {"simulated_time": "...Z", "offset_ms": N, "set": true|false}.
std::string FormatClockJson(std::optional<int64_t> offset_ms, absl::Time real_now);

}  // namespace kpr::kprctl

#endif  // KPR_TOOLS_KPRCTL_CLOCK_ARGS_H_
