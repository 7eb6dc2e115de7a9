#include "tests/harness/smtp_sink.h"

#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"

#ifndef KPR_SMTP_SINK_SCRIPT
#define KPR_SMTP_SINK_SCRIPT "tests/harness/smtp_sink.py"
#endif

namespace kpr::testing {
namespace {

namespace fs = std::filesystem;

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

absl::Status WriteFileAtomically(const std::string& path, const std::string& content) {
  std::string tmp = path + ".tmp";
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    out << content;
    if (!out) return absl::InternalError(absl::StrCat("cannot write ", tmp));
  }
  std::error_code ec;
  fs::rename(tmp, path, ec);
  if (ec) return absl::InternalError(absl::StrCat("cannot rename ", tmp, ": ", ec.message()));
  return absl::OkStatus();
}

// Runs argv to completion (up to `timeout`); OK when it exited and `expect_file` exists.
absl::Status RunTool(std::vector<std::string> argv, const std::string& log,
                     const std::string& expect_file, absl::Duration timeout) {
  ChildProcess tool(std::move(argv), {}, log);
  if (auto s = tool.Start(); !s.ok()) return s;
  absl::Time deadline = absl::Now() + timeout;
  while (tool.Running()) {
    if (absl::Now() > deadline) {
      tool.Kill();
      return absl::DeadlineExceededError(absl::StrCat("timed out; see ", log));
    }
    absl::SleepFor(absl::Milliseconds(10));
  }
  if (!fs::exists(expect_file)) {
    return absl::InternalError(absl::StrCat("no ", expect_file, ": ", tool.ReadLog()));
  }
  return absl::OkStatus();
}

void ReadEnvelope(const std::string& meta_path, ReceivedMail& mail) {
  std::istringstream in(ReadFile(meta_path));
  std::string line;
  while (std::getline(in, line)) {
    size_t space = line.find(' ');
    std::string key = line.substr(0, space);
    std::string value = space == std::string::npos ? "" : line.substr(space + 1);
    if (key == "mail_from") mail.mail_from = value;
    if (key == "rcpt_to") mail.rcpt_to.push_back(value);
    if (key == "tls") mail.tls = value == "1";
    if (key == "auth") mail.auth_user = value;
  }
}

std::vector<std::string> MessageFiles(const std::string& dir) {
  std::vector<std::string> files;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(dir + "/new", ec)) {
    if (entry.path().extension() == ".eml") files.push_back(entry.path().string());
  }
  std::sort(files.begin(), files.end());  // zero-padded sequence numbers: arrival order
  return files;
}

}  // namespace

std::string SmtpSinkScript() {
  const char* env = std::getenv("KPR_SMTP_SINK_SCRIPT");
  return env != nullptr && *env != '\0' ? env : KPR_SMTP_SINK_SCRIPT;
}

SmtpSink::SmtpSink(std::string dir, SmtpSinkOptions options)
    : dir_(std::move(dir)),
      options_(std::move(options)),
      port_(FreePort()),
      cert_file_(dir_ + "/cert.pem"),
      key_file_(dir_ + "/key.pem") {
  fs::create_directories(messages_dir());
}

SmtpSink::~SmtpSink() { Stop(); }

std::string SmtpSink::url() const { return absl::StrCat("smtp://127.0.0.1:", port_); }

bool SmtpSink::running() { return process_ && process_->Running(); }

absl::Status SmtpSink::MakeCertificate() {
  if (fs::exists(cert_file_) && fs::exists(key_file_)) return absl::OkStatus();
  // A P-256 key (quick to make), valid for the loopback address and name the tests dial.
  return RunTool(
      {"/usr/bin/openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt",
       "ec_paramgen_curve:prime256v1", "-nodes", "-keyout", key_file_, "-out", cert_file_, "-days",
       "30", "-subj", "/CN=kpr-smtp-sink", "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost"},
      dir_ + "/openssl.log", cert_file_, absl::Seconds(30));
}

absl::Status SmtpSink::WriteControl() {
  return WriteFileAtomically(
      dir_ + "/control",
      absl::StrCat("generation ", generation_, "\nfail_next ", fail_next_, "\nfail_code ",
                   fail_code_, "\ndelay_ms ", absl::ToInt64Milliseconds(delay_), "\n"));
}

absl::Status SmtpSink::Start() {
  if (running()) return absl::OkStatus();
  if (options_.starttls) {
    if (auto s = MakeCertificate(); !s.ok()) return s;
  }
  if (auto s = WriteControl(); !s.ok()) return s;
  std::vector<std::string> argv = {"/usr/bin/python3",    SmtpSinkScript(),  "--port",
                                   std::to_string(port_), "--dir",           messages_dir(),
                                   "--control",           dir_ + "/control", "--exit-with-parent"};
  if (options_.starttls) {
    argv.insert(argv.end(), {"--cert", cert_file_, "--key", key_file_});
  }
  if (options_.require_starttls) argv.push_back("--require-starttls");
  if (!options_.auth_user.empty()) {
    std::string password_file = dir_ + "/auth.password";
    if (auto s = WriteFileAtomically(password_file, options_.auth_password); !s.ok()) return s;
    argv.insert(argv.end(),
                {"--auth-user", options_.auth_user, "--auth-password-file", password_file});
  }
  process_ = std::make_unique<ChildProcess>(argv, std::map<std::string, std::string>{},
                                            dir_ + "/smtp.log");
  if (auto s = process_->Start(); !s.ok()) return s;
  absl::Time deadline = absl::Now() + absl::Seconds(15);
  while (absl::Now() < deadline) {
    if (!process_->Running()) {
      return absl::InternalError(
          absl::StrCat("smtp sink exited (is python3-aiosmtpd installed?): ", process_->ReadLog()));
    }
    if (WaitForPort(port_, absl::Milliseconds(50)).ok()) return absl::OkStatus();
  }
  return absl::DeadlineExceededError(
      absl::StrCat("smtp sink not listening: ", process_->ReadLog()));
}

void SmtpSink::Stop() {
  if (process_) process_->Signal(SIGTERM);
}

std::vector<ReceivedMail> SmtpSink::Messages() const {
  std::vector<ReceivedMail> mails;
  for (const std::string& file : MessageFiles(messages_dir())) {
    ReceivedMail mail;
    static_cast<MailMessage&>(mail) = ParseMail(ReadFile(file));
    mail.file = file;
    std::string stem = fs::path(file).stem().string();
    ReadEnvelope(messages_dir() + "/meta/" + stem + ".meta", mail);
    mails.push_back(std::move(mail));
  }
  return mails;
}

size_t SmtpSink::MessageCount() const { return MessageFiles(messages_dir()).size(); }

std::map<std::string, int> SmtpSink::CountByMessageId() const {
  std::map<std::string, int> counts;
  for (const ReceivedMail& mail : Messages()) ++counts[mail.Header("Message-ID")];
  return counts;
}

absl::StatusOr<std::vector<ReceivedMail>> SmtpSink::WaitForMessages(size_t count,
                                                                    absl::Duration timeout) const {
  absl::Time deadline = absl::Now() + timeout;
  size_t have = MessageCount();
  while (have < count) {
    if (absl::Now() > deadline) {
      return absl::DeadlineExceededError(
          absl::StrCat("smtp sink holds ", have, " messages, expected ", count));
    }
    absl::SleepFor(absl::Milliseconds(20));
    have = MessageCount();
  }
  return Messages();
}

void SmtpSink::Clear() {
  for (const char* sub : {"/new", "/meta"}) {
    std::error_code ec;
    for (const auto& entry : fs::directory_iterator(messages_dir() + sub, ec)) {
      fs::remove(entry.path(), ec);
    }
  }
}

absl::Status SmtpSink::FailNext(int count, int smtp_code) {
  ++generation_;  // the sink counts failures per generation: a new call starts afresh
  fail_next_ = count;
  fail_code_ = smtp_code;
  return WriteControl();
}

absl::Status SmtpSink::SetDelay(absl::Duration delay) {
  delay_ = delay;
  return WriteControl();
}

absl::Status SmtpSink::Reset() {
  Clear();
  delay_ = absl::ZeroDuration();
  return FailNext(0);
}

}  // namespace kpr::testing
