#include "services/notify/settings_rules.h"

#include <algorithm>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "services/notify/default_templates.h"

namespace kpr::notify {
namespace {

constexpr size_t kMaxEmailLength = 254;
constexpr size_t kMaxLocalPartLength = 64;
constexpr size_t kMaxLabelLength = 63;

bool IsLocalPart(absl::string_view local) {
  if (local.empty() || local.size() > kMaxLocalPartLength) return false;
  if (local.front() == '.' || local.back() == '.' || local.find("..") != absl::string_view::npos) {
    return false;
  }
  return std::all_of(local.begin(), local.end(), [](char c) {
    return absl::ascii_isalnum(c) ||
           absl::string_view("!#$%&'*+-/=?^_`{|}~.").find(c) != absl::string_view::npos;
  });
}

bool IsDomain(absl::string_view domain) {
  std::vector<absl::string_view> labels = absl::StrSplit(domain, '.');
  if (labels.size() < 2) return false;
  for (absl::string_view label : labels) {
    if (label.empty() || label.size() > kMaxLabelLength || label.front() == '-' ||
        label.back() == '-') {
      return false;
    }
    if (!std::all_of(label.begin(), label.end(),
                     [](char c) { return absl::ascii_isalnum(c) || c == '-'; })) {
      return false;
    }
  }
  // A top-level domain is never all digits ("10.0.0.1" is no mail domain).
  const absl::string_view tld = labels.back();
  return std::any_of(tld.begin(), tld.end(), [](char c) { return absl::ascii_isalpha(c); });
}

struct Part {
  const char* name;
  const std::string& text;
  TextKind kind;
  std::string* out;
};

}  // namespace

std::vector<v1::Template> TemplatesInForce(absl::string_view m,
                                           const std::vector<v1::Template>& saved,
                                           v1::Trigger trigger, v1::Language language) {
  const std::vector<v1::Trigger> triggers =
      trigger == v1::TRIGGER_UNSPECIFIED ? AllTriggers() : std::vector<v1::Trigger>{trigger};
  const std::vector<v1::Language> languages =
      language == v1::LANGUAGE_UNSPECIFIED
          ? std::vector<v1::Language>{v1::LANGUAGE_DA, v1::LANGUAGE_EN}
          : std::vector<v1::Language>{language};
  std::vector<v1::Template> out;
  for (v1::Trigger tr : triggers) {
    for (v1::Language lang : languages) {
      auto own = std::find_if(saved.begin(), saved.end(), [&](const v1::Template& t) {
        return t.trigger() == tr && t.language() == lang;
      });
      out.push_back(own != saved.end() ? *own : DefaultTemplate(m, tr, lang));
    }
  }
  return out;
}

std::vector<std::string> SmsWarnings(const SmsAnalysis& sms) {
  std::vector<std::string> out = sms.warnings;
  if (sms.encoding == v1::SMS_ENCODING_UCS2) {
    out.push_back(absl::StrCat("the SMS goes as UCS-2: ", kUcs2SinglePart,
                               " characters fit in one part (", kUcs2PerPart,
                               " per part when split) instead of ", kGsm7SinglePart,
                               "; replace the characters named above to send it as GSM-7"));
  }
  if (sms.segments > kMaxSmsSegmentsWithoutWarning) {
    out.push_back(absl::StrCat("the SMS is ", sms.segments,
                               " parts and every part is billed; shorten it to at most ",
                               kMaxSmsSegmentsWithoutWarning));
  }
  return out;
}

absl::StatusOr<v1::PreviewMessageResponse> PreviewOf(const v1::Template& t,
                                                     const MessageValues& values,
                                                     absl::string_view prefix) {
  v1::PreviewMessageResponse out;
  const Part parts[] = {
      {"sms_text", t.sms_text(), TextKind::kPlain, out.mutable_sms_text()},
      {"email_subject", t.email_subject(), TextKind::kHeader, out.mutable_email_subject()},
      {"email_text", t.email_text(), TextKind::kPlain, out.mutable_email_text()},
      {"email_html", t.email_html(), TextKind::kHtml, out.mutable_email_html()},
  };
  validation::ViolationCollector failed;
  for (const Part& part : parts) {
    absl::StatusOr<std::string> rendered = RenderText(part.text, values, part.kind);
    if (rendered.ok()) {
      *part.out = *std::move(rendered);
      continue;
    }
    // Said as saving would say it (with the placeholders the trigger offers), else as rendering
    // did.
    const std::string field = absl::StrCat(prefix, part.name);
    bool said = false;
    for (const auto& v : TemplateViolations(t, prefix)) {
      if (v.field() != field) continue;
      failed.Add(field, v.description());
      said = true;
    }
    if (!said) failed.Add(field, std::string(rendered.status().message()));
  }
  if (!failed.empty()) return validation::ViolationsToStatus(failed.Take());
  if (!out.sms_text().empty()) {
    const SmsAnalysis sms = AnalyzeSms(out.sms_text());
    out.set_sms_encoding(sms.encoding);
    out.set_sms_segments(sms.segments);
    out.set_sms_units(sms.units);
    for (std::string& w : SmsWarnings(sms)) out.add_warnings(std::move(w));
  }
  return out;
}

bool IsPlainEmailAddress(absl::string_view email) {
  if (email.size() > kMaxEmailLength) return false;
  const size_t at = email.find('@');
  if (at == absl::string_view::npos || email.find('@', at + 1) != absl::string_view::npos) {
    return false;
  }
  return IsLocalPart(email.substr(0, at)) && IsDomain(email.substr(at + 1));
}

v1::ReminderOffsets OffsetsInForce(absl::string_view m, absl::string_view program_id,
                                   const std::vector<absl::Duration>& offsets) {
  v1::ReminderOffsets out;
  out.set_municipality(std::string(m));
  out.set_program_id(std::string(program_id));
  for (absl::Duration d : offsets) out.add_offsets()->set_seconds(absl::ToInt64Seconds(d));
  return out;
}

}  // namespace kpr::notify
