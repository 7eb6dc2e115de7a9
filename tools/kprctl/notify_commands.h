#ifndef KPR_TOOLS_KPRCTL_NOTIFY_COMMANDS_H_
#define KPR_TOOLS_KPRCTL_NOTIFY_COMMANDS_H_

// kprctl's notify commands (`kprctl notify ...`): calls to kpr.notify.v1.NotifyService at
// --notify-addr / $KPR_NOTIFY_ADDR (default 127.0.0.1:50054), with the same token and deadline
// handling as the other commands. Which commands exist and what they send lives in
// notify_args.h; what they print in notify_format.h.

#include "tools/kprctl/cli_args.h"
#include "tools/kprctl/notify_args.h"

namespace kpr::kprctl {

// The notify part of `kprctl help`.
extern const char kNotifyUsage[];

// Runs the notify command `args` names (IsNotifyCommand(args.command) is true) and returns the
// exit code: 0, 1 (the call failed) or 2 (bad usage). Exits directly on errors.
int RunNotifyCommand(const ParsedArgs& args);

}  // namespace kpr::kprctl

#endif  // KPR_TOOLS_KPRCTL_NOTIFY_COMMANDS_H_
