// The gRPC adapter of the placement service: maps requests to domain calls
// and results back, absl::Status to grpc::Status (with field violations as
// google.rpc.BadRequest details). No business rule lives here.
//
// Callback API: each handler checks access on gRPC's thread and hands the
// domain call to the service's bounded executor (libs/executor), whose worker
// finishes the default reactor. A call that asks a peer blocks its worker for
// at most the peer deadline times the attempts (never past the caller's
// deadline).
//
// Thread-safe: handlers run concurrently; the domain service serializes
// writes through its repository.
#ifndef JIT_SERVICES_PLACEMENT_API_PLACEMENT_GRPC_SERVICE_H_
#define JIT_SERVICES_PLACEMENT_API_PLACEMENT_GRPC_SERVICE_H_

#include "jobintech/placement/v1/placement_service.grpc.pb.h"
#include "libs/executor/bounded_executor.h"
#include "services/placement/domain/placement_service.h"

namespace jit::placement::api {

class PlacementGrpcService final
    : public ::jobintech::placement::v1::PlacementService::CallbackService {
 public:
  // `service` (and `executor`, when given) must outlive this adapter. With
  // an executor every handler's work runs there (grpcserver::Respond: a
  // full executor answers RESOURCE_EXHAUSTED at once); without one, inline.
  explicit PlacementGrpcService(PlacementService* service,
                                executor::BoundedExecutor* executor = nullptr)
      : service_(service), executor_(executor) {}

#define JIT_PLACEMENT_RPC(Name)                                 \
  grpc::ServerUnaryReactor* Name(                               \
      grpc::CallbackServerContext* context,                     \
      const ::jobintech::placement::v1::Name##Request* request, \
      ::jobintech::placement::v1::Name##Response* response) override;

  JIT_PLACEMENT_RPC(RegisterEmployer)
  JIT_PLACEMENT_RPC(GetEmployer)
  JIT_PLACEMENT_RPC(ListEmployers)
  JIT_PLACEMENT_RPC(SetEmployerPartner)
  JIT_PLACEMENT_RPC(PostJobOffer)
  JIT_PLACEMENT_RPC(CloseJobOffer)
  JIT_PLACEMENT_RPC(GetJobOffer)
  JIT_PLACEMENT_RPC(ListJobOffers)
  JIT_PLACEMENT_RPC(StartJobSearch)
  JIT_PLACEMENT_RPC(RecordOffer)
  JIT_PLACEMENT_RPC(RecordPlacement)
  JIT_PLACEMENT_RPC(VerifyPlacement)
  JIT_PLACEMENT_RPC(EndPlacement)
  JIT_PLACEMENT_RPC(GetPlacement)
  JIT_PLACEMENT_RPC(ListPlacements)
  JIT_PLACEMENT_RPC(GetTraineePlacement)
  JIT_PLACEMENT_RPC(ListDueFollowUps)
  JIT_PLACEMENT_RPC(RecordFollowUp)
  JIT_PLACEMENT_RPC(EraseTraineeNotes)
#undef JIT_PLACEMENT_RPC

 private:
  PlacementService* const service_;
  executor::BoundedExecutor* const executor_;
};

}  // namespace jit::placement::api

#endif  // JIT_SERVICES_PLACEMENT_API_PLACEMENT_GRPC_SERVICE_H_
