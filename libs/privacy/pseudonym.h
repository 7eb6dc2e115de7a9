#ifndef KPR_LIBS_PRIVACY_PSEUDONYM_H_
#define KPR_LIBS_PRIVACY_PSEUDONYM_H_

#include <memory>
#include <string>

#include "absl/strings/string_view.h"

namespace kpr::privacy {

// Keyed, deterministic pseudonyms (HMAC-SHA256). Without the key they cannot be reversed or
// recomputed, so they may appear in events, Redis keys and logs. Thread-safe; copies share one
// set of keyed HMAC contexts.
class Pseudonymizer {
 public:
  // `key`: DataKeys::pseudonym_key (32 bytes).
  explicit Pseudonymizer(std::string key);
  Pseudonymizer(const Pseudonymizer&) = default;
  Pseudonymizer& operator=(const Pseudonymizer&) = default;
  ~Pseudonymizer() = default;  // the last copy wipes the key

  // Lowercase hex of HMAC-SHA256(key, municipality + ":" + normalized_cpr), first 32
  // characters. Different per municipality. Pass NormalizeCpr's output.
  std::string CitizenId(absl::string_view municipality, absl::string_view normalized_cpr) const;

  // Same format, for other look-up keys: HMAC-SHA256(key, "keyed:" + domain + ":" + value).
  // `domain` is a fixed name such as "email" and must not contain ':'. Never equal to a
  // CitizenId (different input prefix).
  std::string Keyed(absl::string_view domain, absl::string_view value) const;

 private:
  struct MacState;  // the key and its prepared HMAC contexts

  std::string Mac(absl::string_view message) const;

  std::shared_ptr<MacState> state_;
};

}  // namespace kpr::privacy

#endif  // KPR_LIBS_PRIVACY_PSEUDONYM_H_
