#include "libs/outbox/kafka_publisher.h"

namespace jit::outbox {

std::vector<absl::Status> KafkaPublisher::PublishBatch(
    const std::vector<OutboxMessage>& batch) {
  std::vector<kafka::Message> messages;
  messages.reserve(batch.size());
  for (const OutboxMessage& m : batch) {
    messages.push_back({m.topic, m.key, m.payload, m.headers});
  }
  return producer_->ProduceAndWait(messages, delivery_timeout_);
}

}  // namespace jit::outbox
