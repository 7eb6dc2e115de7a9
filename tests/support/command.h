#ifndef KPR_TESTS_SUPPORT_COMMAND_H_
#define KPR_TESTS_SUPPORT_COMMAND_H_

// Runs a program (kprctl, say) to completion and keeps what it printed. No shell: arguments go
// to the program as they are.

#include <map>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"

namespace kpr::testing {

struct CommandResult {
  int exit_code = -1;  // -1 when killed by a signal
  std::string out;
  std::string err;
};

// `env` is added to (and overrides) this process's environment. A program still running after
// `timeout` is killed: DEADLINE_EXCEEDED.
absl::StatusOr<CommandResult> RunCommand(const std::vector<std::string>& argv,
                                         const std::map<std::string, std::string>& env = {},
                                         absl::Duration timeout = absl::Seconds(60));

}  // namespace kpr::testing

#endif  // KPR_TESTS_SUPPORT_COMMAND_H_
