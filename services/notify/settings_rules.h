#ifndef KPR_SERVICES_NOTIFY_SETTINGS_RULES_H_
#define KPR_SERVICES_NOTIFY_SETTINGS_RULES_H_

// The settings desk's decisions, apart from its reads and writes: which templates a coordinator
// sees (what will be sent), what a preview says about an SMS, what counts as a coordinator
// address, and the offsets shown where a program saved none. Pure.

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "kpr/notify/v1/notify.pb.h"
#include "kpr/notify/v1/notify_service.pb.h"
#include "libs/validation/field_violations.h"
#include "services/notify/message_template.h"
#include "services/notify/sms_encoding.h"

namespace kpr::notify {

// A preview warns when an SMS needs more parts than this: every part is billed.
inline constexpr int kMaxSmsSegmentsWithoutWarning = 2;

// Every (trigger, language) matching the filters (UNSPECIFIED: all triggers; Danish and
// English), by trigger then language: the municipality's saved template, else kpr's shipped
// default (shipped_default set), so a coordinator sees what will be sent.
std::vector<v1::Template> TemplatesInForce(absl::string_view municipality,
                                           const std::vector<v1::Template>& saved,
                                           v1::Trigger trigger, v1::Language language);

// What a preview adds to AnalyzeSms's warnings: UCS-2 and its cost, more than
// kMaxSmsSegmentsWithoutWarning parts.
std::vector<std::string> SmsWarnings(const SmsAnalysis& sms);

// `t` rendered with `values`, with the SMS's encoding, parts, units and warnings. A part that
// cannot be rendered (an unknown placeholder, a stray brace) is INVALID_ARGUMENT naming
// `prefix` + the part ("draft.sms_text"), as saving it would be.
absl::StatusOr<v1::PreviewMessageResponse> PreviewOf(const v1::Template& t,
                                                     const MessageValues& values,
                                                     absl::string_view prefix);

// A bare address "local@domain.tld": no display name or angle brackets, an ASCII local part of
// at most 64 characters, a domain of at least two labels (letters, digits, '-'), at most 254 in
// all. Stricter than RFC 5322 on purpose: it is a coordinator's work address.
bool IsPlainEmailAddress(absl::string_view email);

// The offsets in force shown for a program that saved none of its own: version 0, so that
// saving the program's first set takes expected_version 0.
v1::ReminderOffsets OffsetsInForce(absl::string_view municipality, absl::string_view program_id,
                                   const std::vector<absl::Duration>& offsets);

}  // namespace kpr::notify

#endif  // KPR_SERVICES_NOTIFY_SETTINGS_RULES_H_
