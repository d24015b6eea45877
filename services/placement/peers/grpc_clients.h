// The placement domain's peer clients (domain/peers.h) over gRPC: the
// training-progress service (GetTraineeExit) and the enrollment service
// (LookupTrainee). Each call carries a deadline and the caller's
// traceparent, retries UNAVAILABLE only with backoff, and fails with a status
// naming the peer (retry.h). The clients take the generated StubInterface so
// tests can pass fakes; Connect() builds the real channel.
//
//   PeerOptions progress;
//   progress.name = "training-progress";
//   progress.address = "127.0.0.1:50052";
//   auto client = GrpcProgressClient::Connect(progress);
//   absl::StatusOr<ProgressExit> exit = client->GetTraineeExit("trn_...", tp);
//
// Thread-safe (gRPC stubs are).
#ifndef JIT_SERVICES_PLACEMENT_PEERS_GRPC_CLIENTS_H_
#define JIT_SERVICES_PLACEMENT_PEERS_GRPC_CLIENTS_H_

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "jobintech/enrollment/v1/enrollment_service.grpc.pb.h"
#include "jobintech/progress/v1/training_progress_service.grpc.pb.h"
#include "services/placement/domain/peers.h"
#include "services/placement/peers/retry.h"

namespace jit::placement::peers {

// Answers of the peers as domain values (no I/O; unit-tested).
absl::StatusOr<ProgressExit> FromProto(
    const ::jobintech::progress::v1::GetTraineeExitResponse& response);
absl::StatusOr<EnrollmentRecord> FromProto(
    const ::jobintech::enrollment::v1::LookupTraineeResponse& response);
Dimensions FromProto(const ::jobintech::common::v1::TraineeDimensions& d);

class GrpcProgressClient final : public ProgressClient {
 public:
  using Stub =
      ::jobintech::progress::v1::TrainingProgressService::StubInterface;

  GrpcProgressClient(std::unique_ptr<Stub> stub, PeerOptions options);
  // A channel to options.address with options.credentials (connects lazily).
  static std::unique_ptr<GrpcProgressClient> Connect(PeerOptions options);

  absl::StatusOr<ProgressExit> GetTraineeExit(
      const std::string& trainee_id, const command::PeerContext& peer) override;

 private:
  const std::unique_ptr<Stub> stub_;
  const PeerOptions options_;
};

class GrpcEnrollmentClient final : public EnrollmentClient {
 public:
  using Stub = ::jobintech::enrollment::v1::EnrollmentService::StubInterface;

  GrpcEnrollmentClient(std::unique_ptr<Stub> stub, PeerOptions options);
  static std::unique_ptr<GrpcEnrollmentClient> Connect(PeerOptions options);

  absl::StatusOr<EnrollmentRecord> LookupTrainee(
      const std::string& trainee_id, const command::PeerContext& peer) override;

 private:
  const std::unique_ptr<Stub> stub_;
  const PeerOptions options_;
};

}  // namespace jit::placement::peers

#endif  // JIT_SERVICES_PLACEMENT_PEERS_GRPC_CLIENTS_H_
