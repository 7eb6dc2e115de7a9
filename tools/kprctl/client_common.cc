#include "tools/kprctl/client_common.h"

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <sstream>
#include <utility>

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "google/protobuf/util/json_util.h"
#include "grpcpp/create_channel.h"
#include "grpcpp/security/credentials.h"
#include "libs/calendar/danish_time.h"
#include "libs/rpc/auth.h"
#include "libs/rpc/config.h"

namespace kpr::kprctl {

void Fail(const std::string& message, int code) {
  std::cerr << "kprctl: " << message << "\n";
  std::exit(code);
}

void Usage(const std::string& message) {
  std::cerr << "kprctl: " << message << "\n(see kprctl help)\n";
  std::exit(kExitUsage);
}

std::string ToJson(const google::protobuf::Message& message) {
  std::string out;
  google::protobuf::util::JsonPrintOptions opts;
  opts.add_whitespace = true;
  opts.preserve_proto_field_names = true;
  (void)google::protobuf::util::MessageToJsonString(message, &out, opts);
  return out;
}

std::string FormatTime(const google::protobuf::Timestamp& ts) {
  if (ts.seconds() == 0 && ts.nanos() == 0) return "-";
  return absl::FormatTime("%Y-%m-%d %H:%M", absl::FromUnixSeconds(ts.seconds()),
                          calendar::DanishTimeZone());
}

absl::StatusOr<std::string> ReadInput(const std::string& path) {
  std::stringstream ss;
  if (path == "-") {
    ss << std::cin.rdbuf();
    return ss.str();
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) return absl::NotFoundError(absl::StrCat("cannot read ", path));
  ss << in.rdbuf();
  return ss.str();
}

absl::StatusOr<std::string> ResolveToken(const ParsedArgs& args, const char* env_token) {
  if (args.Has("token") && args.Has("token-file")) {
    return absl::InvalidArgumentError("give either --token or --token-file, not both");
  }
  if (args.Has("token")) return std::string(absl::StripAsciiWhitespace(args.Get("token")));
  if (args.Has("token-file")) {
    auto token = rpc::ReadSecretFile(args.Get("token-file"));
    if (!token.ok()) return token.status();
    return std::string(absl::StripAsciiWhitespace(*token));
  }
  if (env_token != nullptr) return std::string(absl::StripAsciiWhitespace(env_token));
  return std::string();
}

void DefaultMunicipalityFromEnv(ParsedArgs& args) {
  if (!args.Get("municipality").empty()) return;
  if (const char* m = std::getenv("KPR_MUNICIPALITY"); m != nullptr && *m != '\0') {
    args.options["municipality"] = m;
  }
}

absl::StatusOr<absl::Duration> ResolveTimeout(const ParsedArgs& args) {
  double seconds = 10;
  if (args.Has("timeout") && (!absl::SimpleAtod(args.Get("timeout"), &seconds) || !(seconds > 0))) {
    return absl::InvalidArgumentError(
        absl::StrCat("--timeout: expected seconds (> 0), got '", args.Get("timeout"), "'"));
  }
  return absl::Seconds(seconds);
}

Connection::Connection(std::string service, std::string addr, std::string token,
                       absl::Duration timeout)
    : service_(std::move(service)),
      addr_(std::move(addr)),
      token_(std::move(token)),
      timeout_(timeout),
      channel_(grpc::CreateChannel(addr_, grpc::InsecureChannelCredentials())) {}

Connection Connection::FromArgs(const ParsedArgs& args, const std::string& service,
                                const std::string& addr_flag, const char* addr_env,
                                const std::string& default_addr) {
  const char* env_addr = std::getenv(addr_env);
  std::string addr = args.Get(addr_flag, env_addr != nullptr ? env_addr : default_addr);
  auto token = ResolveToken(args, std::getenv("KPR_TOKEN"));
  if (!token.ok()) {
    if (absl::IsInvalidArgument(token.status())) Usage(std::string(token.status().message()));
    Fail(std::string(token.status().message()));
  }
  auto timeout = ResolveTimeout(args);
  if (!timeout.ok()) Usage(std::string(timeout.status().message()));
  return Connection(service, addr, *token, *timeout);
}

std::unique_ptr<grpc::ClientContext> Connection::Context() const {
  if (token_.empty()) {
    Fail("no token: set KPR_TOKEN or pass --token-file or --token (kprctl token mints one)",
         kExitUsage);
  }
  auto ctx = AnonymousContext();
  rpc::SetBearerToken(*ctx, token_);
  return ctx;
}

std::unique_ptr<grpc::ClientContext> Connection::AnonymousContext() const {
  auto ctx = std::make_unique<grpc::ClientContext>();
  ctx->set_deadline(absl::ToChronoTime(absl::Now() + timeout_));
  return ctx;
}

std::string DescribeStatus(const grpc::Status& status) {
  return absl::StrCat(absl::StatusCodeToString(static_cast<absl::StatusCode>(status.error_code())),
                      ": ", status.error_message());
}

void Connection::Check(const grpc::Status& status) const {
  if (status.ok()) return;
  std::string hint;
  if (status.error_code() == grpc::StatusCode::UNAVAILABLE) {
    hint = absl::StrCat(" (is ", service_, " running at ", addr_, "?)");
  }
  Fail(absl::StrCat(DescribeStatus(status), hint));
}

void WriteFileAtomically(const std::string& path, const std::string& content) {
  const std::string tmp = path + ".tmp";
  {
    std::ofstream f(tmp, std::ios::binary | std::ios::trunc);
    f << content;
    f.close();
    if (!f) {
      std::remove(tmp.c_str());
      Fail(absl::StrCat("cannot write ", tmp));
    }
  }
  if (std::rename(tmp.c_str(), path.c_str()) != 0) {
    std::remove(tmp.c_str());
    Fail(absl::StrCat("cannot write ", path));
  }
}

}  // namespace kpr::kprctl
