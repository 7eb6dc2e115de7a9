#include "libs/suppression/suppression.h"

#include <cmath>
#include <utility>

namespace kpr::suppression {
namespace {
constexpr double kTolerance = 1e-9;
}  // namespace

int SuppressionTable::AddCell(double value) {
  values_.push_back(value);
  suppressed_.push_back(false);
  return static_cast<int>(values_.size()) - 1;
}

void SuppressionTable::AddSum(int total, std::vector<int> parts) {
  sums_.push_back(Sum{total, std::move(parts)});
}

bool SuppressionTable::suppressed(int cell) const { return suppressed_.at(cell); }

int SuppressionTable::NextComplement(const Sum& sum) const {
  int best = -1;
  for (int part : sum.parts) {
    if (!suppressed_[part] && values_[part] > 0 && (best < 0 || values_[part] < values_[best])) {
      best = part;
    }
  }
  if (best < 0 && !suppressed_[sum.total] && values_[sum.total] > 0) best = sum.total;
  return best;
}

bool SuppressionTable::ApplyLocalRules(int threshold) {
  bool any = false;
  for (bool changed = true; changed;) {
    changed = false;
    for (const Sum& sum : sums_) {
      int count = 0;
      double held = 0;
      auto look = [&](int cell) {
        if (!suppressed_[cell]) return;
        ++count;
        held += values_[cell];
      };
      look(sum.total);
      for (int part : sum.parts) look(part);
      if (count == 1 || (count > 1 && held < threshold)) {
        const int cell = NextComplement(sum);
        if (cell >= 0) {
          suppressed_[cell] = true;
          changed = any = true;
        }
      }
    }
  }
  return any;
}

std::vector<int> SuppressionTable::Recoverable() const {
  // Columns: the suppressed cells. Rows: each equation as total - sum(parts) = (known).
  std::vector<int> column(values_.size(), -1);
  std::vector<int> cells;
  for (int i = 0; i < static_cast<int>(values_.size()); ++i) {
    if (suppressed_[i]) {
      column[i] = static_cast<int>(cells.size());
      cells.push_back(i);
    }
  }
  const int width = static_cast<int>(cells.size());
  std::vector<std::vector<double>> rows;
  for (const Sum& sum : sums_) {
    std::vector<double> row(width, 0);
    bool any = false;
    auto add = [&](int cell, double coefficient) {
      if (column[cell] < 0) return;
      row[column[cell]] += coefficient;
      any = true;
    };
    add(sum.total, 1);
    for (int part : sum.parts) add(part, -1);
    if (any) rows.push_back(std::move(row));
  }
  // Reduced row echelon form. A unit vector e_j lies in the row space exactly when j is a pivot
  // column whose row has no other non-zero entry.
  std::vector<int> pivot_columns;
  int rank = 0;
  for (int col = 0; col < width && rank < static_cast<int>(rows.size()); ++col) {
    int pivot = -1;
    for (int r = rank; r < static_cast<int>(rows.size()); ++r) {
      if (std::fabs(rows[r][col]) > kTolerance &&
          (pivot < 0 || std::fabs(rows[r][col]) > std::fabs(rows[pivot][col]))) {
        pivot = r;
      }
    }
    if (pivot < 0) continue;
    std::swap(rows[rank], rows[pivot]);
    const double scale = rows[rank][col];
    for (double& v : rows[rank]) v /= scale;
    for (int r = 0; r < static_cast<int>(rows.size()); ++r) {
      if (r == rank || std::fabs(rows[r][col]) <= kTolerance) continue;
      const double factor = rows[r][col];
      for (int c = 0; c < width; ++c) rows[r][c] -= factor * rows[rank][c];
    }
    pivot_columns.push_back(col);
    ++rank;
  }
  std::vector<int> recoverable;
  for (int r = 0; r < rank; ++r) {
    bool unit = true;
    for (int c = 0; c < width && unit; ++c) {
      if (c != pivot_columns[r] && std::fabs(rows[r][c]) > kTolerance) unit = false;
    }
    if (unit) recoverable.push_back(cells[pivot_columns[r]]);
  }
  return recoverable;
}

void SuppressionTable::Apply(int threshold) {
  for (size_t i = 0; i < values_.size(); ++i) {
    suppressed_[i] = values_[i] > 0 && values_[i] < threshold;
  }
  while (true) {
    ApplyLocalRules(threshold);
    // Hide the first recoverable cell that can still be hidden. One with nothing left around it
    // (every cell of its equations suppressed or zero) is fixed by the equations themselves,
    // and no further suppression can help it.
    int best = -1;
    for (int recoverable : Recoverable()) {
      for (const Sum& sum : sums_) {
        bool contains = sum.total == recoverable;
        for (int part : sum.parts) contains = contains || part == recoverable;
        if (!contains) continue;
        const int cell = NextComplement(sum);
        if (cell >= 0 && (best < 0 || values_[cell] < values_[best])) best = cell;
      }
      if (best >= 0) break;
    }
    if (best < 0) break;
    suppressed_[best] = true;
  }
  // A complementary cell that the equations determine anyway hides nothing (its value follows
  // from shown cells), so it is shown. Small cells stay suppressed even then.
  for (int cell : Recoverable()) {
    if (values_[cell] >= threshold) suppressed_[cell] = false;
  }
}

}  // namespace kpr::suppression
