#include "services/scheduling/scheduling_store.h"

#include <algorithm>
#include <utility>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "libs/identity/municipality.h"
#include "libs/store/keys.h"
#include "services/scheduling/scheduling_store_lua.h"

namespace kpr::scheduling {
namespace {

using store::RedisReply;

constexpr size_t kCohortRow = 9;  // see scheduling_store_lua.cc
constexpr size_t kSessionRow = 4;
constexpr int kListScanLimit = 5000;

std::string Prefix(absl::string_view m) { return store::Key(m, kSchedulingService, ""); }

std::vector<std::string> WriteKeys(absl::string_view m) {
  return {store::OutboxKey(m, kSchedulingService), timer::TimersKey(m, kSchedulingService),
          timer::TimerDataKey(m, kSchedulingService)};
}

absl::Status CheckMunicipality(absl::string_view m) {
  if (!identity::IsMunicipalityCode(m)) {
    return absl::InvalidArgumentError("municipality must be a 4-digit code");
  }
  return absl::OkStatus();
}

absl::Status Require(bool ok, absl::string_view what) {
  return ok ? absl::OkStatus() : absl::InvalidArgumentError(what);
}

absl::StatusOr<int64_t> DayNumber(absl::string_view day) {
  absl::CivilDay d;
  if (!absl::ParseCivilTime(day, &d) || absl::FormatCivilTime(d) != day) {
    return absl::InvalidArgumentError(absl::StrCat("not an ISO day: \"", day, "\""));
  }
  return d - absl::CivilDay(1970, 1, 1);
}
int64_t DayNumber(absl::CivilDay d) { return d - absl::CivilDay(1970, 1, 1); }

google::protobuf::Timestamp ToTimestamp(int64_t unix_micros) {
  google::protobuf::Timestamp ts;
  int64_t s = unix_micros / 1000000, us = unix_micros % 1000000;
  if (us < 0) {
    s -= 1;
    us += 1000000;
  }
  ts.set_seconds(s);
  ts.set_nanos(static_cast<int32_t>(us * 1000));
  return ts;
}
int64_t Micros(const google::protobuf::Timestamp& ts) {
  return ts.seconds() * 1000000 + ts.nanos() / 1000;
}

// `accepted_at`: when the referral was accepted (InfinitePast: unknown, then `now`); a cancelled
// cohort's participants are placed again in that order.
v1::Enrollment MakeEnrollment(absl::string_view cohort_id, absl::string_view referral_id,
                              absl::string_view citizen_id, absl::Time now,
                              absl::Time accepted_at = absl::InfinitePast()) {
  v1::Enrollment e;
  e.set_cohort_id(std::string(cohort_id));
  e.set_referral_id(std::string(referral_id));
  e.set_citizen_id(std::string(citizen_id));
  *e.mutable_enrolled_at() = ToTimestamp(absl::ToUnixMicros(now));
  *e.mutable_accepted_at() =
      ToTimestamp(absl::ToUnixMicros(accepted_at == absl::InfinitePast() ? now : accepted_at));
  return e;
}

// Arguments of a write script: (prefix, now ms, trigger id) and then the script's own.
class Args {
 public:
  Args(absl::string_view m, absl::string_view trigger, absl::Time now) {
    v_ = {Prefix(m), std::to_string(absl::ToUnixMillis(now)), std::string(trigger)};
  }
  void Add(std::string s) { v_.push_back(std::move(s)); }
  void Int(int64_t n) { v_.push_back(std::to_string(n)); }
  void Event(const OutboxEvent& e) {
    v_.push_back(e.id);
    v_.push_back(e.subject);
    v_.push_back(e.data);
  }
  void Events(const std::vector<OutboxEvent>& events) {
    Int(events.size());
    for (const auto& e : events) Event(e);
  }
  void Timers(const std::vector<timer::Timer>& timers) {
    Int(timers.size());
    for (const auto& t : timers) {
      v_.push_back(t.id);
      Int(absl::ToUnixMillis(t.due));
      v_.push_back(t.payload);
    }
  }
  void List(const std::vector<std::string>& list) {
    Int(list.size());
    for (const auto& s : list) v_.push_back(s);
  }
  void Seats(absl::string_view cohort_id, const std::vector<WaitlistSeat>& seats, absl::Time now) {
    Int(seats.size());
    for (const auto& s : seats) Seat(cohort_id, s, now);
  }
  void Seat(absl::string_view cohort_id, const WaitlistSeat& s, absl::Time now) {
    v_.push_back(s.referral_id);
    v_.push_back(MakeEnrollment(cohort_id, s.referral_id, s.citizen_id, now, s.accepted_at)
                     .SerializeAsString());
    Event(s.enrolled_event);
  }
  std::vector<std::string>& args() { return v_; }

 private:
  std::vector<std::string> v_;
};

absl::Status CheckEvents(const std::vector<OutboxEvent>& events) {
  for (const auto& e : events) {
    if (e.id.empty() || e.subject.empty()) {
      return absl::InvalidArgumentError("an event lacks its id or subject");
    }
  }
  return absl::OkStatus();
}

absl::Status CheckTimers(absl::string_view m, const std::vector<timer::Timer>& timers) {
  for (const auto& t : timers) {
    if (t.id.empty() || t.municipality != m || t.due == absl::InfinitePast() ||
        t.due == absl::InfiniteFuture()) {
      return absl::InvalidArgumentError("a timer lacks its id, municipality or finite due time");
    }
  }
  return absl::OkStatus();
}

absl::Status CheckSeats(const std::vector<WaitlistSeat>& seats) {
  for (const auto& s : seats) {
    if (s.referral_id.empty()) return absl::InvalidArgumentError("a seat lacks its referral id");
    if (auto st = CheckEvents({s.enrolled_event}); !st.ok()) return st;
  }
  return absl::OkStatus();
}

// Session record as the write scripts read it (read_session).
absl::Status AddSession(Args& a, const v1::Session& s, absl::string_view m,
                        absl::string_view cohort_id, bool with_version) {
  if (s.session_id().empty()) return absl::InvalidArgumentError("a session lacks its id");
  if (!s.cohort_id().empty() && s.cohort_id() != cohort_id) {
    return absl::InvalidArgumentError(
        absl::StrCat("session ", s.session_id(), " belongs to another cohort"));
  }
  if (!s.municipality().empty() && s.municipality() != m) {
    return absl::InvalidArgumentError(
        absl::StrCat("session ", s.session_id(), " belongs to another municipality"));
  }
  if (s.start_minute() < 0 || s.end_minute() <= s.start_minute() || s.end_minute() > 24 * 60) {
    return absl::InvalidArgumentError(absl::StrCat("session ", s.session_id(), ": bad time"));
  }
  if (s.venue_id().empty() || s.instructor_id().empty() || s.institution_id().empty()) {
    return absl::InvalidArgumentError(
        absl::StrCat("session ", s.session_id(), " lacks venue, instructor or institution"));
  }
  if (s.status() != v1::SESSION_STATUS_SCHEDULED && s.status() != v1::SESSION_STATUS_CANCELLED) {
    return absl::InvalidArgumentError(absl::StrCat("session ", s.session_id(), ": bad status"));
  }
  auto dn = DayNumber(s.day());
  if (!dn.ok()) return dn.status();
  v1::Session stored = s;
  stored.set_cohort_id(std::string(cohort_id));
  stored.set_municipality(std::string(m));
  stored.clear_version();
  a.Add(s.session_id());
  if (with_version) a.Int(s.version());
  a.Int(s.index());
  a.Add(stored.SerializeAsString());
  a.Int(s.status());
  a.Add(s.change_reason());
  a.Add(s.day());
  a.Int(*dn);
  a.Int(s.start_minute());
  a.Int(s.end_minute());
  a.Add(s.institution_id());
  a.Add(s.venue_id());
  a.Add(s.instructor_id());
  return absl::OkStatus();
}

int64_t Int(const RedisReply& r) {
  if (r.is_integer()) return r.integer();
  int64_t v = 0;
  (void)absl::SimpleAtoi(r.str(), &v);
  return v;
}

template <typename T>
bool Parse(T& msg, const RedisReply& r) {
  absl::string_view b = r.str();
  return msg.ParseFromArray(b.data(), static_cast<int>(b.size()));
}

absl::StatusOr<v1::Cohort> DecodeCohort(const RedisReply& r, size_t at) {
  if (r.size() < at + kCohortRow) return absl::InternalError("scheduling: short cohort row");
  v1::Cohort c;
  if (!Parse(c, r.element(at))) return absl::DataLossError("a cohort does not decode");
  c.set_version(Int(r.element(at + 1)));
  c.set_status(static_cast<v1::CohortStatus>(Int(r.element(at + 2))));
  c.set_cancel_reason(r.element(at + 3).string());
  c.set_capacity(static_cast<int32_t>(Int(r.element(at + 4))));
  if (!r.element(at + 5).str().empty()) c.set_first_day(r.element(at + 5).string());
  if (!r.element(at + 6).str().empty()) c.set_last_day(r.element(at + 6).string());
  c.set_session_count(static_cast<int32_t>(Int(r.element(at + 7))));
  c.set_enrolled_count(static_cast<int32_t>(Int(r.element(at + 8))));
  return c;
}

absl::StatusOr<v1::Session> DecodeSession(const RedisReply& r, size_t at) {
  if (r.size() < at + kSessionRow) return absl::InternalError("scheduling: short session row");
  v1::Session s;
  if (!Parse(s, r.element(at))) return absl::DataLossError("a session does not decode");
  s.set_version(Int(r.element(at + 1)));
  s.set_status(static_cast<v1::SessionStatus>(Int(r.element(at + 2))));
  s.set_change_reason(r.element(at + 3).string());
  return s;
}

absl::StatusOr<std::vector<v1::Session>> DecodeSessions(const RedisReply& r, size_t at,
                                                        size_t count) {
  std::vector<v1::Session> out;
  out.reserve(count);
  for (size_t i = 0; i < count; ++i) {
    auto s = DecodeSession(r, at + i * kSessionRow);
    if (!s.ok()) return s.status();
    out.push_back(*std::move(s));
  }
  return out;
}

absl::StatusOr<v1::Enrollment> DecodeEnrollment(const RedisReply& r) {
  v1::Enrollment e;
  if (!Parse(e, r)) return absl::DataLossError("an enrolment does not decode");
  return e;
}

// (entry pb, position, waitlisted_at us) at `at`.
absl::StatusOr<v1::WaitlistEntry> DecodeWaitlistEntry(const RedisReply& r, size_t at,
                                                      int position) {
  v1::WaitlistEntry w;
  if (!Parse(w, r.element(at))) return absl::DataLossError("a waitlist entry does not decode");
  w.set_position(position);
  *w.mutable_waitlisted_at() = ToTimestamp(Int(r.element(at + 1)));
  return w;
}

std::vector<BookingConflict> DecodeConflicts(const RedisReply& r, size_t at) {
  std::vector<BookingConflict> out;
  for (size_t i = at; i + 8 <= r.size(); i += 8) {
    BookingConflict c;
    c.session_id = r.element(i).string();
    c.booked_session_id = r.element(i + 1).string();
    c.booked_cohort_id = r.element(i + 2).string();
    c.resource = r.element(i + 3).str() == "i" ? BookingConflict::Resource::kInstructor
                                               : BookingConflict::Resource::kVenue;
    c.resource_id = r.element(i + 4).string();
    c.day = r.element(i + 5).string();
    c.start_minute = static_cast<int>(Int(r.element(i + 6)));
    c.end_minute = static_cast<int>(Int(r.element(i + 7)));
    out.push_back(std::move(c));
  }
  return out;
}

std::string Code(const RedisReply& r) {
  if (!r.is_array() || r.size() == 0) return "";
  return r.element(0).string();
}

// The error of a script reply {code, message}.
absl::Status ScriptError(const RedisReply& r, absl::string_view script) {
  std::string code = Code(r);
  std::string msg = r.size() > 1 ? r.element(1).string() : code;
  if (code == "not_found") return absl::NotFoundError(msg);
  if (code == "aborted") return absl::AbortedError(msg);
  if (code == "precondition") return absl::FailedPreconditionError(msg);
  if (code == "exists") return absl::AlreadyExistsError(msg);
  if (code == "invalid") return absl::InvalidArgumentError(msg);
  return absl::InternalError(absl::StrCat(script, ": unexpected reply \"", code, "\""));
}

// ---- Catalog helpers.

template <typename T>
absl::StatusOr<T> PutEntity(store::RedisPool& pool, absl::string_view m, absl::string_view kind,
                            absl::string_view id, const T& entity, int64_t expected_version) {
  if (auto s = CheckMunicipality(m); !s.ok()) return s;
  if (id.empty()) return absl::InvalidArgumentError(absl::StrCat(kind, ": empty id"));
  if (expected_version < 0) return absl::InvalidArgumentError("negative expected_version");
  T copy = entity;
  copy.set_version(0);
  std::string p = Prefix(m);
  auto reply =
      pool.Eval(lua::CatalogPut(), {absl::StrCat(p, kind), absl::StrCat(p, kind, ":v")},
                {std::string(id), std::to_string(expected_version), copy.SerializeAsString()});
  if (!reply.ok()) return reply.status();
  if (Code(*reply) != "ok") return ScriptError(*reply, "scheduling_catalog_put");
  copy.set_version(Int(reply->element(1)));
  return copy;
}

// Decodes HGETALL replies of a pb hash and its version hash; sorted by field (the id).
template <typename T>
absl::StatusOr<std::vector<T>> DecodeEntities(const RedisReply& pbs, const RedisReply& versions) {
  absl::flat_hash_map<std::string, int64_t> v;
  for (size_t i = 0; i + 1 < versions.size(); i += 2) {
    v[versions.element(i).string()] = Int(versions.element(i + 1));
  }
  std::vector<std::pair<std::string, T>> rows;
  for (size_t i = 0; i + 1 < pbs.size(); i += 2) {
    T t;
    if (!Parse(t, pbs.element(i + 1)))
      return absl::DataLossError("a catalog entry does not decode");
    std::string id = pbs.element(i).string();
    auto it = v.find(id);
    t.set_version(it == v.end() ? 0 : it->second);
    rows.emplace_back(std::move(id), std::move(t));
  }
  std::sort(rows.begin(), rows.end(),
            [](const auto& a, const auto& b) { return a.first < b.first; });
  std::vector<T> out;
  out.reserve(rows.size());
  for (auto& r : rows) out.push_back(std::move(r.second));
  return out;
}

template <typename T>
absl::StatusOr<std::vector<T>> ListEntities(store::RedisPool& pool, absl::string_view m,
                                            absl::string_view kind) {
  if (auto s = CheckMunicipality(m); !s.ok()) return s;
  std::string p = Prefix(m);
  auto replies =
      pool.Pipeline({{"HGETALL", absl::StrCat(p, kind)}, {"HGETALL", absl::StrCat(p, kind, ":v")}});
  if (!replies.ok()) return replies.status();
  return DecodeEntities<T>((*replies)[0], (*replies)[1]);
}

// nullopt when absent.
template <typename T>
absl::StatusOr<std::optional<T>> GetEntity(store::RedisPool& pool, absl::string_view m,
                                           absl::string_view kind, absl::string_view id) {
  if (auto s = CheckMunicipality(m); !s.ok()) return s;
  std::string p = Prefix(m);
  auto replies = pool.Pipeline({{"HGET", absl::StrCat(p, kind), std::string(id)},
                                {"HGET", absl::StrCat(p, kind, ":v"), std::string(id)}});
  if (!replies.ok()) return replies.status();
  if ((*replies)[0].is_nil()) return std::optional<T>();
  T t;
  if (!Parse(t, (*replies)[0])) return absl::DataLossError("a catalog entry does not decode");
  t.set_version(Int((*replies)[1]));
  return std::optional<T>(std::move(t));
}

constexpr char kInstitutions[] = "institutions";
constexpr char kInstructors[] = "instructors";
constexpr char kPrograms[] = "programs";
constexpr char kCalendar[] = "calendar";
constexpr char kCalendarId[] = "calendar";

}  // namespace

std::string OpenTimerId(absl::string_view cohort_id) { return absl::StrCat("open:", cohort_id); }
std::string StartTimerId(absl::string_view cohort_id) { return absl::StrCat("start:", cohort_id); }
std::string CompleteTimerId(absl::string_view cohort_id) {
  return absl::StrCat("complete:", cohort_id);
}

OutboxEvent OutboxEvent::From(const kpr::common::v1::Event& event, std::string subject) {
  return OutboxEvent{event.id(), std::move(subject), event.SerializeAsString()};
}

SchedulingStore::SchedulingStore(store::RedisPool& pool)
    : pool_(pool), outbox_(pool, kSchedulingService), timers_(pool, kSchedulingService) {}

absl::Status SchedulingStore::Register(absl::string_view municipality) {
  if (auto s = CheckMunicipality(municipality); !s.ok()) return s;
  if (auto s = outbox_.Register(municipality); !s.ok()) return s;
  return timers_.Register(municipality);
}

// ---- Catalog ------------------------------------------------------------------------------------

absl::StatusOr<v1::Institution> SchedulingStore::PutInstitution(const v1::Institution& institution,
                                                                int64_t expected_version) {
  return PutEntity(pool_, institution.municipality(), kInstitutions, institution.institution_id(),
                   institution, expected_version);
}

absl::StatusOr<std::vector<v1::Institution>> SchedulingStore::ListInstitutions(
    absl::string_view municipality) {
  return ListEntities<v1::Institution>(pool_, municipality, kInstitutions);
}

absl::StatusOr<v1::Institution> SchedulingStore::GetInstitution(absl::string_view municipality,
                                                                absl::string_view institution_id) {
  auto r = GetEntity<v1::Institution>(pool_, municipality, kInstitutions, institution_id);
  if (!r.ok()) return r.status();
  if (!r->has_value()) {
    return absl::NotFoundError(absl::StrCat("institution ", institution_id));
  }
  return **std::move(r);
}

absl::StatusOr<v1::Instructor> SchedulingStore::PutInstructor(const v1::Instructor& instructor,
                                                              int64_t expected_version) {
  return PutEntity(pool_, instructor.municipality(), kInstructors, instructor.instructor_id(),
                   instructor, expected_version);
}

absl::StatusOr<std::vector<v1::Instructor>> SchedulingStore::ListInstructors(
    absl::string_view municipality, absl::string_view institution_id) {
  auto all = ListEntities<v1::Instructor>(pool_, municipality, kInstructors);
  if (!all.ok() || institution_id.empty()) return all;
  std::vector<v1::Instructor> out;
  for (auto& i : *all) {
    if (i.institution_id() == institution_id) out.push_back(std::move(i));
  }
  return out;
}

absl::StatusOr<v1::Instructor> SchedulingStore::GetInstructor(absl::string_view municipality,
                                                              absl::string_view instructor_id) {
  auto r = GetEntity<v1::Instructor>(pool_, municipality, kInstructors, instructor_id);
  if (!r.ok()) return r.status();
  if (!r->has_value()) return absl::NotFoundError(absl::StrCat("instructor ", instructor_id));
  return **std::move(r);
}

absl::StatusOr<v1::MunicipalityCalendar> SchedulingStore::PutCalendar(
    const v1::MunicipalityCalendar& calendar, int64_t expected_version) {
  return PutEntity(pool_, calendar.municipality(), kCalendar, kCalendarId, calendar,
                   expected_version);
}

absl::StatusOr<v1::MunicipalityCalendar> SchedulingStore::GetCalendar(
    absl::string_view municipality) {
  auto r = GetEntity<v1::MunicipalityCalendar>(pool_, municipality, kCalendar, kCalendarId);
  if (!r.ok()) return r.status();
  if (r->has_value()) return **std::move(r);
  v1::MunicipalityCalendar empty;
  empty.set_municipality(std::string(municipality));
  return empty;
}

absl::StatusOr<v1::ProgramTemplate> SchedulingStore::PutProgram(const v1::ProgramTemplate& program,
                                                                int64_t expected_version) {
  return PutEntity(pool_, program.municipality(), kPrograms, program.program_id(), program,
                   expected_version);
}

absl::StatusOr<std::vector<v1::ProgramTemplate>> SchedulingStore::ListPrograms(
    absl::string_view municipality) {
  return ListEntities<v1::ProgramTemplate>(pool_, municipality, kPrograms);
}

absl::StatusOr<v1::ProgramTemplate> SchedulingStore::GetProgram(absl::string_view municipality,
                                                                absl::string_view program_id) {
  auto r = GetEntity<v1::ProgramTemplate>(pool_, municipality, kPrograms, program_id);
  if (!r.ok()) return r.status();
  if (!r->has_value()) return absl::NotFoundError(absl::StrCat("program ", program_id));
  return **std::move(r);
}

absl::StatusOr<CatalogSnapshot> SchedulingStore::LoadCatalog(absl::string_view municipality) {
  if (auto s = CheckMunicipality(municipality); !s.ok()) return s;
  std::string p = Prefix(municipality);
  std::vector<std::vector<std::string>> cmds;
  for (const char* kind : {kInstitutions, kInstructors, kCalendar, kPrograms}) {
    cmds.push_back({"HGETALL", absl::StrCat(p, kind)});
    cmds.push_back({"HGETALL", absl::StrCat(p, kind, ":v")});
  }
  auto r = pool_.Pipeline(cmds);
  if (!r.ok()) return r.status();
  CatalogSnapshot snap;
  auto institutions = DecodeEntities<v1::Institution>((*r)[0], (*r)[1]);
  if (!institutions.ok()) return institutions.status();
  snap.institutions = *std::move(institutions);
  auto instructors = DecodeEntities<v1::Instructor>((*r)[2], (*r)[3]);
  if (!instructors.ok()) return instructors.status();
  snap.instructors = *std::move(instructors);
  auto calendars = DecodeEntities<v1::MunicipalityCalendar>((*r)[4], (*r)[5]);
  if (!calendars.ok()) return calendars.status();
  if (!calendars->empty()) {
    snap.calendar = calendars->front();
  } else {
    snap.calendar.set_municipality(std::string(municipality));
  }
  auto programs = DecodeEntities<v1::ProgramTemplate>((*r)[6], (*r)[7]);
  if (!programs.ok()) return programs.status();
  snap.programs = *std::move(programs);
  return snap;
}

// ---- Cohorts and sessions -----------------------------------------------------------------------

absl::StatusOr<CommitResult> SchedulingStore::CommitCohort(const CohortCommit& commit) {
  const v1::Cohort& c = commit.cohort;
  const std::string& m = c.municipality();
  if (auto s = CheckMunicipality(m); !s.ok()) return s;
  if (auto s = Require(!c.cohort_id().empty() && !c.program_id().empty(),
                       "cohort lacks its id or program");
      !s.ok()) {
    return s;
  }
  if (auto s = Require(!commit.request_id.empty(), "request_id required"); !s.ok()) return s;
  if (auto s =
          Require(c.status() == v1::COHORT_STATUS_PLANNED || c.status() == v1::COHORT_STATUS_OPEN,
                  "a new cohort is PLANNED or OPEN");
      !s.ok()) {
    return s;
  }
  if (auto s = Require(c.capacity() > 0, "capacity must be positive"); !s.ok()) return s;
  if (auto s = Require(!commit.sessions.empty(), "a cohort needs sessions"); !s.ok()) return s;
  if (auto s = CheckEvents(commit.events); !s.ok()) return s;
  if (auto s = CheckTimers(m, commit.timers); !s.ok()) return s;
  if (auto s = Require(c.status() == v1::COHORT_STATUS_OPEN || commit.fill_from_waitlist.empty(),
                       "fill_from_waitlist only for a cohort created OPEN");
      !s.ok()) {
    return s;
  }
  if (auto s = CheckSeats(commit.fill_from_waitlist); !s.ok()) return s;
  if (auto s = Register(m); !s.ok()) return s;

  absl::Time now = absl::Now();
  Args a(m, "", now);
  a.Add(commit.request_id);
  a.Add(c.cohort_id());
  v1::Cohort stored = c;
  stored.clear_version();
  stored.clear_enrolled_count();
  stored.clear_cancel_reason();
  a.Add(stored.SerializeAsString());
  a.Int(c.status());
  a.Int(c.capacity());
  a.Add(c.program_id());
  a.Int(commit.sessions.size());
  absl::flat_hash_set<std::string> ids;
  for (const v1::Session& s : commit.sessions) {
    if (s.status() != v1::SESSION_STATUS_SCHEDULED) {
      return absl::InvalidArgumentError("new sessions must be SCHEDULED");
    }
    if (!ids.insert(s.session_id()).second) {
      return absl::InvalidArgumentError(absl::StrCat("session ", s.session_id(), " twice"));
    }
    if (auto st = AddSession(a, s, m, c.cohort_id(), false); !st.ok()) return st;
  }
  a.Events(commit.events);
  a.Timers(commit.timers);
  a.Seats(c.cohort_id(), commit.fill_from_waitlist, now);

  auto reply = pool_.Eval(lua::Commit(), WriteKeys(m), a.args());
  if (!reply.ok()) return reply.status();
  std::string code = Code(*reply);
  CommitResult result;
  if (code == "conflict") {
    result.outcome = CommitResult::Outcome::kConflict;
    result.conflicts = DecodeConflicts(*reply, 1);
    return result;
  }
  if (code != "ok" && code != "dupreq") return ScriptError(*reply, "scheduling_commit");
  result.outcome =
      code == "ok" ? CommitResult::Outcome::kCreated : CommitResult::Outcome::kAlreadyCommitted;
  auto cohort = DecodeCohort(*reply, 1);
  if (!cohort.ok()) return cohort.status();
  result.cohort = *std::move(cohort);
  size_t n = static_cast<size_t>(Int(reply->element(1 + kCohortRow)));
  auto sessions = DecodeSessions(*reply, 2 + kCohortRow, n);
  if (!sessions.ok()) return sessions.status();
  result.sessions = *std::move(sessions);
  for (size_t i = 2 + kCohortRow + n * kSessionRow; i < reply->size(); ++i) {
    auto e = DecodeEnrollment(reply->element(i));
    if (!e.ok()) return e.status();
    result.filled.push_back(*std::move(e));
  }
  return result;
}

absl::StatusOr<v1::Cohort> SchedulingStore::GetCohort(absl::string_view municipality,
                                                      absl::string_view cohort_id) {
  if (auto s = CheckMunicipality(municipality); !s.ok()) return s;
  auto reply = pool_.Eval(lua::GetCohorts(), {}, {Prefix(municipality), std::string(cohort_id)});
  if (!reply.ok()) return reply.status();
  if (reply->size() < 1 || reply->element(0).str() != "1") {
    return absl::NotFoundError(absl::StrCat("cohort ", cohort_id));
  }
  return DecodeCohort(*reply, 1);
}

absl::StatusOr<CohortPage> SchedulingStore::ListCohorts(const CohortQuery& q) {
  if (auto s = CheckMunicipality(q.municipality); !s.ok()) return s;
  std::string cursor_score, cursor_id;
  if (!q.page_token.empty()) {
    size_t colon = q.page_token.find(':');
    int64_t score;
    if (colon == std::string::npos || colon + 1 == q.page_token.size() ||
        !absl::SimpleAtoi(absl::string_view(q.page_token).substr(0, colon), &score)) {
      return absl::InvalidArgumentError("page_token: malformed");
    }
    cursor_score = q.page_token.substr(0, colon);
    cursor_id = q.page_token.substr(colon + 1);
  }
  std::string index = "cohorts";
  if (!q.program_id.empty()) {
    index = q.status == v1::COHORT_STATUS_OPEN ? absl::StrCat("open:", q.program_id)
                                               : absl::StrCat("cohorts:p:", q.program_id);
  }
  int size = q.page_size <= 0 ? 100 : std::min(q.page_size, 500);
  auto reply = pool_.Eval(
      lua::ListCohorts(), {},
      {Prefix(q.municipality), index, std::to_string(q.status), std::to_string(size), cursor_score,
       cursor_id, q.descending ? "1" : "0", std::to_string(kListScanLimit)});
  if (!reply.ok()) return reply.status();
  if (!reply->is_array() || reply->size() != 2) {
    return absl::InternalError("scheduling_list_cohorts: unexpected reply");
  }
  CohortPage page;
  RedisReply rows = reply->element(0);
  for (size_t i = 0; i + kCohortRow <= rows.size(); i += kCohortRow) {
    auto c = DecodeCohort(rows, i);
    if (!c.ok()) return c.status();
    page.cohorts.push_back(*std::move(c));
  }
  page.next_page_token = reply->element(1).string();
  return page;
}

absl::StatusOr<v1::Session> SchedulingStore::GetSession(absl::string_view municipality,
                                                        absl::string_view session_id) {
  if (auto s = CheckMunicipality(municipality); !s.ok()) return s;
  auto reply = pool_.Eval(lua::GetSessions(), {}, {Prefix(municipality), std::string(session_id)});
  if (!reply.ok()) return reply.status();
  if (reply->size() < 1 || reply->element(0).str() != "1") {
    return absl::NotFoundError(absl::StrCat("session ", session_id));
  }
  return DecodeSession(*reply, 1);
}

absl::StatusOr<std::vector<v1::Session>> SchedulingStore::ListSessions(const SessionQuery& q) {
  if (auto s = CheckMunicipality(q.municipality); !s.ok()) return s;
  if (q.id.empty()) return absl::InvalidArgumentError("ListSessions: empty id");
  std::string p = Prefix(q.municipality);
  const char* inc = q.include_cancelled ? "1" : "0";
  if (q.by == SessionQuery::By::kCohort) {
    auto reply = pool_.Eval(lua::CohortSessions(), {}, {p, q.id, inc});
    if (!reply.ok()) return reply.status();
    if (Code(*reply) != "ok") return absl::NotFoundError(absl::StrCat("cohort ", q.id));
    return DecodeSessions(*reply, 1, (reply->size() - 1) / kSessionRow);
  }
  if (q.from > q.to) return absl::InvalidArgumentError("ListSessions: from after to");
  std::string index;
  switch (q.by) {
    case SessionQuery::By::kInstitution:
      index = absl::StrCat("sn:", q.id);
      break;
    case SessionQuery::By::kVenue:
      index = absl::StrCat("sv:", q.id);
      break;
    default:
      index = absl::StrCat("si:", q.id);
      break;
  }
  auto reply = pool_.Eval(lua::RangeSessions(), {},
                          {p, index, std::to_string(DayNumber(q.from) * 1440),
                           std::to_string((DayNumber(q.to) + 1) * 1440), inc});
  if (!reply.ok()) return reply.status();
  return DecodeSessions(*reply, 0, reply->size() / kSessionRow);
}

absl::StatusOr<std::vector<v1::Session>> SchedulingStore::LoadBookings(
    absl::string_view municipality, absl::CivilDay from, absl::CivilDay to) {
  if (auto s = CheckMunicipality(municipality); !s.ok()) return s;
  if (from > to) return std::vector<v1::Session>();
  auto reply = pool_.Eval(lua::RangeSessions(), {},
                          {Prefix(municipality), "sd", std::to_string(DayNumber(from) * 1440),
                           std::to_string((DayNumber(to) + 1) * 1440), "0"});
  if (!reply.ok()) return reply.status();
  return DecodeSessions(*reply, 0, reply->size() / kSessionRow);
}

absl::StatusOr<SessionsUpdateResult> SchedulingStore::UpdateSessions(const SessionsUpdate& u) {
  const std::string& m = u.municipality;
  if (auto s = CheckMunicipality(m); !s.ok()) return s;
  if (auto s = Require(!u.cohort_id.empty() && !u.sessions.empty(),
                       "UpdateSessions: cohort id and sessions required");
      !s.ok()) {
    return s;
  }
  if (auto s = CheckEvents(u.events); !s.ok()) return s;
  if (auto s = CheckTimers(m, u.timers); !s.ok()) return s;
  if (auto s = Register(m); !s.ok()) return s;

  Args a(m, u.trigger_id, absl::Now());
  a.Add(u.cohort_id);
  if (u.cohort.has_value()) {
    v1::Cohort stored = *u.cohort;
    stored.clear_version();
    stored.clear_enrolled_count();
    stored.clear_cancel_reason();
    a.Add("1");
    a.Add(stored.SerializeAsString());
  } else {
    a.Add("0");
    a.Add("");
  }
  a.Int(u.sessions.size());
  absl::flat_hash_set<std::string> ids;
  for (const v1::Session& s : u.sessions) {
    if (!ids.insert(s.session_id()).second) {
      return absl::InvalidArgumentError(absl::StrCat("session ", s.session_id(), " twice"));
    }
    if (auto st = AddSession(a, s, m, u.cohort_id, true); !st.ok()) return st;
  }
  a.Events(u.events);
  a.Timers(u.timers);
  a.List(u.cancel_timer_ids);

  auto reply = pool_.Eval(lua::UpdateSessions(), WriteKeys(m), a.args());
  if (!reply.ok()) return reply.status();
  std::string code = Code(*reply);
  SessionsUpdateResult result;
  if (code == "dup") {
    result.outcome = SessionsUpdateResult::Outcome::kDuplicateTrigger;
    return result;
  }
  if (code == "conflict") {
    result.outcome = SessionsUpdateResult::Outcome::kConflict;
    result.conflicts = DecodeConflicts(*reply, 1);
    return result;
  }
  if (code != "ok") return ScriptError(*reply, "scheduling_update_sessions");
  for (const v1::Session& s : u.sessions) {
    v1::Session stored = s;
    stored.set_cohort_id(u.cohort_id);
    stored.set_municipality(m);
    stored.set_version(s.version() + 1);
    result.sessions.push_back(std::move(stored));
  }
  return result;
}

absl::StatusOr<TransitionResult> SchedulingStore::TransitionCohort(const CohortTransition& t) {
  const std::string& m = t.municipality;
  if (auto s = CheckMunicipality(m); !s.ok()) return s;
  if (auto s = Require(!t.cohort_id.empty(), "cohort id required"); !s.ok()) return s;
  if (auto s = Require(t.to == v1::COHORT_STATUS_OPEN || t.to == v1::COHORT_STATUS_RUNNING ||
                           t.to == v1::COHORT_STATUS_COMPLETED,
                       "TransitionCohort goes to OPEN, RUNNING or COMPLETED");
      !s.ok()) {
    return s;
  }
  if (auto s = Require(t.to == v1::COHORT_STATUS_OPEN || t.fill_from_waitlist.empty(),
                       "fill_from_waitlist only with to == OPEN");
      !s.ok()) {
    return s;
  }
  if (auto s = CheckEvents(t.events); !s.ok()) return s;
  if (auto s = CheckTimers(m, t.timers); !s.ok()) return s;
  if (auto s = CheckSeats(t.fill_from_waitlist); !s.ok()) return s;
  if (auto s = Register(m); !s.ok()) return s;

  absl::Time now = absl::Now();
  Args a(m, t.trigger_id, now);
  a.Add(t.cohort_id);
  a.Int(t.to);
  a.Int(t.expected_version);
  std::vector<std::string> allowed;
  for (v1::CohortStatus st : t.allowed_from) allowed.push_back(std::to_string(st));
  a.List(allowed);
  a.Events(t.events);
  a.Timers(t.timers);
  a.List(t.cancel_timer_ids);
  a.Seats(t.cohort_id, t.fill_from_waitlist, now);

  auto reply = pool_.Eval(lua::Transition(), WriteKeys(m), a.args());
  if (!reply.ok()) return reply.status();
  std::string code = Code(*reply);
  if (code != "ok" && code != "same" && code != "dup") {
    return ScriptError(*reply, "scheduling_transition");
  }
  if (reply->size() < 1 + kCohortRow) {
    return absl::NotFoundError(absl::StrCat("cohort ", t.cohort_id));
  }
  TransitionResult result;
  result.outcome = code == "ok"     ? TransitionResult::Outcome::kChanged
                   : code == "same" ? TransitionResult::Outcome::kAlreadyThere
                                    : TransitionResult::Outcome::kDuplicateTrigger;
  auto cohort = DecodeCohort(*reply, 1);
  if (!cohort.ok()) return cohort.status();
  result.cohort = *std::move(cohort);
  for (size_t i = 1 + kCohortRow; i < reply->size(); ++i) {
    auto e = DecodeEnrollment(reply->element(i));
    if (!e.ok()) return e.status();
    result.filled.push_back(*std::move(e));
  }
  return result;
}

absl::StatusOr<TransitionResult> SchedulingStore::CancelCohort(const CohortCancel& c) {
  const std::string& m = c.municipality;
  if (auto s = CheckMunicipality(m); !s.ok()) return s;
  if (auto s = Require(!c.cohort_id.empty(), "cohort id required"); !s.ok()) return s;
  if (auto s = CheckEvents(c.events); !s.ok()) return s;
  if (auto s = Register(m); !s.ok()) return s;
  Args a(m, c.trigger_id, absl::Now());
  a.Add(c.cohort_id);
  a.Add(c.reason);
  a.Int(c.expected_version);
  a.Events(c.events);
  auto reply = pool_.Eval(lua::Cancel(), WriteKeys(m), a.args());
  if (!reply.ok()) return reply.status();
  std::string code = Code(*reply);
  if (code != "ok" && code != "same" && code != "dup") {
    return ScriptError(*reply, "scheduling_cancel");
  }
  if (reply->size() < 1 + kCohortRow) {
    return absl::NotFoundError(absl::StrCat("cohort ", c.cohort_id));
  }
  TransitionResult result;
  result.outcome = code == "ok"     ? TransitionResult::Outcome::kChanged
                   : code == "same" ? TransitionResult::Outcome::kAlreadyThere
                                    : TransitionResult::Outcome::kDuplicateTrigger;
  auto cohort = DecodeCohort(*reply, 1);
  if (!cohort.ok()) return cohort.status();
  result.cohort = *std::move(cohort);
  return result;
}

// ---- Enrolment
// ------------------------------------------------------------------------------------

namespace {

// Replies of the enroll and place scripts.
absl::StatusOr<EnrollResult> DecodeEnrollReply(const RedisReply& r, absl::string_view script) {
  std::string code = Code(r);
  EnrollResult result;
  if (code == "enrolled" || code == "already_enrolled") {
    result.outcome = code == "enrolled" ? EnrollResult::Outcome::kEnrolled
                                        : EnrollResult::Outcome::kAlreadyEnrolled;
    auto e = DecodeEnrollment(r.element(2));
    if (!e.ok()) return e.status();
    result.enrollment = *std::move(e);
    return result;
  }
  if (code == "waitlisted" || code == "already_waitlisted") {
    result.outcome = code == "waitlisted" ? EnrollResult::Outcome::kWaitlisted
                                          : EnrollResult::Outcome::kAlreadyWaitlisted;
    v1::WaitlistEntry w;
    if (!Parse(w, r.element(1))) return absl::DataLossError("a waitlist entry does not decode");
    w.set_position(static_cast<int32_t>(Int(r.element(2))));
    *w.mutable_waitlisted_at() = ToTimestamp(Int(r.element(3)));
    result.waitlisted = std::move(w);
    return result;
  }
  return ScriptError(r, script);
}

}  // namespace

absl::StatusOr<EnrollResult> SchedulingStore::Enroll(const EnrollInCohort& q) {
  const std::string& m = q.municipality;
  if (auto s = CheckMunicipality(m); !s.ok()) return s;
  if (auto s = Require(!q.cohort_id.empty() && !q.referral_id.empty(),
                       "Enroll: cohort and referral required");
      !s.ok()) {
    return s;
  }
  if (auto s = CheckEvents({q.enrolled_event}); !s.ok()) return s;
  if (auto s = Register(m); !s.ok()) return s;
  absl::Time now = absl::Now();
  Args a(m, q.trigger_id, now);
  a.Add(q.cohort_id);
  a.Add(q.referral_id);
  a.Add(MakeEnrollment(q.cohort_id, q.referral_id, q.citizen_id, now).SerializeAsString());
  a.Event(q.enrolled_event);
  auto reply = pool_.Eval(lua::Enroll(), WriteKeys(m), a.args());
  if (!reply.ok()) return reply.status();
  if (Code(*reply) == "dup") {
    EnrollResult result;
    result.outcome = EnrollResult::Outcome::kDuplicateTrigger;
    auto p = FindPlacement(m, q.referral_id);
    if (!p.ok()) return p.status();
    if (p->has_value()) {
      result.enrollment = (*p)->enrollment;
      result.waitlisted = (*p)->waitlisted;
    }
    return result;
  }
  return DecodeEnrollReply(*reply, "scheduling_enroll");
}

absl::StatusOr<EnrollResult> SchedulingStore::Place(const Placement& q) {
  const std::string& m = q.municipality;
  if (auto s = CheckMunicipality(m); !s.ok()) return s;
  if (auto s = Require(!q.program_id.empty() && !q.referral_id.empty(),
                       "Place: program and referral required");
      !s.ok()) {
    return s;
  }
  if (auto s = CheckEvents({q.waitlisted_event}); !s.ok()) return s;
  for (const auto& c : q.candidates) {
    if (c.cohort_id.empty()) return absl::InvalidArgumentError("a candidate lacks its cohort id");
    if (auto s = CheckEvents({c.enrolled_event}); !s.ok()) return s;
  }
  if (auto s = Register(m); !s.ok()) return s;
  absl::Time now = absl::Now();
  Args a(m, q.trigger_id, now);
  a.Add(q.program_id);
  a.Add(q.referral_id);
  v1::WaitlistEntry entry;
  entry.set_program_id(q.program_id);
  entry.set_referral_id(q.referral_id);
  entry.set_citizen_id(q.citizen_id);
  *entry.mutable_accepted_at() =
      ToTimestamp(absl::ToUnixMicros(q.accepted_at == absl::InfinitePast() ? now : q.accepted_at));
  a.Add(entry.SerializeAsString());
  a.Event(q.waitlisted_event);
  a.Int(q.candidates.size());
  for (const auto& c : q.candidates) {
    a.Add(c.cohort_id);
    a.Add(c.first_day);
    a.Add(MakeEnrollment(c.cohort_id, q.referral_id, q.citizen_id, now, q.accepted_at)
              .SerializeAsString());
    a.Event(c.enrolled_event);
  }
  auto reply = pool_.Eval(lua::Place(), WriteKeys(m), a.args());
  if (!reply.ok()) return reply.status();
  if (Code(*reply) == "dup") {
    EnrollResult result;
    result.outcome = EnrollResult::Outcome::kDuplicateTrigger;
    auto p = FindPlacement(m, q.referral_id);
    if (!p.ok()) return p.status();
    if (p->has_value()) {
      result.enrollment = (*p)->enrollment;
      result.waitlisted = (*p)->waitlisted;
    }
    return result;
  }
  return DecodeEnrollReply(*reply, "scheduling_place");
}

absl::StatusOr<UnenrollResult> SchedulingStore::Unenroll(const Unenrolment& q) {
  const std::string& m = q.municipality;
  if (auto s = CheckMunicipality(m); !s.ok()) return s;
  if (auto s = Require(!q.cohort_id.empty() && !q.referral_id.empty(),
                       "Unenroll: cohort and referral required");
      !s.ok()) {
    return s;
  }
  if (auto s = CheckEvents(q.events); !s.ok()) return s;
  if (q.waitlist_head.has_value()) {
    if (auto s = CheckSeats({*q.waitlist_head}); !s.ok()) return s;
  }
  if (auto s = Register(m); !s.ok()) return s;
  absl::Time now = absl::Now();
  Args a(m, q.trigger_id, now);
  a.Add(q.cohort_id);
  a.Add(q.referral_id);
  a.Events(q.events);
  if (q.waitlist_head.has_value()) {
    a.Add("1");
    a.Seat(q.cohort_id, *q.waitlist_head, now);
  } else {
    a.Add("0");
  }
  auto reply = pool_.Eval(lua::Unenroll(), WriteKeys(m), a.args());
  if (!reply.ok()) return reply.status();
  std::string code = Code(*reply);
  UnenrollResult result;
  if (code == "dup") {
    result.outcome = UnenrollResult::Outcome::kDuplicateTrigger;
    return result;
  }
  if (code != "ok") return ScriptError(*reply, "scheduling_unenroll");
  if (!reply->element(1).str().empty()) {
    auto e = DecodeEnrollment(reply->element(1));
    if (!e.ok()) return e.status();
    result.seat_given_to = *std::move(e);
  }
  return result;
}

absl::StatusOr<std::vector<v1::Enrollment>> SchedulingStore::FillFromWaitlist(
    const WaitlistFill& q) {
  const std::string& m = q.municipality;
  if (auto s = CheckMunicipality(m); !s.ok()) return s;
  if (auto s = Require(!q.cohort_id.empty(), "cohort id required"); !s.ok()) return s;
  if (auto s = CheckSeats(q.heads); !s.ok()) return s;
  if (auto s = Register(m); !s.ok()) return s;
  absl::Time now = absl::Now();
  Args a(m, q.trigger_id, now);
  a.Add(q.cohort_id);
  a.Seats(q.cohort_id, q.heads, now);
  auto reply = pool_.Eval(lua::Fill(), WriteKeys(m), a.args());
  if (!reply.ok()) return reply.status();
  std::string code = Code(*reply);
  std::vector<v1::Enrollment> out;
  if (code == "dup") return out;
  if (code != "ok") return ScriptError(*reply, "scheduling_fill");
  for (size_t i = 1; i < reply->size(); ++i) {
    auto e = DecodeEnrollment(reply->element(i));
    if (!e.ok()) return e.status();
    out.push_back(*std::move(e));
  }
  return out;
}

absl::Status SchedulingStore::LeaveWaitlist(const WaitlistLeave& q) {
  const std::string& m = q.municipality;
  if (auto s = CheckMunicipality(m); !s.ok()) return s;
  if (auto s = Require(!q.program_id.empty() && !q.referral_id.empty(),
                       "LeaveWaitlist: program and referral required");
      !s.ok()) {
    return s;
  }
  if (auto s = CheckEvents(q.events); !s.ok()) return s;
  if (auto s = Register(m); !s.ok()) return s;
  Args a(m, q.trigger_id, absl::Now());
  a.Add(q.program_id);
  a.Add(q.referral_id);
  a.Events(q.events);
  auto reply = pool_.Eval(lua::Leave(), WriteKeys(m), a.args());
  if (!reply.ok()) return reply.status();
  std::string code = Code(*reply);
  if (code == "ok" || code == "dup") return absl::OkStatus();
  return ScriptError(*reply, "scheduling_leave");
}

absl::StatusOr<std::vector<v1::WaitlistEntry>> SchedulingStore::GetWaitlist(
    absl::string_view municipality, absl::string_view program_id) {
  if (auto s = CheckMunicipality(municipality); !s.ok()) return s;
  auto reply = pool_.Eval(lua::Waitlist(), {}, {Prefix(municipality), std::string(program_id)});
  if (!reply.ok()) return reply.status();
  std::vector<v1::WaitlistEntry> out;
  for (size_t i = 0; i + 2 <= reply->size(); i += 2) {
    auto w = DecodeWaitlistEntry(*reply, i, static_cast<int>(i / 2 + 1));
    if (!w.ok()) return w.status();
    out.push_back(*std::move(w));
  }
  return out;
}

absl::StatusOr<std::vector<v1::Enrollment>> SchedulingStore::ListEnrollments(
    absl::string_view municipality, absl::string_view cohort_id) {
  if (auto s = CheckMunicipality(municipality); !s.ok()) return s;
  auto reply = pool_.Eval(lua::Enrollments(), {}, {Prefix(municipality), std::string(cohort_id)});
  if (!reply.ok()) return reply.status();
  if (Code(*reply) != "ok") return absl::NotFoundError(absl::StrCat("cohort ", cohort_id));
  std::vector<v1::Enrollment> out;
  for (size_t i = 1; i < reply->size(); ++i) {
    auto e = DecodeEnrollment(reply->element(i));
    if (!e.ok()) return e.status();
    out.push_back(*std::move(e));
  }
  std::sort(out.begin(), out.end(), [](const v1::Enrollment& a, const v1::Enrollment& b) {
    int64_t ta = Micros(a.enrolled_at()), tb = Micros(b.enrolled_at());
    return ta != tb ? ta < tb : a.referral_id() < b.referral_id();
  });
  return out;
}

absl::StatusOr<std::optional<ReferralPlacement>> SchedulingStore::FindPlacement(
    absl::string_view municipality, absl::string_view referral_id) {
  if (auto s = CheckMunicipality(municipality); !s.ok()) return s;
  auto reply = pool_.Eval(lua::Placement(), {}, {Prefix(municipality), std::string(referral_id)});
  if (!reply.ok()) return reply.status();
  if (reply->size() < 2) return std::optional<ReferralPlacement>();
  ReferralPlacement p;
  p.program_id = reply->element(0).string();
  std::string kind = reply->element(1).string();
  if (kind == "e") {
    auto e = DecodeEnrollment(reply->element(3));
    if (!e.ok()) return e.status();
    p.enrollment = *std::move(e);
  } else if (kind == "w") {
    v1::WaitlistEntry w;
    if (!Parse(w, reply->element(2)))
      return absl::DataLossError("a waitlist entry does not decode");
    w.set_position(static_cast<int32_t>(Int(reply->element(3))));
    *w.mutable_waitlisted_at() = ToTimestamp(Int(reply->element(4)));
    p.waitlisted = std::move(w);
  } else {
    return std::optional<ReferralPlacement>();
  }
  return std::optional<ReferralPlacement>(std::move(p));
}

}  // namespace kpr::scheduling
