#include "services/placement/api/placement_grpc_service.h"

#include <optional>
#include <string>

#include "libs/access/interceptor.h"
#include "libs/grpcserver/command_context.h"
#include "libs/grpcserver/unary.h"
#include "libs/status/field_violations.h"
#include "libs/status/grpc_status.h"
#include "libs/status/status_macros.h"
#include "services/placement/api/mapping.h"

namespace jit::placement::api {
namespace {

using grpcserver::CommandContextOf;
using grpcserver::Respond;

using grpcserver::RequireId;

template <typename T>
std::optional<T> Optional(bool has, T value) {
  if (!has) return std::nullopt;
  return value;
}

// The trainee (and the entity a mutation touched) into a response that has
// `trainee` and optionally one of `offer`, `placement`, `follow_up`.
template <typename Response>
void TraineeInto(const TraineeResult& r, Response* response) {
  ToProto(r.trainee, response->mutable_trainee());
}

}  // namespace

namespace pb = ::jobintech::placement::v1;

// ---------------------------------------------------------------- employers

grpc::ServerUnaryReactor* PlacementGrpcService::RegisterEmployer(
    grpc::CallbackServerContext* context,
    const pb::RegisterEmployerRequest* request,
    pb::RegisterEmployerResponse* response) {
  return Respond(executor_, context, [=, this]() -> absl::Status {
    NewEmployer e;
    e.name = request->name();
    e.ice = request->ice();
    e.sector = request->sector();
    e.province_code = request->province_code();
    e.partner = request->partner();
    ASSIGN_OR_RETURN(Employer created,
                     service_->RegisterEmployer(
                         CommandContextOf(*context, *request), e));
    ToProto(created, response->mutable_employer());
    return absl::OkStatus();
  });
}

grpc::ServerUnaryReactor* PlacementGrpcService::GetEmployer(
    grpc::CallbackServerContext* context, const pb::GetEmployerRequest* request,
    pb::GetEmployerResponse* response) {
  return Respond(executor_, context, [=, this]() -> absl::Status {
    RETURN_IF_ERROR(RequireId("employer_id", request->employer_id()));
    ASSIGN_OR_RETURN(Employer e, service_->GetEmployer(request->employer_id()));
    ToProto(e, response->mutable_employer());
    return absl::OkStatus();
  });
}

grpc::ServerUnaryReactor* PlacementGrpcService::ListEmployers(
    grpc::CallbackServerContext* context,
    const pb::ListEmployersRequest* request,
    pb::ListEmployersResponse* response) {
  return Respond(executor_, context, [=, this]() -> absl::Status {
    ASSIGN_OR_RETURN(PageQuery page, FromProto(request->page()));
    EmployerFilter filter;
    filter.sector = request->sector();
    filter.region_code = request->region_code();
    filter.province_code = request->province_code();
    filter.partner = Optional(request->has_partner(), request->partner());
    ASSIGN_OR_RETURN(Page<Employer> result,
                     service_->ListEmployers(filter, page));
    for (const Employer& e : result.items)
      ToProto(e, response->add_employers());
    response->mutable_page()->set_next_page_token(
        EncodePageToken(result.next_after_key));
    return absl::OkStatus();
  });
}

grpc::ServerUnaryReactor* PlacementGrpcService::SetEmployerPartner(
    grpc::CallbackServerContext* context,
    const pb::SetEmployerPartnerRequest* request,
    pb::SetEmployerPartnerResponse* response) {
  return Respond(executor_, context, [=, this]() -> absl::Status {
    RETURN_IF_ERROR(RequireId("employer_id", request->employer_id()));
    ASSIGN_OR_RETURN(Employer e,
                     service_->SetEmployerPartner(
                         CommandContextOf(*context, *request),
                         request->employer_id(), request->partner()));
    ToProto(e, response->mutable_employer());
    return absl::OkStatus();
  });
}

// ---------------------------------------------------------------- job offers

grpc::ServerUnaryReactor* PlacementGrpcService::PostJobOffer(
    grpc::CallbackServerContext* context,
    const pb::PostJobOfferRequest* request,
    pb::PostJobOfferResponse* response) {
  return Respond(executor_, context, [=, this]() -> absl::Status {
    NewJobOffer o;
    o.employer_id = request->employer_id();
    o.title = request->title();
    o.track_id = request->track_id();
    o.province_code = request->province_code();
    o.contract_type = request->contract_type();
    o.salary_band = request->salary_band();
    o.openings = request->openings();
    ASSIGN_OR_RETURN(
        JobOffer created,
        service_->PostJobOffer(CommandContextOf(*context, *request), o));
    ToProto(created, response->mutable_job_offer());
    return absl::OkStatus();
  });
}

grpc::ServerUnaryReactor* PlacementGrpcService::CloseJobOffer(
    grpc::CallbackServerContext* context,
    const pb::CloseJobOfferRequest* request,
    pb::CloseJobOfferResponse* response) {
  return Respond(executor_, context, [=, this]() -> absl::Status {
    RETURN_IF_ERROR(RequireId("job_offer_id", request->job_offer_id()));
    ASSIGN_OR_RETURN(JobOffer o, service_->CloseJobOffer(
                                     CommandContextOf(*context, *request),
                                     request->job_offer_id()));
    ToProto(o, response->mutable_job_offer());
    return absl::OkStatus();
  });
}

grpc::ServerUnaryReactor* PlacementGrpcService::GetJobOffer(
    grpc::CallbackServerContext* context, const pb::GetJobOfferRequest* request,
    pb::GetJobOfferResponse* response) {
  return Respond(executor_, context, [=, this]() -> absl::Status {
    RETURN_IF_ERROR(RequireId("job_offer_id", request->job_offer_id()));
    ASSIGN_OR_RETURN(JobOffer o,
                     service_->GetJobOffer(request->job_offer_id()));
    ToProto(o, response->mutable_job_offer());
    return absl::OkStatus();
  });
}

grpc::ServerUnaryReactor* PlacementGrpcService::ListJobOffers(
    grpc::CallbackServerContext* context,
    const pb::ListJobOffersRequest* request,
    pb::ListJobOffersResponse* response) {
  return Respond(executor_, context, [=, this]() -> absl::Status {
    ASSIGN_OR_RETURN(PageQuery page, FromProto(request->page()));
    JobOfferFilter filter;
    filter.track_id = request->track_id();
    filter.region_code = request->region_code();
    filter.province_code = request->province_code();
    filter.employer_id = request->employer_id();
    filter.open = Optional(request->has_open(), request->open());
    ASSIGN_OR_RETURN(Page<JobOffer> result,
                     service_->ListJobOffers(filter, page));
    for (const JobOffer& o : result.items) {
      ToProto(o, response->add_job_offers());
    }
    response->mutable_page()->set_next_page_token(
        EncodePageToken(result.next_after_key));
    return absl::OkStatus();
  });
}

// ---------------------------------------------------------------- trainees

grpc::ServerUnaryReactor* PlacementGrpcService::StartJobSearch(
    grpc::CallbackServerContext* context,
    const pb::StartJobSearchRequest* request,
    pb::StartJobSearchResponse* response) {
  return Respond(executor_, context, [=, this]() -> absl::Status {
    RETURN_IF_ERROR(RequireId("trainee_id", request->trainee_id()));
    ASSIGN_OR_RETURN(
        TraineeResult r,
        service_->StartJobSearch(CommandContextOf(*context, *request),
                                 request->trainee_id()));
    TraineeInto(r, response);
    return absl::OkStatus();
  });
}

grpc::ServerUnaryReactor* PlacementGrpcService::RecordOffer(
    grpc::CallbackServerContext* context, const pb::RecordOfferRequest* request,
    pb::RecordOfferResponse* response) {
  return Respond(executor_, context, [=, this]() -> absl::Status {
    RETURN_IF_ERROR(RequireId("trainee_id", request->trainee_id()));
    status::FieldViolations v;
    NewOffer o;
    o.trainee_id = request->trainee_id();
    o.job_offer_id = request->job_offer_id();
    o.employer_id = request->employer_id();
    o.offered_on = FromProtoDate(request->offered_on(), "offered_on", v);
    RETURN_IF_ERROR(v.ToStatus());
    ASSIGN_OR_RETURN(
        TraineeResult r,
        service_->RecordOffer(CommandContextOf(*context, *request), o));
    TraineeInto(r, response);
    if (r.offer.has_value()) ToProto(*r.offer, response->mutable_offer());
    return absl::OkStatus();
  });
}

grpc::ServerUnaryReactor* PlacementGrpcService::RecordPlacement(
    grpc::CallbackServerContext* context,
    const pb::RecordPlacementRequest* request,
    pb::RecordPlacementResponse* response) {
  return Respond(executor_, context, [=, this]() -> absl::Status {
    RETURN_IF_ERROR(RequireId("trainee_id", request->trainee_id()));
    status::FieldViolations v;
    NewPlacement p;
    p.trainee_id = request->trainee_id();
    p.type = request->type();
    p.employer_id = request->employer_id();
    p.job_offer_id = request->job_offer_id();
    p.start_date = FromProtoDate(request->start_date(), "start_date", v);
    p.salary_band = request->salary_band();
    p.verification = request->verification();
    RETURN_IF_ERROR(v.ToStatus());
    ASSIGN_OR_RETURN(TraineeResult r,
                     service_->RecordPlacement(
                         CommandContextOf(*context, *request), p));
    TraineeInto(r, response);
    if (r.placement.has_value()) {
      ToProto(*r.placement, response->mutable_placement());
    }
    return absl::OkStatus();
  });
}

grpc::ServerUnaryReactor* PlacementGrpcService::VerifyPlacement(
    grpc::CallbackServerContext* context,
    const pb::VerifyPlacementRequest* request,
    pb::VerifyPlacementResponse* response) {
  return Respond(executor_, context, [=, this]() -> absl::Status {
    RETURN_IF_ERROR(RequireId("placement_id", request->placement_id()));
    ASSIGN_OR_RETURN(TraineeResult r,
                     service_->VerifyPlacement(
                         CommandContextOf(*context, *request),
                         request->placement_id(), request->verification()));
    TraineeInto(r, response);
    if (r.placement.has_value()) {
      ToProto(*r.placement, response->mutable_placement());
    }
    return absl::OkStatus();
  });
}

grpc::ServerUnaryReactor* PlacementGrpcService::EndPlacement(
    grpc::CallbackServerContext* context,
    const pb::EndPlacementRequest* request,
    pb::EndPlacementResponse* response) {
  return Respond(executor_, context, [=, this]() -> absl::Status {
    RETURN_IF_ERROR(RequireId("placement_id", request->placement_id()));
    status::FieldViolations v;
    const std::optional<absl::CivilDay> end =
        FromProtoDate(request->end_date(), "end_date", v);
    RETURN_IF_ERROR(v.ToStatus());
    ASSIGN_OR_RETURN(TraineeResult r,
                     service_->EndPlacement(
                         CommandContextOf(*context, *request),
                         request->placement_id(), end, request->reason_code(),
                         request->reason()));
    TraineeInto(r, response);
    if (r.placement.has_value()) {
      ToProto(*r.placement, response->mutable_placement());
    }
    return absl::OkStatus();
  });
}

grpc::ServerUnaryReactor* PlacementGrpcService::GetPlacement(
    grpc::CallbackServerContext* context,
    const pb::GetPlacementRequest* request,
    pb::GetPlacementResponse* response) {
  return Respond(executor_, context, [=, this]() -> absl::Status {
    RETURN_IF_ERROR(RequireId("placement_id", request->placement_id()));
    ASSIGN_OR_RETURN(Placement p,
                     service_->GetPlacement(request->placement_id(),
                                            access::ScopeOfCall(*context)));
    ToProto(p, response->mutable_placement());
    return absl::OkStatus();
  });
}

grpc::ServerUnaryReactor* PlacementGrpcService::ListPlacements(
    grpc::CallbackServerContext* context,
    const pb::ListPlacementsRequest* request,
    pb::ListPlacementsResponse* response) {
  return Respond(executor_, context, [=, this]() -> absl::Status {
    ASSIGN_OR_RETURN(PageQuery page, FromProto(request->page()));
    PlacementFilter filter;
    filter.employer_id = request->employer_id();
    filter.active = Optional(request->has_active(), request->active());
    filter.verified = Optional(request->has_verified(), request->verified());
    ASSIGN_OR_RETURN(Page<Placement> result,
                     service_->ListPlacements(filter, page, access::ScopeOfCall(*context)));
    for (const Placement& p : result.items) {
      ToProto(p, response->add_placements());
    }
    response->mutable_page()->set_next_page_token(
        EncodePageToken(result.next_after_key));
    return absl::OkStatus();
  });
}

grpc::ServerUnaryReactor* PlacementGrpcService::GetTraineePlacement(
    grpc::CallbackServerContext* context,
    const pb::GetTraineePlacementRequest* request,
    pb::GetTraineePlacementResponse* response) {
  return Respond(executor_, context, [=, this]() -> absl::Status {
    RETURN_IF_ERROR(RequireId("trainee_id", request->trainee_id()));
    ASSIGN_OR_RETURN(TraineeView view,
                     service_->GetTrainee(request->trainee_id(), access::ScopeOfCall(*context)));
    ToProto(view.trainee, response->mutable_trainee());
    for (const Offer& o : view.offers) ToProto(o, response->add_offers());
    for (const Placement& p : view.placements) {
      ToProto(p, response->add_placements());
    }
    for (const FollowUp& f : view.follow_ups) {
      ToProto(f, response->add_follow_ups());
    }
    return absl::OkStatus();
  });
}

// ---------------------------------------------------------------- follow-ups

grpc::ServerUnaryReactor* PlacementGrpcService::ListDueFollowUps(
    grpc::CallbackServerContext* context,
    const pb::ListDueFollowUpsRequest* request,
    pb::ListDueFollowUpsResponse* response) {
  return Respond(executor_, context, [=, this]() -> absl::Status {
    ASSIGN_OR_RETURN(PageQuery page, FromProto(request->page()));
    FollowUpFilter filter;
    filter.region_code = request->region_code();
    ASSIGN_OR_RETURN(Page<DueFollowUp> result,
                     service_->ListDueFollowUps(filter, page, access::ScopeOfCall(*context)));
    for (const DueFollowUp& d : result.items) {
      pb::DueFollowUp* out = response->add_follow_ups();
      ToProto(d.follow_up, out->mutable_follow_up());
      ToProto(d.trainee, out->mutable_trainee());
    }
    response->mutable_page()->set_next_page_token(
        EncodePageToken(result.next_after_key));
    return absl::OkStatus();
  });
}

grpc::ServerUnaryReactor* PlacementGrpcService::RecordFollowUp(
    grpc::CallbackServerContext* context,
    const pb::RecordFollowUpRequest* request,
    pb::RecordFollowUpResponse* response) {
  return Respond(executor_, context, [=, this]() -> absl::Status {
    RETURN_IF_ERROR(RequireId("trainee_id", request->trainee_id()));
    NewFollowUp f;
    f.trainee_id = request->trainee_id();
    f.months_after_exit = request->months_after_exit();
    f.outcome = request->outcome();
    f.employer_id = request->employer_id();
    ASSIGN_OR_RETURN(TraineeResult r,
                     service_->RecordFollowUp(
                         CommandContextOf(*context, *request), f));
    TraineeInto(r, response);
    if (r.follow_up.has_value()) {
      ToProto(*r.follow_up, response->mutable_follow_up());
    }
    return absl::OkStatus();
  });
}

grpc::ServerUnaryReactor* PlacementGrpcService::EraseTraineeNotes(
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

}  // namespace jit::placement::api
