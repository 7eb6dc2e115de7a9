#include "services/referral/referral_context.h"

#include "absl/strings/str_cat.h"
#include "google/protobuf/util/time_util.h"
#include "services/referral/referral_id.h"

namespace kpr::referral {

using ::google::protobuf::util::TimeUtil;

google::protobuf::Timestamp Ts(absl::Time t) {
  return TimeUtil::MillisecondsToTimestamp(absl::ToUnixMillis(t));
}

absl::Time FromTs(const google::protobuf::Timestamp& ts) {
  return absl::FromUnixMillis(TimeUtil::TimestampToMilliseconds(ts));
}

absl::Status MalformedId() {
  return absl::InvalidArgumentError(
      "id: not a referral id (expected <municipality>-<26 characters>)");
}

absl::StatusOr<LoadedReferral> ReferralContext::Load(const std::string& id) const {
  std::string m = MunicipalityOfReferralId(id);
  if (m.empty()) return MalformedId();
  auto loaded = store.Get(m, id);
  if (!loaded.ok()) return loaded.status();
  if (!loaded->has_value()) return absl::NotFoundError(absl::StrCat("referral ", id, " not found"));
  return std::move(**loaded);
}

absl::StatusOr<v1::Contact> ReferralContext::OpenContact(const v1::StoredReferral& stored) const {
  auto opened = sealed_box.Open(stored.sealed_contact(), stored.referral().id());
  if (!opened.ok()) return absl::DataLossError("the referral's sealed contact does not open");
  v1::Contact contact;
  if (!contact.ParseFromString(*opened)) return absl::DataLossError("contact does not decode");
  return contact;
}

std::string ReferralContext::SealContact(const v1::Contact& contact,
                                         const std::string& referral_id) const {
  auto sealed = sealed_box.Seal(contact.SerializeAsString(), referral_id);
  // Sealing fails only if the system's random source does; never store the contact in clear.
  return sealed.ok() ? *sealed : std::string();
}

}  // namespace kpr::referral
