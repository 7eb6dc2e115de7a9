#ifndef KPR_TOOLS_KPRCTL_SCHEDULING_COMMANDS_H_
#define KPR_TOOLS_KPRCTL_SCHEDULING_COMMANDS_H_

// kprctl's scheduling commands: calls to kpr.scheduling.v1.SchedulingService at
// --scheduling-addr / $KPR_SCHEDULING_ADDR (default 127.0.0.1:50052), with the same token and
// deadline handling as the referral commands. Which commands exist and what they send lives in
// scheduling_args.h; what they print in scheduling_format.h.

#include "tools/kprctl/cli_args.h"
#include "tools/kprctl/scheduling_args.h"

namespace kpr::kprctl {

// The scheduling part of `kprctl help`.
extern const char kSchedulingUsage[];

// Runs the scheduling command `args` names (IsSchedulingCommand(args.command) is true) and
// returns the exit code: 0, 1 (the call failed), 2 (bad usage) or 3 (no timetable exists).
// Exits directly on errors.
int RunSchedulingCommand(const ParsedArgs& args);

}  // namespace kpr::kprctl

#endif  // KPR_TOOLS_KPRCTL_SCHEDULING_COMMANDS_H_
