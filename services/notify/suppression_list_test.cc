// NormalizeMsisdn without Redis: every spelling of one number must hash the same, or a STOP
// would not stop the next message.
#include "services/notify/suppression_list.h"

#include <string>

#include "gtest/gtest.h"

namespace kpr::notify {
namespace {

TEST(NormalizeMsisdn, EveryDanishSpellingGivesTheSameDigits) {
  for (absl::string_view phone : {"+45 20 00 00 01", "004520000001", "20000001", "4520000001",
                                  "+4520000001", " 20-00-00-01 ", "+45 (20) 00.00.01"}) {
    EXPECT_EQ(NormalizeMsisdn(phone), "4520000001") << phone;
  }
}

TEST(NormalizeMsisdn, OtherCountriesKeepTheirCode) {
  EXPECT_EQ(NormalizeMsisdn("+46 70 123 45 67"), "46701234567");
  EXPECT_EQ(NormalizeMsisdn("0049 151 2345 6789"), "4915123456789");
}

TEST(NormalizeMsisdn, WhatIsNoNumberIsEmpty) {
  for (absl::string_view bad : {"", "12345", "ring til Anna", "+45 2000 12a4", "+1234567890123456",
                                "borger@example.invalid"}) {
    EXPECT_EQ(NormalizeMsisdn(bad), "") << bad;
  }
}

}  // namespace
}  // namespace kpr::notify
