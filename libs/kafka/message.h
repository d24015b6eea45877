// Kafka record types shared by the producer, the consumer and the CloudEvents
// header mapping.
#ifndef JIT_LIBS_KAFKA_MESSAGE_H_
#define JIT_LIBS_KAFKA_MESSAGE_H_

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "absl/time/time.h"

namespace jit::kafka {

// Record headers in wire order. Kafka allows repeated names.
using Headers = std::vector<std::pair<std::string, std::string>>;

// A record to produce. An empty `key` is sent as a null key (the partitioner
// then spreads such records over partitions).
struct Message {
  std::string topic = {};
  std::string key = {};
  std::string value = {};
  Headers headers = {};
};

// A record read by the Consumer.
struct ConsumedMessage {
  std::string topic = {};
  int32_t partition = 0;
  int64_t offset = 0;
  std::string key = {};
  std::string value = {};
  Headers headers = {};
  // Record timestamp (producer create time or broker log-append time);
  // absl::InfinitePast() when the record carries none.
  absl::Time timestamp = absl::InfinitePast();
};

}  // namespace jit::kafka

#endif  // JIT_LIBS_KAFKA_MESSAGE_H_
