// Test helpers around the in-process mock cluster, for any library's tests
// (target jit::kafka_testing):
//
//   auto cluster = jit::kafka_testing::StartClusterWithTopics(1, {topic}, 4);
//   ASSERT_TRUE(cluster.ok()) << cluster.status();
//   const std::string bootstrap = (*cluster)->bootstrap_servers();
//   ... produce with ProducerConfig{.bootstrap_servers = bootstrap} ...
//   auto messages =
//       jit::kafka_testing::ReadAll(bootstrap, topic, absl::Seconds(10));
#ifndef JIT_LIBS_KAFKA_TESTING_MOCK_CLUSTER_H_
#define JIT_LIBS_KAFKA_TESTING_MOCK_CLUSTER_H_

#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "libs/kafka/message.h"
#include "libs/kafka/mock_cluster.h"

namespace jit::kafka_testing {

using ::jit::kafka::MockCluster;

// `prefix` + "-" + 16 random hex digits: topic and group ids that no other
// test shares (groups are slow to rebalance when reused).
std::string UniqueName(absl::string_view prefix);

// A cluster of `brokers` brokers with each of `topics` created with
// `partitions` partitions.
absl::StatusOr<std::unique_ptr<MockCluster>> StartClusterWithTopics(
    int brokers, const std::vector<std::string>& topics, int partitions);

// Every message of `topic` currently in the cluster, read from offset 0 of
// every partition until all partitions are at their end (partition order
// first, offset order within a partition). DEADLINE_EXCEEDED if that takes
// longer than `timeout`.
absl::StatusOr<std::vector<kafka::ConsumedMessage>> ReadAll(
    const std::string& bootstrap_servers, const std::string& topic,
    absl::Duration timeout);

}  // namespace jit::kafka_testing

#endif  // JIT_LIBS_KAFKA_TESTING_MOCK_CLUSTER_H_
