// The training-progress service's idempotency snapshots as stored in
// idempotency_requests.response (libs/storage/snapshot_codec.h framing).
#ifndef JIT_SERVICES_TRAINING_PROGRESS_STORAGE_SNAPSHOT_CODEC_H_
#define JIT_SERVICES_TRAINING_PROGRESS_STORAGE_SNAPSHOT_CODEC_H_

#include <string>

#include "absl/status/statusor.h"
#include "services/training-progress/domain/repository.h"

namespace jit::progress {

// Idempotency snapshots as stored in idempotency_requests.response: JSON
// {"type": "<Curriculum|AttendanceOutcome|AssessmentOutcome|DropOutOutcome|
// CertificateOutcome>", "value": {...}} with times as Unix microseconds and
// days as "YYYY-MM-DD" (null when unset). Exposed for tests and tools;
// DATA_LOSS for a document that does not parse.
std::string SnapshotToJson(const ResponseSnapshot& snapshot);
absl::StatusOr<ResponseSnapshot> SnapshotFromJson(const std::string& json);

}  // namespace jit::progress

#endif  // JIT_SERVICES_TRAINING_PROGRESS_STORAGE_SNAPSHOT_CODEC_H_
