#include "services/notify/message_facts.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "libs/calendar/civil_day.h"
#include "libs/calendar/danish_time.h"
#include "libs/calendar/proto_time.h"
#include "services/notify/message_values.h"
#include "services/notify/session_calendar.h"

namespace kpr::notify {
namespace {

void Put(MessageValues& values, v1::Trigger trigger, absl::string_view name, std::string value) {
  if (Offers(trigger, name)) values[std::string(name)] = std::move(value);
}

}  // namespace

absl::StatusOr<v1::CalendarEntry> CalendarEntryFor(const scheduling::v1::Session& session) {
  if (session.session_id().empty()) {
    return absl::InvalidArgumentError("session.session_id: required");
  }
  absl::StatusOr<absl::CivilDay> day = calendar::ParseDay(session.day());
  if (!day.ok()) {
    return absl::InvalidArgumentError(absl::StrCat("session.day: ", day.status().message()));
  }
  absl::CivilMinute midnight(*day);
  v1::CalendarEntry entry;
  entry.set_session_id(session.session_id());
  *entry.mutable_start() =
      calendar::ToTimestamp(calendar::LocalToAbsolute(midnight + session.start_minute()));
  *entry.mutable_end() = calendar::ToTimestamp(calendar::LocalToAbsolute(
      midnight + std::max(session.end_minute(), session.start_minute() + 1)));
  entry.set_venue(session.venue_id());
  entry.set_activity(session.activity_id());
  entry.set_version(session.version());
  entry.set_cancelled(session.status() == scheduling::v1::SESSION_STATUS_CANCELLED);
  return entry;
}

std::vector<absl::Time> ActiveStarts(const std::vector<v1::CalendarEntry>& calendar) {
  std::vector<absl::Time> starts;
  for (const v1::CalendarEntry& e : calendar) {
    if (!e.cancelled()) starts.push_back(calendar::FromTimestamp(e.start()));
  }
  std::sort(starts.begin(), starts.end());
  return starts;
}

std::string MunicipalityName(absl::string_view municipality) {
  return absl::StrCat("Kommune ", municipality);
}

MessageValues ValuesFor(const v1::Delivery& delivery, const v1::MessageFacts& facts,
                        absl::string_view first_name, v1::Language language) {
  const v1::Trigger trigger = delivery.trigger();
  MessageValues values;
  if (!first_name.empty()) Put(values, trigger, "first_name", std::string(first_name));
  Put(values, trigger, "municipality_name", MunicipalityName(delivery.municipality()));
  // Before a cohort is known, the program goes by the name every municipality uses.
  Put(values, trigger, "program",
      !facts.program().empty()      ? facts.program()
      : language == v1::LANGUAGE_EN ? "Culture on Prescription"
                                    : "Kultur på recept");
  if (!facts.venue().empty()) Put(values, trigger, "venue", facts.venue());
  if (!facts.activity().empty()) Put(values, trigger, "activity", facts.activity());
  if (calendar::IsSet(facts.session_start())) {
    Put(values, trigger, "session_start",
        FormatSessionStart(calendar::FromTimestamp(facts.session_start()), language));
  }
  if (calendar::IsSet(facts.previous_session_start())) {
    Put(values, trigger, "previous_session_start",
        FormatSessionStart(calendar::FromTimestamp(facts.previous_session_start()), language));
  }
  std::vector<v1::CalendarEntry> calendar(facts.calendar().begin(), facts.calendar().end());
  std::vector<absl::Time> starts = ActiveStarts(calendar);
  if (!starts.empty()) {
    Put(values, trigger, "first_session_start", FormatSessionStart(starts.front(), language));
    Put(values, trigger, "cohort_dates", FormatCohortDates(starts, language));
  }
  if (!facts.questionnaire_link().empty()) {
    Put(values, trigger, "questionnaire_link", facts.questionnaire_link());
  }
  if (calendar::IsSet(facts.questionnaire_closes())) {
    Put(values, trigger, "questionnaire_closes",
        FormatDay(calendar::LocalDay(calendar::FromTimestamp(facts.questionnaire_closes())),
                  language));
  }
  if (!facts.message().empty()) Put(values, trigger, "message", facts.message());
  if (trigger == v1::TRIGGER_DROP_OUT_RISK) {
    Put(values, trigger, "referral_id", facts.about_referral_id());
    Put(values, trigger, "cohort_id", delivery.cohort_id());
    std::vector<outcomes::v1::RiskReason> reasons;
    for (int r : facts.risk_reasons()) reasons.push_back(static_cast<outcomes::v1::RiskReason>(r));
    Put(values, trigger, "risk_reasons", FormatRiskReasons(reasons, language));
  }
  return values;
}

absl::StatusOr<std::string> CalendarAttachment(v1::Trigger trigger, const v1::MessageFacts& facts,
                                               absl::Time dtstamp) {
  switch (trigger) {
    case v1::TRIGGER_COHORT_INFORMATION:
    case v1::TRIGGER_MOVED_FROM_WAITLIST:
    case v1::TRIGGER_SESSION_REMINDER:
    case v1::TRIGGER_SESSION_RESCHEDULED:
    case v1::TRIGGER_SESSION_CANCELLED:
    case v1::TRIGGER_COHORT_CANCELLED:
      break;
    default:
      return std::string();
  }
  if (facts.calendar().empty()) return std::string();
  std::vector<CalendarSession> sessions;
  for (const v1::CalendarEntry& e : facts.calendar()) {
    CalendarSession s;
    s.session_id = e.session_id();
    s.start = calendar::FromTimestamp(e.start());
    s.end = calendar::FromTimestamp(e.end());
    s.venue = e.venue();
    s.version = e.version();
    // A cancelled cohort cancels every entry it put in the calendar.
    s.cancelled = e.cancelled() || trigger == v1::TRIGGER_COHORT_CANCELLED;
    sessions.push_back(std::move(s));
  }
  return CohortCalendarIcs(facts.program(), std::move(sessions), dtstamp);
}

}  // namespace kpr::notify
