#ifndef KPR_TESTS_SUPPORT_NOTIFY_BURST_H_
#define KPR_TESTS_SUPPORT_NOTIFY_BURST_H_

// A burst of session reminders for kpr-notify, shared by the crash test and the morning-burst
// benchmark: synthetic citizens (never real people) submitted to kpr-referral, notify's roster of
// their cohorts, and one reminder timer each, written with notify's own stores as scheduling's
// events would have left them. Then kpr-notify runs as a child process against the harness's
// servers, the SMS gateway simulator and the SMTP sink, and the deliveries are tallied.

#include <map>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "kpr/notify/v1/notify.pb.h"
#include "libs/store/redis_pool.h"
#include "libs/timer/timer_store.h"
#include "services/notify/delivery_store.h"
#include "services/notify/roster_store.h"

namespace kpr::testing {

inline constexpr char kBurstMunicipality[] = "0165";

// notify's own stores on the harness's Redis, as the test or benchmark writes and reads them.
struct NotifyStores {
  NotifyStores();
  store::RedisPool pool;
  notify::RosterStore roster;
  notify::DeliveryStore deliveries;
  timer::TimerStore timers;
};

struct BurstCitizen {
  std::string referral_id;
  bool prefers_email = false;
};

// Submits citizens 0 .. count-1 (SyntheticSubmission) to kpr-referral at `referral_addr` from
// `threads` callers at once; every `email_every`-th citizen (n % email_every == 0) prefers
// e-mail, the others SMS (0: all SMS). In citizen order.
absl::StatusOr<std::vector<BurstCitizen>> SubmitBurstCitizens(const std::string& referral_addr,
                                                              const std::string& jwt_secret,
                                                              int count, int email_every,
                                                              int threads = 8);

// Puts the citizens in notify's roster, `cohort_size` to a cohort, each cohort with one session
// starting at `session_start` (whole seconds), and returns one reminder timer per citizen due at
// `due` (offset: session_start - due, in whole minutes).
absl::StatusOr<std::vector<timer::Timer>> SeedBurstRoster(notify::RosterStore& roster,
                                                          const std::vector<BurstCitizen>& citizens,
                                                          absl::Time session_start, absl::Time due,
                                                          int cohort_size = 20);

// TimerStore::ScheduleMany in batches of `batch` (one pipelined round trip each).
absl::Status ScheduleInBatches(timer::TimerStore& timers, const std::vector<timer::Timer>& all,
                               size_t batch = 5000);

// The settings of a kpr-notify child process (ServiceProcess "notify") sending SMS to the
// gateway at `sms_url` (its token written to a file under Servers::Dir()) and e-mail to the
// harness's SMTP sink, with quiet hours off (the burst must go at any hour). `sms_rate`:
// KPR_SMS_RATE (0 unlimited). `extra` is added last.
std::map<std::string, std::string> NotifyProcessEnv(const std::string& referral_addr,
                                                    const std::string& sms_url, int sms_rate,
                                                    std::map<std::string, std::string> extra = {});

// The municipality's deliveries by status, and what they went out as.
struct DeliveryTally {
  std::map<notify::v1::DeliveryStatus, int> by_status;
  int sms = 0;                        // SENT or DELIVERED by SMS
  int email = 0;                      // SENT or DELIVERED by e-mail
  int possibly_duplicated_email = 0;  // resent after an unknown outcome (SMTP has no key)
  int possibly_duplicated_sms = 0;
  int Count(notify::v1::DeliveryStatus s) const {
    auto it = by_status.find(s);
    return it == by_status.end() ? 0 : it->second;
  }
  int total() const;
};
absl::StatusOr<DeliveryTally> TallyDeliveries(notify::DeliveryStore& deliveries,
                                              const std::string& municipality);

// used_memory from Redis's INFO memory.
absl::StatusOr<int64_t> RedisUsedMemory(store::RedisPool& pool);

}  // namespace kpr::testing

#endif  // KPR_TESTS_SUPPORT_NOTIFY_BURST_H_
