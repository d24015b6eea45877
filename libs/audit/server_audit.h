// The audit log as a server binary wires it: the log in the server's
// database, its retention pruner and the AuditService, configured by the
// flags defined once here:
//   --audit_retention        how long records are kept (default 400 days)
//   --audit_prune_interval   how often older records are deleted (1 h)
//
//   ASSIGN_OR_RETURN(auto audit, audit::ServerAudit::StartFromFlags(
//                                    repository->database(), &clock, registry.get()));
//   ServeOptions{..., .services = {&grpc_service, audit->service()},
//                .service_names = {..., audit::ServerAudit::kServiceName},
//                .audit = audit->sink()}
//
// Declare it after the database it writes to and before the server, so that
// it outlives the server (the destructor writes what is queued).
#ifndef JIT_LIBS_AUDIT_SERVER_AUDIT_H_
#define JIT_LIBS_AUDIT_SERVER_AUDIT_H_

#include <memory>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "libs/audit/audit_log.h"
#include "libs/audit/audit_service.h"
#include "libs/clock/clock.h"
#include "libs/service/retention_pruner.h"
#include "libs/storage/database.h"

namespace jit::audit {

struct ServerAuditOptions {
  absl::Duration retention = absl::Hours(24 * 400);
  absl::Duration prune_interval = absl::Hours(1);
};

class ServerAudit {
 public:
  static constexpr char kServiceName[] = "jobintech.audit.v1.AuditService";

  // INVALID_ARGUMENT naming the flag for a retention below one day or an
  // interval outside 1 s .. 7 days; the database's errors.
  static absl::StatusOr<std::unique_ptr<ServerAudit>> Start(storage::Database* database,
                                                            const Clock* clock,
                                                            prometheus::Registry* registry,
                                                            ServerAuditOptions options);
  static absl::StatusOr<std::unique_ptr<ServerAudit>> StartFromFlags(
      storage::Database* database, const Clock* clock, prometheus::Registry* registry);
  // The same on a connection of its own to the file of `database_options`
  // (for a server whose store does not expose its connection: the
  // aggregator's checkpoint file). SQLite's busy timeout arbitrates between
  // the two connections' short write transactions.
  static absl::StatusOr<std::unique_ptr<ServerAudit>> OpenFromFlags(
      const storage::DatabaseOptions& database_options, const Clock* clock,
      prometheus::Registry* registry);
  ~ServerAudit();

  AuditLog* log() { return log_.get(); }
  AuditSink* sink() { return log_.get(); }
  grpc::Service* service() { return service_.get(); }

 private:
  ServerAudit() = default;
  std::unique_ptr<storage::Database> own_database_;  // OpenFromFlags only
  std::unique_ptr<AuditLog> log_;
  std::unique_ptr<AuditGrpcService> service_;
  std::unique_ptr<service::RetentionPruner> pruner_;
};

}  // namespace jit::audit

#endif  // JIT_LIBS_AUDIT_SERVER_AUDIT_H_
