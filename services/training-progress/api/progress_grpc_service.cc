#include "services/training-progress/api/progress_grpc_service.h"

#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "libs/access/interceptor.h"
#include "libs/grpcserver/command_context.h"
#include "libs/grpcserver/unary.h"
#include "libs/status/field_violations.h"
#include "libs/status/grpc_status.h"
#include "libs/status/status_macros.h"
#include "services/training-progress/api/mapping.h"

namespace jit::progress::api {
namespace {

using grpcserver::CommandContextOf;
using grpcserver::Respond;

}  // namespace

grpc::ServerUnaryReactor* ProgressGrpcService::PublishCurriculum(
    grpc::CallbackServerContext* context,
    const pb::PublishCurriculumRequest* request,
    pb::PublishCurriculumResponse* response) {
  return Respond(executor_, context, [=, this]() -> absl::Status {
    std::vector<Module> modules;
    modules.reserve(request->modules_size());
    for (const pb::Module& m : request->modules())
      modules.push_back(FromProto(m));
    ASSIGN_OR_RETURN(
        Curriculum c,
        service_->PublishCurriculum(CommandContextOf(*context, *request),
                                    request->track_id(), std::move(modules)));
    ToProto(c, response->mutable_curriculum());
    return absl::OkStatus();
  });
}

grpc::ServerUnaryReactor* ProgressGrpcService::GetCurriculum(
    grpc::CallbackServerContext* context,
    const pb::GetCurriculumRequest* request,
    pb::GetCurriculumResponse* response) {
  return Respond(executor_, context, [=, this]() -> absl::Status {
    ASSIGN_OR_RETURN(Curriculum c, service_->GetCurriculum(request->track_id(),
                                                           request->version()));
    ToProto(c, response->mutable_curriculum());
    return absl::OkStatus();
  });
}

grpc::ServerUnaryReactor* ProgressGrpcService::RecordAttendance(
    grpc::CallbackServerContext* context,
    const pb::RecordAttendanceRequest* request,
    pb::RecordAttendanceResponse* response) {
  return Respond(executor_, context, [=, this]() -> absl::Status {
    status::FieldViolations v;
    AttendanceInput in;
    in.cohort_id = request->cohort_id();
    in.module_id = request->module_id();
    in.session_date = FromProtoDate(request->session_date(), "session_date", v);
    RETURN_IF_ERROR(v.ToStatus());
    in.entries.reserve(request->entries_size());
    for (const pb::AttendanceEntry& e : request->entries()) {
      in.entries.push_back(AttendanceEntry{.trainee_id = e.trainee_id(),
                                           .mark = FromProto(e.mark())});
    }
    ASSIGN_OR_RETURN(
        AttendanceOutcome out,
        service_->RecordAttendance(CommandContextOf(*context, *request), in));
    for (const TraineeProgress& p : out.progress)
      ToProto(p, response->add_progress());
    return absl::OkStatus();
  });
}

grpc::ServerUnaryReactor* ProgressGrpcService::RecordAssessment(
    grpc::CallbackServerContext* context,
    const pb::RecordAssessmentRequest* request,
    pb::RecordAssessmentResponse* response) {
  return Respond(executor_, context, [=, this]() -> absl::Status {
    status::FieldViolations v;
    AssessmentInput in;
    in.cohort_id = request->cohort_id();
    in.trainee_id = request->trainee_id();
    in.module_id = request->module_id();
    in.score = request->score();
    in.assessed_on = FromProtoDate(request->assessed_on(), "assessed_on", v);
    RETURN_IF_ERROR(v.ToStatus());
    ASSIGN_OR_RETURN(
        AssessmentOutcome out,
        service_->RecordAssessment(CommandContextOf(*context, *request), in));
    response->set_passed(out.passed);
    response->set_attempt(out.attempt);
    ToProto(out.progress, response->mutable_progress());
    return absl::OkStatus();
  });
}

grpc::ServerUnaryReactor* ProgressGrpcService::RecordDropOut(
    grpc::CallbackServerContext* context,
    const pb::RecordDropOutRequest* request,
    pb::RecordDropOutResponse* response) {
  return Respond(executor_, context, [=, this]() -> absl::Status {
    status::FieldViolations v;
    DropOutInput in;
    in.cohort_id = request->cohort_id();
    in.trainee_id = request->trainee_id();
    in.reason_code = request->reason_code();
    in.reason = request->reason();
    in.exit_date = FromProtoDate(request->exit_date(), "exit_date", v);
    RETURN_IF_ERROR(v.ToStatus());
    ASSIGN_OR_RETURN(
        DropOutOutcome out,
        service_->RecordDropOut(CommandContextOf(*context, *request), in));
    ToProto(out.progress, response->mutable_progress());
    return absl::OkStatus();
  });
}

grpc::ServerUnaryReactor* ProgressGrpcService::IssueCertificate(
    grpc::CallbackServerContext* context,
    const pb::IssueCertificateRequest* request,
    pb::IssueCertificateResponse* response) {
  return Respond(executor_, context, [=, this]() -> absl::Status {
    ASSIGN_OR_RETURN(CertificateOutcome out,
                     service_->IssueCertificate(
                         CommandContextOf(*context, *request),
                         request->cohort_id(), request->trainee_id()));
    ToProto(out.certificate, response->mutable_certificate());
    ToProto(out.progress, response->mutable_progress());
    return absl::OkStatus();
  });
}

grpc::ServerUnaryReactor* ProgressGrpcService::RevokeCertificate(
    grpc::CallbackServerContext* context,
    const pb::RevokeCertificateRequest* request,
    pb::RevokeCertificateResponse* response) {
  return Respond(executor_, context, [=, this]() -> absl::Status {
    ASSIGN_OR_RETURN(
        CertificateOutcome out,
        service_->RevokeCertificate(CommandContextOf(*context, *request),
                                    request->cohort_id(), request->trainee_id(),
                                    request->reason_code(), request->reason()));
    ToProto(out.certificate, response->mutable_certificate());
    ToProto(out.progress, response->mutable_progress());
    return absl::OkStatus();
  });
}

grpc::ServerUnaryReactor* ProgressGrpcService::GetTraineeProgress(
    grpc::CallbackServerContext* context,
    const pb::GetTraineeProgressRequest* request,
    pb::GetTraineeProgressResponse* response) {
  return Respond(executor_, context, [=, this]() -> absl::Status {
    ASSIGN_OR_RETURN(TraineeProgress p,
                     service_->GetTraineeProgress(
                         request->cohort_id(), request->trainee_id(),
                         access::ScopeOfCall(*context)));
    ToProto(p, response->mutable_progress());
    return absl::OkStatus();
  });
}

grpc::ServerUnaryReactor* ProgressGrpcService::ListCohortProgress(
    grpc::CallbackServerContext* context,
    const pb::ListCohortProgressRequest* request,
    pb::ListCohortProgressResponse* response) {
  return Respond(executor_, context, [=, this]() -> absl::Status {
    ASSIGN_OR_RETURN(PageQuery page, FromProto(request->page()));
    ASSIGN_OR_RETURN(
        CohortProgressPage out,
        service_->ListCohortProgress(request->cohort_id(), page,
                                     access::ScopeOfCall(*context)));
    for (const TraineeProgress& p : out.page.items) {
      ToProto(p, response->add_progress());
    }
    response->set_cohort_attendance_rate(out.cohort_attendance_rate);
    response->mutable_page()->set_next_page_token(
        EncodePageToken(out.page.next_after_key));
    return absl::OkStatus();
  });
}

grpc::ServerUnaryReactor* ProgressGrpcService::GetTraineeExit(
    grpc::CallbackServerContext* context,
    const pb::GetTraineeExitRequest* request,
    pb::GetTraineeExitResponse* response) {
  return Respond(executor_, context, [=, this]() -> absl::Status {
    ASSIGN_OR_RETURN(TraineeExit exit,
                     service_->GetTraineeExit(
                         request->trainee_id(), access::ScopeOfCall(*context),
                         grpcserver::PeerContextOf(*context)));
    ToProto(exit, response);
    return absl::OkStatus();
  });
}

grpc::ServerUnaryReactor* ProgressGrpcService::EraseTraineeNotes(
    grpc::CallbackServerContext* context,
    const pb::EraseTraineeNotesRequest* request,
    pb::EraseTraineeNotesResponse* response) {
  return Respond(executor_, context, [=, this]() -> absl::Status {
    ASSIGN_OR_RETURN(NotesErasure out,
                     service_->EraseTraineeNotes(
                         CommandContextOf(*context, *request),
                         request->trainee_id()));
    response->set_notes_erased(out.notes_erased);
    *response->mutable_erase_time() = protoconv::ToProtoTime(out.erase_time);
    return absl::OkStatus();
  });
}

}  // namespace jit::progress::api
