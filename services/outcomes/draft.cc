#include "services/outcomes/draft.h"

#include <algorithm>

#include "libs/bus/outbox_event.h"

namespace kpr::outcomes {

void WriteParticipant(Draft& draft, const std::string& m, const Participant& before,
                      v1::ParticipantRecord after, const OutcomePolicy& policy) {
  after.set_version(before.version + 1);
  OutcomeTally delta = ParticipantContribution(after, policy);
  if (before.version > 0) delta -= ParticipantContribution(before.record, policy);
  auto fields = NonZero(delta.ToFields());
  if (!fields.empty() && !after.cohort_id().empty()) {
    draft.change.tallies.push_back({CohortTallyKey(m, after.cohort_id()), std::move(fields)});
  }
  WriteSealed(draft, ParticipantKey(m, after.referral_id()), before.version,
              after.SerializeAsString());
}

void WriteSealed(Draft& draft, std::string key, int64_t expected_version, std::string plaintext) {
  auto& writes = draft.change.writes;
  writes.insert(writes.begin() + static_cast<std::ptrdiff_t>(draft.sealed),
                RecordWrite{std::move(key), expected_version, std::move(plaintext)});
  ++draft.sealed;
}

void WriteCohort(Draft& draft, const std::string& m, const Cohort& before, v1::CohortRecord after) {
  after.set_version(before.version + 1);
  draft.change.writes.push_back(
      {CohortKey(m, after.cohort_id()), before.version, after.SerializeAsString()});
}

void AddEvent(Draft& draft, const std::string& m, absl::string_view name, std::string id,
              const google::protobuf::Message& payload, absl::Time now,
              const identity::Caller* cause) {
  draft.change.events.push_back(bus::OutboxEvent::Make(std::move(id), "outcomes", name, m, payload,
                                                       now, cause ? *cause : identity::Caller()));
}

std::vector<std::pair<std::string, double>> NonZero(
    std::vector<std::pair<std::string, double>> fields) {
  fields.erase(
      std::remove_if(fields.begin(), fields.end(), [](const auto& f) { return f.second == 0; }),
      fields.end());
  return fields;
}

}  // namespace kpr::outcomes
