#ifndef KPR_LIBS_TIMER_TIMER_TEST_SUPPORT_H_
#define KPR_LIBS_TIMER_TIMER_TEST_SUPPORT_H_

// Shared by the timer tests: Redis options for the harness server and a fixed start time for
// the injected clock.

#include "absl/time/time.h"
#include "gtest/gtest.h"
#include "libs/store/redis_pool.h"
#include "tests/harness/servers.h"

namespace kpr::timer {

inline store::RedisOptions TestOptions() {
  auto o = store::RedisOptionsFromUrl(kpr::testing::Servers::Redis().url());
  EXPECT_TRUE(o.ok()) << o.status();
  return *o;
}

inline const absl::Time kT0 = absl::FromUnixMillis(1'800'000'000'000);

}  // namespace kpr::timer

#endif  // KPR_LIBS_TIMER_TIMER_TEST_SUPPORT_H_
