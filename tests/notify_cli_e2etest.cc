// kprctl's notify commands against a real kpr-notify (in-process, on the harness's Redis and
// NATS): what a coordinator and an admin type, and what they read back. Saves carry the version
// they read; a stale one is refused with a hint; a citizen's "no SMS" wish is kept and shown.

#include <sys/wait.h>

#include <cstdlib>
#include <fstream>
#include <sstream>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "services/notify/notify_server.h"
#include "tests/support/referral_testing.h"

namespace kpr::testing {
namespace {

using identity::Role;

struct Ran {
  int exit_code = -1;
  std::string out, err;
};

std::string ReadAll(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

class NotifyCli : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(FlushRedis().ok());
    ASSERT_TRUE(DeleteAllStreams().ok());
    secrets_ = WriteSecrets(Servers::Dir());
    auto server = notify::NotifyServer::Start(HarnessServiceConfig(secrets_), {});
    ASSERT_TRUE(server.ok()) << server.status();
    server_ = *std::move(server);
    ASSERT_TRUE(Eventually([&] { return server_->healthy(); }, absl::Seconds(20)));
  }
  void TearDown() override {
    if (server_) server_->Shutdown(absl::Seconds(2));
  }

  // kprctl with `args` as `role` of 0165.
  Ran Kprctl(Role role, const std::string& args) {
    const std::string token = MakeToken(secrets_.jwt_secret, role, {"0165"}, "cli-tester");
    const std::string out = Servers::Dir() + "/notify_cli.out";
    const std::string err = Servers::Dir() + "/notify_cli.err";
    const std::string cmd = absl::StrCat("env -u KPR_MUNICIPALITY KPR_TOKEN=", token,
                                         " KPR_NOTIFY_ADDR=127.0.0.1:", server_->grpc_port(), " ",
                                         BinaryDir(), "/tools/kprctl/kprctl --timeout 10 ", args,
                                         " >", out, " 2>", err, " </dev/null");
    int status = std::system(cmd.c_str());
    Ran r;
    r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    r.out = ReadAll(out);
    r.err = ReadAll(err);
    return r;
  }

  Secrets secrets_;
  std::unique_ptr<notify::NotifyServer> server_;
};

TEST_F(NotifyCli, AnAdminSavesATemplateOnceAndAStaleSaveIsRefusedWithAHint) {
  const std::string upsert =
      "notify templates upsert --municipality 0165 --trigger welcome --language da "
      "--sms-text 'Hej {first_name}, velkommen til {program}' --email-subject Velkommen "
      "--email-text 'Velkommen til {program}' --expected-version 0";
  Ran saved = Kprctl(Role::kAdmin, upsert);
  ASSERT_EQ(saved.exit_code, 0) << saved.err;
  Ran stale = Kprctl(Role::kAdmin, upsert);
  EXPECT_NE(stale.exit_code, 0);
  EXPECT_TRUE(absl::StrContains(stale.err, "templates list")) << stale.err;
  Ran list = Kprctl(Role::kAdmin, "notify templates list --municipality 0165 --trigger welcome");
  ASSERT_EQ(list.exit_code, 0) << list.err;
  EXPECT_TRUE(absl::StrContains(list.out, "Hej {first_name}, velkommen til {program}")) << list.out;
  // An unknown placeholder is refused, naming the field.
  Ran bad = Kprctl(Role::kAdmin,
                   "notify templates upsert --municipality 0165 --trigger welcome --language en "
                   "--sms-text 'Hi {cpr}' --email-subject Hi --email-text Hi --expected-version 0");
  EXPECT_NE(bad.exit_code, 0);
  EXPECT_TRUE(absl::StrContains(bad.err, "template.sms_text")) << bad.err;
  Ran preview =
      Kprctl(Role::kAdmin, "notify preview --municipality 0165 --trigger welcome --language da");
  ASSERT_EQ(preview.exit_code, 0) << preview.err;
  EXPECT_TRUE(absl::StrContains(preview.out, "velkommen til")) << preview.out;
}

TEST_F(NotifyCli, OffsetsCoordinatorAndACitizensNoSmsWish) {
  Ran offsets = Kprctl(Role::kAdmin,
                       "notify reminder-offsets set --municipality 0165 --offsets 48h,3h "
                       "--expected-version 0");
  ASSERT_EQ(offsets.exit_code, 0) << offsets.err;
  Ran got = Kprctl(Role::kCoordinator, "notify reminder-offsets get --municipality 0165");
  ASSERT_EQ(got.exit_code, 0) << got.err;
  EXPECT_TRUE(absl::StrContains(got.out, "48h")) << got.out;
  Ran coordinator = Kprctl(Role::kAdmin,
                           "notify coordinator set --municipality 0165 --email "
                           "kultur@kommune.example --expected-version 0");
  ASSERT_EQ(coordinator.exit_code, 0) << coordinator.err;
  EXPECT_TRUE(absl::StrContains(
      Kprctl(Role::kCoordinator, "notify coordinator get --municipality 0165").out,
      "kultur@kommune.example"));
  Ran wish = Kprctl(Role::kCaseworker,
                    "notify preferences set --referral 0165-ABC --sms-opt-out true "
                    "--expected-version 0");
  ASSERT_EQ(wish.exit_code, 0) << wish.err;
  Ran prefs = Kprctl(Role::kCaseworker, "notify preferences get --referral 0165-ABC");
  ASSERT_EQ(prefs.exit_code, 0) << prefs.err;
  EXPECT_TRUE(absl::StrContains(absl::AsciiStrToLower(prefs.out), "sms")) << prefs.out;
  // An instructor has no business here.
  EXPECT_NE(Kprctl(Role::kInstructor, "notify preferences get --referral 0165-ABC").exit_code, 0);
}

TEST_F(NotifyCli, SendIsRepeatSafeByItsRequestId) {
  Ran first =
      Kprctl(Role::kCoordinator,
             "notify send --municipality 0165 --request-id cli-1 --referral 0165-R1,0165-R2 "
             "--text 'Husk madpakke'");
  ASSERT_EQ(first.exit_code, 0) << first.err;
  Ran again =
      Kprctl(Role::kCoordinator,
             "notify send --municipality 0165 --request-id cli-1 --referral 0165-R1,0165-R2 "
             "--text 'Husk madpakke'");
  ASSERT_EQ(again.exit_code, 0) << again.err;
  EXPECT_EQ(first.out, again.out) << "the same deliveries, nothing new";
  Ran list = Kprctl(Role::kCoordinator, "notify deliveries --municipality 0165 --referral 0165-R1");
  ASSERT_EQ(list.exit_code, 0) << list.err;
  EXPECT_TRUE(absl::StrContains(list.out, "coordinator_message")) << list.out;
  EXPECT_NE(
      Kprctl(Role::kCoordinator, "notify send --municipality 0165 --referral 0165-R1 --text 'x'")
          .exit_code,
      0)
      << "a send without a request id is refused";
}

}  // namespace
}  // namespace kpr::testing
