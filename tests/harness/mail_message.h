#ifndef KPR_TESTS_HARNESS_MAIL_MESSAGE_H_
#define KPR_TESTS_HARNESS_MAIL_MESSAGE_H_

// A minimal RFC 5322 / MIME reader for tests: enough to find a message's headers, count its
// parts and read its attachments back. Not a general MIME library: no nested message/rfc822,
// no encoded-word decoding of header values.

#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace kpr::testing {

// One leaf part of a message (a single-part message is its own one part).
struct MailPart {
  // Header names in lower case, folded lines joined; the first occurrence of a name wins.
  std::map<std::string, std::string> headers;
  std::string content_type;  // lower case "type/subtype"; "text/plain" when absent
  std::string filename;      // Content-Disposition filename or Content-Type name; "" if none
  bool attachment = false;   // Content-Disposition: attachment
  std::string body;          // decoded from base64 or quoted-printable; as sent otherwise
};

struct MailMessage {
  std::string raw;  // the bytes as received
  // Top-level header names in lower case, folded lines joined; the first occurrence wins.
  std::map<std::string, std::string> headers;
  std::string body;  // everything after the blank line, undecoded

  // The value of header `name` (any case), or "" when absent.
  std::string Header(std::string_view name) const;
  // The leaf parts, depth first through nested multiparts.
  std::vector<MailPart> Parts() const;
};

MailMessage ParseMail(std::string raw);

// The first part of `content_type` (e.g. "text/calendar"), or nullptr.
const MailPart* FindPart(const std::vector<MailPart>& parts, std::string_view content_type);

// The parameter `name` of a structured header value (`multipart/mixed; boundary="b"`), unquoted;
// "" when absent.
std::string HeaderParam(std::string_view value, std::string_view name);

// Content-Transfer-Encoding decoders (whitespace and soft line breaks tolerated).
std::string DecodeBase64(std::string_view text);
std::string DecodeQuotedPrintable(std::string_view text);

}  // namespace kpr::testing

#endif  // KPR_TESTS_HARNESS_MAIL_MESSAGE_H_
