#ifndef KPR_SERVICES_NOTIFY_MESSAGE_TEMPLATE_H_
#define KPR_SERVICES_NOTIFY_MESSAGE_TEMPLATE_H_

// Message templates: texts with named placeholders ("Hej {first_name}, vi ses {session_start}"),
// per municipality, trigger and language. Each trigger offers a fixed set of placeholders; a
// template that uses another is refused on save (INVALID_ARGUMENT naming the field and the
// placeholder), so a template can never reach for data the trigger does not have. No placeholder
// offers health data (scores, diagnoses, the referral's reason) or the benefit situation: an SMS
// can be read by anyone holding the phone. "{{" and "}}" are literal braces.
//
// Rendering fills in values: as they are for SMS and plain text, HTML-escaped for the HTML part,
// and with line breaks flattened in the e-mail subject (a header: a value must not be able to
// add header lines). Pure.

#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "kpr/notify/v1/notify.pb.h"
#include "libs/validation/field_violations.h"

namespace kpr::notify {

// Placeholder name -> its value for one message.
using MessageValues = absl::flat_hash_map<std::string, std::string>;

inline constexpr size_t kMaxSmsTemplateBytes = 1000;
inline constexpr size_t kMaxSubjectBytes = 200;
inline constexpr size_t kMaxEmailTextBytes = 20000;
inline constexpr size_t kMaxEmailHtmlBytes = 50000;

// Every trigger a message can answer (all but TRIGGER_UNSPECIFIED), in enum order.
std::vector<v1::Trigger> AllTriggers();

// The placeholder names `trigger` offers, in a stable order; empty for TRIGGER_UNSPECIFIED.
std::vector<absl::string_view> PlaceholdersFor(v1::Trigger trigger);
bool Offers(v1::Trigger trigger, absl::string_view placeholder);

// LANGUAGE_EN for an English BCP 47 tag ("en", "en-GB"); Danish for everything else, the
// default the issue sets (a citizen who reads neither gets what the coordinator reads).
v1::Language LanguageFor(absl::string_view preferred_language);

// The placeholder names used in `text`, in order of appearance (repeats included).
// INVALID_ARGUMENT for a brace that opens or closes no placeholder, or a malformed name.
absl::StatusOr<std::vector<std::string>> PlaceholdersIn(absl::string_view text);

// Every problem with a template about to be saved, fields named under `prefix`
// ("template.sms_text"): municipality, trigger and language set; sms_text required, except for
// TRIGGER_DROP_OUT_RISK where it must be empty (e-mail to the coordinator only); email_subject
// (one line) and email_text required; sizes capped; every placeholder well-formed and offered.
validation::FieldViolations TemplateViolations(const v1::Template& t,
                                               absl::string_view prefix = "template.");
// OK, or INVALID_ARGUMENT listing TemplateViolations.
absl::Status CheckTemplate(const v1::Template& t, absl::string_view prefix = "template.");

enum class TextKind {
  kPlain,   // SMS and the plain-text e-mail part: values as they are
  kHtml,    // values HTML-escaped
  kHeader,  // the e-mail subject: control characters in values become spaces
};

// & < > " ' as character references, for text inside HTML elements and attribute values.
std::string HtmlEscape(absl::string_view text);

// `text` with its placeholders replaced. INVALID_ARGUMENT for a malformed text;
// FAILED_PRECONDITION "no value for {name}" when `values` lacks one it uses (the delivery is then
// skipped with DELIVERY_REASON_MISSING_VALUE, e.g. no questionnaire link configured).
absl::StatusOr<std::string> RenderText(absl::string_view text, const MessageValues& values,
                                       TextKind kind);

struct RenderedMessage {
  std::string sms_text;  // empty when the template has none
  std::string email_subject;
  std::string email_text;
  std::string email_html;  // empty when the template has none
};

// Every part of `t` rendered; the first error of RenderText otherwise.
absl::StatusOr<RenderedMessage> RenderTemplate(const v1::Template& t, const MessageValues& values);

}  // namespace kpr::notify

#endif  // KPR_SERVICES_NOTIFY_MESSAGE_TEMPLATE_H_
