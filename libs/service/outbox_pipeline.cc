#include "libs/service/outbox_pipeline.h"

#include "absl/strings/str_cat.h"
#include "libs/kafka/consumer.h"
#include "libs/log/log.h"
#include "libs/outbox/outbox.h"
#include "libs/status/status_macros.h"
#include <fstream>
#include <map>
#include <sstream>

#include "absl/strings/strip.h"
#include "absl/time/clock.h"

namespace jit::service {

absl::StatusOr<std::string> ResolveBootstrap(const std::string& bootstrap_servers,
                                             const std::string& bootstrap_file,
                                             absl::Duration wait) {
  if (!bootstrap_servers.empty()) return bootstrap_servers;
  if (bootstrap_file.empty()) {
    return absl::InvalidArgumentError(
        "no Kafka bootstrap: set --kafka_bootstrap or --kafka_bootstrap_file");
  }
  const absl::Time deadline = absl::Now() + wait;
  while (true) {
    std::ifstream in(bootstrap_file);
    if (in) {
      std::stringstream ss;
      ss << in.rdbuf();
      std::string content(absl::StripAsciiWhitespace(ss.str()));
      if (!content.empty()) return content;
    }
    if (absl::Now() >= deadline) break;
    absl::SleepFor(absl::Milliseconds(100));
  }
  return absl::UnavailableError(absl::StrCat(
      "Kafka bootstrap file ", bootstrap_file, " did not appear within ",
      absl::FormatDuration(wait), " (is the embedded broker running?)"));
}

namespace {

// Retained sent rows per topic.
absl::StatusOr<std::map<std::string, int64_t>> SentRowsByTopic(
    storage::Database& db) {
  std::map<std::string, int64_t> sent;
  RETURN_IF_ERROR(db.Transaction(
      storage::TxMode::kDeferred, [&](storage::Tx& tx) -> absl::Status {
        ASSIGN_OR_RETURN(auto st, tx.Prepare("SELECT topic, COUNT(*) FROM outbox "
                                             "WHERE sent_at IS NOT NULL GROUP BY topic"));
        while (true) {
          ASSIGN_OR_RETURN(bool row, st.Step());
          if (!row) break;
          sent[std::string(st.ColumnText(0))] = st.ColumnInt64(1);
        }
        return absl::OkStatus();
      }));
  return sent;
}

}  // namespace

absl::StatusOr<bool> RepublishIfClusterLostEvents(
    storage::Database& db, const std::string& bootstrap_servers, absl::Duration timeout,
    const std::map<std::string, std::string>& kafka_properties) {
  ASSIGN_OR_RETURN(auto sent, SentRowsByTopic(db));
  if (sent.empty()) return false;
  ASSIGN_OR_RETURN(auto consumer,
                   kafka::Consumer::Create({.bootstrap_servers = bootstrap_servers,
                                            .group_id = "",
                                            .client_id = "jit-outbox-check",
                                            .auto_offset_reset = "earliest",
                                            .properties = kafka_properties}));
  bool lost = false;
  for (const auto& [topic, rows] : sent) {
    ASSIGN_OR_RETURN(int partitions, consumer->PartitionCount(topic, timeout));
    int64_t high_sum = 0;
    for (int p = 0; p < partitions; ++p) {
      ASSIGN_OR_RETURN(auto marks, consumer->WatermarkOffsets(topic, p, timeout));
      high_sum += marks.second;
    }
    // Offsets only grow on a Kafka cluster (retention deletes data, never
    // offsets), and this service is the only producer of its topic: fewer
    // offsets than rows we know we delivered means a new or wiped cluster.
    if (high_sum < rows) {
      log::Event(log::Level::kWarn,
                 "Kafka holds fewer events than this service delivered: the "
                 "cluster was replaced or lost its data; republishing the "
                 "retained outbox",
                 {{"topic", topic}, {"delivered_rows", rows},
                  {"topic_offsets", high_sum}});
      lost = true;
    }
  }
  (void)consumer->Close();
  if (!lost) return false;
  ASSIGN_OR_RETURN(int64_t requeued, outbox::RequeueAll(db));
  log::Event(log::Level::kInfo, "retained outbox requeued", {{"rows", requeued}});
  return true;
}

absl::StatusOr<std::unique_ptr<OutboxPipeline>> OutboxPipeline::Start(
    const OutboxPipelineOptions& options) {
  if (options.database == nullptr || options.clock == nullptr) {
    return absl::InvalidArgumentError("OutboxPipeline needs a database and a clock");
  }
  std::unique_ptr<OutboxPipeline> p(new OutboxPipeline());
  ASSIGN_OR_RETURN(p->producer_,
                   kafka::Producer::Create(
                       {.bootstrap_servers = options.bootstrap_servers,
                        .client_id = absl::StrCat("jit-", options.service_name),
                        .properties = options.kafka_properties}));
  if (options.check_cluster) {
    absl::StatusOr<bool> republished = RepublishIfClusterLostEvents(
        *options.database, options.bootstrap_servers, absl::Seconds(10),
        options.kafka_properties);
    if (!republished.ok()) {
      // Kafka unreachable now: the relay will retry delivery; the check runs
      // again at the next start.
      log::Warn("could not compare the outbox with Kafka: {}",
                republished.status().ToString());
    }
  }
  p->publisher_ = std::make_unique<outbox::KafkaPublisher>(
      p->producer_.get(), options.delivery_timeout);
  outbox::RelayOptions relay_options;
  relay_options.batch_size = options.batch_size;
  relay_options.metric_labels = {{"service", options.service_name}};
  ASSIGN_OR_RETURN(p->relay_, outbox::Relay::Create(
                                  options.database, p->publisher_.get(),
                                  options.clock, options.registry, relay_options));
  RETURN_IF_ERROR(p->relay_->Start());
  return p;
}

void OutboxPipeline::Stop() {
  if (stopped_) return;
  stopped_ = true;
  relay_->Stop();
  (void)producer_->Flush(absl::Seconds(10));
}

OutboxPipeline::~OutboxPipeline() { Stop(); }

}  // namespace jit::service
