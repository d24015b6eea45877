// The domain's view of the enrollment service: is this trainee enrolled in
// this cohort, and with which dimensions and cohort dates. Implemented over
// gRPC in services/training-progress/peers (deadline per call, retries of
// UNAVAILABLE with backoff); faked in domain tests.
#ifndef JIT_SERVICES_TRAINING_PROGRESS_DOMAIN_ENROLLMENT_CLIENT_H_
#define JIT_SERVICES_TRAINING_PROGRESS_DOMAIN_ENROLLMENT_CLIENT_H_

#include <string>

#include "absl/status/statusor.h"
#include "libs/command/request.h"
#include "services/training-progress/domain/model.h"

namespace jit::progress {

class EnrollmentClient {
 public:
  virtual ~EnrollmentClient() = default;

  // The trainee's latest application to the cohort, whatever its status.
  // Errors:
  // - NOT_FOUND: no such trainee, or no application of the trainee to the
  //   cohort;
  // - UNAVAILABLE: the enrollment service could not answer (down, deadline
  //   exceeded, retries exhausted); the message starts with
  //   "enrollment service unavailable: ".
  // - DEADLINE_EXCEEDED: `peer.deadline` (the caller's) had passed; no call
  //   was made.
  // `peer`'s traceparent (may be empty) is forwarded and its deadline bounds
  // the call. Thread-safe.
  virtual absl::StatusOr<TraineeEnrolment> Lookup(
      const std::string& trainee_id, const std::string& cohort_id,
      const command::PeerContext& peer) = 0;
};

}  // namespace jit::progress

#endif  // JIT_SERVICES_TRAINING_PROGRESS_DOMAIN_ENROLLMENT_CLIENT_H_
