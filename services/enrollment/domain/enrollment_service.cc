#include "services/enrollment/domain/enrollment_service.h"

#include <optional>
#include <string>
#include <utility>
#include <variant>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
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
#include "services/enrollment/domain/events.h"
#include "services/enrollment/domain/validation.h"

namespace jit::enrollment {
namespace {

using command::Mutate;
using command::MutationViolations;
using command::ReadValue;
using status::FieldViolations;

// Operation names stored with each request id: the RPCs they answer.
constexpr absl::string_view kOpUpdateProgramme = "UpdateProgramme";
constexpr absl::string_view kOpCreateTrack = "CreateTrack";
constexpr absl::string_view kOpCreateCentre = "CreateCentre";
constexpr absl::string_view kOpCreateCohort = "CreateCohort";
constexpr absl::string_view kOpUpdateCohort = "UpdateCohort";
constexpr absl::string_view kOpSubmitApplication = "SubmitApplication";
constexpr absl::string_view kOpAdmitApplication = "AdmitApplication";
constexpr absl::string_view kOpWaitlistApplication = "WaitlistApplication";
constexpr absl::string_view kOpRejectApplication = "RejectApplication";
constexpr absl::string_view kOpConfirmEnrolment = "ConfirmEnrolment";
constexpr absl::string_view kOpDeclineAdmission = "DeclineAdmission";
constexpr absl::string_view kOpWithdrawEnrolment = "WithdrawEnrolment";
constexpr absl::string_view kOpAdmitFromWaitlist = "AdmitFromWaitlist";
constexpr absl::string_view kOpEraseCandidate = "EraseCandidate";
constexpr absl::string_view kOpUpdateCandidateContact =
    "UpdateCandidateContact";

constexpr int32_t kMaxNationalTarget = 10'000'000;

constexpr ApplicationStatus kAllApplicationStatuses[] = {
    ApplicationStatus::kApplied,    ApplicationStatus::kAdmitted,
    ApplicationStatus::kWaitlisted, ApplicationStatus::kRejected,
    ApplicationStatus::kEnrolled,   ApplicationStatus::kDeclined,
    ApplicationStatus::kWithdrawn,
};

// The application lifecycle (ARCHITECTURE.md).
bool IsLegalMove(ApplicationStatus from, ApplicationStatus to) {
  using S = ApplicationStatus;
  switch (from) {
    case S::kApplied:
      return to == S::kAdmitted || to == S::kWaitlisted || to == S::kRejected;
    case S::kWaitlisted:
      return to == S::kAdmitted || to == S::kRejected;
    case S::kAdmitted:
      return to == S::kEnrolled || to == S::kDeclined;
    case S::kEnrolled:
      return to == S::kWithdrawn;
    case S::kRejected:
    case S::kDeclined:
    case S::kWithdrawn:
      return false;
  }
  return false;
}

// "APPLIED or WAITLISTED": the statuses from which `to` can be reached.
std::string LegalSources(ApplicationStatus to) {
  std::vector<std::string> from;
  for (ApplicationStatus s : kAllApplicationStatuses) {
    if (IsLegalMove(s, to)) from.emplace_back(StatusName(s));
  }
  return absl::StrJoin(from, " or ");
}

absl::Status IllegalMove(absl::string_view action, ApplicationStatus from,
                         ApplicationStatus to) {
  return absl::FailedPreconditionError(absl::StrCat(
      "cannot ", action, " an application that is ", StatusName(from), " (",
      StatusName(from), " -> ", StatusName(to),
      " is not a legal transition); it must be ", LegalSources(to)));
}

absl::Status NotFound(absl::string_view what, absl::string_view id) {
  return absl::NotFoundError(absl::StrCat(what, " '", id, "' not found"));
}

bool IsValidCohortStatus(CohortStatus s) {
  const int v = static_cast<int>(s);
  return v >= static_cast<int>(CohortStatus::kPlanned) &&
         v <= static_cast<int>(CohortStatus::kClosed);
}

bool IsValidApplicationStatus(ApplicationStatus s) {
  const int v = static_cast<int>(s);
  return v >= static_cast<int>(ApplicationStatus::kApplied) &&
         v <= static_cast<int>(ApplicationStatus::kWithdrawn);
}

bool TakesAdmissions(CohortStatus s) {
  return s == CohortStatus::kOpen || s == CohortStatus::kRunning;
}

PageQuery ClampPage(PageQuery page, const EnrollmentRules& rules) {
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

template <typename Snapshot>
absl::StatusOr<Snapshot> Identity(EnrollmentStore&, const Snapshot& s) {
  return s;
}

absl::StatusOr<CohortView> CohortViewOf(EnrollmentStore& store,
                                        const Cohort& cohort) {
  ASSIGN_OR_RETURN(SeatCounts seats, store.CountSeats(cohort.cohort_id));
  return CohortView{.cohort = cohort, .seats = seats};
}

// The operator's view of an application (possibly a stored snapshot): the
// candidate's current personal data and the current waitlist position.
absl::StatusOr<ApplicationView> ApplicationViewOf(EnrollmentStore& store,
                                                  const Application& app) {
  ApplicationView view;
  view.application = app;
  ASSIGN_OR_RETURN(std::optional<Candidate> candidate,
                   store.FindCandidate(app.trainee_id));
  if (candidate.has_value()) view.personal_data = candidate->personal_data;
  if (app.status == ApplicationStatus::kWaitlisted) {
    ASSIGN_OR_RETURN(std::optional<Application> current,
                     store.FindApplication(app.application_id));
    if (current.has_value() &&
        current->status == ApplicationStatus::kWaitlisted) {
      ASSIGN_OR_RETURN(view.waitlist_position,
                       store.WaitlistPosition(*current));
    }
  }
  return view;
}

// A cohort or application outside the caller's scope is reported exactly
// like a missing one: its existence is not disclosed.
absl::StatusOr<Cohort> LoadCohort(EnrollmentStore& store,
                                  const std::string& cohort_id,
                                  const command::Scope& scope = {}) {
  ASSIGN_OR_RETURN(std::optional<Cohort> cohort, store.FindCohort(cohort_id));
  if (!cohort.has_value() || !scope.Allows(cohort->region_code, cohort->centre_id)) {
    return NotFound("cohort", cohort_id);
  }
  return *std::move(cohort);
}

bool InScope(const command::Scope& scope, const Application& app) {
  return scope.Allows(app.dimensions.training_region_code, app.dimensions.centre_id);
}

absl::StatusOr<Application> LoadApplication(EnrollmentStore& store,
                                            const std::string& id,
                                            const command::Scope& scope = {}) {
  ASSIGN_OR_RETURN(std::optional<Application> app, store.FindApplication(id));
  if (!app.has_value() || !InScope(scope, *app)) return NotFound("application", id);
  return *std::move(app);
}

DomainEvent CatalogueEvent(EventKind kind, std::string aggregate_id,
                           int64_t sequence, const RequestContext& ctx,
                           absl::Time now) {
  DomainEvent e;
  e.kind = kind;
  e.aggregate_id = std::move(aggregate_id);
  e.sequence = sequence;
  command::StampEvent(e, ctx, now);
  return e;
}

// Takes the trainee's next event sequence (persisted on the candidate) and
// publishes the trainee event recording `app`'s move from `previous`.
absl::Status PublishTraineeEvent(EnrollmentStore& store,
                                 const RequestContext& ctx, absl::Time now,
                                 const Application& app,
                                 std::optional<ApplicationStatus> previous) {
  ASSIGN_OR_RETURN(std::optional<Candidate> candidate,
                   store.FindCandidate(app.trainee_id));
  if (!candidate.has_value()) {
    return absl::InternalError(absl::StrCat("application '", app.application_id,
                                            "' has no candidate"));
  }
  ++candidate->event_sequence;
  RETURN_IF_ERROR(store.UpdateCandidate(*candidate));

  DomainEvent e;
  e.kind = previous.has_value() ? TransitionEventKind(app.status)
                                : EventKind::kApplicationSubmitted;
  e.trainee_id = app.trainee_id;
  e.sequence = candidate->event_sequence;
  command::StampEvent(e, ctx, now);
  e.dimensions = app.dimensions;
  e.application_id = app.application_id;
  e.cohort_id = app.cohort_id;
  e.previous_status = previous;
  e.new_status = app.status;
  e.reason_code = app.reason_code;
  return store.Publish(e);
}

// Moves `app` to `to` (already checked legal), stores it and publishes the
// transition event. Waitlisting takes a new rank; leaving the waitlist
// clears it. The reason code and note are recorded on rejections, declines
// and withdrawals (the event carries the code only).
absl::Status MoveApplication(EnrollmentStore& store, const RequestContext& ctx,
                             absl::Time now, Application& app,
                             ApplicationStatus to, int32_t reason_code,
                             const std::string& note) {
  const ApplicationStatus from = app.status;
  app.status = to;
  if (to == ApplicationStatus::kWaitlisted) {
    ASSIGN_OR_RETURN(app.waitlist_rank, store.NextWaitlistRank());
  } else {
    app.waitlist_rank = 0;
  }
  const bool records_reason = to == ApplicationStatus::kRejected ||
                              to == ApplicationStatus::kDeclined ||
                              to == ApplicationStatus::kWithdrawn;
  if (records_reason) {
    app.reason = note;
    app.reason_code = reason_code;
  } else {
    app.reason_code = 0;
  }
  app.update_time = now;
  RETURN_IF_ERROR(store.UpdateApplication(app));
  return PublishTraineeEvent(store, ctx, now, app, from);
}

absl::Status CohortFull(const Cohort& cohort, const SeatCounts& seats) {
  return absl::FailedPreconditionError(
      absl::StrCat("cohort '", cohort.cohort_id, "' is full: ", seats.held(),
                   " of its ", cohort.capacity, " seats are held"));
}

absl::Status CohortNotTakingAdmissions(const Cohort& cohort,
                                       absl::string_view what) {
  return absl::FailedPreconditionError(absl::StrCat(
      "cohort '", cohort.cohort_id, "' is ", StatusName(cohort.status), "; ",
      what, " need an OPEN or RUNNING cohort"));
}

// The request of one lifecycle operation on an application.
struct MoveRequest {
  absl::string_view operation;  // "AdmitApplication"
  absl::string_view action;     // "admit", "confirm enrolment of"
  ApplicationStatus to;
  // Transitions with a reason: the generated `<Enum>_IsValid` of their code
  // (required) and an optional note; nullptr for the others.
  bool (*reason_code_known)(int) = nullptr;
};

}  // namespace

EnrollmentService::EnrollmentService(EnrollmentRepository* repository,
                                     const Clock* clock,
                                     const CinHasher* cin_hasher,
                                     EnrollmentRules rules)
    : repository_(repository),
      clock_(clock),
      cin_hasher_(cin_hasher),
      rules_(std::move(rules)) {}

// ---------------------------------------------------------------- programme

absl::StatusOr<Programme> EnrollmentService::GetProgramme() {
  return ReadValue<Programme>(*repository_, [](EnrollmentStore& store) {
    return store.GetProgramme();
  });
}

absl::StatusOr<Programme> EnrollmentService::UpdateProgramme(
    const RequestContext& ctx, std::optional<int32_t> target,
    std::optional<std::string> name) {
  FieldViolations v = MutationViolations(ctx);
  if (target.has_value() && (*target < 1 || *target > kMaxNationalTarget)) {
    v.Add("national_target",
          absl::StrCat("must be between 1 and ", kMaxNationalTarget));
  }
  std::optional<std::string> new_name;
  if (name.has_value()) {
    std::string normalized;
    CollectInto(NormalizeName(*name, "name"), &normalized, v);
    new_name = std::move(normalized);
  }
  RETURN_IF_ERROR(v.ToStatus());

  const absl::Time now = NowMicros();
  auto apply = [&](EnrollmentStore& store) -> absl::StatusOr<Programme> {
    ASSIGN_OR_RETURN(Programme programme, store.GetProgramme());
    bool changed = false;
    if (new_name.has_value() && *new_name != programme.name) {
      programme.name = *new_name;
      changed = true;
    }
    if (target.has_value() && *target != programme.national_target) {
      const int32_t previous = programme.national_target;
      programme.national_target = *target;
      changed = true;
      ASSIGN_OR_RETURN(int64_t seq,
                       store.NextAggregateSequence(kProgrammeAggregateId));
      DomainEvent e = CatalogueEvent(EventKind::kProgrammeTargetChanged,
                                     kProgrammeAggregateId, seq, ctx, now);
      e.previous_target = previous;
      e.national_target = *target;
      RETURN_IF_ERROR(store.Publish(e));
    }
    if (changed) {
      programme.update_time = now;
      RETURN_IF_ERROR(store.UpdateProgramme(programme));
    }
    return programme;
  };
  return Mutate<Programme, Programme>(*repository_, ctx, kOpUpdateProgramme,
                                      now, apply, Identity<Programme>);
}

// ---------------------------------------------------------------- tracks

absl::StatusOr<Track> EnrollmentService::CreateTrack(const RequestContext& ctx,
                                                     Track track) {
  FieldViolations v = MutationViolations(ctx);
  CollectViolations(ValidateTrackId(track.track_id, "track.track_id"), v);
  CollectInto(NormalizeName(track.name_fr, "track.name_fr"), &track.name_fr, v);
  CollectInto(NormalizeName(track.name_ar, "track.name_ar"), &track.name_ar, v);
  RETURN_IF_ERROR(v.ToStatus());

  const absl::Time now = NowMicros();
  track.create_time = now;
  auto apply = [&](EnrollmentStore& store) -> absl::StatusOr<Track> {
    ASSIGN_OR_RETURN(std::optional<Track> existing,
                     store.FindTrack(track.track_id));
    if (existing.has_value()) {
      return absl::AlreadyExistsError(
          absl::StrCat("track '", track.track_id, "' already exists"));
    }
    RETURN_IF_ERROR(store.InsertTrack(track));
    ASSIGN_OR_RETURN(int64_t seq, store.NextAggregateSequence(track.track_id));
    DomainEvent e =
        CatalogueEvent(EventKind::kTrackAdded, track.track_id, seq, ctx, now);
    e.track = track;
    RETURN_IF_ERROR(store.Publish(e));
    return track;
  };
  return Mutate<Track, Track>(*repository_, ctx, kOpCreateTrack, now, apply,
                              Identity<Track>);
}

absl::StatusOr<std::vector<Track>> EnrollmentService::ListTracks() {
  return ReadValue<std::vector<Track>>(
      *repository_, [](EnrollmentStore& store) { return store.ListTracks(); });
}

// ---------------------------------------------------------------- centres

absl::StatusOr<Centre> EnrollmentService::CreateCentre(
    const RequestContext& ctx, const NewCentre& input) {
  const geo::Atlas& atlas = geo::Atlas::Get();
  FieldViolations v = MutationViolations(ctx);
  Centre centre;
  CollectInto(NormalizeName(input.name, "name"), &centre.name, v);
  CollectInto(NormalizeName(input.operator_name, "operator_name"),
              &centre.operator_name, v);
  CollectViolations(
      atlas.ValidateProvince("province_code", input.province_code), v,
      "province_code");
  RETURN_IF_ERROR(v.ToStatus());

  const absl::Time now = NowMicros();
  centre.province_code = input.province_code;
  ASSIGN_OR_RETURN(centre.region_code,
                   atlas.RegionOfProvince(input.province_code));
  if (!ctx.scope.Allows(centre.region_code, "")) {
    return absl::PermissionDeniedError(
        absl::StrCat("missing permission 'centres.write' in region ", centre.region_code,
                     ": outside the caller's regions"));
  }
  centre.create_time = now;
  auto apply = [&](EnrollmentStore& store) -> absl::StatusOr<Centre> {
    Centre created = centre;
    created.centre_id = ids::NewOpaqueId("ctr");
    RETURN_IF_ERROR(store.InsertCentre(created));
    return created;
  };
  return Mutate<Centre, Centre>(*repository_, ctx, kOpCreateCentre, now, apply,
                                Identity<Centre>);
}

absl::StatusOr<Centre> EnrollmentService::GetCentre(
    const std::string& centre_id) {
  RETURN_IF_ERROR(ValidateRequired(centre_id, "centre_id"));
  return ReadValue<Centre>(
      *repository_, [&](EnrollmentStore& store) -> absl::StatusOr<Centre> {
        ASSIGN_OR_RETURN(std::optional<Centre> centre,
                         store.FindCentre(centre_id));
        if (!centre.has_value()) return NotFound("centre", centre_id);
        return *std::move(centre);
      });
}

absl::StatusOr<Page<Centre>> EnrollmentService::ListCentres(
    const CentreFilter& filter, PageQuery page) {
  FieldViolations v;
  ValidateFilterLocation(filter.region_code, filter.province_code, v);
  RETURN_IF_ERROR(v.ToStatus());
  page = ClampPage(std::move(page), rules_);
  return ReadValue<Page<Centre>>(*repository_, [&](EnrollmentStore& store) {
    return store.ListCentres(filter, page);
  });
}

// ---------------------------------------------------------------- cohorts

absl::StatusOr<CohortView> EnrollmentService::CreateCohort(
    const RequestContext& ctx, const NewCohort& input) {
  FieldViolations v = MutationViolations(ctx);
  Cohort cohort;
  CollectInto(NormalizeName(input.name, "name"), &cohort.name, v);
  CollectViolations(ValidateRequired(input.track_id, "track_id"), v);
  CollectViolations(ValidateRequired(input.centre_id, "centre_id"), v);
  if (input.capacity < 1) v.Add("capacity", "must be at least 1");
  if (!input.start_date.has_value()) v.Add("start_date", "is required");
  if (!input.end_date.has_value()) v.Add("end_date", "is required");
  if (input.start_date.has_value() && input.end_date.has_value() &&
      *input.end_date < *input.start_date) {
    v.Add("end_date",
          absl::StrCat("must not be before start_date (",
                       absl::FormatCivilTime(*input.start_date), ")"));
  }
  if (input.status.has_value() && !IsValidCohortStatus(*input.status)) {
    v.Add("status", "is not a valid cohort status");
  }
  RETURN_IF_ERROR(v.ToStatus());

  const absl::Time now = NowMicros();
  cohort.track_id = input.track_id;
  cohort.centre_id = input.centre_id;
  cohort.capacity = input.capacity;
  cohort.start_date = *input.start_date;
  cohort.end_date = *input.end_date;
  cohort.status = input.status.value_or(CohortStatus::kPlanned);
  cohort.create_time = now;
  cohort.update_time = now;
  auto apply = [&](EnrollmentStore& store) -> absl::StatusOr<Cohort> {
    ASSIGN_OR_RETURN(std::optional<Track> track,
                     store.FindTrack(input.track_id));
    if (!track.has_value()) return NotFound("track", input.track_id);
    ASSIGN_OR_RETURN(std::optional<Centre> centre,
                     store.FindCentre(input.centre_id));
    if (!centre.has_value()) return NotFound("centre", input.centre_id);
    // Centres are catalogue (GetCentre answers anyone on staff): a centre
    // outside the caller's scope is refused, not hidden.
    if (!ctx.scope.Allows(centre->region_code, centre->centre_id)) {
      return absl::PermissionDeniedError(
          absl::StrCat("missing permission 'cohorts.write' in centre ", centre->centre_id,
                       " (region ", centre->region_code, "): outside the caller's scope"));
    }
    Cohort created = cohort;
    created.cohort_id = ids::NewOpaqueId("coh");
    created.province_code = centre->province_code;
    created.region_code = centre->region_code;
    created.event_sequence = 1;
    RETURN_IF_ERROR(store.InsertCohort(created));
    DomainEvent e = CatalogueEvent(EventKind::kCohortOpened, created.cohort_id,
                                   created.event_sequence, ctx, now);
    e.cohort = created;
    RETURN_IF_ERROR(store.Publish(e));
    return created;
  };
  return Mutate<Cohort, CohortView>(*repository_, ctx, kOpCreateCohort, now,
                                    apply, CohortViewOf);
}

absl::StatusOr<CohortView> EnrollmentService::GetCohort(
    const std::string& cohort_id) {
  RETURN_IF_ERROR(ValidateRequired(cohort_id, "cohort_id"));
  return ReadValue<CohortView>(
      *repository_, [&](EnrollmentStore& store) -> absl::StatusOr<CohortView> {
        ASSIGN_OR_RETURN(Cohort cohort, LoadCohort(store, cohort_id));
        return CohortViewOf(store, cohort);
      });
}

absl::StatusOr<Page<CohortView>> EnrollmentService::ListCohorts(
    const CohortFilter& filter, PageQuery page) {
  FieldViolations v;
  ValidateFilterLocation(filter.region_code, filter.province_code, v);
  if (filter.status.has_value() && !IsValidCohortStatus(*filter.status)) {
    v.Add("status", "is not a valid cohort status");
  }
  RETURN_IF_ERROR(v.ToStatus());
  page = ClampPage(std::move(page), rules_);
  return ReadValue<Page<CohortView>>(
      *repository_,
      [&](EnrollmentStore& store) -> absl::StatusOr<Page<CohortView>> {
        ASSIGN_OR_RETURN(Page<Cohort> cohorts, store.ListCohorts(filter, page));
        Page<CohortView> out;
        out.next_after_key = std::move(cohorts.next_after_key);
        for (const Cohort& c : cohorts.items) {
          ASSIGN_OR_RETURN(CohortView view, CohortViewOf(store, c));
          out.items.push_back(std::move(view));
        }
        return out;
      });
}

absl::StatusOr<CohortView> EnrollmentService::UpdateCohort(
    const RequestContext& ctx, const std::string& cohort_id,
    const CohortUpdate& update) {
  FieldViolations v = MutationViolations(ctx);
  CollectViolations(ValidateRequired(cohort_id, "cohort_id"), v);
  if (update.capacity.has_value() && *update.capacity < 1) {
    v.Add("capacity", "must be at least 1");
  }
  if (update.status.has_value() && !IsValidCohortStatus(*update.status)) {
    v.Add("status", "is not a valid cohort status");
  }
  RETURN_IF_ERROR(v.ToStatus());

  const absl::Time now = NowMicros();
  auto apply = [&](EnrollmentStore& store) -> absl::StatusOr<Cohort> {
    ASSIGN_OR_RETURN(const Cohort before, LoadCohort(store, cohort_id, ctx.scope));
    Cohort after = before;
    if (update.status.has_value() && *update.status != before.status) {
      if (static_cast<int>(*update.status) < static_cast<int>(before.status)) {
        return absl::FailedPreconditionError(absl::StrCat(
            "cannot move cohort '", cohort_id, "' from ",
            StatusName(before.status), " back to ", StatusName(*update.status),
            "; cohort status moves forward only (PLANNED -> OPEN -> RUNNING "
            "-> CLOSED)"));
      }
      after.status = *update.status;
    }
    if (update.capacity.has_value() && *update.capacity != before.capacity) {
      ASSIGN_OR_RETURN(SeatCounts seats, store.CountSeats(cohort_id));
      if (*update.capacity < seats.held()) {
        return absl::FailedPreconditionError(
            absl::StrCat("cannot set the capacity of cohort '", cohort_id,
                         "' to ", *update.capacity, ": ", seats.held(),
                         " seats are already held (admitted or enrolled)"));
      }
      after.capacity = *update.capacity;
    }
    if (after.status == before.status && after.capacity == before.capacity) {
      return before;  // Nothing to change, nothing to publish.
    }
    after.update_time = now;
    ++after.event_sequence;
    RETURN_IF_ERROR(store.UpdateCohort(after));
    DomainEvent e = CatalogueEvent(EventKind::kCohortChanged, after.cohort_id,
                                   after.event_sequence, ctx, now);
    e.cohort = after;
    e.previous_capacity = before.capacity;
    e.previous_cohort_status = before.status;
    RETURN_IF_ERROR(store.Publish(e));
    return after;
  };
  return Mutate<Cohort, CohortView>(*repository_, ctx, kOpUpdateCohort, now,
                                    apply, CohortViewOf);
}

// ---------------------------------------------------------------- applications

absl::StatusOr<ApplicationView> EnrollmentService::SubmitApplication(
    const RequestContext& ctx, const NewApplication& input) {
  const geo::Atlas& atlas = geo::Atlas::Get();
  const absl::Time now = NowMicros();
  const absl::CivilDay today = absl::ToCivilDay(now, absl::UTCTimeZone());

  FieldViolations v = MutationViolations(ctx);
  CollectViolations(ValidateRequired(input.cohort_id, "cohort_id"), v);
  const CandidateInput& in = input.candidate;
  PersonalData person;
  CollectInto(NormalizeName(in.given_name, "candidate.given_name"),
              &person.given_name, v);
  CollectInto(NormalizeName(in.family_name, "candidate.family_name"),
              &person.family_name, v);
  CollectInto(NormalizeCin(in.national_id, "candidate.national_id"),
              &person.national_id, v);
  if (!in.birth_date.has_value()) {
    v.Add("candidate.birth_date", "is required");
  } else if (*in.birth_date > today) {
    v.Add("candidate.birth_date", "must not be in the future");
  } else if (in.birth_date->year() < 1900) {
    v.Add("candidate.birth_date", "must not be before 1900");
  } else {
    person.birth_date = *in.birth_date;
  }
  CollectInto(NormalizePhone(in.phone, "candidate.phone"), &person.phone, v);
  CollectInto(ValidateEmail(in.email, "candidate.email"), &person.email, v);
  if (input.gender == ::jobintech::common::v1::GENDER_UNSPECIFIED ||
      !::jobintech::common::v1::Gender_IsValid(input.gender)) {
    v.Add("gender", "is required (FEMALE or MALE)");
  }
  if (input.education_level ==
          ::jobintech::common::v1::EDUCATION_LEVEL_UNSPECIFIED ||
      !::jobintech::common::v1::EducationLevel_IsValid(input.education_level)) {
    v.Add("education_level", "is required");
  }
  CollectViolations(atlas.ValidateProvince("residence_province_code",
                                           input.residence_province_code),
                    v, "residence_province_code");
  RETURN_IF_ERROR(v.ToStatus());
  ASSIGN_OR_RETURN(const std::string residence_region,
                   atlas.RegionOfProvince(input.residence_province_code));

  auto apply = [&](EnrollmentStore& store) -> absl::StatusOr<Application> {
    ASSIGN_OR_RETURN(const Cohort cohort, LoadCohort(store, input.cohort_id, ctx.scope));
    if (cohort.status != CohortStatus::kOpen) {
      return absl::FailedPreconditionError(absl::StrCat(
          "cohort '", cohort.cohort_id, "' is ", StatusName(cohort.status),
          "; applications are accepted only while it is OPEN"));
    }
    const int age = AgeOn(person.birth_date, today);
    if (age < rules_.min_age || age > rules_.max_age) {
      return absl::FailedPreconditionError(
          absl::StrCat("the candidate is ", age, " years old on ",
                       absl::FormatCivilTime(today), "; eligible ages are ",
                       rules_.min_age, " to ", rules_.max_age));
    }

    // Duplicate detection through the keyed hash of the CIN.
    const std::string cin_hash = cin_hasher_->Hash(person.national_id);
    ASSIGN_OR_RETURN(std::optional<Candidate> existing,
                     store.FindCandidateByCinHash(cin_hash));
    std::string trainee_id;
    if (existing.has_value()) {
      ASSIGN_OR_RETURN(std::vector<Application> previous,
                       store.ApplicationsOfTrainee(existing->trainee_id));
      for (const Application& a : previous) {
        if (!IsActive(a.status)) continue;
        // Which application, and where it stands, only for a caller who may
        // read it.
        if (!InScope(ctx.scope, a)) {
          return absl::AlreadyExistsError(
              "a candidate with this national ID already has an active "
              "application");
        }
        return absl::AlreadyExistsError(absl::StrCat(
            "a candidate with this national ID already has an active "
            "application (",
            a.application_id, ", ", StatusName(a.status), ")"));
      }
      if (!existing->personal_data.has_value()) {
        return absl::InternalError(absl::StrCat(
            "candidate '", existing->trainee_id,
            "' has a national ID hash but no personal data"));
      }
      // An application never changes a known person's data.
      if (*existing->personal_data != person) {
        return absl::FailedPreconditionError(
            "a candidate with this national ID is already registered with "
            "other personal data, which an application does not change: "
            "update the contact data with UpdateCandidateContact (in the "
            "scope of one of the candidate's applications), then submit "
            "again with the registered data");
      }
      trainee_id = existing->trainee_id;
    } else {
      Candidate candidate;
      candidate.trainee_id = ids::NewOpaqueId("trn");
      candidate.cin_hash = cin_hash;
      candidate.personal_data = person;
      candidate.create_time = now;
      RETURN_IF_ERROR(store.InsertCandidate(candidate));
      trainee_id = candidate.trainee_id;
    }

    Application app;
    app.application_id = ids::NewOpaqueId("app");
    app.trainee_id = trainee_id;
    app.cohort_id = cohort.cohort_id;
    app.status = ApplicationStatus::kApplied;
    Dimensions& d = app.dimensions;
    d.gender = input.gender;
    d.age_band = AgeBandFor(age);
    d.education_level = input.education_level;
    d.residence_province_code = input.residence_province_code;
    d.residence_region_code = residence_region;
    d.training_province_code = cohort.province_code;
    d.training_region_code = cohort.region_code;
    d.track_id = cohort.track_id;
    d.cohort_id = cohort.cohort_id;
    d.centre_id = cohort.centre_id;
    app.submit_time = now;
    app.update_time = now;
    RETURN_IF_ERROR(store.InsertApplication(app));
    RETURN_IF_ERROR(
        PublishTraineeEvent(store, ctx, now, app, std::nullopt));
    return app;
  };
  return Mutate<Application, ApplicationView>(
      *repository_, ctx, kOpSubmitApplication, now, apply, ApplicationViewOf);
}

absl::StatusOr<ApplicationView> EnrollmentService::GetApplication(
    const std::string& application_id, const command::Scope& scope) {
  RETURN_IF_ERROR(ValidateRequired(application_id, "application_id"));
  return ReadValue<ApplicationView>(
      *repository_,
      [&](EnrollmentStore& store) -> absl::StatusOr<ApplicationView> {
        ASSIGN_OR_RETURN(Application app,
                         LoadApplication(store, application_id, scope));
        return ApplicationViewOf(store, app);
      });
}

absl::StatusOr<Page<ApplicationView>> EnrollmentService::ListApplications(
    const ApplicationFilter& filter, PageQuery page) {
  FieldViolations v;
  ValidateFilterLocation(filter.region_code, filter.province_code, v);
  if (filter.status.has_value() && !IsValidApplicationStatus(*filter.status)) {
    v.Add("status", "is not a valid application status");
  }
  RETURN_IF_ERROR(v.ToStatus());
  page = ClampPage(std::move(page), rules_);
  return ReadValue<Page<ApplicationView>>(
      *repository_,
      [&](EnrollmentStore& store) -> absl::StatusOr<Page<ApplicationView>> {
        ASSIGN_OR_RETURN(Page<Application> apps,
                         store.ListApplications(filter, page));
        Page<ApplicationView> out;
        out.next_after_key = std::move(apps.next_after_key);
        for (const Application& a : apps.items) {
          ASSIGN_OR_RETURN(ApplicationView view, ApplicationViewOf(store, a));
          out.items.push_back(std::move(view));
        }
        return out;
      });
}

namespace {

// Validates and runs one lifecycle operation on an application. Admitting
// an APPLIED application to a full cohort waitlists it instead.
absl::StatusOr<ApplicationView> RunMove(EnrollmentRepository& repository,
                                        const Clock& clock,
                                        const RequestContext& ctx,
                                        const MoveRequest& move,
                                        const std::string& application_id,
                                        int reason_code,
                                        const std::string& raw_note) {
  FieldViolations v = MutationViolations(ctx);
  CollectViolations(ValidateRequired(application_id, "application_id"), v);
  std::string note;
  if (move.reason_code_known != nullptr) {
    CollectViolations(
        command::ValidateReasonCode(reason_code, move.reason_code_known), v);
    CollectInto(NormalizeReason(raw_note, /*required=*/false), &note, v);
  }
  RETURN_IF_ERROR(v.ToStatus());

  const absl::Time now = clock.Now();
  auto apply = [&](EnrollmentStore& store) -> absl::StatusOr<Application> {
    ASSIGN_OR_RETURN(Application app, LoadApplication(store, application_id, ctx.scope));
    if (!IsLegalMove(app.status, move.to)) {
      return IllegalMove(move.action, app.status, move.to);
    }
    ApplicationStatus to = move.to;
    if (to == ApplicationStatus::kAdmitted ||
        to == ApplicationStatus::kEnrolled) {
      ASSIGN_OR_RETURN(const Cohort cohort, LoadCohort(store, app.cohort_id));
      if (!TakesAdmissions(cohort.status)) {
        return CohortNotTakingAdmissions(cohort,
                                         to == ApplicationStatus::kAdmitted
                                             ? "admissions"
                                             : "enrolment confirmations");
      }
      ASSIGN_OR_RETURN(const SeatCounts seats,
                       store.CountSeats(cohort.cohort_id));
      if (to == ApplicationStatus::kAdmitted &&
          seats.held() >= cohort.capacity) {
        if (app.status != ApplicationStatus::kApplied) {
          return CohortFull(cohort, seats);
        }
        to = ApplicationStatus::kWaitlisted;
      }
      // The admitted application already holds its seat; this guards the
      // invariant enrolled <= capacity should the counts ever disagree.
      if (to == ApplicationStatus::kEnrolled &&
          seats.enrolled >= cohort.capacity) {
        return CohortFull(cohort, seats);
      }
    }
    RETURN_IF_ERROR(
        MoveApplication(store, ctx, now, app, to, reason_code, note));
    return app;
  };
  return Mutate<Application, ApplicationView>(repository, ctx, move.operation,
                                              now, apply, ApplicationViewOf);
}

}  // namespace

absl::StatusOr<ApplicationView> EnrollmentService::Admit(
    const RequestContext& ctx, const std::string& application_id) {
  return RunMove(*repository_, *clock_, ctx,
                 {kOpAdmitApplication, "admit", ApplicationStatus::kAdmitted},
                 application_id, 0, "");
}

absl::StatusOr<ApplicationView> EnrollmentService::Waitlist(
    const RequestContext& ctx, const std::string& application_id) {
  return RunMove(*repository_, *clock_, ctx,
                 {kOpWaitlistApplication, "waitlist",
                  ApplicationStatus::kWaitlisted},
                 application_id, 0, "");
}

absl::StatusOr<ApplicationView> EnrollmentService::Reject(
    const RequestContext& ctx, const std::string& application_id,
    RejectionReason code, const std::string& note) {
  return RunMove(*repository_, *clock_, ctx,
                 {kOpRejectApplication, "reject", ApplicationStatus::kRejected,
                  &::jobintech::common::v1::RejectionReason_IsValid},
                 application_id, code, note);
}

absl::StatusOr<ApplicationView> EnrollmentService::ConfirmEnrolment(
    const RequestContext& ctx, const std::string& application_id) {
  return RunMove(*repository_, *clock_, ctx,
                 {kOpConfirmEnrolment, "confirm enrolment of",
                  ApplicationStatus::kEnrolled},
                 application_id, 0, "");
}

absl::StatusOr<ApplicationView> EnrollmentService::DeclineAdmission(
    const RequestContext& ctx, const std::string& application_id,
    DeclineReason code, const std::string& note) {
  return RunMove(*repository_, *clock_, ctx,
                 {kOpDeclineAdmission, "decline admission of",
                  ApplicationStatus::kDeclined,
                  &::jobintech::common::v1::DeclineReason_IsValid},
                 application_id, code, note);
}

absl::StatusOr<ApplicationView> EnrollmentService::WithdrawEnrolment(
    const RequestContext& ctx, const std::string& application_id,
    WithdrawalReason code, const std::string& note) {
  return RunMove(*repository_, *clock_, ctx,
                 {kOpWithdrawEnrolment, "withdraw enrolment of",
                  ApplicationStatus::kWithdrawn,
                  &::jobintech::common::v1::WithdrawalReason_IsValid},
                 application_id, code, note);
}

absl::StatusOr<ApplicationView> EnrollmentService::AdmitFromWaitlist(
    const RequestContext& ctx, const std::string& cohort_id) {
  FieldViolations v = MutationViolations(ctx);
  CollectViolations(ValidateRequired(cohort_id, "cohort_id"), v);
  RETURN_IF_ERROR(v.ToStatus());

  const absl::Time now = NowMicros();
  auto apply = [&](EnrollmentStore& store) -> absl::StatusOr<Application> {
    ASSIGN_OR_RETURN(const Cohort cohort, LoadCohort(store, cohort_id, ctx.scope));
    if (!TakesAdmissions(cohort.status)) {
      return CohortNotTakingAdmissions(cohort, "admissions");
    }
    ASSIGN_OR_RETURN(std::optional<Application> first,
                     store.FirstWaitlisted(cohort_id));
    if (!first.has_value()) {
      return absl::NotFoundError(absl::StrCat(
          "nobody is on the waitlist of cohort '", cohort_id, "'"));
    }
    ASSIGN_OR_RETURN(const SeatCounts seats, store.CountSeats(cohort_id));
    if (seats.held() >= cohort.capacity) return CohortFull(cohort, seats);
    Application app = *std::move(first);
    RETURN_IF_ERROR(MoveApplication(store, ctx, now, app,
                                    ApplicationStatus::kAdmitted, 0, ""));
    return app;
  };
  return Mutate<Application, ApplicationView>(
      *repository_, ctx, kOpAdmitFromWaitlist, now, apply, ApplicationViewOf);
}

// ---------------------------------------------------------------- trainees

absl::StatusOr<TraineeRecord> EnrollmentService::LookupTrainee(
    const std::string& trainee_id, const std::string& cohort_id,
    const command::Scope& scope) {
  RETURN_IF_ERROR(ValidateRequired(trainee_id, "trainee_id"));
  return ReadValue<TraineeRecord>(
      *repository_,
      [&](EnrollmentStore& store) -> absl::StatusOr<TraineeRecord> {
        ASSIGN_OR_RETURN(std::optional<Candidate> candidate,
                         store.FindCandidate(trainee_id));
        if (!candidate.has_value()) return NotFound("trainee", trainee_id);
        ASSIGN_OR_RETURN(std::vector<Application> apps,
                         store.ApplicationsOfTrainee(trainee_id));
        const Application* latest = nullptr;
        bool any_in_scope = false;
        for (const Application& a : apps) {
          if (!InScope(scope, a)) continue;
          any_in_scope = true;
          if (cohort_id.empty() || a.cohort_id == cohort_id) latest = &a;
        }
        // A trainee none of whose applications is in scope is not disclosed.
        if (!any_in_scope) return NotFound("trainee", trainee_id);
        if (latest == nullptr) {
          if (cohort_id.empty()) {
            return absl::NotFoundError(
                absl::StrCat("trainee '", trainee_id, "' has no application"));
          }
          return absl::NotFoundError(
              absl::StrCat("trainee '", trainee_id,
                           "' has no application to cohort '", cohort_id, "'"));
        }
        ASSIGN_OR_RETURN(const Cohort cohort,
                         LoadCohort(store, latest->cohort_id));
        TraineeRecord record;
        record.trainee_id = trainee_id;
        record.application = *latest;
        record.cohort_start_date = cohort.start_date;
        record.cohort_end_date = cohort.end_date;
        return record;
      });
}

namespace {

// A stored answer about `trainee_id` without its free text (the answer to
// keep for replays after the erasure), or nullopt for an answer about
// something else. Answers hold no personal data (the views re-read it), but
// an Application holds the staff's note.
std::optional<ResponseSnapshot> ScrubbedAnswer(const std::string& trainee_id,
                                               const ResponseSnapshot& answer) {
  if (const auto* app = std::get_if<Application>(&answer);
      app != nullptr && app->trainee_id == trainee_id) {
    Application scrubbed = *app;
    scrubbed.reason.clear();
    return scrubbed;
  }
  if (const auto* update = std::get_if<ContactUpdate>(&answer);
      update != nullptr && update->trainee_id == trainee_id) {
    return *update;
  }
  return std::nullopt;
}

absl::StatusOr<CandidateView> CandidateViewOf(EnrollmentStore& store,
                                              const ContactUpdate& update) {
  ASSIGN_OR_RETURN(std::optional<Candidate> candidate,
                   store.FindCandidate(update.trainee_id));
  if (!candidate.has_value()) return NotFound("trainee", update.trainee_id);
  return CandidateView{.trainee_id = update.trainee_id,
                       .personal_data = candidate->personal_data,
                       .update_time = update.update_time};
}

}  // namespace

absl::StatusOr<EraseResult> EnrollmentService::EraseCandidate(
    const RequestContext& ctx, const std::string& trainee_id) {
  FieldViolations v = MutationViolations(ctx);
  CollectViolations(ValidateRequired(trainee_id, "trainee_id"), v);
  RETURN_IF_ERROR(v.ToStatus());

  const absl::Time now = NowMicros();
  auto apply = [&](EnrollmentStore& store) -> absl::StatusOr<EraseResult> {
    ASSIGN_OR_RETURN(std::optional<Candidate> candidate,
                     store.FindCandidate(trainee_id));
    if (!candidate.has_value()) return NotFound("trainee", trainee_id);
    // Already erased: the first erasure's time; what follows purges again
    // whatever an earlier version left.
    const absl::Time erase_time = candidate->erase_time.value_or(now);
    if (!candidate->erase_time.has_value()) {
      candidate->personal_data.reset();
      candidate->cin_hash.clear();
      candidate->erase_time = erase_time;
      RETURN_IF_ERROR(store.UpdateCandidate(*candidate));
    }
    // The staff's free-text notes can name the person.
    ASSIGN_OR_RETURN(std::vector<Application> apps,
                     store.ApplicationsOfTrainee(trainee_id));
    for (Application& app : apps) {
      if (app.reason.empty()) continue;
      app.reason.clear();
      RETURN_IF_ERROR(store.UpdateApplication(app));
    }
    RETURN_IF_ERROR(
        command::EraseStoredAnswers(
            store, trainee_id,
            [&](const ResponseSnapshot& answer) {
              return ScrubbedAnswer(trainee_id, answer);
            },
            erase_time)
            .status());
    RETURN_IF_ERROR(store.EraseEventNotes(trainee_id).status());
    return EraseResult{.trainee_id = trainee_id, .erase_time = erase_time};
  };
  absl::StatusOr<EraseResult> result = Mutate<EraseResult, EraseResult>(
      *repository_, ctx, kOpEraseCandidate, now, apply, Identity<EraseResult>);
  if (result.ok()) repository_->FlushErasure();
  return result;
}

absl::StatusOr<CandidateView> EnrollmentService::UpdateCandidateContact(
    const RequestContext& ctx, const std::string& trainee_id,
    const ContactInput& contact) {
  FieldViolations v = MutationViolations(ctx);
  CollectViolations(ValidateRequired(trainee_id, "trainee_id"), v);
  ContactInput normalized;
  CollectInto(NormalizePhone(contact.phone, "phone"), &normalized.phone, v);
  CollectInto(ValidateEmail(contact.email, "email"), &normalized.email, v);
  RETURN_IF_ERROR(v.ToStatus());

  const absl::Time now = NowMicros();
  auto apply = [&](EnrollmentStore& store) -> absl::StatusOr<ContactUpdate> {
    ASSIGN_OR_RETURN(std::optional<Candidate> candidate,
                     store.FindCandidate(trainee_id));
    if (!candidate.has_value()) return NotFound("trainee", trainee_id);
    ASSIGN_OR_RETURN(std::vector<Application> apps,
                     store.ApplicationsOfTrainee(trainee_id));
    bool any_in_scope = ctx.scope.national;
    for (const Application& a : apps) any_in_scope = any_in_scope || InScope(ctx.scope, a);
    // A trainee none of whose applications is in scope is not disclosed.
    if (!any_in_scope) return NotFound("trainee", trainee_id);
    if (!candidate->personal_data.has_value()) {
      return absl::FailedPreconditionError(absl::StrCat(
          "the personal data of trainee '", trainee_id,
          "' was erased; it cannot be changed"));
    }
    PersonalData& person = *candidate->personal_data;
    if (person.phone != normalized.phone || person.email != normalized.email) {
      person.phone = normalized.phone;
      person.email = normalized.email;
      RETURN_IF_ERROR(store.UpdateCandidate(*candidate));
    }
    return ContactUpdate{.trainee_id = trainee_id, .update_time = now};
  };
  return Mutate<ContactUpdate, CandidateView>(*repository_, ctx,
                                              kOpUpdateCandidateContact, now,
                                              apply, CandidateViewOf);
}

absl::Time EnrollmentService::NowMicros() const {
  return command::TruncateToMicros(clock_->Now());
}

}  // namespace jit::enrollment
