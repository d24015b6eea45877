#include "services/enrollment/api/enrollment_grpc_service.h"

#include <string>

#include "libs/access/interceptor.h"
#include "libs/grpcserver/command_context.h"
#include "libs/grpcserver/unary.h"
#include "libs/status/field_violations.h"
#include "libs/status/grpc_status.h"
#include "libs/status/status_macros.h"
#include "services/enrollment/api/mapping.h"

namespace jit::enrollment::api {
namespace {

using grpcserver::CommandContextOf;
using grpcserver::Respond;

using grpcserver::RequireId;

}  // namespace

namespace pb = ::jobintech::enrollment::v1;

grpc::ServerUnaryReactor* EnrollmentGrpcService::GetProgramme(
    grpc::CallbackServerContext* context, const pb::GetProgrammeRequest*,
    pb::GetProgrammeResponse* response) {
  return Respond(executor_, context, [=, this]() -> absl::Status {
    ASSIGN_OR_RETURN(Programme p, service_->GetProgramme());
    ToProto(p, response->mutable_programme());
    return absl::OkStatus();
  });
}

grpc::ServerUnaryReactor* EnrollmentGrpcService::UpdateProgramme(
    grpc::CallbackServerContext* context,
    const pb::UpdateProgrammeRequest* request,
    pb::UpdateProgrammeResponse* response) {
  return Respond(executor_, context, [=, this]() -> absl::Status {
    std::optional<int32_t> target;
    if (request->national_target() != 0) target = request->national_target();
    std::optional<std::string> name;
    if (!request->name().empty()) name = request->name();
    if (!target && !name) {
      return status::InvalidField("national_target",
                                  "nothing to update: set national_target or name");
    }
    ASSIGN_OR_RETURN(Programme p,
                     service_->UpdateProgramme(
                         CommandContextOf(*context, *request), target, name));
    ToProto(p, response->mutable_programme());
    return absl::OkStatus();
  });
}

grpc::ServerUnaryReactor* EnrollmentGrpcService::CreateTrack(
    grpc::CallbackServerContext* context, const pb::CreateTrackRequest* request,
    pb::CreateTrackResponse* response) {
  return Respond(executor_, context, [=, this]() -> absl::Status {
    Track t;
    t.track_id = request->track().track_id();
    t.name_fr = request->track().name_fr();
    t.name_ar = request->track().name_ar();
    ASSIGN_OR_RETURN(Track created,
                     service_->CreateTrack(CommandContextOf(*context, *request), t));
    ToProto(created, response->mutable_track());
    return absl::OkStatus();
  });
}

grpc::ServerUnaryReactor* EnrollmentGrpcService::ListTracks(
    grpc::CallbackServerContext* context, const pb::ListTracksRequest*,
    pb::ListTracksResponse* response) {
  return Respond(executor_, context, [=, this]() -> absl::Status {
    ASSIGN_OR_RETURN(std::vector<Track> tracks, service_->ListTracks());
    for (const Track& t : tracks) ToProto(t, response->add_tracks());
    return absl::OkStatus();
  });
}

grpc::ServerUnaryReactor* EnrollmentGrpcService::CreateCentre(
    grpc::CallbackServerContext* context, const pb::CreateCentreRequest* request,
    pb::CreateCentreResponse* response) {
  return Respond(executor_, context, [=, this]() -> absl::Status {
    NewCentre c{request->name(), request->operator_name(), request->province_code()};
    ASSIGN_OR_RETURN(Centre created,
                     service_->CreateCentre(CommandContextOf(*context, *request), c));
    ToProto(created, response->mutable_centre());
    return absl::OkStatus();
  });
}

grpc::ServerUnaryReactor* EnrollmentGrpcService::GetCentre(
    grpc::CallbackServerContext* context, const pb::GetCentreRequest* request,
    pb::GetCentreResponse* response) {
  return Respond(executor_, context, [=, this]() -> absl::Status {
    RETURN_IF_ERROR(RequireId("centre_id", request->centre_id()));
    ASSIGN_OR_RETURN(Centre c, service_->GetCentre(request->centre_id()));
    ToProto(c, response->mutable_centre());
    return absl::OkStatus();
  });
}

grpc::ServerUnaryReactor* EnrollmentGrpcService::ListCentres(
    grpc::CallbackServerContext* context, const pb::ListCentresRequest* request,
    pb::ListCentresResponse* response) {
  return Respond(executor_, context, [=, this]() -> absl::Status {
    ASSIGN_OR_RETURN(PageQuery page, FromProto(request->page()));
    CentreFilter filter{request->region_code(), request->province_code()};
    ASSIGN_OR_RETURN(Page<Centre> result, service_->ListCentres(filter, page));
    for (const Centre& c : result.items) ToProto(c, response->add_centres());
    response->mutable_page()->set_next_page_token(
        EncodePageToken(result.next_after_key));
    return absl::OkStatus();
  });
}

grpc::ServerUnaryReactor* EnrollmentGrpcService::CreateCohort(
    grpc::CallbackServerContext* context, const pb::CreateCohortRequest* request,
    pb::CreateCohortResponse* response) {
  return Respond(executor_, context, [=, this]() -> absl::Status {
    status::FieldViolations v;
    NewCohort c;
    c.name = request->name();
    c.track_id = request->track_id();
    c.centre_id = request->centre_id();
    c.capacity = request->capacity();
    c.start_date = FromProtoDate(request->start_date(), "start_date", v);
    c.end_date = FromProtoDate(request->end_date(), "end_date", v);
    c.status = FromProto(request->status(), "status", v);
    RETURN_IF_ERROR(v.ToStatus());
    ASSIGN_OR_RETURN(CohortView created,
                     service_->CreateCohort(CommandContextOf(*context, *request), c));
    ToProto(created, response->mutable_cohort());
    return absl::OkStatus();
  });
}

grpc::ServerUnaryReactor* EnrollmentGrpcService::GetCohort(
    grpc::CallbackServerContext* context, const pb::GetCohortRequest* request,
    pb::GetCohortResponse* response) {
  return Respond(executor_, context, [=, this]() -> absl::Status {
    RETURN_IF_ERROR(RequireId("cohort_id", request->cohort_id()));
    ASSIGN_OR_RETURN(CohortView c, service_->GetCohort(request->cohort_id()));
    ToProto(c, response->mutable_cohort());
    return absl::OkStatus();
  });
}

grpc::ServerUnaryReactor* EnrollmentGrpcService::ListCohorts(
    grpc::CallbackServerContext* context, const pb::ListCohortsRequest* request,
    pb::ListCohortsResponse* response) {
  return Respond(executor_, context, [=, this]() -> absl::Status {
    status::FieldViolations v;
    CohortFilter filter;
    filter.track_id = request->track_id();
    filter.centre_id = request->centre_id();
    filter.region_code = request->region_code();
    filter.province_code = request->province_code();
    filter.status = FromProto(request->status(), "status", v);
    RETURN_IF_ERROR(v.ToStatus());
    ASSIGN_OR_RETURN(PageQuery page, FromProto(request->page()));
    ASSIGN_OR_RETURN(Page<CohortView> result, service_->ListCohorts(filter, page));
    for (const CohortView& c : result.items) ToProto(c, response->add_cohorts());
    response->mutable_page()->set_next_page_token(
        EncodePageToken(result.next_after_key));
    return absl::OkStatus();
  });
}

grpc::ServerUnaryReactor* EnrollmentGrpcService::UpdateCohort(
    grpc::CallbackServerContext* context, const pb::UpdateCohortRequest* request,
    pb::UpdateCohortResponse* response) {
  return Respond(executor_, context, [=, this]() -> absl::Status {
    RETURN_IF_ERROR(RequireId("cohort_id", request->cohort_id()));
    status::FieldViolations v;
    CohortUpdate update;
    if (request->has_capacity()) update.capacity = request->capacity();
    update.status = FromProto(request->status(), "status", v);
    RETURN_IF_ERROR(v.ToStatus());
    if (!update.capacity && !update.status) {
      return status::InvalidField("capacity",
                                  "nothing to update: set capacity or status");
    }
    ASSIGN_OR_RETURN(CohortView c,
                     service_->UpdateCohort(CommandContextOf(*context, *request),
                                            request->cohort_id(), update));
    ToProto(c, response->mutable_cohort());
    return absl::OkStatus();
  });
}

grpc::ServerUnaryReactor* EnrollmentGrpcService::SubmitApplication(
    grpc::CallbackServerContext* context,
    const pb::SubmitApplicationRequest* request,
    pb::SubmitApplicationResponse* response) {
  return Respond(executor_, context, [=, this]() -> absl::Status {
    status::FieldViolations v;
    NewApplication a;
    a.cohort_id = request->cohort_id();
    const pb::Candidate& c = request->candidate();
    a.candidate.given_name = c.given_name();
    a.candidate.family_name = c.family_name();
    a.candidate.national_id = c.national_id();
    a.candidate.birth_date = FromProtoDate(c.birth_date(), "candidate.birth_date", v);
    a.candidate.phone = c.phone();
    a.candidate.email = c.email();
    a.gender = request->gender();
    a.education_level = request->education_level();
    a.residence_province_code = request->residence_province_code();
    RETURN_IF_ERROR(v.ToStatus());
    ASSIGN_OR_RETURN(ApplicationView view,
                     service_->SubmitApplication(
                         CommandContextOf(*context, *request), a));
    ToProto(view, response->mutable_application());
    return absl::OkStatus();
  });
}

grpc::ServerUnaryReactor* EnrollmentGrpcService::GetApplication(
    grpc::CallbackServerContext* context,
    const pb::GetApplicationRequest* request,
    pb::GetApplicationResponse* response) {
  return Respond(executor_, context, [=, this]() -> absl::Status {
    RETURN_IF_ERROR(RequireId("application_id", request->application_id()));
    ASSIGN_OR_RETURN(ApplicationView view,
                     service_->GetApplication(request->application_id(),
                                              access::ScopeOfCall(*context)));
    ToProto(view, response->mutable_application());
    return absl::OkStatus();
  });
}

grpc::ServerUnaryReactor* EnrollmentGrpcService::ListApplications(
    grpc::CallbackServerContext* context,
    const pb::ListApplicationsRequest* request,
    pb::ListApplicationsResponse* response) {
  return Respond(executor_, context, [=, this]() -> absl::Status {
    status::FieldViolations v;
    ApplicationFilter filter;
    filter.cohort_id = request->cohort_id();
    filter.status = FromProto(request->status(), "status", v);
    filter.region_code = request->region_code();
    filter.province_code = request->province_code();
    filter.scope = access::ScopeOfCall(*context);
    RETURN_IF_ERROR(v.ToStatus());
    ASSIGN_OR_RETURN(PageQuery page, FromProto(request->page()));
    ASSIGN_OR_RETURN(Page<ApplicationView> result,
                     service_->ListApplications(filter, page));
    for (const ApplicationView& a : result.items) {
      ToProto(a, response->add_applications());
    }
    response->mutable_page()->set_next_page_token(
        EncodePageToken(result.next_after_key));
    return absl::OkStatus();
  });
}

// The six transitions share one shape: validate the id, call the domain,
// return the application.
#define JIT_TRANSITION_RPC(Name, call)                                      \
  grpc::ServerUnaryReactor* EnrollmentGrpcService::Name(                    \
      grpc::CallbackServerContext* context,                                 \
      const pb::Name##Request* request, pb::Name##Response* response) {     \
    return Respond(executor_, context, [=, this]() -> absl::Status {        \
      RETURN_IF_ERROR(RequireId("application_id", request->application_id())); \
      const RequestContext ctx = CommandContextOf(*context, *request); \
      ASSIGN_OR_RETURN(ApplicationView view, call);                         \
      ToProto(view, response->mutable_application());                       \
      return absl::OkStatus();                                              \
    });                                                                     \
  }

JIT_TRANSITION_RPC(AdmitApplication,
                   service_->Admit(ctx, request->application_id()))
JIT_TRANSITION_RPC(WaitlistApplication,
                   service_->Waitlist(ctx, request->application_id()))
JIT_TRANSITION_RPC(RejectApplication,
                   service_->Reject(ctx, request->application_id(),
                                    request->reason_code(), request->reason()))
JIT_TRANSITION_RPC(ConfirmEnrolment,
                   service_->ConfirmEnrolment(ctx, request->application_id()))
JIT_TRANSITION_RPC(DeclineAdmission,
                   service_->DeclineAdmission(ctx, request->application_id(),
                                    request->reason_code(), request->reason()))
JIT_TRANSITION_RPC(WithdrawEnrolment,
                   service_->WithdrawEnrolment(ctx, request->application_id(),
                                    request->reason_code(), request->reason()))
#undef JIT_TRANSITION_RPC

grpc::ServerUnaryReactor* EnrollmentGrpcService::AdmitFromWaitlist(
    grpc::CallbackServerContext* context,
    const pb::AdmitFromWaitlistRequest* request,
    pb::AdmitFromWaitlistResponse* response) {
  return Respond(executor_, context, [=, this]() -> absl::Status {
    RETURN_IF_ERROR(RequireId("cohort_id", request->cohort_id()));
    ASSIGN_OR_RETURN(ApplicationView view,
                     service_->AdmitFromWaitlist(
                         CommandContextOf(*context, *request),
                         request->cohort_id()));
    ToProto(view, response->mutable_application());
    return absl::OkStatus();
  });
}

grpc::ServerUnaryReactor* EnrollmentGrpcService::LookupTrainee(
    grpc::CallbackServerContext* context,
    const pb::LookupTraineeRequest* request,
    pb::LookupTraineeResponse* response) {
  return Respond(executor_, context, [=, this]() -> absl::Status {
    RETURN_IF_ERROR(RequireId("trainee_id", request->trainee_id()));
    ASSIGN_OR_RETURN(TraineeRecord record,
                     service_->LookupTrainee(request->trainee_id(),
                                             request->cohort_id(),
                                             access::ScopeOfCall(*context)));
    ToProto(record, response);
    return absl::OkStatus();
  });
}

grpc::ServerUnaryReactor* EnrollmentGrpcService::EraseCandidate(
    grpc::CallbackServerContext* context,
    const pb::EraseCandidateRequest* request,
    pb::EraseCandidateResponse* response) {
  return Respond(executor_, context, [=, this]() -> absl::Status {
    RETURN_IF_ERROR(RequireId("trainee_id", request->trainee_id()));
    ASSIGN_OR_RETURN(EraseResult result,
                     service_->EraseCandidate(
                         CommandContextOf(*context, *request),
                         request->trainee_id()));
    *response->mutable_erase_time() = ToProtoTime(result.erase_time);
    return absl::OkStatus();
  });
}

grpc::ServerUnaryReactor* EnrollmentGrpcService::UpdateCandidateContact(
    grpc::CallbackServerContext* context,
    const pb::UpdateCandidateContactRequest* request,
    pb::UpdateCandidateContactResponse* response) {
  return Respond(context, [&]() -> absl::Status {
    RETURN_IF_ERROR(RequireId("trainee_id", request->trainee_id()));
    ASSIGN_OR_RETURN(CandidateView view,
                     service_->UpdateCandidateContact(
                         CommandContextOf(*context, *request),
                         request->trainee_id(),
                         {.phone = request->phone(), .email = request->email()}));
    ToProto(view, response);
    return absl::OkStatus();
  });
}

}  // namespace jit::enrollment::api
