// The SMTP sink as a peer: libcurl (the client notify uses) sends over STARTTLS, trusting the
// harness's self-signed certificate, and the sink hands the message back, parts and all.
#include <curl/curl.h>

#include <algorithm>
#include <cstring>
#include <map>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "tests/harness/servers.h"
#include "tests/harness/smtp_sink.h"

namespace kpr::testing {
namespace {

struct Send {
  std::string url;
  std::string ca_file;  // "" : the system's CAs
  bool require_tls = true;
  std::string user, password;
  std::string from = "kpr@kommune.test";
  std::vector<std::string> to = {"deltager@example.test"};
};

struct Upload {
  const std::string* data;
  size_t offset = 0;
};

size_t ReadUpload(char* buffer, size_t size, size_t count, void* userdata) {
  auto* upload = static_cast<Upload*>(userdata);
  size_t n = std::min(size * count, upload->data->size() - upload->offset);
  std::memcpy(buffer, upload->data->data() + upload->offset, n);
  upload->offset += n;
  return n;
}

CURLcode SendMail(const Send& send, const std::string& message) {
  CURL* curl = curl_easy_init();
  curl_slist* rcpt = nullptr;
  for (const std::string& to : send.to) rcpt = curl_slist_append(rcpt, to.c_str());
  Upload upload{&message};
  curl_easy_setopt(curl, CURLOPT_URL, send.url.c_str());
  curl_easy_setopt(curl, CURLOPT_USE_SSL, send.require_tls ? CURLUSESSL_ALL : CURLUSESSL_NONE);
  if (!send.ca_file.empty()) curl_easy_setopt(curl, CURLOPT_CAINFO, send.ca_file.c_str());
  if (!send.user.empty()) {
    curl_easy_setopt(curl, CURLOPT_USERNAME, send.user.c_str());
    curl_easy_setopt(curl, CURLOPT_PASSWORD, send.password.c_str());
  }
  curl_easy_setopt(curl, CURLOPT_MAIL_FROM, send.from.c_str());
  curl_easy_setopt(curl, CURLOPT_MAIL_RCPT, rcpt);
  curl_easy_setopt(curl, CURLOPT_READFUNCTION, ReadUpload);
  curl_easy_setopt(curl, CURLOPT_READDATA, &upload);
  curl_easy_setopt(curl, CURLOPT_UPLOAD, 1L);
  curl_easy_setopt(curl, CURLOPT_TIMEOUT, 10L);
  CURLcode rc = curl_easy_perform(curl);
  curl_slist_free_all(rcpt);
  curl_easy_cleanup(curl);
  return rc;
}

// A reminder as notify will send it: plain text and HTML alternatives and an .ics attachment.
std::string Reminder(const std::string& message_id) {
  return absl::StrCat(
      "From: kpr <kpr@kommune.test>\r\n"
      "To: deltager@example.test\r\n"
      "Subject: =?UTF-8?Q?P=C3=A5mindelse?=\r\n"
      "Message-ID: <",
      message_id,
      ">\r\n"
      "MIME-Version: 1.0\r\n"
      "Content-Type: multipart/mixed;\r\n boundary=\"outer\"\r\n"
      "\r\n"
      "--outer\r\n"
      "Content-Type: multipart/alternative; boundary=inner\r\n"
      "\r\n"
      "--inner\r\n"
      "Content-Type: text/plain; charset=utf-8\r\n"
      "Content-Transfer-Encoding: quoted-printable\r\n"
      "\r\n"
      "Vi ses i morgen kl. 10 p=C3=A5 biblioteket.\r\n"
      "--inner\r\n"
      "Content-Type: text/html; charset=utf-8\r\n"
      "\r\n"
      "<p>Vi ses i morgen</p>\r\n"
      "--inner--\r\n"
      "--outer\r\n"
      "Content-Type: text/calendar; charset=utf-8; method=PUBLISH\r\n"
      "Content-Disposition: attachment; filename=\"session.ics\"\r\n"
      "Content-Transfer-Encoding: base64\r\n"
      "\r\n"
      // BEGIN:VCALENDAR\r\nVERSION:2.0\r\nEND:VCALENDAR\r\n
      "QkVHSU46VkNBTEVOREFSDQpWRVJTSU9OOjIuMA0K\r\n"
      "RU5EOlZDQUxFTkRBUg0K\r\n"
      "--outer--\r\n");
}

Send To(const SmtpSink& sink) { return Send{.url = sink.url(), .ca_file = sink.ca_file()}; }

TEST(SmtpSink, CurlSendsOverStartTlsAndTheSinkHandsTheMessageBack) {
  SmtpSink& sink = Servers::Smtp();
  ASSERT_TRUE(sink.Reset().ok());
  ASSERT_EQ(SendMail(To(sink), Reminder("delivery-1@kpr.test")), CURLE_OK);

  auto mails = sink.WaitForMessages(1, absl::Seconds(10));
  ASSERT_TRUE(mails.ok()) << mails.status();
  ASSERT_EQ(mails->size(), 1u);
  const ReceivedMail& mail = mails->front();
  EXPECT_TRUE(mail.tls);
  EXPECT_EQ(mail.mail_from, "kpr@kommune.test");
  EXPECT_EQ(mail.rcpt_to, std::vector<std::string>{"deltager@example.test"});
  EXPECT_EQ(mail.Header("message-id"), "<delivery-1@kpr.test>");
  EXPECT_EQ(mail.Header("Subject"), "=?UTF-8?Q?P=C3=A5mindelse?=");
  EXPECT_TRUE(absl::StartsWith(mail.Header("Content-Type"), "multipart/mixed"));

  std::vector<MailPart> parts = mail.Parts();
  ASSERT_EQ(parts.size(), 3u);
  EXPECT_EQ(parts[0].content_type, "text/plain");
  EXPECT_EQ(parts[0].body, "Vi ses i morgen kl. 10 på biblioteket.");
  EXPECT_EQ(parts[1].content_type, "text/html");
  const MailPart* ics = FindPart(parts, "text/calendar");
  ASSERT_NE(ics, nullptr);
  EXPECT_TRUE(ics->attachment);
  EXPECT_EQ(ics->filename, "session.ics");
  EXPECT_EQ(ics->body, "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nEND:VCALENDAR\r\n");
}

TEST(SmtpSink, ACertificateNotTrustedIsRefused) {
  SmtpSink& sink = Servers::Smtp();
  ASSERT_TRUE(sink.Reset().ok());
  Send send = To(sink);
  send.ca_file = "/etc/ssl/certs/ca-certificates.crt";  // the system's CAs only
  EXPECT_EQ(SendMail(send, Reminder("untrusted@kpr.test")), CURLE_PEER_FAILED_VERIFICATION);
  EXPECT_EQ(sink.MessageCount(), 0u);
}

TEST(SmtpSink, RequiredStartTlsRefusesAPlainSession) {
  SmtpSink sink(Servers::Dir() + "/smtp-starttls", {.require_starttls = true});
  ASSERT_TRUE(sink.Start().ok());
  ASSERT_TRUE(sink.Reset().ok());
  Send plain = To(sink);
  plain.require_tls = false;
  EXPECT_NE(SendMail(plain, Reminder("plain@kpr.test")), CURLE_OK);
  EXPECT_EQ(SendMail(To(sink), Reminder("tls@kpr.test")), CURLE_OK);
  auto mails = sink.WaitForMessages(1, absl::Seconds(10));
  ASSERT_TRUE(mails.ok());
  ASSERT_EQ(mails->size(), 1u);
  EXPECT_EQ(mails->front().Header("Message-ID"), "<tls@kpr.test>");
}

TEST(SmtpSink, AuthIsCheckedAndRecorded) {
  SmtpSink sink(Servers::Dir() + "/smtp-auth",
                {.auth_user = "kpr-notify", .auth_password = "s3cret"});
  ASSERT_TRUE(sink.Start().ok());
  ASSERT_TRUE(sink.Reset().ok());
  Send send = To(sink);
  send.user = "kpr-notify";
  send.password = "wrong";
  EXPECT_EQ(SendMail(send, Reminder("denied@kpr.test")), CURLE_LOGIN_DENIED);
  send.password = "s3cret";
  ASSERT_EQ(SendMail(send, Reminder("auth@kpr.test")), CURLE_OK);
  auto mails = sink.WaitForMessages(1, absl::Seconds(10));
  ASSERT_TRUE(mails.ok());
  ASSERT_EQ(mails->size(), 1u);
  EXPECT_EQ(mails->front().auth_user, "kpr-notify");
}

TEST(SmtpSink, InjectedFailuresStoreNothingAndResendsShowAsDuplicates) {
  SmtpSink& sink = Servers::Smtp();
  ASSERT_TRUE(sink.Reset().ok());
  ASSERT_TRUE(sink.FailNext(2, 451).ok());
  EXPECT_NE(SendMail(To(sink), Reminder("retry@kpr.test")), CURLE_OK);
  EXPECT_NE(SendMail(To(sink), Reminder("retry@kpr.test")), CURLE_OK);
  EXPECT_EQ(SendMail(To(sink), Reminder("retry@kpr.test")), CURLE_OK);
  ASSERT_TRUE(sink.FailNext(1, 554).ok());
  EXPECT_NE(SendMail(To(sink), Reminder("permanent@kpr.test")), CURLE_OK);
  EXPECT_EQ(SendMail(To(sink), Reminder("retry@kpr.test")), CURLE_OK);  // a resend
  ASSERT_TRUE(sink.WaitForMessages(2, absl::Seconds(10)).ok());
  EXPECT_EQ(sink.CountByMessageId(), (std::map<std::string, int>{{"<retry@kpr.test>", 2}}));
}

TEST(SmtpSink, RestartKeepsPortCertificateAndMessages) {
  SmtpSink& sink = Servers::Smtp();
  ASSERT_TRUE(sink.Reset().ok());
  ASSERT_EQ(SendMail(To(sink), Reminder("before@kpr.test")), CURLE_OK);
  int port = sink.port();
  sink.Stop();
  EXPECT_FALSE(sink.running());
  EXPECT_FALSE(WaitForPort(port, absl::Milliseconds(100)).ok());
  EXPECT_NE(SendMail(To(sink), Reminder("while-down@kpr.test")), CURLE_OK);
  ASSERT_TRUE(sink.Start().ok());
  EXPECT_EQ(sink.port(), port);
  ASSERT_EQ(SendMail(To(sink), Reminder("after@kpr.test")), CURLE_OK);
  auto mails = sink.WaitForMessages(2, absl::Seconds(10));
  ASSERT_TRUE(mails.ok());
  ASSERT_EQ(mails->size(), 2u);
  EXPECT_EQ((*mails)[0].Header("Message-ID"), "<before@kpr.test>");
  EXPECT_EQ((*mails)[1].Header("Message-ID"), "<after@kpr.test>");
}

TEST(SmtpSink, DelayHoldsTheAnswer) {
  SmtpSink& sink = Servers::Smtp();
  ASSERT_TRUE(sink.Reset().ok());
  ASSERT_TRUE(sink.SetDelay(absl::Milliseconds(400)).ok());
  absl::Time start = absl::Now();
  EXPECT_EQ(SendMail(To(sink), Reminder("slow@kpr.test")), CURLE_OK);
  EXPECT_GE(absl::Now() - start, absl::Milliseconds(400));
  ASSERT_TRUE(sink.SetDelay(absl::ZeroDuration()).ok());
}

}  // namespace
}  // namespace kpr::testing
