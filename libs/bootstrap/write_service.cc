#include "libs/bootstrap/write_service.h"

#include <filesystem>
#include <system_error>
#include <utility>

#include "absl/strings/str_cat.h"
#include "libs/events/deprecated_text.h"
#include "libs/log/log.h"

namespace jit::bootstrap {

absl::StatusOr<std::unique_ptr<WriteServiceRuntime>> WriteServiceRuntime::Start(
    const ServiceIdentity& identity, const CommonConfig& common,
    const IdempotencyConfig& idempotency, const Clock* clock) {
  if (clock == nullptr) {
    return absl::InvalidArgumentError("WriteServiceRuntime: no clock");
  }
  ASSIGN_OR_RETURN(service::Security security,
                   service::SecurityFromFlags(clock));
  ASSIGN_OR_RETURN(auto kafka_properties, service::KafkaPropertiesFromFlags());
  auto runtime = std::unique_ptr<WriteServiceRuntime>(new WriteServiceRuntime(
      identity, common, idempotency, clock, std::move(security),
      std::move(kafka_properties)));
  const std::filesystem::path parent =
      std::filesystem::path(runtime->database_options_.path).parent_path();
  if (!parent.empty()) {
    std::error_code ec;
    std::filesystem::create_directories(parent, ec);
    if (ec) {
      return absl::FailedPreconditionError(
          absl::StrCat("--db_path: cannot create the folder ", parent.string(),
                       ": ", ec.message()));
    }
  }
  return runtime;
}

WriteServiceRuntime::WriteServiceRuntime(
    const ServiceIdentity& identity, const CommonConfig& common,
    const IdempotencyConfig& idempotency, const Clock* clock,
    service::Security security,
    std::map<std::string, std::string> kafka_properties)
    : identity_(identity),
      common_(common),
      idempotency_(idempotency),
      clock_(clock),
      security_(std::move(security)),
      kafka_properties_(std::move(kafka_properties)),
      database_options_(common.Database()),
      registry_(std::make_shared<prometheus::Registry>()),
      executor_(StartExecutor(identity, common, clock, registry_.get())) {}

WriteServiceRuntime::~WriteServiceRuntime() = default;

absl::Status WriteServiceRuntime::AttachDatabase(storage::Database* database) {
  if (database == nullptr) {
    return absl::InvalidArgumentError("WriteServiceRuntime: no database");
  }
  // Events written before reason codes may wait in the outbox with staff free
  // text in a deprecated field: cleared once, before the relay runs.
  ASSIGN_OR_RETURN(const int64_t rewritten,
                   events::RunPendingOutboxRewrite(*database));
  if (rewritten > 0) {
    log::Info("cleared deprecated free text from {} outbox events", rewritten);
  }
  ASSIGN_OR_RETURN(audit_, audit::ServerAudit::StartFromFlags(database, clock_,
                                                              registry_.get()));
  ASSIGN_OR_RETURN(bootstrap_,
                   service::ResolveBootstrap(common_.kafka_bootstrap,
                                             common_.kafka_bootstrap_file,
                                             absl::Seconds(30)));
  ASSIGN_OR_RETURN(pipeline_, service::OutboxPipeline::Start(
                                  {.database = database,
                                   .bootstrap_servers = bootstrap_,
                                   .kafka_properties = kafka_properties_,
                                   .service_name = identity_.name,
                                   .clock = clock_,
                                   .registry = registry_.get()}));
  return absl::OkStatus();
}

absl::Status WriteServiceRuntime::Serve(service::ServeOptions options) {
  if (pipeline_ == nullptr || audit_ == nullptr) {
    return absl::FailedPreconditionError(
        "WriteServiceRuntime: Serve() before Attach()");
  }
  options.name = identity_.name;
  options.grpc_address = common_.grpc_address;
  options.admin_address = common_.admin_address;
  options.unready_grace = common_.unready_grace;
  options.drain_timeout = common_.drain_timeout;
  options.registry = registry_;
  options.security = &security_;
  options.audit = audit_->sink();
  options.executor = executor_.get();
  options.services.push_back(audit_->service());
  options.service_names.push_back(audit::ServerAudit::kServiceName);
  log::Fields ready = {{"db_path", database_options_.path},
                       {"kafka_bootstrap", bootstrap_},
                       {"executor_threads", executor_->options().threads},
                       {"executor_queue_capacity",
                        executor_->options().queue_capacity}};
  for (auto& field : options.ready_fields) ready.push_back(std::move(field));
  options.ready_fields = std::move(ready);
  service::OutboxPipeline* outbox = pipeline_.get();
  options.after_drain = [outbox, own = std::move(options.after_drain)] {
    outbox->Stop();
    return own ? own() : absl::OkStatus();
  };
  return service::ServeUntilSignal(options);
}

}  // namespace jit::bootstrap
