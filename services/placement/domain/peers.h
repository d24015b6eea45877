// What the placement domain asks of other services, as interfaces: the
// training-progress service (has this trainee exited, how and when, and the
// trainee's dimensions) and the enrollment service (a trainee's enrolment,
// for trainees the training-progress service has no record of).
//
// Implementations over gRPC live in services/placement/peers (deadline per
// call, retry of UNAVAILABLE only, with backoff); tests pass fakes
// (domain/testing/fake_peers.h).
//
// Errors the domain relies on: NOT_FOUND when the peer has no record of the
// trainee; UNAVAILABLE (message naming the peer) when the peer cannot be
// asked; anything else is a peer failure reported as is.
#ifndef JIT_SERVICES_PLACEMENT_DOMAIN_PEERS_H_
#define JIT_SERVICES_PLACEMENT_DOMAIN_PEERS_H_

#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "absl/time/civil_time.h"
#include "libs/command/request.h"
#include "services/placement/domain/model.h"

namespace jit::placement {

// The answer of jobintech.progress.v1 GetTraineeExit.
struct ProgressExit {
  std::string trainee_id;
  std::string cohort_id;
  bool exited = false;
  ExitKind kind = ::jobintech::events::v1::EXIT_KIND_UNSPECIFIED;
  std::optional<absl::CivilDay> exit_date;
  // The training state's short name ("ACTIVE", "COMPLETED", ...), for
  // messages.
  std::string training_state;
  Dimensions dimensions;
};

class ProgressClient {
 public:
  virtual ~ProgressClient() = default;
  // `peer`'s traceparent (may be empty) is forwarded to the peer, and its
  // deadline bounds the call (DEADLINE_EXCEEDED, no call made, once passed).
  virtual absl::StatusOr<ProgressExit> GetTraineeExit(
      const std::string& trainee_id, const command::PeerContext& peer) = 0;
};

// The answer of jobintech.enrollment.v1 LookupTrainee (no personal data).
struct EnrollmentRecord {
  std::string trainee_id;
  std::string cohort_id;
  // The application status's short name ("ENROLLED", "WITHDRAWN", ...).
  std::string status;
  // The day the status last changed (e.g. the withdrawal date).
  std::optional<absl::CivilDay> status_date;
  Dimensions dimensions;

  bool withdrawn() const { return status == "WITHDRAWN"; }
};

class EnrollmentClient {
 public:
  virtual ~EnrollmentClient() = default;
  // As GetTraineeExit for `peer`.
  virtual absl::StatusOr<EnrollmentRecord> LookupTrainee(
      const std::string& trainee_id, const command::PeerContext& peer) = 0;
};

}  // namespace jit::placement

#endif  // JIT_SERVICES_PLACEMENT_DOMAIN_PEERS_H_
