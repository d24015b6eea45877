// The write services' idempotency flags (linked only into binaries that call
// IdempotencyConfigFromFlags()).
#include "absl/flags/flag.h"
#include "absl/time/time.h"
#include "libs/bootstrap/common_config.h"

ABSL_FLAG(absl::Duration, idempotency_retention, absl::Hours(24 * 30),
          "how long the answer to a mutating request is kept for retries with "
          "the same request_id; older records are deleted (0: kept forever)");
ABSL_FLAG(absl::Duration, idempotency_prune_interval, absl::Hours(1),
          "how often expired idempotency records are deleted");

namespace jit::bootstrap {

IdempotencyConfig IdempotencyConfigFromFlags() {
  return {.retention = absl::GetFlag(FLAGS_idempotency_retention),
          .prune_interval = absl::GetFlag(FLAGS_idempotency_prune_interval)};
}

}  // namespace jit::bootstrap
