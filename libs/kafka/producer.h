// An idempotent Kafka producer whose sends are awaited per batch, each
// message getting its own delivery Status.
//
//   ASSIGN_OR_RETURN(auto producer,
//                    Producer::Create({.bootstrap_servers = bootstrap}));
//   std::vector<absl::Status> results =
//       producer->ProduceAndWait(messages, absl::Seconds(10));
#ifndef JIT_LIBS_KAFKA_PRODUCER_H_
#define JIT_LIBS_KAFKA_PRODUCER_H_

#include <atomic>
#include <map>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "libs/kafka/message.h"

struct rd_kafka_s;

namespace jit::kafka {

struct ProducerConfig {
  // "host:port[,host:port...]". May be empty only when `properties` sets
  // "bootstrap.servers" or "test.mock.num.brokers".
  std::string bootstrap_servers = {};
  // Shown in broker logs and metrics; "jit-producer" when empty.
  std::string client_id = {};
  // Extra librdkafka properties; they override the defaults below:
  //   enable.idempotence=true, acks=all, linger.ms=5,
  //   partitioner=murmur2_random (the Java client's partitioner, so keys land
  //   on the same partition whichever client produced them).
  std::map<std::string, std::string> properties = {};
};

// Thread-safe: any number of threads may call ProduceAndWait and Flush
// concurrently. Order is kept within one ProduceAndWait call (per partition),
// not across concurrent calls.
class Producer {
 public:
  // INVALID_ARGUMENT naming the property for a bad configuration.
  static absl::StatusOr<std::unique_ptr<Producer>> Create(
      const ProducerConfig& config);

  Producer(const Producer&) = delete;
  Producer& operator=(const Producer&) = delete;
  // Messages still queued or in flight are purged (their outcome is unknown):
  // call Flush() first to wait for them.
  ~Producer();

  // Enqueues `messages` in order (waiting for room while the local queue is
  // full) and waits until each has a delivery report or `timeout` passes.
  // Returns one Status per message, in input order:
  //   OK                  acknowledged by all in-sync replicas;
  //   DEADLINE_EXCEEDED   no report before `timeout` (the message may still
  //                       be delivered later: retrying may duplicate it) or
  //                       librdkafka's message.timeout.ms expired;
  //   UNAVAILABLE, NOT_FOUND, INVALID_ARGUMENT, ...  see errors.h, with the
  //                       librdkafka error text;
  //   ABORTED             not enqueued because an earlier message of this
  //                       call could not be enqueued (keeps per-key order: a
  //                       caller retries from the first failure).
  std::vector<absl::Status> ProduceAndWait(const std::vector<Message>& messages,
                                           absl::Duration timeout);

  // Waits until every message of every caller has been delivered or failed.
  // DEADLINE_EXCEEDED with the number still pending when `timeout` passes.
  absl::Status Flush(absl::Duration timeout);

 private:
  explicit Producer(rd_kafka_s* rk);
  void PollLoop();

  rd_kafka_s* const rk_;
  std::atomic<bool> stop_{false};
  std::thread poller_;  // serves delivery reports
};

}  // namespace jit::kafka

#endif  // JIT_LIBS_KAFKA_PRODUCER_H_
