#include "services/referral/referral_id.h"

#include <set>

#include "absl/time/clock.h"

#include "gtest/gtest.h"

namespace kpr::referral {
namespace {

TEST(ReferralId, CarriesMunicipalityAndIsUnique) {
  absl::Time now = absl::Now();
  std::set<std::string> ids;
  for (int i = 0; i < 10000; ++i) ids.insert(NewReferralId("0165", now));
  EXPECT_EQ(ids.size(), 10000u);
  for (const auto& id : ids) {
    ASSERT_EQ(MunicipalityOfReferralId(id), "0165") << id;
  }
}

TEST(ReferralId, SortsByTime) {
  absl::Time t = absl::FromUnixMillis(1700000000000);
  EXPECT_LT(NewReferralId("0183", t), NewReferralId("0183", t + absl::Milliseconds(1)));
}

TEST(ReferralId, RejectsMalformed) {
  EXPECT_EQ(MunicipalityOfReferralId(""), "");
  EXPECT_EQ(MunicipalityOfReferralId("0165"), "");
  EXPECT_EQ(MunicipalityOfReferralId("01a5-01JD3M5V0Q6Y2ZK4E1N8W9XRTB"), "");
  EXPECT_EQ(MunicipalityOfReferralId("0165-01JD3M5V0Q6Y2ZK4E1N8W9XRTU"), "");  // U is not Crockford
  EXPECT_EQ(MunicipalityOfReferralId("0165-01JD3M5V0Q6Y2ZK4E1N8W9XRT"), "");
}

}  // namespace
}  // namespace kpr::referral
