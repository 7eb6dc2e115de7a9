#ifndef KPR_SERVICES_SCHEDULING_SCHEDULING_STORE_SCRIPT_IO_H_
#define KPR_SERVICES_SCHEDULING_SCHEDULING_STORE_SCRIPT_IO_H_

// How SchedulingStore talks to its Lua scripts (internal to the store): the checks its calls
// share, the argument lists the write scripts read, and the rows and error codes the scripts
// answer (layouts in scheduling_store_lua.cc).

#include <cstddef>
#include <cstdint>
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
#include "libs/store/redis_reply.h"
#include "libs/timer/timer_store.h"
#include "services/scheduling/scheduling_store.h"

namespace kpr::scheduling::script_io {

// Elements of a cohort row and of a session row in a script's reply.
inline constexpr size_t kCohortRow = 9;  // see scheduling_store_lua.cc
inline constexpr size_t kSessionRow = 4;

// "kpr:{m}:scheduling:": the scripts build every other key from it.
std::string Prefix(absl::string_view m);
// KEYS of every write script: outbox, timers, timers:data.
std::vector<std::string> WriteKeys(absl::string_view m);

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

// Session record as the write scripts read it (read_session).
absl::Status AddSession(Args& a, const v1::Session& s, absl::string_view m,
                        absl::string_view cohort_id, bool with_version);

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
