#ifndef KPR_TOOLS_KPRCTL_OUTCOMES_COMMANDS_H_
#define KPR_TOOLS_KPRCTL_OUTCOMES_COMMANDS_H_

// kprctl's outcomes commands (`kprctl outcomes ...`): calls to kpr.outcomes.v1.OutcomesService
// at --outcomes-addr / $KPR_OUTCOMES_ADDR (default 127.0.0.1:50053), with the same token and
// deadline handling as the other commands. Which commands exist and what they send lives in
// outcomes_args.h; what they print in outcomes_format.h.

#include "tools/kprctl/cli_args.h"
#include "tools/kprctl/outcomes_args.h"

namespace kpr::kprctl {

// The outcomes part of `kprctl help`.
extern const char kOutcomesUsage[];

// Runs the outcomes command `args` names (IsOutcomesCommand(args.command) is true) and returns
// the exit code: 0, 1 (the call failed) or 2 (bad usage). Exits directly on errors.
int RunOutcomesCommand(const ParsedArgs& args);

}  // namespace kpr::kprctl

#endif  // KPR_TOOLS_KPRCTL_OUTCOMES_COMMANDS_H_
