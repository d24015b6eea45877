#include "services/placement/domain/placement_service.h"

#include <optional>
#include <string>
#include <utility>
#include <variant>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "libs/command/command.h"
#include "libs/command/paging.h"
#include "libs/command/validation.h"
#include "libs/geo/geo.h"
#include "libs/ids/ids.h"
#include "libs/status/field_violations.h"
#include "libs/status/status_macros.h"
#include "services/placement/domain/events.h"
#include "services/placement/domain/validation.h"

namespace jit::placement {
namespace {

namespace ev = ::jobintech::events::v1;
using command::Mutate;
using command::MutationViolations;
using command::ReadValue;
using status::FieldViolations;
using status::InvalidField;

// Operation names stored with each request id: the RPCs they answer.
constexpr absl::string_view kOpRegisterEmployer = "RegisterEmployer";
constexpr absl::string_view kOpSetEmployerPartner = "SetEmployerPartner";
constexpr absl::string_view kOpPostJobOffer = "PostJobOffer";
constexpr absl::string_view kOpCloseJobOffer = "CloseJobOffer";
constexpr absl::string_view kOpStartJobSearch = "StartJobSearch";
constexpr absl::string_view kOpRecordOffer = "RecordOffer";
constexpr absl::string_view kOpRecordPlacement = "RecordPlacement";
constexpr absl::string_view kOpVerifyPlacement = "VerifyPlacement";
constexpr absl::string_view kOpEndPlacement = "EndPlacement";
constexpr absl::string_view kOpRecordFollowUp = "RecordFollowUp";

std::string Day(absl::CivilDay d) { return absl::FormatCivilTime(d); }

absl::Status NotFound(absl::string_view what, absl::string_view id) {
  return absl::NotFoundError(absl::StrCat(what, " '", id, "' not found"));
}

PageQuery ClampPage(PageQuery page, const PlacementRules& rules) {
  return command::ClampPage(std::move(page), rules.default_page_size,
                            rules.max_page_size);
}

void ValidateFilterLocation(absl::string_view region_code,
                            absl::string_view province_code,
                            FieldViolations& v) {
  const geo::Atlas& atlas = geo::Atlas::Get();
  if (!region_code.empty()) {
    CollectViolations(atlas.ValidateRegion("region_code", region_code), v,
                      "region_code");
  }
  if (!province_code.empty()) {
    CollectViolations(atlas.ValidateProvince("province_code", province_code), v,
                      "province_code");
  }
}

absl::StatusOr<Employer> LoadEmployer(PlacementStore& store,
                                      const std::string& id) {
  ASSIGN_OR_RETURN(std::optional<Employer> e, store.FindEmployer(id));
  if (!e.has_value()) return NotFound("employer", id);
  return *std::move(e);
}

absl::StatusOr<JobOffer> LoadJobOffer(PlacementStore& store,
                                      const std::string& id) {
  ASSIGN_OR_RETURN(std::optional<JobOffer> o, store.FindJobOffer(id));
  if (!o.has_value()) return NotFound("job offer", id);
  return *std::move(o);
}

// Whether a trainee lies in the caller's scope (the region or centre of the
// training); out of scope reads exactly like missing.
bool InScope(const command::Scope& scope, const Trainee& t) {
  return scope.Allows(t.dimensions.training_region_code,
                      t.dimensions.centre_id);
}

absl::Status NoPlacementRecord(const std::string& id) {
  return absl::NotFoundError(absl::StrCat(
      "trainee '", id, "' has no placement record (no job search started)"));
}

absl::StatusOr<Trainee> LoadTrainee(PlacementStore& store,
                                    const std::string& id,
                                    const command::Scope& scope = {}) {
  ASSIGN_OR_RETURN(std::optional<Trainee> t, store.FindTrainee(id));
  if (!t.has_value() || !InScope(scope, *t)) return NoPlacementRecord(id);
  return *std::move(t);
}

// A placement of a trainee out of scope is NOT_FOUND like a missing one.
absl::StatusOr<Placement> LoadPlacement(PlacementStore& store,
                                        const std::string& id,
                                        const command::Scope& scope = {}) {
  ASSIGN_OR_RETURN(std::optional<Placement> p, store.FindPlacement(id));
  if (!p.has_value()) return NotFound("placement", id);
  if (!scope.national) {
    ASSIGN_OR_RETURN(std::optional<Trainee> t,
                     store.FindTrainee(p->trainee_id));
    if (!t.has_value() || !InScope(scope, *t)) return NotFound("placement", id);
  }
  return *std::move(p);
}

DomainEvent AggregateEvent(EventKind kind, std::string aggregate_id,
                           int64_t sequence, const RequestContext& ctx,
                           absl::Time now) {
  DomainEvent e;
  e.kind = kind;
  e.aggregate_id = std::move(aggregate_id);
  e.sequence = sequence;
  command::StampEvent(e, ctx, now);
  return e;
}

// Completes `e` as the next event of trainee `t` (taking its next sequence
// number, saved with the trainee by the caller) and publishes it. The new
// state is the trainee's current one.
absl::Status PublishTraineeEvent(PlacementStore& store,
                                 const RequestContext& ctx, absl::Time now,
                                 Trainee& t, PlacementState previous,
                                 DomainEvent e) {
  ++t.event_sequence;
  e.trainee_id = t.trainee_id;
  e.aggregate_id.clear();
  e.sequence = t.event_sequence;
  command::StampEvent(e, ctx, now);
  e.dimensions = t.dimensions;
  e.exit = t.exit;
  e.previous_state = previous;
  e.new_state = t.state;
  return store.Publish(e);
}

DomainEvent OfKind(EventKind kind) {
  DomainEvent e;
  e.kind = kind;
  return e;
}

// "cannot <action> trainee 'x' who is PLACED (PLACED -> OFFERED is not a
// legal transition)<hint>".
absl::Status IllegalMove(absl::string_view action, const Trainee& t,
                         PlacementState to, absl::string_view hint) {
  return absl::FailedPreconditionError(
      absl::StrCat("cannot ", action, " trainee '", t.trainee_id, "' who is ",
                   StateName(t.state), " (", StateName(t.state), " -> ",
                   StateName(to), " is not a legal transition)", hint));
}

// OFFERED and PLACED are reached from JOB_SEEKING, OFFERED (offers only)
// and ENDED.
bool CanMove(PlacementState from, PlacementState to) {
  switch (from) {
    case ev::PLACEMENT_STATE_JOB_SEEKING:
    case ev::PLACEMENT_STATE_ENDED:
      return to == ev::PLACEMENT_STATE_OFFERED ||
             to == ev::PLACEMENT_STATE_PLACED;
    case ev::PLACEMENT_STATE_OFFERED:
      return to == ev::PLACEMENT_STATE_OFFERED ||
             to == ev::PLACEMENT_STATE_PLACED;
    case ev::PLACEMENT_STATE_PLACED:
      return to == ev::PLACEMENT_STATE_ENDED;
    default:
      return false;
  }
}

bool NeedsEmployer(PlacementType t) {
  return t == ev::PLACEMENT_TYPE_SALARIED_PERMANENT ||
         t == ev::PLACEMENT_TYPE_SALARIED_FIXED_TERM ||
         t == ev::PLACEMENT_TYPE_INTERNSHIP;
}

bool IsSet(PlacementType t) {
  return t != ev::PLACEMENT_TYPE_UNSPECIFIED && ev::PlacementType_IsValid(t);
}
bool IsSet(SalaryBand b) {
  return b != ev::SALARY_BAND_UNSPECIFIED && ev::SalaryBand_IsValid(b);
}
bool IsSet(VerificationSource s) {
  return s != ev::VERIFICATION_SOURCE_UNSPECIFIED &&
         ev::VerificationSource_IsValid(s);
}
bool IsSet(FollowUpOutcome o) {
  return o != ev::FOLLOW_UP_OUTCOME_UNSPECIFIED &&
         ev::FollowUpOutcome_IsValid(o);
}

// A date that must be given and not be after `today`.
void ValidatePastDate(const std::optional<absl::CivilDay>& day,
                      absl::string_view field, absl::CivilDay today,
                      FieldViolations& v) {
  if (!day.has_value()) {
    v.Add(std::string(field), "is required");
  } else if (*day > today) {
    v.Add(
        std::string(field),
        absl::StrCat("must not be in the future (today is ", Day(today), ")"));
  }
}

absl::Status BeforeExit(absl::string_view field, const Trainee& t) {
  return InvalidField(
      std::string(field),
      absl::StrCat("must not be before the trainee's exit date ",
                   Day(t.exit.date), " (", ExitKindName(t.exit.kind), ")"));
}

// The placement a follow-up looks at: the latest started (then the latest
// recorded).
const Placement* LatestPlacement(const std::vector<Placement>& placements) {
  const Placement* latest = nullptr;
  for (const Placement& p : placements) {
    if (latest == nullptr || p.start_date >= latest->start_date) latest = &p;
  }
  return latest;
}

bool HasDimensions(const Dimensions& d) {
  return !d.cohort_id.empty() || !d.track_id.empty();
}

}  // namespace

PlacementService::PlacementService(PlacementRepository* repository,
                                   const Clock* clock, ProgressClient* progress,
                                   EnrollmentClient* enrollment,
                                   PlacementRules rules)
    : repository_(repository),
      clock_(clock),
      progress_(progress),
      enrollment_(enrollment),
      rules_(std::move(rules)) {}

absl::Time PlacementService::NowMicros() const {
  return command::TruncateToMicros(clock_->Now());
}

absl::CivilDay PlacementService::Today() const {
  return absl::ToCivilDay(clock_->Now(), absl::UTCTimeZone());
}

// ---------------------------------------------------------------- employers

absl::StatusOr<Employer> PlacementService::RegisterEmployer(
    const RequestContext& ctx, const NewEmployer& input) {
  const geo::Atlas& atlas = geo::Atlas::Get();
  FieldViolations v = MutationViolations(ctx);
  Employer employer;
  CollectInto(NormalizeText(input.name, "name", kMaxNameChars, true),
              &employer.name, v);
  CollectInto(NormalizeIce(input.ice, "ice"), &employer.ice, v);
  CollectViolations(ValidateCode(input.sector, "sector"), v);
  CollectViolations(
      atlas.ValidateProvince("province_code", input.province_code), v,
      "province_code");
  RETURN_IF_ERROR(v.ToStatus());

  const absl::Time now = NowMicros();
  employer.sector = input.sector;
  employer.province_code = input.province_code;
  ASSIGN_OR_RETURN(employer.region_code,
                   atlas.RegionOfProvince(input.province_code));
  employer.partner = input.partner;
  employer.create_time = now;
  employer.update_time = now;
  auto apply = [&](PlacementStore& store) -> absl::StatusOr<Employer> {
    ASSIGN_OR_RETURN(std::optional<Employer> existing,
                     store.FindEmployerByIce(employer.ice));
    if (existing.has_value()) {
      return absl::AlreadyExistsError(
          absl::StrCat("an employer with ICE ", employer.ice,
                       " is already registered (", existing->employer_id, ")"));
    }
    Employer created = employer;
    created.employer_id = ids::NewOpaqueId("emp");
    created.event_sequence = 1;
    RETURN_IF_ERROR(store.InsertEmployer(created));
    DomainEvent e = AggregateEvent(EventKind::kEmployerRegistered,
                                   created.employer_id, 1, ctx, now);
    e.employer = created;
    RETURN_IF_ERROR(store.Publish(e));
    return created;
  };
  return Mutate<Employer>(*repository_, ctx, kOpRegisterEmployer, now, apply);
}

absl::StatusOr<Employer> PlacementService::GetEmployer(
    const std::string& employer_id) {
  RETURN_IF_ERROR(ValidateRequired(employer_id, "employer_id"));
  return ReadValue<Employer>(*repository_, [&](PlacementStore& store) {
    return LoadEmployer(store, employer_id);
  });
}

absl::StatusOr<Page<Employer>> PlacementService::ListEmployers(
    const EmployerFilter& filter, PageQuery page) {
  FieldViolations v;
  ValidateFilterLocation(filter.region_code, filter.province_code, v);
  if (!filter.sector.empty()) {
    CollectViolations(ValidateCode(filter.sector, "sector"), v);
  }
  RETURN_IF_ERROR(v.ToStatus());
  page = ClampPage(std::move(page), rules_);
  return ReadValue<Page<Employer>>(*repository_, [&](PlacementStore& store) {
    return store.ListEmployers(filter, page);
  });
}

absl::StatusOr<Employer> PlacementService::SetEmployerPartner(
    const RequestContext& ctx, const std::string& employer_id, bool partner) {
  FieldViolations v = MutationViolations(ctx);
  CollectViolations(ValidateRequired(employer_id, "employer_id"), v);
  RETURN_IF_ERROR(v.ToStatus());
  const absl::Time now = NowMicros();
  auto apply = [&](PlacementStore& store) -> absl::StatusOr<Employer> {
    ASSIGN_OR_RETURN(Employer e, LoadEmployer(store, employer_id));
    if (e.partner == partner) return e;  // nothing to change
    e.partner = partner;
    e.update_time = now;
    RETURN_IF_ERROR(store.UpdateEmployer(e));
    return e;
  };
  return Mutate<Employer>(*repository_, ctx, kOpSetEmployerPartner, now, apply);
}

// ---------------------------------------------------------------- job offers

absl::StatusOr<JobOffer> PlacementService::PostJobOffer(
    const RequestContext& ctx, const NewJobOffer& input) {
  const geo::Atlas& atlas = geo::Atlas::Get();
  FieldViolations v = MutationViolations(ctx);
  JobOffer offer;
  CollectViolations(ValidateRequired(input.employer_id, "employer_id"), v);
  CollectInto(NormalizeText(input.title, "title", kMaxNameChars, true),
              &offer.title, v);
  CollectViolations(ValidateCode(input.track_id, "track_id"), v);
  if (!input.province_code.empty()) {
    CollectViolations(
        atlas.ValidateProvince("province_code", input.province_code), v,
        "province_code");
  }
  if (!NeedsEmployer(input.contract_type)) {
    v.Add("contract_type",
          "must be SALARIED_PERMANENT, SALARIED_FIXED_TERM or INTERNSHIP");
  }
  if (!IsSet(input.salary_band)) {
    v.Add("salary_band", "is required (UNDISCLOSED when not disclosed)");
  }
  if (input.openings < 1 || input.openings > kMaxOpenings) {
    v.Add("openings", absl::StrCat("must be between 1 and ", kMaxOpenings));
  }
  RETURN_IF_ERROR(v.ToStatus());

  const absl::Time now = NowMicros();
  offer.employer_id = input.employer_id;
  offer.track_id = input.track_id;
  offer.contract_type = input.contract_type;
  offer.salary_band = input.salary_band;
  offer.openings = input.openings;
  offer.open = true;
  offer.create_time = now;
  offer.update_time = now;
  auto apply = [&](PlacementStore& store) -> absl::StatusOr<JobOffer> {
    ASSIGN_OR_RETURN(const Employer employer,
                     LoadEmployer(store, input.employer_id));
    JobOffer created = offer;
    created.job_offer_id = ids::NewOpaqueId("job");
    created.province_code = input.province_code.empty() ? employer.province_code
                                                        : input.province_code;
    ASSIGN_OR_RETURN(created.region_code,
                     atlas.RegionOfProvince(created.province_code));
    created.event_sequence = 1;
    RETURN_IF_ERROR(store.InsertJobOffer(created));
    DomainEvent e = AggregateEvent(EventKind::kJobOfferPosted,
                                   created.job_offer_id, 1, ctx, now);
    e.job_offer = created;
    RETURN_IF_ERROR(store.Publish(e));
    return created;
  };
  return Mutate<JobOffer>(*repository_, ctx, kOpPostJobOffer, now, apply);
}

absl::StatusOr<JobOffer> PlacementService::CloseJobOffer(
    const RequestContext& ctx, const std::string& job_offer_id) {
  FieldViolations v = MutationViolations(ctx);
  CollectViolations(ValidateRequired(job_offer_id, "job_offer_id"), v);
  RETURN_IF_ERROR(v.ToStatus());
  const absl::Time now = NowMicros();
  auto apply = [&](PlacementStore& store) -> absl::StatusOr<JobOffer> {
    ASSIGN_OR_RETURN(JobOffer offer, LoadJobOffer(store, job_offer_id));
    if (!offer.open) {
      return absl::FailedPreconditionError(
          absl::StrCat("job offer '", job_offer_id, "' is already closed"));
    }
    offer.open = false;
    offer.close_time = now;
    offer.update_time = now;
    RETURN_IF_ERROR(store.UpdateJobOffer(offer));
    return offer;
  };
  return Mutate<JobOffer>(*repository_, ctx, kOpCloseJobOffer, now, apply);
}

absl::StatusOr<JobOffer> PlacementService::GetJobOffer(
    const std::string& job_offer_id) {
  RETURN_IF_ERROR(ValidateRequired(job_offer_id, "job_offer_id"));
  return ReadValue<JobOffer>(*repository_, [&](PlacementStore& store) {
    return LoadJobOffer(store, job_offer_id);
  });
}

absl::StatusOr<Page<JobOffer>> PlacementService::ListJobOffers(
    const JobOfferFilter& filter, PageQuery page) {
  FieldViolations v;
  ValidateFilterLocation(filter.region_code, filter.province_code, v);
  if (!filter.track_id.empty()) {
    CollectViolations(ValidateCode(filter.track_id, "track_id"), v);
  }
  RETURN_IF_ERROR(v.ToStatus());
  page = ClampPage(std::move(page), rules_);
  return ReadValue<Page<JobOffer>>(*repository_, [&](PlacementStore& store) {
    return store.ListJobOffers(filter, page);
  });
}

// ---------------------------------------------------------------- trainees

absl::StatusOr<Trainee> PlacementService::NewTraineeFromPeers(
    const RequestContext& ctx, const std::string& trainee_id, absl::Time now) {
  if (progress_ == nullptr) {
    return absl::InternalError("no training-progress client configured");
  }
  TraineeExit exit;
  Dimensions dimensions;
  absl::StatusOr<ProgressExit> progress =
      progress_->GetTraineeExit(trainee_id, command::PeerContextOf(ctx));
  if (progress.ok()) {
    if (!progress->exited) {
      return absl::FailedPreconditionError(absl::StrCat(
          "trainee '", trainee_id, "' has not exited the training (state ",
          progress->training_state.empty() ? "unknown"
                                           : progress->training_state,
          "): job search and placements start after completion, drop-out "
          "or withdrawal"));
    }
    if (!progress->exit_date.has_value() ||
        progress->kind == ev::EXIT_KIND_UNSPECIFIED) {
      return absl::InternalError(absl::StrCat(
          "the training-progress service reported the exit of trainee '",
          trainee_id, "' without its kind or date"));
    }
    exit.kind = progress->kind;
    exit.date = *progress->exit_date;
    exit.cohort_id = progress->cohort_id;
    dimensions = progress->dimensions;
    if (!HasDimensions(dimensions) && enrollment_ != nullptr) {
      ASSIGN_OR_RETURN(
          EnrollmentRecord record,
          enrollment_->LookupTrainee(trainee_id, command::PeerContextOf(ctx)));
      dimensions = record.dimensions;
    }
  } else if (progress.status().code() == absl::StatusCode::kNotFound &&
             enrollment_ != nullptr) {
    // Training progress has no record: a trainee withdrawn from enrollment
    // before the training recorded anything has still exited.
    absl::StatusOr<EnrollmentRecord> record =
        enrollment_->LookupTrainee(trainee_id, command::PeerContextOf(ctx));
    if (!record.ok()) {
      if (record.status().code() == absl::StatusCode::kNotFound) {
        return UnknownTrainee(trainee_id);
      }
      return record.status();
    }
    if (!record->withdrawn()) {
      return absl::FailedPreconditionError(absl::StrCat(
          "trainee '", trainee_id,
          "' has not exited the training (no training record; enrolment "
          "status ",
          record->status.empty() ? "unknown" : record->status,
          "): job search and placements start after completion, drop-out "
          "or withdrawal"));
    }
    if (!record->status_date.has_value()) {
      return absl::InternalError(
          absl::StrCat("the enrollment service reported the withdrawal of "
                       "trainee '",
                       trainee_id, "' without its date"));
    }
    exit.kind = ev::EXIT_KIND_WITHDRAWN;
    exit.date = *record->status_date;
    exit.cohort_id = record->cohort_id;
    dimensions = record->dimensions;
  } else if (progress.status().code() == absl::StatusCode::kNotFound) {
    return UnknownTrainee(trainee_id);
  } else {
    return progress.status();
  }
  if (exit.date > Today()) {
    return absl::FailedPreconditionError(
        absl::StrCat("the exit of trainee '", trainee_id, "' is dated ",
                     Day(exit.date), ", in the future"));
  }
  Trainee t;
  t.trainee_id = trainee_id;
  t.state = ev::PLACEMENT_STATE_JOB_SEEKING;
  t.exit = exit;
  t.dimensions = dimensions;
  t.create_time = now;
  t.update_time = now;
  return t;
}

absl::Status PlacementService::UnknownTrainee(
    const std::string& trainee_id) const {
  return absl::NotFoundError(absl::StrCat(
      "trainee '", trainee_id,
      enrollment_ != nullptr
          ? "' is unknown to the training-progress and enrollment services"
          : "' is unknown to the training-progress service"));
}

template <typename Apply>
absl::StatusOr<TraineeResult> PlacementService::MutateTrainee(
    const RequestContext& ctx, absl::string_view operation,
    const std::string& trainee_id, bool create_if_missing, Apply apply) {
  const absl::Time now = NowMicros();
  // A replay, and whether the trainee has a record, without the write lock.
  ASSIGN_OR_RETURN(
      std::optional<TraineeResult> replay,
      command::FindReplay<TraineeResult>(*repository_, ctx, operation));
  if (replay.has_value()) return *std::move(replay);
  // Out of scope reads exactly like missing: for the operations that would
  // create the record, like an id the peers do not know.
  auto out_of_scope = [&] {
    return create_if_missing ? UnknownTrainee(trainee_id)
                             : NoPlacementRecord(trainee_id);
  };
  bool known = false;
  RETURN_IF_ERROR(repository_->Read([&](PlacementStore& store) -> absl::Status {
    ASSIGN_OR_RETURN(std::optional<Trainee> t, store.FindTrainee(trainee_id));
    if (t.has_value() && !InScope(ctx.scope, *t)) return out_of_scope();
    known = t.has_value();
    return absl::OkStatus();
  }));
  // Peers are asked outside any transaction; nothing is written when they
  // cannot answer.
  std::optional<Trainee> fresh;
  if (!known && create_if_missing) {
    ASSIGN_OR_RETURN(fresh, NewTraineeFromPeers(ctx, trainee_id, now));
    // The peers know the trainee, but the caller may not see it.
    if (!InScope(ctx.scope, *fresh)) return out_of_scope();
  }
  return Mutate<TraineeResult>(
      *repository_, ctx, operation, now,
      [&](PlacementStore& store) -> absl::StatusOr<TraineeResult> {
        ASSIGN_OR_RETURN(std::optional<Trainee> existing,
                         store.FindTrainee(trainee_id));
        if (existing.has_value() && !InScope(ctx.scope, *existing)) {
          return out_of_scope();
        }
        Trainee t;
        bool is_new = false;
        if (existing.has_value()) {
          t = *std::move(existing);
        } else if (fresh.has_value()) {
          // The job search starts with the first record.
          t = *fresh;
          is_new = true;
          RETURN_IF_ERROR(PublishTraineeEvent(
              store, ctx, now, t, ev::PLACEMENT_STATE_UNSPECIFIED,
              OfKind(EventKind::kJobSearchStarted)));
        } else {
          return absl::NotFoundError(absl::StrCat("trainee '", trainee_id,
                                                  "' has no placement record"));
        }
        TraineeResult out;
        RETURN_IF_ERROR(apply(store, t, is_new, out, now));
        t.update_time = now;
        if (is_new) {
          RETURN_IF_ERROR(store.InsertTrainee(t));
        } else {
          RETURN_IF_ERROR(store.UpdateTrainee(t));
        }
        out.trainee = t;
        return out;
      });
}

absl::StatusOr<TraineeResult> PlacementService::StartJobSearch(
    const RequestContext& ctx, const std::string& trainee_id) {
  FieldViolations v = MutationViolations(ctx);
  CollectViolations(ValidateRequired(trainee_id, "trainee_id"), v);
  RETURN_IF_ERROR(v.ToStatus());
  return MutateTrainee(
      ctx, kOpStartJobSearch, trainee_id, /*create_if_missing=*/true,
      [&](PlacementStore&, Trainee& t, bool is_new, TraineeResult&,
          absl::Time) -> absl::Status {
        if (!is_new) {
          return absl::AlreadyExistsError(absl::StrCat(
              "the job search of trainee '", t.trainee_id,
              "' already started on ",
              Day(absl::ToCivilDay(t.create_time, absl::UTCTimeZone())),
              " (state ", StateName(t.state), ")"));
        }
        return absl::OkStatus();
      });
}

absl::StatusOr<TraineeResult> PlacementService::RecordOffer(
    const RequestContext& ctx, const NewOffer& input) {
  const absl::CivilDay today = Today();
  FieldViolations v = MutationViolations(ctx);
  CollectViolations(ValidateRequired(input.trainee_id, "trainee_id"), v);
  if (input.job_offer_id.empty() && input.employer_id.empty()) {
    v.Add("employer_id", "is required unless job_offer_id is set");
  }
  ValidatePastDate(input.offered_on, "offered_on", today, v);
  RETURN_IF_ERROR(v.ToStatus());

  return MutateTrainee(
      ctx, kOpRecordOffer, input.trainee_id, /*create_if_missing=*/true,
      [&](PlacementStore& store, Trainee& t, bool, TraineeResult& out,
          absl::Time now) -> absl::Status {
        if (!CanMove(t.state, ev::PLACEMENT_STATE_OFFERED)) {
          return IllegalMove("record an offer for", t,
                             ev::PLACEMENT_STATE_OFFERED,
                             absl::StrCat("; end placement '",
                                          t.current_placement_id, "' first"));
        }
        if (*input.offered_on < t.exit.date) {
          return BeforeExit("offered_on", t);
        }
        std::string employer_id = input.employer_id;
        if (!input.job_offer_id.empty()) {
          ASSIGN_OR_RETURN(const JobOffer job,
                           LoadJobOffer(store, input.job_offer_id));
          if (!employer_id.empty() && employer_id != job.employer_id) {
            return InvalidField(
                "employer_id",
                absl::StrCat("does not match the employer of job offer '",
                             job.job_offer_id, "' (", job.employer_id, ")"));
          }
          employer_id = job.employer_id;
        }
        ASSIGN_OR_RETURN(const Employer employer,
                         LoadEmployer(store, employer_id));
        Offer offer;
        offer.offer_id = ids::NewOpaqueId("ofr");
        offer.trainee_id = t.trainee_id;
        offer.job_offer_id = input.job_offer_id;
        offer.employer_id = employer.employer_id;
        offer.offered_on = *input.offered_on;
        offer.create_time = now;
        RETURN_IF_ERROR(store.InsertOffer(offer));
        const PlacementState previous = t.state;
        t.state = ev::PLACEMENT_STATE_OFFERED;
        DomainEvent e = OfKind(EventKind::kOfferRecorded);
        e.offer = offer;
        RETURN_IF_ERROR(PublishTraineeEvent(store, ctx, now, t, previous, e));
        out.offer = offer;
        return absl::OkStatus();
      });
}

absl::StatusOr<TraineeResult> PlacementService::RecordPlacement(
    const RequestContext& ctx, const NewPlacement& input) {
  const absl::CivilDay today = Today();
  FieldViolations v = MutationViolations(ctx);
  CollectViolations(ValidateRequired(input.trainee_id, "trainee_id"), v);
  if (!IsSet(input.type)) {
    v.Add("type",
          "is required (SALARIED_PERMANENT, SALARIED_FIXED_TERM, INTERNSHIP, "
          "SELF_EMPLOYED or FURTHER_STUDY)");
  } else if (NeedsEmployer(input.type)) {
    if (input.employer_id.empty() && input.job_offer_id.empty()) {
      v.Add("employer_id",
            absl::StrCat("is required for a ", TypeName(input.type),
                         " placement (or set job_offer_id)"));
    }
  } else {
    if (!input.employer_id.empty()) {
      v.Add("employer_id", absl::StrCat("must be empty for a ",
                                        TypeName(input.type), " placement"));
    }
    if (!input.job_offer_id.empty()) {
      v.Add("job_offer_id", absl::StrCat("must be empty for a ",
                                         TypeName(input.type), " placement"));
    }
  }
  if (input.type == ev::PLACEMENT_TYPE_FURTHER_STUDY) {
    if (input.salary_band != ev::SALARY_BAND_UNSPECIFIED) {
      v.Add("salary_band", "must be unset for further study");
    }
  } else if (!IsSet(input.salary_band)) {
    v.Add("salary_band", "is required (UNDISCLOSED when not disclosed)");
  }
  if (!IsSet(input.verification)) {
    v.Add("verification",
          "is required (SELF_REPORT, EMPLOYER or SOCIAL_SECURITY)");
  }
  ValidatePastDate(input.start_date, "start_date", today, v);
  RETURN_IF_ERROR(v.ToStatus());

  return MutateTrainee(
      ctx, kOpRecordPlacement, input.trainee_id, /*create_if_missing=*/true,
      [&](PlacementStore& store, Trainee& t, bool, TraineeResult& out,
          absl::Time now) -> absl::Status {
        if (!CanMove(t.state, ev::PLACEMENT_STATE_PLACED)) {
          return IllegalMove("record a placement for", t,
                             ev::PLACEMENT_STATE_PLACED,
                             absl::StrCat("; end placement '",
                                          t.current_placement_id, "' first"));
        }
        const absl::CivilDay start = *input.start_date;
        if (start < t.exit.date) return BeforeExit("start_date", t);
        ASSIGN_OR_RETURN(const std::vector<Placement> previous_placements,
                         store.PlacementsOfTrainee(t.trainee_id));
        for (const Placement& p : previous_placements) {
          if (p.end_date.has_value() && start < *p.end_date) {
            return InvalidField(
                "start_date",
                absl::StrCat("must not be before the end of the previous "
                             "placement '",
                             p.placement_id, "' (", Day(*p.end_date), ")"));
          }
        }
        std::string employer_id = input.employer_id;
        if (!input.job_offer_id.empty()) {
          ASSIGN_OR_RETURN(const JobOffer job,
                           LoadJobOffer(store, input.job_offer_id));
          if (!employer_id.empty() && employer_id != job.employer_id) {
            return InvalidField(
                "employer_id",
                absl::StrCat("does not match the employer of job offer '",
                             job.job_offer_id, "' (", job.employer_id, ")"));
          }
          employer_id = job.employer_id;
        }
        std::optional<Employer> employer;
        if (!employer_id.empty()) {
          ASSIGN_OR_RETURN(employer, LoadEmployer(store, employer_id));
        }
        Placement p;
        p.placement_id = ids::NewOpaqueId("plc");
        p.trainee_id = t.trainee_id;
        p.type = input.type;
        p.employer_id = employer_id;
        p.job_offer_id = input.job_offer_id;
        p.start_date = start;
        p.salary_band = input.salary_band;
        p.verification = input.verification;
        if (p.verified()) p.verify_time = now;
        p.create_time = now;
        p.update_time = now;
        RETURN_IF_ERROR(store.InsertPlacement(p));
        if (!t.first_placement_date.has_value()) {
          // The first placement fixes the follow-up schedule.
          t.first_placement_date = start;
          for (int32_t months : kFollowUpMonths) {
            FollowUp f;
            f.trainee_id = t.trainee_id;
            f.months = months;
            f.due_date = AddMonths(t.exit.date, months);
            if (f.due_date < start) continue;
            RETURN_IF_ERROR(store.InsertFollowUp(f));
          }
        }
        const PlacementState previous = t.state;
        t.state = ev::PLACEMENT_STATE_PLACED;
        t.current_placement_id = p.placement_id;
        DomainEvent e = OfKind(EventKind::kPlacementStarted);
        e.placement = p;
        e.employer = employer;
        RETURN_IF_ERROR(PublishTraineeEvent(store, ctx, now, t, previous, e));
        out.placement = p;
        return absl::OkStatus();
      });
}

absl::StatusOr<TraineeResult> PlacementService::VerifyPlacement(
    const RequestContext& ctx, const std::string& placement_id,
    VerificationSource verification) {
  FieldViolations v = MutationViolations(ctx);
  CollectViolations(ValidateRequired(placement_id, "placement_id"), v);
  if (verification != ev::VERIFICATION_SOURCE_EMPLOYER &&
      verification != ev::VERIFICATION_SOURCE_SOCIAL_SECURITY) {
    v.Add("verification",
          "must be EMPLOYER or SOCIAL_SECURITY (a verification confirms a "
          "self-reported placement)");
  }
  RETURN_IF_ERROR(v.ToStatus());
  const absl::Time now = NowMicros();
  return Mutate<TraineeResult>(
      *repository_, ctx, kOpVerifyPlacement, now,
      [&](PlacementStore& store) -> absl::StatusOr<TraineeResult> {
        ASSIGN_OR_RETURN(Placement p,
                         LoadPlacement(store, placement_id, ctx.scope));
        if (p.verification == verification) {
          return absl::FailedPreconditionError(absl::StrCat(
              "placement '", placement_id, "' is already verified by ",
              SourceName(verification)));
        }
        ASSIGN_OR_RETURN(Trainee t, LoadTrainee(store, p.trainee_id));
        const VerificationSource previous = p.verification;
        p.verification = verification;
        p.verify_time = now;
        p.update_time = now;
        RETURN_IF_ERROR(store.UpdatePlacement(p));
        DomainEvent e = OfKind(EventKind::kPlacementVerified);
        e.placement = p;
        e.previous_verification = previous;
        RETURN_IF_ERROR(PublishTraineeEvent(store, ctx, now, t, t.state, e));
        t.update_time = now;
        RETURN_IF_ERROR(store.UpdateTrainee(t));
        TraineeResult out;
        out.trainee = t;
        out.placement = p;
        return out;
      });
}

absl::StatusOr<TraineeResult> PlacementService::EndPlacement(
    const RequestContext& ctx, const std::string& placement_id,
    std::optional<absl::CivilDay> end_date, PlacementEndReason code,
    const std::string& raw_note) {
  const absl::CivilDay today = Today();
  FieldViolations v = MutationViolations(ctx);
  CollectViolations(ValidateRequired(placement_id, "placement_id"), v);
  CollectViolations(
      command::ValidateReasonCode(
          code, &::jobintech::common::v1::PlacementEndReason_IsValid),
      v);
  std::string reason;
  CollectInto(NormalizeText(raw_note, "reason", kMaxReasonChars,
                            /*required=*/false, /*multiline=*/true),
              &reason, v);
  if (end_date.has_value() && *end_date > today) {
    v.Add("end_date", absl::StrCat("must not be in the future (today is ",
                                   Day(today), ")"));
  }
  RETURN_IF_ERROR(v.ToStatus());
  const absl::CivilDay end = end_date.value_or(today);
  const absl::Time now = NowMicros();
  return Mutate<TraineeResult>(
      *repository_, ctx, kOpEndPlacement, now,
      [&](PlacementStore& store) -> absl::StatusOr<TraineeResult> {
        ASSIGN_OR_RETURN(Placement p,
                         LoadPlacement(store, placement_id, ctx.scope));
        if (!p.active()) {
          return absl::FailedPreconditionError(
              absl::StrCat("placement '", placement_id, "' already ended on ",
                           Day(*p.end_date)));
        }
        if (end < p.start_date) {
          return InvalidField("end_date",
                              absl::StrCat("must not be before the start date ",
                                           Day(p.start_date)));
        }
        ASSIGN_OR_RETURN(Trainee t, LoadTrainee(store, p.trainee_id));
        if (!CanMove(t.state, ev::PLACEMENT_STATE_ENDED) ||
            t.current_placement_id != placement_id) {
          return absl::InternalError(absl::StrCat(
              "placement '", placement_id, "' is active but trainee '",
              t.trainee_id, "' is ", StateName(t.state),
              " with current placement '", t.current_placement_id, "'"));
        }
        p.end_date = end;
        p.end_reason = reason;
        p.end_reason_code = code;
        p.update_time = now;
        RETURN_IF_ERROR(store.UpdatePlacement(p));
        const PlacementState previous = t.state;
        t.state = ev::PLACEMENT_STATE_ENDED;
        t.current_placement_id.clear();
        DomainEvent e = OfKind(EventKind::kPlacementEnded);
        e.placement = p;
        RETURN_IF_ERROR(PublishTraineeEvent(store, ctx, now, t, previous, e));
        t.update_time = now;
        RETURN_IF_ERROR(store.UpdateTrainee(t));
        TraineeResult out;
        out.trainee = t;
        out.placement = p;
        return out;
      });
}

absl::StatusOr<TraineeResult> PlacementService::RecordFollowUp(
    const RequestContext& ctx, const NewFollowUp& input) {
  const absl::CivilDay today = Today();
  FieldViolations v = MutationViolations(ctx);
  CollectViolations(ValidateRequired(input.trainee_id, "trainee_id"), v);
  bool months_ok = false;
  for (int32_t m : kFollowUpMonths) months_ok |= m == input.months_after_exit;
  if (!months_ok) v.Add("months_after_exit", "must be 3, 6 or 12");
  if (!IsSet(input.outcome)) {
    v.Add("outcome",
          "is required (EMPLOYED_SAME_EMPLOYER, EMPLOYED_OTHER_EMPLOYER, "
          "NOT_EMPLOYED or UNREACHABLE)");
  } else if (input.outcome != ev::FOLLOW_UP_OUTCOME_EMPLOYED_OTHER_EMPLOYER &&
             !input.employer_id.empty()) {
    v.Add("employer_id", "is only given with EMPLOYED_OTHER_EMPLOYER");
  }
  RETURN_IF_ERROR(v.ToStatus());

  // A trainee without a record here has no follow-ups: no peer is asked.
  ASSIGN_OR_RETURN(
      std::optional<TraineeResult> replay,
      command::FindReplay<TraineeResult>(*repository_, ctx, kOpRecordFollowUp));
  if (replay.has_value()) return *std::move(replay);
  const absl::Time now = NowMicros();
  return Mutate<TraineeResult>(
      *repository_, ctx, kOpRecordFollowUp, now,
      [&](PlacementStore& store) -> absl::StatusOr<TraineeResult> {
        // Missing or out of scope: NOT_FOUND alike.
        ASSIGN_OR_RETURN(Trainee found,
                         LoadTrainee(store, input.trainee_id, ctx.scope));
        if (!found.first_placement_date.has_value()) {
          return absl::FailedPreconditionError(absl::StrCat(
              "trainee '", input.trainee_id,
              "' was never placed: follow-ups are recorded for placed "
              "trainees"));
        }
        Trainee t = std::move(found);
        const int32_t months = input.months_after_exit;
        ASSIGN_OR_RETURN(std::optional<FollowUp> scheduled,
                         store.FindFollowUp(t.trainee_id, months));
        if (!scheduled.has_value()) {
          return absl::FailedPreconditionError(absl::StrCat(
              "no +", months, "-month follow-up is scheduled for trainee '",
              t.trainee_id, "': first placed on ", Day(*t.first_placement_date),
              ", after its due date ", Day(AddMonths(t.exit.date, months))));
        }
        FollowUp f = *std::move(scheduled);
        if (f.recorded()) {
          return absl::AlreadyExistsError(absl::StrCat(
              "the +", months, "-month follow-up of trainee '", t.trainee_id,
              "' was already recorded on ", Day(*f.recorded_on), " (",
              OutcomeName(f.outcome), ")"));
        }
        if (f.due_date > today) {
          return absl::FailedPreconditionError(absl::StrCat(
              "the +", months, "-month follow-up of trainee '", t.trainee_id,
              "' is not due until ", Day(f.due_date)));
        }
        ASSIGN_OR_RETURN(const std::vector<Placement> placements,
                         store.PlacementsOfTrainee(t.trainee_id));
        const Placement* latest = LatestPlacement(placements);
        if (latest == nullptr) {
          return absl::InternalError(
              absl::StrCat("trainee '", t.trainee_id,
                           "' has a first placement date but "
                           "no placement"));
        }
        std::string employer_id;
        if (input.outcome == ev::FOLLOW_UP_OUTCOME_EMPLOYED_SAME_EMPLOYER) {
          employer_id = latest->employer_id;
        } else if (input.outcome ==
                       ev::FOLLOW_UP_OUTCOME_EMPLOYED_OTHER_EMPLOYER &&
                   !input.employer_id.empty()) {
          if (input.employer_id == latest->employer_id) {
            return InvalidField(
                "employer_id",
                absl::StrCat("is the employer of the placement followed up ('",
                             latest->placement_id,
                             "'); use EMPLOYED_SAME_EMPLOYER"));
          }
          ASSIGN_OR_RETURN(const Employer e,
                           LoadEmployer(store, input.employer_id));
          employer_id = e.employer_id;
        }
        f.outcome = input.outcome;
        f.placement_id = latest->placement_id;
        f.employer_id = employer_id;
        f.recorded_on = today;
        f.record_time = now;
        RETURN_IF_ERROR(store.UpdateFollowUp(f));
        DomainEvent e = OfKind(EventKind::kFollowUpRecorded);
        e.follow_up = f;
        RETURN_IF_ERROR(PublishTraineeEvent(store, ctx, now, t, t.state, e));
        t.update_time = now;
        RETURN_IF_ERROR(store.UpdateTrainee(t));
        TraineeResult out;
        out.trainee = t;
        out.follow_up = f;
        return out;
      });
}

absl::StatusOr<TraineeView> PlacementService::GetTrainee(
    const std::string& trainee_id, const command::Scope& scope) {
  RETURN_IF_ERROR(ValidateRequired(trainee_id, "trainee_id"));
  return ReadValue<TraineeView>(
      *repository_, [&](PlacementStore& store) -> absl::StatusOr<TraineeView> {
        TraineeView view;
        ASSIGN_OR_RETURN(view.trainee, LoadTrainee(store, trainee_id, scope));
        ASSIGN_OR_RETURN(view.offers, store.OffersOfTrainee(trainee_id));
        ASSIGN_OR_RETURN(view.placements,
                         store.PlacementsOfTrainee(trainee_id));
        ASSIGN_OR_RETURN(view.follow_ups, store.FollowUpsOfTrainee(trainee_id));
        return view;
      });
}

absl::StatusOr<Placement> PlacementService::GetPlacement(
    const std::string& placement_id, const command::Scope& scope) {
  RETURN_IF_ERROR(ValidateRequired(placement_id, "placement_id"));
  return ReadValue<Placement>(*repository_, [&](PlacementStore& store) {
    return LoadPlacement(store, placement_id, scope);
  });
}

absl::StatusOr<Page<Placement>> PlacementService::ListPlacements(
    const PlacementFilter& filter, PageQuery page,
    const command::Scope& scope) {
  page = ClampPage(std::move(page), rules_);
  return ReadValue<Page<Placement>>(
      *repository_,
      [&](PlacementStore& store) -> absl::StatusOr<Page<Placement>> {
        ASSIGN_OR_RETURN(Page<Placement> listed,
                         store.ListPlacements(filter, page));
        if (scope.national) return listed;
        // Rows out of scope are left out of the page (which may then hold
        // fewer items than asked; the page token still continues the scan).
        Page<Placement> out;
        out.next_after_key = std::move(listed.next_after_key);
        for (Placement& p : listed.items) {
          ASSIGN_OR_RETURN(std::optional<Trainee> t,
                           store.FindTrainee(p.trainee_id));
          if (t.has_value() && InScope(scope, *t))
            out.items.push_back(std::move(p));
        }
        return out;
      });
}

absl::StatusOr<Page<DueFollowUp>> PlacementService::ListDueFollowUps(
    const FollowUpFilter& filter, PageQuery page, const command::Scope& scope) {
  FieldViolations v;
  ValidateFilterLocation(filter.region_code, "", v);
  RETURN_IF_ERROR(v.ToStatus());
  page = ClampPage(std::move(page), rules_);
  const absl::CivilDay today = Today();
  return ReadValue<Page<DueFollowUp>>(
      *repository_,
      [&](PlacementStore& store) -> absl::StatusOr<Page<DueFollowUp>> {
        ASSIGN_OR_RETURN(Page<FollowUp> due,
                         store.ListDueFollowUps(today, filter, page));
        Page<DueFollowUp> out;
        out.next_after_key = std::move(due.next_after_key);
        for (FollowUp& f : due.items) {
          DueFollowUp item;
          ASSIGN_OR_RETURN(item.trainee, LoadTrainee(store, f.trainee_id));
          if (!InScope(scope, item.trainee)) continue;  // left out of the page
          item.follow_up = std::move(f);
          out.items.push_back(std::move(item));
        }
        return out;
      });
}

// ---------------------------------------------------------------- erasure

namespace {

// Clears the trainee's end note of `p`; 1 when there was one.
int32_t ClearNote(Placement& p, const std::string& trainee_id) {
  if (p.trainee_id != trainee_id || p.end_reason.empty()) return 0;
  p.end_reason.clear();
  return 1;
}

int32_t ClearNotes(ResponseSnapshot& snapshot, const std::string& trainee_id) {
  TraineeResult* r = std::get_if<TraineeResult>(&snapshot);
  if (r == nullptr || !r->placement.has_value()) return 0;
  return ClearNote(*r->placement, trainee_id);
}

}  // namespace

absl::StatusOr<NotesErasure> PlacementService::EraseTraineeNotes(
    const RequestContext& ctx, const std::string& trainee_id) {
  FieldViolations v = MutationViolations(ctx);
  CollectViolations(ValidateRequired(trainee_id, "trainee_id"), v);
  RETURN_IF_ERROR(v.ToStatus());
  NotesErasure out{.notes_erased = 0, .erase_time = NowMicros()};
  RETURN_IF_ERROR(
      repository_->Write([&](PlacementStore& store) -> absl::Status {
        out.notes_erased = 0;
        ASSIGN_OR_RETURN(std::vector<Placement> placements,
                         store.PlacementsOfTrainee(trainee_id));
        for (Placement& p : placements) {
          if (ClearNote(p, trainee_id) == 0) continue;
          ++out.notes_erased;
          RETURN_IF_ERROR(store.UpdatePlacement(p));
        }
        ASSIGN_OR_RETURN(std::vector<StoredRequest> stored,
                         store.StoredRequestsMentioning(trainee_id));
        for (StoredRequest& s : stored) {
          const int32_t n = ClearNotes(s.response, trainee_id);
          if (n == 0) continue;
          out.notes_erased += n;
          RETURN_IF_ERROR(
              store.ReplaceStoredResponse(s.request_id, s.response));
        }
        return absl::OkStatus();
      }));
  return out;
}

}  // namespace jit::placement
