#include "libs/service/outbox_pipeline.h"

#include "absl/strings/str_cat.h"
#include "libs/status/status_macros.h"
#include <fstream>
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
                        .properties = {}}));
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
