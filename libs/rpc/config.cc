#include "libs/rpc/config.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "libs/rpc/setting.h"

// Empty / -1 defaults mean "not given on the command line" so the environment can fill in.
ABSL_FLAG(std::string, nats_url, "",
          "NATS server URL(s), comma-separated (env KPR_NATS_URL, default "
          "nats://127.0.0.1:4222)");
ABSL_FLAG(std::string, redis_url, "",
          "Redis URL: redis://host:port for one server, redis+cluster://h1:p1,h2:p2,... for a "
          "Redis Cluster's seed nodes (env KPR_REDIS_URL, default redis://127.0.0.1:6379)");
ABSL_FLAG(std::string, redis_user, "",
          "Redis ACL user sent with AUTH after every connect (env KPR_REDIS_USER; default none: "
          "AUTH with the password only)");
ABSL_FLAG(std::string, redis_password_file, "",
          "File holding the Redis password; a trailing newline is ignored (env "
          "KPR_REDIS_PASSWORD_FILE; default none: no AUTH)");
ABSL_FLAG(std::string, grpc_addr, "",
          "gRPC listen address host:port (env KPR_GRPC_ADDR, default 127.0.0.1:50051)");
ABSL_FLAG(std::string, http_addr, "",
          "HTTP (metrics, health) listen address (env KPR_HTTP_ADDR, default "
          "127.0.0.1:8081)");
ABSL_FLAG(std::string, jwt_secret_file, "",
          "File holding the HS256 JWT secret (env KPR_JWT_SECRET_FILE, required)");
ABSL_FLAG(std::string, data_key_file, "",
          "File holding the data encryption key (env KPR_DATA_KEY_FILE, required)");
ABSL_FLAG(int, stream_replicas, -1,
          "JetStream stream replicas, 1..5 (env KPR_STREAM_REPLICAS, default 1)");
ABSL_FLAG(std::string, log_level, "",
          "debug, info, warn or error (env KPR_LOG_LEVEL, default info)");

ABSL_FLAG(std::string, token_max_lifetime_person, "",
          "longest lifetime (exp - iat) of a person's token (env KPR_TOKEN_MAX_LIFETIME_PERSON, "
          "default 12h)");
ABSL_FLAG(std::string, token_max_lifetime_service, "",
          "longest lifetime (exp - iat) of a service's token (env "
          "KPR_TOKEN_MAX_LIFETIME_SERVICE, default 1h)");

namespace kpr::rpc {
namespace {

std::string Name(absl::string_view env, absl::string_view flag) {
  return absl::StrCat(env, " (--", flag, ")");
}

// Flag if given, else env if set and non-empty, else the default.
std::string Resolve(const absl::Flag<std::string>& flag, const char* env,
                    absl::string_view fallback) {
  std::string value = absl::GetFlag(flag);
  if (!value.empty()) return value;
  const char* from_env = std::getenv(env);
  if (from_env != nullptr && from_env[0] != '\0') return from_env;
  return std::string(fallback);
}

bool ParsePort(absl::string_view text, int min, int* port) {
  if (text.empty() || text.size() > 5) return false;
  for (char c : text) {
    if (!absl::ascii_isdigit(static_cast<unsigned char>(c))) return false;
  }
  int value = 0;
  if (!absl::SimpleAtoi(text, &value) || value < min || value > 65535) return false;
  *port = value;
  return true;
}

absl::StatusOr<HostPort> ParseHostPortImpl(absl::string_view text, int min_port, bool port_optional,
                                           int default_port) {
  HostPort out;
  absl::string_view rest = text;
  if (absl::ConsumePrefix(&rest, "[")) {
    size_t close = rest.find(']');
    if (close == absl::string_view::npos || close == 0) {
      return absl::InvalidArgumentError(absl::StrCat("bad IPv6 host in \"", text, "\""));
    }
    out.host = std::string(rest.substr(0, close));
    rest.remove_prefix(close + 1);
  } else {
    size_t colon = rest.rfind(':');
    absl::string_view host = colon == absl::string_view::npos ? rest : rest.substr(0, colon);
    if (host.empty() || absl::StrContains(host, ':')) {
      return absl::InvalidArgumentError(absl::StrCat("expected host:port, got \"", text, "\""));
    }
    out.host = std::string(host);
    rest.remove_prefix(host.size());
  }
  for (char c : out.host) {
    if (absl::ascii_isspace(static_cast<unsigned char>(c)) || c == '/' || c == '@') {
      return absl::InvalidArgumentError(absl::StrCat("bad host in \"", text, "\""));
    }
  }
  if (rest.empty() && port_optional) {
    out.port = default_port;
    return out;
  }
  if (!absl::ConsumePrefix(&rest, ":") || !ParsePort(rest, min_port, &out.port)) {
    return absl::InvalidArgumentError(
        absl::StrCat("expected host:port with port ", min_port, "..65535, got \"", text, "\""));
  }
  return out;
}

}  // namespace

absl::StatusOr<HostPort> ParseHostPort(absl::string_view host_port) {
  return ParseHostPortImpl(host_port, /*min_port=*/0, /*port_optional=*/false, 0);
}

absl::StatusOr<HostPort> ParseUrl(absl::string_view url, absl::string_view scheme) {
  absl::string_view rest = url;
  const std::string prefix = absl::StrCat(scheme, "://");
  if (!absl::ConsumePrefix(&rest, prefix)) {
    return absl::InvalidArgumentError(
        absl::StrCat("expected a ", prefix, "host:port URL, got \"", url, "\""));
  }
  absl::ConsumeSuffix(&rest, "/");
  if (rest.find_first_of("/?#@") != absl::string_view::npos) {
    // Credentials, database paths and options are not supported: say so rather than drop them.
    return absl::InvalidArgumentError(
        absl::StrCat("only ", prefix, "host[:port] is supported (no user info, path or query)"));
  }
  int default_port = 0;
  if (scheme == "nats") default_port = 4222;
  if (scheme == "redis") default_port = 6379;
  return ParseHostPortImpl(rest, /*min_port=*/1, /*port_optional=*/default_port != 0, default_port);
}

absl::StatusOr<ServiceConfig> LoadServiceConfig() {
  ServiceConfig config;
  std::vector<std::string> errors;

  config.nats_url = Resolve(FLAGS_nats_url, "KPR_NATS_URL", "nats://127.0.0.1:4222");
  // nats.c accepts a comma-separated server list (cluster seeds); validate each entry.
  for (absl::string_view one : absl::StrSplit(config.nats_url, ',')) {
    auto parsed = ParseUrl(absl::StripAsciiWhitespace(one), "nats");
    if (!parsed.ok()) {
      errors.push_back(
          absl::StrCat(Name("KPR_NATS_URL", "nats_url"), ": ", parsed.status().message()));
      break;
    }
  }

  config.redis_url = Resolve(FLAGS_redis_url, "KPR_REDIS_URL", "redis://127.0.0.1:6379");
  absl::string_view seeds = config.redis_url;
  if (absl::ConsumePrefix(&seeds, "redis+cluster://")) {
    // A cluster's seed nodes, the scheme once: each must be a valid redis://host[:port].
    for (absl::string_view one : absl::StrSplit(seeds, ',')) {
      auto parsed = ParseUrl(absl::StrCat("redis://", absl::StripAsciiWhitespace(one)), "redis");
      if (!parsed.ok()) {
        errors.push_back(
            absl::StrCat(Name("KPR_REDIS_URL", "redis_url"),
                         ": bad seed node in redis+cluster:// URL: ", parsed.status().message()));
        break;
      }
    }
  } else if (auto parsed = ParseUrl(config.redis_url, "redis"); !parsed.ok()) {
    errors.push_back(
        absl::StrCat(Name("KPR_REDIS_URL", "redis_url"), ": ", parsed.status().message()));
  }
  config.redis_user = Resolve(FLAGS_redis_user, "KPR_REDIS_USER", "");
  config.redis_password_file = Resolve(FLAGS_redis_password_file, "KPR_REDIS_PASSWORD_FILE", "");
  if (!config.redis_user.empty() && config.redis_password_file.empty()) {
    errors.push_back(absl::StrCat(Name("KPR_REDIS_USER", "redis_user"), " needs ",
                                  Name("KPR_REDIS_PASSWORD_FILE", "redis_password_file")));
  }

  config.grpc_addr = Resolve(FLAGS_grpc_addr, "KPR_GRPC_ADDR", "127.0.0.1:50051");
  if (auto parsed = ParseHostPort(config.grpc_addr); !parsed.ok()) {
    errors.push_back(
        absl::StrCat(Name("KPR_GRPC_ADDR", "grpc_addr"), ": ", parsed.status().message()));
  }

  config.http_addr = Resolve(FLAGS_http_addr, "KPR_HTTP_ADDR", "127.0.0.1:8081");
  if (auto parsed = ParseHostPort(config.http_addr); !parsed.ok()) {
    errors.push_back(
        absl::StrCat(Name("KPR_HTTP_ADDR", "http_addr"), ": ", parsed.status().message()));
  }

  config.jwt_secret_file = Resolve(FLAGS_jwt_secret_file, "KPR_JWT_SECRET_FILE", "");
  if (config.jwt_secret_file.empty()) {
    errors.push_back(absl::StrCat(Name("KPR_JWT_SECRET_FILE", "jwt_secret_file"), " is required"));
  }
  config.data_key_file = Resolve(FLAGS_data_key_file, "KPR_DATA_KEY_FILE", "");
  if (config.data_key_file.empty()) {
    errors.push_back(absl::StrCat(Name("KPR_DATA_KEY_FILE", "data_key_file"), " is required"));
  }

  int replicas = absl::GetFlag(FLAGS_stream_replicas);
  if (replicas == -1) {
    const char* env = std::getenv("KPR_STREAM_REPLICAS");
    if (env != nullptr && env[0] != '\0') {
      if (!absl::SimpleAtoi(env, &replicas)) replicas = 0;  // reported below
    } else {
      replicas = 1;
    }
  }
  // JetStream allows 1..5 replicas.
  if (replicas < 1 || replicas > 5) {
    errors.push_back(
        absl::StrCat(Name("KPR_STREAM_REPLICAS", "stream_replicas"), ": must be an integer 1..5"));
  } else {
    config.stream_replicas = replicas;
  }

  config.log_level = absl::AsciiStrToLower(Resolve(FLAGS_log_level, "KPR_LOG_LEVEL", "info"));
  if (config.log_level == "warning") config.log_level = "warn";
  if (config.log_level != "debug" && config.log_level != "info" && config.log_level != "warn" &&
      config.log_level != "error") {
    errors.push_back(
        absl::StrCat(Name("KPR_LOG_LEVEL", "log_level"), ": must be debug, info, warn or error"));
  }

  auto person = DurationSetting({"KPR_TOKEN_MAX_LIFETIME_PERSON", "token_max_lifetime_person"},
                                absl::GetFlag(FLAGS_token_max_lifetime_person), absl::Hours(12),
                                absl::Minutes(1), absl::Hours(24 * 31));
  if (person.ok()) {
    config.token_max_lifetime_person = *person;
  } else {
    errors.push_back(std::string(person.status().message()));
  }
  auto service = DurationSetting({"KPR_TOKEN_MAX_LIFETIME_SERVICE", "token_max_lifetime_service"},
                                 absl::GetFlag(FLAGS_token_max_lifetime_service), absl::Hours(1),
                                 absl::Minutes(1), absl::Hours(24));
  if (service.ok()) {
    config.token_max_lifetime_service = *service;
  } else {
    errors.push_back(std::string(service.status().message()));
  }
  if (!errors.empty()) {
    return absl::InvalidArgumentError(
        absl::StrCat("invalid configuration: ", absl::StrJoin(errors, "; ")));
  }
  return config;
}

absl::StatusOr<std::string> ReadSecretFile(const std::string& path) {
  // Errors carry the path and errno text only: never any byte of the file.
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    int err = errno;
    std::string message = absl::StrCat("cannot open secret file ", path, ": ", std::strerror(err));
    if (err == EACCES) return absl::PermissionDeniedError(message);
    if (err == ENOENT) return absl::NotFoundError(message);
    return absl::FailedPreconditionError(message);
  }
  std::string content;
  char buffer[4096];
  while (true) {
    ssize_t n = ::read(fd, buffer, sizeof(buffer));
    if (n > 0) {
      content.append(buffer, static_cast<size_t>(n));
    } else if (n == 0) {
      break;
    } else if (errno != EINTR) {
      int err = errno;
      ::close(fd);
      return absl::FailedPreconditionError(
          absl::StrCat("cannot read secret file ", path, ": ", std::strerror(err)));
    }
  }
  ::close(fd);
  if (content.empty()) {
    return absl::FailedPreconditionError(absl::StrCat("secret file ", path, " is empty"));
  }
  return content;
}

absl::StatusOr<std::string> ReadPasswordFile(const std::string& path) {
  auto content = ReadSecretFile(path);
  if (!content.ok()) return content;
  if (!content->empty() && content->back() == '\n') {
    content->pop_back();
    if (!content->empty() && content->back() == '\r') content->pop_back();
  }
  if (content->empty()) {
    return absl::FailedPreconditionError(absl::StrCat("secret file ", path, " is empty"));
  }
  return content;
}

}  // namespace kpr::rpc
