#include "libs/kafka/producer.h"

#include <librdkafka/rdkafka.h>

#include <algorithm>
#include <cstddef>
#include <utility>

#include "absl/base/thread_annotations.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "libs/kafka/client_config.h"
#include "libs/kafka/errors.h"
#include "libs/status/status_macros.h"

namespace jit::kafka {
namespace {

// The outcome of one ProduceAndWait call. Shared with the per-message
// opaques so that it outlives a caller that stopped waiting.
struct Batch {
  explicit Batch(size_t n) : results(n), done(n, false) {}

  absl::Mutex mu;
  size_t pending ABSL_GUARDED_BY(mu) = 0;
  std::vector<absl::Status> results ABSL_GUARDED_BY(mu);
  std::vector<bool> done ABSL_GUARDED_BY(mu);
};

// Per-message opaque handed to librdkafka; deleted by the delivery callback
// (or by the enqueuer when librdkafka refused the message).
struct MessageOpaque {
  std::shared_ptr<Batch> batch;
  size_t index;
};

void OnDelivery(rd_kafka_t* rk, const rd_kafka_message_t* msg, void*) {
  auto* opaque = static_cast<MessageOpaque*>(msg->_private);
  if (opaque == nullptr) return;
  absl::Status status;
  if (msg->err != RD_KAFKA_RESP_ERR_NO_ERROR) {
    const std::string context = absl::StrCat(
        "deliver to ", rd_kafka_topic_name(msg->rkt), "[", msg->partition, "]");
    if (msg->err == RD_KAFKA_RESP_ERR__FATAL) {
      char reason[512] = "";
      const rd_kafka_resp_err_t cause =
          rd_kafka_fatal_error(rk, reason, sizeof(reason));
      status =
          KafkaErrorStatus(msg->err, context,
                           absl::StrCat("fatal producer error: ", reason, " (",
                                        rd_kafka_err2name(cause), ")"));
    } else {
      status =
          KafkaErrorStatus(msg->err, context, rd_kafka_message_errstr(msg));
    }
  }
  {
    Batch& batch = *opaque->batch;
    absl::MutexLock lock(&batch.mu);
    batch.results[opaque->index] = std::move(status);
    batch.done[opaque->index] = true;
    --batch.pending;
  }
  delete opaque;
}

// Enqueues one message, polling while the local queue is full until
// `deadline`. On success the message's delivery report will settle
// batch->results[index].
absl::Status Enqueue(rd_kafka_t* rk, const Message& message,
                     const std::shared_ptr<Batch>& batch, size_t index,
                     absl::Time deadline) {
  auto* opaque = new MessageOpaque{batch, index};
  std::vector<rd_kafka_vu_t> vus;
  vus.reserve(5 + message.headers.size());
  rd_kafka_vu_t vu{};
  vu.vtype = RD_KAFKA_VTYPE_TOPIC;
  vu.u.cstr = message.topic.c_str();
  vus.push_back(vu);
  if (!message.key.empty()) {
    vu = {};
    vu.vtype = RD_KAFKA_VTYPE_KEY;
    vu.u.mem.ptr = const_cast<char*>(message.key.data());
    vu.u.mem.size = message.key.size();
    vus.push_back(vu);
  }
  vu = {};
  vu.vtype = RD_KAFKA_VTYPE_VALUE;  // never null: an empty value stays empty
  vu.u.mem.ptr = const_cast<char*>(message.value.data());
  vu.u.mem.size = message.value.size();
  vus.push_back(vu);
  vu = {};
  vu.vtype = RD_KAFKA_VTYPE_MSGFLAGS;
  vu.u.i = RD_KAFKA_MSG_F_COPY;
  vus.push_back(vu);
  vu = {};
  vu.vtype = RD_KAFKA_VTYPE_OPAQUE;
  vu.u.ptr = opaque;
  vus.push_back(vu);
  for (const auto& [name, value] : message.headers) {
    vu = {};
    vu.vtype = RD_KAFKA_VTYPE_HEADER;
    vu.u.header.name = name.c_str();
    vu.u.header.val = value.data();
    vu.u.header.size = static_cast<ssize_t>(value.size());
    vus.push_back(vu);
  }

  while (true) {
    {
      absl::MutexLock lock(&batch->mu);
      ++batch->pending;
    }
    rd_kafka_error_t* error = rd_kafka_produceva(rk, vus.data(), vus.size());
    if (error == nullptr) return absl::OkStatus();
    const rd_kafka_resp_err_t code = rd_kafka_error_code(error);
    const std::string text = rd_kafka_error_string(error);
    rd_kafka_error_destroy(error);
    {
      absl::MutexLock lock(&batch->mu);
      --batch->pending;
    }
    const absl::Duration left = deadline - absl::Now();
    if (code == RD_KAFKA_RESP_ERR__QUEUE_FULL && left > absl::ZeroDuration()) {
      // Serve delivery reports here too so that room frees up promptly.
      rd_kafka_poll(rk, std::min(10, TimeoutMs(left)));
      continue;
    }
    delete opaque;
    const std::string context = absl::StrCat("produce to ", message.topic);
    if (code == RD_KAFKA_RESP_ERR__QUEUE_FULL) {
      return absl::DeadlineExceededError(absl::StrCat(
          context, ": local producer queue still full at the deadline (", text,
          ")"));
    }
    return KafkaErrorStatus(code, context, text);
  }
}

}  // namespace

absl::StatusOr<std::unique_ptr<Producer>> Producer::Create(
    const ProducerConfig& config) {
  PropertyList properties = {
      {"enable.idempotence", "true"},
      {"acks", "all"},
      {"linger.ms", "5"},
      {"partitioner", "murmur2_random"},
      {"client.id",
       config.client_id.empty() ? "jit-producer" : config.client_id},
  };
  if (!config.bootstrap_servers.empty()) {
    properties.emplace_back("bootstrap.servers", config.bootstrap_servers);
  } else if (!HasProperty(config.properties, "bootstrap.servers") &&
             !HasProperty(config.properties, "test.mock.num.brokers")) {
    return absl::InvalidArgumentError(
        "ProducerConfig.bootstrap_servers must not be empty");
  }
  for (const auto& property : config.properties) properties.push_back(property);
  ASSIGN_OR_RETURN(
      rd_kafka_t * rk,
      NewKafkaClient(RD_KAFKA_PRODUCER, properties, [](rd_kafka_conf_t* conf) {
        rd_kafka_conf_set_dr_msg_cb(conf, &OnDelivery);
      }));
  return std::unique_ptr<Producer>(new Producer(rk));
}

Producer::Producer(rd_kafka_s* rk) : rk_(rk) {
  poller_ = std::thread([this] { PollLoop(); });
}

Producer::~Producer() {
  rd_kafka_purge(rk_, RD_KAFKA_PURGE_F_QUEUE | RD_KAFKA_PURGE_F_INFLIGHT);
  // Serves the purge reports so that every opaque is released.
  rd_kafka_flush(rk_, 5000);
  stop_.store(true);
  poller_.join();
  rd_kafka_destroy(rk_);
}

void Producer::PollLoop() {
  while (!stop_.load()) rd_kafka_poll(rk_, 50);
}

std::vector<absl::Status> Producer::ProduceAndWait(
    const std::vector<Message>& messages, absl::Duration timeout) {
  const absl::Time deadline = absl::Now() + timeout;
  const size_t n = messages.size();
  std::vector<absl::Status> out(n);
  auto batch = std::make_shared<Batch>(n);

  size_t enqueued = 0;
  for (; enqueued < n; ++enqueued) {
    absl::Status status =
        Enqueue(rk_, messages[enqueued], batch, enqueued, deadline);
    if (!status.ok()) {
      for (size_t j = enqueued + 1; j < n; ++j) {
        out[j] = absl::AbortedError(
            absl::StrCat("not enqueued: earlier message #", enqueued,
                         " of this batch could not be enqueued"));
      }
      out[enqueued] = std::move(status);
      break;
    }
  }

  auto all_reported = [&batch]() ABSL_NO_THREAD_SAFETY_ANALYSIS {
    return batch->pending == 0;
  };
  batch->mu.LockWhenWithDeadline(absl::Condition(&all_reported), deadline);
  for (size_t i = 0; i < enqueued; ++i) {
    if (batch->done[i]) {
      out[i] = batch->results[i];
    } else {
      out[i] = absl::DeadlineExceededError(absl::StrCat(
          "produce to ", messages[i].topic, ": no delivery report within ",
          absl::FormatDuration(timeout),
          "; the message may still be delivered"));
    }
  }
  batch->mu.Unlock();
  return out;
}

absl::Status Producer::Flush(absl::Duration timeout) {
  const rd_kafka_resp_err_t err = rd_kafka_flush(rk_, TimeoutMs(timeout));
  if (err == RD_KAFKA_RESP_ERR__TIMED_OUT) {
    return absl::DeadlineExceededError(
        absl::StrCat("flush: ", rd_kafka_outq_len(rk_),
                     " messages or requests still pending after ",
                     absl::FormatDuration(timeout)));
  }
  return KafkaErrorStatus(err, "flush");
}

}  // namespace jit::kafka
