#include "tools/kprctl/clock_args.h"

#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tools/kprctl/notify_args.h"

namespace kpr::kprctl {
namespace {

using ::testing::HasSubstr;

// Parses a command line the way kprctl's main does (another group's options are known too).
ParsedArgs Parse(const std::vector<std::string>& argv) {
  std::set<std::string> options = ClockOptions();
  options.insert(NotifyOptions().begin(), NotifyOptions().end());
  options.insert("addr");
  std::set<std::string> flags = ClockFlags();
  flags.insert(NotifyFlags().begin(), NotifyFlags().end());
  auto parsed = ParseArgs(argv, options, flags);
  EXPECT_TRUE(parsed.ok()) << parsed.status();
  return parsed.ok() ? *parsed : ParsedArgs{};
}

std::string Error(const std::vector<std::string>& argv) {
  auto c = ParseClockCommand(Parse(argv));
  EXPECT_FALSE(c.ok());
  EXPECT_EQ(c.status().code(), absl::StatusCode::kInvalidArgument);
  return std::string(c.status().message());
}

constexpr absl::Duration kDay = absl::Hours(24);

TEST(ClockArgs, ShowSetAndAdvanceTakeTheirValueAsAnArgument) {
  EXPECT_EQ(ParseClockCommand(Parse({"clock", "show"}))->kind, ClockCommand::Kind::kShow);
  auto set = ParseClockCommand(Parse({"clock", "set", "2027-01-04T09:00:00+01:00"}));
  ASSERT_TRUE(set.ok()) << set.status();
  EXPECT_EQ(set->kind, ClockCommand::Kind::kSet);
  EXPECT_EQ(set->to, absl::FromCivil(absl::CivilSecond(2027, 1, 4, 8, 0, 0), absl::UTCTimeZone()));
  auto advance = ParseClockCommand(
      Parse({"--redis-url", "redis://h:1", "clock", "advance", "1w2d", "--json"}));
  ASSERT_TRUE(advance.ok()) << advance.status();
  EXPECT_EQ(advance->kind, ClockCommand::Kind::kAdvance);
  EXPECT_EQ(advance->by, 9 * kDay);
}

TEST(ClockArgs, NamesTheMistake) {
  EXPECT_THAT(Error({"clock"}), HasSubstr("advance"));
  EXPECT_THAT(Error({"clock", "rewind", "3d"}), HasSubstr("unknown command 'clock rewind'"));
  EXPECT_THAT(Error({"clock", "advance"}), HasSubstr("e.g. 3d"));
  EXPECT_THAT(Error({"clock", "set"}), HasSubstr("2027-01-04T08:00:00Z"));
  EXPECT_THAT(Error({"clock", "advance", "3x"}), HasSubstr("clock advance: '3x'"));
  EXPECT_THAT(Error({"clock", "advance", "-3d"}), HasSubstr("'-3d'"));
  EXPECT_THAT(Error({"clock", "set", "2027-01-04"}), HasSubstr("RFC 3339"));
  EXPECT_THAT(Error({"clock", "show", "now"}), HasSubstr("unexpected argument 'now'"));
  EXPECT_THAT(Error({"clock", "advance", "3d", "4d"}), HasSubstr("unexpected argument '4d'"));
  EXPECT_THAT(Error({"clock", "show", "--municipality", "0165"}),
              HasSubstr("does not take --municipality"));
  EXPECT_THAT(Error({"clock", "show", "--notify-addr", "h:1"}), HasSubstr("--redis-url"));
}

TEST(ClockArgs, RedisUrlFromTheFlagThenTheEnvironmentThenTheDemo) {
  EXPECT_EQ(ClockRedisUrl(Parse({"clock", "show", "--redis-url", "redis://a:1"}), "redis://b:2"),
            "redis://a:1");
  EXPECT_EQ(ClockRedisUrl(Parse({"clock", "show"}), "redis://b:2"), "redis://b:2");
  EXPECT_EQ(ClockRedisUrl(Parse({"clock", "show"}), ""), kDefaultRedisUrl);
  EXPECT_EQ(ClockRedisUrl(Parse({"clock", "show"}), nullptr), kDefaultRedisUrl);
}

TEST(ClockFormat, ShowsUtcDanishTimeAndTheOffset) {
  // 08:00 UTC in January is 09:00 in Denmark.
  const absl::Time real =
      absl::FromCivil(absl::CivilSecond(2026, 12, 6, 8, 0, 0), absl::UTCTimeZone());
  const int64_t offset = absl::ToInt64Milliseconds(29 * kDay);
  const std::string text = FormatClock(offset, real);
  EXPECT_THAT(text, HasSubstr("2027-01-04T08:00:00.000Z"));
  EXPECT_THAT(text, HasSubstr("Danish time 2027-01-04 09:00"));
  EXPECT_THAT(text, HasSubstr("+29d from real time"));
  EXPECT_THAT(FormatClock(std::nullopt, real), HasSubstr("never set"));
  EXPECT_THAT(FormatClock(std::nullopt, real), HasSubstr("2026-12-06T08:00:00.000Z"));

  const std::string json = FormatClockJson(offset, real);
  EXPECT_THAT(json, HasSubstr("\"simulated_time\": \"2027-01-04T08:00:00.000Z\""));
  EXPECT_THAT(json, HasSubstr(absl::StrCat("\"offset_ms\": ", offset)));
  EXPECT_THAT(json, HasSubstr("\"set\": true"));
  EXPECT_THAT(FormatClockJson(std::nullopt, real), HasSubstr("\"set\": false"));
}

}  // namespace
}  // namespace kpr::kprctl
