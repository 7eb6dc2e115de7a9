#include "services/scheduling/timetable_desk.h"

#include <algorithm>
#include <set>

#include "absl/strings/str_cat.h"
#include "libs/calendar/civil_day.h"
#include "libs/calendar/danish_time.h"
#include "libs/observe/log.h"
#include "libs/validation/period.h"
#include "services/scheduling/catalog_mapping.h"
#include "services/scheduling/catalog_validator.h"
#include "services/scheduling/ics_export.h"
#include "services/scheduling/planning_input.h"
#include "services/scheduling/session_changes.h"
#include "services/scheduling/session_reschedule.h"

namespace kpr::scheduling {
namespace {

bool StartsBefore(const v1::Session& s, absl::CivilMinute now) {
  auto day = calendar::ParseDay(s.day());
  return day.ok() &&
         absl::CivilMinute(day->year(), day->month(), day->day()) + s.start_minute() < now;
}

bool IsOver(const v1::Cohort& cohort) {
  return cohort.status() == v1::COHORT_STATUS_COMPLETED ||
         cohort.status() == v1::COHORT_STATUS_CANCELLED;
}

bool SameDays(const v1::DateRange& a, const v1::DateRange& b) {
  return a.first_day() == b.first_day() && a.last_day() == b.last_day();
}

SessionQuery CohortSessions(const std::string& m, const std::string& cohort_id) {
  SessionQuery q;
  q.municipality = m;
  q.id = cohort_id;
  return q;
}

// Only the sessions at the institution the grant limits the caller to (if it does).
std::vector<v1::Session> Shown(std::vector<v1::Session> sessions, const AccessGrant& grant) {
  if (grant.only_institution_id.empty()) return sessions;
  std::erase_if(sessions, [&](const v1::Session& s) {
    return s.institution_id() != grant.only_institution_id;
  });
  return sessions;
}

}  // namespace

absl::StatusOr<v1::ListSessionsResponse> TimetableDesk::ListSessions(
    const v1::ListSessionsRequest& req, const Caller& caller) {
  const std::string& m = req.municipality();
  if (auto s = AuthorizeCall(caller.claims, SchedulingRpc::kListSessions, m); !s.ok()) return s;
  SessionQuery q;
  q.municipality = m;
  q.include_cancelled = req.include_cancelled();
  int given = 0;
  for (const auto& [by, id] : {std::pair{SessionQuery::By::kCohort, &req.cohort_id()},
                               std::pair{SessionQuery::By::kInstitution, &req.institution_id()},
                               std::pair{SessionQuery::By::kVenue, &req.venue_id()},
                               std::pair{SessionQuery::By::kInstructor, &req.instructor_id()}}) {
    if (id->empty()) continue;
    ++given;
    q.by = by;
    q.id = *id;
  }
  if (given != 1)
    return Invalid("cohort_id",
                   "give exactly one of cohort_id, institution_id, venue_id, instructor_id");
  if (q.by != SessionQuery::By::kCohort) {
    auto range = validation::CheckDayRange("from_day", req.from_day(), "to_day", req.to_day());
    if (!range.ok()) return range.status();
    q.from = range->from;
    q.to = range->to;
  }
  // Institutions concerned, for instructors.
  std::vector<std::string> concerned;
  if (q.by == SessionQuery::By::kInstitution) concerned = {q.id};
  if (q.by == SessionQuery::By::kInstructor) {
    auto instr = ctx_.store.GetInstructor(m, q.id);
    if (!instr.ok()) return instr.status();
    concerned = {instr->institution_id()};
  }
  if (q.by == SessionQuery::By::kVenue) {
    auto institutions = ctx_.store.ListInstitutions(m);
    if (!institutions.ok()) return institutions.status();
    for (const auto& i : *institutions) {
      for (const auto& v : i.venues()) {
        if (v.venue_id() == q.id) concerned = {i.institution_id()};
      }
    }
    if (concerned.empty()) return absl::NotFoundError(absl::StrCat("venue ", q.id, " not found"));
  }
  auto sessions = ctx_.store.ListSessions(q);
  if (!sessions.ok()) return sessions.status();
  if (q.by == SessionQuery::By::kCohort) concerned = InstitutionsOf(*sessions);
  auto grant = ctx_.AuthorizeForInstitutions(caller, SchedulingRpc::kListSessions, m, concerned);
  if (!grant.ok()) return grant.status();
  v1::ListSessionsResponse out;
  for (auto& s : Shown(*std::move(sessions), *grant)) *out.add_sessions() = std::move(s);
  return out;
}

absl::StatusOr<v1::Session> TimetableDesk::ChangeSession(const std::string& m,
                                                         const std::string& session_id,
                                                         int64_t expected_version,
                                                         const Caller& caller,
                                                         const SessionDecision& decide) {
  if (auto s = RequireId("session_id", session_id); !s.ok()) return s;
  if (expected_version <= 0)
    return Invalid("expected_version", "required (the version you last saw)");
  return RetryRaces<v1::Session>(
      "the slot kept being booked by others: try again", [&]() -> absl::StatusOr<v1::Session> {
        auto current = ctx_.store.GetSession(m, session_id);
        if (!current.ok()) return current.status();
        if (current->version() != expected_version)
          return StaleVersion("session", expected_version, current->version());
        if (current->status() == v1::SESSION_STATUS_CANCELLED)
          return absl::FailedPreconditionError("the session is cancelled");
        if (StartsBefore(*current, calendar::AbsoluteToLocal(ctx_.Now())))
          return absl::FailedPreconditionError("the session has already taken place (or begun)");
        auto cohort = ctx_.store.GetCohort(m, current->cohort_id());
        if (!cohort.ok()) return cohort.status();
        if (IsOver(*cohort)) {
          return absl::FailedPreconditionError(
              absl::StrCat("the cohort is ", v1::CohortStatus_Name(cohort->status())));
        }
        auto timetable = ctx_.store.ListSessions(CohortSessions(m, current->cohort_id()));
        if (!timetable.ok()) return timetable.status();
        auto changed = decide(*current, *cohort, *timetable);
        if (!changed.ok()) return changed.status();
        auto result = ctx_.store.UpdateSessions(CoordinatorSessionChange(
            *cohort, *current, *changed, *timetable, ctx_.Stamp(m, caller)));
        if (!result.ok()) return result.status();
        if (result->outcome == SessionsUpdateResult::Outcome::kConflict)
          return absl::AbortedError("the slot was booked by others meanwhile");
        ctx_.Notify();
        if (!result->sessions.empty()) return result->sessions.front();
        return ctx_.store.GetSession(m, session_id);
      });
}

absl::StatusOr<v1::Session> TimetableDesk::RescheduleSession(
    const v1::RescheduleSessionRequest& req, const Caller& caller) {
  const std::string& m = req.municipality();
  if (auto s = AuthorizeCall(caller.claims, SchedulingRpc::kRescheduleSession, m); !s.ok())
    return s;
  if (req.reason().empty()) return Invalid("reason", "required");
  return ChangeSession(
      m, req.session_id(), req.expected_version(), caller,
      [&](const v1::Session& current, const v1::Cohort& cohort,
          const std::vector<v1::Session>& timetable) -> absl::StatusOr<v1::Session> {
        auto day = calendar::ParseDay(current.day());
        if (!day.ok()) return day.status();
        auto in = LoadPlanningInput(ctx_.store, m, cohort.program_id(), *day - 7, *day + 7,
                                    cohort.cohort_id());
        if (!in.ok()) return in.status();
        RescheduleWorld world{&in->world, &in->others, &in->program, cohort.capacity(),
                              ctx_.weights};
        return RescheduledSession(world, req, current, timetable,
                                  calendar::AbsoluteToLocal(ctx_.Now()));
      });
}

absl::StatusOr<v1::Session> TimetableDesk::CancelSession(const v1::CancelSessionRequest& req,
                                                         const Caller& caller) {
  const std::string& m = req.municipality();
  if (auto s = AuthorizeCall(caller.claims, SchedulingRpc::kCancelSession, m); !s.ok()) return s;
  if (req.reason().empty()) return Invalid("reason", "required");
  return ChangeSession(m, req.session_id(), req.expected_version(), caller,
                       [&](const v1::Session& current, const v1::Cohort&,
                           const std::vector<v1::Session>&) -> absl::StatusOr<v1::Session> {
                         v1::Session out = current;
                         out.set_status(v1::SESSION_STATUS_CANCELLED);
                         out.set_change_reason(req.reason());
                         return out;
                       });
}

absl::Status TimetableDesk::RepairCohortTimetable(const std::string& m,
                                                  const std::string& cohort_id, absl::CivilDay from,
                                                  absl::CivilDay to, const std::string& reason,
                                                  v1::ChangeReason code, const Caller& caller,
                                                  v1::RepairResponse& out) {
  int past_untouched = 0;
  std::vector<v1::Session> changed;
  absl::Status st = RetryRaces("", [&]() -> absl::Status {
    past_untouched = 0;
    auto cohort = ctx_.store.GetCohort(m, cohort_id);
    if (!cohort.ok()) return cohort.status();
    if (IsOver(*cohort)) return absl::OkStatus();
    auto timetable = ctx_.store.ListSessions(CohortSessions(m, cohort_id));
    if (!timetable.ok()) return timetable.status();
    RepairRequest rr;
    rr.capacity = cohort->capacity();
    rr.now = calendar::AbsoluteToLocal(ctx_.Now());
    for (const auto& s : *timetable) {
      if (s.status() == v1::SESSION_STATUS_CANCELLED) continue;
      auto p = ToPlannedSession(s);
      if (p.ok()) rr.current.push_back(*p);
    }
    if (rr.current.empty()) return absl::OkStatus();
    auto in = LoadPlanningInput(ctx_.store, m, cohort->program_id(),
                                std::min(from, rr.current.front().day) - 7,
                                std::max(to, rr.current.back().day) + 7, cohort_id);
    if (!in.ok()) return in.status();
    rr.program = &in->program;
    RepairOutcome repaired = RepairCohort(in->world, in->others, rr, ctx_.weights);
    past_untouched = repaired.past_untouched;
    SessionsUpdate update =
        RepairedTimetable(*cohort, *timetable, repaired, reason, code, ctx_.Stamp(m, caller));
    if (update.sessions.empty()) return absl::OkStatus();
    auto result = ctx_.store.UpdateSessions(update);
    if (!result.ok()) return result.status();
    if (result->outcome == SessionsUpdateResult::Outcome::kConflict)
      return absl::AbortedError("the new slots were booked by others meanwhile");
    ctx_.Notify();
    changed = std::move(result->sessions);
    return absl::OkStatus();
  });
  if (st.code() == absl::StatusCode::kAborted) {
    // The others' cohorts are still repaired; this one keeps its timetable for now.
    observe::Warn("cohort not repaired: its timetable kept changing")
        .With("cohort_id", cohort_id)
        .With("reason", st.ToString());
    return absl::OkStatus();
  }
  if (!st.ok()) return st;
  out.set_past_untouched(out.past_untouched() + past_untouched);
  for (auto& s : changed) {
    *(s.status() == v1::SESSION_STATUS_CANCELLED ? out.add_cancelled() : out.add_moved()) =
        std::move(s);
  }
  return absl::OkStatus();
}

absl::StatusOr<v1::RepairResponse> TimetableDesk::RepairAffected(
    const std::string& m, SessionQuery::By by, const std::string& id, const v1::DateRange& days,
    const std::string& reason, const Caller& caller) {
  auto from = calendar::ParseDay(days.first_day());
  if (!from.ok()) return from.status();
  auto to = calendar::ParseDay(days.last_day());
  if (!to.ok()) return to.status();
  SessionQuery q;
  q.municipality = m;
  q.by = by;
  q.id = id;
  q.from = *from;
  q.to = *to;
  auto affected = ctx_.store.ListSessions(q);
  if (!affected.ok()) return affected.status();
  std::set<std::string> cohorts;
  for (const auto& s : *affected) cohorts.insert(s.cohort_id());
  const v1::ChangeReason code = by == SessionQuery::By::kVenue
                                    ? v1::CHANGE_REASON_VENUE_CLOSED
                                    : v1::CHANGE_REASON_INSTRUCTOR_ABSENT;
  v1::RepairResponse out;
  for (const std::string& cohort_id : cohorts) {
    if (auto s = RepairCohortTimetable(m, cohort_id, *from, *to, reason, code, caller, out);
        !s.ok())
      return s;
  }
  return out;
}

absl::StatusOr<v1::RepairResponse> TimetableDesk::CloseVenue(const v1::CloseVenueRequest& req,
                                                             const Caller& caller) {
  const std::string& m = req.municipality();
  if (auto s = AuthorizeCall(caller.claims, SchedulingRpc::kCloseVenue, m); !s.ok()) return s;
  if (auto s = ViolationsToStatus(ValidateDateRange(req.closure(), "closure")); !s.ok()) return s;
  absl::Status recorded = RetryRaces("", [&]() -> absl::Status {
    auto institution = ctx_.store.GetInstitution(m, req.institution_id());
    if (!institution.ok()) return institution.status();
    v1::Institution updated = *institution;
    v1::Venue* venue = nullptr;
    for (auto& v : *updated.mutable_venues()) {
      if (v.venue_id() == req.venue_id()) venue = &v;
    }
    if (venue == nullptr) {
      return absl::NotFoundError(
          absl::StrCat("venue ", req.venue_id(), " not found at ", req.institution_id()));
    }
    for (const auto& c : venue->closures()) {
      // A retry of a call whose repair did not finish: repair again below.
      if (SameDays(c, req.closure())) return absl::OkStatus();
    }
    *venue->add_closures() = req.closure();
    return ctx_.store.PutInstitution(updated, institution->version()).status();
  });
  if (!recorded.ok()) return recorded;
  return RepairAffected(m, SessionQuery::By::kVenue, req.venue_id(), req.closure(),
                        absl::StrCat("venue closed: ", req.closure().reason()), caller);
}

absl::StatusOr<v1::RepairResponse> TimetableDesk::AddInstructorAbsence(
    const v1::AddInstructorAbsenceRequest& req, const Caller& caller) {
  const std::string& m = req.municipality();
  if (auto s = AuthorizeCall(caller.claims, SchedulingRpc::kAddInstructorAbsence, m); !s.ok())
    return s;
  if (auto s = ViolationsToStatus(ValidateDateRange(req.absence(), "absence")); !s.ok()) return s;
  absl::Status recorded = RetryRaces("", [&]() -> absl::Status {
    auto instructor = ctx_.store.GetInstructor(m, req.instructor_id());
    if (!instructor.ok()) return instructor.status();
    for (const auto& a : instructor->absences()) {
      if (SameDays(a, req.absence())) return absl::OkStatus();
    }
    v1::Instructor updated = *instructor;
    *updated.add_absences() = req.absence();
    return ctx_.store.PutInstructor(updated, instructor->version()).status();
  });
  if (!recorded.ok()) return recorded;
  return RepairAffected(m, SessionQuery::By::kInstructor, req.instructor_id(), req.absence(),
                        absl::StrCat("instructor absent: ", req.absence().reason()), caller);
}

absl::StatusOr<v1::ExportCalendarResponse> TimetableDesk::ExportCalendar(
    const v1::ExportCalendarRequest& req, const Caller& caller) {
  const std::string& m = req.municipality();
  if (auto s = AuthorizeCall(caller.claims, SchedulingRpc::kExportCalendar, m); !s.ok()) return s;
  SessionQuery q;
  q.municipality = m;
  q.include_cancelled = true;  // calendars must learn that an event was cancelled
  std::string calendar_name;
  if (!req.cohort_id().empty()) {
    q.id = req.cohort_id();
  } else if (!req.institution_id().empty()) {
    q.by = SessionQuery::By::kInstitution;
    q.id = req.institution_id();
    // Default: a week back and a year ahead. A range given is checked and capped at a year.
    absl::CivilDay today(calendar::AbsoluteToLocal(ctx_.Now()));
    q.from = today - 7;
    q.to = q.from + 365;
    if (!req.from_day().empty() || !req.to_day().empty()) {
      auto range = validation::CheckDayRange(
          "from_day", req.from_day().empty() ? calendar::FormatDay(q.from) : req.from_day(),
          "to_day", req.to_day().empty() ? calendar::FormatDay(q.from + 365) : req.to_day());
      if (!range.ok()) return range.status();
      q.from = range->from;
      q.to = range->to;
    }
  } else {
    return Invalid("cohort_id", "give cohort_id or institution_id");
  }
  auto sessions = ctx_.store.ListSessions(q);
  if (!sessions.ok()) return sessions.status();
  std::vector<std::string> concerned = q.by == SessionQuery::By::kInstitution
                                           ? std::vector<std::string>{q.id}
                                           : InstitutionsOf(*sessions);
  auto grant = ctx_.AuthorizeForInstitutions(caller, SchedulingRpc::kExportCalendar, m, concerned);
  if (!grant.ok()) return grant.status();
  std::vector<v1::Session> shown = Shown(*std::move(sessions), *grant);
  auto catalog = ctx_.store.LoadCatalog(m);
  if (!catalog.ok()) return catalog.status();
  IcsLookup lookup;
  for (const auto& i : catalog->institutions) {
    lookup.AddInstitution(i);
    if (i.institution_id() == req.institution_id()) calendar_name = i.name();
  }
  for (const auto& p : catalog->programs) lookup.AddProgram(p);
  std::set<std::string> cohort_ids;
  for (const auto& s : shown) cohort_ids.insert(s.cohort_id());
  for (const auto& id : cohort_ids) {
    auto c = ctx_.store.GetCohort(m, id);
    if (c.ok()) {
      lookup.AddCohort(*c);
      if (id == req.cohort_id()) calendar_name = c->name();
    }
  }
  if (calendar_name.empty()) calendar_name = q.id;
  auto ics = ExportIcs(calendar_name, shown, lookup, ctx_.Now());
  if (!ics.ok()) return ics.status();
  v1::ExportCalendarResponse out;
  out.set_ics(*std::move(ics));
  return out;
}

}  // namespace kpr::scheduling
