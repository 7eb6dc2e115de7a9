#include "libs/privacy/cpr.h"

#include "absl/status/status.h"
#include "absl/strings/ascii.h"

namespace kpr::privacy {
namespace {

int Digits(absl::string_view s, size_t pos, size_t n) {
  int v = 0;
  for (size_t i = pos; i < pos + n; ++i) v = v * 10 + (s[i] - '0');
  return v;
}

// The 10 digits, or an error that names the problem but not the input.
absl::StatusOr<std::string> ExtractDigits(absl::string_view cpr) {
  absl::string_view s = absl::StripAsciiWhitespace(cpr);
  std::string digits;
  if (s.size() == 11 && s[6] == '-') {
    digits = std::string(s.substr(0, 6));
    digits.append(s.data() + 7, 4);
  } else if (s.size() == 10) {
    digits = std::string(s);
  } else {
    return absl::InvalidArgumentError("CPR number must be DDMMYYSSSS or DDMMYY-SSSS");
  }
  for (char c : digits) {
    if (!absl::ascii_isdigit(static_cast<unsigned char>(c))) {
      return absl::InvalidArgumentError("CPR number must contain only digits (and one dash)");
    }
  }
  return digits;
}

absl::StatusOr<absl::CivilDay> BirthDateOfDigits(absl::string_view digits) {
  const int day = Digits(digits, 0, 2);
  const int month = Digits(digits, 2, 2);
  const int yy = Digits(digits, 4, 2);
  const int century_digit = digits[6] - '0';
  int year;
  if (century_digit <= 3) {
    year = 1900 + yy;
  } else if (century_digit == 4 || century_digit == 9) {
    year = yy <= 36 ? 2000 + yy : 1900 + yy;
  } else {
    year = yy <= 57 ? 2000 + yy : 1800 + yy;
  }
  if (month < 1 || month > 12 || day < 1 || day > 31) {
    return absl::InvalidArgumentError("CPR number has an invalid birth date");
  }
  // CivilDay normalises (31 April becomes 1 May): the date exists only if it round-trips.
  const absl::CivilDay date(year, month, day);
  if (date.year() != year || date.month() != month || date.day() != day) {
    return absl::InvalidArgumentError("CPR number has an invalid birth date");
  }
  return date;
}

}  // namespace

absl::StatusOr<std::string> NormalizeCpr(absl::string_view cpr) {
  absl::StatusOr<std::string> digits = ExtractDigits(cpr);
  if (!digits.ok()) return digits.status();
  absl::StatusOr<absl::CivilDay> date = BirthDateOfDigits(*digits);
  if (!date.ok()) return date.status();
  return digits;
}

absl::StatusOr<absl::CivilDay> CprBirthDate(absl::string_view cpr) {
  absl::StatusOr<std::string> digits = ExtractDigits(cpr);
  if (!digits.ok()) return digits.status();
  return BirthDateOfDigits(*digits);
}

}  // namespace kpr::privacy
