#ifndef KPR_SERVICES_NOTIFY_MESSAGE_FACTS_H_
#define KPR_SERVICES_NOTIFY_MESSAGE_FACTS_H_
// What a message says, in two steps. When a delivery is recorded, the facts it needs are known
// (the session, the cohort's dates, the questionnaire's link) but not yet the recipient's first
// name and language: those come from kpr-referral when it is sent. So the facts are kept as
// instants and codes (MessageFacts), and turned into placeholder values here, in the recipient's
// language, at send time. Pure.
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "kpr/notify/v1/records.pb.h"
#include "kpr/scheduling/v1/scheduling.pb.h"
#include "services/notify/message_template.h"

namespace kpr::notify {

// A session as notify's roster keeps it: its start and end as instants (its day and minutes are
// Copenhagen local time), the venue and version. INVALID_ARGUMENT for a session without an id or
// with a malformed day.
absl::StatusOr<v1::CalendarEntry> CalendarEntryFor(const scheduling::v1::Session& session);

// The starts of the sessions that are not cancelled, in order.
std::vector<absl::Time> ActiveStarts(const std::vector<v1::CalendarEntry>& calendar);

// The name a message gives the municipality ("Kommune 0165" until names are configured).
std::string MunicipalityName(absl::string_view municipality);

// The value of every placeholder the delivery's trigger offers that the facts can fill, in
// `language`. Placeholders the facts cannot fill are left out, so rendering a template that uses
// one says which ("no value for {questionnaire_link}") and the delivery is skipped with the reason.
MessageValues ValuesFor(const v1::Delivery& delivery, const v1::MessageFacts& facts,
                        absl::string_view first_name, v1::Language language);

// The cohort's calendar (kurser.ics) when the message is about its sessions: cohort
// information, moved from the waitlist, rescheduled, cancelled, reminders. "" otherwise, or when
// the facts list no sessions.
absl::StatusOr<std::string> CalendarAttachment(v1::Trigger trigger, const v1::MessageFacts& facts,
                                               absl::Time dtstamp);

}  // namespace kpr::notify

#endif  // KPR_SERVICES_NOTIFY_MESSAGE_FACTS_H_
