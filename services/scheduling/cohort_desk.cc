#include "services/scheduling/cohort_desk.h"

#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "libs/calendar/danish_time.h"
#include "libs/calendar/iso_week.h"
#include "libs/identity/municipality.h"
#include "libs/observe/log.h"
#include "libs/store/retry_on_conflict.h"
#include "services/scheduling/catalog_mapping.h"
#include "services/scheduling/enrolment_changes.h"
#include "services/scheduling/planned_cohort.h"
#include "services/scheduling/planning_input.h"

namespace kpr::scheduling {
namespace {

// Days a cohort starting in `week` can touch: its weeks plus the pauses it may take.
std::pair<absl::CivilDay, absl::CivilDay> PlanningRange(int year, int week, int weeks) {
  absl::CivilDay monday = calendar::MondayOfIsoWeek(year, week);
  return {monday, monday + 7 * (weeks + 2) + 6};
}

absl::Status ValidatePlanRequest(const std::string& m, const std::string& program_id, int year,
                                 int week, int capacity) {
  if (auto s = identity::CheckMunicipality("municipality", m); !s.ok()) return s;
  if (auto s = RequireId("program_id", program_id); !s.ok()) return s;
  if (year < 2000 || year > 2100) return Invalid("start_iso_year", "must be between 2000 and 2100");
  if (week < 1 || week > calendar::IsoWeeksInYear(year)) {
    return Invalid("start_iso_week",
                   absl::StrCat("must be 1..", calendar::IsoWeeksInYear(year), " in ", year));
  }
  if (capacity < 0) return Invalid("capacity", "must not be negative");
  return absl::OkStatus();
}

// A cohort of `program` from the ISO week given, no session before tomorrow.
PlanRequest PlanRequestFor(const ProgramModel& program, int year, int week, int capacity,
                           absl::Time now, std::string cohort_id = "") {
  PlanRequest r;
  r.program = &program;
  r.start_iso_year = year;
  r.start_iso_week = week;
  r.capacity = capacity;
  r.not_before = absl::CivilDay(calendar::AbsoluteToLocal(now)) + 1;
  r.cohort_id = std::move(cohort_id);
  return r;
}

absl::Status NoTimetable(const v1::CreateCohortRequest& req,
                         const std::vector<Obstacle>& obstacles) {
  std::vector<std::string> parts;
  for (const auto& o : obstacles) parts.push_back(o.message);
  return absl::FailedPreconditionError(absl::StrCat(
      "no timetable exists for ", req.program_id(), " from ",
      calendar::IsoWeekLabel(calendar::MondayOfIsoWeek(req.start_iso_year(), req.start_iso_week())),
      ": ", absl::StrJoin(parts, "; ")));
}

}  // namespace

absl::StatusOr<v1::PlanCohortResponse> CohortDesk::PlanCohort(const v1::PlanCohortRequest& req,
                                                              const Caller& caller) {
  const std::string& m = req.municipality();
  if (auto s = AuthorizeCall(caller.claims, SchedulingRpc::kPlanCohort, m); !s.ok()) return s;
  if (auto s = ValidatePlanRequest(m, req.program_id(), req.start_iso_year(), req.start_iso_week(),
                                   req.capacity());
      !s.ok()) {
    return s;
  }
  auto catalog_program = ctx_.store.GetProgram(m, req.program_id());
  if (!catalog_program.ok()) return catalog_program.status();
  auto [from, to] =
      PlanningRange(req.start_iso_year(), req.start_iso_week(), catalog_program->weeks());
  auto in = LoadPlanningInput(ctx_.store, m, req.program_id(), from, to, "");
  if (!in.ok()) return in.status();
  PlanOutcome outcome =
      scheduling::PlanCohort(in->world, in->others,
                             PlanRequestFor(in->program, req.start_iso_year(), req.start_iso_week(),
                                            req.capacity(), ctx_.Now()),
                             ctx_.weights);
  v1::PlanCohortResponse out;
  if (!outcome.plan) {
    out.set_feasible(false);
    for (const auto& o : outcome.obstacles) *out.add_obstacles() = ToObstacleProto(o);
    return out;
  }
  out.set_feasible(true);
  for (const auto& s : outcome.plan->sessions) *out.add_sessions() = ToSessionProto(s, "", m, "");
  out.set_score(outcome.plan->score);
  for (const auto& v : outcome.plan->soft_violations)
    *out.add_soft_violations() = ToSoftViolationProto(v);
  return out;
}

absl::StatusOr<v1::CreateCohortResponse> CohortDesk::CreateCohort(
    const v1::CreateCohortRequest& req, const Caller& caller) {
  const std::string& m = req.municipality();
  if (auto s = AuthorizeCall(caller.claims, SchedulingRpc::kCreateCohort, m); !s.ok()) return s;
  if (auto s = ValidatePlanRequest(m, req.program_id(), req.start_iso_year(), req.start_iso_week(),
                                   req.capacity());
      !s.ok()) {
    return s;
  }
  if (req.name().size() > 200) return Invalid("name", "longer than 200 bytes");
  if (req.request_id().size() > 128) return Invalid("request_id", "longer than 128 bytes");
  NewCohort cohort;
  cohort.request_id = req.request_id().empty() ? RandomNonce() : req.request_id();
  cohort.cohort_id = CohortIdFor(m, req.program_id(), req.start_iso_year(), req.start_iso_week(),
                                 cohort.request_id);
  cohort.program_id = req.program_id();
  cohort.name = req.name();
  cohort.start_iso_year = req.start_iso_year();
  cohort.start_iso_week = req.start_iso_week();
  cohort.capacity = req.capacity();
  auto catalog_program = ctx_.store.GetProgram(m, req.program_id());
  if (!catalog_program.ok()) return catalog_program.status();
  auto [from, to] =
      PlanningRange(req.start_iso_year(), req.start_iso_week(), catalog_program->weeks());

  absl::Time now;
  int attempt = 0;
  auto committed = RetryRaces<CommitResult>(
      absl::StrCat("the venues kept being booked by others while planning (",
                   store::kMaxConflictAttempts, " attempts): try again"),
      [&]() -> absl::StatusOr<CommitResult> {
        ++attempt;
        auto in = LoadPlanningInput(ctx_.store, m, req.program_id(), from, to, "");
        if (!in.ok()) return in.status();
        EventStamp stamp = ctx_.Stamp(m, caller);
        now = stamp.at;
        PlanOutcome outcome = scheduling::PlanCohort(
            in->world, in->others,
            PlanRequestFor(in->program, req.start_iso_year(), req.start_iso_week(), req.capacity(),
                           now, cohort.cohort_id),
            ctx_.weights);
        if (!outcome.plan) return NoTimetable(req, outcome.obstacles);
        cohort.opens_at =
            req.opens_at_unix_ms() > 0 ? absl::FromUnixMillis(req.opens_at_unix_ms()) : now;
        auto result =
            ctx_.store.CommitCohort(PlannedCohortCommit(cohort, in->program, *outcome.plan, stamp));
        if (!result.ok()) return result.status();
        if (result->outcome == CommitResult::Outcome::kConflict) {
          observe::Info("booking conflict; re-planning")
              .With("cohort_id", cohort.cohort_id)
              .With("attempt", attempt);
          return absl::AbortedError("booked by others meanwhile");
        }
        return *std::move(result);
      });
  if (!committed.ok()) return committed.status();
  ctx_.Notify();
  const bool created = committed->outcome == CommitResult::Outcome::kCreated;
  if (created && cohort.opens_at <= now) {
    // Open at once (the timer would too, a moment later; it then finds it open).
    if (auto s = Open(m, cohort.cohort_id, caller); !s.ok()) {
      observe::Warn("cohort not opened yet; its timer will")
          .With("cohort_id", cohort.cohort_id)
          .With("reason", s.ToString());
    }
  }
  v1::CreateCohortResponse out;
  auto stored = ctx_.store.GetCohort(m, cohort.cohort_id);
  *out.mutable_cohort() = stored.ok() ? *stored : committed->cohort;
  for (auto& s : committed->sessions) *out.add_sessions() = std::move(s);
  out.set_created(created);
  return out;
}

absl::StatusOr<v1::Cohort> CohortDesk::GetCohort(const v1::GetCohortRequest& req,
                                                 const Caller& caller) {
  if (auto s = AuthorizeCall(caller.claims, SchedulingRpc::kGetCohort, req.municipality()); !s.ok())
    return s;
  auto cohort = ctx_.store.GetCohort(req.municipality(), req.cohort_id());
  if (!cohort.ok()) return cohort.status();
  if (NeedsInstitutionCheck(caller.claims, SchedulingRpc::kGetCohort)) {
    SessionQuery q;
    q.municipality = req.municipality();
    q.id = req.cohort_id();
    auto sessions = ctx_.store.ListSessions(q);
    if (!sessions.ok()) return sessions.status();
    auto grant = ctx_.AuthorizeForInstitutions(caller, SchedulingRpc::kGetCohort,
                                               req.municipality(), InstitutionsOf(*sessions));
    if (!grant.ok()) return grant.status();
  }
  return cohort;
}

absl::StatusOr<v1::ListCohortsResponse> CohortDesk::ListCohorts(const v1::ListCohortsRequest& req,
                                                                const Caller& caller) {
  if (auto s = AuthorizeCall(caller.claims, SchedulingRpc::kListCohorts, req.municipality());
      !s.ok())
    return s;
  if (req.page_size() < 0 || req.page_size() > 500) return Invalid("page_size", "must be 0..500");
  CohortQuery q;
  q.municipality = req.municipality();
  q.program_id = req.program_id();
  q.status = req.status();
  q.page_size = req.page_size() == 0 ? 100 : req.page_size();
  q.page_token = req.page_token();
  auto page = ctx_.store.ListCohorts(q);
  if (!page.ok()) return page.status();
  v1::ListCohortsResponse out;
  for (auto& c : page->cohorts) *out.add_cohorts() = std::move(c);
  out.set_next_page_token(page->next_page_token);
  return out;
}

absl::StatusOr<v1::Cohort> CohortDesk::CancelCohort(const v1::CancelCohortRequest& req,
                                                    const Caller& caller) {
  const std::string& m = req.municipality();
  if (auto s = AuthorizeCall(caller.claims, SchedulingRpc::kCancelCohort, m); !s.ok()) return s;
  if (req.reason().empty())
    return Invalid("reason", "required: participants and institutions are told why");
  return RetryRaces<v1::Cohort>(
      "the cohort kept changing: try again", [&]() -> absl::StatusOr<v1::Cohort> {
        auto cohort = ctx_.store.GetCohort(m, req.cohort_id());
        if (!cohort.ok()) return cohort.status();
        if (req.expected_version() != 0 && cohort->version() != req.expected_version())
          return StaleVersion("cohort", req.expected_version(), cohort->version());
        auto enrolled = ctx_.store.ListEnrollments(m, req.cohort_id());
        if (!enrolled.ok()) return enrolled.status();
        auto result = ctx_.store.CancelCohort(CohortCancellation(
            *cohort, *enrolled, req.reason(), req.reason_code(), ctx_.Stamp(m, caller)));
        if (!result.ok()) return result.status();
        ctx_.Notify();
        return result->cohort;
      });
}

// ---- Lifecycle ----------------------------------------------------------------------------------

absl::Status CohortDesk::Step(const std::string& m, const std::string& cohort_id,
                              const Caller& caller, const StepDecision& decide) {
  return RetryRaces("the cohort kept changing", [&]() -> absl::Status {
    auto cohort = ctx_.store.GetCohort(m, cohort_id);
    if (!cohort.ok()) return cohort.status();
    auto enrolled = ctx_.store.ListEnrollments(m, cohort_id);
    if (!enrolled.ok()) return enrolled.status();
    auto step = decide(*cohort, *enrolled, ctx_.Stamp(m, caller));
    if (!step.ok()) return step.status();
    if (!step->has_value()) return absl::OkStatus();  // already there
    auto result = ctx_.store.TransitionCohort(**step);
    if (!result.ok()) return result.status();
    ctx_.Notify();
    return absl::OkStatus();
  });
}

absl::Status CohortDesk::Open(const std::string& m, const std::string& cohort_id,
                              const Caller& caller) {
  return Step(m, cohort_id, caller,
              [&](const v1::Cohort& cohort, const std::vector<v1::Enrollment>&,
                  const EventStamp& stamp) -> absl::StatusOr<std::optional<CohortTransition>> {
                auto waitlist = ctx_.store.GetWaitlist(m, cohort.program_id());
                if (!waitlist.ok()) return waitlist.status();
                const int free_seats = cohort.capacity() - cohort.enrolled_count();
                return CohortOpening(cohort, WaitlistSeats(cohort, *waitlist, free_seats, stamp),
                                     stamp);
              });
}

absl::Status CohortDesk::Start(const std::string& m, const std::string& cohort_id,
                               const Caller& caller) {
  return Step(m, cohort_id, caller, CohortStart);
}

absl::Status CohortDesk::Complete(const std::string& m, const std::string& cohort_id,
                                  const Caller& caller) {
  // Started first, so participants hear "started" before "completed".
  if (auto s = Start(m, cohort_id, caller); !s.ok()) return s;
  return Step(m, cohort_id, caller, CohortCompletion);
}

absl::Status CohortDesk::OnTimer(const timer::Timer& timer) {
  Caller caller = identity::ServiceCaller(kSchedulingService, timer.municipality);
  auto colon = timer.id.find(':');
  if (colon == std::string::npos) return absl::OkStatus();  // not ours: complete it
  std::string kind = timer.id.substr(0, colon);
  std::string cohort_id = timer.id.substr(colon + 1);
  absl::Status st;
  if (kind == "open") {
    st = Open(timer.municipality, cohort_id, caller);
  } else if (kind == "start") {
    st = Start(timer.municipality, cohort_id, caller);
  } else if (kind == "complete") {
    st = Complete(timer.municipality, cohort_id, caller);
  }
  // A cohort that no longer exists has nothing left to do.
  if (st.code() == absl::StatusCode::kNotFound ||
      st.code() == absl::StatusCode::kFailedPrecondition) {
    observe::Warn("lifecycle timer for a cohort that cannot move")
        .With("timer_id", timer.id)
        .With("reason", st.ToString());
    return absl::OkStatus();
  }
  return st;
}

}  // namespace kpr::scheduling
