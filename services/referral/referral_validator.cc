#include "services/referral/referral_validator.h"

#include <string>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/strip.h"
#include "google/protobuf/util/time_util.h"
#include "libs/identity/municipality.h"
#include "libs/privacy/cpr.h"

namespace kpr::referral {
namespace {

using ::google::protobuf::util::TimeUtil;
using ::kpr::intake::v1::ReferralSubmitted;

constexpr size_t kMaxNameLength = 100;
constexpr size_t kMaxReasonLength = 2000;
constexpr size_t kMaxNotesLength = 4000;

using Collector = validation::ViolationCollector;

bool IsIdentifier(absl::string_view s, size_t max_len, absl::string_view extra) {
  if (s.empty() || s.size() > max_len) return false;
  for (char c : s) {
    if (!absl::ascii_isalnum(static_cast<unsigned char>(c)) &&
        extra.find(c) == absl::string_view::npos) {
      return false;
    }
  }
  return true;
}

// Danish number: 8 digits, optionally prefixed +45 or 0045, spaces allowed. Returns the 8 digits.
bool DanishPhoneDigits(absl::string_view phone, std::string* digits) {
  std::string compact;
  for (char c : phone) {
    if (c == ' ' || c == '-') continue;
    compact.push_back(c);
  }
  absl::string_view v(compact);
  if (!absl::ConsumePrefix(&v, "+45")) absl::ConsumePrefix(&v, "0045");
  if (v.size() != 8) return false;
  for (char c : v) {
    if (!absl::ascii_isdigit(static_cast<unsigned char>(c))) return false;
  }
  if (v[0] == '0') return false;  // Danish subscriber numbers never start with 0
  if (digits) *digits = std::string(v);
  return true;
}

bool LooksLikeEmail(absl::string_view email) {
  if (email.size() > 254) return false;
  size_t at = email.find('@');
  if (at == absl::string_view::npos || at == 0 ||
      email.find('@', at + 1) != absl::string_view::npos) {
    return false;
  }
  absl::string_view domain = email.substr(at + 1);
  size_t dot = domain.rfind('.');
  if (dot == absl::string_view::npos || dot == 0 || dot + 2 > domain.size()) return false;
  for (char c : email) {
    if (absl::ascii_isspace(static_cast<unsigned char>(c)) ||
        absl::ascii_iscntrl(static_cast<unsigned char>(c))) {
      return false;
    }
  }
  return true;
}

// BCP 47 in the simple form primary[-subtag]*: "da", "en-GB", "ar".
bool LooksLikeLanguageTag(absl::string_view tag) {
  if (tag.empty() || tag.size() > 35) return false;
  size_t start = 0;
  bool first = true;
  while (start <= tag.size()) {
    size_t end = tag.find('-', start);
    if (end == absl::string_view::npos) end = tag.size();
    absl::string_view part = tag.substr(start, end - start);
    if (first ? (part.size() < 2 || part.size() > 3) : (part.empty() || part.size() > 8))
      return false;
    for (char c : part) {
      if (first ? !absl::ascii_isalpha(static_cast<unsigned char>(c))
                : !absl::ascii_isalnum(static_cast<unsigned char>(c))) {
        return false;
      }
    }
    first = false;
    start = end + 1;
    if (end == tag.size()) break;
  }
  return true;
}

bool HasControlChars(absl::string_view s) {
  for (char c : s) {
    if (static_cast<unsigned char>(c) < 0x20 && c != '\n' && c != '\r' && c != '\t') return true;
  }
  return false;
}

void CheckName(Collector& out, absl::string_view field, absl::string_view value) {
  absl::string_view trimmed = absl::StripAsciiWhitespace(value);
  if (trimmed.empty()) {
    out.Add(std::string(field), "is required");
  } else if (trimmed.size() > kMaxNameLength) {
    out.Add(std::string(field), absl::StrCat("is longer than ", kMaxNameLength, " bytes"));
  } else if (HasControlChars(trimmed)) {
    out.Add(std::string(field), "contains control characters");
  }
}

}  // namespace

FieldViolations ValidateSubmission(const ReferralSubmitted& s, absl::Time now) {
  Collector out;
  if (!IsIdentifier(s.source_system(), 64, "._-")) {
    out.Add("source_system", s.source_system().empty()
                                 ? "is required"
                                 : "must be 1-64 characters of letters, digits, '.', '_', '-'");
  }
  if (!IsIdentifier(s.external_id(), 128, "._-:/")) {
    out.Add("external_id",
            s.external_id().empty()
                ? "is required"
                : "must be 1-128 characters of letters, digits, '.', '_', '-', ':', '/'");
  } else if (privacy::NormalizeCpr(s.external_id()).ok()) {
    // The external id travels in events and keys in clear; a case system that uses the CPR
    // number as its case id must send another id.
    out.Add("external_id", "must not be a CPR number");
  }
  if (absl::Status m = identity::CheckMunicipality("municipality", s.municipality()); !m.ok()) {
    out.Add("municipality", std::string(m.message().substr(m.message().find(": ") + 2)));
  }
  if (s.source() == intake::v1::REFERRAL_SOURCE_UNSPECIFIED ||
      !intake::v1::ReferralSource_IsValid(s.source())) {
    out.Add("source", "is required (jobcenter, general practitioner, ...)");
  }

  if (!s.has_citizen()) {
    out.Add("citizen", "is required");
  } else {
    const auto& c = s.citizen();
    if (c.cpr().empty()) {
      out.Add("citizen.cpr", "is required");
    } else if (auto cpr = privacy::NormalizeCpr(c.cpr()); !cpr.ok()) {
      out.Add("citizen.cpr", std::string(cpr.status().message()));
    }
    CheckName(out, "citizen.given_name", c.given_name());
    CheckName(out, "citizen.family_name", c.family_name());
    bool has_phone = !c.phone().empty();
    bool has_email = !c.email().empty();
    if (has_phone && !DanishPhoneDigits(c.phone(), nullptr)) {
      out.Add("citizen.phone", "must be a Danish number: 8 digits, optionally with +45");
    }
    if (has_email && !LooksLikeEmail(c.email())) {
      out.Add("citizen.email", "is not a valid e-mail address");
    }
    if (!has_phone && !has_email) {
      out.Add("citizen.phone", "a phone number or an e-mail address is required");
    }
    if (!intake::v1::ContactChannel_IsValid(c.preferred_channel())) {
      out.Add("citizen.preferred_channel", "unknown channel");
    } else if (c.preferred_channel() == intake::v1::CONTACT_CHANNEL_SMS && !has_phone) {
      out.Add("citizen.preferred_channel", "SMS needs a phone number");
    } else if (c.preferred_channel() == intake::v1::CONTACT_CHANNEL_EMAIL && !has_email) {
      out.Add("citizen.preferred_channel", "e-mail needs an e-mail address");
    }
    if (!c.preferred_language().empty() && !LooksLikeLanguageTag(c.preferred_language())) {
      out.Add("citizen.preferred_language", "must be a language tag such as da or en");
    }
    if (!c.has_consent_given_at()) {
      out.Add("citizen.consent_given_at", "is required: the citizen must consent to the referral");
    } else {
      absl::Time consent =
          absl::FromUnixMillis(TimeUtil::TimestampToMilliseconds(c.consent_given_at()));
      if (consent > now + absl::Minutes(5)) {
        out.Add("citizen.consent_given_at", "is in the future");
      } else if (consent < absl::FromCivil(absl::CivilDay(2000, 1, 1), absl::UTCTimeZone())) {
        out.Add("citizen.consent_given_at", "is before 2000");
      }
    }
  }

  if (s.source() != intake::v1::REFERRAL_SOURCE_SELF_REFERRAL) {
    if (!IsIdentifier(s.referrer().caseworker_id(), 128, "._-@:")) {
      out.Add("referrer.caseworker_id",
              s.referrer().caseworker_id().empty()
                  ? "is required unless the referral is a self-referral"
                  : "must be 1-128 characters of letters, digits, '.', '_', '-', '@', ':'");
    }
  }
  if (s.referrer().organisation().size() > 200) {
    out.Add("referrer.organisation", "is longer than 200 bytes");
  }
  if (s.target_group() == intake::v1::TARGET_GROUP_UNSPECIFIED ||
      !intake::v1::TargetGroup_IsValid(s.target_group())) {
    out.Add("target_group", "is required");
  }
  if (!intake::v1::BenefitSituation_IsValid(s.benefit_situation())) {
    out.Add("benefit_situation", "unknown benefit situation");
  }
  if (s.reason().size() > kMaxReasonLength) {
    out.Add("reason", absl::StrCat("is longer than ", kMaxReasonLength, " bytes"));
  }
  if (s.notes().size() > kMaxNotesLength) {
    out.Add("notes", absl::StrCat("is longer than ", kMaxNotesLength, " bytes"));
  }
  if (!s.preferred_program().empty() && !IsIdentifier(s.preferred_program(), 64, "-_")) {
    out.Add("preferred_program", "must be a program id of letters, digits, '-', '_'");
  }
  return out.Take();
}

void NormalizeSubmission(ReferralSubmitted& s) {
  auto* c = s.mutable_citizen();
  if (auto cpr = privacy::NormalizeCpr(c->cpr()); cpr.ok()) c->set_cpr(*cpr);
  c->set_given_name(std::string(absl::StripAsciiWhitespace(c->given_name())));
  c->set_family_name(std::string(absl::StripAsciiWhitespace(c->family_name())));
  std::string digits;
  if (!c->phone().empty() && DanishPhoneDigits(c->phone(), &digits)) c->set_phone("+45" + digits);
  if (!c->email().empty()) {
    std::string email = std::string(absl::StripAsciiWhitespace(c->email()));
    size_t at = email.find('@');
    if (at != std::string::npos) {
      email = email.substr(0, at + 1) + absl::AsciiStrToLower(email.substr(at + 1));
    }
    c->set_email(email);
  }
  if (c->preferred_language().empty()) c->set_preferred_language("da");
}

}  // namespace kpr::referral
