#include "services/notify/notify_context.h"

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"

namespace kpr::notify {
namespace {
constexpr absl::string_view kSendPrefix = "send:";

std::string Aad(absl::string_view kind, absl::string_view delivery_id) {
  return absl::StrCat("kpr/notify/", kind, "/", delivery_id);
}

template <typename T>
absl::StatusOr<T> OpenAs(const privacy::SealedBox& box, absl::string_view sealed,
                         absl::string_view kind, const std::string& delivery_id) {
  T message;
  if (sealed.empty()) return message;
  absl::StatusOr<std::string> plain = box.Open(sealed, Aad(kind, delivery_id));
  if (!plain.ok()) return plain.status();
  if (!message.ParseFromString(*plain)) {
    return absl::DataLossError(
        absl::StrCat("delivery ", delivery_id, ": sealed ", kind, " does not decode"));
  }
  return message;
}

}  // namespace

std::string SendTimerId(absl::string_view delivery_id) {
  return absl::StrCat(kSendPrefix, delivery_id);
}

std::string DeliveryIdOfSendTimer(absl::string_view timer_id) {
  if (!absl::ConsumePrefix(&timer_id, kSendPrefix)) return "";
  return std::string(timer_id);
}

absl::StatusOr<std::string> NotifyContext::SealFacts(const std::string& delivery_id,
                                                     const v1::MessageFacts& facts) const {
  return box.Seal(facts.SerializeAsString(), Aad("facts", delivery_id));
}

absl::StatusOr<v1::MessageFacts> NotifyContext::OpenFacts(const v1::StoredDelivery& stored) const {
  return OpenAs<v1::MessageFacts>(box, stored.sealed_facts(), "facts",
                                  stored.delivery().delivery_id());
}

absl::StatusOr<std::string> NotifyContext::SealBody(const std::string& delivery_id,
                                                    const v1::RenderedBody& body) const {
  return box.Seal(body.SerializeAsString(), Aad("body", delivery_id));
}

absl::StatusOr<v1::RenderedBody> NotifyContext::OpenBody(const v1::StoredDelivery& stored) const {
  return OpenAs<v1::RenderedBody>(box, stored.sealed_body(), "body",
                                  stored.delivery().delivery_id());
}

void NotifyContext::Committed(bool events, bool timer_due_now) const {
  if (events && on_outbox_write) on_outbox_write();
  if (timer_due_now && on_timer_due) on_timer_due();
}

}  // namespace kpr::notify
