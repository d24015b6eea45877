// Options of jit-kafka-broker, kept apart from flag parsing so that they can
// be tested (and later fed from the project's config library).
#ifndef JIT_TOOLS_KAFKA_BROKER_BROKER_OPTIONS_H_
#define JIT_TOOLS_KAFKA_BROKER_BROKER_OPTIONS_H_

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace jit::kafka_broker {

inline constexpr int kMaxBrokers = 9;
inline constexpr int kMaxPartitions = 1024;

struct BrokerOptions {
  int brokers = 1;
  int partitions = 16;
  // Every topic to create, dead-letter topics included (see ExpandTopics).
  std::vector<std::string> topics = {};
  // Where to publish the bootstrap string; empty: stdout only.
  std::string bootstrap_file = {};
};

// INVALID_ARGUMENT naming --brokers (1..kMaxBrokers) or --partitions
// (1..kMaxPartitions) when out of range.
absl::Status ValidateCounts(int brokers, int partitions);

// The --topics value: comma separated, blanks trimmed, empty entries
// skipped. Each topic is followed by its ".dlq" topic (a topic that already
// ends in ".dlq" gets none); duplicates are dropped, order kept.
// INVALID_ARGUMENT naming --topics when no topic is left or a name (or its
// ".dlq" name) is not a legal Kafka topic name.
absl::StatusOr<std::vector<std::string>> ExpandTopics(absl::string_view list);

// min(brokers, 3).
int ReplicationFactor(int brokers);

// Writes `contents` to "<path>.tmp.<pid>" then renames it to `path`, so a
// reader never sees a partial file.
absl::Status WriteFileAtomically(const std::string& path,
                                 absl::string_view contents);

// The single-line JSON readiness record printed on stdout, e.g.
// {"event":"ready","bootstrap":"127.0.0.1:3456","brokers":1,"partitions":16,
//  "topics":["a","a.dlq"]}
std::string ReadyLine(const BrokerOptions& options,
                      absl::string_view bootstrap_servers);

}  // namespace jit::kafka_broker

#endif  // JIT_TOOLS_KAFKA_BROKER_BROKER_OPTIONS_H_
