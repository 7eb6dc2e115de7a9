#include "services/referral/intake_handler.h"

#include <algorithm>
#include <optional>

#include "absl/strings/str_cat.h"
#include "libs/bus/envelope.h"
#include "libs/observe/log.h"
#include "libs/observe/metrics.h"

namespace kpr::referral {
namespace {

using observe::MetricsRegistry;

observe::Counter& IntakeCounter(const char* outcome) {
  return MetricsRegistry::Global().GetCounter(
      "kpr_referral_intake_total", "Intake submissions handled, by outcome", {{"outcome", outcome}});
}

}  // namespace

absl::Duration RetryBackoff(uint64_t delivery_count) {
  int exponent = static_cast<int>(std::min<uint64_t>(delivery_count > 0 ? delivery_count - 1 : 0, 7));
  return std::min(absl::Milliseconds(250) * (1 << exponent), absl::Seconds(30));
}

IntakeHandler::IntakeHandler(ReferralDesk& desk, ReferralStore& store, store::RedisPool& pool)
    : desk_(desk), store_(store), pool_(pool) {}

std::vector<bus::Outcome> IntakeHandler::Handle(const std::vector<bus::Delivery>& batch) {
  static observe::Counter& stored = IntakeCounter("stored");
  static observe::Counter& duplicate = IntakeCounter("duplicate");
  static observe::Counter& rejected = IntakeCounter("rejected");
  static observe::Counter& dead = IntakeCounter("dead_letter");
  static observe::Counter& retried = IntakeCounter("retry");

  std::vector<bus::Outcome> outcomes(batch.size(), bus::Outcome{});
  std::vector<store::RedisPool::ScriptCall> calls;
  std::vector<size_t> call_for;       // delivery index of each call
  std::vector<bool> call_is_submit;
  std::vector<std::string> municipalities;

  for (size_t i = 0; i < batch.size(); ++i) {
    const bus::Delivery& d = batch[i];
    auto event = bus::ParseEvent(d.data);
    if (!event.ok()) {
      outcomes[i] = bus::Outcome{bus::Outcome::kDeadLetter, absl::ZeroDuration(),
                                 absl::StrCat("undecodable event: ", event.status().message())};
      dead.Increment();
      continue;
    }
    auto submission = bus::UnpackEvent<intake::v1::ReferralSubmitted>(*event);
    if (!submission.ok()) {
      outcomes[i] = bus::Outcome{bus::Outcome::kDeadLetter, absl::ZeroDuration(),
                                 absl::StrCat("unexpected payload: ", submission.status().message())};
      dead.Increment();
      continue;
    }
    std::string m = bus::MunicipalityFromSubject(d.subject);
    if (m.empty()) {
      outcomes[i] = bus::Outcome{bus::Outcome::kDeadLetter, absl::ZeroDuration(),
                                 "subject does not end in a four-digit municipality code"};
      dead.Increment();
      continue;
    }
    Caller caller;
    caller.claims.subject = "intake";
    caller.claims.role = rpc::Role::kService;
    caller.claims.municipalities = {m};
    caller.correlation_id = event->correlation_id().empty() ? event->id() : event->correlation_id();
    caller.traceparent = event->trace().traceparent();

    ReferralDesk::Prepared prepared = desk_.Prepare(*submission, caller);
    if (submission->municipality() != m || event->municipality() != m) {
      kpr::common::v1::FieldViolation v;
      v.set_field("municipality");
      v.set_description(absl::StrCat("must match the subject's municipality ", m));
      prepared.violations.push_back(v);
    }
    if (std::find(municipalities.begin(), municipalities.end(), m) == municipalities.end()) {
      municipalities.push_back(m);
    }
    if (!prepared.violations.empty()) {
      // Keyed digests: a plain hash of a low-entropy submission could be guessed back.
      std::string key = absl::StrCat(ExternalKey(submission->source_system(), submission->external_id()),
                                     "\n", desk_.KeyedDigest("rejected-payload", event->payload().value()));
      std::string event_id =
          absl::StrCat("rejected-", desk_.KeyedDigest("rejected-event", absl::StrCat(m, "\n", key)));
      OutboxEvent rejection =
          desk_.RejectionEvent(*submission, prepared.violations, m, event->id(), event_id, caller);
      calls.push_back(store_.RejectCall(m, key, rejection));
      call_is_submit.push_back(false);
    } else {
      calls.push_back(store_.SubmitCall(prepared.referral));
      call_is_submit.push_back(true);
    }
    call_for.push_back(i);
  }
  if (calls.empty()) return outcomes;

  auto retry_all = [&](const absl::Status& why) {
    for (size_t i : call_for) {
      outcomes[i] = bus::Outcome{bus::Outcome::kRetry, RetryBackoff(batch[i].delivery_count),
                                 std::string(why.message())};
      retried.Increment();
    }
  };
  for (const auto& m : municipalities) {
    if (auto s = store_.RegisterOutbox(m); !s.ok()) {
      retry_all(s);
      return outcomes;
    }
  }
  auto results = pool_.EvalPipeline(calls);
  if (!results.ok()) {
    observe::Warn("intake batch not stored; will retry").With("reason", results.status().ToString())
        .With("batch", static_cast<int64_t>(calls.size()));
    retry_all(results.status());
    return outcomes;
  }
  bool wrote = false;
  for (size_t c = 0; c < calls.size(); ++c) {
    size_t i = call_for[c];
    const auto& result = (*results)[c];
    if (!result.ok()) {
      // An outage is retried for as long as it lasts; anything else that keeps failing (a script
      // error on this one submission) must not block the stream forever.
      if (result.status().code() != absl::StatusCode::kUnavailable &&
          batch[i].delivery_count >= kMaxDeliveriesOnError) {
        outcomes[i] = bus::Outcome{bus::Outcome::kDeadLetter, absl::ZeroDuration(),
                                   absl::StrCat("storing failed ", batch[i].delivery_count,
                                                " times: ", result.status().message())};
        dead.Increment();
      } else {
        outcomes[i] = bus::Outcome{bus::Outcome::kRetry, RetryBackoff(batch[i].delivery_count),
                                   std::string(result.status().message())};
        retried.Increment();
      }
      continue;
    }
    outcomes[i] = bus::Outcome{};
    if (!call_is_submit[c]) {
      if (result->integer() == 1) {
        rejected.Increment();
        wrote = true;
      }
      continue;
    }
    auto parsed = ReferralStore::ParseSubmitReply(*result);
    if (!parsed.ok()) {
      outcomes[i] = bus::Outcome{bus::Outcome::kRetry, RetryBackoff(batch[i].delivery_count),
                                 std::string(parsed.status().message())};
      continue;
    }
    if (parsed->created) {
      stored.Increment();
      wrote = true;
    } else {
      duplicate.Increment();
    }
  }
  if (wrote) desk_.NotifyOutbox();
  return outcomes;
}

}  // namespace kpr::referral
