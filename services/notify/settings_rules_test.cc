#include "services/notify/settings_rules.h"

#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "services/notify/default_templates.h"

namespace kpr::notify {
namespace {

v1::Template Saved(v1::Trigger trigger, v1::Language language, int64_t version) {
  v1::Template t = DefaultTemplate("0165", trigger, language);
  t.set_shipped_default(false);
  t.set_version(version);
  t.set_sms_text("Hej {first_name}, egen tekst.");
  return t;
}

TEST(TemplatesInForce, EveryTriggerAndLanguageWithTheSavedOneWhereThereIsOne) {
  const std::vector<v1::Template> saved = {Saved(v1::TRIGGER_WELCOME, v1::LANGUAGE_EN, 3)};
  std::vector<v1::Template> all =
      TemplatesInForce("0165", saved, v1::TRIGGER_UNSPECIFIED, v1::LANGUAGE_UNSPECIFIED);
  ASSERT_EQ(all.size(), 2 * AllTriggers().size());
  EXPECT_EQ(all[0].trigger(), v1::TRIGGER_WELCOME);
  EXPECT_EQ(all[0].language(), v1::LANGUAGE_DA);
  EXPECT_TRUE(all[0].shipped_default());
  EXPECT_EQ(all[0].version(), 0);
  EXPECT_EQ(all[1].language(), v1::LANGUAGE_EN);
  EXPECT_FALSE(all[1].shipped_default());
  EXPECT_EQ(all[1].version(), 3);
  EXPECT_EQ(all[1].sms_text(), "Hej {first_name}, egen tekst.");
  EXPECT_EQ(all[2].trigger(), v1::TRIGGER_COHORT_INFORMATION);
  EXPECT_EQ(all.back().trigger(), v1::TRIGGER_COORDINATOR_MESSAGE);
  for (const v1::Template& t : all) EXPECT_EQ(t.municipality(), "0165");
}

TEST(TemplatesInForce, FiltersByTriggerAndLanguage) {
  std::vector<v1::Template> one =
      TemplatesInForce("0165", {}, v1::TRIGGER_SESSION_REMINDER, v1::LANGUAGE_EN);
  ASSERT_EQ(one.size(), 1u);
  EXPECT_EQ(one[0].trigger(), v1::TRIGGER_SESSION_REMINDER);
  EXPECT_EQ(one[0].language(), v1::LANGUAGE_EN);
  EXPECT_TRUE(one[0].shipped_default());
  std::vector<v1::Template> danish =
      TemplatesInForce("0165", {}, v1::TRIGGER_UNSPECIFIED, v1::LANGUAGE_DA);
  ASSERT_EQ(danish.size(), AllTriggers().size());
  for (const v1::Template& t : danish) EXPECT_EQ(t.language(), v1::LANGUAGE_DA);
}

TEST(SmsWarnings, SayWhatUcs2AndManyPartsCost) {
  std::vector<std::string> ucs2 = SmsWarnings(AnalyzeSms("Vi ses i morgen \xE2\x80\x99"));
  ASSERT_GE(ucs2.size(), 2u);
  EXPECT_NE(ucs2.back().find("UCS-2"), std::string::npos) << ucs2.back();
  EXPECT_TRUE(SmsWarnings(AnalyzeSms(std::string(306, 'a'))).empty());  // two parts
  std::vector<std::string> three = SmsWarnings(AnalyzeSms(std::string(307, 'a')));
  ASSERT_EQ(three.size(), 1u);
  EXPECT_EQ(three[0], "the SMS is 3 parts and every part is billed; shorten it to at most 2");
}

TEST(PreviewOf, TheDanishReminderIsOneGsm7Part) {
  const v1::Template t = DefaultTemplate("0165", v1::TRIGGER_SESSION_REMINDER, v1::LANGUAGE_DA);
  auto preview = PreviewOf(t, ExampleValues("0165", v1::TRIGGER_SESSION_REMINDER, v1::LANGUAGE_DA),
                           "template.");
  ASSERT_TRUE(preview.ok()) << preview.status();
  EXPECT_EQ(preview->sms_encoding(), v1::SMS_ENCODING_GSM7);
  EXPECT_EQ(preview->sms_segments(), 1);
  EXPECT_GT(preview->sms_units(), 60);
  EXPECT_LE(preview->sms_units(), kGsm7SinglePart);
  EXPECT_EQ(preview->sms_text().find('{'), std::string::npos) << preview->sms_text();
  EXPECT_FALSE(preview->email_subject().empty());
  EXPECT_TRUE(preview->warnings().empty());
}

TEST(PreviewOf, AnUnknownPlaceholderNamesThePartAsSavingWould) {
  v1::Template t = DefaultTemplate("0165", v1::TRIGGER_WELCOME, v1::LANGUAGE_DA);
  t.set_sms_text("Hej {cpr}");
  t.set_email_subject("Velkommen {nope}");
  auto preview =
      PreviewOf(t, ExampleValues("0165", v1::TRIGGER_WELCOME, v1::LANGUAGE_DA), "draft.");
  ASSERT_EQ(preview.status().code(), absl::StatusCode::kInvalidArgument);
  const std::string message(preview.status().message());
  EXPECT_NE(message.find("draft.sms_text: placeholder {cpr} is never offered"), std::string::npos)
      << message;
  EXPECT_NE(message.find("draft.email_subject: unknown placeholder {nope}"), std::string::npos)
      << message;
  EXPECT_EQ(message.find("draft.email_text"), std::string::npos) << message;
}

TEST(PreviewOf, AnEmojiForcesUcs2AndIsNamed) {
  v1::Template t = DefaultTemplate("0165", v1::TRIGGER_WELCOME, v1::LANGUAGE_DA);
  t.set_sms_text("Hej {first_name} \xF0\x9F\x98\x80");
  auto preview =
      PreviewOf(t, ExampleValues("0165", v1::TRIGGER_WELCOME, v1::LANGUAGE_DA), "draft.");
  ASSERT_TRUE(preview.ok()) << preview.status();
  EXPECT_EQ(preview->sms_encoding(), v1::SMS_ENCODING_UCS2);
  EXPECT_EQ(preview->sms_segments(), 1);
  EXPECT_GE(preview->warnings_size(), 2);
}

TEST(PreviewOf, NoSmsForTheDropOutRisk) {
  const v1::Template t = DefaultTemplate("0165", v1::TRIGGER_DROP_OUT_RISK, v1::LANGUAGE_DA);
  auto preview =
      PreviewOf(t, ExampleValues("0165", v1::TRIGGER_DROP_OUT_RISK, v1::LANGUAGE_DA), "template.");
  ASSERT_TRUE(preview.ok()) << preview.status();
  EXPECT_EQ(preview->sms_text(), "");
  EXPECT_EQ(preview->sms_encoding(), v1::SMS_ENCODING_UNSPECIFIED);
  EXPECT_EQ(preview->sms_segments(), 0);
  EXPECT_FALSE(preview->email_text().empty());
}

TEST(IsPlainEmailAddress, TakesAWorkAddress) {
  for (absl::string_view ok :
       {"koordinator@kommune.dk", "anne.b+kpr@albertslund.dk", "k_1@sub.domain-x.example"}) {
    EXPECT_TRUE(IsPlainEmailAddress(ok)) << ok;
  }
}

TEST(IsPlainEmailAddress, RefusesWhatIsNotABareAddress) {
  for (absl::string_view bad :
       {"", "koordinator", "@kommune.dk", "koordinator@", "koordinator@kommune", "a@b@kommune.dk",
        "Anne <anne@kommune.dk>", "anne @kommune.dk", "anne@kommune..dk", ".anne@kommune.dk",
        "anne.@kommune.dk", "anne@-kommune.dk", "anne@10.0.0.1", "anne@kommune.dk\r\nBcc: x@y.dk",
        "anne\xC3\xB8@kommune.dk"}) {
    EXPECT_FALSE(IsPlainEmailAddress(bad)) << bad;
  }
  EXPECT_FALSE(IsPlainEmailAddress(std::string(65, 'a') + "@kommune.dk"));
  EXPECT_TRUE(IsPlainEmailAddress(std::string(64, 'a') + "@kommune.dk"));
}

TEST(OffsetsInForce, ShowsTheOffsetsAtVersionZero) {
  v1::ReminderOffsets r = OffsetsInForce("0165", "yoga", {absl::Hours(24), absl::Minutes(90)});
  EXPECT_EQ(r.municipality(), "0165");
  EXPECT_EQ(r.program_id(), "yoga");
  EXPECT_EQ(r.version(), 0);
  ASSERT_EQ(r.offsets_size(), 2);
  EXPECT_EQ(r.offsets(0).seconds(), 86400);
  EXPECT_EQ(r.offsets(1).seconds(), 5400);
}

}  // namespace
}  // namespace kpr::notify
