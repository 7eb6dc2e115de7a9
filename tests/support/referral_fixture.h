#ifndef KPR_TESTS_SUPPORT_REFERRAL_FIXTURE_H_
#define KPR_TESTS_SUPPORT_REFERRAL_FIXTURE_H_

// The referral desks in this process on the harness's Redis (flushed first), without a server:
// what the desk and handler tests drive directly. No outbox relay runs; outbox_notified_ counts
// the desks' wake-ups of it.

#include <memory>
#include <string>

#include "gtest/gtest.h"
#include "libs/privacy/audit_trail.h"
#include "services/referral/referral_desks.h"
#include "tests/harness/servers.h"
#include "tests/support/referral_testing.h"

namespace kpr::testing {

class ReferralDeskTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(FlushRedis().ok());
    store::RedisOptions options;
    options.port = Servers::Redis().port();
    options.command_timeout = absl::Milliseconds(500);
    pool_ = std::make_unique<store::RedisPool>(options);
    store_ = std::make_unique<referral::ReferralStore>(*pool_);
    audit_ = std::make_unique<privacy::AuditTrail>(*pool_);
    context_ = std::make_unique<referral::ReferralContext>(*store_, box_, pseudonymizer_, *audit_,
                                                           [this] { ++outbox_notified_; });
    desks_ = std::make_unique<referral::ReferralDesks>(*context_);
  }

  int64_t OutboxLength(const std::string& municipality) {
    return store_->outbox().Length(municipality).value_or(-1);
  }

  privacy::SealedBox box_{std::string(32, 'e')};
  privacy::Pseudonymizer pseudonymizer_{std::string(32, 'p')};
  std::unique_ptr<store::RedisPool> pool_;
  std::unique_ptr<referral::ReferralStore> store_;
  std::unique_ptr<privacy::AuditTrail> audit_;
  std::unique_ptr<referral::ReferralContext> context_;
  std::unique_ptr<referral::ReferralDesks> desks_;
  int outbox_notified_ = 0;
};

}  // namespace kpr::testing

#endif  // KPR_TESTS_SUPPORT_REFERRAL_FIXTURE_H_
