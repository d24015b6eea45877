// The EnrollmentClient of the training-progress service over gRPC: asks the
// enrollment service's LookupTrainee RPC whether a trainee is enrolled in a
// cohort.
//
//   GrpcEnrollmentClient client(
//       EnrollmentService::NewStub(EnrollmentChannel(address)),
//       {.deadline = absl::Seconds(2)});
//   ProgressService service(&repo, &client, &clock);
//
// Calls go through libs/grpcclient: every attempt carries its own deadline.
// Only UNAVAILABLE is retried, up to `max_attempts` in all, after an
// exponential backoff (initial_backoff, times backoff_multiplier per retry,
// capped at max_backoff, with +-jitter).
// Results:
// - OK: the enrolment (any application status; the domain decides);
// - NOT_FOUND: the enrollment service knows no such trainee or no
//   application of the trainee to the cohort (not retried);
// - UNAVAILABLE "enrollment service unavailable: ...": retries exhausted, an
//   attempt's deadline passed (not retried: the service is too slow to
//   wait for), or any other failure of the peer;
// - INTERNAL: the peer refused our request (INVALID_ARGUMENT) or answered
//   something unusable (no status, an impossible date).
//
// Thread-safe (gRPC stubs are).
#ifndef JIT_SERVICES_TRAINING_PROGRESS_PEERS_GRPC_ENROLLMENT_CLIENT_H_
#define JIT_SERVICES_TRAINING_PROGRESS_PEERS_GRPC_ENROLLMENT_CLIENT_H_

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "grpcpp/channel.h"
#include "grpcpp/security/credentials.h"
#include "jobintech/enrollment/v1/enrollment_service.grpc.pb.h"
#include "libs/grpcclient/call.h"
#include "services/training-progress/domain/enrollment_client.h"

namespace jit::progress {

struct EnrollmentClientOptions {
  // Deadline of each attempt.
  absl::Duration deadline = absl::Seconds(2);
  // Attempts in all (1 = no retry), UNAVAILABLE only.
  int max_attempts = 3;
  absl::Duration initial_backoff = absl::Milliseconds(100);
  absl::Duration max_backoff = absl::Seconds(1);
  double backoff_multiplier = 2.0;
  // Each backoff is scaled by a random factor in [1 - jitter, 1 + jitter].
  double jitter = 0.2;
  // Waits between attempts; real sleeps when null (tests record). Not owned.
  grpcclient::Sleeper* sleeper = nullptr;
};

// The channel to the enrollment service. Reconnection backs off from 100 ms
// to 2 s (gRPC's default grows to 2 minutes), so that the service is usable
// again within seconds of the enrollment service coming back.
// `credentials`: mutual TLS (service::Security's peer_credentials); null is
// plaintext, for single-process tests only.
std::shared_ptr<grpc::Channel> EnrollmentChannel(
    const std::string& address,
    std::shared_ptr<grpc::ChannelCredentials> credentials);

class GrpcEnrollmentClient final : public EnrollmentClient {
 public:
  GrpcEnrollmentClient(
      std::shared_ptr<
          ::jobintech::enrollment::v1::EnrollmentService::StubInterface>
          stub,
      EnrollmentClientOptions options = {});

  absl::StatusOr<TraineeEnrolment> Lookup(
      const std::string& trainee_id, const std::string& cohort_id,
      const command::PeerContext& peer) override;

  // The backoff before retry number `retry` (1-based), without jitter.
  absl::Duration BackoffBefore(int retry) const;

 private:
  const std::shared_ptr<
      ::jobintech::enrollment::v1::EnrollmentService::StubInterface>
      stub_;
  const EnrollmentClientOptions options_;
  const grpcclient::CallOptions call_options_;
};

// The domain's enrolment from a lookup response. INTERNAL for a response
// without status or with an impossible date.
absl::StatusOr<TraineeEnrolment> FromLookupResponse(
    const ::jobintech::enrollment::v1::LookupTraineeResponse& response);

}  // namespace jit::progress

#endif  // JIT_SERVICES_TRAINING_PROGRESS_PEERS_GRPC_ENROLLMENT_CLIENT_H_
