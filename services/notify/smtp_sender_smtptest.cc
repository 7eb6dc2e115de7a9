// SmtpSender against a real SMTP server (the harness's aiosmtpd sink): STARTTLS with the sink's
// CA, the outcome classes, and that a message with its .ics arrives intact under its Message-ID.
#include <string>
#include <vector>

#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "libs/calendar/ics.h"
#include "services/notify/delivery_key.h"
#include "services/notify/mail_message.h"
#include "services/notify/smtp_sender.h"
#include "tests/harness/servers.h"
#include "tests/harness/smtp_sink.h"

namespace kpr::notify {
namespace {

using ::kpr::testing::FindPart;
using ::kpr::testing::MailPart;
using ::kpr::testing::ReceivedMail;
using ::kpr::testing::Servers;
using ::kpr::testing::SmtpSink;
using ::testing::HasSubstr;

constexpr char kFrom[] = "kpr@albertslund.example";
constexpr char kTo[] = "deltager@example.invalid";

SmtpSettings SettingsFor(const SmtpSink& sink) {
  SmtpSettings s;
  s.url = sink.url();
  s.starttls = StartTls::kRequired;
  s.ca_file = sink.ca_file();
  s.connect_timeout = absl::Seconds(5);
  s.timeout = absl::Seconds(10);
  return s;
}

std::string Message(absl::string_view delivery_id, bool with_calendar = true) {
  MailContent c;
  c.from_address = kFrom;
  c.from_name = "Albertslund Kommune";
  c.to_address = kTo;
  c.subject = "Dine datoer på holdet: Fællessang på Ørnevej";
  c.text = "Hej Åse,\nhusk tirsdag 9. marts kl. 10.00.\n";
  c.html = "<p>Hej &Aring;se,</p><p>husk <b>tirsdag 9. marts</b>.</p>";
  if (with_calendar) {
    calendar::IcsCalendar cal;
    cal.events.push_back(calendar::IcsEvent{.uid = "c1-0@kpr",
                                            .start = absl::CivilMinute(2027, 3, 9, 10, 0),
                                            .end = absl::CivilMinute(2027, 3, 9, 12, 0),
                                            .summary = "Kultur på recept",
                                            .location = "Musikskolen Æblehaven"});
    c.ics = *calendar::WriteIcs(cal, absl::FromUnixSeconds(1790000000));
  }
  c.message_id = MessageIdFor(delivery_id);
  c.date = absl::FromUnixSeconds(1790000000);
  absl::StatusOr<std::string> raw = BuildMailMessage(c);
  EXPECT_TRUE(raw.ok()) << raw.status();
  return raw.value_or("");
}

class SmtpSenderTest : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_TRUE(Servers::Smtp().Reset().ok()); }
  void TearDown() override { ASSERT_TRUE(Servers::Smtp().Reset().ok()); }
};

TEST_F(SmtpSenderTest, MessageWithCalendarArrivesOverStartTls) {
  SmtpSink& sink = Servers::Smtp();
  const std::string id = "0165-ZM0W05BJVYF7VA9Q3560W883X4";
  const std::string raw = Message(id);
  SmtpResult r = SmtpSender(SettingsFor(sink)).Send(kFrom, kTo, raw);
  ASSERT_EQ(r.outcome, SendOutcome::kAccepted) << r.detail;
  EXPECT_EQ(r.smtp_code, 250);

  absl::StatusOr<std::vector<ReceivedMail>> mail = sink.WaitForMessages(1, absl::Seconds(10));
  ASSERT_TRUE(mail.ok()) << mail.status();
  ASSERT_EQ(mail->size(), 1u);
  const ReceivedMail& m = mail->front();
  EXPECT_TRUE(m.tls);
  EXPECT_EQ(m.mail_from, kFrom);
  EXPECT_THAT(m.rcpt_to, ::testing::ElementsAre(kTo));
  EXPECT_EQ(m.Header("Message-ID"), MessageIdFor(id));
  const std::vector<MailPart> parts = m.Parts();
  ASSERT_EQ(parts.size(), 3u);
  EXPECT_EQ(parts[0].content_type, "text/plain");
  EXPECT_EQ(parts[0].body, "Hej Åse,\r\nhusk tirsdag 9. marts kl. 10.00.\r\n");
  EXPECT_EQ(parts[1].content_type, "text/html");
  const MailPart* ics = FindPart(parts, "text/calendar");
  ASSERT_NE(ics, nullptr);
  EXPECT_EQ(ics->filename, "kurser.ics");
  EXPECT_THAT(calendar::UnfoldIcs(ics->body), ::testing::Contains("UID:c1-0@kpr"));
  EXPECT_THAT(calendar::UnfoldIcs(ics->body), ::testing::Contains("METHOD:PUBLISH"));
}

TEST_F(SmtpSenderTest, StartTlsRequiredFailsClearlyWhereItIsNotOffered) {
  testing::SmtpSinkOptions options;
  options.starttls = false;
  SmtpSink plain(Servers::Dir() + "/smtp-plain", options);
  ASSERT_TRUE(plain.Start().ok());

  SmtpResult r = SmtpSender(SettingsFor(plain)).Send(kFrom, kTo, Message("0165-1"));
  EXPECT_EQ(r.outcome, SendOutcome::kTransient);
  EXPECT_TRUE(r.configuration);
  EXPECT_THAT(r.detail, HasSubstr("STARTTLS"));
  EXPECT_EQ(plain.MessageCount(), 0u);

  // A local sink without TLS is what "opportunistic" is for.
  SmtpSettings opportunistic = SettingsFor(plain);
  opportunistic.starttls = StartTls::kOpportunistic;
  r = SmtpSender(opportunistic).Send(kFrom, kTo, Message("0165-1"));
  ASSERT_EQ(r.outcome, SendOutcome::kAccepted) << r.detail;
  absl::StatusOr<std::vector<ReceivedMail>> mail = plain.WaitForMessages(1, absl::Seconds(10));
  ASSERT_TRUE(mail.ok()) << mail.status();
  EXPECT_FALSE(mail->front().tls);
}

TEST_F(SmtpSenderTest, UntrustedCertificateIsAConfigurationError) {
  SmtpSettings settings = SettingsFor(Servers::Smtp());
  settings.ca_file.clear();  // the system's CAs do not vouch for the sink's self-signed one
  SmtpResult r = SmtpSender(settings).Send(kFrom, kTo, Message("0165-2"));
  EXPECT_EQ(r.outcome, SendOutcome::kTransient);
  EXPECT_TRUE(r.configuration) << r.detail;
  EXPECT_EQ(Servers::Smtp().MessageCount(), 0u);
}

TEST_F(SmtpSenderTest, TransientRefusalThenTheRetryArrivesOnce) {
  SmtpSink& sink = Servers::Smtp();
  ASSERT_TRUE(sink.FailNext(1, 451).ok());
  const std::string raw = Message("0165-3");
  const SmtpSender sender(SettingsFor(sink));
  SmtpResult r = sender.Send(kFrom, kTo, raw);
  EXPECT_EQ(r.outcome, SendOutcome::kTransient) << r.detail;
  EXPECT_EQ(r.smtp_code, 451);
  EXPECT_FALSE(r.configuration);
  EXPECT_EQ(sink.MessageCount(), 0u);

  r = sender.Send(kFrom, kTo, raw);
  ASSERT_EQ(r.outcome, SendOutcome::kAccepted) << r.detail;
  ASSERT_TRUE(sink.WaitForMessages(1, absl::Seconds(10)).ok());
  EXPECT_EQ(sink.MessageCount(), 1u);
  EXPECT_EQ(sink.Messages().front().Header("Message-ID"), MessageIdFor("0165-3"));
}

TEST_F(SmtpSenderTest, PermanentRefusal) {
  SmtpSink& sink = Servers::Smtp();
  ASSERT_TRUE(sink.FailNext(1, 550).ok());
  SmtpResult r = SmtpSender(SettingsFor(sink)).Send(kFrom, kTo, Message("0165-4"));
  EXPECT_EQ(r.outcome, SendOutcome::kPermanent) << r.detail;
  EXPECT_EQ(r.smtp_code, 550);
  EXPECT_EQ(sink.MessageCount(), 0u);
}

TEST_F(SmtpSenderTest, ConnectionRefusedIsTransient) {
  SmtpSettings settings = SettingsFor(Servers::Smtp());
  settings.url = "smtp://127.0.0.1:" + std::to_string(testing::FreePort());
  SmtpResult r = SmtpSender(settings).Send(kFrom, kTo, Message("0165-5"));
  EXPECT_EQ(r.outcome, SendOutcome::kTransient) << r.detail;
  EXPECT_FALSE(r.configuration);
}

TEST_F(SmtpSenderTest, NoAnswerAfterTheDataIsUnknownAndTheResendKeepsTheMessageId) {
  SmtpSink& sink = Servers::Smtp();
  ASSERT_TRUE(sink.SetDelay(absl::Seconds(3)).ok());
  SmtpSettings settings = SettingsFor(sink);
  settings.timeout = absl::Seconds(1);
  const std::string raw = Message("0165-6");
  SmtpResult r = SmtpSender(settings).Send(kFrom, kTo, raw);
  EXPECT_EQ(r.outcome, SendOutcome::kUnknown) << r.detail;

  ASSERT_TRUE(sink.SetDelay(absl::ZeroDuration()).ok());
  r = SmtpSender(SettingsFor(sink)).Send(kFrom, kTo, raw);
  ASSERT_EQ(r.outcome, SendOutcome::kAccepted) << r.detail;
  absl::SleepFor(absl::Seconds(3));  // the first attempt's copy, if the sink kept it
  // However many copies the sink holds, they are one message: one Message-ID, the same bytes.
  std::vector<ReceivedMail> mail = sink.Messages();
  ASSERT_GE(mail.size(), 1u);
  for (const ReceivedMail& m : mail) {
    EXPECT_EQ(m.Header("Message-ID"), MessageIdFor("0165-6"));
    EXPECT_EQ(m.raw, mail.front().raw);
  }
  EXPECT_EQ(sink.CountByMessageId().size(), 1u);
}

TEST(SmtpSettingsTest, ParsesAndChecks) {
  EXPECT_EQ(*ParseStartTls("required"), StartTls::kRequired);
  EXPECT_EQ(*ParseStartTls("opportunistic"), StartTls::kOpportunistic);
  EXPECT_FALSE(ParseStartTls("yes").ok());
  SmtpSettings s;
  s.url = "smtp://mail.example:587";
  EXPECT_TRUE(CheckSmtpSettings(s).ok());
  for (const char* bad : {"smtps://mail.example:465", "http://x", "smtp://", "smtp://:25"}) {
    s.url = bad;
    EXPECT_FALSE(CheckSmtpSettings(s).ok()) << bad;
  }
}

TEST(SmtpSenderEnvelopeTest, RefusesInjectionWithoutConnecting) {
  SmtpSettings s;
  s.url = "smtp://127.0.0.1:1";
  SmtpResult r = SmtpSender(s).Send(kFrom, "a@b.dk>\r\nRCPT TO:<x@y.z", "x");
  EXPECT_EQ(r.outcome, SendOutcome::kPermanent);
  EXPECT_EQ(r.smtp_code, 0);
}

}  // namespace
}  // namespace kpr::notify
