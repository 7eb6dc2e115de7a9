// The settings store against a real Redis: every record saves only at the version its writer
// read (ABORTED otherwise, nothing overwritten), reads fall back to kpr's defaults, and the keys
// are where the header says (in the municipality's slot).

#include <memory>
#include <string>
#include <vector>

#include "absl/time/time.h"
#include "gtest/gtest.h"
#include "services/notify/default_templates.h"
#include "services/notify/settings_store.h"
#include "tests/harness/servers.h"
#include "tests/support/redis_testing.h"

namespace kpr::notify {
namespace {

constexpr char kM[] = "0165";
const absl::Time kNow = absl::FromUnixSeconds(1'800'000'000);

class SettingsStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(testing::FlushRedis().ok());
    pool_ = kpr::testing::HarnessRedisPool();
    store_ = std::make_unique<SettingsStore>(*pool_, [] { return kNow; });
  }

  static v1::Template Own(v1::Trigger trigger, v1::Language language, const std::string& sms) {
    v1::Template t = DefaultTemplate(kM, trigger, language);
    t.set_shipped_default(false);
    t.set_sms_text(sms);
    t.set_updated_by("coordinator-1");
    return t;
  }

  static v1::ReminderOffsets Offsets(const std::string& program, std::vector<int> minutes) {
    v1::ReminderOffsets r;
    r.set_municipality(kM);
    r.set_program_id(program);
    for (int m : minutes) r.add_offsets()->set_seconds(m * 60);
    return r;
  }

  std::unique_ptr<store::RedisPool> pool_;
  std::unique_ptr<SettingsStore> store_;
};

TEST_F(SettingsStoreTest, ATemplateSavesAtTheVersionItsWriterRead) {
  auto first =
      store_->PutTemplate(Own(v1::TRIGGER_WELCOME, v1::LANGUAGE_DA, "Hej {first_name}"), 0);
  ASSERT_TRUE(first.ok()) << first.status();
  EXPECT_EQ(first->version(), 1);
  EXPECT_EQ(first->updated_at().seconds(), absl::ToUnixSeconds(kNow));
  EXPECT_EQ(first->sms_text(), "Hej {first_name}");

  // A second coordinator who also read "nothing saved" loses, and is told so.
  auto stale = store_->PutTemplate(Own(v1::TRIGGER_WELCOME, v1::LANGUAGE_DA, "Goddag"), 0);
  EXPECT_EQ(stale.status().code(), absl::StatusCode::kAborted);
  EXPECT_EQ(stale.status().message(),
            "template TRIGGER_WELCOME LANGUAGE_DA of 0165 changed meanwhile: it is at version 1, "
            "not 0; read it again");

  auto second = store_->PutTemplate(Own(v1::TRIGGER_WELCOME, v1::LANGUAGE_DA, "Goddag"), 1);
  ASSERT_TRUE(second.ok()) << second.status();
  EXPECT_EQ(second->version(), 2);

  auto got = store_->GetTemplate(kM, v1::TRIGGER_WELCOME, v1::LANGUAGE_DA);
  ASSERT_TRUE(got.ok()) << got.status();
  ASSERT_TRUE(got->has_value());
  EXPECT_EQ((*got)->version(), 2);
  EXPECT_EQ((*got)->sms_text(), "Goddag");
  EXPECT_EQ((*got)->updated_by(), "coordinator-1");

  // Stored as the header says: "<version>:" + bytes, under the municipality's tag.
  auto raw = pool_->Command({"GET", "kpr:{0165}:notify:tpl:1:1"});
  ASSERT_TRUE(raw.ok()) << raw.status();
  EXPECT_EQ(raw->str().substr(0, 2), "2:");
  auto members = pool_->Command({"SMEMBERS", "kpr:{0165}:notify:tpls"});
  ASSERT_TRUE(members.ok());
  ASSERT_EQ(members->size(), 1u);
  EXPECT_EQ(members->element(0).str(), "1:1");
}

TEST_F(SettingsStoreTest, TemplateForFallsBackToTheShippedDefault) {
  auto none = store_->GetTemplate(kM, v1::TRIGGER_SESSION_REMINDER, v1::LANGUAGE_EN);
  ASSERT_TRUE(none.ok());
  EXPECT_FALSE(none->has_value());
  auto fallback = store_->TemplateFor(kM, v1::TRIGGER_SESSION_REMINDER, v1::LANGUAGE_EN);
  ASSERT_TRUE(fallback.ok()) << fallback.status();
  EXPECT_TRUE(fallback->shipped_default());
  EXPECT_EQ(fallback->version(), 0);
  EXPECT_EQ(fallback->sms_text(),
            DefaultTemplate(kM, v1::TRIGGER_SESSION_REMINDER, v1::LANGUAGE_EN).sms_text());

  ASSERT_TRUE(
      store_->PutTemplate(Own(v1::TRIGGER_SESSION_REMINDER, v1::LANGUAGE_DA, "Vi ses"), 0).ok());
  auto own = store_->TemplateFor(kM, v1::TRIGGER_SESSION_REMINDER, v1::LANGUAGE_UNSPECIFIED);
  ASSERT_TRUE(own.ok()) << own.status();
  EXPECT_FALSE(own->shipped_default());
  EXPECT_EQ(own->sms_text(), "Vi ses") << "an unspecified language reads as Danish";
  // English is still the default: saving one language does not touch the other.
  auto english = store_->TemplateFor(kM, v1::TRIGGER_SESSION_REMINDER, v1::LANGUAGE_EN);
  ASSERT_TRUE(english.ok());
  EXPECT_TRUE(english->shipped_default());
  // Another municipality sees none of it.
  auto other = store_->TemplateFor("0183", v1::TRIGGER_SESSION_REMINDER, v1::LANGUAGE_DA);
  ASSERT_TRUE(other.ok());
  EXPECT_TRUE(other->shipped_default());
}

TEST_F(SettingsStoreTest, SavedTemplatesAreListedByTriggerThenLanguage) {
  ASSERT_TRUE(store_->PutTemplate(Own(v1::TRIGGER_WAITLISTED, v1::LANGUAGE_EN, "c"), 0).ok());
  ASSERT_TRUE(store_->PutTemplate(Own(v1::TRIGGER_WELCOME, v1::LANGUAGE_EN, "b"), 0).ok());
  ASSERT_TRUE(store_->PutTemplate(Own(v1::TRIGGER_WELCOME, v1::LANGUAGE_DA, "a"), 0).ok());
  ASSERT_TRUE(store_->PutTemplate(Own(v1::TRIGGER_WELCOME, v1::LANGUAGE_DA, "a2"), 1).ok());
  auto list = store_->ListSavedTemplates(kM);
  ASSERT_TRUE(list.ok()) << list.status();
  ASSERT_EQ(list->size(), 3u);
  EXPECT_EQ((*list)[0].sms_text(), "a2");
  EXPECT_EQ((*list)[0].version(), 2);
  EXPECT_EQ((*list)[1].sms_text(), "b");
  EXPECT_EQ((*list)[2].sms_text(), "c");
  auto empty = store_->ListSavedTemplates("0183");
  ASSERT_TRUE(empty.ok());
  EXPECT_TRUE(empty->empty());
}

TEST_F(SettingsStoreTest, PreferencesDefaultToNothingOptedOutAndComeManyAtOnce) {
  auto none = store_->GetPreferences(kM, "0165-A");
  ASSERT_TRUE(none.ok()) << none.status();
  EXPECT_EQ(none->referral_id(), "0165-A");
  EXPECT_EQ(none->version(), 0);
  EXPECT_FALSE(none->sms_opted_out());

  v1::Preferences p;
  p.set_referral_id("0165-B");
  p.set_sms_opted_out(true);
  auto saved = store_->PutPreferences(kM, p, 0);
  ASSERT_TRUE(saved.ok()) << saved.status();
  EXPECT_EQ(saved->version(), 1);
  EXPECT_EQ(saved->updated_at().seconds(), absl::ToUnixSeconds(kNow));
  EXPECT_EQ(store_->PutPreferences(kM, p, 0).status().code(), absl::StatusCode::kAborted);

  auto many = store_->GetManyPreferences(kM, {"0165-A", "0165-B", "0165-C"});
  ASSERT_TRUE(many.ok()) << many.status();
  ASSERT_EQ(many->size(), 3u);
  EXPECT_EQ((*many)[0].referral_id(), "0165-A");
  EXPECT_FALSE((*many)[0].sms_opted_out());
  EXPECT_EQ((*many)[1].referral_id(), "0165-B");
  EXPECT_TRUE((*many)[1].sms_opted_out());
  EXPECT_EQ((*many)[1].version(), 1);
  EXPECT_EQ((*many)[2].version(), 0);
  auto empty = store_->GetManyPreferences(kM, {});
  ASSERT_TRUE(empty.ok());
  EXPECT_TRUE(empty->empty());
}

TEST_F(SettingsStoreTest, OffsetsFallFromProgramToMunicipalityToKprsDefault) {
  auto kpr = store_->OffsetsFor(kM, "yoga");
  ASSERT_TRUE(kpr.ok()) << kpr.status();
  EXPECT_EQ(*kpr, (std::vector<absl::Duration>{absl::Hours(24), absl::Hours(2)}));

  auto m_default = store_->PutReminderOffsets(Offsets("", {60, 48 * 60}), 0);
  ASSERT_TRUE(m_default.ok()) << m_default.status();
  EXPECT_EQ(m_default->version(), 1);
  EXPECT_EQ(*store_->OffsetsFor(kM, "yoga"),
            (std::vector<absl::Duration>{absl::Hours(48), absl::Hours(1)}))
      << "longest first";
  EXPECT_EQ(*store_->OffsetsFor(kM, ""),
            (std::vector<absl::Duration>{absl::Hours(48), absl::Hours(1)}));

  ASSERT_TRUE(store_->PutReminderOffsets(Offsets("yoga", {30}), 0).ok());
  EXPECT_EQ(*store_->OffsetsFor(kM, "yoga"), (std::vector<absl::Duration>{absl::Minutes(30)}));
  EXPECT_EQ(*store_->OffsetsFor(kM, "dans"),
            (std::vector<absl::Duration>{absl::Hours(48), absl::Hours(1)}));

  // A program that wants no reminders keeps none: an empty list does not fall back.
  ASSERT_TRUE(store_->PutReminderOffsets(Offsets("dans", {}), 0).ok());
  EXPECT_TRUE(store_->OffsetsFor(kM, "dans")->empty());

  auto yoga = store_->GetReminderOffsets(kM, "yoga");
  ASSERT_TRUE(yoga.ok() && yoga->has_value());
  EXPECT_EQ((*yoga)->version(), 1);
  EXPECT_EQ(store_->PutReminderOffsets(Offsets("yoga", {45}), 0).status().code(),
            absl::StatusCode::kAborted);
  EXPECT_EQ(pool_->Command({"EXISTS", "kpr:{0165}:notify:offsets:*"})->integer(), 1);
  EXPECT_FALSE(store_->GetReminderOffsets(kM, "svoemning")->has_value());
}

TEST_F(SettingsStoreTest, TheCoordinatorContactIsEmptyUntilSet) {
  auto none = store_->GetCoordinatorContact(kM);
  ASSERT_TRUE(none.ok()) << none.status();
  EXPECT_EQ(none->municipality(), kM);
  EXPECT_EQ(none->email(), "");
  EXPECT_EQ(none->version(), 0);
  v1::CoordinatorContact c;
  c.set_municipality(kM);
  c.set_email("koordinator@kommune.example");
  ASSERT_TRUE(store_->PutCoordinatorContact(c, 0).ok());
  c.set_email("ny@kommune.example");
  EXPECT_EQ(store_->PutCoordinatorContact(c, 0).status().code(), absl::StatusCode::kAborted);
  auto saved = store_->PutCoordinatorContact(c, 1);
  ASSERT_TRUE(saved.ok()) << saved.status();
  EXPECT_EQ(saved->version(), 2);
  auto got = store_->GetCoordinatorContact(kM);
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(got->email(), "ny@kommune.example");
  EXPECT_EQ(got->version(), 2);
  EXPECT_EQ(got->updated_at().seconds(), absl::ToUnixSeconds(kNow));
}

TEST_F(SettingsStoreTest, OnlyMunicipalityCodesMakeKeys) {
  EXPECT_EQ(store_->GetCoordinatorContact("165").status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(store_->ListSavedTemplates("0165}x").status().code(),
            absl::StatusCode::kInvalidArgument);
  v1::Template t = Own(v1::TRIGGER_WELCOME, v1::LANGUAGE_DA, "x");
  t.set_municipality("");
  EXPECT_EQ(store_->PutTemplate(t, 0).status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(pool_->Command({"DBSIZE"})->integer(), 0);
}

TEST_F(SettingsStoreTest, AValueThatIsNoRecordIsDataLossNotAnOverwrite) {
  ASSERT_TRUE(pool_->Command({"SET", "kpr:{0165}:notify:coordinator", "garbage"}).ok());
  EXPECT_EQ(store_->GetCoordinatorContact(kM).status().code(), absl::StatusCode::kDataLoss);
  v1::CoordinatorContact c;
  c.set_municipality(kM);
  c.set_email("a@b.example");
  EXPECT_EQ(store_->PutCoordinatorContact(c, 0).status().code(), absl::StatusCode::kDataLoss);
  EXPECT_EQ(pool_->Command({"GET", "kpr:{0165}:notify:coordinator"})->str(), "garbage");
}

}  // namespace
}  // namespace kpr::notify
