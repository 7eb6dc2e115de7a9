#include "services/notify/contact_mask.h"

#include "gtest/gtest.h"

namespace kpr::notify {
namespace {

TEST(ContactMask, DanishNumbersInEveryCommonSpelling) {
  for (absl::string_view phone : {"+4520001234", "+45 20 00 12 34", "004520001234", "20001234",
                                  "20 00 12 34", "2000-1234", " +45 2000 1234 "}) {
    EXPECT_EQ(MaskPhone(phone), "+45 ** ** 12 34") << phone;
  }
  EXPECT_EQ(MaskPhone("+45 20 00 00 01"), "+45 ** ** 00 01");
}

TEST(ContactMask, OtherCountriesKeepOnlyTheLastFourDigits) {
  EXPECT_EQ(MaskPhone("+46701234567"), "+******* 45 67");
  EXPECT_EQ(MaskPhone("0049 151 2345 6789"), "+********* 67 89");
  // Not 8 digits and no country code: shown without "+".
  EXPECT_EQ(MaskPhone("0701234567"), "****** 45 67");
}

TEST(ContactMask, WhatIsNotANumberIsNeverEchoed) {
  for (absl::string_view bad : {"", "12345", "+45 2000 12a4", "ring til Anna", "+1234567890123456",
                                "borger1@example.invalid"}) {
    EXPECT_EQ(MaskPhone(bad), "***") << bad;
  }
}

TEST(ContactMask, ReadPhoneGivesTheDigitsWithTheCountryCode) {
  std::optional<PhoneDigits> danish = ReadPhone(" 20 00-00.01 ");
  ASSERT_TRUE(danish.has_value());
  EXPECT_EQ(danish->digits, "4520000001");
  EXPECT_FALSE(danish->international);
  std::optional<PhoneDigits> german = ReadPhone("0049 (151) 2345 6789");
  ASSERT_TRUE(german.has_value());
  EXPECT_EQ(german->digits, "4915123456789");
  EXPECT_TRUE(german->international);
  EXPECT_FALSE(ReadPhone("+45 2000 12a4").has_value());
  EXPECT_FALSE(ReadPhone("12345").has_value());
}

TEST(ContactMask, EmailKeepsTheFirstCharacterAndTheDomain) {
  EXPECT_EQ(MaskEmail("borger1@example.invalid"), "b***@example.invalid");
  EXPECT_EQ(MaskEmail("B@Example.INVALID"), "B***@example.invalid");
  EXPECT_EQ(MaskEmail("øjvind.borger@example.invalid"), "ø***@example.invalid");
  // The last '@' separates the domain: a quoted local part may hold one.
  EXPECT_EQ(MaskEmail("\"a@b\"@example.invalid"), "\"***@example.invalid");
}

TEST(ContactMask, WhatIsNotAnAddressIsNeverEchoed) {
  for (absl::string_view bad :
       {"", "borger1", "@example.invalid", "borger1@", "a@b c", "a@<example.invalid>"}) {
    EXPECT_EQ(MaskEmail(bad), "***") << bad;
  }
}

}  // namespace
}  // namespace kpr::notify
