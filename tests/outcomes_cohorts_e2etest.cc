// Issue 4's integration test: two cohorts of one program in municipality 0165 are driven
// through the scheduling events kpr-scheduling publishes (over real NATS), attendance and
// questionnaires are recorded over gRPC, the fake clock walks the questionnaire timers through
// BASELINE, END and both follow-ups (due, overdue, closed) and the settle timer, and the
// referral events feed the funnel. Then every figure of both cohort reports and of the
// program's 2027 report is checked against values this test computes from the raw data it sent
// (its own arithmetic, its own t table, its own completion rule), including small-cell
// suppression: every count of 1..4 is withheld, no withheld count can be recovered from what is
// shown (the test's own linear algebra over the documented equations), and the complements the
// documented rules call for are withheld too.

#include <algorithm>
#include <cmath>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <tuple>
#include <vector>

#include "absl/algorithm/container.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "gtest/gtest.h"
#include "kpr/outcomes/v1/events.pb.h"
#include "kpr/referral/v1/events.pb.h"
#include "libs/bus/envelope.h"
#include "tests/support/outcomes_fixture.h"

namespace kpr::testing {
namespace {

namespace ov1 = ::kpr::outcomes::v1;
namespace rv1 = ::kpr::referral::v1;
using identity::Role;
using intake::v1::ReferralSource;

constexpr char kProgram[] = "e2e-sund";
constexpr int kSessions = 12;
constexpr int kThreshold = 5;

// ---- The raw data ------------------------------------------------------------------------------

// Five WAI answer sets and their totals, worked out by hand from the scoring rules (DOMAIN.md,
// Tuomi et al.): dim 1 + dim 2 (weighted by the work's demands) + disease points + impairment +
// sick leave + prognosis + the mental-resources band.
struct WaiSet {
  int cwa, phys, ment, diseases, impairment, sick, prognosis, enjoy, alert, hopeful;
  ov1::WorkDemands demands;
  double total;
  ov1::WaiCategory category;
};
const WaiSet& Wai(char letter) {
  static const std::map<char, WaiSet> sets = {
      // 5 + (3+3) + 4 + 4 + 3 + 4 + band(6)=2
      {'A', {5, 3, 3, 2, 4, 3, 4, 2, 2, 2, ov1::WORK_DEMANDS_BOTH, 28, ov1::WAI_CATEGORY_MODERATE}},
      // 7 + (1.5+6) + 5 + 5 + 4 + 7 + band(8)=3
      {'B', {7, 3, 4, 1, 5, 4, 7, 3, 3, 2, ov1::WORK_DEMANDS_MENTAL, 38.5, ov1::WAI_CATEGORY_GOOD}},
      // 3 + (3+1) + 2 + 3 + 2 + 4 + band(3)=1
      {'C', {3, 2, 2, 4, 3, 2, 4, 1, 1, 1, ov1::WORK_DEMANDS_PHYSICAL, 19, ov1::WAI_CATEGORY_POOR}},
      // 9 + (5+5) + 7 + 6 + 5 + 7 + band(12)=4
      {'D',
       {9, 5, 5, 0, 6, 5, 7, 4, 4, 4, ov1::WORK_DEMANDS_BOTH, 48, ov1::WAI_CATEGORY_EXCELLENT}},
      // 6 + (6+1.5) + 3 + 4 + 3 + 4 + band(7)=3
      {'E',
       {6, 4, 3, 3, 4, 3, 4, 3, 2, 2, ov1::WORK_DEMANDS_PHYSICAL, 30.5,
        ov1::WAI_CATEGORY_MODERATE}},
  };
  return sets.at(letter);
}

ov1::WaiAnswers WaiAnswers(char letter) {
  const WaiSet& s = Wai(letter);
  ov1::WaiAnswers a;
  a.set_current_work_ability(s.cwa);
  a.set_work_demands(s.demands);
  a.set_physical_demands_ability(s.phys);
  a.set_mental_demands_ability(s.ment);
  a.set_diagnosed_diseases(s.diseases);
  a.set_work_impairment(s.impairment);
  a.set_sick_leave(s.sick);
  a.set_prognosis(s.prognosis);
  a.set_enjoy_daily_activities(s.enjoy);
  a.set_active_and_alert(s.alert);
  a.set_hopeful(s.hopeful);
  return a;
}

constexpr ov1::EmploymentStatus kNone = ov1::EMPLOYMENT_STATUS_UNSPECIFIED;
constexpr ov1::EmploymentStatus kOrd = ov1::EMPLOYMENT_STATUS_ORDINARY_WORK;
constexpr ov1::EmploymentStatus kEdu = ov1::EMPLOYMENT_STATUS_EDUCATION;
constexpr ov1::EmploymentStatus kEmpl = ov1::EMPLOYMENT_STATUS_EMPLOYMENT_ORIENTED_MEASURE;
constexpr ov1::EmploymentStatus kHealth = ov1::EMPLOYMENT_STATUS_HEALTH_ORIENTED_MEASURE;
constexpr ov1::EmploymentStatus kUnemp = ov1::EMPLOYMENT_STATUS_UNEMPLOYED_NO_MEASURE;
constexpr ov1::EmploymentStatus kEarly = ov1::EMPLOYMENT_STATUS_EARLY_RETIREMENT;

struct Person {
  const char* id;
  int cohort;         // 0 or 1
  const char* marks;  // per session: P present, A absent, E excused, - not on the list
  int who5_baseline;  // raw 0..25, -1: no answer
  int who5_end;
  char wai_baseline;  // 'A'..'E', 0: no answer
  char wai_end;
  ov1::EmploymentStatus employment_1m;  // kNone: no answer
  ov1::EmploymentStatus employment_12m;
  bool unenrolled = false;  // left after session 3 (after the start: a drop-out)
};

const std::vector<Person>& People() {
  static const std::vector<Person> people = {
      {"e2e-r01", 0, "PPPPPPPPPPPP", 10, 15, 'C', 'A', kEmpl, kOrd},
      {"e2e-r02", 0, "PPPPPPPPPPPE", 13, 13, 'A', 'E', kEmpl, kOrd},
      {"e2e-r03", 0, "PPPPPPPPPPAA", 14, 17, 'E', 'B', kEmpl, kOrd},
      {"e2e-r04", 0, "PPPPAPPPPPPP", 8, 13, 'A', 'A', kUnemp, kUnemp},
      {"e2e-r05", 0, "PAPAPAPAPAPA", 11, 14, 'C', 'E', kUnemp, kEdu},     // 6 of 12: completes
      {"e2e-r06", 0, "PAAPAPAPAAAP", 12, 13, 'B', 'A', kHealth, kEarly},  // 5 of 12: drops out
      {"e2e-r07", 0, "PPAAAAAAAAAA", 6, -1, 'D', 0, kUnemp, kNone},
      {"e2e-r08", 0, "PPPAAPAAAAAA", -1, -1, 0, 0, kNone, kNone},
      {"e2e-r09", 1, "PPPPPPPPPPPP", 13, 18, 'A', 'B', kEmpl, kOrd},
      {"e2e-r10", 1, "PPPPPPPPPPPP", 10, 16, 'C', 'A', kEmpl, kOrd},
      {"e2e-r11", 1, "PPPPPPPPPPPA", 15, 16, 'B', 'D', kEdu, kEdu},
      {"e2e-r12", 1, "PPPPPEPPPPPP", 16, 15, 'E', 'E', kUnemp, kUnemp},
      {"e2e-r13", 1, "PPPPPPPPAPPP", 14, 15, 'A', 'E', kUnemp, kUnemp},
      {"e2e-r14", 1, "PPPAPPPPPPAP", 16, 14, 'D', 'B', kHealth, kUnemp},
      {"e2e-r15", 1, "EEPPPAPPPAPP", 12, 14, 'C', 'C', kEmpl, kUnemp},  // 8 of 10: exactly 80 %
      {"e2e-r16", 1, "PAAPAAAPAAAA", -1, -1, 0, 0, kNone, kNone},
      {"e2e-r17", 1, "PPAP--------", 11, -1, 'E', 0, kNone, kNone, true},
  };
  return people;
}

const Person* FindPerson(const std::string& id) {
  for (const Person& p : People()) {
    if (p.id == id) return &p;
  }
  return nullptr;
}

CohortPlan Plan(int cohort) {
  CohortPlan plan;
  plan.cohort_id = cohort == 0 ? "e2e-c1" : "e2e-c2";
  plan.program_id = kProgram;
  plan.instructor_id = cohort == 0 ? "e2e-instructor-1" : "e2e-instructor-2";
  // Six weeks, two sessions a week: cohort 1 on Mondays and Thursdays from 1 March 2027,
  // cohort 2 on Tuesdays and Fridays from 2 March.
  const absl::CivilDay first =
      cohort == 0 ? absl::CivilDay(2027, 3, 1) : absl::CivilDay(2027, 3, 2);
  for (int week = 0; week < 6; ++week) {
    plan.days.push_back(first + 7 * week);
    plan.days.push_back(first + 7 * week + 3);
  }
  for (const Person& p : People()) {
    if (p.cohort == cohort) plan.referral_ids.push_back(p.id);
  }
  return plan;
}

// The funnel: 30 referrals received in 2027 from two sources (and one in December 2026, outside
// the period). Participants went UNDER_REVIEW -> ACCEPTED -> ENROLLED and, once their outcome
// was recorded, COMPLETED or DROPPED_OUT.
struct FunnelReferral {
  std::string id;
  ReferralSource source;
  absl::CivilDay received;
  std::vector<rv1::ReferralStatus> path;  // before the course ends
};

std::vector<FunnelReferral> Referrals() {
  std::vector<FunnelReferral> out;
  const auto jc = intake::v1::REFERRAL_SOURCE_JOBCENTER;
  const auto gp = intake::v1::REFERRAL_SOURCE_GENERAL_PRACTITIONER;
  const std::vector<rv1::ReferralStatus> enrolled = {rv1::REFERRAL_STATUS_UNDER_REVIEW,
                                                     rv1::REFERRAL_STATUS_ACCEPTED,
                                                     rv1::REFERRAL_STATUS_ENROLLED};
  for (int i = 1; i <= 17; ++i) {
    out.push_back({absl::StrFormat("e2e-r%02d", i), i <= 10 ? jc : gp,
                   absl::CivilDay(2027, 1, 3 + i), enrolled});
  }
  for (int i = 18; i <= 30; ++i) {
    std::vector<rv1::ReferralStatus> path;
    if (i <= 21)
      path = {rv1::REFERRAL_STATUS_UNDER_REVIEW, rv1::REFERRAL_STATUS_DECLINED};
    else if (i <= 23)
      path = {rv1::REFERRAL_STATUS_UNDER_REVIEW, rv1::REFERRAL_STATUS_WITHDRAWN};
    else if (i <= 25)
      path = {rv1::REFERRAL_STATUS_UNDER_REVIEW};
    // 26..30: received, nobody in contact yet.
    out.push_back({absl::StrFormat("e2e-r%02d", i), i <= 25 ? jc : gp,
                   absl::CivilDay(2027, 2, i - 16), path});
  }
  // Received before the period: in no 2027 figure.
  out.push_back({"e2e-r31", jc, absl::CivilDay(2026, 12, 15), {rv1::REFERRAL_STATUS_UNDER_REVIEW}});
  return out;
}

// ---- The test's own arithmetic -----------------------------------------------------------------

// Two-sided 95 % quantiles of Student's t (tables), by degrees of freedom.
double T975(int df) {
  static const std::map<int, double> table = {
      {4, 2.776445},  {5, 2.570582},  {6, 2.446912},  {7, 2.364624},  {8, 2.306004}, {9, 2.262157},
      {10, 2.228139}, {11, 2.200985}, {12, 2.178813}, {13, 2.160369}, {14, 2.144787}};
  return table.at(df);
}

struct Rate {
  int present = 0, absent = 0, excused = 0;
  std::optional<double> rate;
};
Rate RateOf(const Person& p) {
  Rate r;
  for (const char* m = p.marks; *m; ++m) {
    if (*m == 'P') ++r.present;
    if (*m == 'A') ++r.absent;
    if (*m == 'E') ++r.excused;
  }
  if (r.present + r.absent > 0) r.rate = static_cast<double>(r.present) / (r.present + r.absent);
  return r;
}

// The documented completion rule: present >= ceil(half of the 12 sessions held), and still
// enrolled.
bool Completes(const Person& p) {
  return !p.unenrolled && RateOf(p).present >= (kSessions + 1) / 2;
}

struct Change {
  int baseline_n = 0, end_n = 0, paired_n = 0;
  double baseline_mean = 0, end_mean = 0, mean_change = 0, ci_low = 0, ci_high = 0;
  int improved = 0, at_most_50 = 0, moved = 0;  // WHO-5 only
};

Change ChangeOf(const std::vector<std::optional<double>>& baseline,
                const std::vector<std::optional<double>>& end, bool who5) {
  Change c;
  double bsum = 0, esum = 0;
  std::vector<double> changes;
  for (size_t i = 0; i < baseline.size(); ++i) {
    if (baseline[i]) ++c.baseline_n, bsum += *baseline[i];
    if (end[i]) ++c.end_n, esum += *end[i];
    if (baseline[i] && end[i]) {
      changes.push_back(*end[i] - *baseline[i]);
      if (who5) {
        if (*end[i] - *baseline[i] >= 10) ++c.improved;
        if (*baseline[i] <= 50) {
          ++c.at_most_50;
          if (*end[i] > 50) ++c.moved;
        }
      }
    }
  }
  c.paired_n = static_cast<int>(changes.size());
  if (c.baseline_n) c.baseline_mean = bsum / c.baseline_n;
  if (c.end_n) c.end_mean = esum / c.end_n;
  if (c.paired_n) {
    double sum = 0;
    for (double d : changes) sum += d;
    c.mean_change = sum / c.paired_n;
  }
  if (c.paired_n >= 2) {
    double ss = 0;
    for (double d : changes) ss += (d - c.mean_change) * (d - c.mean_change);
    const double se = std::sqrt(ss / (c.paired_n - 1)) / std::sqrt(c.paired_n);
    c.ci_low = c.mean_change - T975(c.paired_n - 1) * se;
    c.ci_high = c.mean_change + T975(c.paired_n - 1) * se;
  }
  return c;
}

struct Employment {
  int responders = 0;
  int by_status[9] = {};  // index = EmploymentStatus
  int oriented = 0, ordinary_or_education = 0;
};

Employment EmploymentOf(const std::vector<ov1::EmploymentStatus>& answers) {
  Employment e;
  for (ov1::EmploymentStatus s : answers) {
    if (s == kNone) continue;
    ++e.responders;
    ++e.by_status[s];
    if (s == kOrd || s == ov1::EMPLOYMENT_STATUS_SUBSIDISED_WORK || s == kEdu || s == kEmpl)
      ++e.oriented;
    if (s == kOrd || s == kEdu) ++e.ordinary_or_education;
  }
  return e;
}

struct Funnel {
  int referred = 0, contacted = 0, accepted = 0, enrolled = 0, completed = 0, dropped_out = 0,
      declined = 0, withdrawn = 0;
  std::map<ReferralSource, std::pair<int, int>> by_source;  // referred, enrolled
};

Funnel FunnelOf2027() {
  Funnel f;
  for (const FunnelReferral& r : Referrals()) {
    if (r.received.year() != 2027) continue;
    auto has = [&](rv1::ReferralStatus s) { return absl::c_linear_search(r.path, s); };
    const Person* p = FindPerson(r.id);
    ++f.referred;
    const bool enrolled = has(rv1::REFERRAL_STATUS_ENROLLED);
    if (has(rv1::REFERRAL_STATUS_UNDER_REVIEW)) ++f.contacted;
    if (has(rv1::REFERRAL_STATUS_ACCEPTED)) ++f.accepted;
    if (enrolled) {
      ++f.enrolled;
      if (Completes(*p))
        ++f.completed;
      else
        ++f.dropped_out;
    }
    if (has(rv1::REFERRAL_STATUS_DECLINED)) ++f.declined;
    if (has(rv1::REFERRAL_STATUS_WITHDRAWN)) ++f.withdrawn;
    f.by_source[r.source].first++;
    if (enrolled) f.by_source[r.source].second++;
  }
  return f;
}

// Everything a report should say, from the raw data of the participants in `cohorts`.
struct Truth {
  int participants = 0, completed = 0, dropped_out = 0, in_progress = 0;
  int attendance_n = 0, at_least_80 = 0;
  double attendance_mean = 0;  // percent
  Change who5, wai;
  Employment employment_1m, employment_12m;
  std::optional<Funnel> funnel;
};

Truth TruthOf(std::set<int> cohorts, bool with_funnel) {
  Truth t;
  double rate_sum = 0;
  std::vector<std::optional<double>> wb, we, ab, ae;
  std::vector<ov1::EmploymentStatus> e1, e12;
  for (const Person& p : People()) {
    if (!cohorts.count(p.cohort)) continue;
    ++t.participants;
    if (Completes(p))
      ++t.completed;
    else
      ++t.dropped_out;
    Rate r = RateOf(p);
    if (r.rate) {
      ++t.attendance_n;
      rate_sum += *r.rate;
      if (*r.rate >= 0.8) ++t.at_least_80;
    }
    wb.push_back(p.who5_baseline >= 0 ? std::optional<double>(4 * p.who5_baseline) : std::nullopt);
    we.push_back(p.who5_end >= 0 ? std::optional<double>(4 * p.who5_end) : std::nullopt);
    ab.push_back(p.wai_baseline ? std::optional<double>(Wai(p.wai_baseline).total) : std::nullopt);
    ae.push_back(p.wai_end ? std::optional<double>(Wai(p.wai_end).total) : std::nullopt);
    e1.push_back(p.employment_1m);
    e12.push_back(p.employment_12m);
  }
  t.in_progress = t.participants - t.completed - t.dropped_out;
  if (t.attendance_n) t.attendance_mean = 100 * rate_sum / t.attendance_n;
  t.who5 = ChangeOf(wb, we, true);
  t.wai = ChangeOf(ab, ae, false);
  t.employment_1m = EmploymentOf(e1);
  t.employment_12m = EmploymentOf(e12);
  if (with_funnel) t.funnel = FunnelOf2027();
  return t;
}

// ---- Checking a report figure by figure ---------------------------------------------------------

// The counts of a report as cells of the documented equations (outcome_report.h), printed or
// derivable, and the derived figures with what they rest on.
class ReportCheck {
 public:
  ReportCheck(const ov1::OutcomeReport& got, const Truth& truth) : got_(got), t_(truth) {}

  // `complements`: printed counts of 5 or more the documented complementary rules withhold.
  void Run(const std::set<std::string>& complements) {
    EXPECT_EQ(got_.suppression_threshold(), kThreshold);
    BuildCells();
    std::set<std::string> suppressed;
    for (const Cell& c : cells_) {
      if (!c.figure) continue;
      SCOPED_TRACE(c.name);
      EXPECT_NE(c.figure->state(), ov1::FIGURE_STATE_NO_DATA)
          << c.name << ": a count always has data";
      if (c.figure->state() == ov1::FIGURE_STATE_SHOWN) {
        EXPECT_EQ(c.figure->value(), c.value) << c.name;
      } else {
        EXPECT_EQ(c.figure->state(), ov1::FIGURE_STATE_SUPPRESSED) << c.name;
        EXPECT_EQ(c.figure->value(), 0)
            << c.name << ": a withheld count's value must not be in the report";
        suppressed.insert(c.name);
      }
      if (c.value > 0 && c.value < kThreshold) {
        EXPECT_EQ(c.figure->state(), ov1::FIGURE_STATE_SUPPRESSED)
            << c.name << " = " << c.value << " must be withheld";
      } else if (c.value == 0) {
        EXPECT_EQ(c.figure->state(), ov1::FIGURE_STATE_SHOWN) << c.name << ": zeros are shown";
      } else {
        EXPECT_EQ(c.figure->state() == ov1::FIGURE_STATE_SUPPRESSED, complements.count(c.name) > 0)
            << c.name << " = " << c.value
            << (complements.count(c.name) ? " should be withheld as a complement"
                                          : " should be shown");
      }
    }
    for (const std::string& name : complements) {
      EXPECT_TRUE(suppressed.count(name)) << name << " should be withheld";
    }
    ExpectNothingRecoverable();
    CheckDerived();
  }

 private:
  struct Cell {
    std::string name;
    double value;
    const ov1::Figure* figure;  // null: not printed, only derivable
  };
  int Add(std::string name, double value, const ov1::Figure* figure) {
    cells_.push_back({std::move(name), value, figure});
    return static_cast<int>(cells_.size()) - 1;
  }
  void Sum(int total, std::vector<int> parts) { sums_.push_back({total, std::move(parts)}); }

  static const ov1::StatusFigure& StatusOf(const ov1::EmploymentFigures& e,
                                           ov1::EmploymentStatus s) {
    for (const ov1::StatusFigure& f : e.by_status()) {
      if (f.status() == s) return f;
    }
    ADD_FAILURE() << "no figure for " << ov1::EmploymentStatus_Name(s);
    return ov1::StatusFigure::default_instance();
  }

  void BuildCells() {
    const Truth& t = t_;
    int participants = Add("participants", t.participants, &got_.participants());
    int completed = Add("completed", t.completed, &got_.completed());
    int dropped = Add("dropped_out", t.dropped_out, &got_.dropped_out());
    int in_progress = Add("in_progress", t.in_progress, &got_.in_progress());
    Sum(participants, {completed, dropped, in_progress});
    // attendance_n is not printed, but the share and its count reveal it when both are shown.
    attendance_n_ = Add("attendance_n", t.attendance_n, nullptr);
    int at_least = Add("attendance_at_least_80", t.at_least_80, &got_.attendance_at_least_80());
    Sum(attendance_n_,
        {at_least, Add("attendance_below_80", t.attendance_n - t.at_least_80, nullptr)});
    for (auto [name, c, f] :
         {std::tuple("who5", &t.who5, &got_.who5()), std::tuple("wai", &t.wai, &got_.wai())}) {
      std::string n = name;
      Add(n + ".baseline_n", c->baseline_n, &f->baseline_n());
      Add(n + ".end_n", c->end_n, &f->end_n());
      int paired = Add(n + ".paired_n", c->paired_n, &f->paired_n());
      if (n == "who5") {
        int improved = Add("who5.improved", c->improved, &f->improved());
        Sum(paired, {improved, Add("who5.not_improved", c->paired_n - c->improved, nullptr)});
        int at_most = Add("who5.baseline_at_most_50", c->at_most_50, &f->baseline_at_most_50());
        Sum(paired, {at_most, Add("who5.baseline_above_50", c->paired_n - c->at_most_50, nullptr)});
        int moved = Add("who5.moved_above_50", c->moved, &f->moved_above_50());
        Sum(at_most, {moved, Add("who5.stayed_at_most_50", c->at_most_50 - c->moved, nullptr)});
      }
    }
    for (auto [name, e, f] :
         {std::tuple("employment_1m", &t.employment_1m, &got_.employment_1m()),
          std::tuple("employment_12m", &t.employment_12m, &got_.employment_12m())}) {
      std::string n = name;
      int responders = Add(n + ".responders", e->responders, &f->responders());
      std::vector<int> status(9, -1);
      for (int s = 1; s <= 8; ++s) {
        auto es = static_cast<ov1::EmploymentStatus>(s);
        status[s] = Add(absl::StrCat(n, ".", ov1::EmploymentStatus_Name(es)), e->by_status[s],
                        &StatusOf(*f, es).count());
      }
      Sum(responders, {status.begin() + 1, status.end()});
      int oriented = Add(n + ".oriented", e->oriented, &f->oriented());
      Sum(oriented, {status[kOrd], status[ov1::EMPLOYMENT_STATUS_SUBSIDISED_WORK], status[kEdu],
                     status[kEmpl]});
      int not_oriented = Add(n + ".not_oriented", e->responders - e->oriented, nullptr);
      Sum(not_oriented,
          {status[kHealth], status[kUnemp], status[kEarly], status[ov1::EMPLOYMENT_STATUS_OTHER]});
      Sum(responders, {oriented, not_oriented});
      int ordinary =
          Add(n + ".ordinary_or_education", e->ordinary_or_education, &f->ordinary_or_education());
      Sum(ordinary, {status[kOrd], status[kEdu]});
    }
    if (t.funnel) {
      const Funnel& fu = *t.funnel;
      const ov1::FunnelFigures& f = got_.funnel();
      int referred = Add("funnel.referred", fu.referred, &f.referred());
      int contacted = Add("funnel.contacted", fu.contacted, &f.contacted());
      int accepted = Add("funnel.accepted", fu.accepted, &f.accepted());
      int enrolled = Add("funnel.enrolled", fu.enrolled, &f.enrolled());
      int completed_f = Add("funnel.completed", fu.completed, &f.completed());
      int dropped_f = Add("funnel.dropped_out", fu.dropped_out, &f.dropped_out());
      Add("funnel.declined", fu.declined, &f.declined());
      Add("funnel.withdrawn", fu.withdrawn, &f.withdrawn());
      Sum(referred, {contacted, Add("funnel.not_contacted", fu.referred - fu.contacted, nullptr)});
      Sum(contacted, {accepted, Add("funnel.not_accepted", fu.contacted - fu.accepted, nullptr)});
      Sum(accepted, {enrolled, Add("funnel.not_enrolled", fu.accepted - fu.enrolled, nullptr)});
      Sum(enrolled,
          {completed_f, dropped_f,
           Add("funnel.still_enrolled", fu.enrolled - fu.completed - fu.dropped_out, nullptr)});
      std::vector<int> referred_by, enrolled_by;
      EXPECT_EQ(f.by_source_size(), static_cast<int>(fu.by_source.size()))
          << "sources with referrals";
      for (const ov1::SourceFigure& s : f.by_source()) {
        auto it = fu.by_source.find(s.source());
        const std::string n = absl::StrCat("funnel.", intake::v1::ReferralSource_Name(s.source()));
        if (it == fu.by_source.end()) {
          ADD_FAILURE() << n << " has no referrals";
          continue;
        }
        referred_by.push_back(Add(n + ".referred", it->second.first, &s.referred()));
        enrolled_by.push_back(Add(n + ".enrolled", it->second.second, &s.enrolled()));
      }
      Sum(referred, referred_by);
      Sum(enrolled, enrolled_by);
    } else {
      EXPECT_FALSE(got_.has_funnel()) << "a cohort report has no funnel";
    }
  }

  bool Known(int cell) const {
    const Cell& c = cells_[cell];
    if (c.figure) return c.figure->state() == ov1::FIGURE_STATE_SHOWN;
    // Revealed by at_least_80 and its share.
    return cell == attendance_n_ &&
           got_.attendance_at_least_80().state() == ov1::FIGURE_STATE_SHOWN &&
           got_.attendance_at_least_80_share().state() == ov1::FIGURE_STATE_SHOWN &&
           got_.attendance_at_least_80().value() > 0;
  }

  // What an attacker who knows every shown figure and every equation can work out: Gaussian
  // elimination over the unknown cells; an unknown whose unit vector is in the row space is
  // determined. No withheld count and no count of 1..4 (printed or not) may be.
  void ExpectNothingRecoverable() {
    std::vector<int> column(cells_.size(), -1), unknown;
    for (size_t i = 0; i < cells_.size(); ++i) {
      if (!Known(static_cast<int>(i))) {
        column[i] = static_cast<int>(unknown.size());
        unknown.push_back(static_cast<int>(i));
      }
    }
    const size_t w = unknown.size();
    std::vector<std::vector<double>> rows;
    for (const auto& [total, parts] : sums_) {
      std::vector<double> row(w, 0);
      if (column[total] >= 0) row[column[total]] += 1;
      for (int p : parts) {
        if (column[p] >= 0) row[column[p]] -= 1;
      }
      rows.push_back(row);
    }
    size_t rank = 0;
    std::vector<size_t> pivots;
    for (size_t col = 0; col < w && rank < rows.size(); ++col) {
      size_t best = rows.size();
      for (size_t r = rank; r < rows.size(); ++r) {
        if (std::fabs(rows[r][col]) > 1e-9 &&
            (best == rows.size() || std::fabs(rows[r][col]) > std::fabs(rows[best][col]))) {
          best = r;
        }
      }
      if (best == rows.size()) continue;
      std::swap(rows[rank], rows[best]);
      const double scale = rows[rank][col];
      for (double& v : rows[rank]) v /= scale;
      for (size_t r = 0; r < rows.size(); ++r) {
        if (r == rank || std::fabs(rows[r][col]) <= 1e-9) continue;
        const double factor = rows[r][col];
        for (size_t c = 0; c < w; ++c) rows[r][c] -= factor * rows[rank][c];
      }
      pivots.push_back(col);
      ++rank;
    }
    for (size_t r = 0; r < rank; ++r) {
      bool unit = true;
      for (size_t c = 0; c < w; ++c) {
        if (c != pivots[r] && std::fabs(rows[r][c]) > 1e-9) unit = false;
      }
      const Cell& cell = cells_[unknown[pivots[r]]];
      const bool sensitive = cell.figure != nullptr || (cell.value > 0 && cell.value < kThreshold);
      EXPECT_FALSE(unit && sensitive)
          << cell.name << " = " << cell.value << " can be worked out from the shown figures";
    }
  }

  static void ExpectFigure(const std::string& name, const ov1::Figure& f, ov1::FigureState state,
                           double value, double tolerance = 1e-6) {
    EXPECT_EQ(f.state(), state) << name << " is " << ov1::FigureState_Name(f.state())
                                << ", expected " << ov1::FigureState_Name(state) << " (value "
                                << value << ")";
    if (f.state() == ov1::FIGURE_STATE_SHOWN && state == ov1::FIGURE_STATE_SHOWN) {
      EXPECT_NEAR(f.value(), value, tolerance) << name;
    }
    if (f.state() != ov1::FIGURE_STATE_SHOWN) EXPECT_EQ(f.value(), 0) << name;
  }

  static bool Withheld(const ov1::Figure& f) { return f.state() == ov1::FIGURE_STATE_SUPPRESSED; }

  // A share: NO_DATA without a denominator, withheld with either count, else 100 x c / d.
  static void ExpectShare(const std::string& name, const ov1::Figure& f, int count,
                          const ov1::Figure& count_figure, int denominator,
                          bool denominator_withheld) {
    ov1::FigureState state = denominator == 0 ? ov1::FIGURE_STATE_NO_DATA
                             : Withheld(count_figure) || denominator_withheld
                                 ? ov1::FIGURE_STATE_SUPPRESSED
                                 : ov1::FIGURE_STATE_SHOWN;
    ExpectFigure(name, f, state, denominator ? 100.0 * count / denominator : 0);
  }
  // A mean or interval: NO_DATA without n, withheld when n is below the threshold or withheld.
  static ov1::FigureState MeanState(int n, bool n_withheld) {
    if (n == 0) return ov1::FIGURE_STATE_NO_DATA;
    if (n < kThreshold || n_withheld) return ov1::FIGURE_STATE_SUPPRESSED;
    return ov1::FIGURE_STATE_SHOWN;
  }

  void CheckDerived() {
    const Truth& t = t_;
    ExpectShare("completion_share", got_.completion_share(), t.completed, got_.completed(),
                t.participants, Withheld(got_.participants()));
    ExpectFigure("attendance_mean", got_.attendance_mean(), MeanState(t.attendance_n, false),
                 t.attendance_mean);
    ExpectShare("attendance_at_least_80_share", got_.attendance_at_least_80_share(), t.at_least_80,
                got_.attendance_at_least_80(), t.attendance_n, false);
    for (auto [name, c, f] :
         {std::tuple("who5", &t.who5, &got_.who5()), std::tuple("wai", &t.wai, &got_.wai())}) {
      std::string n = name;
      ExpectFigure(n + ".baseline_mean", f->baseline_mean(),
                   MeanState(c->baseline_n, Withheld(f->baseline_n())), c->baseline_mean);
      ExpectFigure(n + ".end_mean", f->end_mean(), MeanState(c->end_n, Withheld(f->end_n())),
                   c->end_mean);
      const ov1::FigureState paired = MeanState(c->paired_n, Withheld(f->paired_n()));
      ExpectFigure(n + ".mean_change", f->mean_change(), paired, c->mean_change);
      // The interval against the test's t table (6 decimals).
      ExpectFigure(n + ".change_ci_low", f->change_ci_low(), paired, c->ci_low, 1e-4);
      ExpectFigure(n + ".change_ci_high", f->change_ci_high(), paired, c->ci_high, 1e-4);
      if (n == "who5") {
        ExpectShare("who5.improved_share", f->improved_share(), c->improved, f->improved(),
                    c->paired_n, Withheld(f->paired_n()));
        ExpectShare("who5.moved_above_50_share", f->moved_above_50_share(), c->moved,
                    f->moved_above_50(), c->at_most_50, Withheld(f->baseline_at_most_50()));
      } else {
        for (const ov1::Figure* x :
             {&f->improved(), &f->improved_share(), &f->baseline_at_most_50(), &f->moved_above_50(),
              &f->moved_above_50_share()}) {
          ExpectFigure("wai: a WHO-5-only figure", *x, ov1::FIGURE_STATE_NO_DATA, 0);
        }
      }
    }
    for (auto [name, e, f] :
         {std::tuple("employment_1m", &t.employment_1m, &got_.employment_1m()),
          std::tuple("employment_12m", &t.employment_12m, &got_.employment_12m())}) {
      std::string n = name;
      EXPECT_EQ(f->time_point(),
                n == "employment_1m" ? ov1::TIME_POINT_FOLLOWUP_1M : ov1::TIME_POINT_FOLLOWUP_12M);
      const bool r_withheld = Withheld(f->responders());
      for (int s = 1; s <= 8; ++s) {
        auto es = static_cast<ov1::EmploymentStatus>(s);
        const ov1::StatusFigure& sf = StatusOf(*f, es);
        ExpectShare(absl::StrCat(n, ".", ov1::EmploymentStatus_Name(es), ".share"), sf.share(),
                    e->by_status[s], sf.count(), e->responders, r_withheld);
      }
      ExpectShare(n + ".oriented_share", f->oriented_share(), e->oriented, f->oriented(),
                  e->responders, r_withheld);
      ExpectShare(n + ".ordinary_or_education_share", f->ordinary_or_education_share(),
                  e->ordinary_or_education, f->ordinary_or_education(), e->responders, r_withheld);
    }
    CheckTargets();
  }

  void CheckTargets() {
    const Truth& t = t_;
    struct Want {
      const char* name;
      const ov1::Figure* figure;
      double n;
      double value;
      double threshold;
    };
    const Want wants[] = {
        {"attendance", &got_.attendance_mean(), double(t.attendance_n), t.attendance_mean, 80},
        {"who5_change", &got_.who5().mean_change(), double(t.who5.paired_n), t.who5.mean_change,
         10},
        {"employment_1m", &got_.employment_1m().oriented_share(),
         double(t.employment_1m.responders),
         t.employment_1m.responders ? 100.0 * t.employment_1m.oriented / t.employment_1m.responders
                                    : 0,
         100.0 / 3},
        {"employment_12m", &got_.employment_12m().ordinary_or_education_share(),
         double(t.employment_12m.responders),
         t.employment_12m.responders
             ? 100.0 * t.employment_12m.ordinary_or_education / t.employment_12m.responders
             : 0,
         10},
    };
    ASSERT_EQ(got_.targets_size(), 4);
    for (size_t i = 0; i < 4; ++i) {
      const ov1::TargetResult& r = got_.targets(static_cast<int>(i));
      const Want& w = wants[i];
      SCOPED_TRACE(w.name);
      EXPECT_EQ(r.target(), w.name);
      EXPECT_NEAR(r.threshold(), w.threshold, 1e-9);
      EXPECT_FALSE(r.description().empty());
      ov1::TargetState want = w.figure->state() != ov1::FIGURE_STATE_SHOWN || w.n < kThreshold
                                  ? ov1::TARGET_STATE_NOT_ENOUGH_DATA
                              : w.value >= w.threshold - 1e-9 ? ov1::TARGET_STATE_MET
                                                              : ov1::TARGET_STATE_NOT_MET;
      EXPECT_EQ(r.state(), want) << w.name << ": " << ov1::TargetState_Name(r.state()) << ", value "
                                 << w.value;
      EXPECT_EQ(r.value().state(), w.figure->state());
      EXPECT_EQ(r.value().value(), w.figure->value());
    }
  }

  const ov1::OutcomeReport& got_;
  const Truth& t_;
  std::vector<Cell> cells_;
  std::vector<std::pair<int, std::vector<int>>> sums_;
  int attendance_n_ = -1;
};

ov1::TargetState TargetState(const ov1::OutcomeReport& r, const std::string& name) {
  for (const auto& t : r.targets()) {
    if (t.target() == name) return t.state();
  }
  return ov1::TARGET_STATE_UNSPECIFIED;
}

// The committees' CSV ("section,figure,value,state", CRLF) carries the program's figures as
// the test computed them; a withheld figure prints no value.
std::string OneDecimal(double v) {
  std::string s = absl::StrFormat("%.1f", v);
  if (absl::EndsWith(s, ".0")) s.resize(s.size() - 2);
  return s;
}

void ExpectCsvCarries(const std::string& csv, const Truth& t) {
  std::map<std::pair<std::string, std::string>, std::pair<std::string, std::string>> rows;
  int suppressed = 0;
  for (absl::string_view line : absl::StrSplit(csv, "\r\n", absl::SkipEmpty())) {
    std::vector<std::string> f = absl::StrSplit(line, ',');
    ASSERT_EQ(f.size(), 4u) << line;
    rows[{f[0], f[1]}] = {f[2], f[3]};
    if (f[3] == "suppressed") {
      ++suppressed;
      EXPECT_EQ(f[2], "") << line << ": a withheld figure must not print its value";
    }
  }
  auto expect = [&](const std::string& section, const std::string& figure, const std::string& value,
                    const std::string& state) {
    auto it = rows.find({section, figure});
    if (it == rows.end()) {
      ADD_FAILURE() << "CSV has no row " << section << "," << figure;
      return;
    }
    EXPECT_EQ(it->second, std::make_pair(value, state)) << section << "," << figure;
  };
  expect("section", "figure", "value", "state");
  expect("report", "municipality", "0165", "");
  expect("report", "program_id", kProgram, "");
  expect("report", "first_day", "2027-01-01", "");
  expect("report", "last_day", "2027-12-31", "");
  expect("report", "cohorts", "2", "");
  expect("report", "suppression_threshold", "5", "");
  expect("participation", "participants", absl::StrCat(t.participants), "shown");
  expect("participation", "completed", absl::StrCat(t.completed), "shown");
  expect("participation", "dropped_out", absl::StrCat(t.dropped_out), "shown");
  expect("participation", "completion_share", OneDecimal(100.0 * t.completed / t.participants),
         "shown");
  expect("attendance", "attendance_mean", OneDecimal(t.attendance_mean), "shown");
  expect("attendance", "attendance_at_least_80", absl::StrCat(t.at_least_80), "shown");
  expect("who5", "paired_n", absl::StrCat(t.who5.paired_n), "shown");
  expect("who5", "mean_change", OneDecimal(t.who5.mean_change), "shown");
  expect("who5", "change_ci_low", OneDecimal(t.who5.ci_low), "shown");
  expect("wai", "mean_change", OneDecimal(t.wai.mean_change), "shown");
  expect("employment_1m", "responders", absl::StrCat(t.employment_1m.responders), "shown");
  expect("employment_1m", "education", "", "suppressed");
  expect("employment_1m", "oriented", absl::StrCat(t.employment_1m.oriented), "shown");
  expect("employment_12m", "ordinary_or_education",
         absl::StrCat(t.employment_12m.ordinary_or_education), "shown");
  expect("employment_12m", "early_retirement", "", "suppressed");
  expect("employment_12m", "other", "0", "shown");
  const Funnel& fu = *t.funnel;
  expect("funnel", "referred", absl::StrCat(fu.referred), "shown");
  expect("funnel", "declined", "", "suppressed");
  expect("funnel", "withdrawn", "", "suppressed");
  expect("funnel", "jobcenter_referred",
         absl::StrCat(fu.by_source.at(intake::v1::REFERRAL_SOURCE_JOBCENTER).first), "shown");
  expect("funnel", "general_practitioner_enrolled",
         absl::StrCat(fu.by_source.at(intake::v1::REFERRAL_SOURCE_GENERAL_PRACTITIONER).second),
         "shown");
  expect("targets", "attendance", OneDecimal(t.attendance_mean), "not met");
  expect("targets", "employment_1m",
         OneDecimal(100.0 * t.employment_1m.oriented / t.employment_1m.responders), "met");
  EXPECT_GE(suppressed, 8);
}

// ---- The drop-out risk rule, for the expected flags
// ----------------------------------------------

// Replays the recorded marks in the order they were recorded and counts, per participant, how
// often a risk reason turned on while they were enrolled (the documented rule: two unexcused
// absences in a row among the non-excused marks, or a rate below 80 % after three sessions).
class RiskReplay {
 public:
  void Record(const std::string& referral_id, int index, char mark, bool enrolled) {
    std::map<int, char>& m = marks_[referral_id];
    if (mark == '-')
      m.erase(index);
    else
      m[index] = mark;
    std::set<int> now = Reasons(m);
    std::set<int>& before = reasons_[referral_id];
    bool turned_on = false;
    for (int r : now) turned_on = turned_on || !before.count(r);
    if (turned_on && enrolled) ++flags_[referral_id];
    before = now;
  }
  int flags(const std::string& id) const { return flags_.count(id) ? flags_.at(id) : 0; }
  int total() const {
    int n = 0;
    for (const auto& [id, f] : flags_) n += f;
    return n;
  }

 private:
  static std::set<int> Reasons(const std::map<int, char>& m) {
    std::set<int> out;
    std::vector<char> counted;
    int present = 0, absent = 0, recorded = 0;
    for (const auto& [i, c] : m) {
      ++recorded;
      if (c == 'P') ++present;
      if (c == 'A') ++absent;
      if (c != 'E') counted.push_back(c);
    }
    if (counted.size() >= 2 && counted[counted.size() - 1] == 'A' &&
        counted[counted.size() - 2] == 'A') {
      out.insert(ov1::RISK_REASON_TWO_ABSENCES_IN_A_ROW);
    }
    if (recorded >= 3 && present + absent > 0 &&
        static_cast<double>(present) / (present + absent) < 0.8) {
      out.insert(ov1::RISK_REASON_ATTENDANCE_BELOW_THRESHOLD);
    }
    return out;
  }
  std::map<std::string, std::map<int, char>> marks_;
  std::map<std::string, std::set<int>> reasons_;
  std::map<std::string, int> flags_;
};

// ---- The test ---------------------------------------------------------------------------------

class OutcomesCohortsTest : public OutcomesTest {
 protected:
  ov1::AttendanceMark Mark(char c) {
    return c == 'P'   ? ov1::ATTENDANCE_MARK_PRESENT
           : c == 'A' ? ov1::ATTENDANCE_MARK_ABSENT
                      : ov1::ATTENDANCE_MARK_EXCUSED;
  }

  ov1::RecordAttendanceRequest SessionRequest(int cohort, int index,
                                              std::map<std::string, char> overrides = {}) {
    const CohortPlan plan = Plan(cohort);
    ov1::RecordAttendanceRequest req;
    req.set_municipality(kM);
    req.set_session_id(plan.SessionId(index));
    for (const Person& p : People()) {
      if (p.cohort != cohort) continue;
      char c = overrides.count(p.id) ? overrides[p.id] : p.marks[index];
      if (c == '-') continue;
      ov1::AttendanceEntry* e = req.add_entries();
      e->set_referral_id(p.id);
      e->set_mark(Mark(c));
    }
    return req;
  }

  grpc::Status Record(const ov1::RecordAttendanceRequest& req, const std::string& token,
                      ov1::SessionAttendance* out = nullptr) {
    ov1::SessionAttendance ignored;
    Ctx c(token);
    return stub().RecordAttendance(&c.ctx, req, out ? out : &ignored);
  }

  // Records the session as the coordinator and replays it for the expected risk flags.
  void RecordSession(int cohort, int index, std::map<std::string, char> overrides = {},
                     const std::string& token = "", int64_t expected_version = 0) {
    ov1::RecordAttendanceRequest req = SessionRequest(cohort, index, overrides);
    req.set_expected_version(expected_version);
    ov1::SessionAttendance got;
    grpc::Status st = Record(req, token.empty() ? Token(Role::kCoordinator) : token, &got);
    ASSERT_TRUE(st.ok()) << req.session_id() << ": " << st.error_message();
    EXPECT_EQ(got.version(), expected_version + 1);
    EXPECT_EQ(got.session_index(), index);
    EXPECT_EQ(got.cohort_id(), Plan(cohort).cohort_id);
    for (const Person& p : People()) {
      if (p.cohort != cohort) continue;
      char c = overrides.count(p.id) ? overrides[p.id] : p.marks[index];
      risk_.Record(p.id, index, c, !(p.unenrolled && unenrolled_published_));
    }
  }

  grpc::Status SubmitWho5(const std::string& id, ov1::TimePoint tp, ov1::Who5Answers a,
                          ov1::Questionnaire* out = nullptr, const std::string& token = "") {
    ov1::SubmitQuestionnaireRequest req;
    req.set_municipality(kM);
    req.set_referral_id(id);
    req.set_time_point(tp);
    *req.mutable_who5() = std::move(a);
    return Submit(req, out, token);
  }
  grpc::Status SubmitWai(const std::string& id, ov1::TimePoint tp, ov1::WaiAnswers a,
                         ov1::Questionnaire* out = nullptr) {
    ov1::SubmitQuestionnaireRequest req;
    req.set_municipality(kM);
    req.set_referral_id(id);
    req.set_time_point(tp);
    *req.mutable_wai() = std::move(a);
    return Submit(req, out, "");
  }
  grpc::Status SubmitEmployment(const std::string& id, ov1::TimePoint tp, ov1::EmploymentStatus s) {
    ov1::SubmitQuestionnaireRequest req;
    req.set_municipality(kM);
    req.set_referral_id(id);
    req.set_time_point(tp);
    req.mutable_employment()->set_status(s);
    if (s == kOrd) req.mutable_employment()->set_weekly_hours(30);
    return Submit(req, nullptr, "");
  }
  grpc::Status Submit(const ov1::SubmitQuestionnaireRequest& req, ov1::Questionnaire* out,
                      const std::string& token) {
    ov1::Questionnaire ignored;
    // Citizen-facing forms submit with a service token.
    Ctx c(token.empty() ? Token(Role::kService, "e2e-citizen-forms") : token);
    return stub().SubmitQuestionnaire(&c.ctx, req, out ? out : &ignored);
  }

  std::vector<ov1::TimePointSchedule> Schedule(int cohort) {
    ov1::ListQuestionnaireScheduleRequest req;
    req.set_municipality(kM);
    req.set_cohort_id(Plan(cohort).cohort_id);
    ov1::ListQuestionnaireScheduleResponse resp;
    Ctx c(Token(Role::kService, "e2e-notify"));
    grpc::Status st = stub().ListQuestionnaireSchedule(&c.ctx, req, &resp);
    EXPECT_TRUE(st.ok()) << st.error_message();
    return {resp.schedule().begin(), resp.schedule().end()};
  }

  ov1::TimePointState StateOf(const std::string& id, ov1::TimePoint tp) {
    for (int cohort : {0, 1}) {
      for (const auto& s : Schedule(cohort)) {
        if (s.referral_id() == id && s.time_point() == tp) return s.state();
      }
    }
    return ov1::TIME_POINT_STATE_UNSPECIFIED;
  }

  // Events named `name` on KPR_OUTCOMES for time point `tp`, by referral id.
  std::map<std::string, int> ByReferral(const std::string& name, ov1::TimePoint tp) {
    std::map<std::string, int> out;
    for (const OutcomesEvent& e : OutcomesEvents(name)) {
      if (name == "questionnaire_due") {
        auto d = bus::UnpackEvent<ov1::QuestionnaireDue>(e.event);
        if (d.ok() && d->time_point() == tp) out[d->referral_id()]++;
      } else if (name == "questionnaire_overdue") {
        auto d = bus::UnpackEvent<ov1::QuestionnaireOverdue>(e.event);
        if (d.ok() && d->time_point() == tp) out[d->referral_id()]++;
      } else if (name == "questionnaire_closed") {
        auto d = bus::UnpackEvent<ov1::QuestionnaireClosed>(e.event);
        if (d.ok() && d->time_point() == tp) out[d->referral_id()]++;
      }
    }
    return out;
  }

  // Waits until `name` events for `tp` name exactly `ids` (once each).
  void ExpectTimePointEvents(const std::string& name, ov1::TimePoint tp,
                             const std::set<std::string>& ids) {
    std::map<std::string, int> want;
    for (const std::string& id : ids) want[id] = 1;
    std::map<std::string, int> got;
    Eventually([&] { return (got = ByReferral(name, tp)).size() >= want.size(); },
               absl::Seconds(60), absl::Milliseconds(200));
    absl::SleepFor(absl::Milliseconds(300));  // anything extra would show up now
    got = ByReferral(name, tp);
    EXPECT_EQ(got, want) << name << " " << ov1::TimePoint_Name(tp);
  }

  std::set<std::string> Ids(const std::function<bool(const Person&)>& pick) {
    std::set<std::string> out;
    for (const Person& p : People()) {
      if (pick(p)) out.insert(p.id);
    }
    return out;
  }

  ov1::OutcomeReport CohortReport(int cohort, const std::string& token) {
    ov1::GetCohortReportRequest req;
    req.set_municipality(kM);
    req.set_cohort_id(Plan(cohort).cohort_id);
    ov1::OutcomeReport r;
    Ctx c(token);
    grpc::Status st = stub().GetCohortReport(&c.ctx, req, &r);
    EXPECT_TRUE(st.ok()) << st.error_message();
    return r;
  }

  ov1::GetProgramReportRequest Year2027(const std::string& m = kM) {
    ov1::GetProgramReportRequest req;
    req.set_municipality(m);
    req.set_program_id(kProgram);
    req.mutable_from()->set_seconds(
        absl::ToUnixSeconds(Local(absl::CivilMinute(2027, 1, 1, 0, 0))));
    req.mutable_to()->set_seconds(absl::ToUnixSeconds(Local(absl::CivilMinute(2028, 1, 1, 0, 0))));
    return req;
  }

  void PublishReferralStatus(const FunnelReferral& r, int& version, rv1::ReferralStatus from,
                             rv1::ReferralStatus to) {
    ++version;
    rv1::ReferralStatusChanged changed;
    changed.set_referral_id(r.id);
    changed.set_citizen_id(CohortPlan::CitizenId(r.id));
    changed.set_source_system("e2e-fasit");
    changed.set_external_id("case-" + r.id);
    changed.set_from(from);
    changed.set_to(to);
    changed.set_version(version);
    changed.mutable_changed_at()->set_seconds(absl::ToUnixSeconds(Now()));
    const std::string prefix = absl::StrCat(r.id, ".v", version, ".");
    // kpr-referral also says accepted / declined / withdrawn; outcomes follows status_changed.
    if (to == rv1::REFERRAL_STATUS_ACCEPTED) {
      rv1::ReferralAccepted a;
      a.set_referral_id(r.id);
      a.set_version(version);
      ASSERT_TRUE(Publish("referral", "accepted", Envelope(prefix + "accepted", a)).ok());
    }
    ASSERT_TRUE(
        Publish("referral", "status_changed", Envelope(prefix + "status_changed", changed)).ok());
  }

  RiskReplay risk_;
  bool unenrolled_published_ = false;
  std::map<std::string, int> referral_versions_;
  std::map<std::string, rv1::ReferralStatus> referral_status_;
};

TEST_F(OutcomesCohortsTest, TwoCohortsThroughEventsTimersAndReportsFigureByFigure) {
  const std::string coordinator = Token(Role::kCoordinator);
  const CohortPlan c1 = Plan(0), c2 = Plan(1);

  // ---- The funnel: referrals received (and their status changes) as kpr-referral says them.
  const std::vector<FunnelReferral> referrals = Referrals();
  for (const FunnelReferral& r : referrals) {
    rv1::ReferralReceived received;
    received.set_referral_id(r.id);
    received.set_citizen_id(CohortPlan::CitizenId(r.id));
    received.set_source_system("e2e-fasit");
    received.set_external_id("case-" + r.id);
    received.set_source(r.source);
    received.mutable_received_at()->set_seconds(
        absl::ToUnixSeconds(Local(absl::CivilMinute(r.received) + 10 * 60)));
    received.set_version(1);
    ASSERT_TRUE(Publish("referral", "received", Envelope(r.id + ".v1.received", received)).ok());
    int& version = referral_versions_[r.id];
    version = 1;
    rv1::ReferralStatus from = rv1::REFERRAL_STATUS_RECEIVED;
    for (rv1::ReferralStatus to : r.path) {
      ASSERT_NO_FATAL_FAILURE(PublishReferralStatus(r, version, from, to));
      from = to;
    }
    referral_status_[r.id] = from;
  }

  // ---- Both cohorts planned, their participants enrolled, both started (kpr-scheduling's events).
  ASSERT_TRUE(PublishPlannedEnrolledStarted(c1).ok());
  ASSERT_TRUE(PublishPlannedEnrolledStarted(c2).ok());
  ASSERT_TRUE(WaitConsumersDrained());
  for (int cohort : {0, 1}) {
    std::vector<ov1::TimePointSchedule> s = Schedule(cohort);
    ASSERT_EQ(s.size(), cohort == 0 ? 8u : 9u) << "a BASELINE per participant";
    for (const auto& tp : s) {
      EXPECT_EQ(tp.time_point(), ov1::TIME_POINT_BASELINE);
      EXPECT_EQ(tp.state(), ov1::TIME_POINT_STATE_SCHEDULED);
      EXPECT_EQ(tp.opens_at().seconds(), absl::ToUnixSeconds(Plan(cohort).SessionStart(0)));
    }
  }
  // Nothing can be recorded before it happens.
  {
    grpc::Status st = Record(SessionRequest(0, 0), coordinator);
    EXPECT_EQ(st.error_code(), grpc::StatusCode::FAILED_PRECONDITION) << st.error_message();
    st = SubmitWho5("e2e-r01", ov1::TIME_POINT_BASELINE, Who5(10));
    EXPECT_EQ(st.error_code(), grpc::StatusCode::FAILED_PRECONDITION) << st.error_message();
  }

  // ---- 2 March, noon: both first sessions have begun, so BASELINE is due for everyone.
  SetClock(Local(absl::CivilMinute(2027, 3, 2, 12, 0)));
  ExpectTimePointEvents("questionnaire_due", ov1::TIME_POINT_BASELINE,
                        Ids([](const Person&) { return true; }));
  EXPECT_EQ(StateOf("e2e-r01", ov1::TIME_POINT_BASELINE), ov1::TIME_POINT_STATE_DUE);
  EXPECT_EQ(StateOf("e2e-r17", ov1::TIME_POINT_BASELINE), ov1::TIME_POINT_STATE_DUE);

  // Invalid answers are INVALID_ARGUMENT naming every bad item.
  {
    ov1::Who5Answers bad = Who5(12);
    bad.clear_calm();
    bad.set_active(7);
    grpc::Status st = SubmitWho5("e2e-r01", ov1::TIME_POINT_BASELINE, bad);
    EXPECT_EQ(st.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
    EXPECT_TRUE(absl::StrContains(st.error_message(), "who5.calm")) << st.error_message();
    EXPECT_TRUE(absl::StrContains(st.error_message(), "who5.active")) << st.error_message();
    EXPECT_FALSE(absl::StrContains(st.error_message(), "who5.cheerful")) << st.error_message();
    ov1::WaiAnswers wai = WaiAnswers('A');
    wai.set_prognosis(3);
    wai.clear_hopeful();
    st = SubmitWai("e2e-r01", ov1::TIME_POINT_BASELINE, wai);
    EXPECT_EQ(st.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
    EXPECT_TRUE(absl::StrContains(st.error_message(), "wai.prognosis")) << st.error_message();
    EXPECT_TRUE(absl::StrContains(st.error_message(), "wai.hopeful")) << st.error_message();
    // END is not open yet (it is not even scheduled before the course completes).
    st = SubmitWho5("e2e-r01", ov1::TIME_POINT_END, Who5(12));
    EXPECT_EQ(st.error_code(), grpc::StatusCode::FAILED_PRECONDITION) << st.error_message();
  }

  // BASELINE answers: WHO-5, WAI and employment status from everyone but r08 and r16. r02's
  // WHO-5 is first sent with 12 and then replaced (revision 2) by 13; one is sent by the
  // coordinator.
  for (const Person& p : People()) {
    if (p.who5_baseline < 0) continue;
    ov1::Questionnaire q;
    if (std::string(p.id) == "e2e-r02") {
      ASSERT_TRUE(SubmitWho5(p.id, ov1::TIME_POINT_BASELINE, Who5(12), &q).ok());
      EXPECT_EQ(q.revision(), 1);
    }
    grpc::Status st = SubmitWho5(p.id, ov1::TIME_POINT_BASELINE, Who5(p.who5_baseline), &q,
                                 std::string(p.id) == "e2e-r03" ? coordinator : "");
    ASSERT_TRUE(st.ok()) << p.id << ": " << st.error_message();
    EXPECT_EQ(q.score().who5_raw(), p.who5_baseline);
    EXPECT_EQ(q.score().who5_percentage(), 4 * p.who5_baseline);
    EXPECT_EQ(q.revision(), std::string(p.id) == "e2e-r02" ? 2 : 1);
    EXPECT_EQ(q.instrument(), ov1::INSTRUMENT_WHO5);
    st = SubmitWai(p.id, ov1::TIME_POINT_BASELINE, WaiAnswers(p.wai_baseline), &q);
    ASSERT_TRUE(st.ok()) << p.id << ": " << st.error_message();
    EXPECT_DOUBLE_EQ(q.score().wai_total(), Wai(p.wai_baseline).total) << p.id;
    EXPECT_EQ(q.score().wai_category(), Wai(p.wai_baseline).category) << p.id;
    ASSERT_TRUE(SubmitEmployment(p.id, ov1::TIME_POINT_BASELINE, kUnemp).ok());
  }
  EXPECT_EQ(StateOf("e2e-r01", ov1::TIME_POINT_BASELINE), ov1::TIME_POINT_STATE_ANSWERED);
  EXPECT_EQ(StateOf("e2e-r08", ov1::TIME_POINT_BASELINE), ov1::TIME_POINT_STATE_DUE);

  // The first sessions, as the coordinator. Naming someone who is not in the cohort is
  // INVALID_ARGUMENT naming the entry, and records nothing.
  {
    ov1::RecordAttendanceRequest req = SessionRequest(0, 0);
    ov1::AttendanceEntry* stranger = req.add_entries();
    stranger->set_referral_id("e2e-r99");
    stranger->set_mark(ov1::ATTENDANCE_MARK_PRESENT);
    grpc::Status st = Record(req, coordinator);
    EXPECT_EQ(st.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
    EXPECT_TRUE(absl::StrContains(st.error_message(), "entries[8].referral_id"))
        << st.error_message();
    // A participant of the other cohort is no participant of this one either.
    req = SessionRequest(0, 0);
    req.mutable_entries(0)->set_referral_id("e2e-r09");
    st = Record(req, coordinator);
    EXPECT_EQ(st.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
    EXPECT_TRUE(absl::StrContains(st.error_message(), "entries[0].referral_id"))
        << st.error_message();
  }
  ASSERT_NO_FATAL_FAILURE(RecordSession(0, 0));
  ASSERT_NO_FATAL_FAILURE(RecordSession(1, 0));

  // ---- 13 March: three more sessions each; BASELINE fell overdue for those who did not answer.
  SetClock(Local(absl::CivilMinute(2027, 3, 13, 12, 0)));
  for (int i = 1; i <= 3; ++i) {
    ASSERT_NO_FATAL_FAILURE(RecordSession(0, i));
    ASSERT_NO_FATAL_FAILURE(RecordSession(1, i));
  }
  ExpectTimePointEvents("questionnaire_overdue", ov1::TIME_POINT_BASELINE, {"e2e-r08", "e2e-r16"});
  EXPECT_EQ(StateOf("e2e-r08", ov1::TIME_POINT_BASELINE), ov1::TIME_POINT_STATE_OVERDUE);
  // r17 leaves the course (after its start: a drop-out whatever the attendance).
  ASSERT_TRUE(
      PublishScheduling("unenrolled", "e2e-c2:unenrolled:e2e-r17", c2.Unenrolled("e2e-r17")).ok());
  unenrolled_published_ = true;
  ASSERT_TRUE(WaitConsumersDrained());

  // ---- 9 April, 13:00: both courses have had their last session.
  SetClock(Local(absl::CivilMinute(2027, 4, 9, 13, 0)));
  // BASELINE closed for everyone still enrolled (r17 left: nothing more is asked of r17).
  ExpectTimePointEvents("questionnaire_closed", ov1::TIME_POINT_BASELINE,
                        Ids([](const Person& p) { return !p.unenrolled; }));
  {
    grpc::Status st = SubmitWho5("e2e-r08", ov1::TIME_POINT_BASELINE, Who5(10));
    EXPECT_EQ(st.error_code(), grpc::StatusCode::FAILED_PRECONDITION)
        << "late: " << st.error_message();
  }
  const std::string instructor2 = Token(Role::kInstructor, "e2e-instructor-2");
  for (int i = 4; i < kSessions; ++i) {
    // C1's last session is recorded wrongly first, then corrected, below.
    if (i < 11) ASSERT_NO_FATAL_FAILURE(RecordSession(0, i));
    // C2's sixth session is recorded by its instructor.
    ASSERT_NO_FATAL_FAILURE(RecordSession(1, i, {}, i == 5 ? instructor2 : ""));
  }
  {
    // An instructor records only the sessions they teach.
    grpc::Status st = Record(SessionRequest(0, 11), instructor2);
    EXPECT_EQ(st.error_code(), grpc::StatusCode::PERMISSION_DENIED) << st.error_message();
    ov1::GetAttendanceRequest req;
    req.set_municipality(kM);
    req.set_cohort_id(c2.cohort_id);
    ov1::GetAttendanceResponse resp;
    Ctx c(instructor2);
    ASSERT_TRUE(stub().GetAttendance(&c.ctx, req, &resp).ok());
    ASSERT_EQ(resp.sessions_size(), kSessions);
    EXPECT_EQ(resp.sessions(5).recorded_by(), "e2e-instructor-2");
  }
  // C1's last session: r03 marked PRESENT by mistake, then corrected to ABSENT (version 2).
  ASSERT_NO_FATAL_FAILURE(RecordSession(0, 11, {{"e2e-r03", 'P'}}));
  ASSERT_NO_FATAL_FAILURE(RecordSession(0, 11, {}, "", /*expected_version=*/1));
  {
    // A stale correction (naming version 1) is ABORTED; the same marks again change nothing.
    grpc::Status st = Record(SessionRequest(0, 11, {{"e2e-r05", 'P'}}), coordinator);
    EXPECT_EQ(st.error_code(), grpc::StatusCode::ABORTED) << st.error_message();
    ov1::RecordAttendanceRequest again = SessionRequest(0, 11);
    again.set_expected_version(1);
    ov1::SessionAttendance got;
    st = Record(again, coordinator, &got);
    ASSERT_TRUE(st.ok()) << st.error_message();
    EXPECT_EQ(got.version(), 2);
  }

  // The cohorts complete (kpr-scheduling says so): END is scheduled and opens at once (the last
  // sessions began this morning and yesterday); the follow-ups later.
  ASSERT_TRUE(PublishScheduling("cohort_completed", "e2e-c1:completed", c1.Completed()).ok());
  ASSERT_TRUE(PublishScheduling("cohort_completed", "e2e-c2:completed", c2.Completed()).ok());
  ASSERT_TRUE(WaitConsumersDrained());
  const std::set<std::string> enrolled = Ids([](const Person& p) { return !p.unenrolled; });
  ExpectTimePointEvents("questionnaire_due", ov1::TIME_POINT_END, enrolled);
  for (const Person& p : People()) {
    if (p.who5_end < 0) continue;
    ov1::Questionnaire q;
    ASSERT_TRUE(SubmitWho5(p.id, ov1::TIME_POINT_END, Who5(p.who5_end), &q).ok()) << p.id;
    ASSERT_TRUE(SubmitWai(p.id, ov1::TIME_POINT_END, WaiAnswers(p.wai_end), &q).ok()) << p.id;
    EXPECT_DOUBLE_EQ(q.score().wai_total(), Wai(p.wai_end).total);
  }
  {
    // Employment is not asked at END.
    grpc::Status st = SubmitEmployment("e2e-r01", ov1::TIME_POINT_END, kEmpl);
    EXPECT_EQ(st.error_code(), grpc::StatusCode::INVALID_ARGUMENT) << st.error_message();
  }
  // Before the settle delay nobody has an outcome yet.
  EXPECT_TRUE(OutcomesEvents("outcome_recorded").empty());
  {
    ov1::OutcomeReport r = CohortReport(0, coordinator);
    EXPECT_EQ(r.in_progress().state(), ov1::FIGURE_STATE_SHOWN);
    EXPECT_EQ(r.in_progress().value(), 8);
  }

  // ---- After the settle delay: each participant COMPLETED or DROPPED_OUT by the rule.
  SetClock(Local(absl::CivilMinute(2027, 4, 9, 15, 30)));
  ASSERT_TRUE(WaitOutcomesEvents("outcome_recorded", People().size()));
  {
    std::map<std::string, int> seen;
    for (const OutcomesEvent& e : OutcomesEvents("outcome_recorded")) {
      auto o = bus::UnpackEvent<ov1::OutcomeRecorded>(e.event);
      ASSERT_TRUE(o.ok());
      const Person* p = FindPerson(o->referral_id());
      ASSERT_NE(p, nullptr) << o->referral_id();
      seen[p->id]++;
      EXPECT_EQ(o->outcome(), Completes(*p) ? ov1::PARTICIPATION_OUTCOME_COMPLETED
                                            : ov1::PARTICIPATION_OUTCOME_DROPPED_OUT)
          << p->id << ": " << o->rule();
      EXPECT_EQ(o->sessions_held(), kSessions);
      EXPECT_EQ(o->sessions_attended(), RateOf(*p).present) << p->id;
      EXPECT_EQ(o->cohort_id(), Plan(p->cohort).cohort_id);
      EXPECT_EQ(o->program_id(), kProgram);
      EXPECT_EQ(o->citizen_id(), CohortPlan::CitizenId(p->id));
      EXPECT_FALSE(o->rule().empty());
    }
    EXPECT_EQ(seen.size(), People().size());
    for (const auto& [id, n] : seen) EXPECT_EQ(n, 1) << id;
  }
  // Attendance as coordinators see it.
  for (int cohort : {0, 1}) {
    ov1::GetAttendanceRequest req;
    req.set_municipality(kM);
    req.set_cohort_id(Plan(cohort).cohort_id);
    ov1::GetAttendanceResponse resp;
    Ctx c(coordinator);
    ASSERT_TRUE(stub().GetAttendance(&c.ctx, req, &resp).ok());
    ASSERT_EQ(resp.sessions_size(), kSessions);
    for (int i = 0; i < kSessions; ++i) {
      EXPECT_EQ(resp.sessions(i).session_index(), i);
      EXPECT_EQ(resp.sessions(i).version(), cohort == 0 && i == 11 ? 2 : 1);
    }
    EXPECT_EQ(resp.participants_size(), cohort == 0 ? 8 : 9);
    for (const auto& a : resp.participants()) {
      const Person* p = FindPerson(a.referral_id());
      ASSERT_NE(p, nullptr);
      Rate r = RateOf(*p);
      EXPECT_EQ(a.present(), r.present) << p->id;
      EXPECT_EQ(a.absent(), r.absent) << p->id;
      EXPECT_EQ(a.excused(), r.excused) << p->id;
      EXPECT_NEAR(a.attendance_rate(), r.rate.value_or(0), 1e-12) << p->id;
      EXPECT_EQ(a.outcome(), Completes(*p) ? ov1::PARTICIPATION_OUTCOME_COMPLETED
                                           : ov1::PARTICIPATION_OUTCOME_DROPPED_OUT)
          << p->id;
    }
  }
  // Drop-out risk flags, as the rule says they turn on.
  {
    std::map<std::string, int> flags;
    for (const OutcomesEvent& e : OutcomesEvents("drop_out_risk_flagged")) {
      auto f = bus::UnpackEvent<ov1::DropOutRiskFlagged>(e.event);
      ASSERT_TRUE(f.ok());
      flags[f->referral_id()]++;
      EXPECT_FALSE(f->reasons().empty());
    }
    for (const Person& p : People())
      EXPECT_EQ(flags[p.id], risk_.flags(p.id)) << p.id << " drop-out risk flags";
    EXPECT_GT(risk_.total(), 5);
  }
  // kpr-referral moves the referrals to COMPLETED / DROPPED_OUT on outcome_recorded.
  for (const FunnelReferral& r : referrals) {
    const Person* p = FindPerson(r.id);
    if (!p) continue;
    ASSERT_NO_FATAL_FAILURE(PublishReferralStatus(
        r, referral_versions_[r.id], rv1::REFERRAL_STATUS_ENROLLED,
        Completes(*p) ? rv1::REFERRAL_STATUS_COMPLETED : rv1::REFERRAL_STATUS_DROPPED_OUT));
  }

  // ---- 9 May: END closed (overdue first for whoever did not answer); FOLLOWUP_1M is due.
  SetClock(Local(absl::CivilMinute(2027, 5, 9, 12, 0)));
  ExpectTimePointEvents("questionnaire_due", ov1::TIME_POINT_FOLLOWUP_1M, enrolled);
  ExpectTimePointEvents("questionnaire_overdue", ov1::TIME_POINT_END,
                        {"e2e-r07", "e2e-r08", "e2e-r16"});
  ExpectTimePointEvents("questionnaire_closed", ov1::TIME_POINT_END, enrolled);
  {
    grpc::Status st = SubmitWai("e2e-r01", ov1::TIME_POINT_FOLLOWUP_1M, WaiAnswers('A'));
    EXPECT_EQ(st.error_code(), grpc::StatusCode::INVALID_ARGUMENT)
        << "WAI is not asked at FOLLOWUP_1M";
  }
  for (const Person& p : People()) {
    if (p.employment_1m == kNone) continue;
    ASSERT_TRUE(SubmitEmployment(p.id, ov1::TIME_POINT_FOLLOWUP_1M, p.employment_1m).ok()) << p.id;
    ASSERT_TRUE(SubmitWho5(p.id, ov1::TIME_POINT_FOLLOWUP_1M, Who5(16)).ok()) << p.id;
  }

  // ---- 9 April 2028: FOLLOWUP_1M closed; FOLLOWUP_12M is due.
  SetClock(Local(absl::CivilMinute(2028, 4, 9, 12, 0)));
  ExpectTimePointEvents("questionnaire_due", ov1::TIME_POINT_FOLLOWUP_12M, enrolled);
  ExpectTimePointEvents("questionnaire_overdue", ov1::TIME_POINT_FOLLOWUP_1M,
                        {"e2e-r08", "e2e-r16"});
  ExpectTimePointEvents("questionnaire_closed", ov1::TIME_POINT_FOLLOWUP_1M, enrolled);
  {
    grpc::Status st = SubmitEmployment("e2e-r08", ov1::TIME_POINT_FOLLOWUP_1M, kEmpl);
    EXPECT_EQ(st.error_code(), grpc::StatusCode::FAILED_PRECONDITION)
        << "closed: " << st.error_message();
  }
  for (const Person& p : People()) {
    if (p.employment_12m == kNone) continue;
    ASSERT_TRUE(SubmitEmployment(p.id, ov1::TIME_POINT_FOLLOWUP_12M, p.employment_12m).ok())
        << p.id;
    ASSERT_TRUE(SubmitWho5(p.id, ov1::TIME_POINT_FOLLOWUP_12M, Who5(17)).ok()) << p.id;
  }

  // ---- June 2028: everything has closed.
  SetClock(Local(absl::CivilMinute(2028, 6, 1, 12, 0)));
  ExpectTimePointEvents("questionnaire_overdue", ov1::TIME_POINT_FOLLOWUP_12M,
                        {"e2e-r07", "e2e-r08", "e2e-r16"});
  ExpectTimePointEvents("questionnaire_closed", ov1::TIME_POINT_FOLLOWUP_12M, enrolled);
  ASSERT_TRUE(WaitConsumersDrained());
  for (int cohort : {0, 1}) {
    for (const auto& s : Schedule(cohort))
      EXPECT_EQ(s.state(), ov1::TIME_POINT_STATE_CLOSED) << s.referral_id();
  }

  // Every event id is on KPR_OUTCOMES once, and the envelopes are well formed.
  {
    std::set<std::string> ids;
    std::vector<OutcomesEvent> all = OutcomesEvents();
    for (const OutcomesEvent& e : all) {
      EXPECT_TRUE(ids.insert(e.event.id()).second) << "twice: " << e.event.id();
      EXPECT_EQ(e.msg_id, e.event.id());
      EXPECT_EQ(e.event.municipality(), kM);
    }
    EXPECT_EQ(OutcomesEvents("questionnaire_due").size(), 17u + 3 * 16);
    EXPECT_EQ(OutcomesEvents("attendance_recorded").size(), 2u * kSessions + 1);
    // 15 x 3 at BASELINE (+1 replacement), 13 x 2 at END, 14 x 2 at 1 month, 13 x 2 at 12 months.
    EXPECT_EQ(OutcomesEvents("questionnaire_answered").size(), 45u + 1 + 26 + 28 + 26);
    // Events a staff call caused carry that call's correlation id, to follow it across services.
    for (const char* name : {"attendance_recorded", "questionnaire_answered"}) {
      for (const OutcomesEvent& e : OutcomesEvents(name)) {
        EXPECT_FALSE(e.event.correlation_id().empty()) << name << " " << e.event.id();
      }
    }
  }

  // ---- The reports, figure by figure.
  const std::string analyst = Token(Role::kAnalyst, "e2e-analyst");
  const ov1::OutcomeReport r1 = CohortReport(0, analyst);
  const ov1::OutcomeReport r2 = CohortReport(1, analyst);
  ov1::OutcomeReport program;
  {
    Ctx c(analyst);
    grpc::Status st = stub().GetProgramReport(&c.ctx, Year2027(), &program);
    ASSERT_TRUE(st.ok()) << st.error_message();
  }
  {
    SCOPED_TRACE("cohort 1");
    EXPECT_EQ(r1.cohort_id(), "e2e-c1");
    EXPECT_EQ(r1.program_id(), kProgram);
    EXPECT_EQ(r1.municipality(), kM);
    EXPECT_EQ(r1.cohorts(), 1);
    Truth t = TruthOf({0}, false);
    // 3 dropped out: withheld, and completed (5) with it, or it would follow from 8 - 0 - 5.
    ReportCheck(r1, t).Run({"completed"});
    EXPECT_EQ(r1.dropped_out().state(), ov1::FIGURE_STATE_SUPPRESSED);
    EXPECT_EQ(r1.participants().value(), 8);
    EXPECT_EQ(TargetState(r1, "attendance"), ov1::TARGET_STATE_NOT_MET);
    EXPECT_EQ(TargetState(r1, "who5_change"), ov1::TARGET_STATE_MET);
    EXPECT_EQ(TargetState(r1, "employment_1m"), ov1::TARGET_STATE_NOT_ENOUGH_DATA);
    EXPECT_EQ(TargetState(r1, "employment_12m"), ov1::TARGET_STATE_NOT_ENOUGH_DATA);
  }
  {
    SCOPED_TRACE("cohort 2");
    Truth t = TruthOf({1}, false);
    // 2 dropped out -> completed (7) withheld; 2 below 80 % (not printed) -> at least 80 % (7)
    // withheld.
    ReportCheck(r2, t).Run({"completed", "attendance_at_least_80"});
    EXPECT_EQ(r2.cohort_id(), "e2e-c2");
    EXPECT_EQ(TargetState(r2, "attendance"),
              ov1::TARGET_STATE_MET);  // r15's 8 of 10 counts as 80 %
    EXPECT_EQ(TargetState(r2, "who5_change"), ov1::TARGET_STATE_NOT_MET);
    EXPECT_EQ(TargetState(r2, "employment_1m"), ov1::TARGET_STATE_NOT_ENOUGH_DATA);
  }
  {
    SCOPED_TRACE("program 2027");
    Truth t = TruthOf({0, 1}, true);
    ReportCheck(program, t)
        .Run({"employment_1m.EMPLOYMENT_STATUS_EMPLOYMENT_ORIENTED_MEASURE",
              "employment_1m.EMPLOYMENT_STATUS_UNEMPLOYED_NO_MEASURE",
              "employment_12m.EMPLOYMENT_STATUS_ORDINARY_WORK",
              "employment_12m.EMPLOYMENT_STATUS_UNEMPLOYED_NO_MEASURE"});
    EXPECT_EQ(program.cohorts(), 2);
    EXPECT_EQ(program.program_id(), kProgram);
    EXPECT_TRUE(program.cohort_id().empty());
    EXPECT_EQ(program.participants().value(), 17);
    EXPECT_EQ(program.funnel().referred().value(), 30);
    EXPECT_EQ(program.funnel().declined().state(), ov1::FIGURE_STATE_SUPPRESSED);   // 4
    EXPECT_EQ(program.funnel().withdrawn().state(), ov1::FIGURE_STATE_SUPPRESSED);  // 2
    EXPECT_EQ(TargetState(program, "attendance"), ov1::TARGET_STATE_NOT_MET);
    EXPECT_EQ(TargetState(program, "who5_change"), ov1::TARGET_STATE_NOT_MET);
    EXPECT_EQ(TargetState(program, "employment_1m"), ov1::TARGET_STATE_MET);
    EXPECT_EQ(TargetState(program, "employment_12m"), ov1::TARGET_STATE_MET);
  }

  // The period takes cohorts by their first day, `from` included and `to` not: 1 March 2027
  // alone holds cohort 1's first session and not cohort 2's (2 March).
  {
    ov1::GetProgramReportRequest req = Year2027();
    req.mutable_from()->set_seconds(
        absl::ToUnixSeconds(Local(absl::CivilMinute(2027, 3, 1, 0, 0))));
    req.mutable_to()->set_seconds(absl::ToUnixSeconds(Local(absl::CivilMinute(2027, 3, 2, 0, 0))));
    ov1::OutcomeReport r;
    Ctx c(analyst);
    grpc::Status st = stub().GetProgramReport(&c.ctx, req, &r);
    ASSERT_TRUE(st.ok()) << st.error_message();
    EXPECT_EQ(r.cohorts(), 1);
    EXPECT_EQ(r.participants().value(), 8);
    EXPECT_EQ(r.funnel().referred().value(), 0) << "nothing was received in March";
  }

  // ---- The export carries the same figures.
  {
    ov1::ExportReportRequest req;
    *req.mutable_program() = Year2027();
    req.set_format(ov1::EXPORT_FORMAT_CSV);
    ov1::ExportReportResponse resp;
    Ctx c(analyst);
    grpc::Status st = stub().ExportReport(&c.ctx, req, &resp);
    ASSERT_TRUE(st.ok()) << st.error_message();
    EXPECT_TRUE(absl::StartsWith(resp.content_type(), "text/csv"));
    EXPECT_TRUE(absl::EndsWith(resp.filename(), ".csv")) << resp.filename();
    ExpectCsvCarries(resp.content(), TruthOf({0, 1}, true));
  }

  // ---- Who sees what.
  {
    // An analyst reads reports, never answers or attendance.
    ov1::GetQuestionnairesRequest req;
    req.set_municipality(kM);
    req.set_referral_id("e2e-r02");
    ov1::GetQuestionnairesResponse resp;
    {
      Ctx c(analyst);
      EXPECT_EQ(stub().GetQuestionnaires(&c.ctx, req, &resp).error_code(),
                grpc::StatusCode::PERMISSION_DENIED);
    }
    {
      ov1::GetAttendanceRequest a;
      a.set_municipality(kM);
      a.set_cohort_id(c1.cohort_id);
      ov1::GetAttendanceResponse ar;
      Ctx c(analyst);
      EXPECT_EQ(stub().GetAttendance(&c.ctx, a, &ar).error_code(),
                grpc::StatusCode::PERMISSION_DENIED);
    }
    // The coordinator reads r02's answers: the replaced WHO-5 is revision 2 with the new score.
    {
      Ctx c(coordinator);
      ASSERT_TRUE(stub().GetQuestionnaires(&c.ctx, req, &resp).ok());
    }
    bool found = false;
    for (const auto& q : resp.questionnaires()) {
      if (q.instrument() == ov1::INSTRUMENT_WHO5 && q.time_point() == ov1::TIME_POINT_BASELINE) {
        found = true;
        EXPECT_EQ(q.revision(), 2);
        EXPECT_EQ(q.score().who5_raw(), 13);
      }
    }
    EXPECT_TRUE(found);
    EXPECT_EQ(resp.schedule_size(), 4);

    // 0183's staff see nothing of 0165.
    const std::string c0183 = Token(Role::kCoordinator, "e2e-coordinator-0183", {"0183"});
    ov1::GetCohortReportRequest cr;
    cr.set_municipality(kM);
    cr.set_cohort_id(c1.cohort_id);
    ov1::OutcomeReport r;
    {
      Ctx c(c0183);
      EXPECT_EQ(stub().GetCohortReport(&c.ctx, cr, &r).error_code(),
                grpc::StatusCode::PERMISSION_DENIED);
    }
    {
      Ctx c(c0183);
      EXPECT_EQ(stub().GetQuestionnaires(&c.ctx, req, &resp).error_code(),
                grpc::StatusCode::PERMISSION_DENIED);
    }
    EXPECT_EQ(Record(SessionRequest(0, 1), c0183).error_code(),
              grpc::StatusCode::PERMISSION_DENIED);
    {
      Ctx c(Token(Role::kAnalyst, "e2e-analyst-0183", {"0183"}));
      EXPECT_EQ(stub().GetProgramReport(&c.ctx, Year2027(), &r).error_code(),
                grpc::StatusCode::PERMISSION_DENIED);
    }
    // Asking under their own code finds nothing of 0165's.
    cr.set_municipality("0183");
    {
      Ctx c(c0183);
      EXPECT_EQ(stub().GetCohortReport(&c.ctx, cr, &r).error_code(), grpc::StatusCode::NOT_FOUND);
    }
    {
      Ctx c(Token(Role::kAnalyst, "e2e-analyst-0183", {"0183"}));
      ASSERT_TRUE(stub().GetProgramReport(&c.ctx, Year2027("0183"), &r).ok());
      EXPECT_EQ(r.cohorts(), 0);
      EXPECT_EQ(r.participants().value(), 0);
      EXPECT_EQ(r.attendance_mean().state(), ov1::FIGURE_STATE_NO_DATA);
      EXPECT_EQ(r.funnel().referred().value(), 0);
      EXPECT_EQ(r.funnel().by_source_size(), 0);
    }
  }

  EXPECT_EQ(DeadLetters(), 0u) << "no scheduling or referral event may end as a dead letter";
}

}  // namespace
}  // namespace kpr::testing
