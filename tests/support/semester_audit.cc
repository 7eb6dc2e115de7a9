#include "tests/support/semester_audit.h"

#include <map>
#include <memory>
#include <set>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "grpcpp/grpcpp.h"
#include "kpr/common/v1/event.pb.h"
#include "kpr/notify/v1/notify_service.grpc.pb.h"
#include "kpr/outcomes/v1/outcomes_service.grpc.pb.h"
#include "kpr/referral/v1/events.pb.h"
#include "kpr/referral/v1/referral_service.grpc.pb.h"
#include "kpr/scheduling/v1/scheduling_service.grpc.pb.h"
#include "tests/support/grpc_calls.h"
#include "tests/support/referral_testing.h"
#include "tests/support/who5_testing.h"

namespace kpr::testing {
namespace {

namespace nv1 = ::kpr::notify::v1;
namespace ov1 = ::kpr::outcomes::v1;
namespace rv1 = ::kpr::referral::v1;
namespace sv1 = ::kpr::scheduling::v1;
using identity::Role;

class Audit {
 public:
  Audit(const SuiteEndpoints& suite, const std::vector<std::string>& municipalities,
        const SemesterRun& run)
      : suite_(suite),
        run_(run),
        coordinator_(
            MakeToken(suite.jwt_secret, Role::kCoordinator, municipalities, "semester-audit")) {
    auto channel = [](const std::string& target) {
      return grpc::CreateChannel(target, grpc::InsecureChannelCredentials());
    };
    referrals_ = rv1::ReferralService::NewStub(channel(suite.referral));
    scheduling_ = sv1::SchedulingService::NewStub(channel(suite.scheduling));
    outcomes_ = ov1::OutcomesService::NewStub(channel(suite.outcomes));
    notify_ = nv1::NotifyService::NewStub(channel(suite.notify));
  }

  absl::StatusOr<SemesterLedger> Run() {
    for (auto part : {&Audit::Referrals, &Audit::Enrolments, &Audit::Attendance, &Audit::Answers,
                      &Audit::Deliveries}) {
      if (absl::Status st = (this->*part)(); !st.ok()) return st;
    }
    return std::move(ledger_);
  }

 private:
  void Problem(const Citizen& c, absl::string_view what) {
    ledger_.problems.push_back(absl::StrCat(c.municipality, "/", c.referral_id, ": ", what));
  }

  absl::Status Referrals() {
    // The jobcenter's view: the status changes on the stream.
    auto nats = TestNats::Connect(suite_.nats_url);
    if (!nats.ok()) return nats.status();
    auto stream = (*nats)->ReadStream("KPR_REFERRAL");
    if (!stream.ok()) return stream.status();
    std::map<std::string, std::vector<rv1::ReferralStatus>> changes;
    std::set<std::string> event_ids;
    std::map<std::string, std::set<std::string>> subjects;  // by referral
    for (const StreamMessage& m : *stream) {
      if (m.subject.rfind("kpr.referral.v1.status_changed.", 0) != 0) continue;
      common::v1::Event e;
      rv1::ReferralStatusChanged c;
      if (!e.ParseFromString(m.data) || !e.payload().UnpackTo(&c)) {
        ledger_.problems.push_back(absl::StrCat("unreadable status change ", m.msg_id));
        continue;
      }
      if (!event_ids.insert(m.msg_id).second) {
        ledger_.problems.push_back(absl::StrCat("status change event ", m.msg_id, " twice"));
      }
      changes[c.referral_id()].push_back(c.to());
      subjects[c.referral_id()].insert(m.subject);
      ++ledger_.status_changes;
    }
    for (const Citizen& c : run_.citizens) {
      const rv1::ReferralStatus end =
          c.leaves ? rv1::REFERRAL_STATUS_DROPPED_OUT : rv1::REFERRAL_STATUS_COMPLETED;
      rv1::GetReferralRequest req;
      req.set_id(c.referral_id);
      rv1::Referral r;
      CallAs call(coordinator_);
      if (auto st = CallStatus(referrals_->GetReferral(&call.ctx, req, &r), "GetReferral");
          !st.ok()) {
        return st;
      }
      ++ledger_.referrals;
      if (r.status() != end) {
        Problem(c, absl::StrCat("is ", rv1::ReferralStatus_Name(r.status()), ", not ",
                                rv1::ReferralStatus_Name(end)));
      }
      const std::vector<rv1::ReferralStatus> want = {rv1::REFERRAL_STATUS_UNDER_REVIEW,
                                                     rv1::REFERRAL_STATUS_ACCEPTED,
                                                     rv1::REFERRAL_STATUS_ENROLLED, end};
      if (changes[c.referral_id] != want) {
        std::string seen;
        for (rv1::ReferralStatus s : changes[c.referral_id]) {
          absl::StrAppend(&seen, seen.empty() ? "" : ",", rv1::ReferralStatus_Name(s));
        }
        Problem(c, absl::StrCat("the jobcenter saw [", seen, "]"));
      }
      // On its own municipality's subject only, where that jobcenter listens.
      if (subjects[c.referral_id] !=
          std::set<std::string>{"kpr.referral.v1.status_changed." + c.municipality}) {
        Problem(c,
                absl::StrCat("status changes on ", absl::StrJoin(subjects[c.referral_id], ", ")));
      }
    }
    return absl::OkStatus();
  }

  absl::Status Enrolments() {
    for (const CohortRun& cohort : run_.cohorts) {
      sv1::ListParticipantsRequest req;
      req.set_municipality(cohort.municipality);
      req.set_cohort_id(cohort.cohort_id);
      sv1::ListParticipantsResponse resp;
      CallAs call(coordinator_);
      if (auto st =
              CallStatus(scheduling_->ListParticipants(&call.ctx, req, &resp), "ListParticipants");
          !st.ok()) {
        return st;
      }
      std::map<std::string, int> listed;
      for (const sv1::Participant& p : resp.participants()) ++listed[p.referral_id()];
      for (const Citizen& c : run_.citizens) {
        if (c.cohort_id != cohort.cohort_id) continue;
        const int want = c.leaves ? 0 : 1;
        const int seen = listed[c.referral_id];
        ledger_.enrolments += seen;
        if (seen != want) {
          Problem(c, absl::StrCat("listed ", seen, " times in cohort ", cohort.cohort_id,
                                  ", expected ", want));
        }
        listed.erase(c.referral_id);
      }
      for (const auto& [referral, n] : listed) {
        ledger_.problems.push_back(
            absl::StrCat("cohort ", cohort.cohort_id, " lists ", referral, " whom nobody placed"));
      }
    }
    return absl::OkStatus();
  }

  absl::Status Attendance() {
    for (const CohortRun& cohort : run_.cohorts) {
      ov1::GetAttendanceRequest req;
      req.set_municipality(cohort.municipality);
      req.set_cohort_id(cohort.cohort_id);
      ov1::GetAttendanceResponse resp;
      CallAs call(coordinator_);
      if (auto st = CallStatus(outcomes_->GetAttendance(&call.ctx, req, &resp), "GetAttendance");
          !st.ok()) {
        return st;
      }
      std::map<int, const ov1::SessionAttendance*> by_index;
      for (const ov1::SessionAttendance& s : resp.sessions()) by_index[s.session_index()] = &s;
      for (const Citizen& c : run_.citizens) {
        if (c.cohort_id != cohort.cohort_id) continue;
        std::vector<ov1::AttendanceMark> marks;
        bool twice = false;
        for (const auto& [index, session] : by_index) {
          int entries = 0;
          for (const ov1::AttendanceEntry& e : session->entries()) {
            if (e.referral_id() != c.referral_id) continue;
            if (++entries == 1) marks.push_back(e.mark());
          }
          twice = twice || entries > 1;
        }
        ledger_.attendance_marks += static_cast<int>(marks.size());
        if (twice) Problem(c, "marked twice in one session");
        if (marks != c.marks) {
          Problem(c, absl::StrCat(marks.size(), " attendance marks stored, ", c.marks.size(),
                                  " recorded by the instructors (or they differ)"));
        }
      }
    }
    return absl::OkStatus();
  }

  absl::Status Answers() {
    for (const Citizen& c : run_.citizens) {
      ov1::GetQuestionnairesRequest req;
      req.set_municipality(c.municipality);
      req.set_referral_id(c.referral_id);
      ov1::GetQuestionnairesResponse resp;
      CallAs call(coordinator_);
      if (auto st =
              CallStatus(outcomes_->GetQuestionnaires(&call.ctx, req, &resp), "GetQuestionnaires");
          !st.ok()) {
        return st;
      }
      std::map<ov1::TimePoint, std::vector<const ov1::Questionnaire*>> by_point;
      for (const ov1::Questionnaire& q : resp.questionnaires())
        by_point[q.time_point()].push_back(&q);
      auto expect_who5 = [&](ov1::TimePoint tp, int raw) {
        const auto& got = by_point[tp];
        if (raw < 0) {
          if (!got.empty()) Problem(c, absl::StrCat("answered ", ov1::TimePoint_Name(tp), "?"));
          return;
        }
        if (got.size() != 1 ||
            got[0]->who5().SerializeAsString() != Who5(raw).SerializeAsString()) {
          Problem(c, absl::StrCat(got.size(), " WHO-5 answers at ", ov1::TimePoint_Name(tp),
                                  ", expected the one given"));
        }
      };
      auto expect_employment = [&](ov1::TimePoint tp, ov1::EmploymentStatus status) {
        const auto& got = by_point[tp];
        if (status == ov1::EMPLOYMENT_STATUS_UNSPECIFIED) {
          if (!got.empty()) Problem(c, absl::StrCat("answered ", ov1::TimePoint_Name(tp), "?"));
          return;
        }
        if (got.size() != 1 || got[0]->employment().status() != status) {
          Problem(c, absl::StrCat(got.size(), " employment answers at ", ov1::TimePoint_Name(tp),
                                  ", expected the one given"));
        }
      };
      expect_who5(ov1::TIME_POINT_BASELINE, c.who5_baseline);
      expect_who5(ov1::TIME_POINT_END, c.who5_end);
      expect_employment(ov1::TIME_POINT_FOLLOWUP_1M, c.employment_1m);
      expect_employment(ov1::TIME_POINT_FOLLOWUP_12M, c.employment_12m);
      ledger_.answers += resp.questionnaires_size();
    }
    return absl::OkStatus();
  }

  absl::Status Deliveries() {
    for (const Citizen& c : run_.citizens) {
      nv1::ListDeliveriesRequest req;
      req.set_municipality(c.municipality);
      req.set_referral_id(c.referral_id);
      req.set_page_size(200);
      nv1::ListDeliveriesResponse resp;
      CallAs call(coordinator_);
      if (auto st = CallStatus(notify_->ListDeliveries(&call.ctx, req, &resp), "ListDeliveries");
          !st.ok()) {
        return st;
      }
      std::map<nv1::Trigger, int> by_trigger;
      for (const nv1::Delivery& d : resp.deliveries()) {
        if (d.status() != nv1::DELIVERY_STATUS_SENT &&
            d.status() != nv1::DELIVERY_STATUS_DELIVERED) {
          continue;
        }
        ++by_trigger[d.trigger()];
        ++(d.channel() == nv1::CHANNEL_SMS ? ledger_.sms_sent : ledger_.email_sent);
      }
      const int sessions = static_cast<int>(c.marks.size());
      auto expect = [&](nv1::Trigger t, int want, bool at_least = false) {
        const int seen = by_trigger[t];
        if (at_least ? seen < want : seen != want) {
          Problem(c, absl::StrCat(seen, " ", nv1::Trigger_Name(t), " messages, expected ",
                                  at_least ? "at least " : "", want));
        }
      };
      expect(nv1::TRIGGER_WELCOME, 1);
      expect(nv1::TRIGGER_COHORT_INFORMATION, 1);
      // 24 h and 2 h before each session the citizen was there for.
      expect(nv1::TRIGGER_SESSION_REMINDER, 2 * sessions);
      // BASELINE for everyone; END and both follow-ups for those who stayed (and reminders).
      expect(nv1::TRIGGER_QUESTIONNAIRE_DUE, c.leaves ? 1 : 4, /*at_least=*/true);
    }
    return absl::OkStatus();
  }

  const SuiteEndpoints& suite_;
  const SemesterRun& run_;
  const std::string coordinator_;
  std::unique_ptr<rv1::ReferralService::Stub> referrals_;
  std::unique_ptr<sv1::SchedulingService::Stub> scheduling_;
  std::unique_ptr<ov1::OutcomesService::Stub> outcomes_;
  std::unique_ptr<nv1::NotifyService::Stub> notify_;
  SemesterLedger ledger_;
};

}  // namespace

absl::StatusOr<SemesterLedger> AuditSemester(const SuiteEndpoints& suite,
                                             const std::vector<std::string>& municipalities,
                                             const SemesterRun& run) {
  Audit audit(suite, municipalities, run);
  return audit.Run();
}

}  // namespace kpr::testing
