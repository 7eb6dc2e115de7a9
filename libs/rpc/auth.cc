#include "libs/rpc/auth.h"

#include <iterator>
#include <string>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"

namespace kpr::rpc {
namespace {

// The single value of a metadata key; false if absent, `*duplicate` set if given twice.
bool FindMetadata(const grpc::ServerContext& context, const char* key, std::string* value,
                  bool* duplicate) {
  const auto& metadata = context.client_metadata();
  auto [begin, end] = metadata.equal_range(key);
  if (begin == end) return false;
  *value = std::string(begin->second.data(), begin->second.size());
  *duplicate = std::next(begin) != end;
  return true;
}

bool IsLowerHex(absl::string_view s) {
  for (char c : s) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  }
  return true;
}

bool AllZero(absl::string_view s) { return s.find_first_not_of('0') == absl::string_view::npos; }

}  // namespace

absl::StatusOr<std::string> BearerToken(absl::string_view authorization_header) {
  absl::string_view rest = absl::StripAsciiWhitespace(authorization_header);
  constexpr absl::string_view kScheme = "bearer";
  if (rest.size() <= kScheme.size() ||
      !absl::EqualsIgnoreCase(rest.substr(0, kScheme.size()), kScheme) ||
      (rest[kScheme.size()] != ' ' && rest[kScheme.size()] != '\t')) {
    return absl::UnauthenticatedError("authorization must be \"Bearer <token>\"");
  }
  rest.remove_prefix(kScheme.size());
  rest = absl::StripLeadingAsciiWhitespace(rest);
  if (rest.empty()) return absl::UnauthenticatedError("empty bearer token");
  return std::string(rest);
}

absl::StatusOr<Claims> Authenticate(const grpc::ServerContext& context,
                                    const JwtVerifier& verifier) {
  std::string header;
  bool duplicate = false;
  if (!FindMetadata(context, "authorization", &header, &duplicate)) {
    return absl::UnauthenticatedError("missing authorization metadata");
  }
  if (duplicate) return absl::UnauthenticatedError("authorization given more than once");
  absl::StatusOr<std::string> token = BearerToken(header);
  if (!token.ok()) return token.status();
  return verifier.Verify(*token);
}

grpc::Status ToGrpcStatus(const absl::Status& status) {
  if (status.ok()) return grpc::Status::OK;
  int code = static_cast<int>(status.code());
  // absl::StatusCode and grpc::StatusCode are both the canonical codes 0..16.
  grpc::StatusCode grpc_code = code >= 0 && code <= grpc::StatusCode::UNAUTHENTICATED
                                   ? static_cast<grpc::StatusCode>(code)
                                   : grpc::StatusCode::UNKNOWN;
  return grpc::Status(grpc_code, std::string(status.message()));
}

absl::Status FromGrpcStatus(const grpc::Status& status) {
  if (status.ok()) return absl::OkStatus();
  int code = static_cast<int>(status.error_code());
  absl::StatusCode absl_code =
      code >= 0 && code <= static_cast<int>(absl::StatusCode::kUnauthenticated)
          ? static_cast<absl::StatusCode>(code)
          : absl::StatusCode::kUnknown;
  return absl::Status(absl_code, status.error_message());
}

void SetBearerToken(grpc::ClientContext& context, absl::string_view token) {
  context.AddMetadata("authorization", absl::StrCat("Bearer ", token));
}

bool IsValidTraceparent(absl::string_view tp) {
  // version(2) - trace-id(32) - parent-id(16) - flags(2); later versions may append fields.
  if (tp.size() < 55 || tp[2] != '-' || tp[35] != '-' || tp[52] != '-') return false;
  absl::string_view version = tp.substr(0, 2), trace_id = tp.substr(3, 32),
                    parent_id = tp.substr(36, 16), flags = tp.substr(53, 2);
  if (!IsLowerHex(version) || !IsLowerHex(trace_id) || !IsLowerHex(parent_id) ||
      !IsLowerHex(flags) || version == "ff" || AllZero(trace_id) || AllZero(parent_id)) {
    return false;
  }
  if (version == "00") return tp.size() == 55;
  return tp.size() == 55 || tp[55] == '-';
}

std::string IncomingTraceparent(const grpc::ServerContext& context) {
  std::string value;
  bool duplicate = false;
  if (!FindMetadata(context, "traceparent", &value, &duplicate) || duplicate ||
      !IsValidTraceparent(value)) {
    return "";
  }
  return value;
}

std::string IncomingTracestate(const grpc::ServerContext& context) {
  // W3C: several tracestate headers combine into one comma-separated list.
  std::string value;
  auto [begin, end] = context.client_metadata().equal_range("tracestate");
  for (auto it = begin; it != end; ++it) {
    if (!value.empty()) value.push_back(',');
    value.append(it->second.data(), it->second.size());
  }
  return value;
}

void SetTraceparent(grpc::ClientContext& context, absl::string_view traceparent,
                    absl::string_view tracestate) {
  if (!IsValidTraceparent(traceparent)) return;
  context.AddMetadata("traceparent", std::string(traceparent));
  if (!tracestate.empty()) context.AddMetadata("tracestate", std::string(tracestate));
}

}  // namespace kpr::rpc
