#include "libs/observe/http_routes.h"

#include <utility>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"

namespace kpr::observe {
namespace {

// Percent-decoding of a query component; '+' is a space. A malformed escape stays as it is.
std::string DecodeQueryComponent(absl::string_view in) {
  std::string out;
  out.reserve(in.size());
  for (size_t i = 0; i < in.size(); ++i) {
    int value = 0;
    if (in[i] == '+') {
      out.push_back(' ');
    } else if (in[i] == '%' && i + 2 < in.size() && absl::ascii_isxdigit(in[i + 1]) &&
               absl::ascii_isxdigit(in[i + 2]) &&
               absl::SimpleHexAtoi(in.substr(i + 1, 2), &value)) {
      out.push_back(static_cast<char>(value));
      i += 2;
    } else {
      out.push_back(in[i]);
    }
  }
  return out;
}

}  // namespace

std::optional<absl::string_view> HttpRequest::Header(absl::string_view name) const {
  for (const auto& [key, value] : headers) {
    if (absl::EqualsIgnoreCase(key, name)) return value;
  }
  return std::nullopt;
}

std::optional<std::string> HttpRequest::QueryParam(absl::string_view name) const {
  for (absl::string_view pair : absl::StrSplit(query, '&', absl::SkipEmpty())) {
    std::pair<absl::string_view, absl::string_view> kv =
        absl::StrSplit(pair, absl::MaxSplits('=', 1));
    if (DecodeQueryComponent(kv.first) == name) return DecodeQueryComponent(kv.second);
  }
  return std::nullopt;
}

HttpResponse PlainResponse(int status, std::string body) {
  return HttpResponse{status, "text/plain; charset=utf-8", std::move(body), {}};
}

void HttpRoutes::Add(std::string method, std::string path, HttpHandler handler) {
  std::lock_guard<std::mutex> lock(mu_);
  routes_[std::move(path)][std::move(method)] = std::move(handler);
}

HttpRoutes::Match HttpRoutes::Find(absl::string_view method, absl::string_view path) const {
  if (method == "HEAD") method = "GET";
  std::lock_guard<std::mutex> lock(mu_);
  auto by_path = routes_.find(path);
  if (by_path == routes_.end()) return {nullptr, PlainResponse(404, "not found\n")};
  auto by_method = by_path->second.find(std::string(method));
  if (by_method != by_path->second.end()) return {by_method->second, {}};
  std::vector<std::string> allowed;
  for (const auto& [m, unused] : by_path->second) {
    allowed.push_back(m);
    if (m == "GET") allowed.push_back("HEAD");
  }
  Match match{nullptr, PlainResponse(405, "method not allowed\n")};
  match.answer.headers.emplace_back("Allow", absl::StrJoin(allowed, ", "));
  return match;
}

}  // namespace kpr::observe
