#include "libs/kafka/consumer.h"

#include <librdkafka/rdkafka.h>

#include <cstring>
#include <set>

#include "absl/random/random.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "libs/kafka/client_config.h"
#include "libs/kafka/errors.h"
#include "libs/status/status_macros.h"

namespace jit::kafka {

namespace consumer_internal {

struct EofTracker {
  void Forget(const rd_kafka_topic_partition_list_t* partitions) {
    if (partitions == nullptr) return;
    for (int i = 0; i < partitions->cnt; ++i) {
      at_eof.erase(
          {partitions->elems[i].topic, partitions->elems[i].partition});
    }
  }

  std::set<std::pair<std::string, int32_t>> at_eof;
};

}  // namespace consumer_internal

namespace {

using ListPtr =
    std::unique_ptr<rd_kafka_topic_partition_list_t,
                    decltype(&rd_kafka_topic_partition_list_destroy)>;

ListPtr NewList(int size) {
  return ListPtr(rd_kafka_topic_partition_list_new(size),
                 &rd_kafka_topic_partition_list_destroy);
}

// Applies group (re)assignments, eager or cooperative, and forgets the
// end-of-partition state of the partitions that move.
void OnRebalance(rd_kafka_t* rk, rd_kafka_resp_err_t err,
                 rd_kafka_topic_partition_list_t* partitions, void* opaque) {
  static_cast<consumer_internal::EofTracker*>(opaque)->Forget(partitions);
  const char* protocol = rd_kafka_rebalance_protocol(rk);
  const bool cooperative =
      protocol != nullptr && std::strcmp(protocol, "COOPERATIVE") == 0;
  if (err == RD_KAFKA_RESP_ERR__ASSIGN_PARTITIONS) {
    if (cooperative) {
      if (rd_kafka_error_t* e = rd_kafka_incremental_assign(rk, partitions)) {
        rd_kafka_error_destroy(e);
      }
    } else {
      rd_kafka_assign(rk, partitions);
    }
  } else {  // revoked, or a rebalance error: drop the partitions
    if (cooperative) {
      if (rd_kafka_error_t* e = rd_kafka_incremental_unassign(rk, partitions)) {
        rd_kafka_error_destroy(e);
      }
    } else {
      rd_kafka_assign(rk, nullptr);
    }
  }
}

std::string RandomHex(int bytes) {
  static thread_local absl::BitGen gen;
  std::string out;
  for (int i = 0; i < bytes; ++i) {
    absl::StrAppendFormat(&out, "%02x", absl::Uniform<uint32_t>(gen, 0, 256));
  }
  return out;
}

absl::Status FatalOrError(rd_kafka_t* rk, rd_kafka_resp_err_t err,
                          absl::string_view context, absl::string_view detail) {
  if (err == RD_KAFKA_RESP_ERR__FATAL) {
    char reason[512] = "";
    const rd_kafka_resp_err_t cause =
        rd_kafka_fatal_error(rk, reason, sizeof(reason));
    return KafkaErrorStatus(err, context,
                            absl::StrCat("fatal consumer error: ", reason, " (",
                                         rd_kafka_err2name(cause), ")"));
  }
  return KafkaErrorStatus(err, context, detail);
}

}  // namespace

absl::StatusOr<std::unique_ptr<Consumer>> Consumer::Create(
    const ConsumerConfig& config) {
  PropertyList properties = {
      {"client.id",
       config.client_id.empty() ? "jit-consumer" : config.client_id},
      {"auto.offset.reset", config.auto_offset_reset},
      {"enable.auto.offset.store", "false"},
      {"enable.partition.eof", "true"},
  };
  if (!config.bootstrap_servers.empty()) {
    properties.emplace_back("bootstrap.servers", config.bootstrap_servers);
  } else if (!HasProperty(config.properties, "bootstrap.servers")) {
    return absl::InvalidArgumentError(
        "ConsumerConfig.bootstrap_servers must not be empty");
  }
  const bool has_group = !config.group_id.empty();
  if (has_group) {
    properties.emplace_back("group.id", config.group_id);
  } else {
    // librdkafka's consumer API needs a group even for assign(); this one is
    // never joined and never committed to.
    properties.emplace_back("group.id",
                            absl::StrCat("jit-assign-only-", RandomHex(8)));
    properties.emplace_back("enable.auto.commit", "false");
  }
  for (const auto& property : config.properties) properties.push_back(property);

  auto eof = std::make_unique<consumer_internal::EofTracker>();
  consumer_internal::EofTracker* eof_ptr = eof.get();
  ASSIGN_OR_RETURN(rd_kafka_t * rk,
                   NewKafkaClient(RD_KAFKA_CONSUMER, properties,
                                  [eof_ptr](rd_kafka_conf_t* conf) {
                                    rd_kafka_conf_set_rebalance_cb(
                                        conf, &OnRebalance);
                                    rd_kafka_conf_set_opaque(conf, eof_ptr);
                                  }));
  if (rd_kafka_resp_err_t err = rd_kafka_poll_set_consumer(rk)) {
    rd_kafka_destroy(rk);
    return KafkaErrorStatus(err, "create consumer");
  }
  return std::unique_ptr<Consumer>(new Consumer(rk, std::move(eof), has_group));
}

Consumer::Consumer(rd_kafka_s* rk,
                   std::unique_ptr<consumer_internal::EofTracker> eof,
                   bool has_group)
    : rk_(rk), eof_(std::move(eof)), has_group_(has_group) {}

Consumer::~Consumer() {
  Close().IgnoreError();
  rd_kafka_destroy(rk_);
}

absl::Status Consumer::Assign(
    const std::vector<TopicPartitionOffset>& partitions) {
  if (closed_) return absl::FailedPreconditionError("consumer is closed");
  ListPtr list = NewList(static_cast<int>(partitions.size()));
  for (const TopicPartitionOffset& p : partitions) {
    rd_kafka_topic_partition_list_add(list.get(), p.topic.c_str(), p.partition)
        ->offset = p.offset;
  }
  eof_->at_eof.clear();
  return KafkaErrorStatus(rd_kafka_assign(rk_, list.get()), "assign");
}

absl::Status Consumer::Subscribe(const std::vector<std::string>& topics) {
  if (closed_) return absl::FailedPreconditionError("consumer is closed");
  if (!has_group_) {
    return absl::FailedPreconditionError(
        "subscribe needs ConsumerConfig.group_id");
  }
  ListPtr list = NewList(static_cast<int>(topics.size()));
  for (const std::string& topic : topics) {
    rd_kafka_topic_partition_list_add(list.get(), topic.c_str(),
                                      RD_KAFKA_PARTITION_UA);
  }
  return KafkaErrorStatus(rd_kafka_subscribe(rk_, list.get()), "subscribe");
}

absl::StatusOr<std::optional<ConsumedMessage>> Consumer::Poll(
    absl::Duration timeout) {
  if (closed_) return absl::FailedPreconditionError("consumer is closed");
  rd_kafka_message_t* raw = rd_kafka_consumer_poll(rk_, TimeoutMs(timeout));
  if (raw == nullptr) return std::nullopt;
  std::unique_ptr<rd_kafka_message_t, decltype(&rd_kafka_message_destroy)>
      message(raw, &rd_kafka_message_destroy);
  const std::string topic =
      message->rkt != nullptr ? rd_kafka_topic_name(message->rkt) : "";
  if (message->err == RD_KAFKA_RESP_ERR__PARTITION_EOF) {
    eof_->at_eof.insert({topic, message->partition});
    return std::nullopt;
  }
  if (message->err != RD_KAFKA_RESP_ERR_NO_ERROR) {
    const std::string context =
        topic.empty()
            ? "consume"
            : absl::StrCat("consume ", topic, "[", message->partition, "]");
    return FatalOrError(rk_, message->err, context,
                        rd_kafka_message_errstr(message.get()));
  }

  ConsumedMessage out;
  out.topic = topic;
  out.partition = message->partition;
  out.offset = message->offset;
  if (message->key != nullptr) {
    out.key.assign(static_cast<const char*>(message->key), message->key_len);
  }
  if (message->payload != nullptr) {
    out.value.assign(static_cast<const char*>(message->payload), message->len);
  }
  rd_kafka_headers_t* headers = nullptr;
  if (rd_kafka_message_headers(message.get(), &headers) ==
      RD_KAFKA_RESP_ERR_NO_ERROR) {
    const char* name = nullptr;
    const void* value = nullptr;
    size_t size = 0;
    for (size_t i = 0;
         rd_kafka_header_get_all(headers, i, &name, &value, &size) ==
         RD_KAFKA_RESP_ERR_NO_ERROR;
         ++i) {
      out.headers.emplace_back(
          name, value != nullptr
                    ? std::string(static_cast<const char*>(value), size)
                    : std::string());
    }
  }
  rd_kafka_timestamp_type_t timestamp_type;
  const int64_t millis =
      rd_kafka_message_timestamp(message.get(), &timestamp_type);
  if (timestamp_type != RD_KAFKA_TIMESTAMP_NOT_AVAILABLE && millis >= 0) {
    out.timestamp = absl::FromUnixMillis(millis);
  }
  eof_->at_eof.erase({out.topic, out.partition});
  return out;
}

bool Consumer::AtEndOfAssignedPartitions() {
  if (closed_) return false;
  rd_kafka_topic_partition_list_t* raw = nullptr;
  if (rd_kafka_assignment(rk_, &raw) != RD_KAFKA_RESP_ERR_NO_ERROR) {
    return false;
  }
  ListPtr assignment(raw, &rd_kafka_topic_partition_list_destroy);
  if (assignment->cnt == 0) return false;
  for (int i = 0; i < assignment->cnt; ++i) {
    const rd_kafka_topic_partition_t& p = assignment->elems[i];
    if (eof_->at_eof.count({p.topic, p.partition}) == 0) return false;
  }
  return true;
}

absl::Status Consumer::StoreOffset(const ConsumedMessage& message) {
  if (closed_) return absl::FailedPreconditionError("consumer is closed");
  if (!has_group_) {
    return absl::FailedPreconditionError(
        "storing offsets needs ConsumerConfig.group_id");
  }
  ListPtr list = NewList(1);
  rd_kafka_topic_partition_list_add(list.get(), message.topic.c_str(),
                                    message.partition)
      ->offset = message.offset + 1;
  rd_kafka_resp_err_t err = rd_kafka_offsets_store(rk_, list.get());
  // The partition's own error says more than the call's (which is
  // _UNKNOWN_PARTITION whenever nothing was stored). A partition this
  // consumer never fetched is _UNKNOWN_PARTITION, one no longer assigned is
  // _STATE.
  if (list->elems[0].err != RD_KAFKA_RESP_ERR_NO_ERROR)
    err = list->elems[0].err;
  if (err == RD_KAFKA_RESP_ERR__STATE ||
      err == RD_KAFKA_RESP_ERR__UNKNOWN_PARTITION) {
    return absl::FailedPreconditionError(
        absl::StrCat("store offset: ", message.topic, "[", message.partition,
                     "] is not assigned to this consumer"));
  }
  return KafkaErrorStatus(err, absl::StrCat("store offset ", message.topic, "[",
                                            message.partition, "]"));
}

absl::Status Consumer::Commit() {
  if (closed_) return absl::FailedPreconditionError("consumer is closed");
  if (!has_group_) {
    return absl::FailedPreconditionError(
        "commit needs ConsumerConfig.group_id");
  }
  const rd_kafka_resp_err_t err = rd_kafka_commit(rk_, nullptr, /*async=*/0);
  if (err == RD_KAFKA_RESP_ERR__NO_OFFSET) return absl::OkStatus();
  return FatalOrError(rk_, err, "commit", {});
}

absl::StatusOr<int> Consumer::PartitionCount(const std::string& topic,
                                             absl::Duration timeout) {
  if (closed_) return absl::FailedPreconditionError("consumer is closed");
  const rd_kafka_metadata_t* metadata = nullptr;
  const rd_kafka_resp_err_t err = rd_kafka_metadata(
      rk_, /*all_topics=*/1, nullptr, &metadata, TimeoutMs(timeout));
  if (err != RD_KAFKA_RESP_ERR_NO_ERROR) {
    return KafkaErrorStatus(err, absl::StrCat("metadata for ", topic));
  }
  absl::StatusOr<int> result =
      absl::NotFoundError(absl::StrCat("topic ", topic, " does not exist"));
  for (int i = 0; i < metadata->topic_cnt; ++i) {
    const rd_kafka_metadata_topic_t& t = metadata->topics[i];
    if (topic != t.topic) continue;
    if (t.err != RD_KAFKA_RESP_ERR_NO_ERROR) {
      result = KafkaErrorStatus(t.err, absl::StrCat("metadata for ", topic));
    } else {
      result = t.partition_cnt;
    }
    break;
  }
  rd_kafka_metadata_destroy(metadata);
  return result;
}

absl::StatusOr<std::map<std::string, int>> Consumer::ListTopics(
    absl::Duration timeout) {
  if (closed_) return absl::FailedPreconditionError("consumer is closed");
  const rd_kafka_metadata_t* metadata = nullptr;
  const rd_kafka_resp_err_t err = rd_kafka_metadata(
      rk_, /*all_topics=*/1, nullptr, &metadata, TimeoutMs(timeout));
  if (err != RD_KAFKA_RESP_ERR_NO_ERROR) {
    return KafkaErrorStatus(err, "list topics");
  }
  std::map<std::string, int> topics;
  for (int i = 0; i < metadata->topic_cnt; ++i) {
    const rd_kafka_metadata_topic_t& t = metadata->topics[i];
    if (t.err == RD_KAFKA_RESP_ERR_NO_ERROR) topics[t.topic] = t.partition_cnt;
  }
  rd_kafka_metadata_destroy(metadata);
  return topics;
}

absl::StatusOr<std::pair<int64_t, int64_t>> Consumer::WatermarkOffsets(
    const std::string& topic, int32_t partition, absl::Duration timeout) {
  if (closed_) return absl::FailedPreconditionError("consumer is closed");
  int64_t low = 0;
  int64_t high = 0;
  const rd_kafka_resp_err_t err = rd_kafka_query_watermark_offsets(
      rk_, topic.c_str(), partition, &low, &high, TimeoutMs(timeout));
  RETURN_IF_ERROR(KafkaErrorStatus(
      err, absl::StrCat("watermark offsets of ", topic, "[", partition, "]")));
  return std::make_pair(low, high);
}

absl::StatusOr<std::pair<int64_t, int64_t>> Consumer::CachedWatermarkOffsets(
    const std::string& topic, int32_t partition) {
  if (closed_) return absl::FailedPreconditionError("consumer is closed");
  int64_t low = RD_KAFKA_OFFSET_INVALID;
  int64_t high = RD_KAFKA_OFFSET_INVALID;
  RETURN_IF_ERROR(KafkaErrorStatus(
      rd_kafka_get_watermark_offsets(rk_, topic.c_str(), partition, &low, &high),
      absl::StrCat("cached watermark offsets of ", topic, "[", partition, "]")));
  if (high == RD_KAFKA_OFFSET_INVALID) {
    return absl::NotFoundError(
        absl::StrCat("no fetch response yet for ", topic, "[", partition, "]"));
  }
  return std::make_pair(low, high);
}

absl::Status Consumer::Close() {
  if (closed_) return absl::OkStatus();
  closed_ = true;
  return KafkaErrorStatus(rd_kafka_consumer_close(rk_), "close consumer");
}

}  // namespace jit::kafka
