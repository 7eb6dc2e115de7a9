#ifndef KPR_LIBS_SUPPRESSION_SUPPRESSION_H_
#define KPR_LIBS_SUPPRESSION_SUPPRESSION_H_

// Small-cell suppression with complementary suppression, for the counts in a report.
//
// What an attacker is assumed to know: every shown count; every equation between counts that
// is published or can be derived (a total and its parts, including cells that are not printed
// but follow from printed figures, such as "below 80 %" = n - "at least 80 %"); that counts are
// non-negative integers; and the rules below. Not assumed: any suppressed value, outside
// microdata. A count is protected when those facts leave it at least two possible values, and
// the suppressed cells of an equation together hold at least the threshold, so an attacker
// cannot even learn that they are all small.
//
// Rules, in Apply(threshold):
//  - primary: a count with 0 < value < threshold is suppressed; zeros are shown.
//  - complementary, repeated to a fixed point:
//    (1) an equation (total and parts) with exactly one suppressed cell gets a second one: the
//        smallest shown part with a value > 0, else the total. Zeros are never chosen: with
//        other equations and non-negativity a suppressed zero can pin its neighbours.
//    (2) the suppressed cells of an equation must together hold >= threshold; otherwise the
//        smallest shown part > 0 (else the total) is suppressed as well.
//  - then a linear-algebra check over all equations at once: a suppressed cell is recoverable
//    when its unit vector lies in the row space of the equations restricted to the suppressed
//    cells (Gaussian elimination). While one is, the smallest shown cell > 0 of an equation
//    containing it is suppressed, and everything is repeated. A recoverable cell with nothing
//    left to hide it with is fixed by the shown cells: if it is not small it is shown again
//    (that reveals nothing); a small one stays suppressed (only degenerate tables get there).
// Pure; meant for tables of up to a few hundred cells.

#include <vector>

namespace kpr::suppression {

class SuppressionTable {
 public:
  // Adds a count (a non-negative integer value); returns its id.
  int AddCell(double value);
  // A published or derivable equation between cells: total = sum(parts).
  void AddSum(int total, std::vector<int> parts);
  // Decides which cells are suppressed (see above). Call once, after all cells and sums.
  void Apply(int threshold);
  bool suppressed(int cell) const;

 private:
  struct Sum {
    int total;
    std::vector<int> parts;
  };
  // The smallest shown cell of `sum` worth suppressing next, or -1.
  int NextComplement(const Sum& sum) const;
  bool ApplyLocalRules(int threshold);
  // The suppressed cells the equations determine.
  std::vector<int> Recoverable() const;

  std::vector<double> values_;
  std::vector<bool> suppressed_;
  std::vector<Sum> sums_;
};

}  // namespace kpr::suppression

#endif  // KPR_LIBS_SUPPRESSION_SUPPRESSION_H_
