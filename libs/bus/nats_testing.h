#ifndef KPR_LIBS_BUS_NATS_TESTING_H_
#define KPR_LIBS_BUS_NATS_TESTING_H_

// Helpers shared by the consumer tests of libs/bus that run against the harness's nats-server
// (*_natstest binaries, which link kpr_harness).

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "libs/bus/jetstream.h"
#include "tests/harness/servers.h"

namespace kpr::bus::testing {

// A connection to the harness's nats-server named `name`.
inline std::unique_ptr<JetStream> MustConnect(const std::string& name) {
  auto js = JetStream::Connect({kpr::testing::Servers::Nats().url(), name, false});
  EXPECT_TRUE(js.ok()) << js.status();
  return std::move(js).value();
}

// `n` events for KPR_REFERRAL (kpr.referral.v1.accepted.<municipality>), msg ids "<prefix><i>".
inline std::vector<OutgoingMessage> Messages(int n, const std::string& prefix) {
  std::vector<OutgoingMessage> msgs;
  for (int i = 0; i < n; ++i) {
    msgs.push_back({absl::StrCat("kpr.referral.v1.accepted.0", 100 + i % 7),
                    absl::StrCat("data-", i), absl::StrCat(prefix, i)});
  }
  return msgs;
}

}  // namespace kpr::bus::testing

#endif  // KPR_LIBS_BUS_NATS_TESTING_H_
