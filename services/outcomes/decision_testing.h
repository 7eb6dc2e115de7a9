#ifndef KPR_SERVICES_OUTCOMES_DECISION_TESTING_H_
#define KPR_SERVICES_OUTCOMES_DECISION_TESTING_H_

// For the unit tests of the pure decisions: a small world (municipality 0165, cohort c-1 of
// program p-1 with sessions s-1 and s-2 in March 2027) and readers for what a Draft writes.
// Tests only.

#include <optional>
#include <string>
#include <vector>

#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "kpr/common/v1/event.pb.h"
#include "kpr/outcomes/v1/records.pb.h"
#include "libs/calendar/danish_time.h"
#include "services/outcomes/draft.h"

namespace kpr::outcomes::decision_testing {

inline constexpr char kM[] = "0165";

inline absl::Time Local(absl::CivilMinute t) {
  return absl::FromCivil(t, calendar::DanishTimeZone());
}

inline v1::SessionRef Session(const std::string& id, int index, const std::string& day,
                              const std::string& instructor = "i-1") {
  v1::SessionRef s;
  s.set_session_id(id);
  s.set_index(index);
  s.set_day(day);
  s.set_start_minute(10 * 60);
  s.set_end_minute(12 * 60);
  s.set_instructor_id(instructor);
  return s;
}

// Cohort c-1 as planned (version 1): s-1 on 2027-03-01 and s-2 on 2027-03-08, 10:00-12:00.
inline Cohort PlannedCohort(const std::vector<std::string>& participants = {}) {
  Cohort c;
  c.version = 1;
  c.record.set_municipality(kM);
  c.record.set_cohort_id("c-1");
  c.record.set_program_id("p-1");
  *c.record.add_sessions() = Session("s-1", 0, "2027-03-01");
  *c.record.add_sessions() = Session("s-2", 1, "2027-03-08");
  c.record.set_first_day("2027-03-01");
  c.record.set_last_day("2027-03-08");
  for (const std::string& id : participants) c.record.add_participants(id);
  c.record.set_version(1);
  return c;
}

// A stored participant of c-1 (version 1), started or not.
inline Participant StoredParticipant(const std::string& referral_id, bool started = true) {
  Participant p;
  p.version = 1;
  p.record.set_municipality(kM);
  p.record.set_referral_id(referral_id);
  p.record.set_citizen_id("z-" + referral_id);
  p.record.set_cohort_id("c-1");
  p.record.set_program_id("p-1");
  p.record.set_started(started);
  p.record.set_version(1);
  return p;
}

// The record a write holds (unsealed: the draft is not sealed yet); nullopt when it does not
// decode as T.
template <typename T>
std::optional<T> Written(const RecordWrite& w) {
  T t;
  if (!t.ParseFromString(w.data)) return std::nullopt;
  return t;
}

// The write of `key`, or null.
inline const RecordWrite* WriteOf(const Draft& d, const std::string& key) {
  for (const RecordWrite& w : d.change.writes) {
    if (w.key == key) return &w;
  }
  return nullptr;
}

// The payload of an event the draft appends.
inline common::v1::Event Envelope(const bus::OutboxEvent& event) {
  common::v1::Event e;
  e.ParseFromString(event.data);
  return e;
}

template <typename T>
T Payload(const bus::OutboxEvent& event) {
  T t;
  Envelope(event).payload().UnpackTo(&t);
  return t;
}

inline std::vector<std::string> EventIds(const Draft& d) {
  std::vector<std::string> ids;
  for (const bus::OutboxEvent& e : d.change.events) ids.push_back(e.id);
  return ids;
}

inline std::vector<std::string> TimerIds(const Draft& d) {
  std::vector<std::string> ids;
  for (const timer::Timer& t : d.change.timers) ids.push_back(t.id);
  return ids;
}

// The difference the draft adds to `field` of the tally at `key` (0 when none).
inline double TallyChange(const Draft& d, const std::string& key, const std::string& field) {
  double sum = 0;
  for (const TallyDelta& t : d.change.tallies) {
    if (t.key != key) continue;
    for (const auto& [name, value] : t.fields) {
      if (name == field) sum += value;
    }
  }
  return sum;
}

}  // namespace kpr::outcomes::decision_testing

#endif  // KPR_SERVICES_OUTCOMES_DECISION_TESTING_H_
