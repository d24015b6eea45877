// A Kafka consumer with two modes:
//  (a) Assign(): read given partitions from offsets the caller keeps itself
//      (no group membership, no commits; fast to start);
//  (b) Subscribe(): join a consumer group; the caller marks each processed
//      message with StoreOffset() and stored offsets are committed
//      automatically (auto.commit.interval.ms) or with Commit().
//
//   ASSIGN_OR_RETURN(auto consumer,
//                    Consumer::Create({.bootstrap_servers = bootstrap}));
//   RETURN_IF_ERROR(consumer->Assign({{topic, 0, kOffsetBeginning}}));
//   while (!consumer->AtEndOfAssignedPartitions()) {
//     ASSIGN_OR_RETURN(auto message, consumer->Poll(absl::Seconds(1)));
//     if (message) Handle(*message);
//   }
#ifndef JIT_LIBS_KAFKA_CONSUMER_H_
#define JIT_LIBS_KAFKA_CONSUMER_H_

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "libs/kafka/message.h"

struct rd_kafka_s;

namespace jit::kafka {
namespace consumer_internal {
// Partitions that reported end-of-partition since their last message.
struct EofTracker;
}  // namespace consumer_internal

// Logical offsets for TopicPartitionOffset::offset (librdkafka's values).
inline constexpr int64_t kOffsetBeginning = -2;
inline constexpr int64_t kOffsetEnd = -1;
// The group's committed offset (needs ConsumerConfig::group_id), falling
// back to auto_offset_reset.
inline constexpr int64_t kOffsetStored = -1000;

struct TopicPartitionOffset {
  std::string topic = {};
  int32_t partition = 0;
  // The next offset to read: an absolute offset or one of kOffset*.
  int64_t offset = kOffsetBeginning;
};

struct ConsumerConfig {
  // "host:port[,host:port...]". May be empty only when `properties` sets
  // "bootstrap.servers".
  std::string bootstrap_servers = {};
  // Needed by Subscribe(), StoreOffset() and Commit(). Without it the
  // consumer is for Assign() only.
  std::string group_id = {};
  // "jit-consumer" when empty.
  std::string client_id = {};
  // Where to start when there is no valid offset: "earliest", "latest" or
  // "error" (Poll then returns OUT_OF_RANGE instead of skipping data).
  std::string auto_offset_reset = "earliest";
  // Extra librdkafka properties; they override the defaults
  // (enable.auto.offset.store=false, enable.partition.eof=true).
  std::map<std::string, std::string> properties = {};
};

// Not thread-safe: use a Consumer from one thread at a time.
class Consumer {
 public:
  // INVALID_ARGUMENT naming the property for a bad configuration.
  static absl::StatusOr<std::unique_ptr<Consumer>> Create(
      const ConsumerConfig& config);

  Consumer(const Consumer&) = delete;
  Consumer& operator=(const Consumer&) = delete;
  ~Consumer();  // Close()s if needed.

  // Mode (a): replaces the assignment with exactly these partitions,
  // starting at the given offsets.
  absl::Status Assign(const std::vector<TopicPartitionOffset>& partitions);

  // Mode (b): joins the group and consumes the partitions it assigns
  // (a first join takes about 3 s on the mock cluster).
  // FAILED_PRECONDITION without a group_id.
  absl::Status Subscribe(const std::vector<std::string>& topics);

  // The next message, or nullopt when none arrived within `timeout` or a
  // partition reached its end (see AtEndOfAssignedPartitions). Errors from
  // the cluster (e.g. OUT_OF_RANGE with auto_offset_reset "error") come back
  // as a Status; the consumer stays usable afterwards. Connection trouble is
  // not an error here: librdkafka logs it to stderr and keeps reconnecting.
  absl::StatusOr<std::optional<ConsumedMessage>> Poll(absl::Duration timeout);

  // True when partitions are assigned and every one of them has been read to
  // its end (no message since its last end-of-partition event).
  bool AtEndOfAssignedPartitions();

  // Marks `message` as processed: its offset + 1 will be committed.
  // FAILED_PRECONDITION without a group_id or when the partition is not
  // assigned to this consumer.
  absl::Status StoreOffset(const ConsumedMessage& message);

  // Synchronously commits the stored offsets; OK when there is nothing new.
  absl::Status Commit();

  // Partition count of `topic` from cluster metadata; NOT_FOUND when the
  // topic does not exist.
  absl::StatusOr<int> PartitionCount(
      const std::string& topic, absl::Duration timeout = absl::Seconds(10));

  // Every topic of the cluster with its partition count.
  absl::StatusOr<std::map<std::string, int>> ListTopics(
      absl::Duration timeout = absl::Seconds(10));

  // {low, high} watermarks: the first offset still retained and the offset
  // the next produced message will get. Lag = high - next offset to read.
  absl::StatusOr<std::pair<int64_t, int64_t>> WatermarkOffsets(
      const std::string& topic, int32_t partition,
      absl::Duration timeout = absl::Seconds(10));

  // The same from this consumer's own fetch responses, without asking the
  // broker (no network, no wait): as fresh as the last fetch of the
  // partition. NOT_FOUND until a fetch response for it has arrived.
  absl::StatusOr<std::pair<int64_t, int64_t>> CachedWatermarkOffsets(
      const std::string& topic, int32_t partition);

  // Leaves the group (committing stored offsets when auto commit is on) and
  // stops fetching. Idempotent; the consumer is unusable afterwards.
  absl::Status Close();

 private:
  Consumer(rd_kafka_s* rk, std::unique_ptr<consumer_internal::EofTracker> eof,
           bool has_group);

  rd_kafka_s* const rk_;
  // Shared with the rebalance callback.
  const std::unique_ptr<consumer_internal::EofTracker> eof_;
  const bool has_group_;
  bool closed_ = false;
};

}  // namespace jit::kafka

#endif  // JIT_LIBS_KAFKA_CONSUMER_H_
