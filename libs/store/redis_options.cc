#include "libs/store/redis_options.h"

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"

namespace kpr::store {
namespace {

// "host[:port]" or "[v6][:port]".
absl::StatusOr<NodeAddress> ParseEndpoint(absl::string_view text) {
  NodeAddress node{"", 6379};
  absl::string_view host = text;
  absl::string_view port;
  if (absl::ConsumePrefix(&host, "[")) {  // [ipv6]:port
    size_t close = host.find(']');
    if (close == absl::string_view::npos) return absl::InvalidArgumentError("redis url: bad host");
    port = host.substr(close + 1);
    host = host.substr(0, close);
    if (!port.empty() && !absl::ConsumePrefix(&port, ":")) {
      return absl::InvalidArgumentError("redis url: bad port");
    }
  } else if (size_t colon = host.rfind(':'); colon != absl::string_view::npos) {
    port = host.substr(colon + 1);
    host = host.substr(0, colon);
  }
  if (host.empty()) return absl::InvalidArgumentError("redis url: missing host");
  node.host = std::string(host);
  if (!port.empty() &&
      (!absl::SimpleAtoi(port, &node.port) || node.port <= 0 || node.port > 65535)) {
    return absl::InvalidArgumentError("redis url: bad port");
  }
  return node;
}

}  // namespace

absl::StatusOr<RedisOptions> RedisOptionsFromUrl(absl::string_view url) {
  absl::string_view rest = url;
  RedisOptions options;
  if (absl::ConsumePrefix(&rest, "redis+cluster://")) {
    options.cluster = true;
  } else if (!absl::ConsumePrefix(&rest, "redis://")) {
    return absl::InvalidArgumentError("redis url must start with redis:// or redis+cluster://");
  }
  absl::ConsumeSuffix(&rest, "/");
  if (absl::StrContains(rest, '/') || absl::StrContains(rest, '@')) {
    return absl::InvalidArgumentError(
        "redis url: only redis://host[:port] or redis+cluster://host:port,host:port,... is "
        "supported (credentials come from KPR_REDIS_USER / KPR_REDIS_PASSWORD_FILE)");
  }
  if (!options.cluster) {
    auto node = ParseEndpoint(rest);
    if (!node.ok()) return node.status();
    options.host = node->host;
    options.port = node->port;
    return options;
  }
  for (absl::string_view one : absl::StrSplit(rest, ',')) {
    auto node = ParseEndpoint(absl::StripAsciiWhitespace(one));
    if (!node.ok()) return node.status();
    options.seeds.push_back(*std::move(node));
  }
  options.host = options.seeds.front().host;
  options.port = options.seeds.front().port;
  return options;
}

absl::Status RedisErrorStatus(absl::string_view error_reply) {
  absl::string_view code = error_reply.substr(0, error_reply.find(' '));
  // Transient server states: the caller should retry later, like a transport failure.
  // READONLY and CLUSTERDOWN are the same kind (failover in progress).
  if (code == "LOADING" || code == "BUSY" || code == "MASTERDOWN" || code == "TRYAGAIN" ||
      code == "READONLY" || code == "CLUSTERDOWN") {
    return absl::UnavailableError(absl::StrCat("redis: ", error_reply));
  }
  return absl::InternalError(error_reply);
}

}  // namespace kpr::store
