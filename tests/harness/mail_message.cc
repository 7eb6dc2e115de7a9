#include "tests/harness/mail_message.h"

#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/strip.h"

namespace kpr::testing {
namespace {

using Headers = std::map<std::string, std::string>;

std::string Trim(std::string_view s) {
  return std::string(absl::StripAsciiWhitespace(absl::string_view(s.data(), s.size())));
}

std::string Lower(std::string_view s) { return absl::AsciiStrToLower(std::string(s)); }

// Splits `text` at the first empty line into unfolded headers and the rest.
std::pair<Headers, std::string> SplitHeaders(std::string_view text) {
  Headers headers;
  std::string name, value;
  auto flush = [&] {
    if (!name.empty()) headers.emplace(Lower(name), Trim(value));
    name.clear();
    value.clear();
  };
  size_t pos = 0;
  while (pos < text.size()) {
    size_t eol = text.find('\n', pos);
    size_t next = eol == std::string_view::npos ? text.size() : eol + 1;
    std::string_view line = text.substr(pos, next - pos);
    while (!line.empty() && (line.back() == '\n' || line.back() == '\r')) line.remove_suffix(1);
    pos = next;
    if (line.empty()) break;  // end of the header block
    if (line.front() == ' ' || line.front() == '\t') {
      value.append(line);  // a folded continuation
      continue;
    }
    flush();
    size_t colon = line.find(':');
    if (colon == std::string_view::npos) continue;  // not a header: skipped
    name = std::string(line.substr(0, colon));
    value = std::string(line.substr(colon + 1));
  }
  flush();
  return {std::move(headers), std::string(text.substr(pos))};
}

std::string Get(const Headers& headers, std::string_view name) {
  auto it = headers.find(Lower(name));
  return it == headers.end() ? "" : it->second;
}

// The sections of a multipart body between its `--boundary` lines.
std::vector<std::string_view> SplitMultipart(std::string_view body, std::string_view boundary) {
  std::vector<std::string_view> sections;
  const std::string delimiter = "--" + std::string(boundary);
  size_t pos = 0;
  size_t part_start = std::string_view::npos;
  while (pos < body.size()) {
    size_t eol = body.find('\n', pos);
    size_t next = eol == std::string_view::npos ? body.size() : eol + 1;
    std::string trimmed = Trim(body.substr(pos, next - pos));
    bool close = trimmed == delimiter + "--";
    if (close || trimmed == delimiter) {
      if (part_start != std::string_view::npos) {
        std::string_view part = body.substr(part_start, pos - part_start);
        // The line break before a delimiter belongs to the delimiter.
        if (absl::EndsWith(absl::string_view(part.data(), part.size()), "\n")) {
          part.remove_suffix(1);
        }
        if (absl::EndsWith(absl::string_view(part.data(), part.size()), "\r")) {
          part.remove_suffix(1);
        }
        sections.push_back(part);
      }
      if (close) break;
      part_start = next;
    }
    pos = next;
  }
  return sections;
}

std::string PercentDecode(std::string_view s) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    int byte;
    if (s[i] == '%' && i + 2 < s.size() &&
        absl::SimpleHexAtoi(absl::string_view(s.data() + i + 1, 2), &byte)) {
      out.push_back(static_cast<char>(byte));
      i += 2;
    } else {
      out.push_back(s[i]);
    }
  }
  return out;
}

std::string Filename(const Headers& headers) {
  std::string disposition = Get(headers, "content-disposition");
  std::string name = HeaderParam(disposition, "filename");
  if (name.empty()) {
    // RFC 2231: filename*=charset'language'percent-encoded
    std::string extended = HeaderParam(disposition, "filename*");
    size_t quote = extended.find('\'', extended.find('\'') + 1);
    if (quote != std::string::npos) name = PercentDecode(extended.substr(quote + 1));
  }
  if (name.empty()) name = HeaderParam(Get(headers, "content-type"), "name");
  return name;
}

void CollectParts(const Headers& headers, std::string_view body, int depth,
                  std::vector<MailPart>& out) {
  std::string content_type = Get(headers, "content-type");
  std::string type = Lower(Trim(content_type.substr(0, content_type.find(';'))));
  if (type.empty()) type = "text/plain";
  std::string boundary = HeaderParam(content_type, "boundary");
  if (absl::StartsWith(type, "multipart/") && !boundary.empty() && depth < 8) {
    for (std::string_view section : SplitMultipart(body, boundary)) {
      auto [part_headers, part_body] = SplitHeaders(section);
      CollectParts(part_headers, part_body, depth + 1, out);
    }
    return;
  }
  MailPart part;
  part.headers = headers;
  part.content_type = type;
  part.filename = Filename(headers);
  part.attachment =
      absl::StartsWithIgnoreCase(Trim(Get(headers, "content-disposition")), "attachment");
  std::string encoding = Lower(Trim(Get(headers, "content-transfer-encoding")));
  if (encoding == "base64") {
    part.body = DecodeBase64(body);
  } else if (encoding == "quoted-printable") {
    part.body = DecodeQuotedPrintable(body);
  } else {
    part.body = std::string(body);
  }
  out.push_back(std::move(part));
}

}  // namespace

std::string MailMessage::Header(std::string_view name) const { return Get(headers, name); }

std::vector<MailPart> MailMessage::Parts() const {
  std::vector<MailPart> parts;
  CollectParts(headers, body, 0, parts);
  return parts;
}

MailMessage ParseMail(std::string raw) {
  MailMessage message;
  auto [headers, body] = SplitHeaders(raw);
  message.headers = std::move(headers);
  message.body = std::move(body);
  message.raw = std::move(raw);
  return message;
}

const MailPart* FindPart(const std::vector<MailPart>& parts, std::string_view content_type) {
  for (const MailPart& part : parts) {
    if (part.content_type == Lower(content_type)) return &part;
  }
  return nullptr;
}

std::string HeaderParam(std::string_view value, std::string_view name) {
  // Split on ';' outside quotes; the first piece is the value itself.
  std::vector<std::string> pieces(1);
  bool quoted = false;
  for (size_t i = 0; i < value.size(); ++i) {
    char c = value[i];
    if (c == '"') quoted = !quoted;
    if (c == '\\' && quoted && i + 1 < value.size()) {
      pieces.back().push_back(value[++i]);
      continue;
    }
    if (c == ';' && !quoted) {
      pieces.emplace_back();
      continue;
    }
    pieces.back().push_back(c);
  }
  for (size_t i = 1; i < pieces.size(); ++i) {
    size_t eq = pieces[i].find('=');
    if (eq == std::string::npos) continue;
    if (Lower(Trim(pieces[i].substr(0, eq))) != Lower(name)) continue;
    std::string v = Trim(pieces[i].substr(eq + 1));
    if (v.size() >= 2 && v.front() == '"' && v.back() == '"') v = v.substr(1, v.size() - 2);
    return v;
  }
  return "";
}

std::string DecodeBase64(std::string_view text) {
  std::string compact;
  for (char c : text) {
    if (!absl::ascii_isspace(static_cast<unsigned char>(c))) compact.push_back(c);
  }
  std::string out;
  if (!absl::Base64Unescape(compact, &out)) return "";
  return out;
}

std::string DecodeQuotedPrintable(std::string_view text) {
  std::string out;
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '=') {
      out.push_back(text[i]);
      continue;
    }
    if (i + 1 < text.size() && text[i + 1] == '\n') {  // soft line break
      i += 1;
    } else if (i + 2 < text.size() && text[i + 1] == '\r' && text[i + 2] == '\n') {
      i += 2;
    } else if (int byte; i + 2 < text.size() &&
                         absl::SimpleHexAtoi(absl::string_view(text.data() + i + 1, 2), &byte)) {
      out.push_back(static_cast<char>(byte));
      i += 2;
    } else {
      out.push_back('=');
    }
  }
  return out;
}

}  // namespace kpr::testing
