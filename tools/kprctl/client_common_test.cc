#include "tools/kprctl/client_common.h"

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>

#include "absl/time/civil_time.h"
#include "gtest/gtest.h"
#include "kpr/scheduling/v1/scheduling.pb.h"
#include "tools/kprctl/new_york_test_zone.h"

namespace kpr::kprctl {
namespace {

ParsedArgs Args(std::map<std::string, std::string> options) {
  ParsedArgs a;
  a.command = "plan";
  a.options = std::move(options);
  return a;
}

std::string TempFile(const std::string& content) {
  std::string path = ::testing::TempDir() + "/kprctl_token_" +
                     ::testing::UnitTest::GetInstance()->current_test_info()->name();
  std::ofstream(path) << content;
  return path;
}

google::protobuf::Timestamp UtcTimestamp(int y, int m, int d, int hh, int mm) {
  google::protobuf::Timestamp ts;
  ts.set_seconds(absl::ToUnixSeconds(
      absl::FromCivil(absl::CivilMinute(y, m, d, hh, mm), absl::UTCTimeZone())));
  return ts;
}

TEST(FormatTime, DanishTimeWhateverTheMachinesZone) {
  ASSERT_TRUE(MachineInNewYork());
  EXPECT_EQ(FormatTime(UtcTimestamp(2027, 1, 18, 8, 0)), "2027-01-18 09:00");    // CET
  EXPECT_EQ(FormatTime(UtcTimestamp(2027, 7, 1, 7, 30)), "2027-07-01 09:30");    // CEST
  EXPECT_EQ(FormatTime(UtcTimestamp(2027, 1, 18, 23, 30)), "2027-01-19 00:30");  // the Danish day
  EXPECT_EQ(FormatTime(google::protobuf::Timestamp()), "-");
}

TEST(ResolveToken, FlagThenFileThenEnvironment) {
  std::string file = TempFile("  from-file\n");
  EXPECT_EQ(*ResolveToken(Args({{"token", " from-flag "}}), "from-env"), "from-flag");
  EXPECT_EQ(*ResolveToken(Args({{"token-file", file}}), "from-env"), "from-file");
  EXPECT_EQ(*ResolveToken(Args({}), " from-env\n"), "from-env");
  EXPECT_EQ(*ResolveToken(Args({}), nullptr), "");
  std::remove(file.c_str());
}

TEST(ResolveToken, RejectsBothFlagsAndReportsAnUnreadableFile) {
  auto both = ResolveToken(Args({{"token", "t"}, {"token-file", "/x"}}), nullptr);
  ASSERT_FALSE(both.ok());
  EXPECT_TRUE(absl::IsInvalidArgument(both.status()));
  auto missing = ResolveToken(Args({{"token-file", "/nonexistent/kprctl-token"}}), "env");
  ASSERT_FALSE(missing.ok());
  EXPECT_NE(missing.status().message().find("/nonexistent/kprctl-token"), absl::string_view::npos);
}

TEST(ResolveTimeout, DefaultsToTenSecondsAndNeedsAPositiveNumber) {
  EXPECT_EQ(*ResolveTimeout(Args({})), absl::Seconds(10));
  EXPECT_EQ(*ResolveTimeout(Args({{"timeout", "2.5"}})), absl::Milliseconds(2500));
  for (const char* bad : {"0", "-1", "soon"}) {
    auto t = ResolveTimeout(Args({{"timeout", bad}}));
    ASSERT_FALSE(t.ok()) << bad;
    EXPECT_NE(t.status().message().find("--timeout"), absl::string_view::npos);
  }
}

TEST(ReadInput, ReadsAFileAndNamesAMissingOne) {
  std::string file = TempFile("{\"a\": 1}");
  EXPECT_EQ(*ReadInput(file), "{\"a\": 1}");
  std::remove(file.c_str());
  auto missing = ReadInput("/nonexistent/bundle.json");
  ASSERT_FALSE(missing.ok());
  EXPECT_NE(missing.status().message().find("/nonexistent/bundle.json"), absl::string_view::npos);
}

TEST(ToJson, UsesTheProtobufMappingWithEnumNames) {
  kpr::scheduling::v1::Cohort c;
  c.set_cohort_id("0165-C1");
  c.set_status(kpr::scheduling::v1::COHORT_STATUS_OPEN);
  c.set_version(3);
  std::string json = ToJson(c);
  EXPECT_NE(json.find("\"cohort_id\": \"0165-C1\""), std::string::npos) << json;
  EXPECT_NE(json.find("\"status\": \"COHORT_STATUS_OPEN\""), std::string::npos) << json;
  EXPECT_NE(json.find("\"version\": \"3\""), std::string::npos) << json;  // int64 as a string
}

TEST(Connection, ContextCarriesTheDeadline) {
  Connection conn("kpr-scheduling", "127.0.0.1:1", "tok", absl::Seconds(5));
  absl::Time before = absl::Now();
  auto ctx = conn.Context();
  absl::Time deadline = absl::FromChrono(ctx->deadline());
  EXPECT_GE(deadline, before + absl::Seconds(5));
  EXPECT_LE(deadline, absl::Now() + absl::Seconds(5));
  EXPECT_EQ(conn.addr(), "127.0.0.1:1");
}

TEST(Connection, WithoutATokenExitsWithTheUsageCode) {
  Connection conn("kpr-scheduling", "127.0.0.1:1", "", absl::Seconds(5));
  EXPECT_EXIT(conn.Context(), ::testing::ExitedWithCode(kExitUsage), "no token");
}

TEST(WriteFileAtomically, ReplacesTheFileAndLeavesNoTemporaryBehind) {
  const std::string path = ::testing::TempDir() + "/kprctl_export.csv";
  std::ofstream(path) << "old";
  WriteFileAtomically(path, std::string("a,b\n1,\0002\n", 11));
  std::ifstream in(path, std::ios::binary);
  std::string got((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  EXPECT_EQ(got, std::string("a,b\n1,\0002\n", 11));
  EXPECT_FALSE(std::ifstream(path + ".tmp").good());

  // The target is a directory: renaming onto it fails, and the temporary is removed.
  const std::string dir = ::testing::TempDir() + "/kprctl_export_dir";
  std::filesystem::create_directories(dir + "/inside");
  EXPECT_EXIT(WriteFileAtomically(dir, "x"), ::testing::ExitedWithCode(kExitFailure),
              "cannot write");
  EXPECT_FALSE(std::filesystem::exists(dir + ".tmp"));
}

TEST(DescribeStatus, NamesTheCode) {
  EXPECT_EQ(DescribeStatus(grpc::Status(grpc::StatusCode::NOT_FOUND, "no cohort 0165-C1")),
            "NOT_FOUND: no cohort 0165-C1");
}

}  // namespace
}  // namespace kpr::kprctl
