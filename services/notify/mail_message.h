#ifndef KPR_SERVICES_NOTIFY_MAIL_MESSAGE_H_
#define KPR_SERVICES_NOTIFY_MAIL_MESSAGE_H_

// The e-mail as it goes over SMTP: an RFC 5322 message with MIME (RFC 2045-2047) built from a
// rendered template. Shape:
//
//   multipart/mixed
//     multipart/alternative           (just text/plain when there is no HTML)
//       text/plain; charset=utf-8     quoted-printable
//       text/html; charset=utf-8      quoted-printable
//     text/calendar; charset=utf-8; method=PUBLISH   base64, attachment "kurser.ics"
//                                                     (only when the message is about sessions)
//
// The Message-ID is the delivery's (delivery_key.h): a resend after a crash or an unknown outcome
// carries the same one, and the same inputs give the same bytes (the boundaries derive from the
// Message-ID, the Date is the delivery's, not the clock's). Subject and display name are RFC 2047
// encoded-words when they are not plain ASCII (æ ø å). Header values with CR, LF or other
// control characters are refused, never cleaned: a value must not be able to add a header line
// or a recipient. All lines end CRLF; body lines and encoded or folded header lines stay
// within 76 characters (only a very long address can make a longer one, within RFC 5322's 998).
// Pure.

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"

namespace kpr::notify {

inline constexpr absl::string_view kCalendarAttachmentName = "kurser.ics";

struct MailContent {
  std::string from_address;  // KPR_SMTP_FROM, "kpr@albertslund.dk"
  std::string from_name;     // optional display name ("Albertslund Kommune")
  std::string to_address;
  std::string subject;     // UTF-8, one line
  std::string text;        // UTF-8 plain text; required
  std::string html;        // UTF-8 HTML; optional
  std::string ics;         // the VCALENDAR (libs/calendar/ics.h); optional
  std::string message_id;  // "<id@domain>", from MessageIdFor(delivery id)
  absl::Time date;         // when the delivery was made; the Date header (UTC)
};

// The whole message, CRLF line ends. INVALID_ARGUMENT naming the field for: a header value with
// a control character (CR, LF, NUL, ...), an address that is not one plain addr-spec
// (local@domain, no spaces, brackets, quotes, commas or semicolons), a Message-ID not of the
// form <left@right>, an empty text.
absl::StatusOr<std::string> BuildMailMessage(const MailContent& content);

// RFC 2047: `text` as it is when it is printable ASCII, short enough and holds no "=?";
// otherwise as UTF-8 "B" encoded-words of at most 60 characters each, never splitting a UTF-8
// character, separated by CRLF SP (a folded header). `text` must hold no control characters.
std::string EncodeHeaderText(absl::string_view text);

// RFC 2045 quoted-printable of UTF-8 text: LF and CRLF become CRLF line breaks, lines are
// soft-broken at 76 characters, '=', non-ASCII, trailing white space and a leading '.' encoded.
std::string EncodeQuotedPrintable(absl::string_view text);

// Base64 in CRLF-ended lines of 76 characters.
std::string EncodeBase64Lines(absl::string_view data);

// "Tue, 09 Mar 2027 09:00:00 +0000" (RFC 5322 date-time, UTC).
std::string FormatMailDate(absl::Time t);

}  // namespace kpr::notify

#endif  // KPR_SERVICES_NOTIFY_MAIL_MESSAGE_H_
