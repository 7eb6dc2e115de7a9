#ifndef KPR_TOOLS_KPRCTL_TEXT_TABLE_H_
#define KPR_TOOLS_KPRCTL_TEXT_TABLE_H_

// Plain-text tables for kprctl's human output: columns padded to their widest cell (counted in
// characters, so "Ølby" lines up), two spaces between columns, no trailing blanks. Heading lines
// between rows group them (e.g. one heading per day) without widening any column.

#include <string>
#include <vector>

namespace kpr::kprctl {

// Characters (UTF-8 code points) in `utf8`.
size_t DisplayWidth(const std::string& utf8);

// "1 session", "3 sessions": `n` and the word that goes with it.
std::string Plural(size_t n, const std::string& one, const std::string& many);

class TextTable {
 public:
  explicit TextTable(std::vector<std::string> header);

  // Numbers read better right-aligned.
  void AlignRight(size_t column);
  // Missing or empty cells show as "-", except in the last column (a note), which stays blank.
  // Cells beyond the header's are dropped.
  void AddRow(std::vector<std::string> cells);
  // A line of its own, printed as is between the rows around it.
  void AddHeading(std::string text);

  size_t row_count() const { return row_count_; }
  // Header, then rows and headings in the order added; every line ends in "\n". Rows are
  // indented by `indent` spaces (headings are not).
  std::string Render(size_t indent = 0) const;

 private:
  struct Line {
    bool heading = false;
    std::string text;                // heading
    std::vector<std::string> cells;  // row
  };
  std::string RenderCells(const std::vector<std::string>& cells,
                          const std::vector<size_t>& widths) const;

  std::vector<std::string> header_;
  std::vector<bool> right_;
  std::vector<Line> lines_;
  size_t row_count_ = 0;
};

}  // namespace kpr::kprctl

#endif  // KPR_TOOLS_KPRCTL_TEXT_TABLE_H_
