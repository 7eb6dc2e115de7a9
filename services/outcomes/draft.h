#ifndef KPR_SERVICES_OUTCOMES_DRAFT_H_
#define KPR_SERVICES_OUTCOMES_DRAFT_H_

// A Draft is one commit as a decision describes it: everything a fact, a timer or a call writes
// (records, tally differences, index entries, events, timers), computed without I/O. The desk
// seals what holds personal data and hands the change to OutcomesStore::Commit as one script.
//
// Why facts are never counted twice: the tallies only ever change by (contribution after -
// contribution before) of a record whose version the commit checks, so a redelivered event or a
// timer fired twice finds the record already changed and adds nothing.

#include <cstddef>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "google/protobuf/message.h"
#include "kpr/outcomes/v1/records.pb.h"
#include "libs/identity/caller.h"
#include "services/outcomes/outcome_tally.h"
#include "services/outcomes/outcomes_store.h"
#include "services/outcomes/versioned_records.h"

namespace kpr::outcomes {

struct Draft {
  Change change;
  // change.writes[0, sealed) hold plaintext records to be sealed, bound to their key, before the
  // commit (participants, attendance: health data). The rest are written as they are.
  size_t sealed = 0;

  // Nothing to write and nothing to tell: no commit needed.
  bool empty() const { return change.writes.empty() && change.events.empty(); }
};

// Writes the participant at version before.version + 1 (sealed), and adds the difference the
// change makes to its cohort's tally.
void WriteParticipant(Draft& draft, const std::string& m, const Participant& before,
                      v1::ParticipantRecord after, const OutcomePolicy& policy);
// Writes `plaintext` at `key` (sealed) over the record read at `expected_version`.
void WriteSealed(Draft& draft, std::string key, int64_t expected_version, std::string plaintext);
// Writes the cohort at version before.version + 1.
void WriteCohort(Draft& draft, const std::string& m, const Cohort& before, v1::CohortRecord after);
// Appends the event kpr.outcomes.v1.<name>.<m> with the given id, which is also its Nats-Msg-Id:
// ids are stored formats, a redelivery must repeat them. `cause`: the call that made the change
// (its correlation id and trace go on the event), or null when a fact or a timer did.
void AddEvent(Draft& draft, const std::string& m, absl::string_view name, std::string id,
              const google::protobuf::Message& payload, absl::Time now,
              const identity::Caller* cause);

// The tally fields whose difference is not zero (a zero HINCRBYFLOAT would only cost time).
std::vector<std::pair<std::string, double>> NonZero(
    std::vector<std::pair<std::string, double>> fields);

}  // namespace kpr::outcomes

#endif  // KPR_SERVICES_OUTCOMES_DRAFT_H_
