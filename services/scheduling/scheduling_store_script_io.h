#ifndef KPR_SERVICES_SCHEDULING_SCHEDULING_STORE_SCRIPT_IO_H_
#define KPR_SERVICES_SCHEDULING_SCHEDULING_STORE_SCRIPT_IO_H_

// How SchedulingStore talks to its Lua scripts (internal to the store): the checks its calls
// share, the argument lists the write scripts read, and the rows and error codes the scripts
// answer (layouts in scheduling_store_lua.cc).

#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "google/protobuf/timestamp.pb.h"
#include "kpr/scheduling/v1/scheduling.pb.h"
#include "libs/store/redis_pool.h"
#include "libs/store/redis_reply.h"
#include "libs/timer/timer_store.h"
#include "services/scheduling/scheduling_keys.h"
#include "services/scheduling/scheduling_store.h"

namespace kpr::scheduling::script_io {

// Elements of a cohort row and of a session row in a script's reply.
inline constexpr size_t kCohortRow = 9;  // see scheduling_store_lua.cc
inline constexpr size_t kSessionRow = 4;

// "kpr:{m}:scheduling:" (keys::Prefix).
std::string Prefix(absl::string_view m);

absl::Status CheckMunicipality(absl::string_view m);
// INVALID_ARGUMENT with `what` unless ok.
absl::Status Require(bool ok, absl::string_view what);
absl::Status CheckEvents(const std::vector<OutboxEvent>& events);
absl::Status CheckTimers(absl::string_view m, const std::vector<timer::Timer>& timers);
absl::Status CheckSeats(const std::vector<WaitlistSeat>& seats);

// Days since 1970-01-01 (the "dn" of the keys); INVALID_ARGUMENT unless an ISO day.
absl::StatusOr<int64_t> DayNumber(absl::string_view day);
int64_t DayNumber(absl::CivilDay d);

google::protobuf::Timestamp ToTimestamp(int64_t unix_micros);
int64_t Micros(const google::protobuf::Timestamp& ts);

// `accepted_at`: when the referral was accepted (InfinitePast: unknown, then `now`); a cancelled
// cohort's participants are placed again in that order.
v1::Enrollment MakeEnrollment(absl::string_view cohort_id, absl::string_view referral_id,
                              absl::string_view citizen_id, absl::Time now,
                              absl::Time accepted_at = absl::InfinitePast());

// Arguments and keys of a write script: ARGV (now ms, trigger id) and KEYS keys::WriteKeys(m),
// each followed by the script's own. Copyable: a call that reads before it writes copies the
// fixed part into each attempt.
class Args {
 public:
  Args(absl::string_view m, absl::string_view trigger, absl::Time now) : keys_(keys::WriteKeys(m)) {
    v_ = {std::to_string(absl::ToUnixMillis(now)), std::string(trigger)};
  }
  void Key(std::string k) { keys_.push_back(std::move(k)); }
  void Keys(const std::vector<std::string>& ks) { keys_.insert(keys_.end(), ks.begin(), ks.end()); }
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
  const std::vector<std::string>& keys() const { return keys_; }
  store::RedisPool::ScriptCall Call(const store::Script& script) const {
    return {&script, keys_, v_};
  }

 private:
  std::vector<std::string> keys_;
  std::vector<std::string> v_;
};

// Session record as the write scripts read it (read_session): its arguments only.
absl::Status AddSession(Args& a, const v1::Session& s, absl::string_view m,
                        absl::string_view cohort_id, bool with_version);
// The keys read_session takes for `s`: its s: key and those of its new place.
void AddSessionKeys(Args& a, const v1::Session& s, absl::string_view m);

// ---- Reading what a script will touch (see scheduling_store_lua.h) ----

// A script call built from what the store read first; nullopt: nothing to run (the answer is
// then a nil reply).
using Prepared = absl::StatusOr<std::optional<store::RedisPool::ScriptCall>>;
// Reads with `prepare` and runs the call it builds, again while the script answers "stale":
// what was read changed before the script ran. ABORTED after kMaxConflictAttempts.
absl::StatusOr<store::RedisReply> UntilFresh(store::RedisPool& pool,
                                             const std::function<Prepared()>& prepare);
// Tests: runs `hook` between the reads and the script of every UntilFresh (nullptr: none), to
// change what was read in between.
void SetBetweenReadAndWriteForTesting(std::function<void()> hook);

// Pipelined reads; a Redis error reply to any of them fails the call.
absl::StatusOr<std::vector<store::RedisReply>> Read(
    store::RedisPool& pool, const std::vector<std::vector<std::string>>& commands);
// The cohort's program ("" when the cohort does not exist).
absl::StatusOr<std::string> CohortProgram(store::RedisPool& pool, absl::string_view m,
                                          absl::string_view cohort_id);
// The cohort the referral is enrolled in for the program ("" none).
absl::StatusOr<std::string> EnrolledCohort(store::RedisPool& pool, absl::string_view m,
                                           absl::string_view program_id,
                                           absl::string_view referral_id);
// The cohort's program as read (ARGV), then the cohort's and the program's keys (KEYS).
void AddCohortAndProgram(Args& a, absl::string_view m, absl::string_view cohort_id,
                         const std::string& program_id);

// Fills in the cohort of each booked session in a "conflict" reply's conflicts (the script
// marks them '*': their cohort sits in a key it did not declare).
absl::Status ResolveBookedCohorts(store::RedisPool& pool, absl::string_view m,
                                  std::vector<BookingConflict>& conflicts);

// A reply element as a number: an integer reply, or a decimal string.
int64_t Int(const store::RedisReply& r);

template <typename T>
bool Parse(T& msg, const store::RedisReply& r) {
  absl::string_view b = r.str();
  return msg.ParseFromArray(b.data(), static_cast<int>(b.size()));
}

// Cohort row at `at`; its store-owned fields filled in.
absl::StatusOr<v1::Cohort> DecodeCohort(const store::RedisReply& r, size_t at);
// Session row at `at`; its store-owned fields filled in.
absl::StatusOr<v1::Session> DecodeSession(const store::RedisReply& r, size_t at);
absl::StatusOr<std::vector<v1::Session>> DecodeSessions(const store::RedisReply& r, size_t at,
                                                        size_t count);
absl::StatusOr<v1::Enrollment> DecodeEnrollment(const store::RedisReply& r);
// (entry pb, position, waitlisted_at us) at `at`.
absl::StatusOr<v1::WaitlistEntry> DecodeWaitlistEntry(const store::RedisReply& r, size_t at,
                                                      int position);
// The conflicts of a "conflict" reply, 8 elements each from `at`.
std::vector<BookingConflict> DecodeConflicts(const store::RedisReply& r, size_t at);

// The reply's code (its first element); "" when there is none.
std::string Code(const store::RedisReply& r);
// The error of a script reply {code, message}.
absl::Status ScriptError(const store::RedisReply& r, absl::string_view script);

}  // namespace kpr::scheduling::script_io

#endif  // KPR_SERVICES_SCHEDULING_SCHEDULING_STORE_SCRIPT_IO_H_
