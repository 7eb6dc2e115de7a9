#include "libs/suppression/suppression.h"

#include <algorithm>
#include <random>
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "libs/suppression/suppression_checker_testing.h"

namespace kpr::suppression {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;

using testing::Checker;
using testing::Equation;

// A table built once for both SuppressionTable and the checker.
struct Table {
  std::vector<int> values;
  std::vector<Equation> equations;

  int Cell(int value) {
    values.push_back(value);
    return static_cast<int>(values.size()) - 1;
  }
  // A total cell holding the sum of `parts`, with its equation.
  int Total(const std::vector<int>& parts) {
    int sum = 0;
    for (int p : parts) sum += values[p];
    const int total = Cell(sum);
    equations.push_back({total, parts});
    return total;
  }
  std::vector<bool> Suppress(int threshold) const {
    SuppressionTable table;
    for (int v : values) table.AddCell(v);
    for (const Equation& e : equations) table.AddSum(e.total, e.parts);
    table.Apply(threshold);
    std::vector<bool> suppressed;
    for (size_t i = 0; i < values.size(); ++i) suppressed.push_back(table.suppressed(i));
    return suppressed;
  }
  std::vector<int> SuppressedCells(int threshold) const {
    const auto s = Suppress(threshold);
    std::vector<int> cells;
    for (size_t i = 0; i < s.size(); ++i) {
      if (s[i]) cells.push_back(i);
    }
    return cells;
  }
};

// Every primary cell suppressed, and no suppressed cell recoverable. Returns how many cells
// were suppressed.
int ExpectSafe(const Table& t, int threshold, const std::string& what = "") {
  const auto suppressed = t.Suppress(threshold);
  for (size_t i = 0; i < t.values.size(); ++i) {
    if (t.values[i] > 0 && t.values[i] < threshold) {
      EXPECT_TRUE(suppressed[i]) << what << " cell " << i;
    }
  }
  EXPECT_THAT(Checker(t.values, suppressed, t.equations).Unprotected(), IsEmpty()) << what;
  return std::count(suppressed.begin(), suppressed.end(), true);
}

// ---- The checker itself -------------------------------------------------------------------

TEST(CheckerTest, FindsASingleSuppressedCellAndAcceptsAPair) {
  // 3 + 8 + 12 = 23: hiding only the 3 leaves it recoverable; hiding 3 and 8 does not.
  const std::vector<int> values = {3, 8, 12, 23};
  const std::vector<Equation> equations = {{3, {0, 1, 2}}};
  EXPECT_THAT(Checker(values, {true, false, false, false}, equations).Unprotected(),
              ElementsAre(0));
  EXPECT_THAT(Checker(values, {true, true, false, false}, equations).Unprotected(), IsEmpty());
}

TEST(CheckerTest, UsesNonNegativity) {
  // A 2 x 2 table a=0 b=0 | 0, c=1 d=4 | 5, columns 1 | 4, with a, b, c, d suppressed: the
  // equations alone leave one degree of freedom, but row total 0 pins a = b = 0 and so all.
  const std::vector<int> values = {0, 0, 1, 4, 0, 5, 1, 4};
  const std::vector<Equation> equations = {{4, {0, 1}}, {5, {2, 3}}, {6, {0, 2}}, {7, {1, 3}}};
  EXPECT_THAT(Checker(values, {true, true, true, true, false, false, false, false}, equations)
                  .Unprotected(),
              ElementsAre(0, 1, 2, 3));
}

// ---- Hand-made tables ---------------------------------------------------------------------

TEST(SuppressionTest, OneSmallCellGetsTheSmallestPositiveComplement) {
  Table t;
  const int small = t.Cell(3), a = t.Cell(8), b = t.Cell(0), c = t.Cell(12), d = t.Cell(20);
  t.Total({small, a, b, c, d});
  EXPECT_THAT(t.SuppressedCells(5), ElementsAre(small, a));
  ExpectSafe(t, 5);
}

TEST(SuppressionTest, MinimalWhenNothingMoreIsNeeded) {
  Table t;
  const int one = t.Cell(1), seven = t.Cell(7), nine = t.Cell(9), twenty = t.Cell(20);
  const int total = t.Total({one, seven, nine, twenty});
  const auto suppressed = t.Suppress(5);
  EXPECT_TRUE(suppressed[one]);
  EXPECT_TRUE(suppressed[seven]);
  EXPECT_FALSE(suppressed[nine]);
  EXPECT_FALSE(suppressed[twenty]);
  EXPECT_FALSE(suppressed[total]);
  // No small cell, nothing suppressed; zeros are shown.
  Table u;
  u.Total({u.Cell(0), u.Cell(5), u.Cell(12)});
  EXPECT_THAT(u.SuppressedCells(5), IsEmpty());
}

TEST(SuppressionTest, TwoSmallCellsTogetherBelowTheThresholdGetAThird) {
  Table t;
  const int one = t.Cell(1), two = t.Cell(2), ten = t.Cell(10), thirty = t.Cell(30);
  t.Total({one, two, ten, thirty});
  // 1 + 2 = 3 < 5 would tell an attacker both are small.
  EXPECT_THAT(t.SuppressedCells(5), ElementsAre(one, two, ten));
  ExpectSafe(t, 5);
}

TEST(SuppressionTest, OnlyPositivePartIsHiddenWithTheTotal) {
  Table t;
  const int three = t.Cell(3), zero = t.Cell(0);
  const int total = t.Total({three, zero});
  EXPECT_THAT(t.SuppressedCells(5), ElementsAre(three, total));
  ExpectSafe(t, 5);
}

TEST(SuppressionTest, NestedFunnel) {
  // referred >= contacted >= accepted >= enrolled, each step with its derivable difference,
  // and enrolled = completed + dropped out + still enrolled.
  Table t;
  const int completed = t.Cell(20), dropped = t.Cell(4), still = t.Cell(1);
  const int enrolled = t.Total({completed, dropped, still});
  const int accepted = t.Total({enrolled, t.Cell(2)});
  const int contacted = t.Total({accepted, t.Cell(3)});
  t.Total({contacted, t.Cell(10)});
  ExpectSafe(t, 5);
  const auto suppressed = t.Suppress(5);
  // accepted = enrolled + 2 with accepted shown: enrolled must go; 4 + 1 already hold 5.
  EXPECT_TRUE(suppressed[enrolled]);
  EXPECT_FALSE(suppressed[completed]);
}

TEST(SuppressionTest, TwoWayTableWithRowAndColumnTotals) {
  // 3 x 4 with one small cell: it needs a rectangle of four suppressed cells.
  const int kCells[3][4] = {{12, 9, 2, 15}, {8, 11, 14, 6}, {20, 7, 10, 13}};
  Table t;
  int cell[3][4];
  for (int r = 0; r < 3; ++r) {
    for (int c = 0; c < 4; ++c) cell[r][c] = t.Cell(kCells[r][c]);
  }
  std::vector<int> rows, cols;
  for (int r = 0; r < 3; ++r)
    rows.push_back(t.Total({cell[r][0], cell[r][1], cell[r][2], cell[r][3]}));
  for (int c = 0; c < 4; ++c) cols.push_back(t.Total({cell[0][c], cell[1][c], cell[2][c]}));
  t.Total(rows);
  t.equations.push_back({static_cast<int>(t.values.size()) - 1, cols});  // grand total, both ways
  ExpectSafe(t, 5);
  const auto suppressed = t.SuppressedCells(5);
  EXPECT_EQ(suppressed.size(), 4u);
}

TEST(SuppressionTest, LinearCheckCatchesWhatTheLocalRulesMiss) {
  // a + b, a + c and b + c all published: each equation holds two suppressed cells, yet the
  // three together determine a, b and c.
  Table t;
  const int a = t.Cell(2), b = t.Cell(10), c = t.Cell(10);
  t.Total({a, b});
  t.Total({a, c});
  t.Total({b, c});
  const std::vector<bool> local_only = {true, true, true, false, false, false};
  EXPECT_THAT(Checker(t.values, local_only, t.equations).Unprotected(), ElementsAre(a, b, c));
  EXPECT_GT(t.SuppressedCells(5).size(), 3u);
  ExpectSafe(t, 5);
}

TEST(SuppressionTest, ComplementThatTheEquationsDetermineIsShown) {
  // Employment-like: oriented = s1 + s2 + s3 + s4 and ordinary = s1 + s3 with s2 = s4 = 0, so
  // oriented always equals ordinary; hiding it would hide nothing.
  Table t;
  const int s1 = t.Cell(2), s2 = t.Cell(0), s3 = t.Cell(5), s4 = t.Cell(0), s5 = t.Cell(1),
            s6 = t.Cell(0);
  const int responders = t.Total({s1, s2, s3, s4, s5, s6});
  const int oriented = t.Total({s1, s2, s3, s4});
  const int ordinary = t.Total({s1, s3});
  const int other = t.Total({s5, s6});
  t.equations.push_back({responders, {oriented, other}});
  const auto suppressed = t.Suppress(5);
  EXPECT_FALSE(suppressed[oriented]);
  EXPECT_FALSE(suppressed[ordinary]);
  EXPECT_TRUE(suppressed[responders]);  // else s5 = responders - oriented
  ExpectSafe(t, 5);
}

// ---- Random tables (fixed seed) -----------------------------------------------------------

int RandomCount(std::mt19937& rng) {
  // Many zeros and small counts, some large ones.
  const int kind = std::uniform_int_distribution<int>(0, 9)(rng);
  if (kind < 2) return 0;
  if (kind < 6) return std::uniform_int_distribution<int>(1, 5)(rng);
  return std::uniform_int_distribution<int>(6, 25)(rng);
}

TEST(SuppressionTest, RandomOneWayTables) {
  std::mt19937 rng(4);
  int with_suppression = 0;
  for (int i = 0; i < 300; ++i) {
    Table t;
    std::vector<int> parts;
    const int n = std::uniform_int_distribution<int>(1, 7)(rng);
    for (int p = 0; p < n; ++p) parts.push_back(t.Cell(RandomCount(rng)));
    t.Total(parts);
    if (ExpectSafe(t, std::uniform_int_distribution<int>(3, 6)(rng), "1-D #" + std::to_string(i)) >
        0) {
      ++with_suppression;
    }
  }
  EXPECT_GT(with_suppression, 150);
}

TEST(SuppressionTest, RandomTwoWayTables) {
  std::mt19937 rng(7);
  int with_suppression = 0;
  for (int i = 0; i < 300; ++i) {
    Table t;
    const int rows = std::uniform_int_distribution<int>(2, 4)(rng);
    const int cols = std::uniform_int_distribution<int>(2, 4)(rng);
    std::vector<std::vector<int>> cell(rows, std::vector<int>(cols));
    for (auto& row : cell) {
      for (int& c : row) c = t.Cell(RandomCount(rng));
    }
    std::vector<int> row_totals, col_totals;
    for (int r = 0; r < rows; ++r) row_totals.push_back(t.Total(cell[r]));
    for (int c = 0; c < cols; ++c) {
      std::vector<int> column;
      for (int r = 0; r < rows; ++r) column.push_back(cell[r][c]);
      col_totals.push_back(t.Total(column));
    }
    const int grand = t.Total(row_totals);
    t.equations.push_back({grand, col_totals});
    if (ExpectSafe(t, 5, "2-D #" + std::to_string(i)) > 0) ++with_suppression;
  }
  EXPECT_GT(with_suppression, 250);
}

TEST(SuppressionTest, RandomNestedTables) {
  std::mt19937 rng(11);
  int with_suppression = 0;
  for (int i = 0; i < 300; ++i) {
    Table t;
    // A funnel chain with derivable differences, and a two-level hierarchy beside it.
    int stage =
        t.Total({t.Cell(RandomCount(rng)), t.Cell(RandomCount(rng)), t.Cell(RandomCount(rng))});
    for (int s = 0; s < 3; ++s) stage = t.Total({stage, t.Cell(RandomCount(rng))});
    const int a = t.Total({t.Cell(RandomCount(rng)), t.Cell(RandomCount(rng))});
    const int b =
        t.Total({t.Cell(RandomCount(rng)), t.Cell(RandomCount(rng)), t.Cell(RandomCount(rng))});
    t.Total({a, b});
    if (ExpectSafe(t, 5, "nested #" + std::to_string(i)) > 0) ++with_suppression;
  }
  EXPECT_GT(with_suppression, 250);
}

}  // namespace
}  // namespace kpr::suppression
