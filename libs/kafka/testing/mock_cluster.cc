#include "libs/kafka/testing/mock_cluster.h"

#include <algorithm>
#include <cstdint>
#include <tuple>

#include "absl/random/random.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "libs/kafka/consumer.h"
#include "libs/status/status_macros.h"

namespace jit::kafka_testing {

std::string UniqueName(absl::string_view prefix) {
  static thread_local absl::BitGen gen;
  return absl::StrFormat("%s-%016x", prefix, absl::Uniform<uint64_t>(gen));
}

absl::StatusOr<std::unique_ptr<MockCluster>> StartClusterWithTopics(
    int brokers, const std::vector<std::string>& topics, int partitions) {
  ASSIGN_OR_RETURN(std::unique_ptr<MockCluster> cluster,
                   MockCluster::Start(brokers));
  for (const std::string& topic : topics) {
    RETURN_IF_ERROR(cluster->CreateTopic(topic, partitions));
  }
  return cluster;
}

absl::StatusOr<std::vector<kafka::ConsumedMessage>> ReadAll(
    const std::string& bootstrap_servers, const std::string& topic,
    absl::Duration timeout) {
  const absl::Time deadline = absl::Now() + timeout;
  ASSIGN_OR_RETURN(
      std::unique_ptr<kafka::Consumer> consumer,
      kafka::Consumer::Create({.bootstrap_servers = bootstrap_servers,
                               .client_id = "jit-kafka-testing-read-all",
                               .properties = {{"fetch.wait.max.ms", "10"}}}));
  ASSIGN_OR_RETURN(const int partitions,
                   consumer->PartitionCount(topic, timeout));
  std::vector<kafka::TopicPartitionOffset> assignment;
  for (int p = 0; p < partitions; ++p) {
    assignment.push_back({topic, p, kafka::kOffsetBeginning});
  }
  RETURN_IF_ERROR(consumer->Assign(assignment));
  std::vector<kafka::ConsumedMessage> messages;
  while (!consumer->AtEndOfAssignedPartitions()) {
    if (absl::Now() > deadline) {
      return absl::DeadlineExceededError(
          absl::StrCat("ReadAll(", topic, "): not at the end after ",
                       absl::FormatDuration(timeout), " (", messages.size(),
                       " messages read)"));
    }
    ASSIGN_OR_RETURN(std::optional<kafka::ConsumedMessage> message,
                     consumer->Poll(absl::Milliseconds(100)));
    if (message.has_value()) messages.push_back(*std::move(message));
  }
  std::stable_sort(
      messages.begin(), messages.end(),
      [](const kafka::ConsumedMessage& a, const kafka::ConsumedMessage& b) {
        return std::tie(a.partition, a.offset) <
               std::tie(b.partition, b.offset);
      });
  RETURN_IF_ERROR(consumer->Close());
  return messages;
}

}  // namespace jit::kafka_testing
