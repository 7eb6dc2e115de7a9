#ifndef KPR_TOOLS_KPRCTL_CLOCK_COMMANDS_H_
#define KPR_TOOLS_KPRCTL_CLOCK_COMMANDS_H_

// kprctl's clock commands (`kprctl clock show|set|advance`): the shared simulated clock, read
// and written in Redis (clock_args.h says what each takes and prints).

#include "tools/kprctl/cli_args.h"
#include "tools/kprctl/clock_args.h"

namespace kpr::kprctl {

// The clock part of `kprctl help`.
extern const char kClockUsage[];

// Runs the clock command `args` names (IsClockCommand(args.command) is true) and returns the
// exit code: 0, 1 (Redis failed or the clock would move back) or 2 (bad usage). Exits directly
// on errors.
int RunClockCommand(const ParsedArgs& args);

}  // namespace kpr::kprctl

#endif  // KPR_TOOLS_KPRCTL_CLOCK_COMMANDS_H_
