#include "services/aggregator/ingest/ingestor.h"

#include <algorithm>
#include <filesystem>
#include <fstream>

#include "absl/strings/str_cat.h"
#include "libs/events/envelope.h"
#include "libs/kafka/topics.h"
#include "libs/log/log.h"
#include "libs/status/status_macros.h"
#include "nlohmann/json.hpp"
#include "prometheus/counter.h"
#include "prometheus/family.h"
#include "prometheus/gauge.h"
#include "prometheus/registry.h"
#include "services/aggregator/events/event_adapter.h"

namespace jit::aggregator {

struct Ingestor::Metrics {
  explicit Metrics(prometheus::Registry* registry) {
    if (registry == nullptr) {
      owned = std::make_unique<prometheus::Registry>();
      registry = owned.get();
    }
    events = &prometheus::BuildCounter()
                  .Name("jit_aggregator_events_total")
                  .Help("Lifecycle records read, by topic, event type and outcome "
                        "(applied, held, ignored, duplicate_id, duplicate_sequence, "
                        "dead_letter)")
                  .Register(*registry);
    quarantined = &prometheus::BuildCounter()
                       .Name("jit_aggregator_quarantined_dead_letters_total")
                       .Help("Dead letters Kafka refused for good, kept in the local "
                             "quarantine file instead (alert on any)")
                       .Register(*registry);
    dead_letters = &prometheus::BuildCounter()
                        .Name("jit_aggregator_dead_letters_total")
                        .Help("Records sent to <topic>.dlq")
                        .Register(*registry);
    lag = &prometheus::BuildGauge()
               .Name("jit_aggregator_partition_lag")
               .Help("High watermark minus next offset to read, per partition")
               .Register(*registry);
    auto& age_family = prometheus::BuildGauge()
                           .Name("jit_aggregator_checkpoint_age_seconds")
                           .Help("Seconds since the last checkpoint was written")
                           .Register(*registry);
    checkpoint_age = &age_family.Add({});
    auto& writes_family = prometheus::BuildCounter()
                              .Name("jit_aggregator_checkpoints_total")
                              .Help("Checkpoints written")
                              .Register(*registry);
    checkpoints = &writes_family.Add({});
    auto& duration_family = prometheus::BuildGauge()
                                .Name("jit_aggregator_checkpoint_duration_seconds")
                                .Help("Duration of the last checkpoint (serialize + write)")
                                .Register(*registry);
    checkpoint_duration = &duration_family.Add({});
    auto& held_family = prometheus::BuildGauge()
                            .Name("jit_aggregator_held_events")
                            .Help("Events held for journeys whose enrolment is not known yet")
                            .Register(*registry);
    held = &held_family.Add({});
    auto& version_family = prometheus::BuildGauge()
                               .Name("jit_aggregator_state_version")
                               .Help("Events folded into the state (duplicates excluded)")
                               .Register(*registry);
    version = &version_family.Add({});
  }

  prometheus::Counter& Event(const std::string& topic, absl::string_view type,
                             absl::string_view outcome) {
    const std::string key = absl::StrCat(topic, "|", type, "|", outcome);
    auto it = event_counters.find(key);
    if (it == event_counters.end()) {
      it = event_counters
               .emplace(key, &events->Add({{"topic", topic},
                                           {"type", std::string(type)},
                                           {"outcome", std::string(outcome)}}))
               .first;
    }
    return *it->second;
  }

  std::unique_ptr<prometheus::Registry> owned;
  prometheus::Family<prometheus::Counter>* events;
  prometheus::Family<prometheus::Counter>* dead_letters;
  prometheus::Family<prometheus::Counter>* quarantined;
  prometheus::Family<prometheus::Gauge>* lag;
  prometheus::Gauge* checkpoint_age;
  prometheus::Counter* checkpoints;
  prometheus::Gauge* checkpoint_duration;
  prometheus::Gauge* held;
  prometheus::Gauge* version;
  std::map<std::string, prometheus::Counter*> event_counters;
};

namespace {

absl::string_view OutcomeName(Fold::Outcome o) {
  switch (o) {
    case Fold::Outcome::kApplied: return "applied";
    case Fold::Outcome::kHeld: return "held";
    case Fold::Outcome::kIgnored: return "ignored";
    case Fold::Outcome::kDuplicateEventId: return "duplicate_id";
    case Fold::Outcome::kDuplicateSequence: return "duplicate_sequence";
    case Fold::Outcome::kRefused: return "dead_letter";
  }
  return "unknown";
}

}  // namespace

Ingestor::Ingestor(IngestOptions options, DashboardState* state, CheckpointStore* store)
    : options_(std::move(options)),
      state_(state),
      store_(store),
      metrics_(std::make_unique<Metrics>(options_.registry)) {
  if (options_.topics.empty()) options_.topics = kafka::LifecycleTopics();
}

Ingestor::~Ingestor() { (void)Stop(); }

absl::StatusOr<std::unique_ptr<Ingestor>> Ingestor::Create(IngestOptions options,
                                                           DashboardState* state,
                                                           CheckpointStore* store) {
  if (options.clock == nullptr) return absl::InvalidArgumentError("IngestOptions.clock is required");
  std::unique_ptr<Ingestor> ingestor(new Ingestor(std::move(options), state, store));
  ASSIGN_OR_RETURN(std::optional<Checkpoint> checkpoint, store->Read());
  if (checkpoint.has_value()) {
    FoldOptions fold_options = state->Read(
        [](const Fold& f, const IngestStats&) { return f.options(); });
    const bool legacy = !checkpoint->legacy_state.empty();
    absl::StatusOr<Fold> loaded = legacy
                                      ? Fold::Deserialize(checkpoint->legacy_state, fold_options)
                                      : Fold::FromParts(checkpoint->parts, fold_options);
    RETURN_IF_ERROR(loaded.status());
    Fold fold = *std::move(loaded);
    // A format-1 checkpoint is rewritten whole, in parts, at the next write.
    if (legacy) fold.MarkAllChanged();
    for (const PartitionOffset& o : checkpoint->offsets) {
      ingestor->offsets_[{o.topic, o.partition}] = o.next_offset;
    }
    const absl::Time written = checkpoint->written_at;
    const auto offsets = ingestor->offsets_;
    state->Mutate([&](Fold& f, IngestStats& stats) {
      f = std::move(fold);
      stats.checkpoint_time = written;
      for (const auto& [tp, next] : offsets) stats.topics[tp.first].partitions[tp.second].next_offset = next;
    });
    ingestor->last_checkpoint_ = written;
    log::Event(log::Level::kInfo, "checkpoint loaded",
               {{"version", checkpoint->version},
                {"partitions", static_cast<int64_t>(checkpoint->offsets.size())},
                {"written_at", absl::FormatTime(written)}});
  } else {
    log::Info("no checkpoint: folding the topics from the beginning");
  }
  return ingestor;
}

absl::Status Ingestor::Start() {
  if (started_) return absl::FailedPreconditionError("ingestor already started");
  auto with_security = [this](std::map<std::string, std::string> props) {
    for (const auto& [k, v] : options_.kafka_properties) props[k] = v;
    return props;
  };
  ASSIGN_OR_RETURN(consumer_,
                   kafka::Consumer::Create({.bootstrap_servers = options_.bootstrap_servers,
                                            .group_id = "",
                                            .client_id = options_.client_id,
                                            .auto_offset_reset = "earliest",
                                            // A deep prefetch queue: librdkafka 2.0.2 stops
                                            // fetching once it holds this many and resumes
                                            // only on a ~1 s wake-up, which capped replays
                                            // at ~30-45k events/s with 20,000. The
                                            // queue stays bounded by its size in bytes.
                                            .properties = with_security(
                                                {{"fetch.wait.max.ms", "50"},
                                                 {"queued.min.messages", "500000"},
                                                 {"queued.max.messages.kbytes", "65536"}})}));
  ASSIGN_OR_RETURN(producer_,
                   kafka::Producer::Create({.bootstrap_servers = options_.bootstrap_servers,
                                            .client_id = options_.client_id + "-dlq",
                                            .properties = with_security(
                                                {{"message.max.bytes",
                                                  absl::StrCat(options_.dead_letter_max_bytes)}})}));
  std::vector<kafka::TopicPartitionOffset> assignment;
  const absl::Time deadline = options_.clock->Now() + options_.topic_wait;
  for (const std::string& topic : options_.topics) {
    absl::StatusOr<int> count = consumer_->PartitionCount(topic, absl::Seconds(5));
    while (!count.ok() && options_.clock->Now() < deadline) {
      log::Warn("topic {} not available yet: {}", topic, count.status().ToString());
      absl::SleepFor(absl::Milliseconds(500));
      count = consumer_->PartitionCount(topic, absl::Seconds(5));
    }
    if (!count.ok()) return count.status();
    for (int p = 0; p < *count; ++p) {
      auto it = offsets_.find({topic, p});
      if (it != offsets_.end() && it->second > 0) {
        // A checkpointed offset beyond the partition's end means the topic
        // was recreated (a new cluster, e.g. the embedded broker restarted):
        // read it again from the beginning. The fold keeps its state and its
        // dedupe memory, so events republished by the services are not
        // counted twice.
        absl::StatusOr<std::pair<int64_t, int64_t>> marks =
            consumer_->WatermarkOffsets(topic, p, absl::Seconds(5));
        if (marks.ok() && it->second > marks->second) {
          log::Event(log::Level::kWarn,
                     "checkpoint offset beyond the end of the partition: the "
                     "topic was recreated; reading it from the beginning",
                     {{"topic", topic},
                      {"partition", static_cast<int64_t>(p)},
                      {"checkpoint_offset", it->second},
                      {"high_watermark", marks->second}});
          offsets_.erase(it);
          it = offsets_.end();
        }
      }
      const int64_t start = it == offsets_.end() ? kafka::kOffsetBeginning : it->second;
      assignment.push_back({topic, p, start});
      partitions_.emplace_back(topic, p);
      if (it == offsets_.end()) offsets_[{topic, p}] = 0;
    }
  }
  RETURN_IF_ERROR(consumer_->Assign(assignment));
  started_ = true;
  thread_ = std::thread([this] { Loop(); });
  log::Event(log::Level::kInfo, "ingest started",
             {{"partitions", static_cast<int64_t>(partitions_.size())}});
  return absl::OkStatus();
}

absl::Status Ingestor::Stop() {
  if (!started_ || stopped_) return absl::OkStatus();
  stopped_ = true;
  stop_.store(true);
  if (thread_.joinable()) thread_.join();
  absl::Status s = absl::OkStatus();
  if (checkpoint_abandoned_) {
    log::Error("no checkpoint at stop: a batch's dead letters were not acknowledged; "
               "the restart re-reads it from the previous checkpoint");
  } else {
    s = WriteCheckpoint();
  }
  if (consumer_ != nullptr) (void)consumer_->Close();
  if (producer_ != nullptr) (void)producer_->Flush(absl::Seconds(5));
  return s;
}

void Ingestor::Loop() {
  std::vector<kafka::ConsumedMessage> batch;
  while (!stop_.load()) {
    batch.clear();
    // Wait for a first record, then take what is already there (up to
    // max_batch). A poll returns nothing both when no record is ready and
    // when a partition reports its end: a few empty polls end the batch.
    absl::Duration wait = options_.poll_timeout;
    int empty_polls = 0;
    while (static_cast<int>(batch.size()) < options_.max_batch && empty_polls < 3) {
      absl::StatusOr<std::optional<kafka::ConsumedMessage>> m = consumer_->Poll(wait);
      if (!m.ok()) {
        log::Warn("poll: {}", m.status().ToString());
        break;
      }
      if (!m->has_value()) {
        ++empty_polls;
        if (batch.empty() && stop_.load()) break;
        continue;
      }
      empty_polls = 0;
      batch.push_back(std::move(**m));
      wait = absl::ZeroDuration();
    }
    if (!batch.empty()) {
      absl::Status s = ProcessBatch(batch);
      if (!s.ok()) {
        // Only a dead letter that could not be produced before stopping:
        // the batch is dropped unapplied and re-read after the restart.
        log::Error("batch abandoned: {}", s.ToString());
        break;
      }
    }
    const absl::Time now = options_.clock->Now();
    if (now - last_checkpoint_ >= options_.checkpoint_interval) {
      if (absl::Status s = WriteCheckpoint(); !s.ok()) {
        log::Error("checkpoint failed (will retry): {}", s.ToString());
      }
    }
    if (now - last_lag_ >= options_.lag_interval) MeasureLag();
    if (last_checkpoint_ != absl::InfinitePast()) {
      metrics_->checkpoint_age->Set(absl::ToDoubleSeconds(options_.clock->Now() - last_checkpoint_));
    }
  }
}

struct Ingestor::Pending {
  struct Item {
    const kafka::ConsumedMessage* record;
    std::optional<Event> event;
    std::string dead_letter_reason;
  };
  std::vector<Item> items;
};

absl::Status Ingestor::ProcessBatch(std::vector<kafka::ConsumedMessage>& batch) {
  const absl::TimeZone zone = options_.zone;
  Pending pending;
  std::vector<kafka::Message> dead;
  pending.items.reserve(batch.size());
  for (const kafka::ConsumedMessage& r : batch) {
    Pending::Item item{&r, std::nullopt, {}};
    absl::StatusOr<events::LifecycleEvent> decoded = events::Decode(r.key, r.value, r.headers);
    if (decoded.ok()) {
      absl::StatusOr<Event> e = ToFoldEvent(*decoded, r.topic, zone, options_.clock->Now());
      if (e.ok()) {
        item.event = std::move(*e);
      } else {
        item.dead_letter_reason = std::string(e.status().message());
      }
    } else {
      item.dead_letter_reason = std::string(decoded.status().message());
    }
    if (!item.event.has_value()) {
      dead.push_back(events::DeadLetter(r.topic, r.partition, r.offset, r.key, r.value,
                                        r.headers, item.dead_letter_reason));
    }
    pending.items.push_back(std::move(item));
  }
  // Dead letters are acknowledged (or quarantined) before the offsets move
  // past them.
  RETURN_IF_ERROR(AcknowledgeDeadLetters(std::move(dead)));

  const absl::Time now = options_.clock->Now();
  struct Count {
    std::string topic;
    absl::string_view type, outcome;
  };
  std::vector<Count> counts;
  counts.reserve(pending.items.size());
  std::vector<kafka::Message> refused;
  int64_t held = 0, version = 0;
  state_->Mutate([&](Fold& fold, IngestStats& stats) {
    for (const Pending::Item& item : pending.items) {
      const kafka::ConsumedMessage& r = *item.record;
      TopicStats& t = stats.topics[r.topic];
      t.last_read = now;
      if (item.event.has_value()) {
        std::string refusal;
        const Fold::Outcome o = fold.Apply(*item.event, &refusal);
        if (o == Fold::Outcome::kDuplicateEventId || o == Fold::Outcome::kDuplicateSequence) {
          ++t.duplicates;
        } else if (o == Fold::Outcome::kRefused) {
          ++t.dead_letters;
          refused.push_back(events::DeadLetter(r.topic, r.partition, r.offset, r.key, r.value,
                                               r.headers, refusal));
        } else {
          ++t.applied;
          t.last_event_unix = std::max(t.last_event_unix, item.event->occurred_unix);
        }
        counts.push_back({r.topic, KindName(item.event->kind), OutcomeName(o)});
      } else {
        ++t.dead_letters;
        counts.push_back({r.topic, "undecodable", "dead_letter"});
      }
      offsets_[{r.topic, r.partition}] = r.offset + 1;
      t.partitions[r.partition].next_offset = r.offset + 1;
    }
    held = fold.held_events();
    version = fold.version();
  });
  // Events the fold refused (past a bound) go to the dead-letter topic too;
  // the offsets above only reach a checkpoint once they are acknowledged.
  if (absl::Status s = AcknowledgeDeadLetters(std::move(refused)); !s.ok()) {
    checkpoint_abandoned_ = true;
    return s;
  }
  for (const Count& c : counts) {
    metrics_->Event(c.topic, c.type, c.outcome).Increment();
    if (c.outcome == "dead_letter") {
      metrics_->dead_letters->Add({{"topic", c.topic}}).Increment();
    }
  }
  metrics_->held->Set(static_cast<double>(held));
  metrics_->version->Set(static_cast<double>(version));
  return absl::OkStatus();
}

absl::Status Ingestor::AcknowledgeDeadLetters(std::vector<kafka::Message> dead) {
  absl::Duration backoff = absl::Milliseconds(100);
  while (!dead.empty()) {
    std::vector<absl::Status> results = producer_->ProduceAndWait(dead, absl::Seconds(10));
    std::vector<kafka::Message> retry;
    absl::Status first_failure;
    for (size_t i = 0; i < results.size(); ++i) {
      if (results[i].ok()) continue;
      if (RefusedForGood(results[i])) {
        Quarantine(dead[i], results[i]);
      } else {
        if (first_failure.ok()) first_failure = results[i];
        retry.push_back(dead[i]);
      }
    }
    if (retry.empty()) break;
    log::Warn("{} dead letter(s) not acknowledged ({}); retrying", retry.size(),
              first_failure.ToString());
    if (stop_.load()) return absl::UnavailableError("stopping with unacknowledged dead letters");
    absl::SleepFor(backoff);
    backoff = std::min(backoff * 2, absl::Seconds(5));
    dead = std::move(retry);
  }
  return absl::OkStatus();
}

bool Ingestor::RefusedForGood(const absl::Status& s) {
  switch (s.code()) {
    case absl::StatusCode::kInvalidArgument:    // too large, invalid message
    case absl::StatusCode::kPermissionDenied:   // topic authorization
    case absl::StatusCode::kUnauthenticated:
    case absl::StatusCode::kOutOfRange:
      return true;
    default:
      return false;  // broker down, timeouts, leadership: retry
  }
}

void Ingestor::Quarantine(const kafka::Message& dead_letter, const absl::Status& refusal) {
  std::string topic, partition, offset, reason;
  for (const auto& [name, value] : dead_letter.headers) {
    if (name == events::kDlqTopicHeader) topic = value;
    if (name == events::kDlqPartitionHeader) partition = value;
    if (name == events::kDlqOffsetHeader) offset = value;
    if (name == events::kDlqReasonHeader) reason = value;
  }
  log::Event(log::Level::kError, "dead letter quarantined: Kafka refused it",
             {{"topic", topic},
              {"partition", partition},
              {"offset", offset},
              {"reason", reason},
              {"refusal", std::string(refusal.message())},
              {"bytes", static_cast<int64_t>(dead_letter.value.size())}});
  metrics_->quarantined->Add({{"topic", topic}}).Increment();
  if (options_.quarantine_file.empty()) return;
  std::error_code ec;
  const auto size = std::filesystem::file_size(options_.quarantine_file, ec);
  if (!ec && static_cast<int64_t>(size) > options_.quarantine_max_bytes) {
    std::filesystem::rename(options_.quarantine_file, options_.quarantine_file + ".1", ec);
  }
  std::ofstream out(options_.quarantine_file, std::ios::app);
  out << nlohmann::json{{"at", absl::FormatTime(options_.clock->Now())},
                        {"topic", topic},
                        {"partition", partition},
                        {"offset", offset},
                        {"reason", reason},
                        {"refusal", std::string(refusal.message())},
                        {"bytes", dead_letter.value.size()}}
             .dump()
      << "\n";
  if (!out) log::Error("cannot write the quarantine file {}", options_.quarantine_file);
}

absl::Status Ingestor::WriteCheckpoint() {
  const absl::Time start = absl::Now();
  Checkpoint c;
  c.written_at = options_.clock->Now();
  // Only this thread changes the fold, so the changes taken here are
  // exactly those since the last checkpoint, matching `offsets_`.
  state_->MutateQuietly([&](Fold& fold) {
    c.parts = fold.TakeChanges();
    c.version = fold.version();
  });
  for (const auto& [tp, next] : offsets_) c.offsets.push_back({tp.first, tp.second, next});
  if (absl::Status s = store_->Write(c); !s.ok()) {
    // The delta is gone from the fold: the next checkpoint writes it all.
    state_->MutateQuietly([](Fold& fold) { fold.MarkAllChanged(); });
    return s;
  }
  last_checkpoint_ = c.written_at;
  state_->Mutate([&](Fold&, IngestStats& stats) { stats.checkpoint_time = c.written_at; });
  metrics_->checkpoints->Increment();
  metrics_->checkpoint_duration->Set(absl::ToDoubleSeconds(absl::Now() - start));
  metrics_->checkpoint_age->Set(0);
  log::Event(log::Level::kDebug, "checkpoint written",
             {{"version", c.version},
              {"journeys", static_cast<int64_t>(c.parts.journeys.size())},
              {"event_ids", static_cast<int64_t>(c.parts.event_ids.size())}});
  return absl::OkStatus();
}

void Ingestor::MeasureLag() {
  last_lag_ = options_.clock->Now();
  std::map<std::pair<std::string, int32_t>, int64_t> highs;
  for (const auto& [topic, partition] : partitions_) {
    // From the consumer's own fetch responses: asking the broker for every
    // partition in turn took ~60-100 ms each and stalled folding for
    // seconds on a hundred partitions (bench/README.md, figure 3).
    auto w = consumer_->CachedWatermarkOffsets(topic, partition);
    if (!w.ok()) continue;
    highs[{topic, partition}] = w->second;
    const int64_t next = offsets_[{topic, partition}];
    metrics_->lag->Add({{"topic", topic}, {"partition", absl::StrCat(partition)}})
        .Set(static_cast<double>(std::max<int64_t>(0, w->second - next)));
  }
  const absl::Time measured = options_.clock->Now();
  state_->Mutate([&](Fold&, IngestStats& stats) {
    for (const auto& [tp, high] : highs) {
      stats.topics[tp.first].partitions[tp.second].high_watermark = high;
    }
    stats.lag_measured = measured;
  });
}

}  // namespace jit::aggregator
