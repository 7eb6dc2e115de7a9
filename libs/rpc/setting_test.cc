#include "libs/rpc/setting.h"

#include <cstdlib>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace kpr::rpc {
namespace {

using ::testing::HasSubstr;

constexpr SettingName kThreshold{"KPR_TEST_THRESHOLD", "test_threshold"};
constexpr SettingName kWait{"KPR_TEST_WAIT", "test_wait"};

TEST(SettingTest, FlagBeatsEnvironmentBeatsDefault) {
  unsetenv("KPR_TEST_THRESHOLD");
  EXPECT_EQ(*IntSetting(kThreshold, -1, 5, 1), 5);
  setenv("KPR_TEST_THRESHOLD", "7", 1);
  EXPECT_EQ(*IntSetting(kThreshold, -1, 5, 1), 7);
  EXPECT_EQ(*IntSetting(kThreshold, 9, 5, 1), 9);
  setenv("KPR_TEST_THRESHOLD", "", 1);  // set but empty: not given
  EXPECT_EQ(*IntSetting(kThreshold, -1, 5, 1), 5);
  unsetenv("KPR_TEST_THRESHOLD");
}

TEST(SettingTest, ErrorsNameTheSettingNotTheValue) {
  setenv("KPR_TEST_THRESHOLD", "five-secret", 1);
  absl::StatusOr<int> bad = IntSetting(kThreshold, -1, 5, 1);
  EXPECT_EQ(bad.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(bad.status().message(), HasSubstr("KPR_TEST_THRESHOLD (--test_threshold)"));
  EXPECT_THAT(bad.status().message(), ::testing::Not(HasSubstr("five-secret")));
  unsetenv("KPR_TEST_THRESHOLD");
  EXPECT_THAT(IntSetting(kThreshold, 0, 5, 1).status().message(), HasSubstr("at least 1"));
}

TEST(SettingTest, Durations) {
  unsetenv("KPR_TEST_WAIT");
  EXPECT_EQ(*DurationSetting(kWait, "", absl::Seconds(30), absl::Seconds(1)), absl::Seconds(30));
  setenv("KPR_TEST_WAIT", "2m", 1);
  EXPECT_EQ(*DurationSetting(kWait, "", absl::Seconds(30), absl::Seconds(1)), absl::Minutes(2));
  EXPECT_EQ(*DurationSetting(kWait, "45s", absl::Seconds(30), absl::Seconds(1)), absl::Seconds(45));
  setenv("KPR_TEST_WAIT", "soon", 1);
  EXPECT_THAT(DurationSetting(kWait, "", absl::Seconds(30), absl::Seconds(1)).status().message(),
              HasSubstr("KPR_TEST_WAIT (--test_wait): expected a duration"));
  unsetenv("KPR_TEST_WAIT");
  EXPECT_FALSE(
      DurationSetting(kWait, "48h", absl::Hours(1), absl::Minutes(1), absl::Hours(24)).ok());
}

TEST(SettingTest, TextFlagBeatsEnvironmentBeatsDefault) {
  const SettingName name{"KPR_TEST_TEXT", "test_text"};
  unsetenv("KPR_TEST_TEXT");
  EXPECT_EQ(TextSetting(name, "", "kpr"), "kpr");
  setenv("KPR_TEST_TEXT", "Albertslund", 1);
  EXPECT_EQ(TextSetting(name, "", "kpr"), "Albertslund");
  EXPECT_EQ(TextSetting(name, "flag", "kpr"), "flag");
  setenv("KPR_TEST_TEXT", "", 1);  // set but empty: not given
  EXPECT_EQ(TextSetting(name, "", "kpr"), "kpr");
  unsetenv("KPR_TEST_TEXT");
}

}  // namespace
}  // namespace kpr::rpc
