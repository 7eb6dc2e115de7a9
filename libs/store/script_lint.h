#ifndef KPR_LIBS_STORE_SCRIPT_LINT_H_
#define KPR_LIBS_STORE_SCRIPT_LINT_H_

// The Redis Cluster rule for Lua scripts, checked without a server: a script starts with a
// `#!lua` shebang and names every key it touches in KEYS. Only declared keys are checked for a
// moving slot (ASK, TRYAGAIN) before a script runs; an undeclared key whose slot just moved fails
// in the middle of the script, after its earlier writes, which Redis does not roll back.
//
// The check is lexical, so it is conservative rather than complete. For every
// redis.call / redis.pcall of a keyed command, the key argument (the one after the command name)
// must not be built in the script: no string literal, no `..` concatenation, no ARGV; and a
// local variable used as a key must not be assigned from such an expression anywhere in the
// script. Function parameters and values taken from KEYS (directly or through a helper) pass.
// KEYS and SCAN are refused outright: they see one node only on a cluster.

#include <vector>

#include "absl/status/status.h"
#include "libs/store/script.h"

namespace kpr::store {

// OK, or INVALID_ARGUMENT naming the script and each offending call.
absl::Status LintScript(const Script& script);

// LintScript over many scripts; one error listing every failure.
absl::Status LintScripts(const std::vector<const Script*>& scripts);

}  // namespace kpr::store

#endif  // KPR_LIBS_STORE_SCRIPT_LINT_H_
