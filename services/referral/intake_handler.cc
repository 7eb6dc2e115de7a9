#include "services/referral/intake_handler.h"

#include <algorithm>
#include <map>
#include <optional>

#include "absl/strings/str_cat.h"
#include "libs/bus/envelope.h"
#include "libs/bus/outbox_relay.h"
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

IntakeHandler::IntakeHandler(IntakeDesk& desk, ReferralStore& store, store::RedisPool& pool,
                             bus::OutboxRelay* relay)
    : desk_(desk), store_(store), pool_(pool), relay_(relay), router_(kIntakeConsumer) {}

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
  // A failed store: an outage is retried for as long as it lasts; anything else that keeps
  // failing (a script error on this one submission) must not block the stream forever.
  auto failed = [&](size_t i, const absl::Status& why) {
    if (why.code() != absl::StatusCode::kUnavailable &&
        batch[i].delivery_count >= kMaxDeliveriesOnError) {
      dead_letter(
          i, absl::StrCat("storing failed ", batch[i].delivery_count, " times: ", why.message()));
    } else {
      outcomes[i] = bus::Outcome{bus::Outcome::kRetry, bus::RetryBackoff(batch[i].delivery_count),
                                 std::string(why.message())};
      retried.Increment();
    }
  };

  // Valid submissions, grouped by municipality (one script call each); rejections one by one.
  std::vector<IntakeDesk::Prepared> prepared(batch.size());
  std::map<std::string, std::vector<size_t>> valid_by_municipality;
  std::vector<store::RedisPool::ScriptCall> reject_calls;
  std::vector<size_t> reject_for;
  for (size_t i = 0; i < batch.size(); ++i) {
    const bus::Delivery& d = batch[i];
    // The router's envelope checks: decodes, municipality is the subject's, type is payload's.
    auto event = router_.ScreenEnvelope(d);
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
    const std::string& m = event->municipality();
    Caller caller;
    caller.claims.subject = "intake";
    caller.claims.role = identity::Role::kService;
    caller.claims.municipalities = {m};
    caller.correlation_id = event->correlation_id().empty() ? event->id() : event->correlation_id();
    caller.traceparent = event->trace().traceparent();

    // A submission naming another municipality than its subject is rejected with the field, so
    // the integration learns what to fix.
    const bool municipality_matches = submission->municipality() == m;
    // The common case gives the submission away (no copy); a rejection needs it afterwards.
    prepared[i] = municipality_matches ? desk_.Prepare(std::move(*submission), caller)
                                       : desk_.Prepare(*submission, caller);
    if (!prepared[i].error.ok()) {
      failed(i, prepared[i].error);
      continue;
    }
    if (!municipality_matches) {
      kpr::common::v1::FieldViolation v;
      v.set_field("municipality");
      v.set_description(absl::StrCat("must match the subject's municipality ", m));
      prepared[i].violations.push_back(v);
    }
    if (prepared[i].violations.empty()) {
      valid_by_municipality[m].push_back(i);
      continue;
    }
    if (municipality_matches) {
      submission = bus::UnpackEvent<intake::v1::ReferralSubmitted>(*event);  // it was moved
      if (!submission.ok()) {
        dead_letter(i, absl::StrCat("unexpected payload: ", submission.status().message()));
        continue;
      }
    }
    // One rejection per distinct submission. Keyed, so neither the external id (which may be
    // anything, since it failed validation) nor a guessable payload lies in Redis in clear.
    std::string key = desk_.KeyedDigest(
        "rejected-payload",
        absl::StrCat(ExternalKey(submission->source_system(), submission->external_id()), "\n",
                     event->payload().value()));
    std::string event_id =
        absl::StrCat("rejected-", desk_.KeyedDigest("rejected-event", absl::StrCat(m, "\n", key)));
    OutboxEvent rejection =
        desk_.RejectionEvent(*submission, prepared[i].violations, m, event->id(), event_id, caller);
    reject_calls.push_back(store_.RejectCall(m, key, rejection));
    reject_for.push_back(i);
    valid_by_municipality.try_emplace(m);  // its outbox must be registered too
  }
  if (reject_calls.empty() && valid_by_municipality.empty()) return outcomes;

  for (const auto& [m, items] : valid_by_municipality) {
    if (auto s = store_.RegisterOutbox(m); !s.ok()) {
      for (const auto& [m2, items2] : valid_by_municipality) {
        for (size_t i : items2) failed(i, s);
      }
      for (size_t i : reject_for) failed(i, s);
      return outcomes;
    }
  }

  std::vector<store::RedisPool::ScriptCall> calls = std::move(reject_calls);
  std::vector<std::vector<const NewReferral*>> submit_batches;
  std::vector<std::vector<size_t>> submit_for;
  for (const auto& [m, items] : valid_by_municipality) {
    if (items.empty()) continue;
    std::vector<const NewReferral*> referrals;
    for (size_t i : items) referrals.push_back(&prepared[i].referral);
    calls.push_back(store_.SubmitCall(referrals));
    submit_batches.push_back(std::move(referrals));
    submit_for.push_back(items);
  }
  auto results = pool_.EvalPipeline(calls);
  if (!results.ok()) {
    observe::Warn("intake batch not stored; will retry")
        .With("reason", results.status().ToString())
        .With("batch", static_cast<int64_t>(batch.size()));
    for (size_t i : reject_for) failed(i, results.status());
    for (const auto& items : submit_for) {
      for (size_t i : items) failed(i, results.status());
    }
    return outcomes;
  }

  // Appended to the outbox and not handed over to the relay: it must read the outbox back.
  bool notify = false;
  for (size_t c = 0; c < reject_for.size(); ++c) {
    const auto& result = (*results)[c];
    if (!result.ok()) {
      failed(reject_for[c], result.status());
    } else if (result->integer() == 1) {
      rejected.Increment();
      notify = true;
    }
  }
  // Counts the outcome of one submit script and hands the events it appended to the outbox relay
  // (they are in Redis already; the relay then need not read them back).
  auto apply_submit = [&](const absl::StatusOr<store::RedisReply>& result,
                          const std::vector<const NewReferral*>& referrals,
                          const std::vector<size_t>& items) -> bool {
    if (!result.ok()) return false;
    auto parsed = ReferralStore::ParseSubmitReply(*result, referrals);
    if (!parsed.ok()) return false;
    std::vector<store::OutboxEntry> appended;
    for (size_t k = 0; k < items.size(); ++k) {
      SubmitResult& r = (*parsed)[k];
      if (!r.created) {
        duplicate.Increment();
        continue;
      }
      stored.Increment();
      std::vector<OutboxEvent>& events = prepared[items[k]].referral.events;
      for (size_t e = 0; e < events.size(); ++e) {
        appended.push_back(store::OutboxEntry{std::move(r.outbox_ids[e]), std::move(events[e].id),
                                              std::move(events[e].subject),
                                              std::move(events[e].data)});
      }
    }
    if (!appended.empty() &&
        (relay_ == nullptr || !relay_->HandOver(referrals.front()->stored.referral().municipality(),
                                                std::move(appended)))) {
      notify = true;
    }
    return true;
  };
  for (size_t b = 0; b < submit_batches.size(); ++b) {
    const auto& result = (*results)[reject_for.size() + b];
    if (apply_submit(result, submit_batches[b], submit_for[b])) continue;
    // The batch failed in Redis: store its referrals one by one so that only a submission that
    // really cannot be stored fails (those before it in the batch may be in already, which the
    // de-duplication absorbs; their outbox entries from the failed run are left for the relay to
    // read back).
    notify = true;
    std::vector<store::RedisPool::ScriptCall> singles;
    for (const NewReferral* r : submit_batches[b]) singles.push_back(store_.SubmitCall({r}));
    auto single_results = pool_.EvalPipeline(singles);
    for (size_t k = 0; k < submit_for[b].size(); ++k) {
      size_t i = submit_for[b][k];
      if (!single_results.ok()) {
        failed(i, single_results.status());
      } else if (!apply_submit((*single_results)[k], {submit_batches[b][k]}, {i})) {
        const auto& r = (*single_results)[k];
        failed(i, r.ok() ? absl::InternalError("unexpected reply") : r.status());
      }
    }
  }
  if (notify) desk_.NotifyOutbox();
  return outcomes;
}

}  // namespace kpr::referral
