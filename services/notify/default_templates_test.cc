#include "services/notify/default_templates.h"

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "libs/calendar/danish_time.h"
#include "services/notify/sms_encoding.h"

namespace kpr::notify {
namespace {

using ::testing::HasSubstr;

// What a default must never say: the citizen may not have told anyone why they take part.
constexpr absl::string_view kNeverSaid[] = {"stress", "angst", "depression", "sygedagpenge"};

void ExpectNothingSensitive(absl::string_view what, absl::string_view text) {
  const std::string lower = absl::AsciiStrToLower(text);
  for (absl::string_view word : kNeverSaid) {
    EXPECT_FALSE(absl::StrContains(lower, word)) << what << " says \"" << word << "\": " << text;
  }
}

class DefaultTemplates : public ::testing::TestWithParam<std::tuple<v1::Trigger, v1::Language>> {
 protected:
  void SetUp() override { ASSERT_TRUE(calendar::DanishTimeZoneLoaded().ok()) << "needs tzdata"; }
  v1::Trigger trigger() const { return std::get<0>(GetParam()); }
  v1::Language language() const { return std::get<1>(GetParam()); }
};

TEST_P(DefaultTemplates, ValidatesRendersCleanlyAndSaysNothingSensitive) {
  const v1::Template t = DefaultTemplate("0165", trigger(), language());
  EXPECT_EQ(t.municipality(), "0165");
  EXPECT_EQ(t.trigger(), trigger());
  EXPECT_EQ(t.language(), language());
  EXPECT_EQ(t.version(), 0);
  EXPECT_TRUE(t.shipped_default());
  ASSERT_TRUE(CheckTemplate(t).ok()) << CheckTemplate(t);
  EXPECT_EQ(t.sms_text().empty(), trigger() == v1::TRIGGER_DROP_OUT_RISK);
  EXPECT_FALSE(t.email_html().empty());

  const MessageValues values = ExampleValues("0165", trigger(), language());
  EXPECT_EQ(values.size(), PlaceholdersFor(trigger()).size());
  absl::StatusOr<RenderedMessage> m = RenderTemplate(t, values);
  ASSERT_TRUE(m.ok()) << m.status();
  const struct {
    absl::string_view name;
    absl::string_view text;
    absl::string_view rendered;
  } parts[] = {{"sms_text", t.sms_text(), m->sms_text},
               {"email_subject", t.email_subject(), m->email_subject},
               {"email_text", t.email_text(), m->email_text},
               {"email_html", t.email_html(), m->email_html}};
  for (const auto& p : parts) {
    EXPECT_FALSE(absl::StrContains(p.rendered, "{")) << p.name << ": " << p.rendered;
    EXPECT_FALSE(absl::StrContains(p.rendered, "}")) << p.name << ": " << p.rendered;
    ExpectNothingSensitive(p.name, p.text);
    ExpectNothingSensitive(p.name, p.rendered);
  }
  if (trigger() != v1::TRIGGER_DROP_OUT_RISK) {
    EXPECT_THAT(m->email_text, HasSubstr("Sofie"));
    EXPECT_THAT(m->sms_text, HasSubstr("Sofie"));
  }
}

TEST_P(DefaultTemplates, SmsTextsAreGsm7AndShort) {
  const v1::Template t = DefaultTemplate("0165", trigger(), language());
  if (t.sms_text().empty()) return;
  SmsAnalysis raw = AnalyzeSms(t.sms_text());
  EXPECT_EQ(raw.encoding, v1::SMS_ENCODING_GSM7) << t.sms_text();
  absl::StatusOr<RenderedMessage> m =
      RenderTemplate(t, ExampleValues("0165", trigger(), language()));
  ASSERT_TRUE(m.ok()) << m.status();
  SmsAnalysis rendered = AnalyzeSms(m->sms_text);
  EXPECT_EQ(rendered.encoding, v1::SMS_ENCODING_GSM7) << m->sms_text;
  EXPECT_LE(rendered.segments, 2) << m->sms_text;
}

std::string ParamName(const testing::TestParamInfo<DefaultTemplates::ParamType>& info) {
  return absl::StrCat(v1::Trigger_Name(std::get<0>(info.param)), "_",
                      v1::Language_Name(std::get<1>(info.param)));
}

INSTANTIATE_TEST_SUITE_P(EveryTriggerAndLanguage, DefaultTemplates,
                         ::testing::Combine(::testing::ValuesIn(AllTriggers()),
                                            ::testing::Values(v1::LANGUAGE_DA, v1::LANGUAGE_EN)),
                         ParamName);

TEST(DefaultTemplate, UnspecifiedLanguageIsDanish) {
  const v1::Template t =
      DefaultTemplate("0183", v1::TRIGGER_SESSION_REMINDER, v1::LANGUAGE_UNSPECIFIED);
  EXPECT_EQ(t.language(), v1::LANGUAGE_DA);
  EXPECT_THAT(t.sms_text(), HasSubstr("Vi ses"));
}

TEST(DefaultTemplate, TheHtmlPartEscapesValues) {
  const v1::Template t = DefaultTemplate("0165", v1::TRIGGER_WELCOME, v1::LANGUAGE_DA);
  EXPECT_THAT(t.email_html(), HasSubstr("<html lang=\"da\">"));
  MessageValues values = ExampleValues("0165", v1::TRIGGER_WELCOME, v1::LANGUAGE_DA);
  values["first_name"] = "<Anna & Bo>";
  absl::StatusOr<RenderedMessage> m = RenderTemplate(t, values);
  ASSERT_TRUE(m.ok()) << m.status();
  EXPECT_THAT(m->email_html, HasSubstr("<p>Hej &lt;Anna &amp; Bo&gt;</p>"));
  EXPECT_THAT(m->email_text, HasSubstr("Hej <Anna & Bo>\n\n"));
}

TEST(DefaultTemplate, RemindersReadTheSessionTheDanishWay) {
  const v1::Template t = DefaultTemplate("0165", v1::TRIGGER_SESSION_REMINDER, v1::LANGUAGE_DA);
  absl::StatusOr<RenderedMessage> m =
      RenderTemplate(t, ExampleValues("0165", v1::TRIGGER_SESSION_REMINDER, v1::LANGUAGE_DA));
  ASSERT_TRUE(m.ok()) << m.status();
  EXPECT_EQ(m->sms_text,
            "Hej Sofie. Vi ses til Fællessang tirsdag 9. marts kl. 10.00 på Sundhedshuset, "
            "Eksempelvej 1. Kan du ikke komme, så giv gerne din koordinator besked.");
  EXPECT_EQ(m->email_subject, "Vi ses tirsdag 9. marts kl. 10.00");
}

}  // namespace
}  // namespace kpr::notify
