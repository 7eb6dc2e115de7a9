#ifndef KPR_SERVICES_NOTIFY_DEFAULT_TEMPLATES_H_
#define KPR_SERVICES_NOTIFY_DEFAULT_TEMPLATES_H_

// kpr's shipped templates, one per trigger in Danish and English, used wherever a municipality
// has saved none of its own, so that messages flow from the first day. Short, warm SMS texts; an
// e-mail with subject, plain text and simple HTML. They name no condition, diagnosis or benefit
// (no "stress", "angst", "depression", "sygedagpenge"): the citizen may not have told anyone
// why they take part. The Danish SMS texts are GSM-7, so they cost what their length says.
//
// And example values for PreviewMessage: synthetic, never a real person's. Pure.

#include <vector>

#include "absl/strings/string_view.h"
#include "kpr/notify/v1/notify.pb.h"
#include "services/notify/message_template.h"

namespace kpr::notify {

// Version 0, shipped_default set, for `municipality`. LANGUAGE_UNSPECIFIED reads as Danish; for
// TRIGGER_UNSPECIFIED the texts are empty.
v1::Template DefaultTemplate(absl::string_view municipality, v1::Trigger trigger,
                             v1::Language language);

// A value for every placeholder `trigger` offers, in `language`: a first name, a program, a
// venue, session times in March 2027, a questionnaire link under example.invalid, ...
MessageValues ExampleValues(absl::string_view municipality, v1::Trigger trigger,
                            v1::Language language);

}  // namespace kpr::notify

#endif  // KPR_SERVICES_NOTIFY_DEFAULT_TEMPLATES_H_
