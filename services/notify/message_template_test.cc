#include "services/notify/message_template.h"

#include "absl/strings/match.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace kpr::notify {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

v1::Template Welcome() {
  v1::Template t;
  t.set_municipality("0165");
  t.set_trigger(v1::TRIGGER_WELCOME);
  t.set_language(v1::LANGUAGE_DA);
  t.set_sms_text("Hej {first_name}, velkommen til {program}!");
  t.set_email_subject("Velkommen til {program}");
  t.set_email_text("Hej {first_name}\n\nVelkommen. Hilsen {municipality_name}");
  t.set_email_html("<p>Hej {first_name}</p>");
  return t;
}

std::vector<std::string> Fields(const validation::FieldViolations& violations) {
  std::vector<std::string> out;
  for (const auto& v : violations) out.push_back(v.field());
  return out;
}

TEST(MessageTemplate, EveryTriggerButUnspecified) {
  std::vector<v1::Trigger> all = AllTriggers();
  EXPECT_EQ(all.size(), 12u);
  EXPECT_EQ(all.front(), v1::TRIGGER_WELCOME);
  EXPECT_EQ(all.back(), v1::TRIGGER_COORDINATOR_MESSAGE);
  EXPECT_THAT(PlaceholdersFor(v1::TRIGGER_UNSPECIFIED), IsEmpty());
}

TEST(MessageTemplate, EachTriggerOffersWhatItsFactHas) {
  EXPECT_THAT(PlaceholdersFor(v1::TRIGGER_WELCOME),
              ElementsAre("first_name", "program", "municipality_name"));
  EXPECT_THAT(PlaceholdersFor(v1::TRIGGER_SESSION_RESCHEDULED),
              ElementsAre("first_name", "program", "municipality_name", "activity", "session_start",
                          "previous_session_start", "venue"));
  EXPECT_THAT(PlaceholdersFor(v1::TRIGGER_COHORT_INFORMATION),
              ElementsAre("first_name", "program", "municipality_name", "venue",
                          "first_session_start", "cohort_dates"));
  EXPECT_TRUE(Offers(v1::TRIGGER_QUESTIONNAIRE_OVERDUE, "questionnaire_link"));
  EXPECT_TRUE(Offers(v1::TRIGGER_COORDINATOR_MESSAGE, "message"));
  // The coordinator's e-mail names the participant by referral id, not by name.
  EXPECT_FALSE(Offers(v1::TRIGGER_DROP_OUT_RISK, "first_name"));
  EXPECT_TRUE(Offers(v1::TRIGGER_DROP_OUT_RISK, "referral_id"));
  EXPECT_FALSE(Offers(v1::TRIGGER_WELCOME, "referral_id"));
}

TEST(MessageTemplate, NoTriggerOffersHealthDataBenefitsOrContactDetails) {
  for (v1::Trigger trigger : AllTriggers()) {
    for (absl::string_view name : PlaceholdersFor(trigger)) {
      for (absl::string_view banned :
           {"who5", "wai", "score", "diagnos", "health", "condition", "benefit", "reason_text",
            "target", "cpr", "phone", "email", "family", "wellbeing", "notes"}) {
        EXPECT_FALSE(absl::StrContains(name, banned))
            << v1::Trigger_Name(trigger) << " {" << name << "}";
      }
    }
  }
}

TEST(MessageTemplate, FindsPlaceholdersAndLiteralBraces) {
  auto names = PlaceholdersIn("Hej {first_name}, {{ikke}} {program} {first_name}}}");
  ASSERT_TRUE(names.ok()) << names.status();
  EXPECT_THAT(*names, ElementsAre("first_name", "program", "first_name"));
  EXPECT_THAT(*PlaceholdersIn("ingen pladsholdere"), IsEmpty());
}

TEST(MessageTemplate, MalformedBracesAreRefused) {
  for (absl::string_view bad : {"Hej {first_name", "Hej }", "Hej {}", "Hej { first_name }",
                                "Hej {First_name}", "Hej {first{name}", "Hej {1st}"}) {
    auto names = PlaceholdersIn(bad);
    EXPECT_EQ(names.status().code(), absl::StatusCode::kInvalidArgument) << bad;
  }
  EXPECT_THAT(PlaceholdersIn("ab}").status().message(), HasSubstr("position 3"));
}

TEST(MessageTemplate, AValidTemplatePasses) {
  EXPECT_TRUE(CheckTemplate(Welcome()).ok()) << CheckTemplate(Welcome());
  v1::Template no_html = Welcome();
  no_html.clear_email_html();
  EXPECT_TRUE(CheckTemplate(no_html).ok());
}

TEST(MessageTemplate, AnUnknownPlaceholderIsRefusedNamingFieldAndPlaceholder) {
  v1::Template t = Welcome();
  t.set_sms_text("Hej {first_name}, vi ses {session_start}");
  absl::Status s = CheckTemplate(t);
  ASSERT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(s.message(), HasSubstr("template.sms_text: unknown placeholder {session_start} for "
                                     "TRIGGER_WELCOME; it offers {first_name}, {program}, "
                                     "{municipality_name}"));
  t = Welcome();
  t.set_email_html("<p>{fornavn}</p>");
  EXPECT_THAT(CheckTemplate(t).message(), HasSubstr("template.email_html: unknown placeholder "
                                                    "{fornavn}"));
}

TEST(MessageTemplate, AskingForHealthDataSaysWhyNot) {
  v1::Template t = Welcome();
  t.set_email_text("Din score: {who5_score}. Ydelse: {benefit_situation}. {who5_score}");
  validation::FieldViolations v = TemplateViolations(t);
  ASSERT_EQ(v.size(), 2u);  // each placeholder once
  EXPECT_EQ(v[0].field(), "template.email_text");
  EXPECT_THAT(v[0].description(), HasSubstr("{who5_score} is never offered"));
  EXPECT_THAT(v[1].description(), HasSubstr("{benefit_situation} is never offered"));
}

TEST(MessageTemplate, RequiredFieldsAndShapes) {
  EXPECT_THAT(Fields(TemplateViolations(v1::Template())),
              ElementsAre("template.municipality", "template.trigger"));
  v1::Template t;
  t.set_municipality("0165");
  t.set_trigger(v1::TRIGGER_SESSION_REMINDER);
  EXPECT_THAT(Fields(TemplateViolations(t, "")),
              ElementsAre("language", "sms_text", "email_subject", "email_text"));
  t = Welcome();
  t.set_email_subject("Velkommen\r\nBcc: someone@example.invalid");
  t.set_sms_text(std::string(kMaxSmsTemplateBytes + 1, 'a'));
  t.set_email_text("{first_name");
  EXPECT_THAT(
      TemplateViolations(t),
      ElementsAre(
          testing::Property(&common::v1::FieldViolation::description,
                            HasSubstr("longer than 1000 bytes")),
          testing::Property(&common::v1::FieldViolation::description, "must be one line"),
          testing::Property(&common::v1::FieldViolation::description, HasSubstr("is not closed"))));
}

TEST(MessageTemplate, TheDropOutRiskIsEmailOnly) {
  v1::Template t;
  t.set_municipality("0165");
  t.set_trigger(v1::TRIGGER_DROP_OUT_RISK);
  t.set_language(v1::LANGUAGE_DA);
  t.set_email_subject("Fremmøde: {program}");
  t.set_email_text("Henvisning {referral_id}: {risk_reasons}");
  EXPECT_TRUE(CheckTemplate(t).ok()) << CheckTemplate(t);
  t.set_sms_text("Henvisning {referral_id}");
  EXPECT_THAT(CheckTemplate(t).message(), HasSubstr("template.sms_text: must be empty"));
}

TEST(MessageTemplate, RendersValuesForEachKindOfText) {
  const MessageValues values = {{"first_name", "Anna <&> \"Bo\" 'C'"}, {"program", "Kultur"}};
  EXPECT_EQ(*RenderText("Hej {first_name} på {program} {{x}}", values, TextKind::kPlain),
            "Hej Anna <&> \"Bo\" 'C' på Kultur {x}");
  EXPECT_EQ(*RenderText("<p>{first_name}</p>", values, TextKind::kHtml),
            "<p>Anna &lt;&amp;&gt; &quot;Bo&quot; &#39;C&#39;</p>");
  // A value cannot add header lines to the subject.
  EXPECT_EQ(*RenderText("Til {first_name}", {{"first_name", "A\r\nBcc: x@example.invalid"}},
                        TextKind::kHeader),
            "Til A  Bcc: x@example.invalid");
}

TEST(MessageTemplate, HtmlEscapesEveryMarkupCharacter) {
  EXPECT_EQ(HtmlEscape("<a href=\"x\">Bo & 'C'</a>"),
            "&lt;a href=&quot;x&quot;&gt;Bo &amp; &#39;C&#39;&lt;/a&gt;");
  EXPECT_EQ(HtmlEscape("&amp;"), "&amp;amp;");
}

TEST(MessageTemplate, AMissingValueIsAFailedPreconditionNamingIt) {
  auto text = RenderText("Svar her: {questionnaire_link}", {}, TextKind::kPlain);
  EXPECT_EQ(text.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(text.status().message(), "no value for {questionnaire_link}");
  EXPECT_EQ(RenderText("{x", {}, TextKind::kPlain).status().code(),
            absl::StatusCode::kInvalidArgument);
}

TEST(MessageTemplate, RendersEveryPart) {
  const MessageValues values = {
      {"first_name", "Anna"}, {"program", "Kultur"}, {"municipality_name", "Eksempelby"}};
  auto m = RenderTemplate(Welcome(), values);
  ASSERT_TRUE(m.ok()) << m.status();
  EXPECT_EQ(m->sms_text, "Hej Anna, velkommen til Kultur!");
  EXPECT_EQ(m->email_subject, "Velkommen til Kultur");
  EXPECT_EQ(m->email_text, "Hej Anna\n\nVelkommen. Hilsen Eksempelby");
  EXPECT_EQ(m->email_html, "<p>Hej Anna</p>");
  EXPECT_EQ(RenderTemplate(Welcome(), {{"first_name", "Anna"}}).status().code(),
            absl::StatusCode::kFailedPrecondition);
}

TEST(MessageTemplate, EnglishOnlyForEnglishTags) {
  EXPECT_EQ(LanguageFor("en"), v1::LANGUAGE_EN);
  EXPECT_EQ(LanguageFor(" EN-gb "), v1::LANGUAGE_EN);
  EXPECT_EQ(LanguageFor("en_US"), v1::LANGUAGE_EN);
  for (absl::string_view other : {"da", "da-DK", "", "ar", "de", "eng"}) {
    EXPECT_EQ(LanguageFor(other), v1::LANGUAGE_DA) << other;
  }
}

}  // namespace
}  // namespace kpr::notify
