#include "services/notify/sms_encoding.h"

#include <string>

#include "absl/strings/str_join.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "services/notify/utf8.h"

namespace kpr::notify {
namespace {

using ::testing::HasSubstr;

// The GSM 03.38 default alphabet as the standard prints it: one string per column of its table
// (septets 0x00-0x0F, 0x10-0x1F, ...), top to bottom. '\x1B' stands where the escape is.
const char* const kTableColumns[8] = {"@£$¥èéùìòÇ\nØø\rÅå",
                                      "Δ_ΦΓΛΩΠΨΣΘΞ\x1B"
                                      "ÆæßÉ",
                                      " !\"#¤%&'()*+,-./",
                                      "0123456789:;<=>?",
                                      "¡ABCDEFGHIJKLMNO",
                                      "PQRSTUVWXYZÄÖÑÜ§",
                                      "¿abcdefghijklmno",
                                      "pqrstuvwxyzäöñüà"};

std::string Repeat(absl::string_view s, int n) {
  std::string out;
  for (int i = 0; i < n; ++i) out.append(s.data(), s.size());
  return out;
}

TEST(SmsEncoding, EveryCharacterOfTheBasicTableIsItsSeptetAndCountsOne) {
  std::string all;
  int characters = 0;
  for (int column = 0; column < 8; ++column) {
    std::vector<char32_t> cps = DecodeUtf8(kTableColumns[column]).code_points;
    ASSERT_EQ(cps.size(), 16u) << "column " << column;
    for (int row = 0; row < 16; ++row) {
      const int septet = column * 16 + row;
      if (septet == 0x1B) continue;
      std::optional<Gsm7Code> code = ToGsm7(cps[row]);
      ASSERT_TRUE(code.has_value()) << "septet " << septet;
      EXPECT_EQ(code->septet, septet);
      EXPECT_FALSE(code->extension);
      std::string one;
      AppendUtf8(cps[row], &one);
      SmsAnalysis a = AnalyzeSms(one);
      EXPECT_EQ(a.encoding, v1::SMS_ENCODING_GSM7) << one;
      EXPECT_EQ(a.units, 1) << one;
      all += one;
      ++characters;
    }
  }
  EXPECT_EQ(characters, 127);
  SmsAnalysis a = AnalyzeSms(all);
  EXPECT_EQ(a.encoding, v1::SMS_ENCODING_GSM7);
  EXPECT_EQ(a.units, 127);
  EXPECT_EQ(a.segments, 1);
  EXPECT_TRUE(a.warnings.empty());
}

TEST(SmsEncoding, EveryExtensionCharacterIsEscapePlusItsSeptetAndCountsTwo) {
  const struct {
    const char* text;
    int septet;
  } kExtension[] = {{"\f", 0x0A}, {"^", 0x14}, {"{", 0x28}, {"}", 0x29}, {"\\", 0x2F},
                    {"[", 0x3C},  {"~", 0x3D}, {"]", 0x3E}, {"|", 0x40}, {"€", 0x65}};
  for (const auto& e : kExtension) {
    std::optional<Gsm7Code> code = ToGsm7(DecodeUtf8(e.text).code_points[0]);
    ASSERT_TRUE(code.has_value()) << e.text;
    EXPECT_TRUE(code->extension) << e.text;
    EXPECT_EQ(code->septet, e.septet) << e.text;
    SmsAnalysis a = AnalyzeSms(e.text);
    EXPECT_EQ(a.encoding, v1::SMS_ENCODING_GSM7);
    EXPECT_EQ(a.units, 2) << e.text;
  }
}

TEST(SmsEncoding, CharactersOutsideBothTablesAreNotGsm7) {
  // Lowercase ç (only the capital is in the table), the no-break space (0x1B is the escape, not
  // a character), `, curly quotes, dashes, Greek letters that look Latin, an emoji.
  for (char32_t cp : {U'ç', U'\u00A0', U'`', U'’', U'“', U'–', U'—', U'Α', U'á', U'\U0001F600'}) {
    EXPECT_FALSE(ToGsm7(cp).has_value()) << static_cast<uint32_t>(cp);
  }
}

TEST(SmsEncoding, DanishLettersStayInGsm7) {
  SmsAnalysis a = AnalyzeSms("Hej Søren! Vi ses på Ærø og i Åbyhøj, café Ünter-Straße.");
  EXPECT_EQ(a.encoding, v1::SMS_ENCODING_GSM7);
  EXPECT_EQ(a.units, 56);
  EXPECT_EQ(a.segments, 1);
}

TEST(SmsEncoding, Gsm7Boundaries) {
  EXPECT_EQ(AnalyzeSms("").segments, 0);
  EXPECT_EQ(AnalyzeSms(Repeat("a", 160)).segments, 1);
  EXPECT_EQ(AnalyzeSms(Repeat("a", 161)).segments, 2);
  EXPECT_EQ(AnalyzeSms(Repeat("a", 306)).segments, 2);
  EXPECT_EQ(AnalyzeSms(Repeat("a", 307)).segments, 3);
  EXPECT_EQ(AnalyzeSms(Repeat("a", 459)).segments, 3);
  EXPECT_EQ(AnalyzeSms(Repeat("a", 460)).segments, 4);
  // Extension characters count two, in one part and when split.
  EXPECT_EQ(AnalyzeSms(Repeat("€", 80)).units, 160);
  EXPECT_EQ(AnalyzeSms(Repeat("€", 80)).segments, 1);
  EXPECT_EQ(AnalyzeSms(Repeat("a", 159) + "€").segments, 2);
  EXPECT_EQ(AnalyzeSms(Repeat("{", 81)).segments, 2);
}

TEST(SmsEncoding, AnEscapePairIsNeverSplitAcrossParts) {
  // 306 septets would fit two parts of 153, but the € at septets 153-154 cannot straddle the
  // boundary: part 1 holds 152, part 2 the € and 151, part 3 the last 'a'.
  SmsAnalysis a = AnalyzeSms(Repeat("a", 152) + "€" + Repeat("a", 152));
  EXPECT_EQ(a.units, 306);
  EXPECT_EQ(a.segments, 3);
  EXPECT_EQ(AnalyzeSms(Repeat("a", 152) + "€" + Repeat("a", 151)).segments, 2);
}

TEST(SmsEncoding, Ucs2Boundaries) {
  // One curly apostrophe makes the whole text UCS-2.
  EXPECT_EQ(AnalyzeSms("’" + Repeat("a", 69)).encoding, v1::SMS_ENCODING_UCS2);
  EXPECT_EQ(AnalyzeSms("’" + Repeat("a", 69)).segments, 1);
  EXPECT_EQ(AnalyzeSms("’" + Repeat("a", 70)).segments, 2);
  EXPECT_EQ(AnalyzeSms("’" + Repeat("a", 133)).segments, 2);
  EXPECT_EQ(AnalyzeSms("’" + Repeat("a", 134)).segments, 3);
  // In UCS-2, € is one unit like any other BMP character.
  EXPECT_EQ(AnalyzeSms("’€").units, 2);
}

TEST(SmsEncoding, EmojiAreTwoUnitsAndNeverSplit) {
  SmsAnalysis a = AnalyzeSms(Repeat("😀", 35));
  EXPECT_EQ(a.encoding, v1::SMS_ENCODING_UCS2);
  EXPECT_EQ(a.units, 70);
  EXPECT_EQ(a.segments, 1);
  EXPECT_EQ(AnalyzeSms(Repeat("😀", 36)).segments, 2);
  // 134 units would fit two parts of 67, but the surrogate pair at units 67-68 moves whole.
  EXPECT_EQ(AnalyzeSms(Repeat("ç", 66) + "😀" + Repeat("ç", 66)).segments, 3);
}

TEST(SmsEncoding, WarnsAboutEachCharacterThatForcesUcs2) {
  SmsAnalysis a = AnalyzeSms("Hej “Anna” – vi ses i morgen’ 😀 “igen”");
  EXPECT_EQ(a.encoding, v1::SMS_ENCODING_UCS2);
  EXPECT_EQ(a.forcing_ucs2, (std::vector<char32_t>{U'“', U'”', U'–', U'’', U'\U0001F600'}));
  std::string all = absl::StrJoin(a.warnings, "\n");
  ASSERT_EQ(a.warnings.size(), 5u) << all;
  EXPECT_THAT(a.warnings[0], HasSubstr("U+201C, left double quotation mark"));
  EXPECT_THAT(a.warnings[0], HasSubstr("write \""));
  EXPECT_THAT(a.warnings[2], HasSubstr("U+2013, en dash"));
  EXPECT_THAT(a.warnings[3], HasSubstr("write '"));
  EXPECT_THAT(a.warnings[4], HasSubstr("U+1F600, emoji"));
  EXPECT_THAT(AnalyzeSms("a—b").warnings[0], HasSubstr("em dash"));
  EXPECT_TRUE(AnalyzeSms("Hej Anna - vi ses").warnings.empty());
}

TEST(SmsEncoding, InvalidUtf8IsCountedAndSaid) {
  SmsAnalysis a = AnalyzeSms("ab\xFF");
  EXPECT_EQ(a.encoding, v1::SMS_ENCODING_UCS2);
  EXPECT_EQ(a.units, 3);
  ASSERT_EQ(a.warnings.size(), 1u);
  EXPECT_THAT(a.warnings[0], HasSubstr("not valid UTF-8"));
}

}  // namespace
}  // namespace kpr::notify
