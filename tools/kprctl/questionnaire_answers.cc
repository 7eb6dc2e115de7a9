#include "tools/kprctl/questionnaire_answers.h"

#include <climits>
#include <optional>
#include <set>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "tools/kprctl/short_enum.h"
#include "tools/kprctl/value_args.h"

namespace kpr::kprctl {
namespace {

std::string Lower(const std::string& s) {
  return absl::AsciiStrToLower(absl::StripAsciiWhitespace(s));
}

// A whole number in [min, max] (no sign, no blanks), or nullopt.
std::optional<int> SmallInt(const std::string& s, int min, int max) {
  if (s.empty() || s.size() > 9) return std::nullopt;
  int v = 0;
  for (char c : s) {
    if (!absl::ascii_isdigit(static_cast<unsigned char>(c))) return std::nullopt;
    v = v * 10 + (c - '0');
  }
  if (v < min || v > max) return std::nullopt;
  return v;
}

std::string RangeText(int min, int max) {
  return max == INT_MAX ? absl::StrCat(min, " or more") : absl::StrCat(min, "..", max);
}

// "key=value" -> {key, value}, both stripped; nullopt without '='.
std::optional<std::pair<std::string, std::string>> KeyValue(absl::string_view item) {
  size_t eq = item.find('=');
  if (eq == absl::string_view::npos) return std::nullopt;
  return std::make_pair(Lower(std::string(item.substr(0, eq))),
                        std::string(absl::StripAsciiWhitespace(item.substr(eq + 1))));
}

constexpr const char* kWho5Items[] = {"cheerful", "calm", "active", "rested", "interested"};

// The WAI's numeric items in questionnaire order (work_demands is handled apart).
struct WaiItem {
  const char* key;
  const char* field;
  int min;
  int max;
  void (ov1::WaiAnswers::*set)(int32_t);
};

const std::vector<WaiItem>& WaiItems() {
  static const auto* items = new std::vector<WaiItem>{
      {"current", "current_work_ability", 0, 10, &ov1::WaiAnswers::set_current_work_ability},
      {"physical", "physical_demands_ability", 1, 5,
       &ov1::WaiAnswers::set_physical_demands_ability},
      {"mental", "mental_demands_ability", 1, 5, &ov1::WaiAnswers::set_mental_demands_ability},
      {"diseases", "diagnosed_diseases", 0, INT_MAX, &ov1::WaiAnswers::set_diagnosed_diseases},
      {"impairment", "work_impairment", 1, 6, &ov1::WaiAnswers::set_work_impairment},
      {"sick_leave", "sick_leave", 1, 5, &ov1::WaiAnswers::set_sick_leave},
      {"prognosis", "prognosis", 1, 7, &ov1::WaiAnswers::set_prognosis},
      {"enjoy", "enjoy_daily_activities", 0, 4, &ov1::WaiAnswers::set_enjoy_daily_activities},
      {"alert", "active_and_alert", 0, 4, &ov1::WaiAnswers::set_active_and_alert},
      {"hopeful", "hopeful", 0, 4, &ov1::WaiAnswers::set_hopeful},
  };
  return *items;
}

}  // namespace

absl::StatusOr<ov1::Who5Answers> ParseWho5(const std::string& value, const std::string& flag) {
  std::vector<std::string> parts = absl::StrSplit(value, ',');
  if (parts.size() != 5) {
    // The count only: the answers themselves are health data.
    return FlagError(flag,
                     absl::StrCat("expected five answers 0..5 (cheerful, calm, active, rested, "
                                  "interested) like 3,3,2,2,3, got ",
                                  parts.size()));
  }
  int answers[5];
  for (size_t i = 0; i < 5; ++i) {
    std::string item(absl::StripAsciiWhitespace(parts[i]));
    auto v = SmallInt(item, 0, 5);
    if (!v) {
      return FlagError(flag, absl::StrCat("answer ", i + 1, " (", kWho5Items[i],
                                          ") must be 0..5, got '", item, "'"));
    }
    answers[i] = *v;
  }
  ov1::Who5Answers w;
  w.set_cheerful(answers[0]);
  w.set_calm(answers[1]);
  w.set_active(answers[2]);
  w.set_rested(answers[3]);
  w.set_interested(answers[4]);
  return w;
}

absl::StatusOr<ov1::WaiAnswers> ParseWai(const std::string& value, const std::string& flag) {
  std::string keys = "demands";
  for (const auto& item : WaiItems()) absl::StrAppend(&keys, " ", item.key);
  ov1::WaiAnswers w;
  std::set<std::string> seen;
  for (absl::string_view part : absl::StrSplit(value, ',')) {
    auto kv = KeyValue(part);
    if (!kv) {
      return FlagError(flag,
                       absl::StrCat("expected key=value items like current=7,demands=mental, got '",
                                    absl::StripAsciiWhitespace(part), "'"));
    }
    auto [key, v] = *kv;
    if (key == "demands" || key == "work_demands") {
      if (!seen.insert("demands").second) return FlagError(flag, "demands given twice");
      auto d = ParseShortEnum<ov1::WorkDemands>(v, ov1::WorkDemands_Parse, "WORK_DEMANDS_");
      if (!d) {
        return FlagError(flag,
                         absl::StrCat("demands must be physical, mental or both, got '", v, "'"));
      }
      w.set_work_demands(*d);
      continue;
    }
    const WaiItem* item = nullptr;
    for (const auto& i : WaiItems()) {
      if (key == i.key || key == i.field) item = &i;
    }
    if (item == nullptr) {
      return FlagError(flag, absl::StrCat("unknown item '", key, "' (items: ", keys, ")"));
    }
    if (!seen.insert(item->key).second)
      return FlagError(flag, absl::StrCat(item->key, " given twice"));
    auto n = SmallInt(v, item->min, item->max);
    if (n && std::string(item->key) == "prognosis" && *n != 1 && *n != 4 && *n != 7) {
      n.reset();
    }
    if (!n) {
      std::string range = std::string(item->key) == "prognosis" ? std::string("1, 4 or 7")
                                                                : RangeText(item->min, item->max);
      return FlagError(flag, absl::StrCat(item->key, " must be ", range, ", got '", v, "'"));
    }
    (w.*(item->set))(*n);
  }
  std::vector<std::string> missing;
  if (!seen.count("demands")) missing.push_back("demands");
  for (const auto& item : WaiItems()) {
    if (!seen.count(item.key)) missing.push_back(item.key);
  }
  if (!missing.empty()) {
    return FlagError(
        flag, absl::StrCat("every item is required; missing ", absl::StrJoin(missing, ", ")));
  }
  return w;
}

absl::StatusOr<ov1::EmploymentAnswers> ParseEmployment(const std::string& value,
                                                       const std::string& flag) {
  std::vector<std::string> parts = absl::StrSplit(value, ',');
  std::string status_text(absl::StripAsciiWhitespace(parts[0]));
  std::optional<ov1::EmploymentStatus> status;
  if (Lower(status_text) == "other") {
    status = ov1::EMPLOYMENT_STATUS_OTHER;
  } else {
    status = ParseShortEnum<ov1::EmploymentStatus>(status_text, ov1::EmploymentStatus_Parse,
                                                   "EMPLOYMENT_STATUS_");
  }
  if (!status) {
    return FlagError(flag,
                     absl::StrCat("expected a status (ordinary_work, subsidised_work, education, "
                                  "employment_oriented_measure, health_oriented_measure, "
                                  "unemployed_no_measure, early_retirement, other), got '",
                                  status_text, "'"));
  }
  ov1::EmploymentAnswers e;
  e.set_status(*status);
  for (size_t i = 1; i < parts.size(); ++i) {
    auto kv = KeyValue(parts[i]);
    if (!kv || (kv->first != "hours" && kv->first != "weekly_hours")) {
      return FlagError(flag, absl::StrCat("after the status only hours=N is taken, got '",
                                          absl::StripAsciiWhitespace(parts[i]), "'"));
    }
    if (e.has_weekly_hours()) return FlagError(flag, "hours given twice");
    // A week has 168 hours; anything above is a typo.
    auto hours = SmallInt(kv->second, 0, 168);
    if (!hours)
      return FlagError(flag, absl::StrCat("hours must be 0..168, got '", kv->second, "'"));
    e.set_weekly_hours(*hours);
  }
  return e;
}

std::string EmploymentStatusName(ov1::EmploymentStatus status) {
  if (status == ov1::EMPLOYMENT_STATUS_OTHER) return "other";
  if (status == ov1::EMPLOYMENT_STATUS_UNSPECIFIED || !ov1::EmploymentStatus_IsValid(status)) {
    return "?";
  }
  return ShortEnumName(ov1::EmploymentStatus_Name(status), "EMPLOYMENT_STATUS_");
}

std::string WorkDemandsName(ov1::WorkDemands demands) {
  if (demands == ov1::WORK_DEMANDS_UNSPECIFIED || !ov1::WorkDemands_IsValid(demands)) return "?";
  return ShortEnumName(ov1::WorkDemands_Name(demands), "WORK_DEMANDS_");
}

}  // namespace kpr::kprctl
