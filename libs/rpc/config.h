#ifndef KPR_LIBS_RPC_CONFIG_H_
#define KPR_LIBS_RPC_CONFIG_H_

#include <string>

#include "absl/flags/declare.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"

// Flags default to "" / -1 meaning "not given"; LoadServiceConfig() then falls back to the
// environment and finally to the built-in default (flag > env > default).
ABSL_DECLARE_FLAG(std::string, nats_url);
ABSL_DECLARE_FLAG(std::string, redis_url);
ABSL_DECLARE_FLAG(std::string, redis_user);
ABSL_DECLARE_FLAG(std::string, redis_password_file);
ABSL_DECLARE_FLAG(std::string, grpc_addr);
ABSL_DECLARE_FLAG(std::string, http_addr);
ABSL_DECLARE_FLAG(std::string, jwt_secret_file);
ABSL_DECLARE_FLAG(std::string, data_key_file);
ABSL_DECLARE_FLAG(int, stream_replicas);
ABSL_DECLARE_FLAG(std::string, log_level);
ABSL_DECLARE_FLAG(std::string, token_max_lifetime_person);
ABSL_DECLARE_FLAG(std::string, token_max_lifetime_service);

namespace kpr::rpc {

struct ServiceConfig {
  std::string nats_url;             // one or more comma-separated nats://host:port
  std::string redis_url;            // redis://host:port, or redis+cluster://h1:p1,h2:p2,... (seeds)
  std::string redis_user;           // Redis ACL user; empty: AUTH <password> as the default user
  std::string redis_password_file;  // path, read with ReadSecretFile(); empty: no AUTH
  std::string grpc_addr;            // host:port (port 0 = any free port)
  std::string http_addr;            // host:port
  std::string jwt_secret_file;      // path; read with ReadSecretFile()
  std::string data_key_file;        // path; read with ReadSecretFile()
  std::string log_level;            // debug | info | warn | error (lower-cased)
  int stream_replicas = 1;          // JetStream replicas, 1..5
  // The longest a bearer token may live (exp - iat), for people and for services.
  absl::Duration token_max_lifetime_person = absl::Hours(12);
  absl::Duration token_max_lifetime_service = absl::Hours(1);
};

// Resolves every setting (flag > env > default) and validates it. Call after
// absl::ParseCommandLine. Returns INVALID_ARGUMENT listing every missing or malformed setting,
// each named as "KPR_X (--x)". Does not read the secret files.
absl::StatusOr<ServiceConfig> LoadServiceConfig();

// Reads a secret file's raw bytes. Errors name the path, never the content; an empty file is
// an error (FAILED_PRECONDITION), a missing/unreadable one NOT_FOUND / PERMISSION_DENIED.
absl::StatusOr<std::string> ReadSecretFile(const std::string& path);

// ReadSecretFile without one trailing newline ("\n" or "\r\n"), as editors and `echo` leave
// it: for passwords sent as text (KPR_REDIS_PASSWORD_FILE). A file holding only a newline is
// empty (FAILED_PRECONDITION).
absl::StatusOr<std::string> ReadPasswordFile(const std::string& path);

struct HostPort {
  std::string host;  // without IPv6 brackets
  int port = 0;
};

// "host:port" or "[v6]:port"; port 0..65535, host non-empty.
absl::StatusOr<HostPort> ParseHostPort(absl::string_view host_port);

// "<scheme>://host[:port][/]", e.g. ParseUrl("redis://h:6379", "redis") -> {h, 6379}. Without a
// port, "nats" defaults to 4222 and "redis" to 6379; other schemes need one. Port must be
// 1..65535. User info, paths and queries are rejected.
absl::StatusOr<HostPort> ParseUrl(absl::string_view url, absl::string_view scheme);

}  // namespace kpr::rpc

#endif  // KPR_LIBS_RPC_CONFIG_H_
