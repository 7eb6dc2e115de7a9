// The container images as an operator runs them (deploy/k8s/images/build.sh, the ctest fixture
// kpr_images): kpr-referral's image as user 65532 with a read-only root filesystem, no
// capabilities and the secrets mounted as files, against the harness's loopback NATS and Redis,
// until gRPC health says SERVING; then kprctl's image asks for its health, /metrics names the
// build, and SIGTERM drains it to a clean exit. Images run with Debian's runc (crun refuses this
// machine's hybrid cgroups).

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <string>
#include <vector>

#include "absl/cleanup/cleanup.h"
#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "libs/observe/http_test_client.h"
#include "tests/support/command.h"
#include "tests/support/metrics_scrape.h"
#include "tests/support/referral_testing.h"

namespace kpr::testing {
namespace {

using ::testing::HasSubstr;

constexpr char kReferralImage[] = "localhost/kpr-referral:main";
constexpr char kKprctlImage[] = "localhost/kpr-kprctl:main";

constexpr char kPodman[] = "/usr/bin/podman";  // Debian's

// What deploy/k8s/images/build.sh needs; without it the image build (the fixture) is skipped.
bool ImageToolsInstalled() {
  return access(kPodman, X_OK) == 0 && access("/usr/bin/mmdebstrap", X_OK) == 0;
}

CommandResult Podman(std::vector<std::string> args, absl::Duration timeout = absl::Seconds(60)) {
  // runc cannot raise these limits here past the sandbox's own: ask for what it allows.
  if (args[0] == "run") {
    args.insert(args.begin() + 1,
                {"--ulimit", "nofile=20000:20000", "--ulimit", "nproc=1024:1024"});
  }
  args.insert(args.begin(), {kPodman, "--runtime", "runc"});
  auto r = RunCommand(args, {}, timeout);
  if (!r.ok()) return CommandResult{-1, "", std::string(r.status().message())};
  return *r;
}

// The harness's secrets are private to this user; the image's user needs to read its copies.
std::string ReadableCopy(const std::string& from, const std::string& dir) {
  std::string to = absl::StrCat(dir, "/", std::filesystem::path(from).filename().string());
  std::filesystem::copy_file(from, to, std::filesystem::copy_options::overwrite_existing);
  std::filesystem::permissions(to, std::filesystem::perms::owner_read |
                                       std::filesystem::perms::group_read |
                                       std::filesystem::perms::others_read);
  return to;
}

TEST(ImageSmoke, ReferralImageServesAgainstLoopbackNatsAndRedis) {
  if (!ImageToolsInstalled()) {
    GTEST_SKIP() << "podman or mmdebstrap not installed (Debian packages mmdebstrap podman runc)";
  }
  CommandResult config = Podman({"image", "inspect", "--format",
                                 "{{.Config.User}}|{{index .Config.Labels "
                                 "\"org.opencontainers.image.revision\"}}",
                                 kReferralImage});
  ASSERT_EQ(config.exit_code, 0) << "build it with deploy/k8s/images/build.sh referral kprctl: "
                                 << config.err;
  // The image this run built from this tree, not an older one left in podman's store.
  auto revision = RunCommand(
      {"/usr/bin/git", "-C", KPR_SOURCE_DIR, "describe", "--always", "--dirty", "--abbrev=12"});
  ASSERT_TRUE(revision.ok() && revision->exit_code == 0);
  EXPECT_EQ(config.out, absl::StrCat("65532:65532|", revision->out));
  // tzdata is in the image: without it Europe/Copenhagen silently becomes a fixed +01:00.
  EXPECT_EQ(Podman({"run", "--rm", "--entrypoint", "/usr/bin/test", kReferralImage, "-s",
                    "/usr/share/zoneinfo/Europe/Copenhagen"})
                .exit_code,
            0);

  ASSERT_TRUE(FlushRedis().ok());
  ASSERT_TRUE(DeleteAllStreams().ok());
  const std::string dir = absl::StrCat(Servers::Dir(), "/image-secrets");
  std::filesystem::create_directories(dir);
  std::filesystem::permissions(dir, std::filesystem::perms::owner_all |
                                        std::filesystem::perms::group_exec |
                                        std::filesystem::perms::others_exec);
  Secrets secrets = WriteSecrets(Servers::Dir());
  const std::string jwt = ReadableCopy(secrets.jwt_secret_file, dir);
  const std::string key = ReadableCopy(secrets.data_key_file, dir);
  const int grpc_port = FreePort();
  const int http_port = FreePort();
  const std::string name = absl::StrCat("kpr-image-smoke-", getpid());
  absl::Cleanup remove = [&] { Podman({"rm", "--force", "--time", "0", name}); };

  // As the Deployment runs it (deploy/k8s/base/referral.yaml), on the host's loopback.
  CommandResult run = Podman({"run",
                              "--detach",
                              "--name",
                              name,
                              "--network",
                              "host",
                              "--read-only",
                              "--cap-drop",
                              "ALL",
                              "--security-opt",
                              "no-new-privileges",
                              "--volume",
                              absl::StrCat(jwt, ":/var/run/kpr/jwt/secret:ro"),
                              "--volume",
                              absl::StrCat(key, ":/var/run/kpr/data-key/key:ro"),
                              "--env",
                              absl::StrCat("KPR_NATS_URL=", Servers::Nats().url()),
                              "--env",
                              absl::StrCat("KPR_REDIS_URL=", Servers::Redis().url()),
                              "--env",
                              absl::StrCat("KPR_GRPC_ADDR=127.0.0.1:", grpc_port),
                              "--env",
                              absl::StrCat("KPR_HTTP_ADDR=127.0.0.1:", http_port),
                              "--env",
                              "KPR_JWT_SECRET_FILE=/var/run/kpr/jwt/secret",
                              "--env",
                              "KPR_DATA_KEY_FILE=/var/run/kpr/data-key/key",
                              kReferralImage});
  ASSERT_EQ(run.exit_code, 0) << run.err;
  auto logs = [&] {
    CommandResult l = Podman({"logs", name});
    return l.out + l.err;  // the service logs JSON lines to stdout
  };

  const std::string address = absl::StrCat("127.0.0.1:", grpc_port);
  ASSERT_TRUE(WaitServing(address, absl::Seconds(60), "the kpr-referral image").ok()) << logs();

  // kprctl's image, as an operator would run it beside the cluster.
  CommandResult health = Podman({"run", "--rm", "--network", "host", "--read-only", kKprctlImage,
                                 "--addr", address, "health"});
  EXPECT_EQ(health.exit_code, 0) << health.err;
  EXPECT_THAT(health.out, HasSubstr("SERVING"));

  std::string metrics = observe::testing::Get(http_port, "/metrics");
  EXPECT_THAT(metrics, HasSubstr("kpr_build_info{"));
  EXPECT_EQ(SumMatching(ScrapeMetric(http_port, "kpr_dependency_up"), {{"dependency", "redis"}}),
            1);

  // SIGTERM: drains and exits 0 within the manifests' 30 s grace.
  ASSERT_EQ(Podman({"stop", "--time", "30", name}).exit_code, 0);
  CommandResult exit_code = Podman({"inspect", "--format", "{{.State.ExitCode}}", name});
  EXPECT_EQ(exit_code.out, "0\n") << logs();
}

}  // namespace
}  // namespace kpr::testing
