#ifndef KPR_SERVICES_NOTIFY_SMTP_SENDER_H_
#define KPR_SERVICES_NOTIFY_SMTP_SENDER_H_

// One e-mail to one recipient over SMTP (libcurl), and what its outcome means for the delivery:
//
//   kAccepted   the server answered 250 to the message: it is the server's now.
//   kTransient  the server answered 4xx (at MAIL, RCPT or after the data), or the connection
//               failed before the whole message was handed over (refused, timed out, TLS or
//               authentication failed): nothing was taken; retry with backoff.
//   kPermanent  the server answered 5xx to the message (550 unknown recipient, 554 rejected):
//               retrying will not help; fail the delivery.
//   kUnknown    the whole message was sent but no answer came (the connection dropped or timed
//               out waiting for the final reply): the server may have it. Resend the same message
//               (same Message-ID, mail_message.h) on the same server; receivers and the tests'
//               sink recognise the duplicate by its Message-ID.
//
// A misconfiguration (STARTTLS required but not offered, a certificate the CA file does not
// vouch for, credentials refused) is kTransient with `configuration` set and a detail naming it:
// the message is not at fault, and the operator must see it. Details carry SMTP codes and libcurl
// errors, never an address or a message text. Thread-safe: each Send uses its own connection.

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "services/notify/delivery_attempt.h"

namespace kpr::notify {

enum class StartTls {
  kRequired,       // KPR_SMTP_STARTTLS=required (default): no TLS, no message (CURLUSESSL_ALL)
  kOpportunistic,  // =opportunistic: TLS when the server offers it (CURLUSESSL_TRY), a local sink
};

// "required" or "opportunistic"; INVALID_ARGUMENT otherwise.
absl::StatusOr<StartTls> ParseStartTls(absl::string_view text);

struct SmtpSettings {
  std::string url;  // KPR_SMTP_URL, "smtp://host:port"
  StartTls starttls = StartTls::kRequired;
  std::string user;      // KPR_SMTP_USER; empty: no AUTH
  std::string password;  // read from KPR_SMTP_PASSWORD_FILE
  std::string ca_file;   // KPR_SMTP_CA_FILE; empty: the system's CAs
  absl::Duration connect_timeout = absl::Seconds(10);
  absl::Duration timeout = absl::Seconds(60);  // the whole exchange, per message
};

// INVALID_ARGUMENT naming what is wrong: a URL that is not smtp://host[:port] (smtps:// is not
// offered: STARTTLS is the contract), non-positive timeouts.
absl::Status CheckSmtpSettings(const SmtpSettings& settings);

// The outcome in the terms every provider uses (delivery_attempt.h).
struct SmtpResult {
  SendOutcome outcome = SendOutcome::kTransient;
  int smtp_code = 0;           // the server's last reply code; 0 when none came
  bool configuration = false;  // a settings problem, not the message's (see above)
  std::string detail;          // for logs and the delivery's error: no personal data
};

class SmtpSender {
 public:
  explicit SmtpSender(SmtpSettings settings);

  // Sends `message` (the bytes of BuildMailMessage) from `mail_from` to `rcpt_to` (envelope
  // addresses). An envelope address with CR, LF, '<' or '>' is kPermanent without a connection.
  SmtpResult Send(absl::string_view mail_from, absl::string_view rcpt_to,
                  absl::string_view message) const;

  const SmtpSettings& settings() const { return settings_; }

 private:
  SmtpSettings settings_;
};

}  // namespace kpr::notify

#endif  // KPR_SERVICES_NOTIFY_SMTP_SENDER_H_
