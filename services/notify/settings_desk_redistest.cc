// The settings desk end to end against a real Redis: who may do what where, what is refused
// and how it is named, version conflicts, and what a coordinator sees of templates, previews,
// offsets and the coordinator address.

#include <memory>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/time/time.h"
#include "gtest/gtest.h"
#include "services/notify/default_templates.h"
#include "services/notify/message_template.h"
#include "services/notify/settings_desk.h"
#include "tests/harness/servers.h"
#include "tests/support/redis_testing.h"

namespace kpr::notify {
namespace {

constexpr char kM[] = "0165";
constexpr char kReferral[] = "0165-3M5V0Q6Y2ZK4E1N8W9XRTB01JD";
const absl::Time kNow = absl::FromUnixSeconds(1'800'000'000);

identity::Caller As(identity::Role role, const std::string& municipality = kM) {
  identity::Caller c;
  c.claims.subject = std::string(identity::RoleName(role)) + "-1";
  c.claims.role = role;
  c.claims.municipalities = {municipality};
  return c;
}
const identity::Caller kCoordinator = As(identity::Role::kCoordinator);
const identity::Caller kAdmin = As(identity::Role::kAdmin);
const identity::Caller kCaseworker = As(identity::Role::kCaseworker);

class SettingsDeskTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(testing::FlushRedis().ok());
    pool_ = kpr::testing::HarnessRedisPool();
    store_ = std::make_unique<SettingsStore>(*pool_, [] { return kNow; });
    desk_ = std::make_unique<SettingsDesk>(*store_, [] { return kNow; });
  }

  static v1::UpsertTemplateRequest Upsert(const std::string& sms, int64_t expected_version) {
    v1::UpsertTemplateRequest r;
    *r.mutable_template_() = DefaultTemplate(kM, v1::TRIGGER_SESSION_REMINDER, v1::LANGUAGE_DA);
    r.mutable_template_()->set_sms_text(sms);
    r.mutable_template_()->set_version(99);            // set by the service
    r.mutable_template_()->set_shipped_default(true);  // likewise
    r.mutable_template_()->set_updated_by("someone-else");
    r.set_expected_version(expected_version);
    return r;
  }

  static v1::SetPreferencesRequest NoSms(int64_t expected_version,
                                         const std::string& referral = kReferral) {
    v1::SetPreferencesRequest r;
    r.mutable_preferences()->set_referral_id(referral);
    r.mutable_preferences()->set_sms_opted_out(true);
    r.set_expected_version(expected_version);
    return r;
  }

  static v1::SetReminderOffsetsRequest SetOffsets(const std::string& program,
                                                  std::vector<int64_t> seconds,
                                                  int64_t expected_version) {
    v1::SetReminderOffsetsRequest r;
    r.mutable_reminder_offsets()->set_municipality(kM);
    r.mutable_reminder_offsets()->set_program_id(program);
    for (int64_t s : seconds) r.mutable_reminder_offsets()->add_offsets()->set_seconds(s);
    r.set_expected_version(expected_version);
    return r;
  }

  std::unique_ptr<store::RedisPool> pool_;
  std::unique_ptr<SettingsStore> store_;
  std::unique_ptr<SettingsDesk> desk_;
};

TEST_F(SettingsDeskTest, ACaseworkerRecordsANoSmsWishAndAStaleOneIsAborted) {
  v1::GetPreferencesRequest get;
  get.set_referral_id(kReferral);
  auto before = desk_->GetPreferences(get, kCaseworker);
  ASSERT_TRUE(before.ok()) << before.status();
  EXPECT_EQ(before->version(), 0);
  EXPECT_FALSE(before->sms_opted_out());

  auto saved = desk_->SetPreferences(NoSms(0), kCaseworker);
  ASSERT_TRUE(saved.ok()) << saved.status();
  EXPECT_EQ(saved->version(), 1);
  EXPECT_TRUE(saved->sms_opted_out());
  EXPECT_EQ(saved->updated_at().seconds(), absl::ToUnixSeconds(kNow));

  auto stale = desk_->SetPreferences(NoSms(0), kCoordinator);
  EXPECT_EQ(stale.status().code(), absl::StatusCode::kAborted);

  auto after = desk_->GetPreferences(get, kCoordinator);
  ASSERT_TRUE(after.ok()) << after.status();
  EXPECT_TRUE(after->sms_opted_out());
  EXPECT_EQ(after->version(), 1);
}

TEST_F(SettingsDeskTest, PreferencesBelongToTheReferralsMunicipality) {
  // A caseworker of 0183 asking about a 0165 referral.
  v1::GetPreferencesRequest get;
  get.set_referral_id(kReferral);
  auto other = desk_->GetPreferences(get, As(identity::Role::kCaseworker, "0183"));
  EXPECT_EQ(other.status().code(), absl::StatusCode::kPermissionDenied);
  EXPECT_EQ(
      desk_->SetPreferences(NoSms(0), As(identity::Role::kCaseworker, "0183")).status().code(),
      absl::StatusCode::kPermissionDenied);
  // Admins keep settings, not a citizen's wishes.
  EXPECT_EQ(desk_->GetPreferences(get, kAdmin).status().code(),
            absl::StatusCode::kPermissionDenied);
  // An id without a municipality is refused, naming the field.
  auto malformed = desk_->SetPreferences(NoSms(0, "A-1"), kCaseworker);
  EXPECT_EQ(malformed.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_TRUE(absl::StartsWith(malformed.status().message(), "preferences.referral_id:"))
      << malformed.status();
  EXPECT_EQ(pool_->Command({"DBSIZE"})->integer(), 0);
}

TEST_F(SettingsDeskTest, UpsertTemplateSavesAsTheCallerAndRefusesAStaleVersion) {
  auto saved =
      desk_->UpsertTemplate(Upsert("Hej {first_name}, vi ses {session_start}.", 0), kAdmin);
  ASSERT_TRUE(saved.ok()) << saved.status();
  EXPECT_EQ(saved->version(), 1);
  EXPECT_FALSE(saved->shipped_default());
  EXPECT_EQ(saved->updated_by(), "admin-1");
  EXPECT_EQ(saved->updated_at().seconds(), absl::ToUnixSeconds(kNow));

  auto conflict = desk_->UpsertTemplate(Upsert("Hej {first_name}.", 0), kCoordinator);
  EXPECT_EQ(conflict.status().code(), absl::StatusCode::kAborted);
  EXPECT_TRUE(absl::StrContains(conflict.status().message(), "at version 1, not 0"))
      << conflict.status();

  auto next = desk_->UpsertTemplate(Upsert("Hej {first_name}.", 1), kCoordinator);
  ASSERT_TRUE(next.ok()) << next.status();
  EXPECT_EQ(next->version(), 2);
  EXPECT_EQ(next->updated_by(), "coordinator-1");
}

TEST_F(SettingsDeskTest, AnUnknownPlaceholderIsRefusedNamingTheField) {
  auto bad =
      desk_->UpsertTemplate(Upsert("Hej {first_name}, din score er {who5_score}", 0), kCoordinator);
  EXPECT_EQ(bad.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_TRUE(
      absl::StartsWith(bad.status().message(), "template.sms_text: placeholder {who5_score}"))
      << bad.status();
  auto unknown = desk_->UpsertTemplate(Upsert("Hej {fornavn}", 0), kCoordinator);
  EXPECT_EQ(unknown.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_TRUE(absl::StrContains(unknown.status().message(),
                                "template.sms_text: unknown placeholder {fornavn}"))
      << unknown.status();
  EXPECT_EQ(pool_->Command({"DBSIZE"})->integer(), 0);
}

TEST_F(SettingsDeskTest, TemplatesAreOnlyForTheCallersMunicipalityAndRoles) {
  const identity::Caller elsewhere = As(identity::Role::kCoordinator, "0183");
  EXPECT_EQ(desk_->UpsertTemplate(Upsert("Hej", 0), elsewhere).status().code(),
            absl::StatusCode::kPermissionDenied);
  v1::ListTemplatesRequest list;
  list.set_municipality(kM);
  EXPECT_EQ(desk_->ListTemplates(list, elsewhere).status().code(),
            absl::StatusCode::kPermissionDenied);
  EXPECT_EQ(desk_->ListTemplates(list, kCaseworker).status().code(),
            absl::StatusCode::kPermissionDenied);
  EXPECT_EQ(desk_->ListTemplates(list, As(identity::Role::kInstructor)).status().code(),
            absl::StatusCode::kPermissionDenied);
}

TEST_F(SettingsDeskTest, ListTemplatesShowsTheDefaultsThenTheSavedOne) {
  v1::ListTemplatesRequest list;
  list.set_municipality(kM);
  auto defaults = desk_->ListTemplates(list, kCoordinator);
  ASSERT_TRUE(defaults.ok()) << defaults.status();
  ASSERT_EQ(defaults->templates_size(), static_cast<int>(2 * AllTriggers().size()));
  for (const v1::Template& t : defaults->templates()) {
    EXPECT_TRUE(t.shipped_default());
    EXPECT_EQ(t.version(), 0);
  }

  ASSERT_TRUE(desk_->UpsertTemplate(Upsert("Hej {first_name}, vi ses.", 0), kCoordinator).ok());
  list.set_trigger(v1::TRIGGER_SESSION_REMINDER);
  auto reminders = desk_->ListTemplates(list, kAdmin);
  ASSERT_TRUE(reminders.ok()) << reminders.status();
  ASSERT_EQ(reminders->templates_size(), 2);
  const v1::Template& da = reminders->templates(0);
  EXPECT_EQ(da.language(), v1::LANGUAGE_DA);
  EXPECT_FALSE(da.shipped_default());
  EXPECT_EQ(da.version(), 1);
  EXPECT_EQ(da.sms_text(), "Hej {first_name}, vi ses.");
  const v1::Template& en = reminders->templates(1);
  EXPECT_EQ(en.language(), v1::LANGUAGE_EN);
  EXPECT_TRUE(en.shipped_default());

  list.set_trigger(static_cast<v1::Trigger>(99));
  auto bad = desk_->ListTemplates(list, kCoordinator);
  EXPECT_EQ(bad.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(bad.status().message(), "trigger: is not a trigger");
}

TEST_F(SettingsDeskTest, PreviewOfTheDanishDefaultIsOneGsm7Part) {
  v1::PreviewMessageRequest preview;
  preview.set_municipality(kM);
  preview.set_trigger(v1::TRIGGER_SESSION_REMINDER);
  preview.set_language(v1::LANGUAGE_DA);
  auto out = desk_->PreviewMessage(preview, kAdmin);
  ASSERT_TRUE(out.ok()) << out.status();
  EXPECT_EQ(out->sms_encoding(), v1::SMS_ENCODING_GSM7);
  EXPECT_EQ(out->sms_segments(), 1);
  EXPECT_GT(out->sms_units(), 0);
  EXPECT_LE(out->sms_units(), 160);
  EXPECT_TRUE(absl::StartsWith(out->sms_text(), "Hej ")) << out->sms_text();
  EXPECT_FALSE(absl::StrContains(out->sms_text(), "{")) << out->sms_text();
  EXPECT_TRUE(out->warnings().empty());

  // A saved template is what is previewed next.
  ASSERT_TRUE(desk_->UpsertTemplate(Upsert("Hej {first_name}, vi ses.", 0), kCoordinator).ok());
  auto saved = desk_->PreviewMessage(preview, kCoordinator);
  ASSERT_TRUE(saved.ok()) << saved.status();
  EXPECT_TRUE(absl::EndsWith(saved->sms_text(), ", vi ses.")) << saved->sms_text();
}

TEST_F(SettingsDeskTest, PreviewOfADraftSaysWhatCostsMore) {
  v1::PreviewMessageRequest preview;
  preview.set_municipality(kM);
  preview.set_trigger(v1::TRIGGER_SESSION_REMINDER);
  preview.set_language(v1::LANGUAGE_DA);
  // A typographic apostrophe forces UCS-2; repeated, the text needs several parts.
  std::string sms = "Hej {first_name}. ";
  for (int i = 0; i < 10; ++i) sms += "Vi ses til {activity} \xE2\x80\x99";
  preview.mutable_draft()->set_sms_text(sms);
  auto out = desk_->PreviewMessage(preview, kCoordinator);
  ASSERT_TRUE(out.ok()) << out.status();
  EXPECT_EQ(out->sms_encoding(), v1::SMS_ENCODING_UCS2);
  EXPECT_GT(out->sms_segments(), 2);
  bool names_ucs2 = false, names_parts = false;
  for (const std::string& w : out->warnings()) {
    names_ucs2 |= absl::StrContains(w, "UCS-2");
    names_parts |= absl::StrContains(w, "parts and every part is billed");
  }
  EXPECT_TRUE(names_ucs2);
  EXPECT_TRUE(names_parts);

  preview.mutable_draft()->set_sms_text("Hej {efternavn}");
  auto bad = desk_->PreviewMessage(preview, kCoordinator);
  EXPECT_EQ(bad.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_TRUE(absl::StartsWith(bad.status().message(), "draft.sms_text: unknown placeholder"))
      << bad.status();

  preview.clear_trigger();
  EXPECT_EQ(desk_->PreviewMessage(preview, kCoordinator).status().message(),
            "trigger: is required");
  EXPECT_EQ(desk_->PreviewMessage(preview, kCaseworker).status().code(),
            absl::StatusCode::kPermissionDenied);
}

TEST_F(SettingsDeskTest, ReminderOffsetsAreCheckedSavedLongestFirstAndShownInForce) {
  v1::GetReminderOffsetsRequest get;
  get.set_municipality(kM);
  get.set_program_id("yoga");
  auto kpr_default = desk_->GetReminderOffsets(get, kAdmin);
  ASSERT_TRUE(kpr_default.ok()) << kpr_default.status();
  EXPECT_EQ(kpr_default->version(), 0);
  EXPECT_EQ(kpr_default->program_id(), "yoga");
  ASSERT_EQ(kpr_default->offsets_size(), 2);
  EXPECT_EQ(kpr_default->offsets(0).seconds(), 24 * 3600);
  EXPECT_EQ(kpr_default->offsets(1).seconds(), 2 * 3600);

  auto bad = desk_->SetReminderOffsets(SetOffsets("", {3600, 0}, 0), kAdmin);
  EXPECT_EQ(bad.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_TRUE(absl::StrContains(bad.status().message(), "reminder_offsets.offsets[1]"))
      << bad.status();

  auto m_default = desk_->SetReminderOffsets(SetOffsets("", {3600, 3 * 86400}, 0), kAdmin);
  ASSERT_TRUE(m_default.ok()) << m_default.status();
  EXPECT_EQ(m_default->version(), 1);
  ASSERT_EQ(m_default->offsets_size(), 2);
  EXPECT_EQ(m_default->offsets(0).seconds(), 3 * 86400) << "saved longest first";

  // The program has none of its own: the municipality's are in force, at version 0.
  auto in_force = desk_->GetReminderOffsets(get, kCoordinator);
  ASSERT_TRUE(in_force.ok()) << in_force.status();
  EXPECT_EQ(in_force->version(), 0);
  ASSERT_EQ(in_force->offsets_size(), 2);
  EXPECT_EQ(in_force->offsets(0).seconds(), 3 * 86400);

  ASSERT_TRUE(desk_->SetReminderOffsets(SetOffsets("yoga", {1800}, 0), kCoordinator).ok());
  EXPECT_EQ(desk_->SetReminderOffsets(SetOffsets("yoga", {900}, 0), kCoordinator).status().code(),
            absl::StatusCode::kAborted);
  auto own = desk_->GetReminderOffsets(get, kCoordinator);
  ASSERT_TRUE(own.ok());
  EXPECT_EQ(own->version(), 1);
  ASSERT_EQ(own->offsets_size(), 1);
  EXPECT_EQ(own->offsets(0).seconds(), 1800);

  get.set_program_id("yoga hold");
  auto malformed = desk_->GetReminderOffsets(get, kCoordinator);
  EXPECT_EQ(malformed.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_TRUE(absl::StartsWith(malformed.status().message(), "program_id:")) << malformed.status();
  EXPECT_EQ(desk_->SetReminderOffsets(SetOffsets("", {3600}, 1), kCaseworker).status().code(),
            absl::StatusCode::kPermissionDenied);
}

TEST_F(SettingsDeskTest, TheCoordinatorContactIsAPlainAddress) {
  v1::GetCoordinatorContactRequest get;
  get.set_municipality(kM);
  auto none = desk_->GetCoordinatorContact(get, kAdmin);
  ASSERT_TRUE(none.ok()) << none.status();
  EXPECT_EQ(none->email(), "");
  EXPECT_EQ(none->version(), 0);

  v1::SetCoordinatorContactRequest set;
  set.set_municipality(kM);
  set.set_email("Koordinator <koordinator@kommune.example>");
  auto bad = desk_->SetCoordinatorContact(set, kAdmin);
  EXPECT_EQ(bad.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_TRUE(absl::StartsWith(bad.status().message(), "email:")) << bad.status();

  set.set_email(" koordinator@kommune.example ");
  auto saved = desk_->SetCoordinatorContact(set, kAdmin);
  ASSERT_TRUE(saved.ok()) << saved.status();
  EXPECT_EQ(saved->email(), "koordinator@kommune.example");
  EXPECT_EQ(saved->version(), 1);
  EXPECT_EQ(desk_->SetCoordinatorContact(set, kCoordinator).status().code(),
            absl::StatusCode::kAborted);
  auto got = desk_->GetCoordinatorContact(get, kCoordinator);
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(got->email(), "koordinator@kommune.example");

  EXPECT_EQ(desk_->GetCoordinatorContact(get, kCaseworker).status().code(),
            absl::StatusCode::kPermissionDenied);
  EXPECT_EQ(desk_->GetCoordinatorContact(get, As(identity::Role::kAdmin, "0183")).status().code(),
            absl::StatusCode::kPermissionDenied);
}

}  // namespace
}  // namespace kpr::notify
