#ifndef KPR_SERVICES_SCHEDULING_SCHEDULING_DESK_H_
#define KPR_SERVICES_SCHEDULING_SCHEDULING_DESK_H_

// The scheduling desk: where coordinators plan and book cohorts, institutions report closures
// and absences, citizens are placed in cohorts or on waitlists, and the calendar moves cohorts
// through their lifecycle. It authorizes (scheduling_access_policy.h), validates
// (catalog_validator.h), plans (cohort_planner.h, pure) and writes through SchedulingStore,
// whose scripts book atomically and append the resulting events to the outbox. The gRPC
// service, the referral-event handler and the timer handler are thin adapters over it.
//
// Concurrency: planning reads the bookings, the store re-checks them inside its script; a
// conflict (someone booked meanwhile) re-plans against the fresh bookings, a bounded number
// of times. Every write is idempotent by request id, trigger event id or referral.

#include <functional>
#include <optional>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "kpr/common/v1/event.pb.h"
#include "kpr/referral/v1/events.pb.h"
#include "kpr/scheduling/v1/events.pb.h"
#include "kpr/scheduling/v1/scheduling_service.pb.h"
#include "libs/identity/caller.h"
#include "libs/rpc/jwt.h"
#include "libs/timer/timer_store.h"
#include "services/scheduling/cohort_planner.h"
#include "services/scheduling/scheduling_access_policy.h"
#include "services/scheduling/scheduling_store.h"

namespace kpr::scheduling {

using identity::Caller;

// Looks up a participant's first name (from the referral service, audited there), for
// instructors' participant lists.
using FirstNameLookup = std::function<absl::StatusOr<std::string>(
    const std::string& municipality, const std::string& referral_id, const Caller& caller)>;

class SchedulingDesk {
 public:
  using Clock = std::function<absl::Time()>;

  struct Options {
    Clock clock = [] { return absl::Now(); };
    ScoreWeights weights;
    // Re-plans after a booking conflict before giving up with ABORTED.
    int max_plan_attempts = 12;
    // Unset: instructors' participant lists fail with FAILED_PRECONDITION.
    FirstNameLookup first_names;
  };

  SchedulingDesk(SchedulingStore& store, std::function<void()> on_outbox_write, Options options);

  // Catalog.
  absl::StatusOr<v1::Institution> PutInstitution(const v1::PutInstitutionRequest& req,
                                                 const Caller& caller);
  absl::StatusOr<v1::ListInstitutionsResponse> ListInstitutions(
      const v1::ListInstitutionsRequest& req, const Caller& caller);
  absl::StatusOr<v1::Instructor> PutInstructor(const v1::PutInstructorRequest& req,
                                               const Caller& caller);
  absl::StatusOr<v1::ListInstructorsResponse> ListInstructors(const v1::ListInstructorsRequest& req,
                                                              const Caller& caller);
  absl::StatusOr<v1::MunicipalityCalendar> PutCalendar(const v1::PutCalendarRequest& req,
                                                       const Caller& caller);
  absl::StatusOr<v1::MunicipalityCalendar> GetCalendar(const v1::GetCalendarRequest& req,
                                                       const Caller& caller);
  absl::StatusOr<v1::ProgramTemplate> PutProgram(const v1::PutProgramRequest& req,
                                                 const Caller& caller);
  absl::StatusOr<v1::ListProgramsResponse> ListPrograms(const v1::ListProgramsRequest& req,
                                                        const Caller& caller);

  // Planning and cohorts.
  absl::StatusOr<v1::PlanCohortResponse> PlanCohort(const v1::PlanCohortRequest& req,
                                                    const Caller& caller);
  absl::StatusOr<v1::CreateCohortResponse> CreateCohort(const v1::CreateCohortRequest& req,
                                                        const Caller& caller);
  absl::StatusOr<v1::Cohort> GetCohort(const v1::GetCohortRequest& req, const Caller& caller);
  absl::StatusOr<v1::ListCohortsResponse> ListCohorts(const v1::ListCohortsRequest& req,
                                                      const Caller& caller);
  absl::StatusOr<v1::Cohort> CancelCohort(const v1::CancelCohortRequest& req, const Caller& caller);

  // Sessions and repair.
  absl::StatusOr<v1::ListSessionsResponse> ListSessions(const v1::ListSessionsRequest& req,
                                                        const Caller& caller);
  absl::StatusOr<v1::Session> RescheduleSession(const v1::RescheduleSessionRequest& req,
                                                const Caller& caller);
  absl::StatusOr<v1::Session> CancelSession(const v1::CancelSessionRequest& req,
                                            const Caller& caller);
  absl::StatusOr<v1::RepairResponse> CloseVenue(const v1::CloseVenueRequest& req,
                                                const Caller& caller);
  absl::StatusOr<v1::RepairResponse> AddInstructorAbsence(
      const v1::AddInstructorAbsenceRequest& req, const Caller& caller);

  // Enrolment.
  absl::StatusOr<v1::EnrollResponse> Enroll(const v1::EnrollRequest& req, const Caller& caller);
  absl::StatusOr<v1::UnenrollResponse> Unenroll(const v1::UnenrollRequest& req,
                                                const Caller& caller);
  absl::StatusOr<v1::GetWaitlistResponse> GetWaitlist(const v1::GetWaitlistRequest& req,
                                                      const Caller& caller);
  absl::StatusOr<v1::ListParticipantsResponse> ListParticipants(
      const v1::ListParticipantsRequest& req, const Caller& caller);
  absl::StatusOr<v1::ExportCalendarResponse> ExportCalendar(const v1::ExportCalendarRequest& req,
                                                            const Caller& caller);

  // Referral events (the service's own identity). NOT_FOUND / INVALID_ARGUMENT /
  // FAILED_PRECONDITION mean the event can never be applied (a dead letter); UNAVAILABLE / ABORTED
  // are retries.
  absl::Status OnReferralAccepted(const common::v1::Event& event,
                                  const referral::v1::ReferralAccepted& accepted);
  // A cohort cancelled before its start: its participants are placed again (replacement_order.h).
  absl::Status OnCohortCancelled(const common::v1::Event& event,
                                 const v1::CohortCancelled& cancelled);
  absl::Status OnReferralWithdrawn(const common::v1::Event& event,
                                   const referral::v1::ReferralWithdrawn& withdrawn);

  // A lifecycle timer fired ("open:", "start:", "complete:<cohort_id>"). Any error re-queues it.
  absl::Status OnTimer(const timer::Timer& timer);

 private:
  struct PlanningInput;
  absl::StatusOr<PlanningInput> LoadPlanningInput(const std::string& municipality,
                                                  const std::string& program_id,
                                                  absl::CivilDay from, absl::CivilDay to,
                                                  const std::string& skip_cohort);
  absl::StatusOr<v1::RepairResponse> RepairAffected(const std::string& municipality,
                                                    SessionQuery::By by, const std::string& id,
                                                    absl::CivilDay from, absl::CivilDay to,
                                                    const std::string& reason,
                                                    const Caller& caller);
  absl::StatusOr<v1::RepairResponse> RepairCohorts(const std::string& municipality,
                                                   const std::vector<std::string>& cohort_ids,
                                                   absl::CivilDay from, absl::CivilDay to,
                                                   const std::string& reason, v1::ChangeReason code,
                                                   const Caller& caller);
  absl::StatusOr<v1::Session> ChangeSession(
      const std::string& municipality, const std::string& session_id, int64_t expected_version,
      const Caller& caller,
      const std::function<absl::StatusOr<v1::Session>(const v1::Session& current,
                                                      const v1::Cohort& cohort)>& change);
  // One lifecycle step: `build` decides it from the cohort and its participants as read
  // (nullopt: nothing to do); retried when the cohort changed meanwhile.
  using CohortStep = std::function<absl::StatusOr<std::optional<CohortTransition>>(
      const v1::Cohort& cohort, const std::vector<v1::Enrollment>& enrolled)>;
  absl::Status StepCohort(const std::string& municipality, const std::string& cohort_id,
                          const CohortStep& build);
  absl::Status OpenCohort(const std::string& municipality, const std::string& cohort_id,
                          const Caller& caller);
  absl::Status StartCohort(const std::string& municipality, const std::string& cohort_id,
                           const Caller& caller);
  absl::Status CompleteCohort(const std::string& municipality, const std::string& cohort_id,
                              const Caller& caller);
  absl::StatusOr<v1::EnrollResponse> PlaceInProgram(
      const std::string& municipality, const std::string& program_id,
      const std::string& referral_id, const std::string& citizen_id, const std::string& trigger_id,
      const Caller& caller, absl::Time accepted_at = absl::InfinitePast());
  absl::StatusOr<v1::UnenrollResponse> UnenrollReferral(
      const std::string& municipality, const std::string& cohort_id, const std::string& referral_id,
      v1::ChangeReason reason, const std::string& trigger_id, const Caller& caller);
  absl::StatusOr<std::vector<WaitlistSeat>> WaitlistHeads(const std::string& municipality,
                                                          const v1::Cohort& cohort, int count,
                                                          const Caller& caller);
  // The institution of the instructor calling, for the access policy ("" if not one).
  std::string CallerInstitution(const std::string& municipality, const Caller& caller);
  absl::StatusOr<AccessGrant> AuthorizeForInstitutions(
      const Caller& caller, SchedulingRpc rpc, const std::string& municipality,
      std::vector<std::string> concerned_institutions, bool caller_teaches_cohort = false);
  OutboxEvent Event(const std::string& id, absl::string_view name, const std::string& municipality,
                    const google::protobuf::Message& payload, const Caller& caller) const;
  std::vector<timer::Timer> LifecycleTimers(const v1::Cohort& cohort,
                                            const std::vector<v1::Session>& sessions) const;
  void Notify() const {
    if (on_outbox_write_) on_outbox_write_();
  }
  absl::Time Now() const { return options_.clock(); }

  SchedulingStore& store_;
  std::function<void()> on_outbox_write_;
  Options options_;
};

// The service's own identity for event- and timer-driven work in `municipality`.
Caller ServiceCaller(const std::string& municipality, const std::string& correlation_id = "",
                     const std::string& traceparent = "");

}  // namespace kpr::scheduling

#endif  // KPR_SERVICES_SCHEDULING_SCHEDULING_DESK_H_
