// One event row of the transactional outbox, as appended by a service and as
// handed to a Publisher.
#ifndef JIT_LIBS_OUTBOX_MESSAGE_H_
#define JIT_LIBS_OUTBOX_MESSAGE_H_

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace jit::outbox {

struct OutboxMessage {
  // Assigned by the database on Append (ignored there); set on messages read
  // back by the relay. Strictly increasing in commit order.
  int64_t id = 0;
  std::string topic{};
  // Kafka message key (e.g. trainee_id). Order is preserved per (topic, key).
  std::string key{};
  // Opaque bytes (a serialized LifecycleEvent).
  std::string payload{};
  // Kafka headers in order (CloudEvents ce_*, traceparent, ...). Names and
  // values may hold any bytes.
  std::vector<std::pair<std::string, std::string>> headers{};

  friend bool operator==(const OutboxMessage&, const OutboxMessage&) = default;
};

}  // namespace jit::outbox

#endif  // JIT_LIBS_OUTBOX_MESSAGE_H_
