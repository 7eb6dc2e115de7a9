// Every scheduling script names every key it touches in KEYS and starts with #!lua (the Redis
// Cluster rule; libs/store/script_lint.h).

#include "gtest/gtest.h"
#include "libs/store/script_lint.h"
#include "services/scheduling/scheduling_store_lua.h"

namespace kpr::scheduling {
namespace {

TEST(SchedulingScriptsTest, EveryScriptDeclaresItsKeys) {
  absl::Status st = store::LintScripts(lua::AllScripts());
  EXPECT_TRUE(st.ok()) << st.message();
}

TEST(SchedulingScriptsTest, AllScriptsListsEachScriptOnce) {
  std::vector<const store::Script*> all = lua::AllScripts();
  EXPECT_EQ(all.size(), 15u);
  for (size_t i = 0; i < all.size(); ++i) {
    for (size_t j = i + 1; j < all.size(); ++j) EXPECT_NE(all[i]->name(), all[j]->name());
  }
}

}  // namespace
}  // namespace kpr::scheduling
