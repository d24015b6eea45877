// What every write service (enrollment, training-progress, placement) wires
// around its own store and domain, written once:
//
//   ASSIGN_OR_RETURN(auto runtime, WriteServiceRuntime::Start(
//       kIdentity, common, IdempotencyConfigFromFlags(), &clock));
//   ASSIGN_OR_RETURN(auto repository, SqliteEnrollmentRepository::Open(
//       runtime->database_options(), &clock, &ToOutboxMessage));
//   RETURN_IF_ERROR(runtime->Attach(repository.get()));
//   EnrollmentService domain(repository.get(), ...);
//   api::EnrollmentGrpcService grpc_service(&domain, runtime->executor());
//   return runtime->Serve({.services = {&grpc_service},
//                          .service_names =
//                          {EnrollmentService::service_full_name()}});
//
// Start(): TLS and token settings (service::SecurityFromFlags), the Kafka
// clients' security properties, the database's folder, a metrics registry,
// the bounded executor the gRPC handlers hand their work to (StartExecutor:
// --executor_threads, --executor_queue_capacity, --executor_retry_after).
// Attach(): pending outbox rewrites (events::RunPendingOutboxRewrite: the
// deprecated free text of events written before reason codes), the audit log
// in the service's database, the Kafka bootstrap
// address (or the embedded broker's file, waited for up to 30 s), the outbox
// pipeline (idempotent producer + relay) and the idempotency pruner.
// Serve(): service::ServeUntilSignal with the shared fields filled in (name,
// addresses, grace and drain times, registry, security, audit service and
// sink, the executor, db_path and kafka_bootstrap on the ready line) and,
// after the drain, the executor's remaining work done and the outbox stopped
// (every acknowledged event flushed) before the service's own after_drain.
#ifndef JIT_LIBS_BOOTSTRAP_WRITE_SERVICE_H_
#define JIT_LIBS_BOOTSTRAP_WRITE_SERVICE_H_

#include <map>
#include <memory>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "libs/audit/server_audit.h"
#include "libs/bootstrap/common_config.h"
#include "libs/clock/clock.h"
#include "libs/executor/bounded_executor.h"
#include "libs/service/outbox_pipeline.h"
#include "libs/service/retention_pruner.h"
#include "libs/service/security.h"
#include "libs/service/serve.h"
#include "libs/status/status_macros.h"
#include "libs/storage/database.h"
#include "prometheus/registry.h"

namespace jit::bootstrap {

class WriteServiceRuntime {
 public:
  static absl::StatusOr<std::unique_ptr<WriteServiceRuntime>> Start(
      const ServiceIdentity& identity, const CommonConfig& common,
      const IdempotencyConfig& idempotency, const Clock* clock);

  WriteServiceRuntime(const WriteServiceRuntime&) = delete;
  WriteServiceRuntime& operator=(const WriteServiceRuntime&) = delete;
  ~WriteServiceRuntime();

  const service::Security& security() const { return security_; }
  // The store's settings; its folder exists.
  const storage::DatabaseOptions& database_options() const {
    return database_options_;
  }
  prometheus::Registry* registry() const { return registry_.get(); }
  // The bounded executor for the service's gRPC adapter (grpcserver::
  // Respond); shut down by Serve() after the gRPC drain.
  executor::BoundedExecutor* executor() const { return executor_.get(); }

  // Starts what runs on the service's opened store: `repository` has
  // database() (the storage::Database with the outbox and audit tables) and
  // the idempotency store StartIdempotencyPruner needs. Not owned; must
  // outlive the runtime's Serve().
  template <typename Repository>
  absl::Status Attach(Repository* repository) {
    RETURN_IF_ERROR(AttachDatabase(repository->database()));
    pruner_ =
        service::StartIdempotencyPruner(repository, idempotency_.retention,
                                        idempotency_.prune_interval, clock_);
    return absl::OkStatus();
  }

  // Serves until SIGTERM/SIGINT, then drains (see above). `options` names the
  // service's gRPC services and anything of its own (extra ready fields,
  // admin routes, hooks); the shared fields are filled in here.
  absl::Status Serve(service::ServeOptions options);

 private:
  WriteServiceRuntime(const ServiceIdentity& identity,
                      const CommonConfig& common,
                      const IdempotencyConfig& idempotency, const Clock* clock,
                      service::Security security,
                      std::map<std::string, std::string> kafka_properties);
  absl::Status AttachDatabase(storage::Database* database);

  const ServiceIdentity identity_;
  const CommonConfig common_;
  const IdempotencyConfig idempotency_;
  const Clock* const clock_;
  const service::Security security_;
  const std::map<std::string, std::string> kafka_properties_;
  storage::DatabaseOptions database_options_;
  std::shared_ptr<prometheus::Registry> registry_;
  std::unique_ptr<executor::BoundedExecutor> executor_;
  std::string bootstrap_;
  std::unique_ptr<audit::ServerAudit> audit_;
  std::unique_ptr<service::OutboxPipeline> pipeline_;
  std::unique_ptr<service::RetentionPruner> pruner_;
};

}  // namespace jit::bootstrap

#endif  // JIT_LIBS_BOOTSTRAP_WRITE_SERVICE_H_
