// Internal to libs/kafka: building librdkafka client handles from property
// lists with every configuration error reported as INVALID_ARGUMENT naming
// the property, and converting absl::Duration to librdkafka timeouts.
#ifndef JIT_LIBS_KAFKA_CLIENT_CONFIG_H_
#define JIT_LIBS_KAFKA_CLIENT_CONFIG_H_

#include <librdkafka/rdkafka.h>

#include <functional>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"

namespace jit::kafka {

// librdkafka properties by name (see CONFIGURATION.md of librdkafka 2.0.2).
using Properties = std::map<std::string, std::string>;

// Properties applied in order; a later entry overrides an earlier one.
using PropertyList = std::vector<std::pair<std::string, std::string>>;

// Creates a librdkafka handle of `type` from `properties`. `customize`, when
// set, runs on the configuration after the properties (to register
// callbacks and the opaque). Errors:
//   INVALID_ARGUMENT "kafka config property "<name>": <why>" for an unknown
//   property or bad value; INVALID_ARGUMENT "kafka <type> config: <why>"
//   when librdkafka rejects the combination (e.g. acks with idempotence).
absl::StatusOr<rd_kafka_t*> NewKafkaClient(
    rd_kafka_type_t type, const PropertyList& properties,
    const std::function<void(rd_kafka_conf_t*)>& customize = nullptr);

// A librdkafka timeout in milliseconds: rounded up, clamped to [0, INT_MAX];
// absl::InfiniteDuration() gives INT_MAX (about 24 days).
int TimeoutMs(absl::Duration timeout);

// True when `properties` names `name`.
bool HasProperty(const Properties& properties, const std::string& name);

}  // namespace jit::kafka

#endif  // JIT_LIBS_KAFKA_CLIENT_CONFIG_H_
