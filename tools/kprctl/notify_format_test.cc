#include "tools/kprctl/notify_format.h"

#include <string>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "google/protobuf/text_format.h"
#include "gtest/gtest.h"
#include "tools/kprctl/new_york_test_zone.h"

namespace kpr::kprctl {
namespace {

// Times print in Danish time whatever the machine's zone: put the machine far from Denmark.
const bool kInNewYork = MachineInNewYork();

template <typename M>
M Text(const std::string& text) {
  M m;
  EXPECT_TRUE(google::protobuf::TextFormat::ParseFromString(text, &m)) << text;
  return m;
}

// 2027-01-18 09:00 in Denmark (08:00 UTC, 03:00 in New York).
constexpr int64_t kMonday9 = 1800259200;

std::string At(int64_t seconds) { return absl::StrCat("{ seconds: ", seconds, " }"); }

TEST(Pieces, ShortNamesAsTheFlagsTakeThem) {
  EXPECT_EQ(TriggerName(nv1::TRIGGER_SESSION_REMINDER), "session_reminder");
  EXPECT_EQ(ChannelName(nv1::CHANNEL_EMAIL), "email");
  EXPECT_EQ(DeliveryStatusName(nv1::DELIVERY_STATUS_FAILED), "failed");
  EXPECT_EQ(LanguageName(nv1::LANGUAGE_DA), "da");
  EXPECT_EQ(DeliveryReasonName(nv1::DELIVERY_REASON_RETRY_BUDGET_EXHAUSTED),
            "retry_budget_exhausted");
  EXPECT_EQ(DeliveryReasonName(nv1::DELIVERY_REASON_UNSPECIFIED), "");
  EXPECT_EQ(SmsEncodingName(nv1::SMS_ENCODING_GSM7), "gsm7");
  EXPECT_EQ(FormatOffset(Text<google::protobuf::Duration>("seconds: 86400")), "24h");
  EXPECT_EQ(FormatOffset(Text<google::protobuf::Duration>("seconds: 5400")), "1h30m");
}

TEST(Deliveries, TableWithMaskedRecipientsAndAPossibleDuplicate) {
  ASSERT_TRUE(kInNewYork);
  auto r = Text<nv1::ListDeliveriesResponse>(absl::StrCat(
      "deliveries { delivery_id: 'd-sms-1' referral_id: '0165-R1' "
      "  trigger: TRIGGER_SESSION_REMINDER channel: CHANNEL_SMS status: DELIVERY_STATUS_DELIVERED "
      "  masked_recipient: '+45 ** ** 12 34' attempts: 1 sms_segments: 2 sent_at ",
      At(kMonday9), " finished_at ", At(kMonday9 + 60),
      " } "
      "deliveries { delivery_id: 'd-sms-2' referral_id: '0165-R2' trigger: TRIGGER_WELCOME "
      "  channel: CHANNEL_SMS status: DELIVERY_STATUS_SENT masked_recipient: '+45 ** ** 56 78' "
      "  attempts: 2 sms_segments: 1 possibly_duplicated: true sent_at ",
      At(kMonday9 + 3600),
      " } "
      "deliveries { delivery_id: 'd-mail-3' referral_id: '0165-R3' trigger: TRIGGER_WELCOME "
      "  channel: CHANNEL_EMAIL status: DELIVERY_STATUS_SKIPPED reason: DELIVERY_REASON_OPTED_OUT "
      "  masked_recipient: 'b***@example.invalid' finished_at ",
      At(kMonday9), " } next_page_token: 'p2'"));
  EXPECT_EQ(FormatDeliveries(r),
            "3 deliveries; 1 possibly duplicated (the provider may have sent it twice).\n"
            "\n"
            "  DELIVERY  REFERRAL  TRIGGER           CHANNEL  STATUS     REASON     RECIPIENT"
            "             ATTEMPTS  SEGMENTS  SENT              FINISHED          NOTE\n"
            "  d-sms-1   0165-R1   session_reminder  sms      delivered  -          +45 ** ** 12 34"
            "              1         2  2027-01-18 09:00  2027-01-18 09:01\n"
            "  d-sms-2   0165-R2   welcome           sms      sent       -          +45 ** ** 56 78"
            "              2         1  2027-01-18 10:00  -                 possibly duplicated\n"
            "  d-mail-3  0165-R3   welcome           email    skipped    opted_out  "
            "b***@example.invalid         0         -  -                 2027-01-18 09:00\n"
            "\n"
            "Next page: --page-token p2\n");
}

TEST(Deliveries, PendingShowsWhenItIsDue) {
  ASSERT_TRUE(kInNewYork);
  auto r = Text<nv1::ListDeliveriesResponse>(
      absl::StrCat("deliveries { delivery_id: 'd1' referral_id: 'r1' trigger: TRIGGER_WELCOME "
                   "channel: CHANNEL_SMS status: DELIVERY_STATUS_PENDING send_at ",
                   At(kMonday9), " }"));
  EXPECT_THAT(FormatDeliveries(r), ::testing::HasSubstr("  due 2027-01-18 09:00  -\n"));
}

TEST(Deliveries, EmptyList) {
  EXPECT_EQ(FormatDeliveries(nv1::ListDeliveriesResponse()), "No deliveries.\n");
}

TEST(Preferences, BothChannels) {
  ASSERT_TRUE(kInNewYork);
  EXPECT_EQ(FormatPreferences(Text<nv1::Preferences>(absl::StrCat(
                "referral_id: 'r1' sms_opted_out: true version: 2 updated_at ", At(kMonday9)))),
            "Referral r1: SMS opted out, e-mail allowed (version 2, updated 2027-01-18 09:00).\n");
  EXPECT_EQ(FormatPreferences(Text<nv1::Preferences>("referral_id: 'r2'")),
            "Referral r2: SMS allowed, e-mail allowed (never saved).\n");
}

TEST(Templates, DefaultAndOwnWithTheirTexts) {
  ASSERT_TRUE(kInNewYork);
  auto r = Text<nv1::ListTemplatesResponse>(absl::StrCat(
      "templates { municipality: '0165' trigger: TRIGGER_WELCOME language: LANGUAGE_DA "
      "  shipped_default: true sms_text: 'Hej {first_name}, velkommen.' "
      "  email_subject: 'Velkommen' email_text: 'Hej {first_name}\\nVi ses.' } "
      "templates { municipality: '0165' trigger: TRIGGER_SESSION_REMINDER language: LANGUAGE_EN "
      "  version: 3 updated_by: 'admin-1' sms_text: 'See you {time}' email_subject: 'Reminder' "
      "  email_text: 'Tomorrow {time}.' email_html: '<p>Tomorrow</p>' updated_at ",
      At(kMonday9), " }"));
  EXPECT_EQ(FormatTemplates(r),
            "welcome/da  kpr's default (version 0)\n"
            "  SMS:      Hej {first_name}, velkommen.\n"
            "  Subject:  Velkommen\n"
            "  Text:     Hej {first_name}\n"
            "            Vi ses.\n"
            "  HTML:     -\n"
            "\n"
            "session_reminder/en  version 3, saved 2027-01-18 09:00 by admin-1\n"
            "  SMS:      See you {time}\n"
            "  Subject:  Reminder\n"
            "  Text:     Tomorrow {time}.\n"
            "  HTML:     <p>Tomorrow</p>\n");
  EXPECT_EQ(FormatTemplates(nv1::ListTemplatesResponse()), "No templates.\n");
  EXPECT_EQ(FormatTemplateSaved(Text<nv1::Template>(
                "municipality: '0165' trigger: TRIGGER_WELCOME language: LANGUAGE_DA version: 4")),
            "Saved template welcome/da of 0165: version 4.\n");
}

TEST(Preview, SmsSegmentsEmailAndWarnings) {
  auto r = Text<nv1::PreviewMessageResponse>(
      "sms_text: 'Vi ses kl. 10 \xE2\x80\x93 husk t\xC3\xB8j' sms_encoding: SMS_ENCODING_UCS2 "
      "sms_segments: 1 sms_units: 24 email_subject: 'P\xC3\xA5mindelse' email_text: 'Vi ses.' "
      "warnings: '\xE2\x80\x93 (U+2013) forces UCS-2: use -'");
  EXPECT_EQ(FormatPreview(r),
            "Preview (example data):\n"
            "  SMS:      Vi ses kl. 10 \xE2\x80\x93 husk t\xC3\xB8j\n"
            "  Encoding: ucs2, 1 segment, 24 UTF-16 units\n"
            "  Subject:  P\xC3\xA5mindelse\n"
            "  Text:     Vi ses.\n"
            "  HTML:     -\n"
            "  Warning:  \xE2\x80\x93 (U+2013) forces UCS-2: use -\n");
  EXPECT_THAT(FormatPreview(Text<nv1::PreviewMessageResponse>(
                  "sms_text: 'Hej' sms_encoding: SMS_ENCODING_GSM7 sms_segments: 2 "
                  "sms_units: 170")),
              ::testing::HasSubstr("  Encoding: gsm7, 2 segments, 170 septets\n"));
}

TEST(Send, DeliveriesBesideTheirReferrals) {
  auto req = Text<nv1::SendMessageRequest>(
      "municipality: '0165' request_id: 'q-1' referral_ids: 'r1' referral_ids: 'r2' text: 'x'");
  auto resp =
      Text<nv1::SendMessageResponse>("delivery_ids: 'd1' delivery_ids: 'd2' queued: 1 skipped: 1");
  EXPECT_EQ(FormatSendResult(req, resp),
            "Queued 1, skipped 1 (request q-1).\n"
            "\n"
            "  REFERRAL  DELIVERY\n"
            "  r1        d1\n"
            "  r2        d2\n"
            "\n"
            "Why skipped: kprctl notify deliveries --municipality 0165 --status skipped\n");

  auto cohort = Text<nv1::SendMessageRequest>(
      "municipality: '0165' request_id: 'q-2' cohort_id: 'C1' text: 'x'");
  auto all_queued =
      Text<nv1::SendMessageResponse>("delivery_ids: 'd1' delivery_ids: 'd2' queued: 2 skipped: 0");
  EXPECT_EQ(FormatSendResult(cohort, all_queued),
            "Queued 2, skipped 0 (request q-2).\n"
            "\n"
            "  DELIVERY\n"
            "  d1\n"
            "  d2\n");
}

TEST(Settings, ReminderOffsetsAndCoordinatorContact) {
  ASSERT_TRUE(kInNewYork);
  EXPECT_EQ(FormatReminderOffsets(Text<nv1::ReminderOffsets>(
                absl::StrCat("municipality: '0165' program_id: 'p1' offsets { seconds: 86400 } "
                             "offsets { seconds: 5400 } version: 2 updated_at ",
                             At(kMonday9)))),
            "Reminders of 0165, program p1: 24h, 1h30m before each session (version 2, updated "
            "2027-01-18 09:00).\n");
  EXPECT_EQ(FormatReminderOffsets(Text<nv1::ReminderOffsets>("municipality: '0165' version: 5")),
            "Reminders of 0165, the municipality's default: no reminders (version 5).\n");
  EXPECT_EQ(FormatCoordinatorContact(Text<nv1::CoordinatorContact>(
                "municipality: '0183' email: 'kultur@ishoj.example.invalid' version: 1")),
            "Coordinator contact of 0183: kultur@ishoj.example.invalid (version 1).\n");
  EXPECT_EQ(FormatCoordinatorContact(Text<nv1::CoordinatorContact>("municipality: '0183'")),
            "Coordinator contact of 0183: none; drop-out risk e-mails are skipped (never "
            "saved).\n");
}

}  // namespace
}  // namespace kpr::kprctl
