#include "libs/audit/server_audit.h"

#include <utility>

#include "absl/flags/flag.h"
#include "absl/strings/str_cat.h"
#include "libs/status/status_macros.h"

ABSL_FLAG(absl::Duration, audit_retention, absl::Hours(24 * 400),
          "how long audit records (mutations, personal-data reads, denials) are kept; "
          "older ones are deleted (at least 24h)");
ABSL_FLAG(absl::Duration, audit_prune_interval, absl::Hours(1),
          "how often audit records older than --audit_retention are deleted");

namespace jit::audit {

absl::StatusOr<std::unique_ptr<ServerAudit>> ServerAudit::Start(storage::Database* database,
                                                                const Clock* clock,
                                                                prometheus::Registry* registry,
                                                                ServerAuditOptions options) {
  if (options.retention < absl::Hours(24)) {
    return absl::InvalidArgumentError(absl::StrCat("--audit_retention: must be at least 24h, got ",
                                                   absl::FormatDuration(options.retention)));
  }
  if (options.prune_interval < absl::Seconds(1) || options.prune_interval > absl::Hours(24 * 7)) {
    return absl::InvalidArgumentError(
        absl::StrCat("--audit_prune_interval: must be within 1s .. 168h, got ",
                     absl::FormatDuration(options.prune_interval)));
  }
  std::unique_ptr<ServerAudit> audit(new ServerAudit());
  ASSIGN_OR_RETURN(audit->log_,
                   AuditLog::Open({.database = database, .clock = clock, .registry = registry}));
  audit->service_ = std::make_unique<AuditGrpcService>(audit->log_.get());
  AuditLog* log = audit->log_.get();
  audit->pruner_ = service::RetentionPruner::Start(
      {.what = "audit records",
       .retention = options.retention,
       .interval = options.prune_interval,
       .clock = clock},
      [log](absl::Time before, int64_t limit) { return log->PruneBefore(before, limit); });
  return audit;
}

absl::StatusOr<std::unique_ptr<ServerAudit>> ServerAudit::StartFromFlags(
    storage::Database* database, const Clock* clock, prometheus::Registry* registry) {
  return Start(database, clock, registry,
               {.retention = absl::GetFlag(FLAGS_audit_retention),
                .prune_interval = absl::GetFlag(FLAGS_audit_prune_interval)});
}

absl::StatusOr<std::unique_ptr<ServerAudit>> ServerAudit::OpenFromFlags(
    const storage::DatabaseOptions& database_options, const Clock* clock,
    prometheus::Registry* registry) {
  ASSIGN_OR_RETURN(std::unique_ptr<storage::Database> database,
                   storage::Database::Open(database_options));
  ASSIGN_OR_RETURN(std::unique_ptr<ServerAudit> audit,
                   StartFromFlags(database.get(), clock, registry));
  audit->own_database_ = std::move(database);
  return audit;
}

ServerAudit::~ServerAudit() {
  pruner_.reset();  // before the log it prunes
  service_.reset();
  log_.reset();  // writes what is queued
  own_database_.reset();
}

}  // namespace jit::audit
