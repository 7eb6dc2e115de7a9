#include "services/notify/message_template.h"

#include <algorithm>
#include <functional>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_replace.h"
#include "libs/identity/municipality.h"

namespace kpr::notify {
namespace {

using T = v1::Trigger;

// Who offers what. A citizen's message can greet them and name their program and municipality;
// the rest follows from the fact behind the trigger. The drop-out risk e-mail goes to the
// coordinator and names the referral by id only.
constexpr T kCitizenTriggers[] = {v1::TRIGGER_WELCOME,
                                  v1::TRIGGER_COHORT_INFORMATION,
                                  v1::TRIGGER_SESSION_REMINDER,
                                  v1::TRIGGER_SESSION_RESCHEDULED,
                                  v1::TRIGGER_SESSION_CANCELLED,
                                  v1::TRIGGER_COHORT_CANCELLED,
                                  v1::TRIGGER_WAITLISTED,
                                  v1::TRIGGER_MOVED_FROM_WAITLIST,
                                  v1::TRIGGER_QUESTIONNAIRE_DUE,
                                  v1::TRIGGER_QUESTIONNAIRE_OVERDUE,
                                  v1::TRIGGER_COORDINATOR_MESSAGE};
constexpr T kSessionTriggers[] = {v1::TRIGGER_SESSION_REMINDER, v1::TRIGGER_SESSION_RESCHEDULED,
                                  v1::TRIGGER_SESSION_CANCELLED};
constexpr T kPlacementTriggers[] = {v1::TRIGGER_COHORT_INFORMATION,
                                    v1::TRIGGER_MOVED_FROM_WAITLIST};
constexpr T kQuestionnaireTriggers[] = {v1::TRIGGER_QUESTIONNAIRE_DUE,
                                        v1::TRIGGER_QUESTIONNAIRE_OVERDUE};

template <size_t N>
bool In(const T (&triggers)[N], T t) {
  return std::find(std::begin(triggers), std::end(triggers), t) != std::end(triggers);
}

// In the order PlaceholdersFor lists them.
constexpr struct {
  absl::string_view name;
  bool (*offered)(T);
} kPlaceholders[] = {
    {"first_name", [](T t) { return In(kCitizenTriggers, t); }},
    {"program", [](T t) { return t != v1::TRIGGER_UNSPECIFIED; }},
    {"municipality_name", [](T t) { return t != v1::TRIGGER_UNSPECIFIED; }},
    {"activity", [](T t) { return In(kSessionTriggers, t); }},
    {"session_start", [](T t) { return In(kSessionTriggers, t); }},
    {"previous_session_start", [](T t) { return t == v1::TRIGGER_SESSION_RESCHEDULED; }},
    {"venue", [](T t) { return In(kSessionTriggers, t) || In(kPlacementTriggers, t); }},
    {"first_session_start", [](T t) { return In(kPlacementTriggers, t); }},
    {"cohort_dates", [](T t) { return In(kPlacementTriggers, t); }},
    {"questionnaire_link", [](T t) { return In(kQuestionnaireTriggers, t); }},
    {"questionnaire_closes", [](T t) { return In(kQuestionnaireTriggers, t); }},
    {"message", [](T t) { return t == v1::TRIGGER_COORDINATOR_MESSAGE; }},
    {"referral_id", [](T t) { return t == v1::TRIGGER_DROP_OUT_RISK; }},
    {"cohort_id", [](T t) { return t == v1::TRIGGER_DROP_OUT_RISK; }},
    {"risk_reasons", [](T t) { return t == v1::TRIGGER_DROP_OUT_RISK; }},
};

// Names someone may try that no trigger will ever offer, answered with why.
constexpr absl::string_view kNeverOffered[] = {
    "who5",      "who5_score",        "wai",          "wai_score", "score",  "scores",
    "wellbeing", "diagnosis",         "condition",    "health",    "reason", "referral_reason",
    "benefit",   "benefit_situation", "target_group", "cpr",       "phone",  "email",
    "notes",     "family_name",       "last_name"};

constexpr size_t kMaxNameLength = 40;

bool IsName(absl::string_view name) {
  if (name.empty() || name.size() > kMaxNameLength || !absl::ascii_islower(name[0])) return false;
  return std::all_of(name.begin(), name.end(), [](char c) {
    return absl::ascii_islower(c) || absl::ascii_isdigit(c) || c == '_';
  });
}

// Splits `text` into literal runs and placeholder names.
absl::Status Scan(absl::string_view text, const std::function<void(absl::string_view)>& literal,
                  const std::function<void(absl::string_view)>& placeholder) {
  size_t i = 0;
  while (i < text.size()) {
    const size_t brace = text.find_first_of("{}", i);
    if (brace == absl::string_view::npos) {
      literal(text.substr(i));
      break;
    }
    literal(text.substr(i, brace - i));
    const char c = text[brace];
    if (brace + 1 < text.size() && text[brace + 1] == c) {  // "{{" or "}}"
      literal(text.substr(brace, 1));
      i = brace + 2;
      continue;
    }
    if (c == '}') {
      return absl::InvalidArgumentError(absl::StrCat(
          "'}' at position ", brace + 1, " closes no placeholder (write }} for a brace)"));
    }
    const size_t close = text.find('}', brace + 1);
    const size_t next_open = text.find('{', brace + 1);
    if (close == absl::string_view::npos || next_open < close) {
      return absl::InvalidArgumentError(
          absl::StrCat("'{' at position ", brace + 1, " is not closed (write {{ for a brace)"));
    }
    const absl::string_view name = text.substr(brace + 1, close - brace - 1);
    if (!IsName(name)) {
      return absl::InvalidArgumentError(
          absl::StrCat("the placeholder at position ", brace + 1,
                       " is not a name: use a-z, 0-9 and _, starting with a letter"));
    }
    placeholder(name);
    i = close + 1;
  }
  return absl::OkStatus();
}

std::string OfferedList(T trigger) {
  std::vector<absl::string_view> names = PlaceholdersFor(trigger);
  return absl::StrJoin(names, ", ", [](std::string* out, absl::string_view n) {
    absl::StrAppend(out, "{", n, "}");
  });
}

void CheckPlaceholders(validation::ViolationCollector& out, const std::string& field,
                       absl::string_view text, T trigger) {
  auto names = PlaceholdersIn(text);
  if (!names.ok()) {
    out.Add(field, std::string(names.status().message()));
    return;
  }
  std::vector<std::string> reported;
  for (const std::string& name : *names) {
    if (Offers(trigger, name) ||
        std::find(reported.begin(), reported.end(), name) != reported.end()) {
      continue;
    }
    reported.push_back(name);
    if (std::find(std::begin(kNeverOffered), std::end(kNeverOffered), name) !=
        std::end(kNeverOffered)) {
      out.Add(field, absl::StrCat("placeholder {", name,
                                  "} is never offered: messages carry no health data, benefit "
                                  "situation or contact details"));
    } else {
      out.Add(field, absl::StrCat("unknown placeholder {", name, "} for ",
                                  v1::Trigger_Name(trigger), "; it offers ", OfferedList(trigger)));
    }
  }
}

void CheckText(validation::ViolationCollector& out, const std::string& field,
               absl::string_view text, bool required, size_t max_bytes, T trigger) {
  if (absl::StripAsciiWhitespace(text).empty()) {
    if (required) out.Add(field, "is required");
    return;
  }
  if (text.size() > max_bytes) {
    out.Add(field, absl::StrCat("is longer than ", max_bytes, " bytes"));
    return;
  }
  CheckPlaceholders(out, field, text, trigger);
}

void AppendValue(absl::string_view value, TextKind kind, std::string* out) {
  switch (kind) {
    case TextKind::kPlain:
      out->append(value.data(), value.size());
      return;
    case TextKind::kHeader:
      for (char c : value) {
        const unsigned char u = static_cast<unsigned char>(c);
        out->push_back(u < 0x20 || u == 0x7F ? ' ' : c);
      }
      return;
    case TextKind::kHtml:
      out->append(HtmlEscape(value));
      return;
  }
}

}  // namespace

std::vector<v1::Trigger> AllTriggers() {
  std::vector<v1::Trigger> out;
  for (int t = v1::Trigger_MIN; t <= v1::Trigger_MAX; ++t) {
    if (v1::Trigger_IsValid(t) && t != v1::TRIGGER_UNSPECIFIED) out.push_back(T(t));
  }
  return out;
}

std::vector<absl::string_view> PlaceholdersFor(v1::Trigger trigger) {
  std::vector<absl::string_view> out;
  for (const auto& p : kPlaceholders) {
    if (p.offered(trigger)) out.push_back(p.name);
  }
  return out;
}

bool Offers(v1::Trigger trigger, absl::string_view placeholder) {
  for (const auto& p : kPlaceholders) {
    if (p.name == placeholder) return p.offered(trigger);
  }
  return false;
}

v1::Language LanguageFor(absl::string_view preferred_language) {
  const std::string tag = absl::AsciiStrToLower(absl::StripAsciiWhitespace(preferred_language));
  if (tag == "en" || absl::StartsWith(tag, "en-") || absl::StartsWith(tag, "en_")) {
    return v1::LANGUAGE_EN;
  }
  return v1::LANGUAGE_DA;
}

absl::StatusOr<std::vector<std::string>> PlaceholdersIn(absl::string_view text) {
  std::vector<std::string> names;
  absl::Status status = Scan(
      text, [](absl::string_view) {},
      [&names](absl::string_view name) { names.emplace_back(name); });
  if (!status.ok()) return status;
  return names;
}

validation::FieldViolations TemplateViolations(const v1::Template& t, absl::string_view prefix) {
  validation::ViolationCollector out;
  auto field = [prefix](absl::string_view name) { return absl::StrCat(prefix, name); };
  if (!identity::IsMunicipalityCode(t.municipality())) {
    out.Add(field("municipality"), "must be a four-digit municipality code");
  }
  if (t.trigger() == v1::TRIGGER_UNSPECIFIED || !v1::Trigger_IsValid(t.trigger())) {
    out.Add(field("trigger"), "is required");
    return out.Take();  // placeholders can only be checked against a trigger
  }
  if (t.language() == v1::LANGUAGE_UNSPECIFIED || !v1::Language_IsValid(t.language())) {
    out.Add(field("language"), "is required");
  }
  const T trigger = t.trigger();
  if (trigger == v1::TRIGGER_DROP_OUT_RISK) {
    if (!t.sms_text().empty()) {
      out.Add(field("sms_text"),
              "must be empty: the drop-out risk goes by e-mail to the "
              "coordinator only");
    }
  } else {
    CheckText(out, field("sms_text"), t.sms_text(), true, kMaxSmsTemplateBytes, trigger);
  }
  if (t.email_subject().find_first_of("\r\n") != std::string::npos) {
    out.Add(field("email_subject"), "must be one line");
  } else {
    CheckText(out, field("email_subject"), t.email_subject(), true, kMaxSubjectBytes, trigger);
  }
  CheckText(out, field("email_text"), t.email_text(), true, kMaxEmailTextBytes, trigger);
  CheckText(out, field("email_html"), t.email_html(), false, kMaxEmailHtmlBytes, trigger);
  return out.Take();
}

absl::Status CheckTemplate(const v1::Template& t, absl::string_view prefix) {
  return validation::ViolationsToStatus(TemplateViolations(t, prefix));
}

std::string HtmlEscape(absl::string_view text) {
  return absl::StrReplaceAll(
      text, {{"&", "&amp;"}, {"<", "&lt;"}, {">", "&gt;"}, {"\"", "&quot;"}, {"'", "&#39;"}});
}

absl::StatusOr<std::string> RenderText(absl::string_view text, const MessageValues& values,
                                       TextKind kind) {
  std::string out;
  out.reserve(text.size() + 64);
  std::string missing;
  absl::Status status = Scan(
      text, [&out](absl::string_view literal) { out.append(literal.data(), literal.size()); },
      [&](absl::string_view name) {
        auto it = values.find(name);
        if (it == values.end()) {
          if (missing.empty()) missing = std::string(name);
          return;
        }
        AppendValue(it->second, kind, &out);
      });
  if (!status.ok()) return status;
  if (!missing.empty()) {
    return absl::FailedPreconditionError(absl::StrCat("no value for {", missing, "}"));
  }
  return out;
}

absl::StatusOr<RenderedMessage> RenderTemplate(const v1::Template& t, const MessageValues& values) {
  RenderedMessage m;
  const struct {
    const std::string& text;
    TextKind kind;
    std::string* out;
  } parts[] = {{t.sms_text(), TextKind::kPlain, &m.sms_text},
               {t.email_subject(), TextKind::kHeader, &m.email_subject},
               {t.email_text(), TextKind::kPlain, &m.email_text},
               {t.email_html(), TextKind::kHtml, &m.email_html}};
  for (const auto& part : parts) {
    if (part.text.empty()) continue;
    absl::StatusOr<std::string> rendered = RenderText(part.text, values, part.kind);
    if (!rendered.ok()) return rendered.status();
    *part.out = *std::move(rendered);
  }
  return m;
}

}  // namespace kpr::notify
