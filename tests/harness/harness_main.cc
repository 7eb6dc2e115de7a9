// main() of every integration test binary: one redis-server and one nats-server -js on free
// loopback ports for the whole binary, in a scratch directory, then the tests.
#include <signal.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <iostream>

#include "gtest/gtest.h"
#include "tests/harness/servers.h"

int main(int argc, char** argv) {
  ::testing::InitGoogleTest(&argc, argv);
  signal(SIGPIPE, SIG_IGN);
  std::string tmpl = (std::filesystem::temp_directory_path() / "kpr-test-XXXXXX").string();
  std::string dir = mkdtemp(tmpl.data());
  kpr::testing::InitHarness(dir);
  int rc = RUN_ALL_TESTS();
  kpr::testing::ShutdownHarness();
  if (std::getenv("KPR_KEEP_TEST_DIR") == nullptr && rc == 0) {
    std::error_code ec;
    std::filesystem::remove_all(dir, ec);
  } else {
    std::cerr << "test scratch directory kept: " << dir << "\n";
  }
  return rc;
}
