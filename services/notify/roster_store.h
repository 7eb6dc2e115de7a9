#ifndef KPR_SERVICES_NOTIFY_ROSTER_STORE_H_
#define KPR_SERVICES_NOTIFY_ROSTER_STORE_H_
// notify's own record of scheduling's cohorts, built from KPR_SCHEDULING events (notify never
// calls scheduling): each cohort's name and program, its sessions as calendar entries, and who is
// enrolled. Session facts do not list participants, so a moved or cancelled session finds whom
// to tell here; a reminder that fires finds the session as it is now.
//
// Key: kpr:{m}:notify:roster:<cohort id>, a HASH in m's hash slot:
//   "info"          "<program id>\t<cohort name>"
//   "s:<session>"   "<session version>:" + CalendarEntry   (an older version never overwrites)
//   "p:<referral>"  "1" while the referral is enrolled
// Every write is idempotent, so a redelivered event changes nothing.
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "kpr/notify/v1/records.pb.h"
#include "libs/store/redis_pool.h"

namespace kpr::notify {

struct Roster {
  std::string cohort_id;
  std::string program_id;
  std::string name;
  std::vector<v1::CalendarEntry> sessions;  // by start
  std::vector<std::string> participants;    // sorted
};

class RosterStore {
 public:
  explicit RosterStore(store::RedisPool& pool);

  // The cohort's program and name.
  absl::Status PutCohort(const std::string& m, const std::string& cohort_id,
                         const std::string& program_id, const std::string& name);
  // The sessions, each unless an entry of a later version is there.
  absl::Status PutSessions(const std::string& m, const std::string& cohort_id,
                           const std::vector<v1::CalendarEntry>& sessions);
  absl::Status AddParticipant(const std::string& m, const std::string& cohort_id,
                              const std::string& referral_id);
  absl::Status RemoveParticipant(const std::string& m, const std::string& cohort_id,
                                 const std::string& referral_id);
  // Empty when the cohort is unknown.
  absl::StatusOr<Roster> Get(const std::string& m, const std::string& cohort_id);

  // What a reminder needs, in one round trip whatever the cohort's size: the cohort's name, the
  // session (nullopt when unknown) and whether the referral is still enrolled.
  struct ReminderView {
    std::string name;
    std::optional<v1::CalendarEntry> session;
    bool enrolled = false;
  };
  absl::StatusOr<ReminderView> GetForReminder(const std::string& m, const std::string& cohort_id,
                                              const std::string& session_id,
                                              const std::string& referral_id);

 private:
  store::RedisPool& pool_;
};

}  // namespace kpr::notify

#endif  // KPR_SERVICES_NOTIFY_ROSTER_STORE_H_
