#include "services/outcomes/outcomes_desk.h"

#include <algorithm>
#include <set>
#include <utility>

#include "absl/algorithm/container.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/time/civil_time.h"
#include "google/protobuf/util/message_differencer.h"
#include "kpr/outcomes/v1/events.pb.h"
#include "kpr/referral/v1/events.pb.h"
#include "kpr/scheduling/v1/events.pb.h"
#include "libs/bus/envelope.h"
#include "libs/rpc/jwt.h"
#include "libs/validation/period.h"
#include "services/outcomes/attendance_rules.h"
#include "services/outcomes/instruments.h"
#include "services/outcomes/outcome_report.h"
#include "services/outcomes/outcomes_access_policy.h"
#include "services/outcomes/report_export.h"

namespace kpr::outcomes {
namespace {

namespace sv1 = ::kpr::scheduling::v1;
namespace rv1 = ::kpr::referral::v1;

const v1::TimePoint kAfterCourse[] = {v1::TIME_POINT_END, v1::TIME_POINT_FOLLOWUP_1M,
                                      v1::TIME_POINT_FOLLOWUP_12M};

bool ParseDay(const std::string& s, absl::CivilDay* day) { return absl::ParseCivilTime(s, day); }

int64_t DaysSinceEpoch(absl::CivilDay day) { return day - absl::CivilDay(1970, 1, 1); }

std::string TimerId(const std::string& referral_id, v1::TimePoint tp) {
  return absl::StrCat("tp:", referral_id, ":", static_cast<int>(tp));
}

v1::SessionRef ToSessionRef(const sv1::Session& s) {
  v1::SessionRef ref;
  ref.set_session_id(s.session_id());
  ref.set_index(s.index());
  ref.set_day(s.day());
  ref.set_start_minute(s.start_minute());
  ref.set_end_minute(s.end_minute());
  ref.set_instructor_id(s.instructor_id());
  ref.set_cancelled(s.status() == sv1::SESSION_STATUS_CANCELLED);
  return ref;
}

// First and last day of the sessions not cancelled, so a rescheduled or cancelled end moves them.
void RefreshDays(v1::CohortRecord& c) {
  std::string first, last;
  for (const v1::SessionRef& s : c.sessions()) {
    if (s.cancelled()) continue;
    if (first.empty() || s.day() < first) first = s.day();
    if (last.empty() || s.day() > last) last = s.day();
  }
  if (!first.empty()) {
    c.set_first_day(first);
    c.set_last_day(last);
  }
}

void SortSessions(v1::CohortRecord& c) {
  std::sort(c.mutable_sessions()->begin(), c.mutable_sessions()->end(),
            [](const v1::SessionRef& a, const v1::SessionRef& b) { return a.index() < b.index(); });
}

bool Contains(const google::protobuf::RepeatedPtrField<std::string>& list, const std::string& v) {
  return absl::c_linear_search(list, v);
}

v1::TimePointSchedule* FindTimePoint(v1::ParticipantRecord& p, v1::TimePoint tp) {
  for (v1::TimePointSchedule& s : *p.mutable_schedule()) {
    if (s.time_point() == tp) return &s;
  }
  return nullptr;
}

v1::Questionnaire* FindAnswer(v1::ParticipantRecord& p, v1::Instrument instrument,
                              v1::TimePoint tp) {
  for (v1::Questionnaire& q : *p.mutable_answers()) {
    if (q.instrument() == instrument && q.time_point() == tp) return &q;
  }
  return nullptr;
}

google::protobuf::Timestamp ToProto(absl::Time t) {
  google::protobuf::Timestamp ts;
  ts.set_seconds(absl::ToUnixSeconds(t));
  return ts;
}

absl::Time FromProto(const google::protobuf::Timestamp& ts) {
  return absl::FromUnixSeconds(ts.seconds());
}

// The time point as a reader sees it now (the stored `state` is the timer's progress).
v1::TimePointSchedule Displayed(v1::TimePointSchedule s, absl::Time now) {
  s.set_state(StateAt(s, now));
  return s;
}

std::vector<v1::Instrument> Missing(const v1::TimePointSchedule& s) {
  std::vector<v1::Instrument> missing;
  for (int i : s.instruments()) {
    if (!absl::c_linear_search(s.answered(), i)) missing.push_back(static_cast<v1::Instrument>(i));
  }
  return missing;
}

std::vector<std::pair<std::string, double>> NonZero(
    std::vector<std::pair<std::string, double>> fields) {
  fields.erase(
      std::remove_if(fields.begin(), fields.end(), [](const auto& f) { return f.second == 0; }),
      fields.end());
  return fields;
}

std::vector<std::pair<std::string, int>> SortedMarks(
    const google::protobuf::RepeatedPtrField<v1::AttendanceEntry>& e) {
  std::vector<std::pair<std::string, int>> out;
  for (const v1::AttendanceEntry& x : e)
    out.emplace_back(x.referral_id(), static_cast<int>(x.mark()));
  std::sort(out.begin(), out.end());
  return out;
}

}  // namespace

OutcomesDesk::OutcomesDesk(OutcomesStore& store, privacy::AuditTrail& audit,
                           std::string encryption_key, std::function<void()> on_outbox_write,
                           Options options)
    : store_(store),
      audit_(audit),
      box_(std::move(encryption_key)),
      on_outbox_write_(std::move(on_outbox_write)),
      options_(std::move(options)) {}

// ---- Records ---------------------------------------------------------------------------------

absl::StatusOr<OutcomesDesk::Cohort> OutcomesDesk::LoadCohort(const std::string& m,
                                                              const std::string& cohort_id) {
  auto read = store_.Read(m, {CohortKey(m, cohort_id)});
  if (!read.ok()) return read.status();
  return ParseCohort((*read)[0], cohort_id);
}

absl::StatusOr<OutcomesDesk::Cohort> OutcomesDesk::ParseCohort(
    const std::optional<StoredRecord>& stored, const std::string& cohort_id) {
  Cohort c;
  if (!stored) return c;
  c.version = stored->version;
  if (!c.record.ParseFromString(stored->data)) {
    return absl::DataLossError(absl::StrCat("cohort record ", cohort_id, " does not decode"));
  }
  return c;
}

absl::StatusOr<std::vector<OutcomesDesk::Participant>> OutcomesDesk::LoadParticipants(
    const std::string& m, const std::vector<std::string>& referral_ids) {
  std::vector<std::string> keys;
  keys.reserve(referral_ids.size());
  for (const std::string& id : referral_ids) keys.push_back(ParticipantKey(m, id));
  auto read = store_.Read(m, keys);
  if (!read.ok()) return read.status();
  std::vector<Participant> out(referral_ids.size());
  for (size_t i = 0; i < keys.size(); ++i) {
    if (!(*read)[i]) continue;
    out[i].version = (*read)[i]->version;
    auto plain = box_.Open((*read)[i]->data, keys[i]);
    if (!plain.ok()) return plain.status();
    if (!out[i].record.ParseFromString(*plain)) {
      return absl::DataLossError(
          absl::StrCat("participant record ", referral_ids[i], " does not decode"));
    }
  }
  return out;
}

absl::StatusOr<std::string> OutcomesDesk::SealParticipant(const std::string& m,
                                                          const v1::ParticipantRecord& p) const {
  return box_.Seal(p.SerializeAsString(), ParticipantKey(m, p.referral_id()));
}

absl::Status OutcomesDesk::WriteParticipant(Change& change, const std::string& m,
                                            const Participant& before,
                                            v1::ParticipantRecord after) const {
  after.set_version(before.version + 1);
  OutcomeTally delta = ParticipantContribution(after, options_.policy);
  if (before.version > 0) delta -= ParticipantContribution(before.record, options_.policy);
  auto sealed = SealParticipant(m, after);
  if (!sealed.ok()) return sealed.status();
  change.writes.push_back(
      {ParticipantKey(m, after.referral_id()), before.version, *std::move(sealed)});
  auto fields = NonZero(delta.ToFields());
  if (!fields.empty() && !after.cohort_id().empty()) {
    change.tallies.push_back({CohortTallyKey(m, after.cohort_id()), std::move(fields)});
  }
  return absl::OkStatus();
}

void OutcomesDesk::WriteCohort(Change& change, const std::string& m, const Cohort& before,
                               v1::CohortRecord after) {
  after.set_version(before.version + 1);
  change.writes.push_back(
      {CohortKey(m, after.cohort_id()), before.version, after.SerializeAsString()});
}

void OutcomesDesk::AddEvent(Change& change, const std::string& m, absl::string_view name,
                            std::string id, const google::protobuf::Message& payload,
                            const Caller* cause) const {
  common::v1::Event e =
      bus::MakeEvent(std::move(id), m, payload, options_.clock(),
                     cause ? cause->correlation_id : "", cause ? cause->traceparent : "");
  change.events.emplace_back(bus::EventSubject("outcomes", name, m), std::move(e));
}

absl::Status OutcomesDesk::Commit(const std::string& m, const Change& change) {
  auto result = store_.Commit(m, change);
  if (!result.ok()) return result.status();
  if (*result == CommitResult::kApplied && !change.events.empty() && on_outbox_write_)
    on_outbox_write_();
  return absl::OkStatus();
}

absl::Status OutcomesDesk::Retrying(const std::function<absl::Status()>& attempt) const {
  absl::Status st;
  for (int i = 0; i < options_.max_attempts; ++i) {
    st = attempt();
    if (st.code() != absl::StatusCode::kAborted) return st;
  }
  return st;
}

absl::Status OutcomesDesk::EditCohort(
    const common::v1::Event& e, const std::string& cohort_id,
    const std::function<absl::Status(const Cohort&, Change&)>& edit) {
  const std::string& m = e.municipality();
  return Retrying([&]() -> absl::Status {
    auto cohort = LoadCohort(m, cohort_id);
    if (!cohort.ok()) return cohort.status();
    if (cohort->version == 0)
      return absl::NotFoundError(absl::StrCat("cohort ", cohort_id, " was never planned"));
    Change change;
    if (auto st = edit(*cohort, change); !st.ok()) return st;
    if (change.writes.empty() && change.events.empty()) return absl::OkStatus();  // nothing to do
    change.applied_event_id = e.id();
    return Commit(m, change);
  });
}

// ---- Scheduling facts --------------------------------------------------------------------------

absl::Status OutcomesDesk::OnSchedulingEvent(const common::v1::Event& e) {
  const std::string& type = e.type();
  if (type == sv1::CohortPlanned::descriptor()->full_name()) return ApplyCohortPlanned(e);
  if (type == sv1::SessionScheduled::descriptor()->full_name() ||
      type == sv1::SessionRescheduled::descriptor()->full_name() ||
      type == sv1::SessionCancelled::descriptor()->full_name()) {
    return ApplySession(e);
  }
  if (type == sv1::Enrolled::descriptor()->full_name()) return ApplyEnrolled(e);
  if (type == sv1::Unenrolled::descriptor()->full_name()) return ApplyUnenrolled(e);
  if (type == sv1::CohortStarted::descriptor()->full_name()) return ApplyCohortStarted(e);
  if (type == sv1::CohortCompleted::descriptor()->full_name()) return ApplyCohortCompleted(e);
  if (type == sv1::CohortCancelled::descriptor()->full_name()) return ApplyCohortCancelled(e);
  return absl::OkStatus();  // opened, waitlisted: nothing to record
}

absl::Status OutcomesDesk::ApplyCohortPlanned(const common::v1::Event& e) {
  auto planned = bus::UnpackEvent<sv1::CohortPlanned>(e);
  if (!planned.ok()) return planned.status();
  const std::string& m = e.municipality();
  return Retrying([&]() -> absl::Status {
    auto cohort = LoadCohort(m, planned->cohort().cohort_id());
    if (!cohort.ok()) return cohort.status();
    v1::CohortRecord c = cohort->record;
    c.set_municipality(m);
    c.set_cohort_id(planned->cohort().cohort_id());
    c.set_program_id(planned->cohort().program_id());
    Change change;
    for (const sv1::Session& s : planned->sessions()) {
      bool known = absl::c_any_of(
          c.sessions(), [&](const v1::SessionRef& r) { return r.session_id() == s.session_id(); });
      if (!known) *c.add_sessions() = ToSessionRef(s);
      change.hash_sets.push_back({SessionsKey(m), s.session_id(), c.cohort_id()});
    }
    SortSessions(c);
    RefreshDays(c);
    absl::CivilDay first;
    if (ParseDay(c.first_day(), &first)) {
      change.index.push_back({ProgramCohortsKey(m, c.program_id()), c.cohort_id(),
                              static_cast<double>(DaysSinceEpoch(first))});
    }
    WriteCohort(change, m, *cohort, std::move(c));
    change.applied_event_id = e.id();
    return Commit(m, change);
  });
}

absl::Status OutcomesDesk::ApplySession(const common::v1::Event& e) {
  sv1::Session session;
  if (e.type() == sv1::SessionRescheduled::descriptor()->full_name()) {
    auto moved = bus::UnpackEvent<sv1::SessionRescheduled>(e);
    if (!moved.ok()) return moved.status();
    session = moved->session();
  } else if (e.type() == sv1::SessionCancelled::descriptor()->full_name()) {
    auto cancelled = bus::UnpackEvent<sv1::SessionCancelled>(e);
    if (!cancelled.ok()) return cancelled.status();
    session = cancelled->session();
    session.set_status(sv1::SESSION_STATUS_CANCELLED);
  } else {
    auto scheduled = bus::UnpackEvent<sv1::SessionScheduled>(e);
    if (!scheduled.ok()) return scheduled.status();
    session = scheduled->session();
  }
  const std::string& m = e.municipality();
  return EditCohort(e, session.cohort_id(), [&](const Cohort& cohort, Change& change) {
    v1::CohortRecord c = cohort.record;
    v1::SessionRef ref = ToSessionRef(session);
    auto it = absl::c_find_if(*c.mutable_sessions(), [&](const v1::SessionRef& r) {
      return r.session_id() == ref.session_id();
    });
    if (it != c.mutable_sessions()->end()) {
      // Scheduling announces each session of a planned cohort again: nothing to rewrite.
      if (it->SerializeAsString() == ref.SerializeAsString()) return absl::OkStatus();
      *it = ref;
    } else {
      *c.add_sessions() = ref;
    }
    SortSessions(c);
    RefreshDays(c);
    change.hash_sets.push_back({SessionsKey(m), ref.session_id(), c.cohort_id()});
    absl::CivilDay first;
    if (ParseDay(c.first_day(), &first)) {
      change.index.push_back({ProgramCohortsKey(m, c.program_id()), c.cohort_id(),
                              static_cast<double>(DaysSinceEpoch(first))});
    }
    WriteCohort(change, m, cohort, std::move(c));
    return absl::OkStatus();
  });
}

absl::Status OutcomesDesk::ApplyEnrolled(const common::v1::Event& e) {
  auto enrolled = bus::UnpackEvent<sv1::Enrolled>(e);
  if (!enrolled.ok()) return enrolled.status();
  if (enrolled->referral_id().empty())
    return absl::InvalidArgumentError("enrolled event without referral_id");
  const std::string& m = e.municipality();
  return EditCohort(e, enrolled->cohort_id(),
                    [&](const Cohort& cohort, Change& change) -> absl::Status {
                      auto participants = LoadParticipants(m, {enrolled->referral_id()});
                      if (!participants.ok()) return participants.status();
                      const Participant& before = (*participants)[0];
                      if (before.version > 0 && before.record.started() &&
                          before.record.cohort_id() != enrolled->cohort_id()) {
                        // Already took part in another cohort: that history stays; a new course is
                        // a new referral.
                        return absl::OkStatus();
                      }
                      v1::ParticipantRecord p = before.record;
                      p.set_municipality(m);
                      p.set_referral_id(enrolled->referral_id());
                      p.set_citizen_id(enrolled->citizen_id());
                      p.set_cohort_id(enrolled->cohort_id());
                      p.set_program_id(enrolled->program_id());
                      p.set_unenrolled(false);
                      if (cohort.record.started() && !cohort.record.cancelled())
                        p.set_started(true);
                      if (auto st = WriteParticipant(change, m, before, std::move(p)); !st.ok())
                        return st;
                      if (!Contains(cohort.record.participants(), enrolled->referral_id())) {
                        v1::CohortRecord c = cohort.record;
                        c.add_participants(enrolled->referral_id());
                        WriteCohort(change, m, cohort, std::move(c));
                      }
                      return absl::OkStatus();
                    });
}

absl::Status OutcomesDesk::ApplyUnenrolled(const common::v1::Event& e) {
  auto unenrolled = bus::UnpackEvent<sv1::Unenrolled>(e);
  if (!unenrolled.ok()) return unenrolled.status();
  const std::string& m = e.municipality();
  return EditCohort(
      e, unenrolled->cohort_id(), [&](const Cohort& cohort, Change& change) -> absl::Status {
        auto participants = LoadParticipants(m, {unenrolled->referral_id()});
        if (!participants.ok()) return participants.status();
        const Participant& before = (*participants)[0];
        if (before.version > 0 && before.record.cohort_id() == unenrolled->cohort_id()) {
          v1::ParticipantRecord p = before.record;
          p.set_unenrolled(true);
          if (auto st = WriteParticipant(change, m, before, std::move(p)); !st.ok()) return st;
        }
        // Before the start the seat was never taken; after it, the participant stays on the
        // cohort's list and counts as a drop-out when the cohort settles.
        if (!cohort.record.started() &&
            Contains(cohort.record.participants(), unenrolled->referral_id())) {
          v1::CohortRecord c = cohort.record;
          c.clear_participants();
          for (const std::string& id : cohort.record.participants()) {
            if (id != unenrolled->referral_id()) c.add_participants(id);
          }
          WriteCohort(change, m, cohort, std::move(c));
        }
        return absl::OkStatus();
      });
}

absl::Status OutcomesDesk::ApplyCohortStarted(const common::v1::Event& e) {
  auto started = bus::UnpackEvent<sv1::CohortStarted>(e);
  if (!started.ok()) return started.status();
  const std::string& m = e.municipality();
  return EditCohort(
      e, started->cohort_id(), [&](const Cohort& cohort, Change& change) -> absl::Status {
        if (cohort.record.started() || cohort.record.cancelled()) return absl::OkStatus();
        v1::CohortRecord c = cohort.record;
        c.set_started(true);
        // The event's list is authoritative at the start; it also covers an enrolment we missed.
        std::vector<std::string> ids;
        absl::flat_hash_map<std::string, std::string> citizen;
        for (const sv1::Enrollment& en : started->participants()) {
          ids.push_back(en.referral_id());
          citizen[en.referral_id()] = en.citizen_id();
          if (!Contains(c.participants(), en.referral_id())) c.add_participants(en.referral_id());
        }
        auto participants = LoadParticipants(m, ids);
        if (!participants.ok()) return participants.status();
        std::optional<absl::Time> opens =
            TimePointOpens(c, v1::TIME_POINT_BASELINE, options_.schedule);
        for (size_t i = 0; i < ids.size(); ++i) {
          const Participant& before = (*participants)[i];
          v1::ParticipantRecord p = before.record;
          p.set_municipality(m);
          p.set_referral_id(ids[i]);
          if (p.citizen_id().empty()) p.set_citizen_id(citizen[ids[i]]);
          p.set_cohort_id(c.cohort_id());
          p.set_program_id(c.program_id());
          p.set_started(true);
          p.set_unenrolled(false);
          if (!FindTimePoint(p, v1::TIME_POINT_BASELINE)) {
            absl::Time at = opens.value_or(options_.clock());
            *p.add_schedule() = MakeTimePoint(ids[i], c.cohort_id(), v1::TIME_POINT_BASELINE, at,
                                              options_.schedule);
            change.timers.push_back({m, TimerId(ids[i], v1::TIME_POINT_BASELINE), at, ""});
          }
          if (auto st = WriteParticipant(change, m, before, std::move(p)); !st.ok()) return st;
        }
        WriteCohort(change, m, cohort, std::move(c));
        return absl::OkStatus();
      });
}

absl::Status OutcomesDesk::ApplyCohortCompleted(const common::v1::Event& e) {
  auto completed = bus::UnpackEvent<sv1::CohortCompleted>(e);
  if (!completed.ok()) return completed.status();
  const std::string& m = e.municipality();
  return EditCohort(
      e, completed->cohort_id(), [&](const Cohort& cohort, Change& change) -> absl::Status {
        if (cohort.record.completed() || cohort.record.cancelled()) return absl::OkStatus();
        v1::CohortRecord c = cohort.record;
        c.set_completed(true);
        c.set_started(true);
        c.set_sessions_held(completed->sessions_held());
        for (const sv1::Enrollment& en : completed->participants()) {
          if (!Contains(c.participants(), en.referral_id())) c.add_participants(en.referral_id());
        }
        std::vector<std::string> ids(c.participants().begin(), c.participants().end());
        auto participants = LoadParticipants(m, ids);
        if (!participants.ok()) return participants.status();
        for (size_t i = 0; i < ids.size(); ++i) {
          const Participant& before = (*participants)[i];
          if (before.version == 0) continue;  // listed but never seen: nothing to follow up
          v1::ParticipantRecord p = before.record;
          p.set_sessions_held(c.sessions_held());
          if (p.started() && !p.unenrolled()) {
            for (v1::TimePoint tp : kAfterCourse) {
              if (FindTimePoint(p, tp)) continue;
              absl::Time at = TimePointOpens(c, tp, options_.schedule).value_or(options_.clock());
              *p.add_schedule() = MakeTimePoint(ids[i], c.cohort_id(), tp, at, options_.schedule);
              change.timers.push_back({m, TimerId(ids[i], tp), at, ""});
            }
          }
          if (auto st = WriteParticipant(change, m, before, std::move(p)); !st.ok()) return st;
        }
        change.timers.push_back({m, absl::StrCat("settle:", c.cohort_id()),
                                 options_.clock() + options_.settle_delay, ""});
        WriteCohort(change, m, cohort, std::move(c));
        return absl::OkStatus();
      });
}

absl::Status OutcomesDesk::ApplyCohortCancelled(const common::v1::Event& e) {
  auto cancelled = bus::UnpackEvent<sv1::CohortCancelled>(e);
  if (!cancelled.ok()) return cancelled.status();
  const std::string& m = e.municipality();
  return EditCohort(
      e, cancelled->cohort_id(), [&](const Cohort& cohort, Change& change) -> absl::Status {
        if (cohort.record.cancelled()) return absl::OkStatus();
        v1::CohortRecord c = cohort.record;
        c.set_cancelled(true);
        std::vector<std::string> ids(c.participants().begin(), c.participants().end());
        auto participants = LoadParticipants(m, ids);
        if (!participants.ok()) return participants.status();
        // A cancelled course is nobody's outcome: its participants leave the tallies.
        for (size_t i = 0; i < ids.size(); ++i) {
          const Participant& before = (*participants)[i];
          if (before.version == 0 || before.record.cohort_id() != c.cohort_id()) continue;
          v1::ParticipantRecord p = before.record;
          p.set_started(false);
          if (auto st = WriteParticipant(change, m, before, std::move(p)); !st.ok()) return st;
        }
        WriteCohort(change, m, cohort, std::move(c));
        return absl::OkStatus();
      });
}

// ---- Referral facts (the funnel) ---------------------------------------------------------------

absl::Status OutcomesDesk::OnReferralEvent(const common::v1::Event& e) {
  if (e.type() == rv1::ReferralReceived::descriptor()->full_name() ||
      e.type() == rv1::ReferralStatusChanged::descriptor()->full_name()) {
    return ApplyReferralFact(e);
  }
  return absl::OkStatus();  // accepted/declined/withdrawn also arrive as status_changed
}

absl::Status OutcomesDesk::ApplyReferralFact(const common::v1::Event& e) {
  std::string referral_id;
  std::optional<rv1::ReferralReceived> received;
  std::optional<rv1::ReferralStatusChanged> changed;
  if (e.type() == rv1::ReferralReceived::descriptor()->full_name()) {
    auto r = bus::UnpackEvent<rv1::ReferralReceived>(e);
    if (!r.ok()) return r.status();
    received = *std::move(r);
    referral_id = received->referral_id();
  } else {
    auto c = bus::UnpackEvent<rv1::ReferralStatusChanged>(e);
    if (!c.ok()) return c.status();
    changed = *std::move(c);
    referral_id = changed->referral_id();
  }
  if (referral_id.empty()) return absl::InvalidArgumentError("referral event without referral_id");
  const std::string& m = e.municipality();
  const absl::TimeZone tz = options_.schedule.tz;
  return Retrying([&]() -> absl::Status {
    auto read = store_.Read(m, {FunnelReferralKey(m, referral_id)});
    if (!read.ok()) return read.status();
    v1::FunnelRecord before;
    int64_t version = 0;
    if ((*read)[0]) {
      version = (*read)[0]->version;
      if (!before.ParseFromString((*read)[0]->data))
        return absl::DataLossError("funnel record does not decode");
    }
    v1::FunnelRecord after = before;
    after.set_municipality(m);
    after.set_referral_id(referral_id);
    if (received) {
      after.set_received(true);
      after.set_source(received->source());
      *after.mutable_received_at() =
          received->received_at().seconds() > 0 ? received->received_at() : e.occurred_at();
    } else {
      switch (changed->to()) {
        case rv1::REFERRAL_STATUS_UNDER_REVIEW:
          after.set_contacted(true);
          break;
        case rv1::REFERRAL_STATUS_ACCEPTED:
          after.set_accepted(true);
          break;
        case rv1::REFERRAL_STATUS_ENROLLED:
          after.set_enrolled(true);
          break;
        case rv1::REFERRAL_STATUS_COMPLETED:
          after.set_completed(true);
          break;
        case rv1::REFERRAL_STATUS_DROPPED_OUT:
          after.set_dropped_out(true);
          break;
        case rv1::REFERRAL_STATUS_DECLINED:
          after.set_declined(true);
          break;
        case rv1::REFERRAL_STATUS_WITHDRAWN:
          after.set_withdrawn(true);
          break;
        default:
          break;
      }
    }
    after.set_version(version + 1);
    before.set_version(version);
    after.set_referral_version(
        std::max(before.referral_version(), received ? received->version() : changed->version()));
    Change change;
    change.writes.push_back(
        {FunnelReferralKey(m, referral_id), version, after.SerializeAsString()});
    if (after.received()) {
      FunnelTally delta = ReferralContribution(after);
      delta -= ReferralContribution(before);
      absl::CivilMonth month = absl::ToCivilMonth(FromProto(after.received_at()), tz);
      auto fields = NonZero(delta.ToFields());
      if (!fields.empty()) {
        change.tallies.push_back(
            {FunnelTallyKey(m, absl::FormatCivilTime(month)), std::move(fields)});
      }
    }
    change.applied_event_id = e.id();
    return Commit(m, change);
  });
}

// ---- Timers ----------------------------------------------------------------------------------

absl::Status OutcomesDesk::OnTimer(const timer::Timer& t) {
  std::vector<std::string> parts = absl::StrSplit(t.id, absl::MaxSplits(':', 1));
  if (parts.size() == 2 && parts[0] == "settle") return Settle(t.municipality, parts[1]);
  if (parts.size() == 2 && parts[0] == "tp") {
    size_t colon = parts[1].rfind(':');
    int tp = 0;
    if (colon != std::string::npos && absl::SimpleAtoi(parts[1].substr(colon + 1), &tp) &&
        v1::TimePoint_IsValid(tp)) {
      return AdvanceTimePoint(t.municipality, parts[1].substr(0, colon),
                              static_cast<v1::TimePoint>(tp));
    }
  }
  return absl::OkStatus();  // not ours: completing it is the only sensible thing
}

absl::Status OutcomesDesk::AdvanceTimePoint(const std::string& m, const std::string& referral_id,
                                            v1::TimePoint tp) {
  return Retrying([&]() -> absl::Status {
    auto participants = LoadParticipants(m, {referral_id});
    if (!participants.ok()) return participants.status();
    const Participant& before = (*participants)[0];
    if (before.version == 0) return absl::OkStatus();
    v1::ParticipantRecord p = before.record;
    v1::TimePointSchedule* s = FindTimePoint(p, tp);
    if (!s || s->state() == v1::TIME_POINT_STATE_CLOSED) return absl::OkStatus();
    // A cancelled course or a participant who left asks nothing more; the time point just closes.
    const bool active = p.started() && !p.unenrolled();
    const absl::Time now = options_.clock();
    const std::string base =
        absl::StrCat("outcomes:", m, ":", referral_id, ":", v1::TimePoint_Name(tp));
    Change change;
    bool moved = false;
    while (true) {
      if (s->state() == v1::TIME_POINT_STATE_SCHEDULED && now >= FromProto(s->opens_at())) {
        s->set_state(v1::TIME_POINT_STATE_DUE);
        if (active) {
          v1::QuestionnaireDue due;
          due.set_referral_id(referral_id);
          due.set_citizen_id(p.citizen_id());
          due.set_cohort_id(p.cohort_id());
          due.set_program_id(p.program_id());
          due.set_time_point(tp);
          for (int i : s->instruments()) due.add_instruments(static_cast<v1::Instrument>(i));
          *due.mutable_overdue_at() = s->overdue_at();
          *due.mutable_closes_at() = s->closes_at();
          AddEvent(change, m, "questionnaire_due", base + ":due", due, nullptr);
        }
      } else if (s->state() == v1::TIME_POINT_STATE_DUE && Missing(*s).empty() &&
                 now >= FromProto(s->closes_at())) {
        // Answered in time: nothing was overdue; step through OVERDUE silently to close it.
        s->set_state(v1::TIME_POINT_STATE_OVERDUE);
      } else if (s->state() == v1::TIME_POINT_STATE_DUE && !Missing(*s).empty() &&
                 now >= FromProto(s->overdue_at())) {
        s->set_state(v1::TIME_POINT_STATE_OVERDUE);
        std::vector<v1::Instrument> missing = Missing(*s);
        if (active) {
          v1::QuestionnaireOverdue overdue;
          overdue.set_referral_id(referral_id);
          overdue.set_citizen_id(p.citizen_id());
          overdue.set_cohort_id(p.cohort_id());
          overdue.set_program_id(p.program_id());
          overdue.set_time_point(tp);
          for (v1::Instrument i : missing) overdue.add_missing(i);
          *overdue.mutable_closes_at() = s->closes_at();
          AddEvent(change, m, "questionnaire_overdue", base + ":overdue", overdue, nullptr);
        }
      } else if (s->state() == v1::TIME_POINT_STATE_OVERDUE && now >= FromProto(s->closes_at())) {
        s->set_state(v1::TIME_POINT_STATE_CLOSED);
        if (active) {
          v1::QuestionnaireClosed closed;
          closed.set_referral_id(referral_id);
          closed.set_citizen_id(p.citizen_id());
          closed.set_cohort_id(p.cohort_id());
          closed.set_time_point(tp);
          for (int i : s->answered()) closed.add_answered(static_cast<v1::Instrument>(i));
          for (v1::Instrument i : Missing(*s)) closed.add_missing(i);
          AddEvent(change, m, "questionnaire_closed", base + ":closed", closed, nullptr);
        }
      } else {
        break;
      }
      moved = true;
    }
    absl::Time next;
    switch (s->state()) {
      case v1::TIME_POINT_STATE_SCHEDULED:
        next = FromProto(s->opens_at());
        break;
      // Answered: wake only to close it (no overdue step to record).
      case v1::TIME_POINT_STATE_DUE:
        next = FromProto(Missing(*s).empty() ? s->closes_at() : s->overdue_at());
        break;
      case v1::TIME_POINT_STATE_OVERDUE:
        next = FromProto(s->closes_at());
        break;
      default:
        next = absl::InfiniteFuture();
    }
    // Re-arming the timer under its own id replaces the one being handled.
    if (next != absl::InfiniteFuture())
      change.timers.push_back({m, TimerId(referral_id, tp), next, ""});
    if (!moved) return Commit(m, change);
    if (auto st = WriteParticipant(change, m, before, std::move(p)); !st.ok()) return st;
    return Commit(m, change);
  });
}

absl::Status OutcomesDesk::Settle(const std::string& m, const std::string& cohort_id) {
  return Retrying([&]() -> absl::Status {
    auto cohort = LoadCohort(m, cohort_id);
    if (!cohort.ok()) return cohort.status();
    if (cohort->version == 0 || cohort->record.settled() || cohort->record.cancelled())
      return absl::OkStatus();
    v1::CohortRecord c = cohort->record;
    std::vector<std::string> ids(c.participants().begin(), c.participants().end());
    auto participants = LoadParticipants(m, ids);
    if (!participants.ok()) return participants.status();
    Change change;
    for (size_t i = 0; i < ids.size(); ++i) {
      const Participant& before = (*participants)[i];
      if (before.version == 0 || !before.record.started() || before.record.cohort_id() != cohort_id)
        continue;
      v1::ParticipantRecord p = before.record;
      CompletionDecision d = DecideCompletion(p, c.sessions_held(), options_.policy);
      p.set_outcome(d.outcome);
      v1::OutcomeRecorded recorded;
      recorded.set_referral_id(ids[i]);
      recorded.set_citizen_id(p.citizen_id());
      recorded.set_cohort_id(cohort_id);
      recorded.set_program_id(p.program_id());
      recorded.set_outcome(d.outcome);
      recorded.set_sessions_held(d.held);
      recorded.set_sessions_attended(d.attended);
      recorded.set_rule(d.rule);
      AddEvent(change, m, "outcome_recorded",
               absl::StrCat("outcomes:", m, ":", cohort_id, ":", ids[i], ":outcome"), recorded,
               nullptr);
      if (auto st = WriteParticipant(change, m, before, std::move(p)); !st.ok()) return st;
    }
    c.set_settled(true);
    WriteCohort(change, m, *cohort, std::move(c));
    return Commit(m, change);
  });
}

// ---- Attendance --------------------------------------------------------------------------------

absl::StatusOr<v1::SessionAttendance> OutcomesDesk::RecordAttendance(
    const v1::RecordAttendanceRequest& req, const Caller& caller) {
  const std::string& m = req.municipality();
  if (auto st = AuthorizeOutcomes(OutcomesRpc::kRecordAttendance, caller.claims, m); !st.ok())
    return st;
  if (req.session_id().empty()) return absl::InvalidArgumentError("session_id: missing");
  auto cohort_id = store_.HashGet(m, SessionsKey(m), req.session_id());
  if (!cohort_id.ok()) return cohort_id.status();
  if (!*cohort_id)
    return absl::NotFoundError(absl::StrCat("session ", req.session_id(), " is not known"));
  v1::SessionAttendance result;
  absl::Status st = Retrying([&]() -> absl::Status {
    // The cohort and the session's current attendance in one round trip.
    const std::string key = AttendanceKey(m, req.session_id());
    auto read = store_.Read(m, {CohortKey(m, **cohort_id), key});
    if (!read.ok()) return read.status();
    auto cohort = ParseCohort((*read)[0], **cohort_id);
    if (!cohort.ok()) return cohort.status();
    const v1::CohortRecord& c = cohort->record;
    auto session = absl::c_find_if(
        c.sessions(), [&](const v1::SessionRef& s) { return s.session_id() == req.session_id(); });
    if (session == c.sessions().end())
      return absl::NotFoundError(absl::StrCat("session ", req.session_id(), " is not known"));
    if (caller.claims.role == identity::Role::kInstructor &&
        session->instructor_id() != caller.claims.subject) {
      return absl::PermissionDeniedError(
          "instructors record attendance only for the sessions they teach");
    }
    if (auto v = ValidateAttendance(c, *session, req.entries()); !v.ok()) return v;
    absl::CivilDay day;
    if (ParseDay(session->day(), &day)) {
      absl::Time starts =
          absl::FromCivil(absl::CivilMinute(day) + session->start_minute(), options_.schedule.tz);
      if (options_.clock() < starts) {
        return absl::FailedPreconditionError(absl::StrCat(
            "session ", req.session_id(), " has not started yet (", session->day(), ")"));
      }
    }
    v1::SessionAttendance current;
    int64_t version = 0;
    if ((*read)[1]) {
      version = (*read)[1]->version;
      auto plain = box_.Open((*read)[1]->data, key);
      if (!plain.ok()) return plain.status();
      if (!current.ParseFromString(*plain))
        return absl::DataLossError("attendance record does not decode");
    }
    if (version > 0 && SortedMarks(current.entries()) == SortedMarks(req.entries())) {
      result = current;  // the same marks again: a retry, nothing changes
      return absl::OkStatus();
    }
    if (req.expected_version() != version) {
      return absl::AbortedError(absl::StrCat("attendance of session ", req.session_id(),
                                             " is at version ", version, ", not ",
                                             req.expected_version()));
    }
    v1::SessionAttendance next;
    next.set_municipality(m);
    next.set_cohort_id(c.cohort_id());
    next.set_session_id(req.session_id());
    next.set_session_index(session->index());
    next.set_day(session->day());
    *next.mutable_entries() = req.entries();
    next.set_version(version + 1);
    *next.mutable_recorded_at() = ToProto(options_.clock());
    next.set_recorded_by(caller.claims.subject);

    // Everyone marked now or before (a correction may drop someone: their mark goes).
    std::vector<std::string> ids;
    absl::flat_hash_map<std::string, v1::AttendanceMark> marks;
    for (const v1::AttendanceEntry& x : current.entries())
      marks[x.referral_id()] = v1::ATTENDANCE_MARK_UNSPECIFIED;
    for (const v1::AttendanceEntry& x : req.entries()) marks[x.referral_id()] = x.mark();
    for (const auto& [id, mark] : marks) ids.push_back(id);
    std::sort(ids.begin(), ids.end());
    auto participants = LoadParticipants(m, ids);
    if (!participants.ok()) return participants.status();

    Change change;
    int counts[4] = {0, 0, 0, 0};
    for (const v1::AttendanceEntry& x : req.entries()) {
      if (x.mark() >= v1::ATTENDANCE_MARK_PRESENT && x.mark() <= v1::ATTENDANCE_MARK_EXCUSED)
        counts[x.mark()]++;
    }
    for (size_t i = 0; i < ids.size(); ++i) {
      const Participant& before = (*participants)[i];
      if (before.version == 0) continue;  // validated above: only a dropped entry can be unknown
      v1::ParticipantRecord p = before.record;
      if (!ApplyMark(p, req.session_id(), session->index(), marks[ids[i]])) continue;
      std::vector<v1::RiskReason> reasons = RiskReasons(p, options_.policy);
      bool new_reason = absl::c_any_of(
          reasons, [&](v1::RiskReason r) { return !absl::c_linear_search(p.risk_reasons(), r); });
      p.clear_risk_reasons();
      for (v1::RiskReason r : reasons) p.add_risk_reasons(r);
      if (new_reason && p.started() && !p.unenrolled()) {
        p.set_risk_flags(p.risk_flags() + 1);
        AttendanceSummary sum = Summarize(p);
        v1::DropOutRiskFlagged flag;
        flag.set_referral_id(p.referral_id());
        flag.set_citizen_id(p.citizen_id());
        flag.set_cohort_id(p.cohort_id());
        flag.set_program_id(p.program_id());
        for (v1::RiskReason r : reasons) flag.add_reasons(r);
        flag.set_attendance_rate(sum.rate.value_or(0));
        flag.set_sessions_recorded(sum.recorded);
        AddEvent(change, m, "drop_out_risk_flagged",
                 absl::StrCat("outcomes:", m, ":", p.referral_id(), ":risk:", p.risk_flags()), flag,
                 &caller);
      }
      if (auto w = WriteParticipant(change, m, before, std::move(p)); !w.ok()) return w;
    }
    auto sealed = box_.Seal(next.SerializeAsString(), key);
    if (!sealed.ok()) return sealed.status();
    change.writes.push_back({key, version, *std::move(sealed)});
    v1::AttendanceRecorded recorded;
    recorded.set_cohort_id(c.cohort_id());
    recorded.set_session_id(req.session_id());
    recorded.set_day(session->day());
    recorded.set_version(next.version());
    recorded.set_present(counts[v1::ATTENDANCE_MARK_PRESENT]);
    recorded.set_absent(counts[v1::ATTENDANCE_MARK_ABSENT]);
    recorded.set_excused(counts[v1::ATTENDANCE_MARK_EXCUSED]);
    AddEvent(change, m, "attendance_recorded",
             absl::StrCat("outcomes:", m, ":", req.session_id(), ":attendance:", next.version()),
             recorded, &caller);
    if (auto cst = Commit(m, change); !cst.ok()) return cst;
    result = std::move(next);
    return absl::OkStatus();
  });
  if (!st.ok()) return st;
  return result;
}

absl::StatusOr<v1::GetAttendanceResponse> OutcomesDesk::GetAttendance(
    const v1::GetAttendanceRequest& req, const Caller& caller) {
  const std::string& m = req.municipality();
  if (auto st = AuthorizeOutcomes(OutcomesRpc::kGetAttendance, caller.claims, m); !st.ok())
    return st;
  auto cohort = LoadCohort(m, req.cohort_id());
  if (!cohort.ok()) return cohort.status();
  if (cohort->version == 0)
    return absl::NotFoundError(absl::StrCat("cohort ", req.cohort_id(), " is not known"));
  const v1::CohortRecord& c = cohort->record;
  if (caller.claims.role == identity::Role::kInstructor &&
      !absl::c_any_of(c.sessions(), [&](const v1::SessionRef& s) {
        return s.instructor_id() == caller.claims.subject;
      })) {
    return absl::PermissionDeniedError("instructors see attendance only of the cohorts they teach");
  }
  std::vector<std::string> keys;
  for (const v1::SessionRef& s : c.sessions()) keys.push_back(AttendanceKey(m, s.session_id()));
  auto read = store_.Read(m, keys);
  if (!read.ok()) return read.status();
  v1::GetAttendanceResponse out;
  out.set_cohort_id(c.cohort_id());
  for (size_t i = 0; i < keys.size(); ++i) {
    if (!(*read)[i]) continue;
    auto plain = box_.Open((*read)[i]->data, keys[i]);
    if (!plain.ok()) return plain.status();
    if (!out.add_sessions()->ParseFromString(*plain))
      return absl::DataLossError("attendance record does not decode");
  }
  std::vector<std::string> ids(c.participants().begin(), c.participants().end());
  auto participants = LoadParticipants(m, ids);
  if (!participants.ok()) return participants.status();
  for (const Participant& p : *participants) {
    if (p.version == 0) continue;
    AttendanceSummary sum = Summarize(p.record);
    v1::ParticipantAttendance* a = out.add_participants();
    a->set_referral_id(p.record.referral_id());
    a->set_citizen_id(p.record.citizen_id());
    a->set_present(sum.present);
    a->set_absent(sum.absent);
    a->set_excused(sum.excused);
    a->set_attendance_rate(sum.rate.value_or(0));
    std::vector<v1::RiskReason> reasons = RiskReasons(p.record, options_.policy);
    a->set_at_risk(!reasons.empty());
    for (v1::RiskReason r : reasons) a->add_risk_reasons(r);
    a->set_outcome(p.record.outcome());
  }
  return out;
}

// ---- Questionnaires ----------------------------------------------------------------------------

absl::StatusOr<v1::Questionnaire> OutcomesDesk::SubmitQuestionnaire(
    const v1::SubmitQuestionnaireRequest& req, const Caller& caller) {
  const std::string& m = req.municipality();
  if (auto st = AuthorizeOutcomes(OutcomesRpc::kSubmitQuestionnaire, caller.claims, m); !st.ok())
    return st;
  v1::Questionnaire q;
  q.set_municipality(m);
  q.set_referral_id(req.referral_id());
  q.set_time_point(req.time_point());
  switch (req.answers_case()) {
    case v1::SubmitQuestionnaireRequest::kWho5:
      *q.mutable_who5() = req.who5();
      break;
    case v1::SubmitQuestionnaireRequest::kWai:
      *q.mutable_wai() = req.wai();
      break;
    case v1::SubmitQuestionnaireRequest::kEmployment:
      *q.mutable_employment() = req.employment();
      break;
    default:
      break;
  }
  std::vector<std::string> bad;
  if (req.referral_id().empty()) bad.push_back("referral_id: missing");
  if (req.time_point() == v1::TIME_POINT_UNSPECIFIED || !v1::TimePoint_IsValid(req.time_point())) {
    bad.push_back("time_point: missing");
  }
  auto score = ScoreAnswers(q);
  if (!score.ok()) bad.push_back(std::string(score.status().message()));
  if (!bad.empty()) return absl::InvalidArgumentError(absl::StrJoin(bad, "; "));
  q.set_instrument(InstrumentOf(q));
  *q.mutable_score() = *score;
  q.set_submitted_by(caller.claims.subject);

  absl::Status st = Retrying([&]() -> absl::Status {
    auto participants = LoadParticipants(m, {req.referral_id()});
    if (!participants.ok()) return participants.status();
    const Participant& before = (*participants)[0];
    if (before.version == 0 || !before.record.started()) {
      return absl::FailedPreconditionError(
          absl::StrCat("referral ", req.referral_id(),
                       " has no questionnaires: not a participant of a started cohort"));
    }
    v1::ParticipantRecord p = before.record;
    v1::TimePointSchedule* s = FindTimePoint(p, req.time_point());
    if (!s) {
      return absl::FailedPreconditionError(absl::StrCat(v1::TimePoint_Name(req.time_point()),
                                                        " is not scheduled yet for referral ",
                                                        req.referral_id()));
    }
    const absl::Time now = options_.clock();
    if (auto open = CheckSubmission(*s, q.instrument(), now, options_.schedule.tz); !open.ok())
      return open;
    q.set_revision(1);
    if (v1::Questionnaire* old = FindAnswer(p, q.instrument(), q.time_point())) {
      v1::Questionnaire same = q;
      same.set_revision(old->revision());
      *same.mutable_submitted_at() = old->submitted_at();
      if (google::protobuf::util::MessageDifferencer::Equals(same, *old)) {
        q = *old;  // the same answers again: a retry, nothing changes
        return absl::OkStatus();
      }
      // Replacing health data is audited (who changed whose answers), before it happens.
      privacy::AuditRecord audit{m,
                                 caller.claims.subject,
                                 std::string(identity::RoleName(caller.claims.role)),
                                 "outcomes.ReplaceQuestionnaire",
                                 req.referral_id(),
                                 caller.traceparent};
      if (auto a = audit_.Record(audit); !a.ok()) return a;
      q.set_revision(old->revision() + 1);
    }
    *q.mutable_submitted_at() = ToProto(now);
    if (v1::Questionnaire* old = FindAnswer(p, q.instrument(), q.time_point())) {
      *old = q;
    } else {
      *p.add_answers() = q;
    }
    if (!absl::c_linear_search(s->answered(), q.instrument())) s->add_answered(q.instrument());
    Change change;
    v1::QuestionnaireAnswered answered;
    answered.set_referral_id(req.referral_id());
    answered.set_citizen_id(p.citizen_id());
    answered.set_cohort_id(p.cohort_id());
    answered.set_time_point(q.time_point());
    answered.set_instrument(q.instrument());
    answered.set_revision(q.revision());
    AddEvent(change, m, "questionnaire_answered",
             absl::StrCat("outcomes:", m, ":", req.referral_id(), ":",
                          v1::TimePoint_Name(q.time_point()), ":",
                          v1::Instrument_Name(q.instrument()), ":", q.revision()),
             answered, &caller);
    if (auto w = WriteParticipant(change, m, before, std::move(p)); !w.ok()) return w;
    return Commit(m, change);
  });
  if (!st.ok()) return st;
  return q;
}

absl::StatusOr<v1::GetQuestionnairesResponse> OutcomesDesk::GetQuestionnaires(
    const v1::GetQuestionnairesRequest& req, const Caller& caller) {
  const std::string& m = req.municipality();
  if (auto st = AuthorizeOutcomes(OutcomesRpc::kGetQuestionnaires, caller.claims, m); !st.ok())
    return st;
  auto participants = LoadParticipants(m, {req.referral_id()});
  if (!participants.ok()) return participants.status();
  const Participant& p = (*participants)[0];
  if (p.version == 0)
    return absl::NotFoundError(absl::StrCat("referral ", req.referral_id(), " has no outcomes"));
  privacy::AuditRecord audit{m,
                             caller.claims.subject,
                             std::string(identity::RoleName(caller.claims.role)),
                             "outcomes.GetQuestionnaires",
                             req.referral_id(),
                             caller.traceparent};
  if (auto a = audit_.Record(audit); !a.ok()) return a;  // no audit, no data
  v1::GetQuestionnairesResponse out;
  *out.mutable_questionnaires() = p.record.answers();
  const absl::Time now = options_.clock();
  for (const v1::TimePointSchedule& s : p.record.schedule())
    *out.add_schedule() = Displayed(s, now);
  return out;
}

absl::StatusOr<v1::ListQuestionnaireScheduleResponse> OutcomesDesk::ListQuestionnaireSchedule(
    const v1::ListQuestionnaireScheduleRequest& req, const Caller& caller) {
  const std::string& m = req.municipality();
  if (auto st = AuthorizeOutcomes(OutcomesRpc::kListQuestionnaireSchedule, caller.claims, m);
      !st.ok())
    return st;
  auto cohort = LoadCohort(m, req.cohort_id());
  if (!cohort.ok()) return cohort.status();
  if (cohort->version == 0)
    return absl::NotFoundError(absl::StrCat("cohort ", req.cohort_id(), " is not known"));
  std::vector<std::string> ids(cohort->record.participants().begin(),
                               cohort->record.participants().end());
  auto participants = LoadParticipants(m, ids);
  if (!participants.ok()) return participants.status();
  v1::ListQuestionnaireScheduleResponse out;
  const absl::Time now = options_.clock();
  for (const Participant& p : *participants) {
    for (const v1::TimePointSchedule& s : p.record.schedule())
      *out.add_schedule() = Displayed(s, now);
  }
  return out;
}

// ---- Reports -----------------------------------------------------------------------------------

absl::StatusOr<v1::OutcomeReport> OutcomesDesk::CohortReport(const std::string& m,
                                                             const std::string& cohort_id) {
  auto cohort = LoadCohort(m, cohort_id);
  if (!cohort.ok()) return cohort.status();
  if (cohort->version == 0)
    return absl::NotFoundError(absl::StrCat("cohort ", cohort_id, " is not known"));
  auto tallies = store_.ReadTallies(m, {CohortTallyKey(m, cohort_id)});
  if (!tallies.ok()) return tallies.status();
  OutcomeTally tally = OutcomeTally::FromFields((*tallies)[0]);
  v1::OutcomeReport r =
      BuildReport(tally, nullptr, options_.policy, options_.suppression_threshold);
  r.set_municipality(m);
  r.set_program_id(cohort->record.program_id());
  r.set_cohort_id(cohort_id);
  r.set_cohorts(1);
  absl::CivilDay first, last;
  if (ParseDay(cohort->record.first_day(), &first) && ParseDay(cohort->record.last_day(), &last)) {
    *r.mutable_from() = ToProto(absl::FromCivil(first, options_.schedule.tz));
    *r.mutable_to() = ToProto(absl::FromCivil(last + 1, options_.schedule.tz));
  }
  *r.mutable_generated_at() = ToProto(options_.clock());
  return r;
}

absl::StatusOr<v1::OutcomeReport> OutcomesDesk::ProgramReport(
    const v1::GetProgramReportRequest& req) {
  const std::string& m = req.municipality();
  if (req.program_id().empty()) return absl::InvalidArgumentError("program_id: missing");
  const absl::TimeZone tz = options_.schedule.tz;
  // Default: the current calendar year. Checked and capped (5 years) before any loop over it.
  const absl::CivilYear year = absl::ToCivilYear(options_.clock(), tz);
  absl::Time default_from = absl::FromCivil(absl::CivilDay(year), tz);
  if (req.has_from()) {
    auto t = validation::CheckTimestamp("from", req.from());
    if (!t.ok()) return t.status();
    default_from = absl::FromCivil(absl::CivilDay(absl::ToCivilYear(*t, tz)), tz);
  }
  auto period = validation::CheckPeriod(
      req.has_from() ? std::optional(req.from()) : std::nullopt,
      req.has_to() ? std::optional(req.to()) : std::nullopt, default_from,
      absl::FromCivil(absl::CivilDay(absl::ToCivilYear(default_from, tz) + 1), tz),
      validation::kMaxReportPeriod);
  if (!period.ok()) return period.status();
  const absl::CivilDay from = absl::ToCivilDay(period->from, tz);
  const absl::CivilDay to = absl::ToCivilDay(period->to, tz);
  if (to <= from) return absl::InvalidArgumentError("to: must be after from");
  auto cohorts = store_.IndexRange(m, ProgramCohortsKey(m, req.program_id()),
                                   static_cast<double>(DaysSinceEpoch(from)),
                                   static_cast<double>(DaysSinceEpoch(to) - 1));
  if (!cohorts.ok()) return cohorts.status();
  std::vector<std::string> keys;
  for (const std::string& id : *cohorts) keys.push_back(CohortTallyKey(m, id));
  OutcomeTally tally;
  int started = 0;
  if (!keys.empty()) {
    auto tallies = store_.ReadTallies(m, keys);
    if (!tallies.ok()) return tallies.status();
    for (const auto& fields : *tallies) {
      OutcomeTally t = OutcomeTally::FromFields(fields);
      if (t.participants > 0) ++started;
      tally += t;
    }
  }
  std::vector<std::string> months;
  for (absl::CivilMonth mo(from); mo <= absl::CivilMonth(to - 1); ++mo)
    months.push_back(absl::FormatCivilTime(mo));
  auto funnel_months = store_.ReadFunnelMonths(m, months);
  if (!funnel_months.ok()) return funnel_months.status();
  FunnelTally funnel;
  for (const auto& fields : *funnel_months) funnel += FunnelTally::FromFields(fields);
  v1::OutcomeReport r =
      BuildReport(tally, &funnel, options_.policy, options_.suppression_threshold);
  r.set_municipality(m);
  r.set_program_id(req.program_id());
  r.set_cohorts(started);
  *r.mutable_from() = ToProto(absl::FromCivil(from, tz));
  *r.mutable_to() = ToProto(absl::FromCivil(to, tz));
  *r.mutable_generated_at() = ToProto(options_.clock());
  return r;
}

absl::StatusOr<v1::OutcomeReport> OutcomesDesk::GetCohortReport(
    const v1::GetCohortReportRequest& req, const Caller& caller) {
  if (auto st = AuthorizeOutcomes(OutcomesRpc::kGetCohortReport, caller.claims, req.municipality());
      !st.ok())
    return st;
  return CohortReport(req.municipality(), req.cohort_id());
}

absl::StatusOr<v1::OutcomeReport> OutcomesDesk::GetProgramReport(
    const v1::GetProgramReportRequest& req, const Caller& caller) {
  if (auto st =
          AuthorizeOutcomes(OutcomesRpc::kGetProgramReport, caller.claims, req.municipality());
      !st.ok())
    return st;
  return ProgramReport(req);
}

absl::StatusOr<v1::ExportReportResponse> OutcomesDesk::ExportReport(
    const v1::ExportReportRequest& req, const Caller& caller) {
  absl::StatusOr<v1::OutcomeReport> report;
  if (req.has_cohort()) {
    report = GetCohortReport(req.cohort(), caller);
  } else if (req.has_program()) {
    report = GetProgramReport(req.program(), caller);
  } else {
    return absl::InvalidArgumentError("report: give a cohort or a program");
  }
  if (!report.ok()) return report.status();
  v1::ExportFormat format =
      req.format() == v1::EXPORT_FORMAT_UNSPECIFIED ? v1::EXPORT_FORMAT_CSV : req.format();
  v1::ExportReportResponse out;
  switch (format) {
    case v1::EXPORT_FORMAT_JSON:
      out.set_content_type("application/json");
      out.set_content(ReportToJson(*report));
      break;
    case v1::EXPORT_FORMAT_TEXT:
      out.set_content_type("text/plain; charset=utf-8");
      out.set_content(ReportToText(*report));
      break;
    default:
      out.set_content_type("text/csv; charset=utf-8");
      out.set_content(ReportToCsv(*report));
      format = v1::EXPORT_FORMAT_CSV;
  }
  out.set_filename(ReportFilename(*report, format));
  return out;
}

}  // namespace kpr::outcomes
