#include "tools/kprctl/outcomes_format.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <set>
#include <tuple>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "tools/kprctl/client_common.h"
#include "tools/kprctl/outcomes_args.h"
#include "tools/kprctl/text_table.h"

namespace kpr::kprctl {
namespace {

// An optional item: its value, or "?" when missing.
std::string Item(bool has, int value) { return has ? absl::StrCat(value) : "?"; }

// 37.0 -> "37", 37.5 -> "37.5".
std::string Number(double v) {
  if (std::fabs(v - std::round(v)) < 1e-9) return absl::StrFormat("%.0f", v);
  return absl::StrFormat("%.1f", v);
}

std::string InstrumentList(const google::protobuf::RepeatedField<int>& instruments) {
  std::vector<std::string> names;
  for (int i : instruments) names.push_back(InstrumentName(static_cast<ov1::Instrument>(i)));
  return absl::StrJoin(names, ",");
}

std::vector<const ov1::TimePointSchedule*> SortedSchedule(
    const google::protobuf::RepeatedPtrField<ov1::TimePointSchedule>& schedule) {
  std::vector<const ov1::TimePointSchedule*> out;
  for (const auto& s : schedule) out.push_back(&s);
  std::stable_sort(out.begin(), out.end(), [](const auto* a, const auto* b) {
    return std::make_tuple(a->referral_id(), static_cast<int>(a->time_point())) <
           std::make_tuple(b->referral_id(), static_cast<int>(b->time_point()));
  });
  return out;
}

std::string ScheduleTable(
    const google::protobuf::RepeatedPtrField<ov1::TimePointSchedule>& schedule,
    bool with_referral) {
  std::vector<std::string> header = {"TIME POINT", "STATE", "OPENS",   "OVERDUE FROM",
                                     "CLOSES",     "ASKED", "ANSWERED"};
  if (with_referral) header.insert(header.begin(), "REFERRAL");
  TextTable t(header);
  for (const auto* s : SortedSchedule(schedule)) {
    std::vector<std::string> row = {
        TimePointName(s->time_point()), TimePointStateName(s->state()),
        FormatTime(s->opens_at()),      FormatTime(s->overdue_at()),
        FormatTime(s->closes_at()),     InstrumentList(s->instruments()),
        InstrumentList(s->answered())};
    if (with_referral) row.insert(row.begin(), s->referral_id());
    t.AddRow(std::move(row));
  }
  return t.Render(2);
}

ov1::Instrument InstrumentOf(const ov1::Questionnaire& q) {
  if (q.instrument() != ov1::INSTRUMENT_UNSPECIFIED) return q.instrument();
  switch (q.answers_case()) {
    case ov1::Questionnaire::kWho5:
      return ov1::INSTRUMENT_WHO5;
    case ov1::Questionnaire::kWai:
      return ov1::INSTRUMENT_WORK_ABILITY_INDEX;
    case ov1::Questionnaire::kEmployment:
      return ov1::INSTRUMENT_EMPLOYMENT_STATUS;
    default:
      return ov1::INSTRUMENT_UNSPECIFIED;
  }
}

std::string AnswersText(const ov1::Questionnaire& q) {
  switch (q.answers_case()) {
    case ov1::Questionnaire::kWho5:
      return FormatWho5Answers(q.who5());
    case ov1::Questionnaire::kWai:
      return FormatWaiAnswers(q.wai());
    case ov1::Questionnaire::kEmployment:
      return FormatEmploymentAnswers(q.employment());
    default:
      return "";
  }
}

}  // namespace

// ---- Pieces -------------------------------------------------------------------------------

std::string MarkLetter(ov1::AttendanceMark mark) {
  switch (mark) {
    case ov1::ATTENDANCE_MARK_PRESENT:
      return "P";
    case ov1::ATTENDANCE_MARK_ABSENT:
      return "A";
    case ov1::ATTENDANCE_MARK_EXCUSED:
      return "E";
    default:
      return "-";
  }
}

std::string FormatRate(double rate) { return absl::StrCat(Number(rate * 100), " %"); }

std::string TimePointStateName(ov1::TimePointState state) {
  switch (state) {
    case ov1::TIME_POINT_STATE_SCHEDULED:
      return "scheduled";
    case ov1::TIME_POINT_STATE_DUE:
      return "due";
    case ov1::TIME_POINT_STATE_OVERDUE:
      return "overdue";
    case ov1::TIME_POINT_STATE_ANSWERED:
      return "answered";
    case ov1::TIME_POINT_STATE_CLOSED:
      return "closed";
    default:
      return "?";
  }
}

std::string RiskReasonName(ov1::RiskReason reason) {
  switch (reason) {
    case ov1::RISK_REASON_TWO_ABSENCES_IN_A_ROW:
      return "two absences in a row";
    case ov1::RISK_REASON_ATTENDANCE_BELOW_THRESHOLD:
      return "attendance below target";
    default:
      return "?";
  }
}

std::string ParticipationOutcomeName(ov1::ParticipationOutcome outcome) {
  switch (outcome) {
    case ov1::PARTICIPATION_OUTCOME_COMPLETED:
      return "completed";
    case ov1::PARTICIPATION_OUTCOME_DROPPED_OUT:
      return "dropped out";
    default:
      return "";
  }
}

std::string InstrumentTitle(ov1::Instrument instrument) {
  switch (instrument) {
    case ov1::INSTRUMENT_WHO5:
      return "WHO-5";
    case ov1::INSTRUMENT_WORK_ABILITY_INDEX:
      return "WAI";
    case ov1::INSTRUMENT_EMPLOYMENT_STATUS:
      return "employment status";
    default:
      return "questionnaire";
  }
}

std::string FormatWho5Answers(const ov1::Who5Answers& a) {
  return absl::StrJoin({Item(a.has_cheerful(), a.cheerful()), Item(a.has_calm(), a.calm()),
                        Item(a.has_active(), a.active()), Item(a.has_rested(), a.rested()),
                        Item(a.has_interested(), a.interested())},
                       ",");
}

std::string FormatWaiAnswers(const ov1::WaiAnswers& a) {
  std::vector<std::string> items = {
      absl::StrCat("current=", Item(a.has_current_work_ability(), a.current_work_ability())),
      absl::StrCat("demands=", WorkDemandsName(a.work_demands())),
      absl::StrCat("physical=",
                   Item(a.has_physical_demands_ability(), a.physical_demands_ability())),
      absl::StrCat("mental=", Item(a.has_mental_demands_ability(), a.mental_demands_ability())),
      absl::StrCat("diseases=", Item(a.has_diagnosed_diseases(), a.diagnosed_diseases())),
      absl::StrCat("impairment=", Item(a.has_work_impairment(), a.work_impairment())),
      absl::StrCat("sick_leave=", Item(a.has_sick_leave(), a.sick_leave())),
      absl::StrCat("prognosis=", Item(a.has_prognosis(), a.prognosis())),
      absl::StrCat("enjoy=", Item(a.has_enjoy_daily_activities(), a.enjoy_daily_activities())),
      absl::StrCat("alert=", Item(a.has_active_and_alert(), a.active_and_alert())),
      absl::StrCat("hopeful=", Item(a.has_hopeful(), a.hopeful())),
  };
  return absl::StrJoin(items, ",");
}

std::string FormatEmploymentAnswers(const ov1::EmploymentAnswers& a) {
  std::string out = EmploymentStatusName(a.status());
  if (a.has_weekly_hours()) absl::StrAppend(&out, ",hours=", a.weekly_hours());
  return out;
}

std::string FormatScore(const ov1::Questionnaire& q) {
  const ov1::Score& s = q.score();
  switch (InstrumentOf(q)) {
    case ov1::INSTRUMENT_WHO5: {
      std::string band;
      switch (s.who5_band()) {
        case ov1::WHO5_BAND_HIGH_RISK:
          band = ", high risk";
          break;
        case ov1::WHO5_BAND_RISK:
          band = ", risk";
          break;
        case ov1::WHO5_BAND_NORMAL:
          band = ", normal";
          break;
        default:
          break;
      }
      return absl::StrCat(s.who5_percentage(), " % (raw ", s.who5_raw(), band,
                          s.who5_screen_for_depression() ? "; screen for depression" : "", ")");
    }
    case ov1::INSTRUMENT_WORK_ABILITY_INDEX: {
      std::string category;
      switch (s.wai_category()) {
        case ov1::WAI_CATEGORY_POOR:
          category = " (poor)";
          break;
        case ov1::WAI_CATEGORY_MODERATE:
          category = " (moderate)";
          break;
        case ov1::WAI_CATEGORY_GOOD:
          category = " (good)";
          break;
        case ov1::WAI_CATEGORY_EXCELLENT:
          category = " (excellent)";
          break;
        default:
          break;
      }
      return absl::StrCat(Number(s.wai_total()), category);
    }
    default:
      return "";
  }
}

// ---- Attendance ---------------------------------------------------------------------------

std::string FormatRecordedAttendance(const ov1::SessionAttendance& s) {
  int counts[4] = {0, 0, 0, 0};
  for (const auto& e : s.entries()) {
    int m = static_cast<int>(e.mark());
    if (m >= 0 && m < 4) ++counts[m];
  }
  std::string where = s.cohort_id().empty() ? "" : absl::StrCat(" of cohort ", s.cohort_id());
  std::string when = s.day().empty() ? "" : absl::StrCat(" (", s.day(), ")");
  return absl::StrCat(
      "Recorded session ", s.session_id(), where, when, ": ", counts[ov1::ATTENDANCE_MARK_PRESENT],
      " present, ", counts[ov1::ATTENDANCE_MARK_ABSENT], " absent, ",
      counts[ov1::ATTENDANCE_MARK_EXCUSED], " excused (version ", s.version(), ").\n");
}

std::string FormatAttendance(const ov1::GetAttendanceResponse& r) {
  size_t at_risk = std::count_if(r.participants().begin(), r.participants().end(),
                                 [](const ov1::ParticipantAttendance& p) { return p.at_risk(); });
  std::string out = absl::StrCat("Attendance of cohort ", r.cohort_id(), ": ",
                                 Plural(r.sessions_size(), "session", "sessions"), " recorded, ",
                                 Plural(r.participants_size(), "participant", "participants"), ", ",
                                 at_risk, " at risk.\n");
  if (!r.sessions().empty()) {
    TextTable sessions({"#", "DAY", "SESSION", "V", "RECORDED", "BY"});
    sessions.AlignRight(0);
    sessions.AlignRight(3);
    for (const auto& s : r.sessions()) {
      sessions.AddRow({absl::StrCat(s.session_index() + 1), s.day(), s.session_id(),
                       absl::StrCat(s.version()), FormatTime(s.recorded_at()), s.recorded_by()});
    }
    absl::StrAppend(&out, "\n", sessions.Render(2));
  }
  if (r.participants().empty()) return out;

  // (session position, referral) -> mark.
  std::vector<std::map<std::string, ov1::AttendanceMark>> marks(r.sessions_size());
  std::vector<std::string> extra;  // marked but not listed as participants
  std::set<std::string> listed;
  for (const auto& p : r.participants()) listed.insert(p.referral_id());
  for (int i = 0; i < r.sessions_size(); ++i) {
    for (const auto& e : r.sessions(i).entries()) {
      marks[i][e.referral_id()] = e.mark();
      if (!listed.count(e.referral_id())) {
        listed.insert(e.referral_id());
        extra.push_back(e.referral_id());
      }
    }
  }
  std::vector<std::string> header = {"REFERRAL"};
  for (const auto& s : r.sessions()) header.push_back(absl::StrCat(s.session_index() + 1));
  for (const char* h : {"PRESENT", "ABSENT", "EXCUSED", "RATE", "OUTCOME", "AT RISK"}) {
    header.push_back(h);
  }
  TextTable grid(header);
  const size_t first_count = 1 + r.sessions_size();
  for (size_t c = 1; c < first_count + 4; ++c) grid.AlignRight(c);
  auto mark_cells = [&](const std::string& referral, std::vector<std::string>& row) {
    for (const auto& m : marks) {
      auto it = m.find(referral);
      row.push_back(it == m.end() ? "-" : MarkLetter(it->second));
    }
  };
  for (const auto& p : r.participants()) {
    std::vector<std::string> row = {p.referral_id()};
    mark_cells(p.referral_id(), row);
    std::vector<std::string> reasons;
    for (int reason : p.risk_reasons()) {
      reasons.push_back(RiskReasonName(static_cast<ov1::RiskReason>(reason)));
    }
    std::string risk = p.at_risk() ? (reasons.empty() ? "yes" : absl::StrJoin(reasons, ", ")) : "";
    // The rate counts present and absent only; with neither there is no rate yet.
    std::string rate = p.present() + p.absent() > 0 ? FormatRate(p.attendance_rate()) : "-";
    for (std::string cell :
         {absl::StrCat(p.present()), absl::StrCat(p.absent()), absl::StrCat(p.excused()), rate,
          ParticipationOutcomeName(p.outcome()), risk}) {
      row.push_back(std::move(cell));
    }
    grid.AddRow(std::move(row));
  }
  for (const auto& referral : extra) {
    std::vector<std::string> row = {referral};
    mark_cells(referral, row);
    grid.AddRow(std::move(row));
  }
  absl::StrAppend(&out, "\n", grid.Render(2));
  if (!extra.empty()) {
    absl::StrAppend(&out, "(", absl::StrJoin(extra, ", "), extra.size() == 1 ? " is" : " are",
                    " marked in a session but not listed as a participant)\n");
  }
  return out;
}

// ---- Questionnaires -----------------------------------------------------------------------

std::string FormatSchedule(const std::string& cohort_id,
                           const ov1::ListQuestionnaireScheduleResponse& r) {
  if (r.schedule().empty()) {
    return absl::StrCat("No questionnaire time points for cohort ", cohort_id, ".\n");
  }
  std::map<int, int> by_state;
  std::set<std::string> referrals;
  for (const auto& s : r.schedule()) {
    ++by_state[s.state()];
    referrals.insert(s.referral_id());
  }
  std::vector<std::string> counts;
  for (const auto& [state, n] : by_state) {
    counts.push_back(
        absl::StrCat(n, " ", TimePointStateName(static_cast<ov1::TimePointState>(state))));
  }
  return absl::StrCat("Questionnaires of cohort ", cohort_id, ": ",
                      Plural(referrals.size(), "participant", "participants"), "; ",
                      absl::StrJoin(counts, ", "), ".\n", ScheduleTable(r.schedule(), true));
}

std::string FormatSubmitted(const ov1::Questionnaire& q) {
  std::string out = absl::StrCat("Saved ", InstrumentTitle(InstrumentOf(q)), " at ",
                                 TimePointName(q.time_point()), " for referral ", q.referral_id(),
                                 ": revision ", q.revision());
  if (q.revision() > 1) absl::StrAppend(&out, " (replaces the earlier answer)");
  if (q.has_submitted_at()) absl::StrAppend(&out, ", ", FormatTime(q.submitted_at()));
  if (!q.submitted_by().empty()) absl::StrAppend(&out, " by ", q.submitted_by());
  return absl::StrCat(out, ".\n");
}

ov1::Questionnaire WithoutAnswers(const ov1::Questionnaire& q) {
  ov1::Questionnaire out = q;
  if (out.instrument() == ov1::INSTRUMENT_UNSPECIFIED) out.set_instrument(InstrumentOf(q));
  out.clear_answers();
  out.clear_score();
  return out;
}

std::string FormatQuestionnaires(const std::string& referral_id,
                                 const ov1::GetQuestionnairesResponse& r) {
  std::string out = absl::StrCat("Questionnaires of referral ", referral_id,
                                 " (health data: keep it to yourself).\n");
  if (r.questionnaires().empty()) {
    absl::StrAppend(&out, "No answers yet.\n");
  } else {
    std::vector<const ov1::Questionnaire*> sorted;
    for (const auto& q : r.questionnaires()) sorted.push_back(&q);
    std::stable_sort(sorted.begin(), sorted.end(), [](const auto* a, const auto* b) {
      return std::make_tuple(static_cast<int>(a->time_point()),
                             static_cast<int>(InstrumentOf(*a))) <
             std::make_tuple(static_cast<int>(b->time_point()), static_cast<int>(InstrumentOf(*b)));
    });
    TextTable t({"TIME POINT", "INSTRUMENT", "SUBMITTED", "BY", "REV", "SCORE", "ANSWERS"});
    t.AlignRight(4);
    for (const auto* q : sorted) {
      t.AddRow({TimePointName(q->time_point()), InstrumentName(InstrumentOf(*q)),
                FormatTime(q->submitted_at()), q->submitted_by(), absl::StrCat(q->revision()),
                FormatScore(*q), AnswersText(*q)});
    }
    absl::StrAppend(&out, "\n", t.Render(2));
  }
  if (!r.schedule().empty()) {
    absl::StrAppend(&out, "\nSchedule:\n", ScheduleTable(r.schedule(), false));
  }
  return out;
}

// ---- Reports ------------------------------------------------------------------------------

std::string FormatReportWritten(const std::string& path, const ov1::ExportReportResponse& r) {
  std::string type = r.content_type().empty() ? "" : absl::StrCat(r.content_type(), ", ");
  return absl::StrCat("Wrote ", path, " (", type, Plural(r.content().size(), "byte", "bytes"),
                      ").\n");
}

}  // namespace kpr::kprctl
