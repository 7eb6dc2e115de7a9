#include "services/scheduling/enrolment_desk.h"

#include <optional>

#include "absl/algorithm/container.h"
#include "absl/strings/str_cat.h"
#include "services/scheduling/replacement_order.h"

namespace kpr::scheduling {
namespace {

v1::EnrollResponse ToResponse(const EnrollResult& result) {
  v1::EnrollResponse out;
  if (result.enrollment) *out.mutable_enrollment() = *result.enrollment;
  if (result.waitlisted) *out.mutable_waitlisted() = *result.waitlisted;
  return out;
}

}  // namespace

absl::StatusOr<v1::EnrollResponse> EnrolmentDesk::PlaceInProgram(const ReferralToPlace& referral,
                                                                 const std::string& m,
                                                                 const Caller& caller) {
  auto result = RetryRaces<EnrollResult>(
      "the program's cohorts kept changing: try again", [&]() -> absl::StatusOr<EnrollResult> {
        CohortQuery q;
        q.municipality = m;
        q.program_id = referral.program_id;
        q.status = v1::COHORT_STATUS_OPEN;
        q.page_size = 500;
        auto open = ctx_.store.ListCohorts(q);
        if (!open.ok()) return open.status();
        return ctx_.store.Place(PlacementOf(referral, open->cohorts, ctx_.Stamp(m, caller)));
      });
  if (!result.ok()) return result.status();
  ctx_.Notify();
  return ToResponse(*result);
}

absl::StatusOr<v1::EnrollResponse> EnrolmentDesk::Enroll(const v1::EnrollRequest& req,
                                                         const Caller& caller) {
  const std::string& m = req.municipality();
  if (auto s = AuthorizeCall(caller.claims, SchedulingRpc::kEnroll, m); !s.ok()) return s;
  if (auto s = RequireId("referral_id", req.referral_id()); !s.ok()) return s;
  if (req.citizen_id().empty() || req.citizen_id().size() > 128)
    return Invalid("citizen_id", "required");
  if (req.cohort_id().empty()) {
    if (auto s = RequireId("program_id", req.program_id()); !s.ok()) return s;
    auto program = ctx_.store.GetProgram(m, req.program_id());
    if (!program.ok()) return program.status();
    return PlaceInProgram({req.program_id(), req.referral_id(), req.citizen_id()}, m, caller);
  }
  auto cohort = ctx_.store.GetCohort(m, req.cohort_id());
  if (!cohort.ok()) return cohort.status();
  auto result = ctx_.store.Enroll(
      EnrolmentIn(*cohort, req.referral_id(), req.citizen_id(), ctx_.Stamp(m, caller)));
  if (!result.ok()) return result.status();
  ctx_.Notify();
  return ToResponse(*result);
}

absl::StatusOr<v1::UnenrollResponse> EnrolmentDesk::UnenrollReferral(
    const std::string& m, const std::string& cohort_id, const std::string& referral_id,
    v1::ChangeReason reason, const std::string& trigger_id, const Caller& caller) {
  auto result = RetryRaces<UnenrollResult>(
      "the waitlist kept changing: try again", [&]() -> absl::StatusOr<UnenrollResult> {
        auto cohort = ctx_.store.GetCohort(m, cohort_id);
        if (!cohort.ok()) return cohort.status();
        auto enrolled = ctx_.store.ListEnrollments(m, cohort_id);
        if (!enrolled.ok()) return enrolled.status();
        auto waitlist = ctx_.store.GetWaitlist(m, cohort->program_id());
        if (!waitlist.ok()) return waitlist.status();
        EventStamp stamp = ctx_.Stamp(m, caller);
        std::vector<WaitlistSeat> head = WaitlistSeats(*cohort, *waitlist, 1, stamp);
        return ctx_.store.Unenroll(UnenrolmentOf(
            *cohort, *enrolled, referral_id, reason, trigger_id,
            head.empty() ? std::nullopt : std::optional(std::move(head.front())), stamp));
      });
  if (!result.ok()) return result.status();
  ctx_.Notify();
  v1::UnenrollResponse out;
  if (result->seat_given_to) *out.mutable_seat_given_to() = *result->seat_given_to;
  return out;
}

absl::StatusOr<v1::UnenrollResponse> EnrolmentDesk::Unenroll(const v1::UnenrollRequest& req,
                                                             const Caller& caller) {
  const std::string& m = req.municipality();
  if (auto s = AuthorizeCall(caller.claims, SchedulingRpc::kUnenroll, m); !s.ok()) return s;
  if (auto s = RequireId("cohort_id", req.cohort_id()); !s.ok()) return s;
  if (auto s = RequireId("referral_id", req.referral_id()); !s.ok()) return s;
  return UnenrollReferral(m, req.cohort_id(), req.referral_id(),
                          req.reason_code() == v1::CHANGE_REASON_UNSPECIFIED
                              ? v1::CHANGE_REASON_COORDINATOR_DECISION
                              : req.reason_code(),
                          "", caller);
}

absl::StatusOr<v1::GetWaitlistResponse> EnrolmentDesk::GetWaitlist(
    const v1::GetWaitlistRequest& req, const Caller& caller) {
  if (auto s = AuthorizeCall(caller.claims, SchedulingRpc::kGetWaitlist, req.municipality());
      !s.ok())
    return s;
  auto list = ctx_.store.GetWaitlist(req.municipality(), req.program_id());
  if (!list.ok()) return list.status();
  v1::GetWaitlistResponse out;
  for (auto& w : *list) *out.add_entries() = std::move(w);
  return out;
}

absl::StatusOr<v1::ListParticipantsResponse> EnrolmentDesk::ListParticipants(
    const v1::ListParticipantsRequest& req, const Caller& caller) {
  const std::string& m = req.municipality();
  if (auto s = AuthorizeCall(caller.claims, SchedulingRpc::kListParticipants, m); !s.ok()) return s;
  SessionQuery q;
  q.municipality = m;
  q.id = req.cohort_id();
  auto sessions = ctx_.store.ListSessions(q);
  if (!sessions.ok()) return sessions.status();
  const bool teaches = absl::c_any_of(*sessions, [&](const v1::Session& session) {
    return session.instructor_id() == caller.claims.subject;
  });
  auto grant = ctx_.AuthorizeForInstitutions(caller, SchedulingRpc::kListParticipants, m,
                                             InstitutionsOf(*sessions), teaches);
  if (!grant.ok()) return grant.status();
  auto enrolled = ctx_.store.ListEnrollments(m, req.cohort_id());
  if (!enrolled.ok()) return enrolled.status();
  v1::ListParticipantsResponse out;
  if (grant->instructor_view && !ctx_.first_names) {
    return absl::FailedPreconditionError(
        "participant names are not available (no referral service configured)");
  }
  for (const auto& en : *enrolled) {
    v1::Participant* p = out.add_participants();
    // The referral id is what RecordAttendance takes; staff see the citizen id too.
    p->set_referral_id(en.referral_id());
    if (grant->instructor_view) {
      auto name = ctx_.first_names(m, en.referral_id(), caller);
      if (!name.ok()) return name.status();
      p->set_first_name(*name);
    } else {
      p->set_citizen_id(en.citizen_id());
    }
  }
  return out;
}

// ---- Referral facts -----------------------------------------------------------------------------

absl::Status EnrolmentDesk::OnReferralAccepted(const common::v1::Event& event,
                                               const referral::v1::ReferralAccepted& accepted) {
  const std::string& m = event.municipality();
  if (accepted.referral_id().empty())
    return Invalid("referral_id", "missing in the accepted event");
  auto programs = ctx_.store.ListPrograms(m);
  if (!programs.ok()) return programs.status();
  std::string program_id = ProgramForReferral(*programs, accepted.preferred_program());
  if (program_id.empty()) {
    return absl::FailedPreconditionError(
        absl::StrCat("municipality ", m, " has no program '", accepted.preferred_program(),
                     "' and no default program: put one, then replay the dead letter"));
  }
  return PlaceInProgram({program_id, accepted.referral_id(), accepted.citizen_id(), event.id(),
                         TimeOf(event.occurred_at())},
                        m, EventCaller(event))
      .status();
}

absl::Status EnrolmentDesk::OnCohortCancelled(const common::v1::Event& event,
                                              const v1::CohortCancelled& cancelled) {
  if (cancelled.had_started()) return absl::OkStatus();  // they dropped out; nothing to place
  const Caller caller = EventCaller(event);
  // Placed again in the order they were accepted in, each once (the trigger id), so a
  // redelivered event places nobody twice.
  for (const v1::Enrollment& p : ReplacementOrder(cancelled)) {
    auto placed =
        PlaceInProgram({cancelled.program_id(), p.referral_id(), p.citizen_id(),
                        absl::StrCat(event.id(), ":", p.referral_id()), TimeOf(p.accepted_at())},
                       event.municipality(), caller);
    // Placed meanwhile by a coordinator, in this or another program: theirs to decide.
    if (placed.status().code() == absl::StatusCode::kFailedPrecondition) continue;
    if (!placed.ok()) return placed.status();
  }
  return absl::OkStatus();
}

absl::Status EnrolmentDesk::OnReferralWithdrawn(const common::v1::Event& event,
                                                const referral::v1::ReferralWithdrawn& withdrawn) {
  const std::string& m = event.municipality();
  auto placement = ctx_.store.FindPlacement(m, withdrawn.referral_id());
  if (!placement.ok()) return placement.status();
  if (!placement->has_value()) return absl::OkStatus();
  const ReferralPlacement& p = **placement;
  if (p.enrollment) {
    auto cohort = ctx_.store.GetCohort(m, p.enrollment->cohort_id());
    if (!cohort.ok()) return cohort.status();
    auto out =
        UnenrollReferral(m, p.enrollment->cohort_id(), withdrawn.referral_id(),
                         v1::CHANGE_REASON_REFERRAL_WITHDRAWN, event.id(), EventCaller(event));
    if (out.status().code() == absl::StatusCode::kNotFound) return absl::OkStatus();
    return out.status();
  }
  if (p.waitlisted) {
    WaitlistLeave leave;
    leave.municipality = m;
    leave.program_id = p.program_id;
    leave.referral_id = withdrawn.referral_id();
    leave.trigger_id = event.id();
    auto st = ctx_.store.LeaveWaitlist(leave);
    if (st.code() == absl::StatusCode::kNotFound) return absl::OkStatus();
    return st;
  }
  return absl::OkStatus();
}

}  // namespace kpr::scheduling
