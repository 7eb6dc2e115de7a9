#include "tools/kprctl/text_table.h"

#include "gtest/gtest.h"

namespace kpr::kprctl {
namespace {

TEST(TextTable, CountsCharactersNotBytes) {
  EXPECT_EQ(DisplayWidth("abc"), 3u);
  EXPECT_EQ(DisplayWidth("Ølby"), 4u);  // Ø is two bytes
  EXPECT_EQ(DisplayWidth("Kulturhus Ø"), 11u);
  EXPECT_EQ(DisplayWidth(""), 0u);
}

TEST(TextTable, PadsColumnsToTheWidestCellAndAlignsNumbersRight) {
  TextTable t({"ID", "NAME", "SEATS"});
  t.AlignRight(2);
  t.AddRow({"musik", "Ølby Musikskole", "40"});
  t.AddRow({"bib", "Bibliotek", "120"});
  EXPECT_EQ(t.row_count(), 2u);
  EXPECT_EQ(t.Render(),
            "ID     NAME             SEATS\n"
            "musik  Ølby Musikskole     40\n"
            "bib    Bibliotek          120\n");
}

TEST(TextTable, DashesEmptyCellsButLeavesTheLastColumnBlank) {
  TextTable t({"A", "B", "NOTE"});
  t.AddRow({"x", "", ""});
  t.AddRow({"y"});  // missing cells
  t.AddRow({"z", "b", "moved: flu"});
  EXPECT_EQ(t.Render(),
            "A  B  NOTE\n"
            "x  -\n"
            "y  -\n"
            "z  b  moved: flu\n");
}

TEST(TextTable, HeadingsSitBetweenRowsWithoutWideningColumns) {
  TextTable t({"TIME", "WHAT"});
  t.AddHeading("Mon 2027-01-18, a long heading line");
  t.AddRow({"09:00", "intro"});
  t.AddHeading("Tue 2027-01-19");
  t.AddRow({"10:00", "music"});
  EXPECT_EQ(t.row_count(), 2u);
  EXPECT_EQ(t.Render(2),
            "  TIME   WHAT\n"
            "Mon 2027-01-18, a long heading line\n"
            "  09:00  intro\n"
            "Tue 2027-01-19\n"
            "  10:00  music\n");
}

}  // namespace
}  // namespace kpr::kprctl
