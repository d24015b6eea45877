// The gRPC adapter of the enrollment service: maps requests to domain calls
// and results back, absl::Status to grpc::Status (with field violations as
// google.rpc.BadRequest details). No business rule lives here.
//
// Callback API (the fastest here, see STACK.md): each handler checks access
// on gRPC's thread and hands the domain call (SQLite commits with fsync) to
// the service's bounded executor (libs/executor), whose worker finishes the
// default reactor.
//
// Thread-safe: handlers run concurrently; the domain service serializes
// writes through its repository.
#ifndef JIT_SERVICES_ENROLLMENT_API_ENROLLMENT_GRPC_SERVICE_H_
#define JIT_SERVICES_ENROLLMENT_API_ENROLLMENT_GRPC_SERVICE_H_

#include "jobintech/enrollment/v1/enrollment_service.grpc.pb.h"
#include "libs/executor/bounded_executor.h"
#include "services/enrollment/domain/enrollment_service.h"

namespace jit::enrollment::api {

class EnrollmentGrpcService final
    : public ::jobintech::enrollment::v1::EnrollmentService::CallbackService {
 public:
  // `service` (and `executor`, when given) must outlive this adapter. With
  // an executor every handler's work runs there (grpcserver::Respond: a
  // full executor answers RESOURCE_EXHAUSTED at once); without one, inline.
  explicit EnrollmentGrpcService(EnrollmentService* service,
                                 executor::BoundedExecutor* executor = nullptr)
      : service_(service), executor_(executor) {}

#define JIT_ENROLLMENT_RPC(Name)                                        \
  grpc::ServerUnaryReactor* Name(                                       \
      grpc::CallbackServerContext* context,                             \
      const ::jobintech::enrollment::v1::Name##Request* request,        \
      ::jobintech::enrollment::v1::Name##Response* response) override;

  JIT_ENROLLMENT_RPC(GetProgramme)
  JIT_ENROLLMENT_RPC(UpdateProgramme)
  JIT_ENROLLMENT_RPC(CreateTrack)
  JIT_ENROLLMENT_RPC(ListTracks)
  JIT_ENROLLMENT_RPC(CreateCentre)
  JIT_ENROLLMENT_RPC(GetCentre)
  JIT_ENROLLMENT_RPC(ListCentres)
  JIT_ENROLLMENT_RPC(CreateCohort)
  JIT_ENROLLMENT_RPC(GetCohort)
  JIT_ENROLLMENT_RPC(ListCohorts)
  JIT_ENROLLMENT_RPC(UpdateCohort)
  JIT_ENROLLMENT_RPC(SubmitApplication)
  JIT_ENROLLMENT_RPC(GetApplication)
  JIT_ENROLLMENT_RPC(ListApplications)
  JIT_ENROLLMENT_RPC(AdmitApplication)
  JIT_ENROLLMENT_RPC(WaitlistApplication)
  JIT_ENROLLMENT_RPC(RejectApplication)
  JIT_ENROLLMENT_RPC(ConfirmEnrolment)
  JIT_ENROLLMENT_RPC(DeclineAdmission)
  JIT_ENROLLMENT_RPC(WithdrawEnrolment)
  JIT_ENROLLMENT_RPC(AdmitFromWaitlist)
  JIT_ENROLLMENT_RPC(LookupTrainee)
  JIT_ENROLLMENT_RPC(EraseCandidate)
  JIT_ENROLLMENT_RPC(UpdateCandidateContact)
#undef JIT_ENROLLMENT_RPC

 private:
  EnrollmentService* const service_;
  executor::BoundedExecutor* const executor_;
};

}  // namespace jit::enrollment::api

#endif  // JIT_SERVICES_ENROLLMENT_API_ENROLLMENT_GRPC_SERVICE_H_
