#include "tools/kprctl/cli_args.h"

#include "gtest/gtest.h"

namespace kpr::kprctl {
namespace {

TEST(CliArgs, ParsesCommandPositionalsOptionsAndFlags) {
  auto parsed =
      ParseArgs({"--json", "status", "0165-X", "accepted", "--reason=other", "--note", "hi"},
                {"reason", "note"}, {"json"});
  ASSERT_TRUE(parsed.ok()) << parsed.status();
  EXPECT_EQ(parsed->command, "status");
  EXPECT_EQ(parsed->positional, (std::vector<std::string>{"0165-X", "accepted"}));
  EXPECT_EQ(parsed->Get("reason"), "other");
  EXPECT_EQ(parsed->Get("note"), "hi");
  EXPECT_TRUE(parsed->Has("json"));
  EXPECT_EQ(parsed->Get("missing", "d"), "d");
}

TEST(CliArgs, RejectsUnknownOptionsAndMissingValues) {
  auto unknown = ParseArgs({"get", "--municipalty", "0165"}, {"municipality"}, {});
  ASSERT_FALSE(unknown.ok());
  EXPECT_NE(unknown.status().message().find("--municipalty"), absl::string_view::npos);
  auto missing = ParseArgs({"list", "--municipality"}, {"municipality"}, {});
  ASSERT_FALSE(missing.ok());
  EXPECT_NE(missing.status().message().find("needs a value"), absl::string_view::npos);
}

TEST(CliArgs, ARepeatedOptionKeepsEveryValueAndTheLastWins) {
  auto parsed = ParseArgs(
      {"notify", "send", "--referral", "r1", "--timeout", "5", "--referral=r2", "--timeout", "9"},
      {"referral", "timeout"}, {});
  ASSERT_TRUE(parsed.ok()) << parsed.status();
  EXPECT_EQ(parsed->Get("referral"), "r2");
  EXPECT_EQ(parsed->GetAll("referral"), (std::vector<std::string>{"r1", "r2"}));
  EXPECT_EQ(parsed->Get("timeout"), "9");
  EXPECT_EQ(parsed->GetAll("timeout"), (std::vector<std::string>{"5", "9"}));
  auto once = ParseArgs({"notify", "send", "--referral", "r1"}, {"referral"}, {});
  ASSERT_TRUE(once.ok()) << once.status();
  EXPECT_EQ(once->GetAll("referral"), (std::vector<std::string>{"r1"}));
  EXPECT_TRUE(once->GetAll("cohort").empty());
}

}  // namespace
}  // namespace kpr::kprctl
