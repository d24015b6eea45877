// The outbox Publisher backed by a Kafka producer (idempotent, acks=all).
// Kept in its own target (jit::outbox_kafka) so the outbox core and its tests
// do not depend on librdkafka.
//
// Thread-compatible: the relay calls PublishBatch from one thread.
#ifndef JIT_LIBS_OUTBOX_KAFKA_PUBLISHER_H_
#define JIT_LIBS_OUTBOX_KAFKA_PUBLISHER_H_

#include <vector>

#include "absl/time/time.h"
#include "libs/kafka/producer.h"
#include "libs/outbox/publisher.h"

namespace jit::outbox {

class KafkaPublisher final : public Publisher {
 public:
  // `producer` must outlive the publisher. `delivery_timeout` bounds one
  // batch's wait for delivery reports; a message without a report by then
  // counts as failed (and is published again later: at-least-once).
  KafkaPublisher(kafka::Producer* producer, absl::Duration delivery_timeout)
      : producer_(producer), delivery_timeout_(delivery_timeout) {}

  std::vector<absl::Status> PublishBatch(
      const std::vector<OutboxMessage>& batch) override;

 private:
  kafka::Producer* const producer_;
  const absl::Duration delivery_timeout_;
};

}  // namespace jit::outbox

#endif  // JIT_LIBS_OUTBOX_KAFKA_PUBLISHER_H_
