#include "tools/kprctl/notify_args.h"

#include <algorithm>
#include <utility>

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "google/protobuf/generated_enum_reflection.h"
#include "tools/kprctl/command_group.h"
#include "tools/kprctl/short_enum.h"
#include "tools/kprctl/value_args.h"

namespace kpr::kprctl {
namespace {

const CommandGroup& Notify() {
  static const auto* group = new CommandGroup{
      "notify",
      "notify-addr",
      "KPR_NOTIFY_ADDR",
      {
          {"deliveries", {}},
          {"preferences", {"get", "set"}},
          {"templates", {"list", "upsert"}},
          {"preview", {}},
          {"send", {}},
          {"reminder-offsets", {"get", "set"}},
          {"coordinator", {"get", "set"}},
      },
      {
          {"deliveries",
           {"municipality", "referral", "cohort", "status", "page-size", "page-token"}},
          {"preferences get", {"referral"}},
          {"preferences set", {"referral", "sms-opt-out", "email-opt-out", "expected-version"}},
          {"templates list", {"municipality", "trigger", "language"}},
          {"templates upsert",
           {"municipality", "trigger", "language", "sms-text", "email-subject", "email-text",
            "email-html", "expected-version"}},
          {"preview",
           {"municipality", "trigger", "language", "sms-text", "email-subject", "email-text",
            "email-html"}},
          {"send", {"municipality", "request-id", "referral", "cohort", "text"}},
          {"reminder-offsets get", {"municipality", "program"}},
          {"reminder-offsets set", {"municipality", "program", "offsets", "expected-version"}},
          {"coordinator get", {"municipality"}},
          {"coordinator set", {"municipality", "email", "expected-version"}},
      },
      {"json", "help"},
  };
  return *group;
}

// The short names of an enum's values, for error messages: "welcome, cohort_information, ...".
template <typename Enum>
std::string Choices(absl::string_view prefix) {
  const auto* d = google::protobuf::GetEnumDescriptor<Enum>();
  std::vector<std::string> names;
  for (int i = 0; i < d->value_count(); ++i) {
    if (d->value(i)->number() != 0) names.push_back(ShortEnumName(d->value(i)->name(), prefix));
  }
  return absl::StrJoin(names, ", ");
}

template <typename Enum, typename ParseFn>
absl::StatusOr<Enum> ParseNamed(const std::string& value, const std::string& flag, ParseFn parse,
                                absl::string_view prefix) {
  std::optional<Enum> e = ParseShortEnum<Enum>(value, parse, prefix);
  if (!e) {
    return FlagError(
        flag, absl::StrCat("expected one of ", Choices<Enum>(prefix), ", got '", value, "'"));
  }
  return *e;
}

// --expected-version, which every save needs: the version it replaces, 0 for the first.
absl::StatusOr<int64_t> ExpectedVersion(const ParsedArgs& a, const std::string& command,
                                        const std::string& get_command) {
  if (!a.Has("expected-version")) {
    return absl::InvalidArgumentError(
        absl::StrCat("notify ", command, " needs --expected-version N: the version `kprctl notify ",
                     get_command, "` shows, 0 for the first save"));
  }
  return ParseInteger(a.Get("expected-version"), "expected-version", 0, INT64_MAX);
}

// --municipality, --trigger and --language, which name a template.
absl::Status SetTemplateKey(const ParsedArgs& a, const std::string& command, nv1::Template* t) {
  KPRCTL_TRY(m, Need(a, command, "municipality"));
  KPRCTL_TRY(trigger_text, Need(a, command, "trigger"));
  KPRCTL_TRY(trigger, ParseTrigger(trigger_text, "trigger"));
  KPRCTL_TRY(language_text, Need(a, command, "language"));
  KPRCTL_TRY(language, ParseLanguage(language_text, "language"));
  t->set_municipality(m);
  t->set_trigger(trigger);
  t->set_language(language);
  return absl::OkStatus();
}

}  // namespace

// ---- Values -------------------------------------------------------------------------------

absl::StatusOr<nv1::Trigger> ParseTrigger(const std::string& value, const std::string& flag) {
  return ParseNamed<nv1::Trigger>(value, flag, nv1::Trigger_Parse, "TRIGGER_");
}

absl::StatusOr<nv1::Language> ParseLanguage(const std::string& value, const std::string& flag) {
  return ParseNamed<nv1::Language>(value, flag, nv1::Language_Parse, "LANGUAGE_");
}

absl::StatusOr<nv1::DeliveryStatus> ParseDeliveryStatus(const std::string& value,
                                                        const std::string& flag) {
  return ParseNamed<nv1::DeliveryStatus>(value, flag, nv1::DeliveryStatus_Parse,
                                         "DELIVERY_STATUS_");
}

absl::StatusOr<bool> ParseBool(const std::string& value, const std::string& flag) {
  std::string v = absl::AsciiStrToLower(absl::StripAsciiWhitespace(value));
  if (v == "true" || v == "yes") return true;
  if (v == "false" || v == "no") return false;
  return FlagError(flag, absl::StrCat("expected true or false, got '", value, "'"));
}

absl::StatusOr<std::vector<absl::Duration>> ParseOffsets(const std::string& value,
                                                         const std::string& flag) {
  std::vector<absl::Duration> offsets;
  std::string all(absl::StripAsciiWhitespace(value));
  if (all.empty() || absl::AsciiStrToLower(all) == "none") return offsets;
  for (absl::string_view part : absl::StrSplit(all, ',')) {
    std::string text(absl::StripAsciiWhitespace(part));
    absl::Duration d;
    if (!absl::ParseDuration(text, &d)) {
      return FlagError(flag,
                       absl::StrCat("expected offsets like 24h,2h (or none), got '", value, "'"));
    }
    if (d <= absl::ZeroDuration()) {
      return FlagError(flag, absl::StrCat("'", text, "' is not above zero"));
    }
    if (d != absl::Trunc(d, absl::Minutes(1))) {
      return FlagError(flag, absl::StrCat("'", text, "' is not whole minutes"));
    }
    if (std::find(offsets.begin(), offsets.end(), d) != offsets.end()) {
      return FlagError(flag, absl::StrCat(absl::FormatDuration(d), " is given twice"));
    }
    offsets.push_back(d);
  }
  return offsets;
}

// ---- Commands -----------------------------------------------------------------------------

bool IsNotifyCommand(const std::string& command) { return command == "notify"; }

const std::set<std::string>& NotifyOptions() {
  static const auto* options = new std::set<std::string>(GroupOptions(Notify()));
  return *options;
}

const std::set<std::string>& NotifyFlags() { return Notify().flags; }

absl::StatusOr<std::string> ResolveNotifyCommand(const ParsedArgs& args) {
  return ResolveGroupCommand(Notify(), args);
}

// ---- Requests -----------------------------------------------------------------------------

absl::StatusOr<nv1::ListDeliveriesRequest> BuildListDeliveries(const ParsedArgs& a) {
  KPRCTL_TRY(m, Need(a, "notify deliveries", "municipality"));
  nv1::ListDeliveriesRequest req;
  req.set_municipality(m);
  req.set_referral_id(a.Get("referral"));
  req.set_cohort_id(a.Get("cohort"));
  if (a.Has("status")) {
    KPRCTL_TRY(status, ParseDeliveryStatus(a.Get("status"), "status"));
    req.set_status(status);
  }
  if (req.referral_id().empty() && req.cohort_id().empty() && !a.Has("status")) {
    return absl::InvalidArgumentError(
        "notify deliveries needs a filter: --referral ID, --cohort ID and/or --status S");
  }
  if (a.Has("page-size")) {
    KPRCTL_TRY(size, ParseInteger(a.Get("page-size"), "page-size", 1, 500));
    req.set_page_size(static_cast<int32_t>(size));
  }
  req.set_page_token(a.Get("page-token"));
  return req;
}

absl::StatusOr<nv1::GetPreferencesRequest> BuildGetPreferences(const ParsedArgs& a) {
  KPRCTL_TRY(referral, Need(a, "notify preferences get", "referral"));
  nv1::GetPreferencesRequest req;
  req.set_referral_id(referral);
  return req;
}

absl::StatusOr<nv1::SetPreferencesRequest> BuildSetPreferences(const ParsedArgs& a,
                                                               const nv1::Preferences& current) {
  const std::string command = "preferences set";
  KPRCTL_TRY(referral, Need(a, "notify " + command, "referral"));
  if (!a.Has("sms-opt-out") && !a.Has("email-opt-out")) {
    return absl::InvalidArgumentError(
        "notify preferences set needs --sms-opt-out true|false and/or --email-opt-out "
        "true|false");
  }
  KPRCTL_TRY(version, ExpectedVersion(a, command, "preferences get"));
  nv1::SetPreferencesRequest req;
  nv1::Preferences& p = *req.mutable_preferences();
  p.set_referral_id(referral);
  p.set_sms_opted_out(current.sms_opted_out());
  p.set_email_opted_out(current.email_opted_out());
  if (a.Has("sms-opt-out")) {
    KPRCTL_TRY(out, ParseBool(a.Get("sms-opt-out"), "sms-opt-out"));
    p.set_sms_opted_out(out);
  }
  if (a.Has("email-opt-out")) {
    KPRCTL_TRY(out, ParseBool(a.Get("email-opt-out"), "email-opt-out"));
    p.set_email_opted_out(out);
  }
  req.set_expected_version(version);
  return req;
}

absl::StatusOr<nv1::ListTemplatesRequest> BuildListTemplates(const ParsedArgs& a) {
  KPRCTL_TRY(m, Need(a, "notify templates list", "municipality"));
  nv1::ListTemplatesRequest req;
  req.set_municipality(m);
  if (a.Has("trigger")) {
    KPRCTL_TRY(trigger, ParseTrigger(a.Get("trigger"), "trigger"));
    req.set_trigger(trigger);
  }
  if (a.Has("language")) {
    KPRCTL_TRY(language, ParseLanguage(a.Get("language"), "language"));
    req.set_language(language);
  }
  return req;
}

absl::StatusOr<nv1::UpsertTemplateRequest> BuildUpsertTemplate(const ParsedArgs& a) {
  const std::string command = "notify templates upsert";
  nv1::UpsertTemplateRequest req;
  nv1::Template& t = *req.mutable_template_();
  if (auto st = SetTemplateKey(a, command, &t); !st.ok()) return st;
  if (t.trigger() == nv1::TRIGGER_DROP_OUT_RISK) {
    if (a.Has("sms-text")) {
      return FlagError("sms-text", "drop_out_risk goes by e-mail to the coordinator only");
    }
  } else {
    KPRCTL_TRY(sms, Need(a, command, "sms-text"));
    t.set_sms_text(sms);
  }
  KPRCTL_TRY(subject, Need(a, command, "email-subject"));
  KPRCTL_TRY(text, Need(a, command, "email-text"));
  t.set_email_subject(subject);
  t.set_email_text(text);
  t.set_email_html(a.Get("email-html"));
  KPRCTL_TRY(version, ExpectedVersion(a, "templates upsert", "templates list"));
  req.set_expected_version(version);
  return req;
}

absl::StatusOr<nv1::PreviewMessageRequest> BuildPreviewMessage(const ParsedArgs& a) {
  nv1::Template key;
  if (auto st = SetTemplateKey(a, "notify preview", &key); !st.ok()) return st;
  nv1::PreviewMessageRequest req;
  req.set_municipality(key.municipality());
  req.set_trigger(key.trigger());
  req.set_language(key.language());
  if (a.Has("sms-text") || a.Has("email-subject") || a.Has("email-text") || a.Has("email-html")) {
    nv1::Template& draft = *req.mutable_draft();
    draft = key;
    draft.set_sms_text(a.Get("sms-text"));
    draft.set_email_subject(a.Get("email-subject"));
    draft.set_email_text(a.Get("email-text"));
    draft.set_email_html(a.Get("email-html"));
  }
  return req;
}

absl::StatusOr<nv1::SendMessageRequest> BuildSendMessage(const ParsedArgs& a) {
  const std::string command = "notify send";
  KPRCTL_TRY(m, Need(a, command, "municipality"));
  if (a.Get("request-id").empty()) {
    return absl::InvalidArgumentError(
        "notify send needs --request-id ID: one per message (a UUID, say); a retry with the same "
        "id sends nothing twice");
  }
  if (a.Has("referral") == a.Has("cohort")) {
    return absl::InvalidArgumentError(
        "notify send needs either --referral r1,r2 or --cohort C (not both)");
  }
  nv1::SendMessageRequest req;
  req.set_municipality(m);
  req.set_request_id(a.Get("request-id"));
  if (a.Has("referral")) {
    // "--referral r1,r2", "--referral r1 --referral r2" or both.
    std::set<std::string> seen;
    for (const std::string& value : a.GetAll("referral")) {
      KPRCTL_TRY(ids, ParseIdList(value, "referral"));
      for (auto& id : ids) {
        if (!seen.insert(id).second) return FlagError("referral", id + " is given twice");
        req.add_referral_ids(std::move(id));
      }
    }
    if (req.referral_ids().empty())
      return FlagError("referral", "expected referral ids like r1,r2");
  } else {
    KPRCTL_TRY(cohort, Need(a, command, "cohort"));
    req.set_cohort_id(cohort);
  }
  if (absl::StripAsciiWhitespace(a.Get("text")).empty()) {
    return absl::InvalidArgumentError("notify send needs --text: the message to send");
  }
  req.set_text(a.Get("text"));
  return req;
}

absl::StatusOr<nv1::GetReminderOffsetsRequest> BuildGetReminderOffsets(const ParsedArgs& a) {
  KPRCTL_TRY(m, Need(a, "notify reminder-offsets get", "municipality"));
  nv1::GetReminderOffsetsRequest req;
  req.set_municipality(m);
  req.set_program_id(a.Get("program"));
  return req;
}

absl::StatusOr<nv1::SetReminderOffsetsRequest> BuildSetReminderOffsets(const ParsedArgs& a) {
  const std::string command = "reminder-offsets set";
  KPRCTL_TRY(m, Need(a, "notify " + command, "municipality"));
  // An empty --offsets is a choice (no reminders), so only a missing one is an error.
  if (!a.Has("offsets")) {
    return absl::InvalidArgumentError(
        "notify reminder-offsets set needs --offsets like 24h,2h (none: no reminders)");
  }
  KPRCTL_TRY(offsets, ParseOffsets(a.Get("offsets"), "offsets"));
  KPRCTL_TRY(version, ExpectedVersion(a, command, "reminder-offsets get"));
  nv1::SetReminderOffsetsRequest req;
  nv1::ReminderOffsets& r = *req.mutable_reminder_offsets();
  r.set_municipality(m);
  r.set_program_id(a.Get("program"));
  for (absl::Duration d : offsets) r.add_offsets()->set_seconds(absl::ToInt64Seconds(d));
  req.set_expected_version(version);
  return req;
}

absl::StatusOr<nv1::GetCoordinatorContactRequest> BuildGetCoordinatorContact(const ParsedArgs& a) {
  KPRCTL_TRY(m, Need(a, "notify coordinator get", "municipality"));
  nv1::GetCoordinatorContactRequest req;
  req.set_municipality(m);
  return req;
}

absl::StatusOr<nv1::SetCoordinatorContactRequest> BuildSetCoordinatorContact(const ParsedArgs& a) {
  const std::string command = "coordinator set";
  KPRCTL_TRY(m, Need(a, "notify " + command, "municipality"));
  KPRCTL_TRY(email, Need(a, "notify " + command, "email"));
  // Only the obvious slip (a name, a phone number) here; the service judges the address.
  size_t at = email.find('@');
  if (at == std::string::npos || at == 0 || at + 1 == email.size() ||
      email.find_first_of(" \t") != std::string::npos) {
    return FlagError("email", absl::StrCat("expected an e-mail address, got '", email, "'"));
  }
  KPRCTL_TRY(version, ExpectedVersion(a, command, "coordinator get"));
  nv1::SetCoordinatorContactRequest req;
  req.set_municipality(m);
  req.set_email(email);
  req.set_expected_version(version);
  return req;
}

}  // namespace kpr::kprctl
