// An in-process Kafka cluster: librdkafka's mock cluster serving the real
// Kafka protocol on random loopback ports. For tests and for the
// jit-kafka-broker development tool only; see README.md for its limits
// (memory only, 5 MiB / 100,000 batches retained per partition, fake
// transactions, slow group joins, idempotence not enforced).
#ifndef JIT_LIBS_KAFKA_MOCK_CLUSTER_H_
#define JIT_LIBS_KAFKA_MOCK_CLUSTER_H_

#include <cstdint>
#include <memory>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

struct rd_kafka_s;
struct rd_kafka_mock_cluster_s;

namespace jit::kafka {

class MockCluster {
 public:
  // Starts `brokers` (>= 1) brokers with ids 1..brokers. Every start picks
  // new random ports. Block signals you want to sigwait() for before calling
  // this: librdkafka starts threads that inherit the signal mask.
  static absl::StatusOr<std::unique_ptr<MockCluster>> Start(int brokers);

  MockCluster(const MockCluster&) = delete;
  MockCluster& operator=(const MockCluster&) = delete;
  ~MockCluster();  // stops the brokers; all data is lost

  // "127.0.0.1:port,..." for bootstrap.servers.
  std::string bootstrap_servers() const;
  int broker_count() const { return brokers_; }

  // Creates `topic` (the Admin API's CreateTopics is not served by the mock
  // cluster). INVALID_ARGUMENT for a bad name, partitions < 1 or replication
  // outside 1..broker_count(); ALREADY_EXISTS if it exists.
  absl::Status CreateTopic(const std::string& topic, int partitions,
                           int replication = 1);

  // Disconnects broker `broker_id` (-1: all) and refuses new connections;
  // SetBrokerUp accepts them again. Partition leadership does not move.
  absl::Status SetBrokerDown(int32_t broker_id);
  absl::Status SetBrokerUp(int32_t broker_id);

  // For other fault injection with <librdkafka/rdkafka_mock.h>
  // (rd_kafka_mock_push_request_errors, rd_kafka_mock_broker_set_rtt, ...).
  rd_kafka_mock_cluster_s* raw() const { return cluster_; }

 private:
  MockCluster(rd_kafka_s* rk, rd_kafka_mock_cluster_s* cluster, int brokers)
      : rk_(rk), cluster_(cluster), brokers_(brokers) {}

  rd_kafka_s* const rk_;  // the handle the cluster lives in
  rd_kafka_mock_cluster_s* const cluster_;
  const int brokers_;
};

}  // namespace jit::kafka

#endif  // JIT_LIBS_KAFKA_MOCK_CLUSTER_H_
