#include "services/notify/suppression_list.h"

#include <optional>
#include <utility>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "services/notify/contact_mask.h"

namespace kpr::notify {

std::string NormalizeMsisdn(absl::string_view phone) {
  // The same reading as the masked contact point, so a number the delivery shows as "+45 ** **
  // 12 34" is the number STOP suppresses, however it was spelled.
  std::optional<PhoneDigits> read = ReadPhone(phone);
  return read ? std::move(read->digits) : std::string();
}

SuppressionList::SuppressionList(store::RedisPool& pool, std::string pseudonym_key)
    : pool_(pool), hasher_(std::move(pseudonym_key)) {}

std::string SuppressionList::HashOf(absl::string_view phone) const {
  const std::string msisdn = NormalizeMsisdn(phone);
  if (msisdn.empty()) return "";
  return hasher_.Keyed("msisdn", msisdn);  // already lower-case hex
}

absl::Status SuppressionList::Suppress(absl::string_view phone) {
  const std::string hash = HashOf(phone);
  // Never echo the value: it is a citizen's phone number.
  if (hash.empty()) return absl::InvalidArgumentError("phone: not a phone number");
  auto reply = pool_.Command({"SADD", kSuppressionListKey, hash});
  return reply.ok() ? absl::OkStatus() : reply.status();
}

absl::StatusOr<std::vector<bool>> SuppressionList::AreSuppressed(
    const std::vector<std::string>& phones) {
  std::vector<bool> out(phones.size(), false);
  // Only well-formed numbers are asked about; `asked[k]` is the index in `phones` of the k-th.
  std::vector<std::string> command = {"SMISMEMBER", kSuppressionListKey};
  std::vector<size_t> asked;
  for (size_t i = 0; i < phones.size(); ++i) {
    std::string hash = HashOf(phones[i]);
    if (hash.empty()) continue;
    command.push_back(std::move(hash));
    asked.push_back(i);
  }
  if (asked.empty()) return out;
  auto reply = pool_.Command(command);
  if (!reply.ok()) return reply.status();
  if (!reply->is_array() || reply->size() != asked.size()) {
    return absl::InternalError(
        absl::StrCat("SMISMEMBER answered ", reply->size(), " flags for ", asked.size()));
  }
  for (size_t k = 0; k < asked.size(); ++k) out[asked[k]] = reply->element(k).integer() == 1;
  return out;
}

}  // namespace kpr::notify
