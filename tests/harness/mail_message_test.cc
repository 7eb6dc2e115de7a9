// The harness's mail reader on the MIME forms a mailer may choose: folded headers, quoted
// boundaries, RFC 2231 file names, quoted-printable soft breaks, LF-only line ends.
#include "tests/harness/mail_message.h"

#include "gtest/gtest.h"

namespace kpr::testing {
namespace {

TEST(MailMessage, HeadersAreCaseInsensitiveUnfoldedAndFirstWins) {
  MailMessage m = ParseMail(
      "Received: first\r\nReceived: second\r\nSubject: a\r\n  folded\r\nX-Empty:\r\n\r\nbody\r\n");
  EXPECT_EQ(m.Header("RECEIVED"), "first");
  EXPECT_EQ(m.Header("subject"), "a  folded");
  EXPECT_EQ(m.Header("x-empty"), "");
  EXPECT_EQ(m.Header("missing"), "");
  EXPECT_EQ(m.body, "body\r\n");
  ASSERT_EQ(m.Parts().size(), 1u);
  EXPECT_EQ(m.Parts()[0].content_type, "text/plain");
}

TEST(MailMessage, NestedMultipartWithLfLineEnds) {
  MailMessage m = ParseMail(
      "Content-Type: multipart/mixed; boundary=\"a;b\"\n\npreamble\n--a;b\n"
      "Content-Type: text/plain\nContent-Transfer-Encoding: quoted-printable\n\n"
      "line one =\nstill one=3D\n--a;b\n"
      "Content-Type: application/octet-stream\n"
      "Content-Disposition: attachment; filename*=utf-8''m%C3%B8de.ics\n"
      "Content-Transfer-Encoding: base64\n\naGVq\nIGRl\n--a;b--\nepilogue\n");
  std::vector<MailPart> parts = m.Parts();
  ASSERT_EQ(parts.size(), 2u);
  EXPECT_EQ(parts[0].body, "line one still one=");
  EXPECT_FALSE(parts[0].attachment);
  EXPECT_EQ(parts[1].filename, "møde.ics");
  EXPECT_TRUE(parts[1].attachment);
  EXPECT_EQ(parts[1].body, "hej de");
  EXPECT_EQ(FindPart(parts, "APPLICATION/octet-stream"), &parts[1]);
  EXPECT_EQ(FindPart(parts, "text/html"), nullptr);
}

TEST(MailMessage, HeaderParams) {
  EXPECT_EQ(HeaderParam("text/calendar; method=REQUEST; NAME=\"x \\\"y\\\".ics\"", "name"),
            "x \"y\".ics");
  EXPECT_EQ(HeaderParam("text/plain", "charset"), "");
}

}  // namespace
}  // namespace kpr::testing
