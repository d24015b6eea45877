// The publishing side every service's main wires the same way: resolve the
// Kafka bootstrap address (a flag, or the embedded broker's bootstrap file),
// create the idempotent producer, and run the outbox relay on the service's
// database.
//
//   ASSIGN_OR_RETURN(std::string bootstrap,
//                    service::ResolveBootstrap(flag, file, absl::Seconds(30)));
//   ASSIGN_OR_RETURN(auto pipeline, service::OutboxPipeline::Start(
//       {.database = db, .bootstrap_servers = bootstrap,
//        .service_name = "enrollment", .clock = &clock, .registry = reg}));
//   ... committed outbox::Append()s wake the relay by themselves;
//   ... on shutdown: pipeline->Stop();   // finishes the batch, flushes
#ifndef JIT_LIBS_SERVICE_OUTBOX_PIPELINE_H_
#define JIT_LIBS_SERVICE_OUTBOX_PIPELINE_H_

#include <map>
#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "libs/clock/clock.h"
#include "libs/kafka/producer.h"
#include "libs/outbox/kafka_publisher.h"
#include "libs/outbox/relay.h"
#include "libs/storage/database.h"

namespace prometheus {
class Registry;
}

namespace jit::service {

// `bootstrap_servers` when not empty; otherwise the content of
// `bootstrap_file`, waiting up to `wait` for it to appear (the embedded
// broker writes it when ready). INVALID_ARGUMENT when both are empty,
// UNAVAILABLE when the file never appears.
absl::StatusOr<std::string> ResolveBootstrap(const std::string& bootstrap_servers,
                                             const std::string& bootstrap_file,
                                             absl::Duration wait);

// At start-up: when Kafka holds fewer offsets on a topic than the rows this
// service's outbox retains as delivered to it, the cluster is new or lost its
// data (e.g. the embedded broker, which keeps topics in memory, restarted), so
// every retained row is marked unsent again and republished in its original
// order. Consumers deduplicate. Returns whether it requeued.
absl::StatusOr<bool> RepublishIfClusterLostEvents(
    storage::Database& db, const std::string& bootstrap_servers, absl::Duration timeout,
    const std::map<std::string, std::string>& kafka_properties = {});

struct OutboxPipelineOptions {
  storage::Database* database = nullptr;  // with the outbox migrations applied
  std::string bootstrap_servers = {};
  // Security settings of the Kafka clients (kafka::SecurityProperties).
  std::map<std::string, std::string> kafka_properties = {};
  std::string service_name = {};  // client id and metric label
  const Clock* clock = nullptr;
  prometheus::Registry* registry = nullptr;  // may be null
  absl::Duration delivery_timeout = absl::Seconds(30);
  int batch_size = 500;
  // Run RepublishIfClusterLostEvents before the relay starts.
  bool check_cluster = true;
};

class OutboxPipeline {
 public:
  static absl::StatusOr<std::unique_ptr<OutboxPipeline>> Start(
      const OutboxPipelineOptions& options);
  ~OutboxPipeline();  // Stop()s

  // Wakes the relay after a commit (publishes now rather than at the next
  // poll). Cheap; any thread.
  void Notify() { relay_->Notify(); }
  // Stops the relay after its in-flight batch and flushes the producer.
  // Idempotent.
  void Stop();
  outbox::Relay& relay() { return *relay_; }

 private:
  OutboxPipeline() = default;
  std::unique_ptr<kafka::Producer> producer_;
  std::unique_ptr<outbox::KafkaPublisher> publisher_;
  std::unique_ptr<outbox::Relay> relay_;
  bool stopped_ = false;
};

}  // namespace jit::service

#endif  // JIT_LIBS_SERVICE_OUTBOX_PIPELINE_H_
