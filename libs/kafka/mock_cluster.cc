#include "libs/kafka/mock_cluster.h"

#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafka_mock.h>

#include "absl/strings/str_cat.h"
#include "libs/kafka/client_config.h"
#include "libs/kafka/errors.h"
#include "libs/kafka/topics.h"
#include "libs/log/log.h"
#include "libs/status/status_macros.h"

namespace jit::kafka {
namespace {

// The host handle has no bootstrap servers of its own and would warn about
// it; keep only errors.
void LogErrorsOnly(const rd_kafka_t*, int level, const char* facility,
                   const char* message) {
  if (level <= 3) {
    log::Event(log::Level::kError, message,
               {{"library", "librdkafka"}, {"facility", facility}, {"client", "mock-cluster"}});
  }
}

}  // namespace

absl::StatusOr<std::unique_ptr<MockCluster>> MockCluster::Start(int brokers) {
  if (brokers < 1) {
    return absl::InvalidArgumentError(
        absl::StrCat("mock cluster brokers must be >= 1, got ", brokers));
  }
  ASSIGN_OR_RETURN(
      rd_kafka_t * rk,
      NewKafkaClient(RD_KAFKA_PRODUCER, {{"client.id", "jit-mock-cluster"}},
                     [](rd_kafka_conf_t* conf) {
                       rd_kafka_conf_set_log_cb(conf, &LogErrorsOnly);
                     }));
  rd_kafka_mock_cluster_t* cluster = rd_kafka_mock_cluster_new(rk, brokers);
  if (cluster == nullptr) {
    rd_kafka_destroy(rk);
    return absl::InternalError("rd_kafka_mock_cluster_new failed");
  }
  return std::unique_ptr<MockCluster>(new MockCluster(rk, cluster, brokers));
}

MockCluster::~MockCluster() {
  rd_kafka_mock_cluster_destroy(cluster_);
  rd_kafka_destroy(rk_);
}

std::string MockCluster::bootstrap_servers() const {
  return rd_kafka_mock_cluster_bootstraps(cluster_);
}

absl::Status MockCluster::CreateTopic(const std::string& topic, int partitions,
                                      int replication) {
  RETURN_IF_ERROR(ValidateTopicName(topic));
  if (partitions < 1) {
    return absl::InvalidArgumentError(absl::StrCat(
        "topic ", topic, ": partitions must be >= 1, got ", partitions));
  }
  if (replication < 1 || replication > brokers_) {
    return absl::InvalidArgumentError(
        absl::StrCat("topic ", topic, ": replication must be in 1..", brokers_,
                     ", got ", replication));
  }
  return KafkaErrorStatus(rd_kafka_mock_topic_create(cluster_, topic.c_str(),
                                                     partitions, replication),
                          absl::StrCat("create topic ", topic));
}

absl::Status MockCluster::SetBrokerDown(int32_t broker_id) {
  return KafkaErrorStatus(rd_kafka_mock_broker_set_down(cluster_, broker_id),
                          absl::StrCat("set broker ", broker_id, " down"));
}

absl::Status MockCluster::SetBrokerUp(int32_t broker_id) {
  return KafkaErrorStatus(rd_kafka_mock_broker_set_up(cluster_, broker_id),
                          absl::StrCat("set broker ", broker_id, " up"));
}

}  // namespace jit::kafka
