// kpr-semester: plays a semester (tests/support/semester.h) against a running suite whose
// services are the simulated-clock builds (kpr-<service>-sim), then prints the program report.
// deploy/local/run.sh runs it once, from some months back up to now, so the demo starts with a
// finished semester; the whole-journey test runs the same code.

#include <iostream>
#include <string>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/strings/str_split.h"
#include "absl/time/civil_time.h"
#include "absl/time/clock.h"
#include "tests/support/command.h"
#include "tests/support/semester.h"

ABSL_FLAG(std::string, referral, "127.0.0.1:50051", "kpr-referral gRPC target");
ABSL_FLAG(std::string, scheduling, "127.0.0.1:50052", "kpr-scheduling gRPC target");
ABSL_FLAG(std::string, outcomes, "127.0.0.1:50053", "kpr-outcomes gRPC target");
ABSL_FLAG(std::string, notify, "127.0.0.1:50054", "kpr-notify gRPC target");
ABSL_FLAG(std::string, nats_url, "nats://127.0.0.1:4222", "NATS URL(s), comma-separated");
ABSL_FLAG(std::string, redis_url, "redis://127.0.0.1:6379", "Redis URL (the shared clock)");
ABSL_FLAG(std::string, jwt_secret_file, "", "the services' JWT secret");
ABSL_FLAG(std::string, kprctl, "kprctl", "path of kprctl");
ABSL_FLAG(std::string, catalog, "deploy/local/demo-catalog.json", "scheduling catalog to load");
ABSL_FLAG(std::string, municipalities, "0165,0183", "municipalities, comma-separated");
ABSL_FLAG(std::string, program, "sund-med-kultur", "program id");
ABSL_FLAG(std::string, start, "", "Monday the referrals arrive (YYYY-MM-DD)");
ABSL_FLAG(int, citizens, 24, "citizens referred per municipality");
ABSL_FLAG(int, cohorts, 2, "cohorts per municipality");
ABSL_FLAG(bool, stop_now, true, "never move the clock past the real now");

int main(int argc, char** argv) {
  absl::ParseCommandLine(argc, argv);
  kpr::testing::SuiteEndpoints suite;
  suite.referral = absl::GetFlag(FLAGS_referral);
  suite.scheduling = absl::GetFlag(FLAGS_scheduling);
  suite.outcomes = absl::GetFlag(FLAGS_outcomes);
  suite.notify = absl::GetFlag(FLAGS_notify);
  suite.nats_url = absl::GetFlag(FLAGS_nats_url);
  suite.redis_url = absl::GetFlag(FLAGS_redis_url);
  suite.kprctl = absl::GetFlag(FLAGS_kprctl);
  suite.catalog_file = absl::GetFlag(FLAGS_catalog);
  auto secret = kpr::testing::RunCommand({"/bin/cat", absl::GetFlag(FLAGS_jwt_secret_file)});
  if (!secret.ok() || secret->exit_code != 0) {
    std::cerr << "kpr-semester: cannot read --jwt_secret_file\n";
    return 2;
  }
  suite.jwt_secret = secret->out;

  kpr::testing::SemesterPlan plan;
  plan.municipalities = absl::StrSplit(absl::GetFlag(FLAGS_municipalities), ',', absl::SkipEmpty());
  plan.program_id = absl::GetFlag(FLAGS_program);
  if (!absl::ParseCivilTime(absl::GetFlag(FLAGS_start), &plan.referrals_arrive)) {
    std::cerr << "kpr-semester: --start must be YYYY-MM-DD\n";
    return 2;
  }
  plan.citizens = absl::GetFlag(FLAGS_citizens);
  plan.cohorts = absl::GetFlag(FLAGS_cohorts);
  if (absl::GetFlag(FLAGS_stop_now)) plan.stop_at = absl::Now();
  auto run = kpr::testing::RunSemester(suite, plan, &std::cout);
  if (!run.ok()) {
    std::cerr << "kpr-semester: " << run.status() << "\n";
    return 1;
  }
  std::cout << "semester done: " << run->citizens.size() << " citizens, " << run->cohorts.size()
            << " cohorts, " << run->clock_steps << " clock steps\n";
  return 0;
}
