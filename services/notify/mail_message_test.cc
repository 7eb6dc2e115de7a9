#include "services/notify/mail_message.h"

#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/str_split.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "libs/calendar/ics.h"
#include "services/notify/delivery_key.h"
#include "tests/harness/mail_message.h"

namespace kpr::notify {
namespace {

using ::kpr::testing::DecodeBase64;
using ::kpr::testing::DecodeQuotedPrintable;
using ::kpr::testing::FindPart;
using ::kpr::testing::HeaderParam;
using ::kpr::testing::MailMessage;
using ::kpr::testing::MailPart;
using ::kpr::testing::ParseMail;
using ::testing::Contains;
using ::testing::HasSubstr;
using ::testing::Not;

const absl::Time kDate = absl::FromUnixSeconds(1790000000);  // Mon 2026-09-21 14:13:20 UTC

// RFC 2047 "B" encoded-words (UTF-8) decoded and joined; plain words as they are. White space
// between two encoded-words is dropped, as RFC 2047 6.2 says.
std::string DecodeHeader(absl::string_view value) {
  std::string out;
  for (absl::string_view token : absl::StrSplit(value, absl::ByAnyChar(" \t\r\n"))) {
    if (token.empty()) continue;
    if (absl::ConsumePrefix(&token, "=?utf-8?B?") && absl::ConsumeSuffix(&token, "?=")) {
      out += DecodeBase64(std::string_view(token.data(), token.size()));
    } else {
      if (!out.empty()) out += ' ';
      out += std::string(token);
    }
  }
  return out;
}

std::string Crlf(absl::string_view text) { return absl::StrReplaceAll(text, {{"\n", "\r\n"}}); }

std::string Ics() {
  calendar::IcsCalendar cal;
  cal.prodid = "-//kpr//notify//DA";
  cal.events.push_back(calendar::IcsEvent{.uid = "c1-0@kpr",
                                          .start = absl::CivilMinute(2027, 3, 9, 10, 0),
                                          .end = absl::CivilMinute(2027, 3, 9, 12, 0),
                                          .summary = "Kultur på recept",
                                          .location = "Musikskolen Æblehaven, Store sal"});
  return *calendar::WriteIcs(cal, kDate);
}

MailContent Content() {
  MailContent c;
  c.from_address = "kpr@albertslund.example";
  c.from_name = "Albertslund Kommune – Kultur på recept";
  c.to_address = "deltager@example.invalid";
  c.subject =
      "Velkommen på holdet: Fællessang på Ørnevej, tirsdag 9. marts kl. 10.00 – vi glæder os";
  c.text =
      "Hej Åse,\n\nvelkommen! Vi ses tirsdag 9. marts kl. 10.00 på Musikskolen Æblehaven, "
      "Store sal, Prøvevej 3.\n.\nMed venlig hilsen = kpr \nSlut";
  c.html = "<p>Hej &Aring;se,</p>\n<p>velkommen! Vi ses <b>tirsdag 9. marts</b>.</p>";
  c.ics = Ics();
  c.message_id = MessageIdFor("0165-ZM0W05BJVYF7VA9Q3560W883X4");
  c.date = kDate;
  return c;
}

// Every line ends with CRLF and is at most 76 characters (RFC 2045 for bodies, RFC 2047 for
// headers with encoded-words).
void ExpectWellFormed(const std::string& raw) {
  ASSERT_TRUE(absl::EndsWith(raw, "\r\n"));
  std::vector<absl::string_view> lines = absl::StrSplit(raw, "\r\n");
  lines.pop_back();
  for (absl::string_view line : lines) {
    EXPECT_EQ(line.find_first_of("\r\n"), absl::string_view::npos) << "bare CR/LF: " << line;
    EXPECT_LE(line.size(), 76u) << line;
  }
}

TEST(BuildMailMessageTest, PartsHeadersAndAttachmentRoundTrip) {
  const MailContent c = Content();
  absl::StatusOr<std::string> raw = BuildMailMessage(c);
  ASSERT_TRUE(raw.ok()) << raw.status();
  ExpectWellFormed(*raw);

  const MailMessage m = ParseMail(*raw);
  EXPECT_EQ(m.Header("Message-ID"), "<0165-ZM0W05BJVYF7VA9Q3560W883X4@kpr.notify>");
  EXPECT_EQ(m.Header("MIME-Version"), "1.0");
  EXPECT_EQ(m.Header("To"), "deltager@example.invalid");
  EXPECT_EQ(m.Header("Date"), "Mon, 21 Sep 2026 14:13:20 +0000");
  EXPECT_THAT(m.Header("Content-Type"), HasSubstr("multipart/mixed"));
  EXPECT_EQ(DecodeHeader(m.Header("Subject")), c.subject);
  const std::string from = m.Header("From");
  EXPECT_THAT(from, HasSubstr("<kpr@albertslund.example>"));
  EXPECT_EQ(DecodeHeader(from.substr(0, from.find('<'))), c.from_name);

  const std::vector<MailPart> parts = m.Parts();
  ASSERT_EQ(parts.size(), 3u);
  EXPECT_EQ(parts[0].content_type, "text/plain");
  EXPECT_EQ(parts[1].content_type, "text/html");
  EXPECT_EQ(parts[2].content_type, "text/calendar");
  for (const MailPart& p : parts) {
    EXPECT_EQ(HeaderParam(p.headers.at("content-type"), "charset"), "utf-8");
  }
  EXPECT_THAT(*raw, HasSubstr("multipart/alternative"));
  EXPECT_EQ(parts[0].body, Crlf(c.text));
  EXPECT_EQ(parts[1].body, Crlf(c.html));

  const MailPart* ics = FindPart(parts, "text/calendar");
  ASSERT_NE(ics, nullptr);
  EXPECT_TRUE(ics->attachment);
  EXPECT_EQ(ics->filename, "kurser.ics");
  EXPECT_EQ(HeaderParam(ics->headers.at("content-type"), "method"), "PUBLISH");
  EXPECT_EQ(ics->headers.at("content-transfer-encoding"), "base64");
  EXPECT_EQ(ics->body, c.ics);
  EXPECT_THAT(calendar::UnfoldIcs(ics->body), Contains("METHOD:PUBLISH"));
  EXPECT_THAT(calendar::UnfoldIcs(ics->body), Contains("UID:c1-0@kpr"));
}

TEST(BuildMailMessageTest, ResendIsByteForByteTheSame) {
  MailContent c = Content();
  EXPECT_EQ(*BuildMailMessage(c), *BuildMailMessage(c));
  const std::string first = *BuildMailMessage(c);
  c.message_id = MessageIdFor("0165-00000000000000000000000000");
  const std::string other = *BuildMailMessage(c);
  EXPECT_NE(HeaderParam(ParseMail(first).Header("Content-Type"), "boundary"),
            HeaderParam(ParseMail(other).Header("Content-Type"), "boundary"));
}

TEST(BuildMailMessageTest, WithoutHtmlOrSessionsTheMixedHoldsOnlyText) {
  MailContent c = Content();
  c.html.clear();
  c.ics.clear();
  c.from_name.clear();
  c.subject = "Velkommen";
  absl::StatusOr<std::string> raw = BuildMailMessage(c);
  ASSERT_TRUE(raw.ok()) << raw.status();
  ExpectWellFormed(*raw);
  const MailMessage m = ParseMail(*raw);
  EXPECT_EQ(m.Header("Subject"), "Velkommen");
  EXPECT_EQ(m.Header("From"), "kpr@albertslund.example");
  EXPECT_THAT(*raw, Not(HasSubstr("multipart/alternative")));
  EXPECT_THAT(*raw, Not(HasSubstr("text/calendar")));
  const std::vector<MailPart> parts = m.Parts();
  ASSERT_EQ(parts.size(), 1u);
  EXPECT_EQ(parts[0].content_type, "text/plain");
  EXPECT_EQ(parts[0].body, Crlf(c.text));
}

TEST(BuildMailMessageTest, RefusesHeaderInjectionAndBadAddresses) {
  auto code = [](void (*edit)(MailContent&)) {
    MailContent c = Content();
    edit(c);
    return BuildMailMessage(c).status().code();
  };
  constexpr auto kInvalid = absl::StatusCode::kInvalidArgument;
  EXPECT_EQ(code([](MailContent& c) { c.subject = "Hej\r\nBcc: all@example.invalid"; }), kInvalid);
  EXPECT_EQ(code([](MailContent& c) { c.subject = "Hej\nX: y"; }), kInvalid);
  EXPECT_EQ(code([](MailContent& c) { c.from_name = "kpr\rBcc: x@y.z"; }), kInvalid);
  EXPECT_EQ(code([](MailContent& c) { c.to_address = "a@b.dk\r\nBcc: x@y.z"; }), kInvalid);
  EXPECT_EQ(code([](MailContent& c) { c.to_address = "a@b.dk, x@y.z"; }), kInvalid);
  EXPECT_EQ(code([](MailContent& c) { c.to_address = "Åse <a@b.dk>"; }), kInvalid);
  EXPECT_EQ(code([](MailContent& c) { c.to_address = "no-at-sign"; }), kInvalid);
  EXPECT_EQ(code([](MailContent& c) { c.to_address = ""; }), kInvalid);
  EXPECT_EQ(code([](MailContent& c) { c.from_address = "a@b@c"; }), kInvalid);
  EXPECT_EQ(code([](MailContent& c) { c.message_id = "0165-X@kpr.notify"; }), kInvalid);
  EXPECT_EQ(code([](MailContent& c) { c.message_id = "<a@b>\r\nBcc: x@y.z"; }), kInvalid);
  EXPECT_EQ(code([](MailContent& c) { c.message_id = "<nobody>"; }), kInvalid);
  EXPECT_EQ(code([](MailContent& c) { c.text.clear(); }), kInvalid);
  MailContent c = Content();
  c.to_address = "a@b.dk\nBcc: x@y.z";
  EXPECT_THAT(BuildMailMessage(c).status().message(), HasSubstr("to_address"));
}

TEST(EncodeHeaderTextTest, PlainAsciiStaysDanishIsEncoded) {
  EXPECT_EQ(EncodeHeaderText("Welcome to the group"), "Welcome to the group");
  EXPECT_EQ(EncodeHeaderText("Velkommen på holdet"), "=?utf-8?B?VmVsa29tbWVuIHDDpSBob2xkZXQ=?=");
  EXPECT_EQ(DecodeHeader(EncodeHeaderText("æøå ÆØÅ")), "æøå ÆØÅ");
  // Something that merely looks like an encoded-word is encoded, so it reads back as written.
  EXPECT_EQ(DecodeHeader(EncodeHeaderText("=?utf-8?B?eA==?=")), "=?utf-8?B?eA==?=");
  // Long text: several words, no UTF-8 character split between two of them.
  std::string long_text;
  for (int i = 0; i < 30; ++i) long_text += "æøå";
  const std::string encoded = EncodeHeaderText(long_text);
  std::vector<std::string> words = absl::StrSplit(encoded, "\r\n ");
  EXPECT_GT(words.size(), 2u);
  for (const std::string& w : words) {
    EXPECT_LE(w.size(), 60u);
    ASSERT_TRUE(absl::StartsWith(w, "=?utf-8?B?"));
    const std::string bytes = DecodeBase64(w.substr(10, w.size() - 12));
    EXPECT_EQ(bytes.size() % 2, 0u) << w;  // æ ø å are two bytes each
  }
  EXPECT_EQ(DecodeHeader(encoded), long_text);
}

TEST(EncodeQuotedPrintableTest, SoftBreaksAndSpecials) {
  EXPECT_EQ(EncodeQuotedPrintable("a=b"), "a=3Db");
  EXPECT_EQ(EncodeQuotedPrintable("æ"), "=C3=A6");
  EXPECT_EQ(EncodeQuotedPrintable("end \nnext"), "end=20\r\nnext");
  EXPECT_EQ(EncodeQuotedPrintable(".\r\n.x"), "=2E\r\n=2Ex");
  std::string long_line;
  for (int i = 0; i < 40; ++i) long_line += "blåbær ";
  const std::string qp = EncodeQuotedPrintable(long_line);
  for (absl::string_view line : absl::StrSplit(qp, "\r\n")) EXPECT_LE(line.size(), 76u);
  EXPECT_EQ(DecodeQuotedPrintable(qp), long_line);
}

TEST(EncodeBase64LinesTest, SeventySixCharacterLines) {
  const std::string data(200, 'x');
  const std::string b64 = EncodeBase64Lines(data);
  std::vector<absl::string_view> lines = absl::StrSplit(b64, "\r\n");
  ASSERT_EQ(lines.back(), "");
  lines.pop_back();
  ASSERT_EQ(lines.size(), 4u);  // 268 characters
  EXPECT_EQ(lines[0].size(), 76u);
  EXPECT_EQ(lines[3].size(), 40u);
  EXPECT_EQ(DecodeBase64(b64), data);
}

TEST(FormatMailDateTest, Rfc5322InUtc) {
  EXPECT_EQ(FormatMailDate(kDate), "Mon, 21 Sep 2026 14:13:20 +0000");
  EXPECT_EQ(
      FormatMailDate(absl::FromCivil(absl::CivilSecond(2027, 3, 7, 8, 5, 9), absl::UTCTimeZone())),
      "Sun, 07 Mar 2027 08:05:09 +0000");
}

}  // namespace
}  // namespace kpr::notify
