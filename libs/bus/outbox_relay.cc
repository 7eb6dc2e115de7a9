#include "libs/bus/outbox_relay.h"

#include <algorithm>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/string_view.h"
#include "absl/time/clock.h"
#include "libs/observe/metrics.h"

namespace kpr::bus {

OutboxRelay::OutboxRelay(store::Outbox& outbox, JetStream& js, Options options)
    : outbox_(outbox),
      js_(js),
      options_(std::move(options)),
      leases_(outbox.pool(), outbox.service(), "outbox", {.ttl = options_.lease_ttl}),
      idle_({.min = options_.poll_interval,
             .max = std::max(options_.max_idle_backoff, options_.poll_interval)}),
      reads_metric_(observe::MetricsRegistry::Global().GetCounter(
          "kpr_outbox_reads_total", "Outbox reads (XRANGE) by the relay.",
          {{"service", outbox.service()}})),
      leases_metric_(observe::MetricsRegistry::Global().GetGauge(
          "kpr_outbox_leases_held", "Municipalities whose outbox this replica relays.",
          {{"service", outbox.service()}})),
      backlog_metric_(observe::MetricsRegistry::Global().GetGauge(
          "kpr_outbox_backlog",
          "Outbox entries not yet published, over every municipality (each replica reports "
          "the same: take max)",
          {{"service", outbox.service()}})),
      oldest_metric_(observe::MetricsRegistry::Global().GetGauge(
          "kpr_outbox_oldest_age_seconds",
          "How long the oldest unpublished outbox entry has waited (each replica reports the "
          "same: take max)",
          {{"service", outbox.service()}})),
      loop_([this] { return FlushOnce(options_.publish_timeout, /*force=*/false); },
            {.idle_wait = options_.poll_interval,
             .min_backoff = absl::Milliseconds(50),
             .max_backoff = absl::Seconds(1)}) {}

OutboxRelay::~OutboxRelay() { Stop(absl::ZeroDuration()); }

void OutboxRelay::Start() { loop_.Start(); }

void OutboxRelay::Notify(const std::string& municipality) {
  {
    absl::MutexLock lock(&mu_);
    if (stopped_) return;  // no pass would drain woken_
    if (woken_.empty() || woken_.back() != municipality) woken_.push_back(municipality);
    read_back_requested_ = true;
  }
  loop_.Notify();
}

void OutboxRelay::Notify() {
  {
    absl::MutexLock lock(&mu_);
    wake_all_requested_ = true;
    read_back_requested_ = true;
  }
  loop_.Notify();
}

bool OutboxRelay::HandOver(const std::string& municipality,
                           std::vector<store::OutboxEntry> entries) {
  if (entries.empty()) return true;
  {
    absl::MutexLock lock(&mu_);
    if (stopped_ ||
        handed_count_ + entries.size() > static_cast<size_t>(options_.max_handed_over)) {
      return false;
    }
    handed_count_ += static_cast<int>(entries.size());
    last_hand_over_ = absl::Now();
    newest_handed_ms_ =
        std::max(newest_handed_ms_, store::StreamIdMillis(entries.back().stream_id));
    // Read it back at the next read-back (a hand-over does not force one: see the header).
    if (woken_.empty() || woken_.back() != municipality) woken_.push_back(municipality);
    handed_.push_back(Handed{municipality, std::move(entries)});
  }
  loop_.Notify();
  return true;
}

absl::StatusOr<int> OutboxRelay::FlushOnce() {
  return FlushOnce(options_.publish_timeout, /*force=*/true);
}

absl::StatusOr<int> OutboxRelay::PublishAndRemove(
    const std::vector<std::string>& municipalities,
    std::vector<std::vector<store::OutboxEntry>>& entries, absl::Duration publish_timeout) {
  std::vector<OutgoingMessage> msgs;
  for (auto& per_m : entries) {
    for (auto& e : per_m) {
      // Only the stream id is needed after this (to remove the entry).
      msgs.push_back({std::move(e.subject), std::move(e.data), std::move(e.event_id)});
    }
  }
  if (msgs.empty()) return 0;
  if (auto st = js_.PublishBatch(msgs, publish_timeout); !st.ok()) return st;
  // If this fails the entries are published again later (duplicates are absorbed).
  if (auto st = outbox_.RemoveMany(municipalities, entries); !st.ok()) return st;
  published_ += msgs.size();
  return static_cast<int>(msgs.size());
}

absl::StatusOr<int> OutboxRelay::FlushOnce(absl::Duration publish_timeout, bool force) {
  absl::MutexLock flush_lock(&flush_mu_);
  SampleBacklog();  // also while NATS is down: that is when it grows
  // While disconnected, publishing would only pile copies into the reconnect buffer. Leases are
  // not renewed either, so a replica that can reach NATS takes over.
  if (!js_.connected()) return absl::UnavailableError("outbox relay: NATS not connected");

  std::vector<Handed> handed;
  std::vector<std::string> woken;
  bool wake_all = false;
  bool read_back = force;
  bool only_old = false;  // read back only what is older than hand_over_grace (see the header)
  int64_t newest_ms = 0;
  const absl::Time now = absl::Now();
  {
    absl::MutexLock lock(&mu_);
    handed.swap(handed_);
    handed_count_ = 0;
    woken.swap(woken_);
    // Services call Notify() after every write: waking every municipality each time would bring
    // back reading all the idle ones on every pass under load.
    if (wake_all_requested_ && now - last_wake_all_ >= options_.poll_interval) {
      wake_all = true;
      wake_all_requested_ = false;
      last_wake_all_ = now;
    }
    if (!force) {
      const bool handing_over = now - last_hand_over_ < options_.read_back_interval;
      // Not handing over: every pass may read; the idle backoff picks which municipalities.
      read_back = !handing_over || wake_all || read_back_requested_ || now >= read_back_due_ ||
                  now - last_read_back_ >= options_.read_back_interval;
      only_old = handing_over;
    }
    if (read_back) {
      read_back_requested_ = false;
      read_back_due_ = absl::InfiniteFuture();
      last_read_back_ = now;
      newest_ms = newest_handed_ms_;
    }
  }

  int done = 0;
  if (!handed.empty()) {
    // In the order their scripts ran.
    std::vector<std::string> municipalities;
    std::vector<std::vector<store::OutboxEntry>> entries;
    for (Handed& h : handed) {
      municipalities.push_back(std::move(h.municipality));
      entries.push_back(std::move(h.entries));
    }
    auto n = PublishAndRemove(municipalities, entries, publish_timeout);
    if (!n.ok()) {
      // Dropped from memory; still in the outbox, where the next read-back finds them.
      absl::MutexLock lock(&mu_);
      read_back_requested_ = true;
      woken_.insert(woken_.end(), municipalities.begin(), municipalities.end());
      return n.status();
    }
    done += *n;
  }
  for (const std::string& m : woken) idle_.Wake(m);
  if (wake_all) idle_.WakeAll();
  if (auto st = KeepLeases(force, wake_all, woken); !st.ok()) return st;
  if (!read_back) return done;

  const std::vector<std::string> held = leases_.Held();
  const std::vector<std::string> municipalities = force ? held : idle_.Due(held, now);
  if (municipalities.empty()) return done;
  auto n = ReadBack(municipalities, only_old, newest_ms, now, publish_timeout);
  if (!n.ok()) return n.status();
  return done + *n;
}

absl::Status OutboxRelay::KeepLeases(bool force, bool wake_all,
                                     const std::vector<std::string>& woken) {
  bool refresh = force || leases_.RefreshDue();
  // A municipality woken before it is in the registry is new: look now, not at the next upkeep
  // (but at most once per poll_interval, should it never appear).
  bool unknown = false;
  for (const std::string& m : woken) {
    unknown = unknown || !std::binary_search(registry_.begin(), registry_.end(), m);
  }
  const absl::Time now = absl::Now();
  refresh = refresh || (unknown && now - last_registry_read_ >= options_.poll_interval);
  if (!refresh && !wake_all) return absl::OkStatus();
  last_registry_read_ = now;
  auto registry = outbox_.Municipalities();  // sorted
  if (!registry.ok()) return registry.status();
  // A Notify() only re-reads the registry: new municipalities get a lease at once.
  if (!refresh && *registry == registry_) return absl::OkStatus();
  registry_ = *std::move(registry);
  absl::Status st = leases_.Refresh(registry_);
  leases_metric_.Set(leases_.held_count());
  return st;
}

absl::StatusOr<int> OutboxRelay::ReadBack(const std::vector<std::string>& municipalities,
                                          bool only_old, int64_t newest_ms, absl::Time now,
                                          absl::Duration publish_timeout) {
  reads_ += municipalities.size();
  reads_metric_.Increment(static_cast<double>(municipalities.size()));
  auto entries = outbox_.ReadMany(municipalities, options_.batch);
  if (!entries.ok()) return entries.status();
  for (size_t i = 0; i < municipalities.size(); ++i) {
    if ((*entries)[i].empty()) {
      idle_.Empty(municipalities[i], now);
    } else {
      idle_.Found(municipalities[i]);
    }
  }
  bool skipped = false;
  if (only_old) {
    for (const auto& per_m : *entries) {
      if (!per_m.empty())
        newest_ms = std::max(newest_ms, store::StreamIdMillis(per_m.back().stream_id));
    }
    const int64_t cutoff = newest_ms - absl::ToInt64Milliseconds(options_.hand_over_grace);
    for (auto& per_m : *entries) {
      // Entries are in stream order: keep the prefix older than the cutoff.
      auto young = std::find_if(per_m.begin(), per_m.end(), [cutoff](const store::OutboxEntry& e) {
        return store::StreamIdMillis(e.stream_id) > cutoff;
      });
      skipped = skipped || young != per_m.end();
      per_m.erase(young, per_m.end());
    }
  }
  // XRANGE counts stream entries, and an entry may hold several events (outbox_append_many):
  // publish at most `batch` events per municipality a pass, cut at an entry's end (removal is by
  // entry), so a backlog drains in passes of bounded size.
  for (auto& per_m : *entries) {
    size_t keep = static_cast<size_t>(std::max(options_.batch, 1));
    while (keep < per_m.size() && per_m[keep].stream_id == per_m[keep - 1].stream_id) ++keep;
    if (keep < per_m.size()) per_m.erase(per_m.begin() + static_cast<ptrdiff_t>(keep), per_m.end());
  }
  auto n = PublishAndRemove(municipalities, *entries, publish_timeout);
  if (!n.ok()) return n.status();
  if (*n > 0 || skipped) {
    absl::MutexLock lock(&mu_);
    // More may be waiting behind what was read (those municipalities stay due: Found). Skipped
    // ones: once old enough.
    if (*n > 0) read_back_requested_ = true;
    if (skipped) read_back_due_ = std::min(read_back_due_, now + options_.hand_over_grace);
  }
  return *n;
}

void OutboxRelay::SampleBacklog() {
  const absl::Time now = absl::Now();
  if (now - last_backlog_sample_ < options_.backlog_sample_interval) return;
  last_backlog_sample_ = now;
  auto backlog = outbox_.Backlog(now);
  if (!backlog.ok()) return;  // Redis down: the figures stay as last seen; health says why
  backlog_metric_.Set(static_cast<double>(backlog->entries));
  oldest_metric_.Set(absl::ToDoubleSeconds(backlog->oldest_age));
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
    absl::StatusOr<int> n = FlushOnce(std::min(left, options_.publish_timeout), /*force=*/true);
    if (n.ok() && *n == 0) break;
    if (!n.ok()) absl::SleepFor(std::min(absl::Milliseconds(100), deadline - absl::Now()));
  }
  // Others take these municipalities at their next upkeep instead of after lease_ttl. If Redis
  // is down they expire by themselves.
  absl::MutexLock flush_lock(&flush_mu_);
  (void)leases_.ReleaseAll();
  leases_metric_.Set(0);
}

void OutboxRelay::Abandon() {
  {
    absl::MutexLock lock(&mu_);
    stopped_ = true;
  }
  loop_.Stop();
}

}  // namespace kpr::bus
