#ifndef KPR_LIBS_CALENDAR_ICS_TESTING_H_
#define KPR_LIBS_CALENDAR_ICS_TESTING_H_

// For tests of what libs/calendar/ics.h writes: a small independent reader (unescaping, one
// VEVENT as name -> property) and the RFC 5545 form checks (CRLF, 75 octets, UTF-8 intact).
// Header-only, tests only.

#include <map>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_split.h"
#include "absl/strings/string_view.h"
#include "gtest/gtest.h"

namespace kpr::calendar::testing {

// Reverses RFC 5545 TEXT escaping.
inline std::string Unescape(absl::string_view v) {
  std::string out;
  for (size_t i = 0; i < v.size(); ++i) {
    if (v[i] == '\\' && i + 1 < v.size()) {
      const char n = v[++i];
      out += (n == 'n' || n == 'N') ? '\n' : n;
    } else {
      out += v[i];
    }
  }
  return out;
}

// True if `s` is well-formed UTF-8 (no sequence cut off at either end).
inline bool ValidUtf8(absl::string_view s) {
  size_t i = 0;
  while (i < s.size()) {
    const unsigned char c = s[i];
    int len = c < 0x80 ? 1 : (c >> 5) == 0x6 ? 2 : (c >> 4) == 0xE ? 3 : (c >> 3) == 0x1E ? 4 : 0;
    if (len == 0 || i + len > s.size()) return false;
    for (int k = 1; k < len; ++k) {
      if ((static_cast<unsigned char>(s[i + k]) & 0xC0) != 0x80) return false;
    }
    i += len;
  }
  return true;
}

struct Property {
  std::string name;    // "DTSTART"
  std::string params;  // "TZID=Europe/Copenhagen" or ""
  std::string value;   // raw (still escaped)
};

inline Property ParseLine(absl::string_view line) {
  // Names and parameters here never contain ':' so the first ':' ends them.
  const size_t colon = line.find(':');
  Property p;
  absl::string_view head = line.substr(0, colon);
  p.value = std::string(line.substr(colon + 1));
  const size_t semi = head.find(';');
  p.name = std::string(head.substr(0, semi));
  if (semi != absl::string_view::npos) p.params = std::string(head.substr(semi + 1));
  return p;
}

// The VEVENTs of unfolded lines as name -> property.
inline std::vector<std::map<std::string, Property>> Events(const std::vector<std::string>& lines) {
  std::vector<std::map<std::string, Property>> events;
  bool in_event = false;
  for (const std::string& line : lines) {
    if (line == "BEGIN:VEVENT") {
      in_event = true;
      events.emplace_back();
    } else if (line == "END:VEVENT") {
      in_event = false;
    } else if (in_event) {
      Property p = ParseLine(line);
      events.back()[p.name] = p;
    }
  }
  return events;
}

// Every physical line ends with CRLF, has at most 75 octets and is valid UTF-8 on its own.
inline void ExpectWellFormed(const std::string& ics) {
  ASSERT_TRUE(absl::EndsWith(ics, "\r\n"));
  std::vector<absl::string_view> physical = absl::StrSplit(ics, "\r\n");
  physical.pop_back();  // after the final CRLF
  for (absl::string_view line : physical) {
    EXPECT_EQ(line.find('\n'), absl::string_view::npos) << "bare LF in " << line;
    EXPECT_EQ(line.find('\r'), absl::string_view::npos) << "bare CR in " << line;
    EXPECT_LE(line.size(), 75u) << line;
    EXPECT_TRUE(ValidUtf8(line)) << "UTF-8 split in " << line;
  }
}

}  // namespace kpr::calendar::testing

#endif  // KPR_LIBS_CALENDAR_ICS_TESTING_H_
