#ifndef KPR_SERVICES_NOTIFY_SETTINGS_STORE_H_
#define KPR_SERVICES_NOTIFY_SETTINGS_STORE_H_
// What notify's staff set, in Redis: message templates, a citizen's channel preferences, the
// reminder offsets per program, and the municipality's coordinator address. Each is a versioned
// record ("<version>:" + the proto's bytes); saving checks the version the caller read
// (optimistic concurrency, ABORTED on a conflict), so two coordinators editing one template do
// not silently overwrite each other. Every Put* stamps updated_at with the store's clock. None
// holds a citizen's contact point. Only municipality codes are checked here (INVALID_ARGUMENT);
// the desks validate the rest.
//
// Keys (m = municipality), all in m's hash slot:
//   kpr:{m}:notify:tpl:<trigger number>:<language number>   Template
//   kpr:{m}:notify:tpls                                     set of "<trigger>:<language>" saved
//   kpr:{m}:notify:pref:<referral id>                       Preferences
//   kpr:{m}:notify:offsets:<program id, or "*" for m's default>   ReminderOffsets
//   kpr:{m}:notify:coordinator                              CoordinatorContact
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "kpr/notify/v1/notify.pb.h"
#include "libs/store/redis_pool.h"

namespace kpr::notify {

class SettingsStore {
 public:
  // `pool` must outlive the store. updated_at is absl::Now() on save.
  explicit SettingsStore(store::RedisPool& pool);
  // The same, with updated_at taken from `clock` (the service's injected clock).
  SettingsStore(store::RedisPool& pool, std::function<absl::Time()> clock);

  // The municipality's saved template (its version set), or nullopt when it saved none.
  absl::StatusOr<std::optional<v1::Template>> GetTemplate(const std::string& m, v1::Trigger trigger,
                                                          v1::Language language);
  // The template a message uses: the saved one, else the shipped default (version 0).
  // LANGUAGE_UNSPECIFIED reads as Danish.
  absl::StatusOr<v1::Template> TemplateFor(const std::string& m, v1::Trigger trigger,
                                           v1::Language language);
  // Saves `t` if its stored version is still `expected_version` (0: none saved yet); returns it
  // as stored (version expected_version + 1). ABORTED on a conflict. The caller validated it.
  absl::StatusOr<v1::Template> PutTemplate(const v1::Template& t, int64_t expected_version);
  // Every template the municipality saved, by trigger then language.
  absl::StatusOr<std::vector<v1::Template>> ListSavedTemplates(const std::string& m);

  // A referral's preferences; version 0 (nothing opted out) when never set.
  absl::StatusOr<v1::Preferences> GetPreferences(const std::string& m,
                                                 const std::string& referral_id);
  // Many at once (one MGET), in the order of `referral_ids`.
  absl::StatusOr<std::vector<v1::Preferences>> GetManyPreferences(
      const std::string& m, const std::vector<std::string>& referral_ids);
  absl::StatusOr<v1::Preferences> PutPreferences(const std::string& m, const v1::Preferences& p,
                                                 int64_t expected_version);

  // The offsets saved for (m, program), or nullopt. program_id "" is m's default.
  absl::StatusOr<std::optional<v1::ReminderOffsets>> GetReminderOffsets(
      const std::string& m, const std::string& program_id);
  // The offsets reminders use: the program's, else m's default, else DefaultReminderOffsets();
  // longest first. A saved empty list means no reminders (it does not fall back).
  absl::StatusOr<std::vector<absl::Duration>> OffsetsFor(const std::string& m,
                                                         const std::string& program_id);
  absl::StatusOr<v1::ReminderOffsets> PutReminderOffsets(const v1::ReminderOffsets& offsets,
                                                         int64_t expected_version);

  // The coordinator address; version 0 and empty e-mail when none is set.
  absl::StatusOr<v1::CoordinatorContact> GetCoordinatorContact(const std::string& m);
  absl::StatusOr<v1::CoordinatorContact> PutCoordinatorContact(const v1::CoordinatorContact& c,
                                                               int64_t expected_version);

 private:
  store::RedisPool& pool_;
  std::function<absl::Time()> clock_;
};

}  // namespace kpr::notify

#endif  // KPR_SERVICES_NOTIFY_SETTINGS_STORE_H_
