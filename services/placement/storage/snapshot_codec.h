// The placement service's idempotency snapshots as stored in
// idempotency_requests.response (libs/storage/snapshot_codec.h framing).
#ifndef JIT_SERVICES_PLACEMENT_STORAGE_SNAPSHOT_CODEC_H_
#define JIT_SERVICES_PLACEMENT_STORAGE_SNAPSHOT_CODEC_H_

#include <string>

#include "absl/status/statusor.h"
#include "services/placement/domain/repository.h"

namespace jit::placement {

// Idempotency snapshots as stored in idempotency_requests.response: JSON
// {"type": "<Employer|JobOffer|TraineeResult>", "value": {...}} with times as
// Unix microseconds and days as "YYYY-MM-DD". Exposed for tests; DATA_LOSS
// for a document that does not parse.
std::string SnapshotToJson(const ResponseSnapshot& snapshot);
absl::StatusOr<ResponseSnapshot> SnapshotFromJson(const std::string& json);

}  // namespace jit::placement

#endif  // JIT_SERVICES_PLACEMENT_STORAGE_SNAPSHOT_CODEC_H_
