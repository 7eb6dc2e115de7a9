#ifndef KPR_LIBS_BUS_REPUBLISH_H_
#define KPR_LIBS_BUS_REPUBLISH_H_

// When and how JetStream::Publish / PublishBatch send a message again with the same
// Nats-Msg-Id instead of failing: after an ack timeout (the stream leader died with the message,
// or a leader election is under way), or an answer that says "no leader right now". The stream
// dedupes by id, so a copy that did arrive earlier costs nothing; a late ack of either copy is
// harmless (see jetstream.cc).

#include <nats/nats.h>

#include <cstddef>

#include "absl/time/time.h"

namespace kpr::bus {

// True for failures that a re-send of the same message can cure: no ack in time, no responder
// (a stream peer without a leader yet), a disconnected client, and the JetStream cluster errors
// "temporarily unavailable", "not leader" and "stream offline". False for anything the server
// refused for good (e.g. a message too large, a wrong expected sequence).
bool IsRetryablePublishError(natsStatus s, int js_err_code);

// Pause before re-send number `attempt` (1 = the first re-send): 50 ms doubling, at most 1 s.
// Short, because a stream elects a new leader in a few seconds and the pause adds to recovery.
absl::Duration RepublishBackoff(int attempt);

// How long one send of `messages` messages waits for its acks before the unacked ones are sent
// again: 1 s plus 0.2 ms a message, so a large batch on a busy machine is not re-sent while its
// acks are merely slow (that would only add load).
absl::Duration AckWait(size_t messages);

}  // namespace kpr::bus

#endif  // KPR_LIBS_BUS_REPUBLISH_H_
