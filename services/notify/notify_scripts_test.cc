// Every notify script is fit for Redis Cluster: it starts with a #!lua shebang and declares in
// KEYS every key it touches (store::LintScripts checks both).

#include "services/notify/notify_scripts.h"

#include "gtest/gtest.h"
#include "libs/store/script_lint.h"

namespace kpr::notify {
namespace {

TEST(NotifyScriptsTest, EveryScriptHasAShebangAndDeclaresItsKeys) {
  ASSERT_EQ(AllScripts().size(), 5u) << "a script added or dropped: update AllScripts()";
  const absl::Status lint = store::LintScripts(AllScripts());
  EXPECT_TRUE(lint.ok()) << lint;
}

}  // namespace
}  // namespace kpr::notify
