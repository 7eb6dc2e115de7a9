#ifndef KPR_SERVICES_OUTCOMES_INSTRUMENTS_H_
#define KPR_SERVICES_OUTCOMES_INSTRUMENTS_H_

// Validation and scoring of the questionnaires (DOMAIN.md "WHO-5 scoring", "Work Ability
// Index"). Every cut-off is configurable; the defaults are the published ones. Errors name every
// bad item by its proto path ("who5.calm: missing; who5.active: 7 is outside 0..5") so a form
// can mark all of them at once. Pure; no I/O.

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "kpr/outcomes/v1/outcomes.pb.h"

namespace kpr::outcomes {

// WHO-5 bands on the percentage score (Danish reading): <= high_risk_max high risk,
// <= poor_max risk of stress or depression, above normal.
struct Who5Cutoffs {
  int high_risk_max = 35;
  int poor_max = 50;
};

// WAI categories on the total (7..49): below moderate_min poor, below good_min moderate, below
// excellent_min good, else excellent. Totals can be fractional (dimension 2 is weighted), hence
// "below" rather than the published integer ranges 7-27 / 28-36 / 37-43 / 44-49.
struct WaiCutoffs {
  double moderate_min = 28;
  double good_min = 37;
  double excellent_min = 44;
};

// WHO-5: raw = sum of the five items (0..25), percentage = raw x 4 (so raw 13 is 52, not 50;
// nothing is subtracted). who5_screen_for_depression = percentage <= cutoffs.poor_max (with the
// default 50 that is raw < 13) or any item answered 0 or 1. Missing items are invalid (no
// imputation).
absl::StatusOr<v1::Score> ScoreWho5(const v1::Who5Answers& answers);
absl::StatusOr<v1::Score> ScoreWho5(const v1::Who5Answers& answers, const Who5Cutoffs& cutoffs);

// WAI (Tuomi et al. 1998): the sum of the seven dimension scores, 7..49; see instruments.cc for
// the dimension rules.
absl::StatusOr<v1::Score> ScoreWai(const v1::WaiAnswers& answers);
absl::StatusOr<v1::Score> ScoreWai(const v1::WaiAnswers& answers, const WaiCutoffs& cutoffs);

// status must be one of 1..8; weekly_hours, if set, 0..80.
absl::Status ValidateEmployment(const v1::EmploymentAnswers& answers);

// Which instrument the oneof `answers` holds (INSTRUMENT_UNSPECIFIED if none).
v1::Instrument InstrumentOf(const v1::Questionnaire& q);

// Validates and scores q's answers, whichever instrument (employment: an empty Score).
// INVALID_ARGUMENT "answers: none given" if the oneof is empty, and "instrument: INSTRUMENT_WHO5
// does not match the answers given (WORK_ABILITY_INDEX)" if q.instrument() is set and disagrees
// with the oneof.
absl::StatusOr<v1::Score> ScoreAnswers(const v1::Questionnaire& q);

}  // namespace kpr::outcomes

#endif  // KPR_SERVICES_OUTCOMES_INSTRUMENTS_H_
