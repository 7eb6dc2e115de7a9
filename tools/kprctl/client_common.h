#ifndef KPR_TOOLS_KPRCTL_CLIENT_COMMON_H_
#define KPR_TOOLS_KPRCTL_CLIENT_COMMON_H_

// What every kprctl command group shares: failing with an exit code, JSON output, reading a file
// or standard input, and a connection to one service (address, bearer token, per-call deadline).

#include <iostream>
#include <memory>
#include <string>
#include <utility>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "google/protobuf/message.h"
#include "google/protobuf/timestamp.pb.h"
#include "grpcpp/channel.h"
#include "grpcpp/client_context.h"
#include "grpcpp/support/status.h"
#include "tools/kprctl/cli_args.h"

namespace kpr::kprctl {

// Exit codes: 0 done, 1 the call failed, 2 bad usage, 3 no timetable exists (plan, cohort create).
inline constexpr int kExitFailure = 1;
inline constexpr int kExitUsage = 2;
inline constexpr int kExitInfeasible = 3;

// Prints "kprctl: <message>" to stderr and exits with `code`.
[[noreturn]] void Fail(const std::string& message, int code = kExitFailure);
// Like Fail with kExitUsage, pointing at `kprctl help`.
[[noreturn]] void Usage(const std::string& message);

// The value of a request builder, or Usage() with its error.
template <typename T>
T OrUsage(absl::StatusOr<T> value) {
  if (!value.ok()) Usage(std::string(value.status().message()));
  return *std::move(value);
}

// Writes `content` beside `path`, then renames it into place, so an interrupted export never
// leaves half a file; Fail()s naming the file otherwise, removing what it wrote.
void WriteFileAtomically(const std::string& path, const std::string& content);

// The protobuf JSON mapping, indented, proto field names, ending in a newline.
std::string ToJson(const google::protobuf::Message& message);

// "YYYY-MM-DD HH:MM" in Danish time (Europe/Copenhagen), whatever the machine's zone; "-" for
// an unset timestamp.
std::string FormatTime(const google::protobuf::Timestamp& ts);

// The whole content of `path`; "-" reads standard input (keeps personal data out of `ps`).
absl::StatusOr<std::string> ReadInput(const std::string& path);

// The bearer token: --token, else the content of --token-file, else `env_token` ($KPR_TOKEN);
// surrounding whitespace stripped. "" when none is given. INVALID_ARGUMENT for both --token and
// --token-file; the file's read error otherwise.
absl::StatusOr<std::string> ResolveToken(const ParsedArgs& args, const char* env_token);

// Sets --municipality from $KPR_MUNICIPALITY when it is not given (or empty): staff mostly work
// in one municipality.
void DefaultMunicipalityFromEnv(ParsedArgs& args);

// --timeout SECONDS (default 10), positive.
absl::StatusOr<absl::Duration> ResolveTimeout(const ParsedArgs& args);

// One gRPC channel to a service, with the token and deadline every call gets.
class Connection {
 public:
  // `service` names the server in error hints ("kpr-scheduling").
  Connection(std::string service, std::string addr, std::string token, absl::Duration timeout);

  // From args: address from --`addr_flag`, else $`addr_env`, else `default_addr`; token and
  // timeout as above. Exits (Usage/Fail) on bad values.
  static Connection FromArgs(const ParsedArgs& args, const std::string& service,
                             const std::string& addr_flag, const char* addr_env,
                             const std::string& default_addr);

  // A context with the bearer token and the deadline. Exits (code 2) when there is no token.
  std::unique_ptr<grpc::ClientContext> Context() const;
  // A context with the deadline only (health checks need no token).
  std::unique_ptr<grpc::ClientContext> AnonymousContext() const;
  // Exits with "CODE: message" (and a hint when the server is unreachable) unless ok.
  void Check(const grpc::Status& status) const;

  const std::shared_ptr<grpc::Channel>& channel() const { return channel_; }
  const std::string& addr() const { return addr_; }
  absl::Duration timeout() const { return timeout_; }

 private:
  std::string service_;
  std::string addr_;
  std::string token_;
  absl::Duration timeout_;
  std::shared_ptr<grpc::Channel> channel_;
};

// One service's stub over a Connection, with the parsed arguments: what every command group
// needs to make a call and print its answer.
template <typename Service>
class ServiceClient {
 public:
  using Stub = typename Service::Stub;

  ServiceClient(const ParsedArgs& args, Connection conn)
      : args_(args), conn_(std::move(conn)), stub_(Service::NewStub(conn_.channel())) {}

  // One unary call with the token and deadline; exits on failure.
  template <typename Req, typename Resp>
  Resp Call(grpc::Status (Stub::*method)(grpc::ClientContext*, const Req&, Resp*), const Req& req) {
    Resp resp;
    conn_.Check(Try(method, req, &resp));
    return resp;
  }

  // The same without exiting, for callers that explain particular failures themselves.
  template <typename Req, typename Resp>
  grpc::Status Try(grpc::Status (Stub::*method)(grpc::ClientContext*, const Req&, Resp*),
                   const Req& req, Resp* resp) {
    auto ctx = conn_.Context();
    return ((*stub_).*method)(ctx.get(), req, resp);
  }

  // --json: the message; otherwise the text.
  void Print(const google::protobuf::Message& message, const std::string& text) const {
    std::cout << (args_.Has("json") ? ToJson(message) : text);
  }

  const ParsedArgs& args() const { return args_; }
  const Connection& conn() const { return conn_; }

 private:
  const ParsedArgs& args_;
  Connection conn_;
  std::unique_ptr<Stub> stub_;
};

// "CODE: message" for a failed call, e.g. "NOT_FOUND: no cohort 0165-C1".
std::string DescribeStatus(const grpc::Status& status);

}  // namespace kpr::kprctl

#endif  // KPR_TOOLS_KPRCTL_CLIENT_COMMON_H_
