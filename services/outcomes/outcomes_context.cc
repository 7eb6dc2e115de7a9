#include "services/outcomes/outcomes_context.h"

#include <utility>

#include "absl/strings/str_cat.h"

namespace kpr::outcomes {

OutcomesContext::OutcomesContext(OutcomesStore& store, privacy::AuditTrail& audit,
                                 std::string encryption_key, std::function<void()> on_outbox_write,
                                 OutcomesOptions options)
    : store(store),
      audit(audit),
      box(std::move(encryption_key)),
      on_outbox_write(std::move(on_outbox_write)),
      options(std::move(options)) {}

absl::StatusOr<Cohort> OutcomesContext::LoadCohort(const std::string& m,
                                                   const std::string& cohort_id) const {
  auto read = store.Read(m, {CohortKey(m, cohort_id)});
  if (!read.ok()) return read.status();
  return ParseCohort((*read)[0], cohort_id);
}

absl::StatusOr<Cohort> OutcomesContext::LoadKnownCohort(const std::string& m,
                                                        const std::string& cohort_id) const {
  auto cohort = LoadCohort(m, cohort_id);
  if (cohort.ok() && cohort->version == 0)
    return absl::NotFoundError(absl::StrCat("cohort ", cohort_id, " is not known"));
  return cohort;
}

absl::StatusOr<std::vector<Participant>> OutcomesContext::LoadParticipants(
    const std::string& m, const std::vector<std::string>& referral_ids) const {
  std::vector<std::string> keys;
  keys.reserve(referral_ids.size());
  for (const std::string& id : referral_ids) keys.push_back(ParticipantKey(m, id));
  auto read = store.Read(m, keys);
  if (!read.ok()) return read.status();
  std::vector<Participant> out(referral_ids.size());
  for (size_t i = 0; i < keys.size(); ++i) {
    if (!(*read)[i]) continue;
    out[i].version = (*read)[i]->version;
    auto plain = Open((*read)[i]->data, keys[i]);
    if (!plain.ok()) return plain.status();
    if (!out[i].record.ParseFromString(*plain)) {
      return absl::DataLossError(
          absl::StrCat("participant record ", referral_ids[i], " does not decode"));
    }
  }
  return out;
}

absl::StatusOr<std::string> OutcomesContext::Open(const std::string& sealed,
                                                  const std::string& key) const {
  return box.Open(sealed, key);
}

absl::Status OutcomesContext::Commit(const std::string& m, Draft draft) const {
  for (size_t i = 0; i < draft.sealed; ++i) {
    RecordWrite& w = draft.change.writes[i];
    auto sealed = box.Seal(w.data, w.key);
    if (!sealed.ok()) return sealed.status();
    w.data = *std::move(sealed);
  }
  auto result = store.Commit(m, draft.change);
  if (!result.ok()) return result.status();
  if (*result == CommitResult::kApplied && !draft.change.events.empty() && on_outbox_write)
    on_outbox_write();
  return absl::OkStatus();
}

absl::Status OutcomesContext::Audit(const std::string& m, const identity::Caller& caller,
                                    const std::string& action,
                                    const std::string& referral_id) const {
  return audit.Record(privacy::ReadBy(caller, m, action, referral_id));
}

}  // namespace kpr::outcomes
