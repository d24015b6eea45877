// The aggregator's consumer loop.
//
// - Reads every partition of the three lifecycle topics with assign() (no
//   consumer group: groups are slow on the development broker and their
//   commits are not atomic with our state), starting at the offsets of the
//   aggregator's own checkpoint (the beginning when there is none).
// - Decodes each record (libs/events Decode, then the events adapter); a
//   record that fails goes to `<topic>.dlq` (events::DeadLetter: reason,
//   source topic, partition and offset in headers) and the partition keeps
//   moving. Dead letters are produced and acknowledged before the batch's
//   offsets move, so none is lost across a crash (one may be repeated).
// - Folds each batch under the state's writer lock and tells the listeners.
// - Every `checkpoint_interval`, and on Stop(), writes the fold (with its
//   dedupe memory) and the offsets in one SQLite transaction. After a crash
//   the restart resumes from the last checkpoint: the events after it are
//   read again and folded once.
// - Every `lag_interval`, asks the brokers for the high watermarks (lag =
//   high watermark - next offset).
//
// Metrics: jit_aggregator_events_total{topic,type,outcome},
// jit_aggregator_dead_letters_total{topic},
// jit_aggregator_partition_lag{topic,partition},
// jit_aggregator_checkpoint_age_seconds, jit_aggregator_checkpoints_total,
// jit_aggregator_checkpoint_duration_seconds, jit_aggregator_held_events,
// jit_aggregator_state_version.
#ifndef JIT_SERVICES_AGGREGATOR_INGEST_INGESTOR_H_
#define JIT_SERVICES_AGGREGATOR_INGEST_INGESTOR_H_

#include <atomic>
#include <map>
#include <memory>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "libs/clock/clock.h"
#include "libs/kafka/consumer.h"
#include "libs/kafka/producer.h"
#include "services/aggregator/ingest/dashboard_state.h"
#include "services/aggregator/storage/checkpoint_store.h"

namespace prometheus {
class Registry;
}

namespace jit::aggregator {

struct IngestOptions {
  std::string bootstrap_servers = {};
  // Security settings of the Kafka clients (kafka::SecurityProperties);
  // they override the ingestor's own tuning where both name a property.
  std::map<std::string, std::string> kafka_properties = {};
  std::vector<std::string> topics = {};  // default: the three lifecycle topics
  absl::Duration checkpoint_interval = absl::Seconds(5);
  absl::Duration lag_interval = absl::Seconds(2);
  absl::Duration poll_timeout = absl::Milliseconds(100);
  int max_batch = 2000;
  // How long Start() waits for the topics to exist.
  absl::Duration topic_wait = absl::Seconds(30);
  absl::TimeZone zone = absl::UTCTimeZone();
  const Clock* clock = nullptr;                 // required
  prometheus::Registry* registry = nullptr;     // may be null
  std::string client_id = "jit-aggregator";
  // Dead letters that Kafka refuses for good (too large, invalid, not
  // authorized) are quarantined here instead of retried for ever: one JSON
  // line each (topic, partition, offset, reason, the refusal), the file
  // rotated to "<file>.1" past `quarantine_max_bytes`. Empty: the log line
  // and the metric only. The record itself stays in its source topic at
  // the offset named.
  std::string quarantine_file = {};
  int64_t quarantine_max_bytes = 16 << 20;
  // The dead-letter producer's message.max.bytes (tests lower it).
  int dead_letter_max_bytes = 1'000'000;
};

class Ingestor {
 public:
  // Loads the checkpoint (if any) into `state`. `state` and `store` must
  // outlive the Ingestor.
  static absl::StatusOr<std::unique_ptr<Ingestor>> Create(IngestOptions options,
                                                          DashboardState* state,
                                                          CheckpointStore* store);
  ~Ingestor();  // Stop()s

  // Connects, assigns every partition and starts the loop thread.
  absl::Status Start();
  // Stops the loop after its batch and writes a final checkpoint.
  // Idempotent.
  absl::Status Stop();

  // Number of partitions assigned (after Start).
  int partition_count() const { return static_cast<int>(partitions_.size()); }

 private:
  // A dead letter Kafka will never take (quarantined instead of retried).
  static bool RefusedForGood(const absl::Status& s);
  void Quarantine(const kafka::Message& dead_letter, const absl::Status& refusal);
  struct Metrics;
  struct Pending;  // a decoded batch

  Ingestor(IngestOptions options, DashboardState* state, CheckpointStore* store);
  void Loop();
  absl::Status ProcessBatch(std::vector<kafka::ConsumedMessage>& batch);
  // Produces the dead letters and waits for each to be acknowledged or
  // quarantined, retrying the rest with backoff; UNAVAILABLE only when
  // stopping first.
  absl::Status AcknowledgeDeadLetters(std::vector<kafka::Message> dead);
  absl::Status WriteCheckpoint();
  void MeasureLag();

  IngestOptions options_;
  DashboardState* const state_;
  CheckpointStore* const store_;
  std::unique_ptr<Metrics> metrics_;
  std::unique_ptr<kafka::Consumer> consumer_;
  std::unique_ptr<kafka::Producer> producer_;
  // (topic, partition) -> next offset to read. Loop thread only.
  std::map<std::pair<std::string, int32_t>, int64_t> offsets_;
  std::vector<std::pair<std::string, int32_t>> partitions_;
  absl::Time last_checkpoint_ = absl::InfinitePast();
  absl::Time last_lag_ = absl::InfinitePast();
  std::atomic<bool> stop_{false};
  std::thread thread_;
  bool started_ = false;
  bool stopped_ = false;
  // Set when a batch was applied but the dead letters of the events the
  // fold refused were not acknowledged: the state is not checkpointed (the
  // restart re-reads the batch from the previous checkpoint).
  bool checkpoint_abandoned_ = false;
};

}  // namespace jit::aggregator

#endif  // JIT_SERVICES_AGGREGATOR_INGEST_INGESTOR_H_
