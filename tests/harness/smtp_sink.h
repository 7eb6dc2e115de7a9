#ifndef KPR_TESTS_HARNESS_SMTP_SINK_H_
#define KPR_TESTS_HARNESS_SMTP_SINK_H_

// A real SMTP server as the e-mail peer of tests: Debian's aiosmtpd (tests/harness/smtp_sink.py)
// as a child process on a free loopback port. It offers STARTTLS with a self-signed certificate
// made by `openssl req` (trust ca_file()), can require STARTTLS and AUTH, and stores every
// accepted message as one file of raw RFC 5322 bytes, which Messages() reads back.

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "tests/harness/mail_message.h"
#include "tests/harness/servers.h"

namespace kpr::testing {

struct SmtpSinkOptions {
  bool starttls = true;           // offer STARTTLS (with the generated certificate)
  bool require_starttls = false;  // refuse MAIL/RCPT/DATA until STARTTLS
  std::string auth_user;          // non-empty: AUTH PLAIN/LOGIN required (after STARTTLS)
  std::string auth_password;
};

// A message as the sink stored it: the parsed message and its SMTP envelope.
struct ReceivedMail : MailMessage {
  std::string file;  // the .eml file holding `raw`
  std::string mail_from;
  std::vector<std::string> rcpt_to;
  bool tls = false;       // the session had done STARTTLS
  std::string auth_user;  // who authenticated; "" when no AUTH
};

class SmtpSink {
 public:
  // Keeps its certificate, messages and log in `dir`; the port is chosen now and kept.
  explicit SmtpSink(std::string dir, SmtpSinkOptions options = {});
  ~SmtpSink();  // Stop()
  SmtpSink(const SmtpSink&) = delete;
  SmtpSink& operator=(const SmtpSink&) = delete;

  // Starts the server (making the certificate on first start) and waits until it accepts
  // connections. A restart keeps the port, the certificate and the stored messages.
  absl::Status Start();
  void Stop();  // SIGTERM, waits for exit
  bool running();

  int port() const { return port_; }
  std::string url() const;  // "smtp://127.0.0.1:<port>"
  // The self-signed certificate, which is also the CA file to trust; its key.
  const std::string& ca_file() const { return cert_file_; }
  const std::string& cert_file() const { return cert_file_; }
  const std::string& key_file() const { return key_file_; }
  const SmtpSinkOptions& options() const { return options_; }
  const std::string& dir() const { return dir_; }

  // Every stored message, in arrival order.
  std::vector<ReceivedMail> Messages() const;
  size_t MessageCount() const;
  // How many stored messages carry each Message-ID (a resend shows as a count above 1).
  std::map<std::string, int> CountByMessageId() const;
  // Waits until at least `count` messages are stored; returns them.
  absl::StatusOr<std::vector<ReceivedMail>> WaitForMessages(size_t count,
                                                            absl::Duration timeout) const;
  // Deletes the stored messages.
  void Clear();

  // Faults, for the next messages: the next `count` DATA commands are answered `smtp_code`
  // (4xx transient, 5xx permanent) and nothing is stored; every DATA waits `delay` first.
  absl::Status FailNext(int count, int smtp_code = 451);
  absl::Status SetDelay(absl::Duration delay);
  // Clears faults and stored messages.
  absl::Status Reset();

 private:
  absl::Status MakeCertificate();
  absl::Status WriteControl();
  std::string messages_dir() const { return dir_ + "/mail"; }

  std::string dir_;
  SmtpSinkOptions options_;
  int port_;
  std::string cert_file_;
  std::string key_file_;
  int generation_ = 0;
  int fail_next_ = 0;
  int fail_code_ = 451;
  absl::Duration delay_;
  std::unique_ptr<ChildProcess> process_;
};

// Where smtp_sink.py is: $KPR_SMTP_SINK_SCRIPT, else the source tree's copy.
std::string SmtpSinkScript();

}  // namespace kpr::testing

#endif  // KPR_TESTS_HARNESS_SMTP_SINK_H_
