#ifndef KPR_TESTS_SUPPORT_WHO5_TESTING_H_
#define KPR_TESTS_SUPPORT_WHO5_TESTING_H_

#include "kpr/outcomes/v1/outcomes.pb.h"

namespace kpr::testing {

// WHO-5 items (0..5 each) summing to `raw` (0..25), spread as evenly as they go.
inline outcomes::v1::Who5Answers Who5(int raw) {
  int items[5];
  for (int i = 0; i < 5; ++i) items[i] = raw / 5 + (i < raw % 5 ? 1 : 0);
  outcomes::v1::Who5Answers a;
  a.set_cheerful(items[0]);
  a.set_calm(items[1]);
  a.set_active(items[2]);
  a.set_rested(items[3]);
  a.set_interested(items[4]);
  return a;
}

}  // namespace kpr::testing

#endif  // KPR_TESTS_SUPPORT_WHO5_TESTING_H_
