// The relay's view of a message broker. Free of Kafka types: the Kafka adapter
// (libs/kafka) implements it; tests use testing/fake_publisher.h.
#ifndef JIT_LIBS_OUTBOX_PUBLISHER_H_
#define JIT_LIBS_OUTBOX_PUBLISHER_H_

#include <vector>

#include "absl/status/status.h"
#include "libs/outbox/message.h"

namespace jit::outbox {

class Publisher {
 public:
  virtual ~Publisher() = default;

  // Publishes `batch` (ordered by outbox id) and blocks until every message
  // has a delivery report. Returns exactly one status per message, in the
  // order of `batch`: OK only when the broker acknowledged the message
  // durably (for Kafka: acks=all, idempotent producer, delivery report
  // without error). Any other status means "not known to be delivered"; the
  // relay will publish that message again later.
  //
  // Implementations should keep messages of one (topic, key) in order on the
  // wire (for Kafka: enable.idempotence=true keeps per-partition order across
  // retries). Returning a vector of another size fails the whole batch.
  // Called from one thread at a time.
  virtual std::vector<absl::Status> PublishBatch(
      const std::vector<OutboxMessage>& batch) = 0;
};

}  // namespace jit::outbox

#endif  // JIT_LIBS_OUTBOX_PUBLISHER_H_
