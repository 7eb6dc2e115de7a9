#include "libs/bus/outbox_relay.h"

#include <algorithm>
#include <string>
#include <utility>
#include <vector>

namespace kpr::bus {

OutboxRelay::OutboxRelay(store::Outbox& outbox, JetStream& js, Options options)
    : outbox_(outbox),
      js_(js),
      options_(std::move(options)),
      loop_([this] { return FlushOnce(); },
            {.idle_wait = options_.poll_interval,
             .min_backoff = absl::Milliseconds(50),
             .max_backoff = absl::Seconds(1)}) {}

OutboxRelay::~OutboxRelay() { Stop(absl::ZeroDuration()); }

void OutboxRelay::Start() { loop_.Start(); }

void OutboxRelay::Notify() { loop_.Notify(); }

absl::StatusOr<int> OutboxRelay::FlushOnce() { return FlushOnce(options_.publish_timeout); }

absl::StatusOr<int> OutboxRelay::FlushOnce(absl::Duration publish_timeout) {
  absl::MutexLock flush_lock(&flush_mu_);
  // While disconnected, publishing would only pile copies into the reconnect buffer.
  if (!js_.connected()) return absl::UnavailableError("outbox relay: NATS not connected");
  auto municipalities = outbox_.Municipalities();
  if (!municipalities.ok()) return municipalities.status();
  if (municipalities->empty()) return 0;
  auto entries = outbox_.ReadMany(*municipalities, options_.batch);
  if (!entries.ok()) return entries.status();

  std::vector<OutgoingMessage> msgs;
  for (const auto& per_m : *entries) {
    for (const auto& e : per_m) msgs.push_back({e.subject, e.data, e.event_id});
  }
  if (msgs.empty()) return 0;
  if (auto st = js_.PublishBatch(msgs, publish_timeout); !st.ok()) return st;

  // If this fails the entries are published again next pass (duplicates are absorbed).
  if (auto st = outbox_.RemoveMany(*municipalities, *entries); !st.ok()) return st;
  const int removed = static_cast<int>(msgs.size());
  published_ += msgs.size();
  return removed;
}

void OutboxRelay::Stop(absl::Duration flush_timeout) {
  {
    absl::MutexLock lock(&mu_);
    if (stopped_) return;
    stopped_ = true;
  }
  loop_.Stop();
  const absl::Time deadline = absl::Now() + flush_timeout;
  while (absl::Now() < deadline) {
    absl::Duration left = deadline - absl::Now();
    absl::StatusOr<int> n = FlushOnce(std::min(left, options_.publish_timeout));
    if (n.ok() && *n == 0) return;
    if (!n.ok()) absl::SleepFor(std::min(absl::Milliseconds(100), deadline - absl::Now()));
  }
}

}  // namespace kpr::bus
