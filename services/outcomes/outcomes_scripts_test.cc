// Every outcomes script is fit for Redis Cluster: it starts with a #!lua shebang and declares in
// KEYS every key it touches (store::LintScripts checks both).

#include "gtest/gtest.h"
#include "libs/store/script_lint.h"
#include "services/outcomes/outcomes_store_lua.h"

namespace kpr::outcomes {
namespace {

TEST(OutcomesScriptsTest, EveryScriptHasAShebangAndDeclaresItsKeys) {
  ASSERT_EQ(AllScripts().size(), 1u) << "a script added or dropped: update AllScripts()";
  const absl::Status lint = store::LintScripts(AllScripts());
  EXPECT_TRUE(lint.ok()) << lint;
}

}  // namespace
}  // namespace kpr::outcomes
