#include "services/referral/referral_store.h"

#include <cstdlib>

#include "absl/strings/str_cat.h"
#include "google/protobuf/util/time_util.h"
#include "libs/store/keys.h"
#include "libs/store/outbox.h"
#include "services/referral/referral_lifecycle.h"
#include "services/referral/referral_record.h"
#include "services/referral/referral_scripts.h"

namespace kpr::referral {
namespace {

using ::google::protobuf::util::TimeUtil;
using store::Key;
using store::RedisReply;

std::string K(absl::string_view m, absl::string_view suffix) {
  return Key(m, kServiceName, suffix);
}

int64_t Millis(const google::protobuf::Timestamp& ts) {
  return TimeUtil::TimestampToMilliseconds(ts);
}

void AppendEvents(const std::vector<OutboxEvent>& events, std::vector<std::string>& args) {
  args.push_back(std::to_string(events.size()));
  for (const auto& e : events) {
    args.push_back(e.id);
    args.push_back(e.subject);
    args.push_back(e.data);
  }
}

}  // namespace

std::string ExternalKey(absl::string_view source_system, absl::string_view external_id) {
  return absl::StrCat(source_system, "\n", external_id);
}

ReferralStore::ReferralStore(store::RedisPool& pool) : pool_(pool), outbox_(pool, kServiceName) {}

store::RedisPool::ScriptCall ReferralStore::SubmitCall(
    const std::vector<const NewReferral*>& batch) const {
  const std::string& m = batch.front()->stored.referral().municipality();
  std::vector<std::string> keys = {K(m, "ext"), K(m, "updated"), K(m, "received"), K(m, "outbox")};
  std::vector<std::string> args = {std::to_string(batch.size())};
  keys.reserve(4 + 2 * batch.size());
  args.reserve(1 + 9 * batch.size());
  for (const NewReferral* n : batch) {
    const v1::Referral& r = n->stored.referral();
    const std::string& cw = r.referrer().caseworker_id();
    keys.push_back(K(m, absl::StrCat("r:", r.id())));
    keys.push_back(K(m, absl::StrCat("referrer:", cw)));
    args.push_back(ExternalKey(r.source_system(), r.external_id()));
    args.push_back(r.id());
    args.push_back(EncodeReferralRecord(1, FunnelStage(v1::REFERRAL_STATUS_RECEIVED), n->stored));
    args.push_back(std::to_string(Millis(r.received_at())));
    args.push_back(cw);
    AppendEvents(n->events, args);
  }
  return store::RedisPool::ScriptCall{&lua::Submit(), std::move(keys), std::move(args)};
}

store::RedisPool::ScriptCall ReferralStore::RejectCall(const IntakeRejection& rejection) const {
  const std::string& m = rejection.municipality;
  return store::RedisPool::ScriptCall{
      &lua::Reject(),
      {K(m, "rejected"), K(m, "outbox")},
      {rejection.key, rejection.event.id, rejection.event.subject, rejection.event.data}};
}

namespace {

absl::StatusOr<std::optional<LoadedReferral>> DecodeLoaded(const RedisReply& reply,
                                                           const std::string& id) {
  if (reply.is_nil()) return std::optional<LoadedReferral>();
  if (!reply.is_string()) {
    return absl::DataLossError(absl::StrCat("referral ", id, " is not a record"));
  }
  auto record = DecodeReferralRecord(reply.str());
  if (!record.ok()) {
    return absl::DataLossError(absl::StrCat("referral ", id, ": ", record.status().message()));
  }
  LoadedReferral loaded;
  loaded.stored = std::move(record->stored);
  loaded.version = record->version;
  return std::optional<LoadedReferral>(std::move(loaded));
}

}  // namespace

absl::StatusOr<std::optional<LoadedReferral>> ReferralStore::Get(const std::string& municipality,
                                                                 const std::string& id) {
  auto reply = pool_.Command({"GET", K(municipality, absl::StrCat("r:", id))});
  if (!reply.ok()) return reply.status();
  return DecodeLoaded(*reply, id);
}

absl::StatusOr<std::vector<std::optional<LoadedReferral>>> ReferralStore::GetMany(
    const std::string& municipality, const std::vector<std::string>& ids) {
  std::vector<std::optional<LoadedReferral>> out;
  if (ids.empty()) return out;
  std::vector<std::string> argv = {"MGET"};
  argv.reserve(1 + ids.size());
  for (const std::string& id : ids) argv.push_back(K(municipality, absl::StrCat("r:", id)));
  auto reply = pool_.Command(argv);
  if (!reply.ok()) return reply.status();
  if (!reply->is_array() || reply->size() != ids.size()) {
    return absl::InternalError("MGET: unexpected reply");
  }
  out.reserve(ids.size());
  for (size_t i = 0; i < ids.size(); ++i) {
    auto loaded = DecodeLoaded(reply->element(i), ids[i]);
    if (!loaded.ok()) return loaded.status();
    out.push_back(*std::move(loaded));
  }
  return out;
}

absl::StatusOr<UpdateResult> ReferralStore::Update(const v1::StoredReferral& updated,
                                                   int64_t expected_version, int reach,
                                                   const std::vector<OutboxEvent>& events) {
  const v1::Referral& r = updated.referral();
  const std::string& m = r.municipality();
  const std::string& cw = r.referrer().caseworker_id();
  if (auto s = RegisterOutbox(m); !s.ok()) return s;
  std::vector<std::string> keys = {K(m, absl::StrCat("r:", r.id())), K(m, "updated"),
                                   K(m, absl::StrCat("referrer:", cw)), K(m, "outbox")};
  std::vector<std::string> args = {std::to_string(expected_version),
                                   EncodeReferralRecord(expected_version + 1, reach, updated),
                                   std::to_string(Millis(r.updated_at())), cw};
  AppendEvents(events, args);
  auto reply = pool_.Eval(lua::Update(), keys, args);
  if (!reply.ok()) return reply.status();
  if (!reply->is_array() || reply->size() != 2) {
    return absl::InternalError("referral_update: unexpected reply");
  }
  int64_t code = reply->element(0).integer();
  if (code == -2) return absl::DataLossError(absl::StrCat("referral ", r.id(), " is not a record"));
  UpdateResult result{UpdateOutcome::kUpdated, reply->element(1).integer()};
  if (code == -1) result.outcome = UpdateOutcome::kNotFound;
  if (code == 0) result.outcome = UpdateOutcome::kVersionConflict;
  return result;
}

}  // namespace kpr::referral
