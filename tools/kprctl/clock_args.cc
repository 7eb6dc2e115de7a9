#include "tools/kprctl/clock_args.h"

#include "absl/strings/str_cat.h"
#include "libs/calendar/danish_time.h"
#include "libs/clock/sim_time.h"
#include "tools/kprctl/command_group.h"

namespace kpr::kprctl {
namespace {

const CommandGroup& Clock() {
  static const auto* g = new CommandGroup{
      .word = "clock",
      .addr_flag = "redis-url",
      .addr_env = "KPR_REDIS_URL",
      .commands = {{"show", {}}, {"set", {}}, {"advance", {}}},
      .specs = {{"show", {}}, {"set", {}}, {"advance", {}}},
      .flags = {"json", "help"},
  };
  return *g;
}

}  // namespace

bool IsClockCommand(const std::string& command) { return command == "clock"; }

const std::set<std::string>& ClockOptions() {
  static const auto* options = new std::set<std::string>(GroupOptions(Clock()));
  return *options;
}

const std::set<std::string>& ClockFlags() { return Clock().flags; }

absl::StatusOr<ClockCommand> ParseClockCommand(const ParsedArgs& args) {
  // set and advance take their value as an argument, which the group check would call stray.
  ParsedArgs rest = args;
  std::optional<std::string> value;
  if (rest.positional.size() >= 2 &&
      (rest.positional[0] == "set" || rest.positional[0] == "advance")) {
    value = rest.positional[1];
    rest.positional.erase(rest.positional.begin() + 1);
  }
  absl::StatusOr<std::string> name = ResolveGroupCommand(Clock(), rest);
  if (!name.ok()) return name.status();
  ClockCommand c;
  if (*name == "show") return c;
  if (!value.has_value()) {
    return absl::InvalidArgumentError(*name == "set"
                                          ? "clock set needs an instant, e.g. 2027-01-04T08:00:00Z"
                                          : "clock advance needs a duration, e.g. 3d, 72h or 10w");
  }
  if (*name == "set") {
    auto to = clock::ParseClockInstant(*value);
    if (!to.ok())
      return absl::InvalidArgumentError(absl::StrCat("clock set: ", to.status().message()));
    c.kind = ClockCommand::Kind::kSet;
    c.to = *to;
    return c;
  }
  auto by = clock::ParseClockAdvance(*value);
  if (!by.ok()) {
    return absl::InvalidArgumentError(absl::StrCat("clock advance: ", by.status().message()));
  }
  c.kind = ClockCommand::Kind::kAdvance;
  c.by = *by;
  return c;
}

std::string ClockRedisUrl(const ParsedArgs& args, const char* env) {
  if (args.Has("redis-url")) return args.Get("redis-url");
  if (env != nullptr && *env != '\0') return env;
  return kDefaultRedisUrl;
}

std::string FormatClock(std::optional<int64_t> offset_ms, absl::Time real_now) {
  const absl::Time t = clock::SimulatedTime(real_now, offset_ms.value_or(0));
  std::string out =
      absl::StrCat("simulated time  ", clock::FormatInstant(t), " (Danish time ",
                   absl::FormatTime("%Y-%m-%d %H:%M", t, calendar::DanishTimeZone()), ")\n");
  if (!offset_ms.has_value()) {
    absl::StrAppend(&out,
                    "offset          none: never set, so the -sim services run on real time\n");
  } else {
    absl::StrAppend(&out, "offset          ", clock::FormatOffset(*offset_ms), " from real time\n");
  }
  return out;
}

std::string FormatClockJson(std::optional<int64_t> offset_ms, absl::Time real_now) {
  return absl::StrCat("{\n  \"simulated_time\": \"",
                      clock::FormatInstant(clock::SimulatedTime(real_now, offset_ms.value_or(0))),
                      "\",\n  \"offset_ms\": ", offset_ms.value_or(0),
                      ",\n  \"set\": ", offset_ms.has_value() ? "true" : "false", "\n}\n");
}

}  // namespace kpr::kprctl
