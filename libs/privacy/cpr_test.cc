#include "libs/privacy/cpr.h"

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace kpr::privacy {
namespace {

// All numbers here are synthetic.

bool PassesModulus11(const std::string& digits) {
  static constexpr int kWeights[] = {4, 3, 2, 7, 6, 5, 4, 3, 2, 1};
  int sum = 0;
  for (int i = 0; i < 10; ++i) sum += (digits[i] - '0') * kWeights[i];
  return sum % 11 == 0;
}

// The message must not contain the digits, in any of the forms a caller might have used.
void ExpectNoEcho(const absl::Status& status, absl::string_view input) {
  std::string digits;
  for (char c : input) {
    if (c >= '0' && c <= '9') digits.push_back(c);
  }
  const std::string message(status.message());
  if (digits.size() >= 4) {
    EXPECT_EQ(message.find(digits), std::string::npos) << message;
    EXPECT_EQ(message.find(digits.substr(0, 6)), std::string::npos) << message;
    EXPECT_EQ(message.find(digits.substr(digits.size() - 4)), std::string::npos) << message;
  }
  if (!input.empty()) {
    EXPECT_EQ(message.find(std::string(input)), std::string::npos) << message;
  }
}

TEST(CprTest, AcceptsBothFormsAndTrims) {
  auto plain = NormalizeCpr("0101901234");
  ASSERT_TRUE(plain.ok());
  EXPECT_EQ(*plain, "0101901234");
  auto with_dash = NormalizeCpr("010190-1234");
  ASSERT_TRUE(with_dash.ok());
  EXPECT_EQ(*with_dash, "0101901234");
  auto spaced = NormalizeCpr("  010190-1234\t\n");
  ASSERT_TRUE(spaced.ok());
  EXPECT_EQ(*spaced, "0101901234");
}

TEST(CprTest, AcceptsValidNumbersThatFailModulus11) {
  // Since 2007 numbers are issued without the modulus-11 check: the whole serial range is
  // valid. Take every serial in 0000..0999 for 01-01-1990 and check both kinds are accepted.
  int failing = 0, passing = 0;
  for (int serial = 0; serial < 1000; ++serial) {
    const std::string cpr = absl::StrFormat("010190%04d", serial);
    ASSERT_TRUE(NormalizeCpr(cpr).ok()) << "serial " << serial;
    (PassesModulus11(cpr) ? passing : failing)++;
  }
  EXPECT_GT(failing, 800);  // about 10/11 of them fail modulus 11
  EXPECT_GT(passing, 50);
  ASSERT_FALSE(PassesModulus11("0101902000"));
  EXPECT_TRUE(NormalizeCpr("010190-2000").ok());
}

struct CenturyCase {
  const char* cpr;
  int year;
};

TEST(CprTest, CenturyRule) {
  const CenturyCase cases[] = {
      // 0-3: always 1900s.
      {"010100-0000", 1900},
      {"010136-1000", 1936},
      {"010199-3999", 1999},
      {"010137-2000", 1937},
      // 4 and 9: 00-36 -> 2000s, 37-99 -> 1900s.
      {"010100-4000", 2000},
      {"010136-4000", 2036},
      {"010137-4000", 1937},
      {"010199-4999", 1999},
      {"010136-9000", 2036},
      {"010137-9999", 1937},
      // 5-8: 00-57 -> 2000s, 58-99 -> 1800s.
      {"010157-5000", 2057},
      {"010158-5000", 1858},
      {"010100-6000", 2000},
      {"010199-7000", 1899},
      {"010157-8999", 2057},
      {"010158-8999", 1858},
  };
  for (const auto& c : cases) {
    auto date = CprBirthDate(c.cpr);
    ASSERT_TRUE(date.ok()) << c.cpr << ": " << date.status();
    EXPECT_EQ(date->year(), c.year) << c.cpr;
    EXPECT_EQ(date->month(), 1);
    EXPECT_EQ(date->day(), 1);
  }
  auto date = CprBirthDate("311285-1234");
  ASSERT_TRUE(date.ok());
  EXPECT_EQ(*date, absl::CivilDay(1985, 12, 31));
}

TEST(CprTest, LeapYearsFollowTheCentury) {
  // DDMMYY: "290200" is 29 February of YY 00, whose century comes from the serial.
  EXPECT_TRUE(NormalizeCpr("290200-4000").ok());   // 2000 is a leap year
  EXPECT_TRUE(NormalizeCpr("290200-9000").ok());   // 2000
  EXPECT_TRUE(NormalizeCpr("290200-5000").ok());   // 2000
  EXPECT_FALSE(NormalizeCpr("290200-0000").ok());  // 1900 is not
  EXPECT_FALSE(NormalizeCpr("290200-3999").ok());  // 1900
  EXPECT_TRUE(NormalizeCpr("290100-0000").ok());   // 29 January 1900 exists
  EXPECT_TRUE(NormalizeCpr("290204-4000").ok());   // 2004
  EXPECT_FALSE(NormalizeCpr("290237-4000").ok());  // 1937
  EXPECT_TRUE(NormalizeCpr("290296-1000").ok());   // 1996
  EXPECT_FALSE(NormalizeCpr("290297-1000").ok());  // 1997
  EXPECT_TRUE(NormalizeCpr("290264-5000").ok());   // 1864 is a leap year
  EXPECT_FALSE(NormalizeCpr("290258-8000").ok());  // 1858
  auto date = CprBirthDate("290200-4000");
  ASSERT_TRUE(date.ok());
  EXPECT_EQ(*date, absl::CivilDay(2000, 2, 29));
}

TEST(CprTest, RejectsImpossibleDates) {
  const char* bad[] = {
      "000190-1234",  // day 0
      "320190-1234",  // day 32
      "310490-1234",  // 31 April
      "300290-1234",  // 30 February
      "010090-1234",  // month 0
      "011390-1234",  // month 13
      "619990-1234",  // nonsense
  };
  for (const char* cpr : bad) {
    auto result = NormalizeCpr(cpr);
    EXPECT_EQ(result.status().code(), absl::StatusCode::kInvalidArgument) << cpr;
    ExpectNoEcho(result.status(), cpr);
    EXPECT_EQ(CprBirthDate(cpr).status().code(), absl::StatusCode::kInvalidArgument) << cpr;
  }
}

TEST(CprTest, RejectsWrongShapes) {
  const char* bad[] = {
      "",
      "010190123",
      "01019012345",
      "010190-123",
      "010190-12345",
      "0101901-234",
      "010190 1234",
      "01019O1234",
      "010190-12a4",
      "a010190123",
      "010190--1234",
      "-0101901234",
      "0101-901234",
      "+101901234",
      "０１０１９０１２３４",
  };
  for (const char* cpr : bad) {
    auto result = NormalizeCpr(cpr);
    EXPECT_EQ(result.status().code(), absl::StatusCode::kInvalidArgument) << cpr;
    ExpectNoEcho(result.status(), cpr);
    EXPECT_FALSE(CprBirthDate(cpr).ok()) << cpr;
  }
}

TEST(CprTest, MessagesNeverEchoTheNumber) {
  // A valid-looking but impossible number, and a shape error that still holds most digits.
  for (const char* cpr : {"310290-4321", "3101904321x", "310190-432"}) {
    auto result = NormalizeCpr(cpr);
    ASSERT_FALSE(result.ok()) << cpr;
    ExpectNoEcho(result.status(), cpr);
    EXPECT_EQ(std::string(result.status().message()).find("4321"), std::string::npos);
    EXPECT_EQ(std::string(result.status().message()).find("432"), std::string::npos);
  }
}

}  // namespace
}  // namespace kpr::privacy
