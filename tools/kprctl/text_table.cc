#include "tools/kprctl/text_table.h"

#include <algorithm>
#include <utility>

#include "absl/strings/str_cat.h"

namespace kpr::kprctl {

size_t DisplayWidth(const std::string& utf8) {
  size_t n = 0;
  for (unsigned char c : utf8) {
    if ((c & 0xC0) != 0x80) ++n;  // count lead bytes, not continuation bytes
  }
  return n;
}

std::string Plural(size_t n, const std::string& one, const std::string& many) {
  return absl::StrCat(n, " ", n == 1 ? one : many);
}

TextTable::TextTable(std::vector<std::string> header)
    : header_(std::move(header)), right_(header_.size(), false) {}

void TextTable::AlignRight(size_t column) {
  if (column < right_.size()) right_[column] = true;
}

void TextTable::AddRow(std::vector<std::string> cells) {
  cells.resize(header_.size());
  for (size_t i = 0; i + 1 < cells.size(); ++i) {
    if (cells[i].empty()) cells[i] = "-";
  }
  lines_.push_back(Line{false, "", std::move(cells)});
  ++row_count_;
}

void TextTable::AddHeading(std::string text) { lines_.push_back(Line{true, std::move(text), {}}); }

std::string TextTable::RenderCells(const std::vector<std::string>& cells,
                                   const std::vector<size_t>& widths) const {
  std::string out;
  for (size_t i = 0; i < cells.size(); ++i) {
    size_t pad = widths[i] - DisplayWidth(cells[i]);
    bool last = i + 1 == cells.size();
    if (i > 0) out += "  ";
    if (right_[i]) out.append(pad, ' ');
    out += cells[i];
    if (!right_[i] && !last) out.append(pad, ' ');
  }
  // Trailing blanks from blank last cells.
  while (!out.empty() && out.back() == ' ') out.pop_back();
  return out;
}

std::string TextTable::Render(size_t indent) const {
  std::vector<size_t> widths(header_.size(), 0);
  for (size_t i = 0; i < header_.size(); ++i) widths[i] = DisplayWidth(header_[i]);
  for (const Line& line : lines_) {
    if (line.heading) continue;
    for (size_t i = 0; i < line.cells.size(); ++i) {
      widths[i] = std::max(widths[i], DisplayWidth(line.cells[i]));
    }
  }
  const std::string pad(indent, ' ');
  std::string out = pad + RenderCells(header_, widths) + "\n";
  for (const Line& line : lines_) {
    if (line.heading) {
      out += line.text + "\n";
    } else {
      out += pad + RenderCells(line.cells, widths) + "\n";
    }
  }
  return out;
}

}  // namespace kpr::kprctl
