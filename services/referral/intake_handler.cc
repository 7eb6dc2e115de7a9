#include "services/referral/intake_handler.h"

#include <string>
#include <utility>

#include "absl/strings/str_cat.h"
#include "libs/bus/envelope.h"
#include "libs/observe/log.h"
#include "libs/observe/metrics.h"

namespace kpr::referral {
namespace {

using observe::MetricsRegistry;

observe::Counter& IntakeCounter(const char* outcome) {
  return MetricsRegistry::Global().GetCounter("kpr_referral_intake_total",
                                              "Intake submissions handled, by outcome",
                                              {{"outcome", outcome}});
}

}  // namespace

IntakeHandler::IntakeHandler(IntakeDesk& desk) : desk_(desk), router_(kIntakeConsumer) {}

std::vector<bus::Outcome> IntakeHandler::Handle(const std::vector<bus::Delivery>& batch) {
  static observe::Counter& stored = IntakeCounter("stored");
  static observe::Counter& duplicate = IntakeCounter("duplicate");
  static observe::Counter& rejected = IntakeCounter("rejected");
  static observe::Counter& dead = IntakeCounter("dead_letter");
  static observe::Counter& retried = IntakeCounter("retry");

  std::vector<bus::Outcome> outcomes(batch.size(), bus::Outcome{});
  auto dead_letter = [&](size_t i, std::string reason) {
    outcomes[i] = bus::Outcome{bus::Outcome::kDeadLetter, absl::ZeroDuration(), std::move(reason)};
    dead.Increment();
  };

  // The submissions; their envelopes stay here, since the items point at their payloads.
  std::vector<common::v1::Event> events;
  std::vector<IntakeItem> items;
  std::vector<size_t> delivery_of_item;
  events.reserve(batch.size());
  items.reserve(batch.size());
  delivery_of_item.reserve(batch.size());
  for (size_t i = 0; i < batch.size(); ++i) {
    // The router's envelope checks: decodes, municipality is the subject's, type is payload's.
    auto event = router_.ScreenEnvelope(batch[i]);
    if (!event.ok()) {
      dead_letter(i, std::string(event.status().message()));
      continue;
    }
    if (event->type() != intake::v1::ReferralSubmitted::descriptor()->full_name()) {
      router_.CountUnrouted(event->type());
      continue;  // acked: not a submission
    }
    auto submission = bus::UnpackEvent<intake::v1::ReferralSubmitted>(*event);
    if (!submission.ok()) {
      dead_letter(i, absl::StrCat("unexpected payload: ", submission.status().message()));
      continue;
    }
    IntakeItem item;
    item.submission = *std::move(submission);
    const common::v1::Event& e = events.emplace_back(*std::move(event));
    item.municipality = e.municipality();
    item.event_id = e.id();
    item.payload = e.payload().value();
    item.caller.claims.subject = "intake";
    item.caller.claims.role = identity::Role::kService;
    item.caller.claims.municipalities = {e.municipality()};
    item.caller.correlation_id = e.correlation_id().empty() ? e.id() : e.correlation_id();
    item.caller.traceparent = e.trace().traceparent();
    items.push_back(std::move(item));
    delivery_of_item.push_back(i);
  }
  if (items.empty()) return outcomes;

  std::vector<IntakeResult> results = desk_.SubmitBatch(std::move(items));
  bool logged = false;
  for (size_t k = 0; k < results.size(); ++k) {
    const size_t i = delivery_of_item[k];
    const IntakeResult& result = results[k];
    switch (result.kind) {
      case IntakeResult::Kind::kStored:
        stored.Increment();
        break;
      case IntakeResult::Kind::kDuplicate:
        duplicate.Increment();
        break;
      case IntakeResult::Kind::kRejected:
        rejected.Increment();
        break;
      case IntakeResult::Kind::kRetry:
        // An outage is retried for as long as it lasts; anything else that keeps failing (a
        // script error on this one submission) must not block the stream forever.
        if (result.error.code() != absl::StatusCode::kUnavailable &&
            batch[i].delivery_count >= kMaxDeliveriesOnError) {
          dead_letter(i, absl::StrCat("storing failed ", batch[i].delivery_count,
                                      " times: ", result.error.message()));
          break;
        }
        outcomes[i] = bus::Outcome{bus::Outcome::kRetry, bus::RetryBackoff(batch[i].delivery_count),
                                   std::string(result.error.message())};
        retried.Increment();
        if (!logged) {
          observe::Warn("intake submission not stored; will retry")
              .With("reason", result.error.ToString())
              .With("batch", static_cast<int64_t>(batch.size()));
          logged = true;
        }
        break;
    }
  }
  return outcomes;
}

}  // namespace kpr::referral
