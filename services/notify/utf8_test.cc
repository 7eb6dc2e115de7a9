#include "services/notify/utf8.h"

#include <string>

#include "gtest/gtest.h"

namespace kpr::notify {
namespace {

TEST(Utf8, DecodesOneToFourByteCharacters) {
  DecodedUtf8 d = DecodeUtf8("aæ€😀");
  EXPECT_FALSE(d.had_invalid);
  EXPECT_EQ(d.code_points, (std::vector<char32_t>{U'a', U'æ', U'€', U'\U0001F600'}));
}

TEST(Utf8, RoundTrips) {
  std::string out;
  for (char32_t cp : {U'a', U'Ø', U'–', U'\U0001F44B'}) AppendUtf8(cp, &out);
  EXPECT_EQ(out, "aØ–👋");
  EXPECT_EQ(DecodeUtf8(out).code_points.size(), 4u);
}

TEST(Utf8, ReplacesWhatIsNotUtf8) {
  // A lone continuation byte, a truncated sequence, an overlong '/', an encoded surrogate.
  for (std::string bad : {std::string("\x80"), std::string("\xC3"), std::string("\xC0\xAF"),
                          std::string("\xED\xA0\x80")}) {
    DecodedUtf8 d = DecodeUtf8("a" + bad + "b");
    EXPECT_TRUE(d.had_invalid);
    ASSERT_EQ(d.code_points.size(), 3u) << bad.size();
    EXPECT_EQ(d.code_points[0], U'a');
    EXPECT_EQ(d.code_points[1], kReplacementCharacter);
    EXPECT_EQ(d.code_points[2], U'b');
  }
}

}  // namespace
}  // namespace kpr::notify
