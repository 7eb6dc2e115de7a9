#ifndef KPR_SERVICES_OUTCOMES_OUTCOMES_DESK_H_
#define KPR_SERVICES_OUTCOMES_OUTCOMES_DESK_H_

// The outcomes service's application layer: every RPC, every fact from scheduling and referral,
// and every timer goes through here. Each one reads the records it needs, decides with the pure
// rules (instruments, attendance_rules, questionnaire_schedule, outcome_tally, outcome_report),
// and writes everything it changes with one OutcomesStore::Commit — the records, the difference
// it makes to the report tallies, the events and the next timers — retrying when a concurrent
// change got there first (ABORTED).
//
// Why facts are never counted twice: the tallies only ever change by (contribution after -
// contribution before) of a record whose version was checked, and each event's id is marked
// applied in the same script. A redelivered event, a retried RPC or a timer fired twice finds the
// record already changed and adds nothing.
//
// Participant records hold health answers: they are sealed (AES-GCM, bound to their key) before
// they reach Redis, and never logged. Reading answers (GetQuestionnaires) and replacing one are
// written to the audit trail first.

#include <functional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "kpr/common/v1/event.pb.h"
#include "kpr/outcomes/v1/outcomes_service.pb.h"
#include "kpr/outcomes/v1/records.pb.h"
#include "libs/identity/caller.h"
#include "libs/privacy/audit_trail.h"
#include "libs/privacy/sealed_box.h"
#include "libs/timer/timer_store.h"
#include "services/outcomes/outcome_tally.h"
#include "services/outcomes/outcomes_store.h"
#include "services/outcomes/questionnaire_schedule.h"

namespace kpr::outcomes {

using identity::Caller;

class OutcomesDesk {
 public:
  using Clock = std::function<absl::Time()>;

  struct Options {
    Clock clock = [] { return absl::Now(); };
    OutcomePolicy policy;
    ScheduleOptions schedule = DefaultScheduleOptions();
    int suppression_threshold = 5;
    // Outcomes are decided this long after the cohort's completion, so instructors can still
    // record the last sessions.
    absl::Duration settle_delay = absl::Hours(48);
    int max_attempts = 8;  // re-reads after a concurrent change (ABORTED)
  };

  // `store` and `audit` must outlive the desk. `encryption_key`: DataKeys::encryption_key.
  OutcomesDesk(OutcomesStore& store, privacy::AuditTrail& audit, std::string encryption_key,
               std::function<void()> on_outbox_write, Options options);

  // Facts. Errors: INVALID_ARGUMENT for a payload that does not decode, NOT_FOUND for a cohort
  // never planned (both dead letters); UNAVAILABLE (retry). Unknown event types are OK.
  absl::Status OnSchedulingEvent(const common::v1::Event& event);
  absl::Status OnReferralEvent(const common::v1::Event& event);
  // Timer ids "tp:<referral_id>:<time point number>" and "settle:<cohort_id>".
  absl::Status OnTimer(const timer::Timer& timer);

  absl::StatusOr<v1::SessionAttendance> RecordAttendance(const v1::RecordAttendanceRequest& req,
                                                         const Caller& caller);
  absl::StatusOr<v1::GetAttendanceResponse> GetAttendance(const v1::GetAttendanceRequest& req,
                                                          const Caller& caller);
  absl::StatusOr<v1::Questionnaire> SubmitQuestionnaire(const v1::SubmitQuestionnaireRequest& req,
                                                        const Caller& caller);
  absl::StatusOr<v1::GetQuestionnairesResponse> GetQuestionnaires(
      const v1::GetQuestionnairesRequest& req, const Caller& caller);
  absl::StatusOr<v1::ListQuestionnaireScheduleResponse> ListQuestionnaireSchedule(
      const v1::ListQuestionnaireScheduleRequest& req, const Caller& caller);
  absl::StatusOr<v1::OutcomeReport> GetCohortReport(const v1::GetCohortReportRequest& req,
                                                    const Caller& caller);
  absl::StatusOr<v1::OutcomeReport> GetProgramReport(const v1::GetProgramReportRequest& req,
                                                     const Caller& caller);
  absl::StatusOr<v1::ExportReportResponse> ExportReport(const v1::ExportReportRequest& req,
                                                        const Caller& caller);

 private:
  template <typename T>
  struct Versioned {
    T record;
    int64_t version = 0;  // 0 = does not exist yet
  };
  using Participant = Versioned<v1::ParticipantRecord>;
  using Cohort = Versioned<v1::CohortRecord>;

  absl::StatusOr<Cohort> LoadCohort(const std::string& m, const std::string& cohort_id);
  static absl::StatusOr<Cohort> ParseCohort(const std::optional<StoredRecord>& stored,
                                            const std::string& cohort_id);
  absl::StatusOr<std::vector<Participant>> LoadParticipants(
      const std::string& m, const std::vector<std::string>& referral_ids);
  absl::StatusOr<std::string> SealParticipant(const std::string& m,
                                              const v1::ParticipantRecord& p) const;
  absl::Status WriteParticipant(Change& change, const std::string& m, const Participant& before,
                                v1::ParticipantRecord after) const;
  static void WriteCohort(Change& change, const std::string& m, const Cohort& before,
                          v1::CohortRecord after);
  // `cause`: the call that made the change (its correlation id and trace context go on the
  // event), or null when a timer did.
  void AddEvent(Change& change, const std::string& m, absl::string_view name, std::string id,
                const google::protobuf::Message& payload, const Caller* cause) const;
  absl::Status Commit(const std::string& m, const Change& change);
  // Loads the cohort (NOT_FOUND if never planned), lets `edit` fill a change, marks the event
  // applied and commits it (nothing when the change is empty); again after a concurrent change.
  absl::Status EditCohort(const common::v1::Event& e, const std::string& cohort_id,
                          const std::function<absl::Status(const Cohort&, Change&)>& edit);
  // Runs `attempt` until it does not end in ABORTED (a concurrent change), at most max_attempts.
  absl::Status Retrying(const std::function<absl::Status()>& attempt) const;

  // Scheduling facts.
  absl::Status ApplyCohortPlanned(const common::v1::Event& e);
  absl::Status ApplySession(const common::v1::Event& e);
  absl::Status ApplyEnrolled(const common::v1::Event& e);
  absl::Status ApplyUnenrolled(const common::v1::Event& e);
  absl::Status ApplyCohortStarted(const common::v1::Event& e);
  absl::Status ApplyCohortCompleted(const common::v1::Event& e);
  absl::Status ApplyCohortCancelled(const common::v1::Event& e);
  absl::Status ApplyReferralFact(const common::v1::Event& e);

  absl::Status AdvanceTimePoint(const std::string& m, const std::string& referral_id,
                                v1::TimePoint tp);
  absl::Status Settle(const std::string& m, const std::string& cohort_id);

  absl::StatusOr<v1::OutcomeReport> CohortReport(const std::string& m,
                                                 const std::string& cohort_id);
  absl::StatusOr<v1::OutcomeReport> ProgramReport(const v1::GetProgramReportRequest& req);

  OutcomesStore& store_;
  privacy::AuditTrail& audit_;
  const privacy::SealedBox box_;
  const std::function<void()> on_outbox_write_;
  const Options options_;
};

}  // namespace kpr::outcomes

#endif  // KPR_SERVICES_OUTCOMES_OUTCOMES_DESK_H_
