#include "services/notify/settings_desk.h"

#include <string>
#include <utility>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "libs/identity/municipality.h"
#include "libs/validation/field_violations.h"
#include "services/notify/default_templates.h"
#include "services/notify/message_template.h"
#include "services/notify/notify_access_policy.h"
#include "services/notify/reminder_offsets.h"
#include "services/notify/settings_rules.h"

namespace kpr::notify {
namespace {

// A referral's municipality, from its id; INVALID_ARGUMENT naming `field` when it has none.
absl::StatusOr<std::string> MunicipalityOfReferral(const std::string& referral_id,
                                                   absl::string_view field) {
  std::string m = identity::MunicipalityOfId(referral_id);
  if (m.empty()) {
    return absl::InvalidArgumentError(
        absl::StrCat(field, ": must be a referral id, starting with its municipality"));
  }
  return m;
}

absl::Status CheckExpectedVersion(int64_t expected_version) {
  if (expected_version >= 0) return absl::OkStatus();
  return absl::InvalidArgumentError(
      "expected_version: must be the version read, or 0 for the first save");
}

// The trigger and language a request names: a trigger kpr knows (or, unless `trigger_required`,
// none: every trigger) and Danish, English or none.
absl::Status CheckTriggerAndLanguage(v1::Trigger trigger, v1::Language language,
                                     bool trigger_required) {
  validation::ViolationCollector out;
  if (trigger == v1::TRIGGER_UNSPECIFIED ? trigger_required : !v1::Trigger_IsValid(trigger)) {
    out.Add("trigger", trigger == v1::TRIGGER_UNSPECIFIED ? "is required" : "is not a trigger");
  }
  if (!v1::Language_IsValid(language)) out.Add("language", "must be LANGUAGE_DA or LANGUAGE_EN");
  return validation::ViolationsToStatus(out.Take());
}

}  // namespace

absl::StatusOr<v1::Preferences> SettingsDesk::GetPreferences(
    const v1::GetPreferencesRequest& request, const identity::Caller& caller) {
  auto m = MunicipalityOfReferral(request.referral_id(), "referral_id");
  if (!m.ok()) return m.status();
  if (auto s = AuthorizeNotify(NotifyRpc::kGetPreferences, caller.claims, *m); !s.ok()) return s;
  return store_.GetPreferences(*m, request.referral_id());
}

absl::StatusOr<v1::Preferences> SettingsDesk::SetPreferences(
    const v1::SetPreferencesRequest& request, const identity::Caller& caller) {
  const v1::Preferences& p = request.preferences();
  auto m = MunicipalityOfReferral(p.referral_id(), "preferences.referral_id");
  if (!m.ok()) return m.status();
  if (auto s = AuthorizeNotify(NotifyRpc::kSetPreferences, caller.claims, *m); !s.ok()) return s;
  if (auto s = CheckExpectedVersion(request.expected_version()); !s.ok()) return s;
  v1::Preferences save;
  save.set_referral_id(p.referral_id());
  save.set_sms_opted_out(p.sms_opted_out());
  save.set_email_opted_out(p.email_opted_out());
  return store_.PutPreferences(*m, save, request.expected_version());
}

absl::StatusOr<v1::Template> SettingsDesk::UpsertTemplate(const v1::UpsertTemplateRequest& request,
                                                          const identity::Caller& caller) {
  v1::Template t = request.template_();
  if (auto s = AuthorizeNotify(NotifyRpc::kUpsertTemplate, caller.claims, t.municipality());
      !s.ok()) {
    return s;
  }
  if (auto s = CheckTemplate(t, "template."); !s.ok()) return s;
  if (auto s = CheckExpectedVersion(request.expected_version()); !s.ok()) return s;
  // What the service sets, whatever the request said.
  t.set_shipped_default(false);
  t.set_updated_by(caller.claims.subject);
  return store_.PutTemplate(t, request.expected_version());
}

absl::StatusOr<v1::ListTemplatesResponse> SettingsDesk::ListTemplates(
    const v1::ListTemplatesRequest& request, const identity::Caller& caller) {
  const std::string& m = request.municipality();
  if (auto s = AuthorizeNotify(NotifyRpc::kListTemplates, caller.claims, m); !s.ok()) return s;
  if (auto s = CheckTriggerAndLanguage(request.trigger(), request.language(), false); !s.ok()) {
    return s;
  }
  auto saved = store_.ListSavedTemplates(m);
  if (!saved.ok()) return saved.status();
  v1::ListTemplatesResponse out;
  for (v1::Template& t : TemplatesInForce(m, *saved, request.trigger(), request.language())) {
    *out.add_templates() = std::move(t);
  }
  return out;
}

absl::StatusOr<v1::PreviewMessageResponse> SettingsDesk::PreviewMessage(
    const v1::PreviewMessageRequest& request, const identity::Caller& caller) {
  const std::string& m = request.municipality();
  if (auto s = AuthorizeNotify(NotifyRpc::kPreviewMessage, caller.claims, m); !s.ok()) return s;
  if (auto s = CheckTriggerAndLanguage(request.trigger(), request.language(), true); !s.ok()) {
    return s;
  }
  const v1::Language language =
      request.language() == v1::LANGUAGE_UNSPECIFIED ? v1::LANGUAGE_DA : request.language();
  v1::Template t;
  const bool draft = request.has_draft();
  if (draft) {
    // The draft stands for the request's municipality, trigger and language, whatever it says.
    t = request.draft();
    t.set_municipality(m);
    t.set_trigger(request.trigger());
    t.set_language(language);
  } else {
    auto in_force = store_.TemplateFor(m, request.trigger(), language);
    if (!in_force.ok()) return in_force.status();
    t = *std::move(in_force);
  }
  return PreviewOf(t, ExampleValues(m, request.trigger(), language),
                   draft ? "draft." : "template.");
}

absl::StatusOr<v1::ReminderOffsets> SettingsDesk::SetReminderOffsets(
    const v1::SetReminderOffsetsRequest& request, const identity::Caller& caller) {
  const v1::ReminderOffsets& r = request.reminder_offsets();
  if (auto s = AuthorizeNotify(NotifyRpc::kSetReminderOffsets, caller.claims, r.municipality());
      !s.ok()) {
    return s;
  }
  auto offsets = CheckReminderOffsets(r, "reminder_offsets.");
  if (!offsets.ok()) return offsets.status();
  if (auto s = CheckExpectedVersion(request.expected_version()); !s.ok()) return s;
  // Saved as they are read back and used: longest first.
  return store_.PutReminderOffsets(OffsetsInForce(r.municipality(), r.program_id(), *offsets),
                                   request.expected_version());
}

absl::StatusOr<v1::ReminderOffsets> SettingsDesk::GetReminderOffsets(
    const v1::GetReminderOffsetsRequest& request, const identity::Caller& caller) {
  const std::string& m = request.municipality();
  if (auto s = AuthorizeNotify(NotifyRpc::kGetReminderOffsets, caller.claims, m); !s.ok()) {
    return s;
  }
  // The program id as SetReminderOffsets would take it (no offsets: nothing else to check).
  if (auto s = CheckReminderOffsets(OffsetsInForce(m, request.program_id(), {})).status();
      !s.ok()) {
    return s;
  }
  auto saved = store_.GetReminderOffsets(m, request.program_id());
  if (!saved.ok()) return saved.status();
  if (*saved) return std::move(**saved);
  auto in_force = store_.OffsetsFor(m, request.program_id());
  if (!in_force.ok()) return in_force.status();
  return OffsetsInForce(m, request.program_id(), *in_force);
}

absl::StatusOr<v1::CoordinatorContact> SettingsDesk::SetCoordinatorContact(
    const v1::SetCoordinatorContactRequest& request, const identity::Caller& caller) {
  const std::string& m = request.municipality();
  if (auto s = AuthorizeNotify(NotifyRpc::kSetCoordinatorContact, caller.claims, m); !s.ok()) {
    return s;
  }
  // Surrounding blanks are a paste, not part of the address.
  const absl::string_view email = absl::StripAsciiWhitespace(request.email());
  if (!IsPlainEmailAddress(email)) {
    return absl::InvalidArgumentError(
        "email: must be a plain e-mail address, e.g. koordinator@kommune.dk");
  }
  if (auto s = CheckExpectedVersion(request.expected_version()); !s.ok()) return s;
  v1::CoordinatorContact c;
  c.set_municipality(m);
  c.set_email(std::string(email));
  return store_.PutCoordinatorContact(c, request.expected_version());
}

absl::StatusOr<v1::CoordinatorContact> SettingsDesk::GetCoordinatorContact(
    const v1::GetCoordinatorContactRequest& request, const identity::Caller& caller) {
  const std::string& m = request.municipality();
  if (auto s = AuthorizeNotify(NotifyRpc::kGetCoordinatorContact, caller.claims, m); !s.ok()) {
    return s;
  }
  return store_.GetCoordinatorContact(m);
}

}  // namespace kpr::notify
