// The gRPC adapter of the training-progress service: maps requests to
// domain calls and results back, absl::Status to grpc::Status (with field
// violations as google.rpc.BadRequest details). No business rule lives here.
//
// Callback API: each handler checks access on gRPC's thread and hands the
// domain call (including its lookups in the enrollment service, which carry
// their own deadlines) to the service's bounded executor (libs/executor),
// whose worker finishes the default reactor.
//
// Thread-safe: handlers run concurrently; the domain service serializes
// writes through its repository.
#ifndef JIT_SERVICES_TRAINING_PROGRESS_API_PROGRESS_GRPC_SERVICE_H_
#define JIT_SERVICES_TRAINING_PROGRESS_API_PROGRESS_GRPC_SERVICE_H_

#include "jobintech/progress/v1/training_progress_service.grpc.pb.h"
#include "libs/executor/bounded_executor.h"
#include "services/training-progress/domain/progress_service.h"

namespace jit::progress::api {

class ProgressGrpcService final : public ::jobintech::progress::v1::
                                      TrainingProgressService::CallbackService {
 public:
  // `service` (and `executor`, when given) must outlive this adapter. With
  // an executor every handler's work runs there (grpcserver::Respond: a
  // full executor answers RESOURCE_EXHAUSTED at once); without one, inline.
  explicit ProgressGrpcService(ProgressService* service,
                               executor::BoundedExecutor* executor = nullptr)
      : service_(service), executor_(executor) {}

#define JIT_PROGRESS_RPC(Name)                                 \
  grpc::ServerUnaryReactor* Name(                              \
      grpc::CallbackServerContext* context,                    \
      const ::jobintech::progress::v1::Name##Request* request, \
      ::jobintech::progress::v1::Name##Response* response) override;

  JIT_PROGRESS_RPC(PublishCurriculum)
  JIT_PROGRESS_RPC(GetCurriculum)
  JIT_PROGRESS_RPC(RecordAttendance)
  JIT_PROGRESS_RPC(RecordAssessment)
  JIT_PROGRESS_RPC(RecordDropOut)
  JIT_PROGRESS_RPC(IssueCertificate)
  JIT_PROGRESS_RPC(RevokeCertificate)
  JIT_PROGRESS_RPC(GetTraineeProgress)
  JIT_PROGRESS_RPC(ListCohortProgress)
  JIT_PROGRESS_RPC(GetTraineeExit)
  JIT_PROGRESS_RPC(EraseTraineeNotes)
#undef JIT_PROGRESS_RPC

 private:
  ProgressService* const service_;
  executor::BoundedExecutor* const executor_;
};

}  // namespace jit::progress::api

#endif  // JIT_SERVICES_TRAINING_PROGRESS_API_PROGRESS_GRPC_SERVICE_H_
