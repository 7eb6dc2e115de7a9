#ifndef KPR_TESTS_SUPPORT_REDIS_TESTING_H_
#define KPR_TESTS_SUPPORT_REDIS_TESTING_H_
// A connection pool on the harness's redis-server, for tests of the Redis stores. Header-only:
// the tests that use it link libs/store already, the harness does not.
#include <memory>

#include "libs/store/redis_pool.h"
#include "tests/harness/servers.h"

namespace kpr::testing {

// `options` with the harness server's host and port.
inline std::unique_ptr<store::RedisPool> HarnessRedisPool(store::RedisOptions options = {}) {
  options.host = Servers::Redis().host();
  options.port = Servers::Redis().port();
  return std::make_unique<store::RedisPool>(options);
}

}  // namespace kpr::testing

#endif  // KPR_TESTS_SUPPORT_REDIS_TESTING_H_
