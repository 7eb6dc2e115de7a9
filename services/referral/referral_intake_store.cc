// ReferralStore::StoreIntake: an intake batch in one Redis pipeline (referral_store.h).

#include <map>

#include "absl/container/flat_hash_map.h"
#include "services/referral/referral_store.h"

namespace kpr::referral {
namespace {

const std::string& MunicipalityOf(const IntakeWrite& write) {
  if (const auto* referral = std::get_if<const NewReferral*>(&write)) {
    return (*referral)->stored.referral().municipality();
  }
  return std::get<const IntakeRejection*>(write)->municipality;
}

}  // namespace

absl::StatusOr<std::vector<IntakeStored>> ReferralStore::ParseSubmitReply(
    const store::RedisReply& reply, const std::vector<const NewReferral*>& batch) {
  if (!reply.is_array() || reply.size() != batch.size()) {
    return absl::InternalError("referral_submit: unexpected reply");
  }
  std::vector<IntakeStored> results(batch.size());
  for (size_t i = 0; i < batch.size(); ++i) {
    store::RedisReply r = reply.element(i);
    if (r.is_array()) {
      if (r.size() != batch[i]->events.size()) {
        return absl::InternalError("referral_submit: unexpected reply");
      }
      results[i].is_new = true;
      results[i].id = batch[i]->stored.referral().id();
      results[i].outbox_ids.reserve(r.size());
      for (size_t e = 0; e < r.size(); ++e) results[i].outbox_ids.push_back(r.element(e).string());
    } else if (r.is_string()) {
      results[i].id = r.string();
    } else {
      return absl::InternalError("referral_submit: unexpected reply");
    }
  }
  return results;
}

std::vector<absl::StatusOr<IntakeStored>> ReferralStore::StoreIntake(
    const std::vector<IntakeWrite>& writes) {
  std::vector<absl::StatusOr<IntakeStored>> out(writes.size(),
                                                absl::InternalError("referral intake: not stored"));
  // The relay finds municipalities through their registration: register before writing. A
  // municipality that cannot be registered fails its writes only.
  absl::flat_hash_map<std::string, absl::Status> registered;
  std::vector<size_t> rejections;
  std::map<std::string, std::vector<size_t>> referrals_by_municipality;
  for (size_t i = 0; i < writes.size(); ++i) {
    const std::string& m = MunicipalityOf(writes[i]);
    auto [it, first] = registered.try_emplace(m);
    if (first) it->second = RegisterOutbox(m);
    if (!it->second.ok()) {
      out[i] = it->second;
    } else if (std::holds_alternative<const IntakeRejection*>(writes[i])) {
      rejections.push_back(i);
    } else {
      referrals_by_municipality[m].push_back(i);
    }
  }

  std::vector<store::RedisPool::ScriptCall> calls;
  for (size_t i : rejections) {
    calls.push_back(RejectCall(*std::get<const IntakeRejection*>(writes[i])));
  }
  std::vector<std::vector<const NewReferral*>> batches;
  std::vector<const std::vector<size_t>*> batch_writes;
  for (const auto& [m, items] : referrals_by_municipality) {
    std::vector<const NewReferral*> batch;
    batch.reserve(items.size());
    for (size_t i : items) batch.push_back(std::get<const NewReferral*>(writes[i]));
    calls.push_back(SubmitCall(batch));
    batches.push_back(std::move(batch));
    batch_writes.push_back(&items);
  }
  if (calls.empty()) return out;

  auto results = pool_.EvalPipeline(calls);
  if (!results.ok()) {
    for (size_t i : rejections) out[i] = results.status();
    for (const auto* items : batch_writes) {
      for (size_t i : *items) out[i] = results.status();
    }
    return out;
  }
  for (size_t c = 0; c < rejections.size(); ++c) {
    const auto& result = (*results)[c];
    if (result.ok()) {
      out[rejections[c]] = IntakeStored{result->integer() == 1, "", {}};
    } else {
      out[rejections[c]] = result.status();
    }
  }
  for (size_t b = 0; b < batches.size(); ++b) {
    const auto& result = (*results)[rejections.size() + b];
    auto parsed = result.ok() ? ParseSubmitReply(*result, batches[b])
                              : absl::StatusOr<std::vector<IntakeStored>>(result.status());
    const std::vector<size_t>& items = *batch_writes[b];
    if (parsed.ok()) {
      for (size_t k = 0; k < items.size(); ++k) out[items[k]] = std::move((*parsed)[k]);
      continue;
    }
    // The script failed part-way: store the municipality's referrals one by one. Those stored
    // before the failure are found as known (de-duplication), their events left in the outbox.
    std::vector<store::RedisPool::ScriptCall> singles;
    for (const NewReferral* r : batches[b]) singles.push_back(SubmitCall({r}));
    auto single_results = pool_.EvalPipeline(singles);
    for (size_t k = 0; k < items.size(); ++k) {
      if (!single_results.ok()) {
        out[items[k]] = single_results.status();
        continue;
      }
      const auto& single = (*single_results)[k];
      if (!single.ok()) {
        out[items[k]] = single.status();
        continue;
      }
      auto one = ParseSubmitReply(*single, {batches[b][k]});
      out[items[k]] = one.ok() ? absl::StatusOr<IntakeStored>(std::move(one->front()))
                               : absl::StatusOr<IntakeStored>(one.status());
    }
  }
  return out;
}

absl::StatusOr<IntakeStored> ReferralStore::Submit(const NewReferral& referral) {
  return std::move(StoreIntake({&referral}).front());
}

}  // namespace kpr::referral
