// kpr-outcomes: attendance, questionnaires, follow-ups and reports. Only wiring; see
// outcomes_server.h.
#include <cstdlib>
#include <string>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/status/statusor.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "libs/observe/log.h"
#include "libs/rpc/config.h"
#include "libs/rpc/lifecycle.h"
#include "services/outcomes/outcomes_server.h"

// -1: not given (flag > env > default, as libs/rpc/config.h).
ABSL_FLAG(int, suppression_threshold, -1,
          "counts below this are withheld from reports (env KPR_SUPPRESSION_THRESHOLD, default 5)");
ABSL_FLAG(int, settle_delay_hours, -1,
          "hours after a cohort's completion before outcomes are decided (env "
          "KPR_SETTLE_DELAY_HOURS, default 48)");

namespace {

// The flag if given, else the environment variable, else `fallback`; at least `min`.
absl::StatusOr<int> IntSetting(int flag, const char* env, const char* name, int fallback, int min) {
  int value = fallback;
  if (flag != -1) {
    value = flag;
  } else if (const char* text = std::getenv(env);
             text != nullptr && !absl::SimpleAtoi(text, &value)) {
    return absl::InvalidArgumentError(absl::StrCat(env, " (--", name, "): not a whole number"));
  }
  if (value < min) {
    return absl::InvalidArgumentError(absl::StrCat(env, " (--", name, "): must be at least ", min));
  }
  return value;
}

}  // namespace

int main(int argc, char** argv) {
  kpr::rpc::ShutdownSignal::Install();  // before any thread starts
  absl::ParseCommandLine(argc, argv);
  kpr::observe::SetServiceName("outcomes");
  auto config = kpr::rpc::LoadServiceConfig();
  if (!config.ok()) {
    kpr::observe::Error("bad configuration").With("error", config.status().message());
    return 2;
  }
  auto threshold = IntSetting(absl::GetFlag(FLAGS_suppression_threshold),
                              "KPR_SUPPRESSION_THRESHOLD", "suppression_threshold", 5, 1);
  auto settle_hours = IntSetting(absl::GetFlag(FLAGS_settle_delay_hours), "KPR_SETTLE_DELAY_HOURS",
                                 "settle_delay_hours", 48, 0);
  for (const absl::Status& st : {threshold.status(), settle_hours.status()}) {
    if (!st.ok()) {
      kpr::observe::Error("bad configuration").With("error", st.message());
      return 2;
    }
  }
  kpr::outcomes::OutcomesServer::Options options;
  options.desk.suppression_threshold = *threshold;
  options.desk.settle_delay = absl::Hours(*settle_hours);
  auto server = kpr::outcomes::OutcomesServer::Start(*config, options);
  if (!server.ok()) {
    kpr::observe::Error("cannot start").With("error", server.status().ToString());
    return 1;
  }
  kpr::rpc::ShutdownSignal::WaitForShutdown();
  (*server)->Shutdown(absl::Seconds(10));
  return 0;
}
