#include "services/scheduling/scheduling_desk.h"

#include <algorithm>
#include <set>

#include "absl/algorithm/container.h"
#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/random/random.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "google/protobuf/util/time_util.h"
#include "kpr/scheduling/v1/events.pb.h"
#include "libs/bus/envelope.h"
#include "libs/calendar/civil_day.h"
#include "libs/calendar/danish_time.h"
#include "libs/calendar/iso_week.h"
#include "libs/identity/municipality.h"
#include "libs/observe/log.h"
#include "libs/privacy/sha256.h"
#include "libs/validation/period.h"
#include "services/scheduling/catalog_mapping.h"
#include "services/scheduling/catalog_validator.h"
#include "services/scheduling/closure_calendar.h"
#include "services/scheduling/ics_export.h"
#include "services/scheduling/replacement_order.h"

namespace kpr::scheduling {
namespace {

using ::google::protobuf::util::TimeUtil;

google::protobuf::Timestamp Ts(absl::Time t) {
  return TimeUtil::MillisecondsToTimestamp(absl::ToUnixMillis(t));
}

absl::Time TimeOf(const google::protobuf::Timestamp& ts) {
  return absl::FromUnixSeconds(ts.seconds()) + absl::Nanoseconds(ts.nanos());
}

// Session events leave kpr: the staff's words (change_reason) stay in the session record, and the
// event carries the reason as a code.
void ForEvent(v1::SessionRescheduled& e, v1::ChangeReason code) {
  e.mutable_session()->clear_change_reason();
  e.mutable_previous()->clear_change_reason();
  e.set_reason_code(code);
}
void ForEvent(v1::SessionCancelled& e, v1::ChangeReason code) {
  e.mutable_session()->clear_change_reason();
  e.set_reason_code(code);
}

absl::Status Invalid(absl::string_view field, absl::string_view what) {
  return absl::InvalidArgumentError(absl::StrCat(field, ": ", what));
}

absl::Status RequireMunicipality(const std::string& m) {
  if (auto s = identity::CheckMunicipality("municipality", m); !s.ok()) return s;
  return absl::OkStatus();
}

absl::Status RequireId(absl::string_view field, const std::string& id) {
  if (!IsValidId(id)) return Invalid(field, "required: 1-64 of A-Z a-z 0-9 _ -");
  return absl::OkStatus();
}

bool Retryable(const absl::Status& s) { return s.code() == absl::StatusCode::kAborted; }

// A stable, readable id from a caller's idempotency key.
std::string CohortIdFor(const std::string& m, const std::string& program_id, int year, int week,
                        const std::string& request_id) {
  std::string program = program_id.substr(0, 24);
  return absl::StrCat(m, "-", program, "-", year, "w", week < 10 ? "0" : "", week, "-",
                      privacy::Sha256Hex(absl::StrCat(m, "|", request_id)).substr(0, 8));
}

std::string SessionIdFor(const std::string& cohort_id, int index) {
  return absl::StrCat(cohort_id, "-s", index + 1 < 10 ? "0" : "", index + 1);
}

// 64 random bits in hex: event ids that must never collide (NATS drops a repeated Nats-Msg-Id).
std::string RandomSuffix() {
  thread_local absl::BitGen gen;  // seeded from the OS; not thread-safe, hence one per thread
  return absl::StrCat(absl::Hex(absl::Uniform<uint64_t>(gen), absl::kZeroPad16));
}

absl::CivilMinute SessionStart(const v1::Session& s, absl::CivilDay day) {
  return absl::CivilMinute(day.year(), day.month(), day.day(), s.start_minute() / 60,
                           s.start_minute() % 60);
}

absl::CivilMinute SessionEnd(const v1::Session& s, absl::CivilDay day) {
  return absl::CivilMinute(day.year(), day.month(), day.day()) + s.end_minute();
}

bool StartsBefore(const v1::Session& s, absl::CivilMinute now) {
  auto day = calendar::ParseDay(s.day());
  return day.ok() && SessionStart(s, *day) < now;
}

std::vector<std::string> InstitutionsOf(const std::vector<v1::Session>& sessions) {
  std::set<std::string> ids;
  for (const auto& s : sessions) ids.insert(s.institution_id());
  return {ids.begin(), ids.end()};
}

}  // namespace

Caller ServiceCaller(const std::string& municipality, const std::string& correlation_id,
                     const std::string& traceparent) {
  Caller c;
  c.claims.subject = "kpr-scheduling";
  c.claims.role = identity::Role::kService;
  c.claims.municipalities = {municipality};
  c.correlation_id = correlation_id;
  c.traceparent = traceparent;
  return c;
}

struct SchedulingDesk::PlanningInput {
  CatalogSnapshot catalog;
  PlanningWorld world;
  ProgramModel program;
  v1::ProgramTemplate program_proto;
  Occupancy others;
};

SchedulingDesk::SchedulingDesk(SchedulingStore& store, std::function<void()> on_outbox_write,
                               Options options)
    : store_(store), on_outbox_write_(std::move(on_outbox_write)), options_(std::move(options)) {}

OutboxEvent SchedulingDesk::Event(const std::string& id, absl::string_view name,
                                  const std::string& municipality,
                                  const google::protobuf::Message& payload,
                                  const Caller& caller) const {
  std::string correlation = caller.correlation_id.empty() ? id : caller.correlation_id;
  return OutboxEvent::From(
      bus::MakeEvent(id, municipality, payload, Now(), correlation, caller.traceparent),
      bus::EventSubject("scheduling", name, municipality));
}

// ---- Catalog ------------------------------------------------------------------------------------

absl::StatusOr<v1::Institution> SchedulingDesk::PutInstitution(const v1::PutInstitutionRequest& req,
                                                               const Caller& caller) {
  const std::string& m = req.institution().municipality();
  if (auto s = AuthorizeCall(caller.claims, SchedulingRpc::kPutInstitution, m); !s.ok()) return s;
  auto existing = store_.ListInstitutions(m);
  if (!existing.ok()) return existing.status();
  absl::flat_hash_map<std::string, std::string> venue_owners;
  for (const auto& inst : *existing) {
    for (const auto& v : inst.venues()) venue_owners[v.venue_id()] = inst.institution_id();
  }
  if (auto s = ViolationsToStatus(ValidateInstitution(req.institution(), &venue_owners)); !s.ok())
    return s;
  return store_.PutInstitution(req.institution(), req.expected_version());
}

absl::StatusOr<v1::ListInstitutionsResponse> SchedulingDesk::ListInstitutions(
    const v1::ListInstitutionsRequest& req, const Caller& caller) {
  if (auto s = AuthorizeCall(caller.claims, SchedulingRpc::kListInstitutions, req.municipality());
      !s.ok()) {
    return s;
  }
  auto list = store_.ListInstitutions(req.municipality());
  if (!list.ok()) return list.status();
  v1::ListInstitutionsResponse out;
  for (auto& i : *list) *out.add_institutions() = std::move(i);
  return out;
}

absl::StatusOr<v1::Instructor> SchedulingDesk::PutInstructor(const v1::PutInstructorRequest& req,
                                                             const Caller& caller) {
  const std::string& m = req.instructor().municipality();
  if (auto s = AuthorizeCall(caller.claims, SchedulingRpc::kPutInstructor, m); !s.ok()) return s;
  auto institutions = store_.ListInstitutions(m);
  if (!institutions.ok()) return institutions.status();
  absl::flat_hash_set<std::string> known;
  for (const auto& i : *institutions) known.insert(i.institution_id());
  if (auto s = ViolationsToStatus(ValidateInstructor(req.instructor(), &known)); !s.ok()) return s;
  return store_.PutInstructor(req.instructor(), req.expected_version());
}

absl::StatusOr<v1::ListInstructorsResponse> SchedulingDesk::ListInstructors(
    const v1::ListInstructorsRequest& req, const Caller& caller) {
  if (auto s = AuthorizeCall(caller.claims, SchedulingRpc::kListInstructors, req.municipality());
      !s.ok()) {
    return s;
  }
  auto list = store_.ListInstructors(req.municipality(), req.institution_id());
  if (!list.ok()) return list.status();
  v1::ListInstructorsResponse out;
  for (auto& i : *list) *out.add_instructors() = std::move(i);
  return out;
}

absl::StatusOr<v1::MunicipalityCalendar> SchedulingDesk::PutCalendar(
    const v1::PutCalendarRequest& req, const Caller& caller) {
  const std::string& m = req.calendar().municipality();
  if (auto s = AuthorizeCall(caller.claims, SchedulingRpc::kPutCalendar, m); !s.ok()) return s;
  if (auto s = ViolationsToStatus(ValidateCalendar(req.calendar())); !s.ok()) return s;
  return store_.PutCalendar(req.calendar(), req.expected_version());
}

absl::StatusOr<v1::MunicipalityCalendar> SchedulingDesk::GetCalendar(
    const v1::GetCalendarRequest& req, const Caller& caller) {
  if (auto s = AuthorizeCall(caller.claims, SchedulingRpc::kGetCalendar, req.municipality());
      !s.ok())
    return s;
  return store_.GetCalendar(req.municipality());
}

absl::StatusOr<v1::ProgramTemplate> SchedulingDesk::PutProgram(const v1::PutProgramRequest& req,
                                                               const Caller& caller) {
  const std::string& m = req.program().municipality();
  if (auto s = AuthorizeCall(caller.claims, SchedulingRpc::kPutProgram, m); !s.ok()) return s;
  auto institutions = store_.ListInstitutions(m);
  if (!institutions.ok()) return institutions.status();
  absl::flat_hash_set<std::string> known;
  for (const auto& i : *institutions) known.insert(i.institution_id());
  if (auto s = ViolationsToStatus(ValidateProgram(req.program(), known)); !s.ok()) return s;
  return store_.PutProgram(req.program(), req.expected_version());
}

absl::StatusOr<v1::ListProgramsResponse> SchedulingDesk::ListPrograms(
    const v1::ListProgramsRequest& req, const Caller& caller) {
  if (auto s = AuthorizeCall(caller.claims, SchedulingRpc::kListPrograms, req.municipality());
      !s.ok())
    return s;
  auto list = store_.ListPrograms(req.municipality());
  if (!list.ok()) return list.status();
  v1::ListProgramsResponse out;
  for (auto& p : *list) *out.add_programs() = std::move(p);
  return out;
}

// ---- Planning -----------------------------------------------------------------------------------

absl::StatusOr<SchedulingDesk::PlanningInput> SchedulingDesk::LoadPlanningInput(
    const std::string& m, const std::string& program_id, absl::CivilDay from, absl::CivilDay to,
    const std::string& skip_cohort) {
  PlanningInput in;
  auto catalog = store_.LoadCatalog(m);
  if (!catalog.ok()) return catalog.status();
  in.catalog = *std::move(catalog);
  auto world =
      BuildPlanningWorld(m, in.catalog.institutions, in.catalog.instructors, in.catalog.calendar);
  if (!world.ok())
    return absl::FailedPreconditionError(
        absl::StrCat("the catalog does not plan: ", world.status().message()));
  in.world = *std::move(world);
  const v1::ProgramTemplate* program = nullptr;
  for (const auto& p : in.catalog.programs) {
    if (p.program_id() == program_id) program = &p;
  }
  if (program == nullptr)
    return absl::NotFoundError(absl::StrCat("program ", program_id, " not found in ", m));
  in.program_proto = *program;
  auto model = ToProgramModel(*program);
  if (!model.ok())
    return absl::FailedPreconditionError(
        absl::StrCat("program does not plan: ", model.status().message()));
  in.program = *std::move(model);
  auto bookings = store_.LoadBookings(m, from, to);
  if (!bookings.ok()) return bookings.status();
  for (const auto& s : *bookings) {
    if (!skip_cohort.empty() && s.cohort_id() == skip_cohort) continue;
    auto b = SessionToBooking(s);
    if (b.ok()) in.others.Add(*b);
  }
  return in;
}

namespace {

// Days a cohort starting in `week` can touch: its weeks plus the pauses it may take.
std::pair<absl::CivilDay, absl::CivilDay> PlanningRange(int year, int week, int weeks) {
  absl::CivilDay monday = calendar::MondayOfIsoWeek(year, week);
  return {monday, monday + 7 * (weeks + 2) + 6};
}

absl::Status ValidatePlanRequest(const std::string& m, const std::string& program_id, int year,
                                 int week, int capacity) {
  if (auto s = RequireMunicipality(m); !s.ok()) return s;
  if (auto s = RequireId("program_id", program_id); !s.ok()) return s;
  if (year < 2000 || year > 2100) return Invalid("start_iso_year", "must be between 2000 and 2100");
  if (week < 1 || week > calendar::IsoWeeksInYear(year)) {
    return Invalid("start_iso_week",
                   absl::StrCat("must be 1..", calendar::IsoWeeksInYear(year), " in ", year));
  }
  if (capacity < 0) return Invalid("capacity", "must not be negative");
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<v1::PlanCohortResponse> SchedulingDesk::PlanCohort(const v1::PlanCohortRequest& req,
                                                                  const Caller& caller) {
  if (auto s = AuthorizeCall(caller.claims, SchedulingRpc::kPlanCohort, req.municipality());
      !s.ok())
    return s;
  if (auto s = ValidatePlanRequest(req.municipality(), req.program_id(), req.start_iso_year(),
                                   req.start_iso_week(), req.capacity());
      !s.ok()) {
    return s;
  }
  auto catalog_program = store_.GetProgram(req.municipality(), req.program_id());
  if (!catalog_program.ok()) return catalog_program.status();
  auto [from, to] =
      PlanningRange(req.start_iso_year(), req.start_iso_week(), catalog_program->weeks());
  auto in = LoadPlanningInput(req.municipality(), req.program_id(), from, to, "");
  if (!in.ok()) return in.status();
  PlanRequest plan_req;
  plan_req.program = &in->program;
  plan_req.start_iso_year = req.start_iso_year();
  plan_req.start_iso_week = req.start_iso_week();
  plan_req.capacity = req.capacity();
  plan_req.not_before = absl::CivilDay(calendar::AbsoluteToLocal(Now())) + 1;
  PlanOutcome outcome = scheduling::PlanCohort(in->world, in->others, plan_req, options_.weights);
  v1::PlanCohortResponse out;
  if (!outcome.plan) {
    out.set_feasible(false);
    for (const auto& o : outcome.obstacles) *out.add_obstacles() = ToObstacleProto(o);
    return out;
  }
  out.set_feasible(true);
  for (const auto& s : outcome.plan->sessions)
    *out.add_sessions() = ToSessionProto(s, "", req.municipality(), "");
  out.set_score(outcome.plan->score);
  for (const auto& v : outcome.plan->soft_violations)
    *out.add_soft_violations() = ToSoftViolationProto(v);
  return out;
}

std::vector<timer::Timer> SchedulingDesk::LifecycleTimers(
    const v1::Cohort& cohort, const std::vector<v1::Session>& sessions) const {
  std::vector<timer::Timer> timers;
  std::optional<absl::CivilMinute> first, last;
  for (const auto& s : sessions) {
    if (s.status() == v1::SESSION_STATUS_CANCELLED) continue;
    auto day = calendar::ParseDay(s.day());
    if (!day.ok()) continue;
    absl::CivilMinute start = SessionStart(s, *day), end = SessionEnd(s, *day);
    if (!first || start < *first) first = start;
    if (!last || end > *last) last = end;
  }
  if (!first) return timers;
  if (cohort.status() == v1::COHORT_STATUS_PLANNED || cohort.status() == v1::COHORT_STATUS_OPEN) {
    timers.push_back({cohort.municipality(), StartTimerId(cohort.cohort_id()),
                      calendar::LocalToAbsolute(*first), "", 0});
  }
  timers.push_back({cohort.municipality(), CompleteTimerId(cohort.cohort_id()),
                    calendar::LocalToAbsolute(*last), "", 0});
  return timers;
}

absl::StatusOr<v1::CreateCohortResponse> SchedulingDesk::CreateCohort(
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
  const std::string request_id = req.request_id().empty() ? RandomSuffix() : req.request_id();
  const std::string cohort_id =
      CohortIdFor(m, req.program_id(), req.start_iso_year(), req.start_iso_week(), request_id);
  auto catalog_program = store_.GetProgram(m, req.program_id());
  if (!catalog_program.ok()) return catalog_program.status();
  auto [from, to] =
      PlanningRange(req.start_iso_year(), req.start_iso_week(), catalog_program->weeks());

  for (int attempt = 0; attempt < options_.max_plan_attempts; ++attempt) {
    auto in = LoadPlanningInput(m, req.program_id(), from, to, "");
    if (!in.ok()) return in.status();
    PlanRequest plan_req;
    plan_req.program = &in->program;
    plan_req.start_iso_year = req.start_iso_year();
    plan_req.start_iso_week = req.start_iso_week();
    plan_req.capacity = req.capacity();
    plan_req.not_before = absl::CivilDay(calendar::AbsoluteToLocal(Now())) + 1;
    plan_req.cohort_id = cohort_id;
    PlanOutcome outcome = scheduling::PlanCohort(in->world, in->others, plan_req, options_.weights);
    if (!outcome.plan) {
      std::vector<std::string> parts;
      for (const auto& o : outcome.obstacles) parts.push_back(o.message);
      return absl::FailedPreconditionError(
          absl::StrCat("no timetable exists for ", req.program_id(), " from ",
                       calendar::IsoWeekLabel(
                           calendar::MondayOfIsoWeek(req.start_iso_year(), req.start_iso_week())),
                       ": ", absl::StrJoin(parts, "; ")));
    }
    const Plan& plan = *outcome.plan;
    absl::Time now = Now();
    absl::Time opens_at =
        req.opens_at_unix_ms() > 0 ? absl::FromUnixMillis(req.opens_at_unix_ms()) : now;

    CohortCommit commit;
    commit.request_id = request_id;
    v1::Cohort& c = commit.cohort;
    c.set_municipality(m);
    c.set_cohort_id(cohort_id);
    c.set_program_id(req.program_id());
    c.set_name(req.name().empty() ? absl::StrCat(in->program.name, " ",
                                                 calendar::IsoWeekLabel(calendar::MondayOfIsoWeek(
                                                     req.start_iso_year(), req.start_iso_week())))
                                  : req.name());
    c.set_status(v1::COHORT_STATUS_PLANNED);
    c.set_start_iso_year(req.start_iso_year());
    c.set_start_iso_week(req.start_iso_week());
    c.set_capacity(req.capacity() > 0 ? req.capacity() : in->program.max_cohort_size);
    c.set_min_size(in->program.min_cohort_size);
    c.set_score(plan.score);
    for (const auto& v : plan.soft_violations) *c.add_soft_violations() = ToSoftViolationProto(v);
    *c.mutable_created_at() = Ts(now);
    *c.mutable_opens_at() = Ts(opens_at);
    for (const auto& s : plan.sessions) {
      commit.sessions.push_back(ToSessionProto(s, cohort_id, m, SessionIdFor(cohort_id, s.index)));
    }
    if (!commit.sessions.empty()) {
      c.set_first_day(commit.sessions.front().day());
      c.set_last_day(commit.sessions.back().day());
      c.set_session_count(static_cast<int>(commit.sessions.size()));
    }
    v1::CohortPlanned planned;
    *planned.mutable_cohort() = c;
    for (const auto& s : commit.sessions) *planned.add_sessions() = s;
    commit.events.push_back(
        Event(absl::StrCat(cohort_id, ":planned"), "cohort_planned", m, planned, caller));
    for (const auto& s : commit.sessions) {
      v1::SessionScheduled e;
      *e.mutable_session() = s;
      e.mutable_session()->set_version(1);
      commit.events.push_back(
          Event(absl::StrCat(s.session_id(), ":v1:scheduled"), "session_scheduled", m, e, caller));
    }
    commit.timers = LifecycleTimers(c, commit.sessions);
    commit.timers.push_back({m, OpenTimerId(cohort_id), opens_at, "", 0});

    auto result = store_.CommitCohort(commit);
    if (!result.ok()) return result.status();
    if (result->outcome == CommitResult::Outcome::kConflict) {
      observe::Info("booking conflict; re-planning")
          .With("cohort_id", cohort_id)
          .With("attempt", attempt + 1);
      continue;
    }
    Notify();
    if (result->outcome == CommitResult::Outcome::kCreated && opens_at <= now) {
      // Open at once (the timer would too, a moment later; it then finds it open).
      if (auto s = OpenCohort(m, cohort_id, caller); !s.ok()) {
        observe::Warn("cohort not opened yet; its timer will")
            .With("cohort_id", cohort_id)
            .With("reason", s.ToString());
      }
    }
    v1::CreateCohortResponse out;
    auto stored = store_.GetCohort(m, cohort_id);
    *out.mutable_cohort() = stored.ok() ? *stored : result->cohort;
    for (auto& s : result->sessions) *out.add_sessions() = std::move(s);
    out.set_created(result->outcome == CommitResult::Outcome::kCreated);
    return out;
  }
  return absl::AbortedError(absl::StrCat("the venues kept being booked by others while planning (",
                                         options_.max_plan_attempts, " attempts): try again"));
}

absl::StatusOr<v1::Cohort> SchedulingDesk::GetCohort(const v1::GetCohortRequest& req,
                                                     const Caller& caller) {
  if (auto s = AuthorizeCall(caller.claims, SchedulingRpc::kGetCohort, req.municipality()); !s.ok())
    return s;
  auto cohort = store_.GetCohort(req.municipality(), req.cohort_id());
  if (!cohort.ok()) return cohort.status();
  if (NeedsInstitutionCheck(caller.claims, SchedulingRpc::kGetCohort)) {
    SessionQuery q;
    q.municipality = req.municipality();
    q.id = req.cohort_id();
    auto sessions = store_.ListSessions(q);
    if (!sessions.ok()) return sessions.status();
    auto grant = AuthorizeForInstitutions(caller, SchedulingRpc::kGetCohort, req.municipality(),
                                          InstitutionsOf(*sessions));
    if (!grant.ok()) return grant.status();
  }
  return cohort;
}

absl::StatusOr<v1::ListCohortsResponse> SchedulingDesk::ListCohorts(
    const v1::ListCohortsRequest& req, const Caller& caller) {
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
  auto page = store_.ListCohorts(q);
  if (!page.ok()) return page.status();
  v1::ListCohortsResponse out;
  for (auto& c : page->cohorts) *out.add_cohorts() = std::move(c);
  out.set_next_page_token(page->next_page_token);
  return out;
}

absl::StatusOr<v1::Cohort> SchedulingDesk::CancelCohort(const v1::CancelCohortRequest& req,
                                                        const Caller& caller) {
  const std::string& m = req.municipality();
  if (auto s = AuthorizeCall(caller.claims, SchedulingRpc::kCancelCohort, m); !s.ok()) return s;
  if (req.reason().empty())
    return Invalid("reason", "required: participants and institutions are told why");
  for (int attempt = 0; attempt < 5; ++attempt) {
    auto cohort = store_.GetCohort(m, req.cohort_id());
    if (!cohort.ok()) return cohort.status();
    if (req.expected_version() != 0 && cohort->version() != req.expected_version()) {
      return absl::AbortedError(absl::StrCat("cohort changed since version ",
                                             req.expected_version(), " (now ", cohort->version(),
                                             "): read it again"));
    }
    auto enrolled = store_.ListEnrollments(m, req.cohort_id());
    if (!enrolled.ok()) return enrolled.status();
    v1::CohortCancelled e;
    e.set_cohort_id(req.cohort_id());
    e.set_program_id(cohort->program_id());
    // The staff's words stay here (in the cohort record); the event carries the code.
    e.set_reason_code(req.reason_code() == v1::CHANGE_REASON_UNSPECIFIED
                          ? v1::CHANGE_REASON_COORDINATOR_DECISION
                          : req.reason_code());
    e.set_had_started(cohort->status() == v1::COHORT_STATUS_RUNNING);
    for (const auto& en : *enrolled) *e.add_participants() = en;
    CohortCancel cancel;
    cancel.municipality = m;
    cancel.cohort_id = req.cohort_id();
    cancel.reason = req.reason();
    cancel.expected_version = cohort->version();
    cancel.events.push_back(
        Event(absl::StrCat(req.cohort_id(), ":cancelled"), "cohort_cancelled", m, e, caller));
    auto result = store_.CancelCohort(cancel);
    if (!result.ok()) {
      if (Retryable(result.status())) continue;
      return result.status();
    }
    Notify();
    return result->cohort;
  }
  return absl::AbortedError("the cohort kept changing: try again");
}

// ---- Sessions -----------------------------------------------------------------------------------

std::string SchedulingDesk::CallerInstitution(const std::string& m, const Caller& caller) {
  auto instructor = store_.GetInstructor(m, caller.claims.subject);
  return instructor.ok() ? instructor->institution_id() : "";
}

absl::StatusOr<AccessGrant> SchedulingDesk::AuthorizeForInstitutions(
    const Caller& caller, SchedulingRpc rpc, const std::string& m,
    std::vector<std::string> concerned, bool caller_teaches_cohort) {
  AccessScope scope;
  scope.municipality = m;
  if (NeedsInstitutionCheck(caller.claims, rpc))
    scope.caller_institution_id = CallerInstitution(m, caller);
  scope.concerned_institution_ids = std::move(concerned);
  scope.caller_teaches_cohort = caller_teaches_cohort;
  return Authorize(caller.claims, rpc, scope);
}

absl::StatusOr<v1::ListSessionsResponse> SchedulingDesk::ListSessions(
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
    auto instr = store_.GetInstructor(m, q.id);
    if (!instr.ok()) return instr.status();
    concerned = {instr->institution_id()};
  }
  if (q.by == SessionQuery::By::kVenue) {
    auto institutions = store_.ListInstitutions(m);
    if (!institutions.ok()) return institutions.status();
    for (const auto& i : *institutions) {
      for (const auto& v : i.venues()) {
        if (v.venue_id() == q.id) concerned = {i.institution_id()};
      }
    }
    if (concerned.empty()) return absl::NotFoundError(absl::StrCat("venue ", q.id, " not found"));
  }
  auto sessions = store_.ListSessions(q);
  if (!sessions.ok()) return sessions.status();
  if (q.by == SessionQuery::By::kCohort) concerned = InstitutionsOf(*sessions);
  auto grant = AuthorizeForInstitutions(caller, SchedulingRpc::kListSessions, m, concerned);
  if (!grant.ok()) return grant.status();
  v1::ListSessionsResponse out;
  for (auto& s : *sessions) {
    if (!grant->only_institution_id.empty() && s.institution_id() != grant->only_institution_id)
      continue;
    *out.add_sessions() = std::move(s);
  }
  return out;
}

absl::StatusOr<v1::Session> SchedulingDesk::ChangeSession(
    const std::string& m, const std::string& session_id, int64_t expected_version,
    const Caller& caller,
    const std::function<absl::StatusOr<v1::Session>(const v1::Session&, const v1::Cohort&)>&
        change) {
  if (auto s = RequireId("session_id", session_id); !s.ok()) return s;
  if (expected_version <= 0)
    return Invalid("expected_version", "required (the version you last saw)");
  for (int attempt = 0; attempt < options_.max_plan_attempts; ++attempt) {
    auto current = store_.GetSession(m, session_id);
    if (!current.ok()) return current.status();
    if (current->version() != expected_version) {
      return absl::AbortedError(absl::StrCat("session changed since version ", expected_version,
                                             " (now ", current->version(), "): read it again"));
    }
    if (current->status() == v1::SESSION_STATUS_CANCELLED) {
      return absl::FailedPreconditionError("the session is cancelled");
    }
    if (StartsBefore(*current, calendar::AbsoluteToLocal(Now()))) {
      return absl::FailedPreconditionError("the session has already taken place (or begun)");
    }
    auto cohort = store_.GetCohort(m, current->cohort_id());
    if (!cohort.ok()) return cohort.status();
    if (cohort->status() == v1::COHORT_STATUS_COMPLETED ||
        cohort->status() == v1::COHORT_STATUS_CANCELLED) {
      return absl::FailedPreconditionError(
          absl::StrCat("the cohort is ", v1::CohortStatus_Name(cohort->status())));
    }
    auto changed = change(*current, *cohort);
    if (!changed.ok()) return changed.status();
    SessionsUpdate update;
    update.municipality = m;
    update.cohort_id = current->cohort_id();
    update.sessions.push_back(*changed);
    v1::Session announced = *changed;
    announced.set_version(current->version() + 1);
    if (changed->status() == v1::SESSION_STATUS_CANCELLED) {
      v1::SessionCancelled e;
      *e.mutable_session() = announced;
      ForEvent(e, v1::CHANGE_REASON_COORDINATOR_DECISION);
      update.events.push_back(
          Event(absl::StrCat(session_id, ":v", announced.version(), ":cancelled"),
                "session_cancelled", m, e, caller));
    } else {
      v1::SessionRescheduled e;
      *e.mutable_session() = announced;
      *e.mutable_previous() = *current;
      ForEvent(e, v1::CHANGE_REASON_COORDINATOR_DECISION);
      update.events.push_back(
          Event(absl::StrCat(session_id, ":v", announced.version(), ":rescheduled"),
                "session_rescheduled", m, e, caller));
    }
    // The cohort's start and end move with its timetable.
    SessionQuery q;
    q.municipality = m;
    q.id = current->cohort_id();
    auto siblings = store_.ListSessions(q);
    if (!siblings.ok()) return siblings.status();
    for (auto& s : *siblings) {
      if (s.session_id() == session_id) s = *changed;
    }
    update.timers = LifecycleTimers(*cohort, *siblings);
    auto result = store_.UpdateSessions(update);
    if (!result.ok()) return result.status();
    if (result->outcome == SessionsUpdateResult::Outcome::kConflict) continue;
    Notify();
    if (!result->sessions.empty()) return result->sessions.front();
    return store_.GetSession(m, session_id);
  }
  return absl::AbortedError("the slot kept being booked by others: try again");
}

absl::StatusOr<v1::Session> SchedulingDesk::RescheduleSession(
    const v1::RescheduleSessionRequest& req, const Caller& caller) {
  const std::string& m = req.municipality();
  if (auto s = AuthorizeCall(caller.claims, SchedulingRpc::kRescheduleSession, m); !s.ok())
    return s;
  if (req.reason().empty()) return Invalid("reason", "required");
  return ChangeSession(
      m, req.session_id(), req.expected_version(), caller,
      [&](const v1::Session& current, const v1::Cohort& cohort) -> absl::StatusOr<v1::Session> {
        auto day = calendar::ParseDay(current.day());
        if (!day.ok()) return day.status();
        auto in = LoadPlanningInput(m, cohort.program_id(), *day - 7, *day + 7, cohort.cohort_id());
        if (!in.ok()) return in.status();
        SessionQuery q;
        q.municipality = m;
        q.id = cohort.cohort_id();
        auto all = store_.ListSessions(q);
        if (!all.ok()) return all.status();
        std::vector<PlannedSession> siblings;
        for (const auto& s : *all) {
          if (s.session_id() == current.session_id() || s.status() == v1::SESSION_STATUS_CANCELLED)
            continue;
          auto p = ToPlannedSession(s);
          if (p.ok()) siblings.push_back(*p);
        }
        auto planned = ToPlannedSession(current);
        if (!planned.ok()) return planned.status();
        PlannedSession target = *planned;
        if (req.day().empty()) {
          SlotChoice choice =
              FindSlotInWeek(in->world, in->others, in->program, cohort.capacity(), *planned,
                             siblings, calendar::AbsoluteToLocal(Now()), options_.weights);
          if (!choice.session) {
            return absl::FailedPreconditionError(
                choice.obstacle ? choice.obstacle->message : "no free slot in the session's week");
          }
          target = *choice.session;
        } else {
          auto new_day = calendar::ParseDay(req.day());
          if (!new_day.ok()) return Invalid("day", "YYYY-MM-DD");
          const ActivityModel* activity = in->program.FindActivity(current.activity_id());
          int duration =
              activity ? activity->duration_minutes : current.end_minute() - current.start_minute();
          if (req.start_minute() < 0 || req.start_minute() + duration > 24 * 60)
            return Invalid("start_minute", "out of the day");
          target.day = *new_day;
          target.time = MinuteSpan{req.start_minute(), req.start_minute() + duration};
          if (!req.venue_id().empty()) {
            const VenueModel* venue = in->world.FindVenue(req.venue_id());
            if (venue == nullptr)
              return absl::NotFoundError(absl::StrCat("venue ", req.venue_id(), " not found"));
            target.venue_id = venue->id;
            target.institution_id = venue->institution_id;
          }
          if (!req.instructor_id().empty()) target.instructor_id = req.instructor_id();
          if (SessionStart(ToSessionProto(target, "", m, ""), *new_day) <
              calendar::AbsoluteToLocal(Now())) {
            return Invalid("day", "in the past");
          }
          std::vector<std::string> broken;
          for (HardConstraint c :
               SessionViolations(in->world, in->others, in->program, cohort.capacity(), target)) {
            broken.push_back(std::string(HardConstraintName(c)));
          }
          for (const auto& s : siblings) {
            if (s.day == target.day)
              broken.push_back("weekly_rhythm (another session of the cohort that day)");
          }
          if (!broken.empty()) {
            return absl::FailedPreconditionError(
                absl::StrCat("the new slot breaks: ", absl::StrJoin(broken, ", ")));
          }
        }
        v1::Session out = ToSessionProto(target, current.cohort_id(), m, current.session_id());
        out.set_index(current.index());
        out.set_week_index(current.week_index());
        out.set_version(current.version());
        out.set_change_reason(req.reason());
        return out;
      });
}

absl::StatusOr<v1::Session> SchedulingDesk::CancelSession(const v1::CancelSessionRequest& req,
                                                          const Caller& caller) {
  const std::string& m = req.municipality();
  if (auto s = AuthorizeCall(caller.claims, SchedulingRpc::kCancelSession, m); !s.ok()) return s;
  if (req.reason().empty()) return Invalid("reason", "required");
  return ChangeSession(
      m, req.session_id(), req.expected_version(), caller,
      [&](const v1::Session& current, const v1::Cohort&) -> absl::StatusOr<v1::Session> {
        v1::Session out = current;
        out.set_status(v1::SESSION_STATUS_CANCELLED);
        out.set_change_reason(req.reason());
        return out;
      });
}

absl::StatusOr<v1::RepairResponse> SchedulingDesk::RepairCohorts(
    const std::string& m, const std::vector<std::string>& cohort_ids, absl::CivilDay from,
    absl::CivilDay to, const std::string& reason, v1::ChangeReason code, const Caller& caller) {
  v1::RepairResponse out;
  for (const std::string& cohort_id : cohort_ids) {
    bool done = false;
    for (int attempt = 0; attempt < options_.max_plan_attempts && !done; ++attempt) {
      auto cohort = store_.GetCohort(m, cohort_id);
      if (!cohort.ok()) return cohort.status();
      if (cohort->status() == v1::COHORT_STATUS_COMPLETED ||
          cohort->status() == v1::COHORT_STATUS_CANCELLED)
        break;
      SessionQuery q;
      q.municipality = m;
      q.id = cohort_id;
      auto sessions = store_.ListSessions(q);
      if (!sessions.ok()) return sessions.status();
      absl::flat_hash_map<int, v1::Session> by_index;
      RepairRequest rr;
      rr.capacity = cohort->capacity();
      rr.now = calendar::AbsoluteToLocal(Now());
      for (const auto& s : *sessions) {
        if (s.status() == v1::SESSION_STATUS_CANCELLED) continue;
        auto p = ToPlannedSession(s);
        if (!p.ok()) continue;
        rr.current.push_back(*p);
        by_index[s.index()] = s;
      }
      if (rr.current.empty()) break;
      auto in =
          LoadPlanningInput(m, cohort->program_id(), std::min(from, rr.current.front().day) - 7,
                            std::max(to, rr.current.back().day) + 7, cohort_id);
      if (!in.ok()) return in.status();
      rr.program = &in->program;
      RepairOutcome repaired = RepairCohort(in->world, in->others, rr, options_.weights);
      SessionsUpdate update;
      update.municipality = m;
      update.cohort_id = cohort_id;
      std::vector<v1::Session> moved, cancelled;
      for (int index : repaired.moved) {
        const v1::Session& before = by_index[index];
        for (const auto& p : repaired.sessions) {
          if (p.index != index) continue;
          v1::Session s = ToSessionProto(p, cohort_id, m, before.session_id());
          s.set_version(before.version());
          s.set_change_reason(reason);
          v1::SessionRescheduled e;
          *e.mutable_session() = s;
          e.mutable_session()->set_version(before.version() + 1);
          *e.mutable_previous() = before;
          ForEvent(e, code);
          update.events.push_back(
              Event(absl::StrCat(s.session_id(), ":v", before.version() + 1, ":rescheduled"),
                    "session_rescheduled", m, e, caller));
          update.sessions.push_back(s);
          moved.push_back(s);
        }
      }
      for (const auto& [index, obstacle] : repaired.unplaceable) {
        v1::Session s = by_index[index];
        s.set_status(v1::SESSION_STATUS_CANCELLED);
        s.set_change_reason(absl::StrCat(reason, ": ", obstacle.message));
        v1::SessionCancelled e;
        *e.mutable_session() = s;
        e.mutable_session()->set_version(s.version() + 1);
        ForEvent(e, code);
        update.events.push_back(
            Event(absl::StrCat(s.session_id(), ":v", s.version() + 1, ":cancelled"),
                  "session_cancelled", m, e, caller));
        update.sessions.push_back(s);
        cancelled.push_back(s);
      }
      out.set_past_untouched(out.past_untouched() + repaired.past_untouched);
      if (update.sessions.empty()) break;
      std::vector<v1::Session> after = *sessions;
      for (auto& s : after) {
        for (const auto& u : update.sessions) {
          if (u.session_id() == s.session_id()) s = u;
        }
      }
      update.timers = LifecycleTimers(*cohort, after);
      auto result = store_.UpdateSessions(update);
      if (!result.ok()) {
        if (Retryable(result.status())) continue;
        return result.status();
      }
      if (result->outcome == SessionsUpdateResult::Outcome::kConflict) continue;
      Notify();
      for (auto& s : result->sessions) {
        if (s.status() == v1::SESSION_STATUS_CANCELLED) {
          *out.add_cancelled() = s;
        } else {
          *out.add_moved() = s;
        }
      }
      done = true;
    }
  }
  return out;
}

// The cohorts with a session at the venue (or with the instructor) in [from, to] are repaired.
absl::StatusOr<v1::RepairResponse> SchedulingDesk::RepairAffected(
    const std::string& m, SessionQuery::By by, const std::string& id, absl::CivilDay from,
    absl::CivilDay to, const std::string& reason, const Caller& caller) {
  SessionQuery q;
  q.municipality = m;
  q.by = by;
  q.id = id;
  q.from = from;
  q.to = to;
  auto affected = store_.ListSessions(q);
  if (!affected.ok()) return affected.status();
  std::set<std::string> cohorts;
  for (const auto& s : *affected) cohorts.insert(s.cohort_id());
  return RepairCohorts(m, {cohorts.begin(), cohorts.end()}, from, to, reason,
                       by == SessionQuery::By::kVenue ? v1::CHANGE_REASON_VENUE_CLOSED
                                                      : v1::CHANGE_REASON_INSTRUCTOR_ABSENT,
                       caller);
}

absl::StatusOr<v1::RepairResponse> SchedulingDesk::CloseVenue(const v1::CloseVenueRequest& req,
                                                              const Caller& caller) {
  const std::string& m = req.municipality();
  if (auto s = AuthorizeCall(caller.claims, SchedulingRpc::kCloseVenue, m); !s.ok()) return s;
  if (auto s = ViolationsToStatus(ValidateDateRange(req.closure(), "closure")); !s.ok()) return s;
  auto from = calendar::ParseDay(req.closure().first_day());
  auto to = calendar::ParseDay(req.closure().last_day());
  for (int attempt = 0;; ++attempt) {
    auto institution = store_.GetInstitution(m, req.institution_id());
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
    bool known = false;
    for (const auto& c : venue->closures()) {
      known |=
          c.first_day() == req.closure().first_day() && c.last_day() == req.closure().last_day();
    }
    if (known) break;  // a retry of a call whose repair did not finish: repair again below
    *venue->add_closures() = req.closure();
    auto put = store_.PutInstitution(updated, institution->version());
    if (put.ok()) break;
    if (!Retryable(put.status()) || attempt >= 5) return put.status();
  }
  return RepairAffected(m, SessionQuery::By::kVenue, req.venue_id(), *from, *to,
                        absl::StrCat("venue closed: ", req.closure().reason()), caller);
}

absl::StatusOr<v1::RepairResponse> SchedulingDesk::AddInstructorAbsence(
    const v1::AddInstructorAbsenceRequest& req, const Caller& caller) {
  const std::string& m = req.municipality();
  if (auto s = AuthorizeCall(caller.claims, SchedulingRpc::kAddInstructorAbsence, m); !s.ok())
    return s;
  if (auto s = ViolationsToStatus(ValidateDateRange(req.absence(), "absence")); !s.ok()) return s;
  auto from = calendar::ParseDay(req.absence().first_day());
  auto to = calendar::ParseDay(req.absence().last_day());
  for (int attempt = 0;; ++attempt) {
    auto instructor = store_.GetInstructor(m, req.instructor_id());
    if (!instructor.ok()) return instructor.status();
    bool known = false;
    for (const auto& a : instructor->absences()) {
      known |=
          a.first_day() == req.absence().first_day() && a.last_day() == req.absence().last_day();
    }
    if (known) break;
    v1::Instructor updated = *instructor;
    *updated.add_absences() = req.absence();
    auto put = store_.PutInstructor(updated, instructor->version());
    if (put.ok()) break;
    if (!Retryable(put.status()) || attempt >= 5) return put.status();
  }
  return RepairAffected(m, SessionQuery::By::kInstructor, req.instructor_id(), *from, *to,
                        absl::StrCat("instructor absent: ", req.absence().reason()), caller);
}

// ---- Enrolment ----------------------------------------------------------------------------------

absl::StatusOr<std::vector<WaitlistSeat>> SchedulingDesk::WaitlistHeads(const std::string& m,
                                                                        const v1::Cohort& cohort,
                                                                        int count,
                                                                        const Caller& caller) {
  std::vector<WaitlistSeat> seats;
  if (count <= 0) return seats;
  auto waitlist = store_.GetWaitlist(m, cohort.program_id());
  if (!waitlist.ok()) return waitlist.status();
  for (const auto& w : *waitlist) {
    if (static_cast<int>(seats.size()) >= count) break;
    v1::Enrolled e;
    e.set_cohort_id(cohort.cohort_id());
    e.set_program_id(cohort.program_id());
    e.set_referral_id(w.referral_id());
    e.set_citizen_id(w.citizen_id());
    e.set_first_day(cohort.first_day());
    e.set_from_waitlist(true);
    seats.push_back(WaitlistSeat{
        w.referral_id(), w.citizen_id(),
        Event(absl::StrCat(cohort.cohort_id(), ":enrolled:", w.referral_id(), ":", RandomSuffix()),
              "enrolled", m, e, caller),
        w.has_accepted_at() ? TimeOf(w.accepted_at()) : absl::InfinitePast()});
  }
  return seats;
}

absl::StatusOr<v1::EnrollResponse> SchedulingDesk::PlaceInProgram(
    const std::string& m, const std::string& program_id, const std::string& referral_id,
    const std::string& citizen_id, const std::string& trigger_id, const Caller& caller,
    absl::Time accepted_at) {
  for (int attempt = 0; attempt < 8; ++attempt) {
    Placement p;
    p.accepted_at = accepted_at;
    p.municipality = m;
    p.program_id = program_id;
    p.referral_id = referral_id;
    p.citizen_id = citizen_id;
    p.trigger_id = trigger_id;
    CohortQuery q;
    q.municipality = m;
    q.program_id = program_id;
    q.status = v1::COHORT_STATUS_OPEN;
    q.page_size = 500;
    auto open = store_.ListCohorts(q);
    if (!open.ok()) return open.status();
    for (const auto& c : open->cohorts) {
      if (c.enrolled_count() >= c.capacity()) continue;
      v1::Enrolled e;
      e.set_cohort_id(c.cohort_id());
      e.set_program_id(program_id);
      e.set_referral_id(referral_id);
      e.set_citizen_id(citizen_id);
      e.set_first_day(c.first_day());
      p.candidates.push_back(PlacementCandidate{
          c.cohort_id(), c.first_day(),
          Event(absl::StrCat(c.cohort_id(), ":enrolled:", referral_id, ":", RandomSuffix()),
                "enrolled", m, e, caller)});
    }
    v1::Waitlisted w;
    w.set_program_id(program_id);
    w.set_referral_id(referral_id);
    w.set_citizen_id(citizen_id);
    p.waitlisted_event =
        Event(absl::StrCat(program_id, ":waitlisted:", referral_id, ":", RandomSuffix()),
              "waitlisted", m, w, caller);
    auto result = store_.Place(p);
    if (!result.ok()) {
      if (Retryable(result.status())) continue;
      return result.status();
    }
    Notify();
    v1::EnrollResponse out;
    if (result->enrollment) *out.mutable_enrollment() = *result->enrollment;
    if (result->waitlisted) *out.mutable_waitlisted() = *result->waitlisted;
    return out;
  }
  return absl::AbortedError("the program's cohorts kept changing: try again");
}

absl::StatusOr<v1::EnrollResponse> SchedulingDesk::Enroll(const v1::EnrollRequest& req,
                                                          const Caller& caller) {
  const std::string& m = req.municipality();
  if (auto s = AuthorizeCall(caller.claims, SchedulingRpc::kEnroll, m); !s.ok()) return s;
  if (auto s = RequireId("referral_id", req.referral_id()); !s.ok()) return s;
  if (req.citizen_id().empty() || req.citizen_id().size() > 128)
    return Invalid("citizen_id", "required");
  if (req.cohort_id().empty()) {
    if (auto s = RequireId("program_id", req.program_id()); !s.ok()) return s;
    auto program = store_.GetProgram(m, req.program_id());
    if (!program.ok()) return program.status();
    return PlaceInProgram(m, req.program_id(), req.referral_id(), req.citizen_id(), "", caller);
  }
  auto cohort = store_.GetCohort(m, req.cohort_id());
  if (!cohort.ok()) return cohort.status();
  v1::Enrolled e;
  e.set_cohort_id(cohort->cohort_id());
  e.set_program_id(cohort->program_id());
  e.set_referral_id(req.referral_id());
  e.set_citizen_id(req.citizen_id());
  e.set_first_day(cohort->first_day());
  EnrollInCohort in;
  in.municipality = m;
  in.cohort_id = req.cohort_id();
  in.referral_id = req.referral_id();
  in.citizen_id = req.citizen_id();
  in.enrolled_event =
      Event(absl::StrCat(cohort->cohort_id(), ":enrolled:", req.referral_id(), ":", RandomSuffix()),
            "enrolled", m, e, caller);
  auto result = store_.Enroll(in);
  if (!result.ok()) return result.status();
  Notify();
  v1::EnrollResponse out;
  if (result->enrollment) *out.mutable_enrollment() = *result->enrollment;
  if (result->waitlisted) *out.mutable_waitlisted() = *result->waitlisted;
  return out;
}

absl::StatusOr<v1::UnenrollResponse> SchedulingDesk::UnenrollReferral(
    const std::string& m, const std::string& cohort_id, const std::string& referral_id,
    v1::ChangeReason reason, const std::string& trigger_id, const Caller& caller) {
  for (int attempt = 0; attempt < 8; ++attempt) {
    auto cohort = store_.GetCohort(m, cohort_id);
    if (!cohort.ok()) return cohort.status();
    auto enrolled = store_.ListEnrollments(m, cohort_id);
    if (!enrolled.ok()) return enrolled.status();
    std::string citizen_id;
    for (const auto& en : *enrolled) {
      if (en.referral_id() == referral_id) citizen_id = en.citizen_id();
    }
    Unenrolment u;
    u.municipality = m;
    u.cohort_id = cohort_id;
    u.referral_id = referral_id;
    u.trigger_id = trigger_id;
    v1::Unenrolled e;
    e.set_cohort_id(cohort_id);
    e.set_program_id(cohort->program_id());
    e.set_referral_id(referral_id);
    e.set_citizen_id(citizen_id);
    e.set_reason_code(reason);
    e.set_cohort_started(cohort->status() == v1::COHORT_STATUS_RUNNING ||
                         cohort->status() == v1::COHORT_STATUS_COMPLETED);
    u.events.push_back(
        Event(absl::StrCat(cohort_id, ":unenrolled:", referral_id, ":", RandomSuffix()),
              "unenrolled", m, e, caller));
    auto heads = WaitlistHeads(m, *cohort, 1, caller);
    if (!heads.ok()) return heads.status();
    if (!heads->empty()) u.waitlist_head = heads->front();
    auto result = store_.Unenroll(u);
    if (!result.ok()) {
      if (Retryable(result.status())) continue;
      return result.status();
    }
    Notify();
    v1::UnenrollResponse out;
    if (result->seat_given_to) *out.mutable_seat_given_to() = *result->seat_given_to;
    return out;
  }
  return absl::AbortedError("the waitlist kept changing: try again");
}

absl::StatusOr<v1::UnenrollResponse> SchedulingDesk::Unenroll(const v1::UnenrollRequest& req,
                                                              const Caller& caller) {
  const std::string& m = req.municipality();
  if (auto s = AuthorizeCall(caller.claims, SchedulingRpc::kUnenroll, m); !s.ok()) return s;
  if (auto s = RequireId("cohort_id", req.cohort_id()); !s.ok()) return s;
  if (auto s = RequireId("referral_id", req.referral_id()); !s.ok()) return s;
  return UnenrollReferral(m, req.cohort_id(), req.referral_id(),
                          req.reason_code() == v1::CHANGE_REASON_UNSPECIFIED
                              ? v1::CHANGE_REASON_COORDINATOR_DECISION
                              : req.reason_code(),
                          "", caller);
}

absl::StatusOr<v1::GetWaitlistResponse> SchedulingDesk::GetWaitlist(
    const v1::GetWaitlistRequest& req, const Caller& caller) {
  if (auto s = AuthorizeCall(caller.claims, SchedulingRpc::kGetWaitlist, req.municipality());
      !s.ok())
    return s;
  auto list = store_.GetWaitlist(req.municipality(), req.program_id());
  if (!list.ok()) return list.status();
  v1::GetWaitlistResponse out;
  for (auto& w : *list) *out.add_entries() = std::move(w);
  return out;
}

absl::StatusOr<v1::ListParticipantsResponse> SchedulingDesk::ListParticipants(
    const v1::ListParticipantsRequest& req, const Caller& caller) {
  const std::string& m = req.municipality();
  if (auto s = AuthorizeCall(caller.claims, SchedulingRpc::kListParticipants, m); !s.ok()) return s;
  SessionQuery q;
  q.municipality = m;
  q.id = req.cohort_id();
  auto sessions = store_.ListSessions(q);
  if (!sessions.ok()) return sessions.status();
  const bool teaches = absl::c_any_of(*sessions, [&](const v1::Session& session) {
    return session.instructor_id() == caller.claims.subject;
  });
  auto grant = AuthorizeForInstitutions(caller, SchedulingRpc::kListParticipants, m,
                                        InstitutionsOf(*sessions), teaches);
  if (!grant.ok()) return grant.status();
  auto enrolled = store_.ListEnrollments(m, req.cohort_id());
  if (!enrolled.ok()) return enrolled.status();
  v1::ListParticipantsResponse out;
  if (grant->instructor_view && !options_.first_names) {
    return absl::FailedPreconditionError(
        "participant names are not available (no referral service configured)");
  }
  for (const auto& en : *enrolled) {
    v1::Participant* p = out.add_participants();
    // The referral id is what RecordAttendance takes; staff see the citizen id too.
    p->set_referral_id(en.referral_id());
    if (grant->instructor_view) {
      auto name = options_.first_names(m, en.referral_id(), caller);
      if (!name.ok()) return name.status();
      p->set_first_name(*name);
    } else {
      p->set_citizen_id(en.citizen_id());
    }
  }
  return out;
}

absl::StatusOr<v1::ExportCalendarResponse> SchedulingDesk::ExportCalendar(
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
    absl::CivilDay today(calendar::AbsoluteToLocal(Now()));
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
  auto sessions = store_.ListSessions(q);
  if (!sessions.ok()) return sessions.status();
  std::vector<std::string> concerned = q.by == SessionQuery::By::kInstitution
                                           ? std::vector<std::string>{q.id}
                                           : InstitutionsOf(*sessions);
  auto grant = AuthorizeForInstitutions(caller, SchedulingRpc::kExportCalendar, m, concerned);
  if (!grant.ok()) return grant.status();
  std::vector<v1::Session> shown;
  for (auto& s : *sessions) {
    if (!grant->only_institution_id.empty() && s.institution_id() != grant->only_institution_id)
      continue;
    shown.push_back(std::move(s));
  }
  auto catalog = store_.LoadCatalog(m);
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
    auto c = store_.GetCohort(m, id);
    if (c.ok()) {
      lookup.AddCohort(*c);
      if (id == req.cohort_id()) calendar_name = c->name();
    }
  }
  if (calendar_name.empty()) calendar_name = q.id;
  auto ics = ExportIcs(calendar_name, shown, lookup, Now());
  if (!ics.ok()) return ics.status();
  v1::ExportCalendarResponse out;
  out.set_ics(*std::move(ics));
  return out;
}

// ---- Events and timers --------------------------------------------------------------------------

absl::Status SchedulingDesk::OnReferralAccepted(const common::v1::Event& event,
                                                const referral::v1::ReferralAccepted& accepted) {
  const std::string& m = event.municipality();
  Caller caller = ServiceCaller(m, event.correlation_id(), event.trace().traceparent());
  if (accepted.referral_id().empty())
    return Invalid("referral_id", "missing in the accepted event");
  auto programs = store_.ListPrograms(m);
  if (!programs.ok()) return programs.status();
  std::string program_id;
  for (const auto& p : *programs) {
    if (!accepted.preferred_program().empty() && (p.program_id() == accepted.preferred_program() ||
                                                  p.name() == accepted.preferred_program())) {
      program_id = p.program_id();
    }
  }
  if (program_id.empty()) {
    for (const auto& p : *programs) {
      if (p.is_default()) program_id = p.program_id();
    }
  }
  if (program_id.empty()) {
    return absl::FailedPreconditionError(
        absl::StrCat("municipality ", m, " has no program '", accepted.preferred_program(),
                     "' and no default program: put one, then replay the dead letter"));
  }
  auto placed = PlaceInProgram(m, program_id, accepted.referral_id(), accepted.citizen_id(),
                               event.id(), caller, TimeOf(event.occurred_at()));
  return placed.status();
}

absl::Status SchedulingDesk::OnCohortCancelled(const common::v1::Event& event,
                                               const v1::CohortCancelled& cancelled) {
  if (cancelled.had_started()) return absl::OkStatus();  // they dropped out; nothing to place
  const std::string& m = event.municipality();
  Caller caller = ServiceCaller(m, event.correlation_id(), event.trace().traceparent());
  // Placed again in the order they were accepted in, each once (the trigger id), so a
  // redelivered event places nobody twice.
  for (const v1::Enrollment& p : ReplacementOrder(cancelled)) {
    auto placed = PlaceInProgram(m, cancelled.program_id(), p.referral_id(), p.citizen_id(),
                                 absl::StrCat(event.id(), ":", p.referral_id()), caller,
                                 TimeOf(p.accepted_at()));
    // Placed meanwhile by a coordinator, in this or another program: theirs to decide.
    if (placed.status().code() == absl::StatusCode::kFailedPrecondition) continue;
    if (!placed.ok()) return placed.status();
  }
  return absl::OkStatus();
}

absl::Status SchedulingDesk::OnReferralWithdrawn(const common::v1::Event& event,
                                                 const referral::v1::ReferralWithdrawn& withdrawn) {
  const std::string& m = event.municipality();
  Caller caller = ServiceCaller(m, event.correlation_id(), event.trace().traceparent());
  auto placement = store_.FindPlacement(m, withdrawn.referral_id());
  if (!placement.ok()) return placement.status();
  if (!placement->has_value()) return absl::OkStatus();
  const ReferralPlacement& p = **placement;
  if (p.enrollment) {
    auto cohort = store_.GetCohort(m, p.enrollment->cohort_id());
    if (!cohort.ok()) return cohort.status();
    auto out = UnenrollReferral(m, p.enrollment->cohort_id(), withdrawn.referral_id(),
                                v1::CHANGE_REASON_REFERRAL_WITHDRAWN, event.id(), caller);
    if (out.status().code() == absl::StatusCode::kNotFound) return absl::OkStatus();
    return out.status();
  }
  if (p.waitlisted) {
    WaitlistLeave leave;
    leave.municipality = m;
    leave.program_id = p.program_id;
    leave.referral_id = withdrawn.referral_id();
    leave.trigger_id = event.id();
    auto st = store_.LeaveWaitlist(leave);
    if (st.code() == absl::StatusCode::kNotFound) return absl::OkStatus();
    return st;
  }
  return absl::OkStatus();
}

absl::Status SchedulingDesk::StepCohort(const std::string& m, const std::string& cohort_id,
                                        const CohortStep& build) {
  for (int attempt = 0; attempt < 8; ++attempt) {
    auto cohort = store_.GetCohort(m, cohort_id);
    if (!cohort.ok()) return cohort.status();
    auto enrolled = store_.ListEnrollments(m, cohort_id);
    if (!enrolled.ok()) return enrolled.status();
    auto step = build(*cohort, *enrolled);
    if (!step.ok()) return step.status();
    if (!step->has_value()) return absl::OkStatus();  // already there
    auto result = store_.TransitionCohort(**step);
    if (!result.ok()) {
      if (Retryable(result.status())) continue;  // changed meanwhile: read again
      return result.status();
    }
    Notify();
    return absl::OkStatus();
  }
  return absl::AbortedError("the cohort kept changing");
}

absl::Status SchedulingDesk::OpenCohort(const std::string& m, const std::string& cohort_id,
                                        const Caller& caller) {
  return StepCohort(
      m, cohort_id,
      [&](const v1::Cohort& cohort,
          const std::vector<v1::Enrollment>&) -> absl::StatusOr<std::optional<CohortTransition>> {
        if (cohort.status() != v1::COHORT_STATUS_PLANNED) return std::nullopt;
        CohortTransition t;
        t.municipality = m;
        t.cohort_id = cohort_id;
        t.to = v1::COHORT_STATUS_OPEN;
        t.allowed_from = {v1::COHORT_STATUS_PLANNED};
        v1::CohortOpened e;
        e.set_cohort_id(cohort_id);
        e.set_program_id(cohort.program_id());
        t.events.push_back(
            Event(absl::StrCat(cohort_id, ":opened"), "cohort_opened", m, e, caller));
        // Opening fills the free seats from the program's waitlist in the same step.
        auto heads = WaitlistHeads(m, cohort, cohort.capacity() - cohort.enrolled_count(), caller);
        if (!heads.ok()) return heads.status();
        t.fill_from_waitlist = *std::move(heads);
        return t;
      });
}

absl::Status SchedulingDesk::StartCohort(const std::string& m, const std::string& cohort_id,
                                         const Caller& caller) {
  return StepCohort(m, cohort_id,
                    [&](const v1::Cohort& cohort, const std::vector<v1::Enrollment>& enrolled)
                        -> absl::StatusOr<std::optional<CohortTransition>> {
                      if (cohort.status() != v1::COHORT_STATUS_PLANNED &&
                          cohort.status() != v1::COHORT_STATUS_OPEN)
                        return std::nullopt;
                      v1::CohortStarted e;
                      e.set_cohort_id(cohort_id);
                      e.set_program_id(cohort.program_id());
                      e.set_first_day(cohort.first_day());
                      for (const auto& en : enrolled) *e.add_participants() = en;
                      CohortTransition t;
                      t.municipality = m;
                      t.cohort_id = cohort_id;
                      t.to = v1::COHORT_STATUS_RUNNING;
                      t.allowed_from = {v1::COHORT_STATUS_PLANNED, v1::COHORT_STATUS_OPEN};
                      t.expected_version =
                          cohort.version();  // the event lists the participants as read
                      t.events.push_back(Event(absl::StrCat(cohort_id, ":started"),
                                               "cohort_started", m, e, caller));
                      t.cancel_timer_ids = {OpenTimerId(cohort_id)};
                      return t;
                    });
}

absl::Status SchedulingDesk::CompleteCohort(const std::string& m, const std::string& cohort_id,
                                            const Caller& caller) {
  // Started first, so participants hear "started" before "completed".
  if (auto s = StartCohort(m, cohort_id, caller); !s.ok()) return s;
  return StepCohort(m, cohort_id,
                    [&](const v1::Cohort& cohort, const std::vector<v1::Enrollment>& enrolled)
                        -> absl::StatusOr<std::optional<CohortTransition>> {
                      if (cohort.status() != v1::COHORT_STATUS_RUNNING)
                        return std::nullopt;  // completed or cancelled
                      v1::CohortCompleted e;
                      e.set_cohort_id(cohort_id);
                      e.set_program_id(cohort.program_id());
                      e.set_last_day(cohort.last_day());
                      e.set_sessions_held(cohort.session_count());
                      for (const auto& en : enrolled) *e.add_participants() = en;
                      CohortTransition t;
                      t.municipality = m;
                      t.cohort_id = cohort_id;
                      t.to = v1::COHORT_STATUS_COMPLETED;
                      t.allowed_from = {v1::COHORT_STATUS_RUNNING};
                      t.expected_version = cohort.version();
                      t.events.push_back(Event(absl::StrCat(cohort_id, ":completed"),
                                               "cohort_completed", m, e, caller));
                      return t;
                    });
}

absl::Status SchedulingDesk::OnTimer(const timer::Timer& timer) {
  Caller caller = ServiceCaller(timer.municipality);
  auto colon = timer.id.find(':');
  if (colon == std::string::npos) return absl::OkStatus();  // not ours: complete it
  std::string kind = timer.id.substr(0, colon);
  std::string cohort_id = timer.id.substr(colon + 1);
  absl::Status st;
  if (kind == "open") {
    st = OpenCohort(timer.municipality, cohort_id, caller);
  } else if (kind == "start") {
    st = StartCohort(timer.municipality, cohort_id, caller);
  } else if (kind == "complete") {
    st = CompleteCohort(timer.municipality, cohort_id, caller);
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
