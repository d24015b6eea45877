#include "services/training-progress/domain/progress_service.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <optional>
#include <string>
#include <type_traits>
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
#include "libs/ids/ids.h"
#include "libs/status/field_violations.h"
#include "libs/status/status_macros.h"
#include "services/training-progress/domain/events.h"
#include "services/training-progress/domain/validation.h"

namespace jit::progress {
namespace {

using command::Mutate;
using command::MutationViolations;
using command::ReadValue;
using status::FieldViolations;
using status::InvalidField;

// Operation names stored with each request id: the RPCs they answer.
constexpr absl::string_view kOpPublishCurriculum = "PublishCurriculum";
constexpr absl::string_view kOpRecordAttendance = "RecordAttendance";
constexpr absl::string_view kOpRecordAssessment = "RecordAssessment";
constexpr absl::string_view kOpRecordDropOut = "RecordDropOut";
constexpr absl::string_view kOpIssueCertificate = "IssueCertificate";
constexpr absl::string_view kOpRevokeCertificate = "RevokeCertificate";

// Recorded as the reason of a withdrawal learned from the enrollment
// service (its lookup does not return the enrollment-side reason).
constexpr char kWithdrawalReason[] = "withdrawn in the enrollment service";

std::string Day(absl::CivilDay d) { return absl::FormatCivilTime(d); }

// Whether a trainee's record lies in the caller's scope (its cohort's
// region or centre).
bool InScope(const command::Scope& scope, const TraineeRecord& record) {
  return scope.Allows(record.dimensions.training_region_code,
                      record.dimensions.centre_id);
}

absl::Status NoRecord(const std::string& cohort_id,
                      const std::string& trainee_id) {
  return absl::NotFoundError(absl::StrCat("no training of trainee '",
                                          trainee_id, "' in cohort '",
                                          cohort_id, "' is recorded"));
}

PageQuery ClampPage(PageQuery page, const ProgressRules& rules) {
  return command::ClampPage(std::move(page), rules.default_page_size,
                            rules.max_page_size);
}

bool IsValidMark(AttendanceMark m) {
  const int v = static_cast<int>(m);
  return v >= static_cast<int>(AttendanceMark::kPresent) &&
         v <= static_cast<int>(AttendanceMark::kUnexcusedAbsence);
}

// INVALID_ARGUMENT on `field` unless `day` lies within the cohort's dates.
absl::Status CheckWithinCohort(absl::CivilDay day,
                               const TraineeEnrolment& enrolment,
                               absl::string_view field) {
  if (day < enrolment.cohort_start_date || day > enrolment.cohort_end_date) {
    return InvalidField(
        std::string(field),
        absl::StrCat(Day(day), " is outside the dates of cohort '",
                     enrolment.cohort_id, "' (",
                     Day(enrolment.cohort_start_date), " to ",
                     Day(enrolment.cohort_end_date), ")"));
  }
  return absl::OkStatus();
}

// INVALID_ARGUMENT on `field` when `day` is after `today`: the service
// records what happened, never what is planned (placement refuses the same).
void RefuseFutureDay(const std::optional<absl::CivilDay>& day,
                     absl::string_view field, absl::CivilDay today,
                     FieldViolations& v) {
  if (day.has_value() && *day > today) {
    v.Add(
        std::string(field),
        absl::StrCat("must not be in the future (today is ", Day(today), ")"));
  }
}

// The stored answer of `ctx.request_id` when it was already answered for
// `operation` (read transaction); nullopt when the request is new.
template <typename Snapshot>
absl::StatusOr<std::optional<Snapshot>> StoredAnswer(
    ProgressRepository& repository, const RequestContext& ctx,
    absl::string_view operation) {
  return command::FindReplay<Snapshot>(repository, ctx, operation);
}

absl::StatusOr<Curriculum> LoadCurriculum(ProgressStore& store,
                                          const std::string& track_id,
                                          int32_t version) {
  ASSIGN_OR_RETURN(std::optional<Curriculum> curriculum,
                   store.FindCurriculum(track_id, version));
  if (!curriculum.has_value()) {
    return absl::DataLossError(absl::StrCat("curriculum version ", version,
                                            " of track '", track_id,
                                            "' is missing"));
  }
  return *std::move(curriculum);
}

// The curriculum the cohort follows; pins the track's latest version at the
// cohort's first record.
absl::StatusOr<Curriculum> CohortCurriculumOf(ProgressStore& store,
                                              const std::string& cohort_id,
                                              const std::string& track_id,
                                              absl::Time now) {
  ASSIGN_OR_RETURN(std::optional<CohortCurriculum> pin,
                   store.FindCohortCurriculum(cohort_id));
  if (pin.has_value()) {
    return LoadCurriculum(store, pin->track_id, pin->version);
  }
  ASSIGN_OR_RETURN(std::optional<Curriculum> latest,
                   store.FindCurriculum(track_id, 0));
  if (!latest.has_value()) {
    return absl::FailedPreconditionError(
        absl::StrCat("no curriculum is published for track '", track_id,
                     "': publish one before recording the training of cohort '",
                     cohort_id, "'"));
  }
  RETURN_IF_ERROR(store.InsertCohortCurriculum(
      CohortCurriculum{.cohort_id = cohort_id,
                       .track_id = latest->track_id,
                       .version = latest->version,
                       .pin_time = now}));
  return *std::move(latest);
}

absl::StatusOr<const Module*> ModuleOf(const Curriculum& curriculum,
                                       const std::string& module_id) {
  const Module* module = curriculum.FindModule(module_id);
  if (module == nullptr) {
    return InvalidField(
        "module_id",
        absl::StrCat("unknown module '", module_id, "': not in version ",
                     curriculum.version, " of the curriculum of track '",
                     curriculum.track_id, "' that the cohort follows"));
  }
  return module;
}

// The trainee's record in the cohort, created (ENROLLED, following
// `curriculum`) at the trainee's first record. The dimensions are refreshed
// from the lookup.
absl::StatusOr<TraineeRecord> LoadOrCreateTrainee(
    ProgressStore& store, const TraineeEnrolment& enrolment,
    const Curriculum& curriculum, absl::Time now) {
  ASSIGN_OR_RETURN(
      std::optional<TraineeRecord> existing,
      store.FindTrainee(enrolment.cohort_id, enrolment.trainee_id));
  if (existing.has_value()) {
    existing->dimensions = enrolment.dimensions;
    return *std::move(existing);
  }
  TraineeRecord record;
  record.cohort_id = enrolment.cohort_id;
  record.trainee_id = enrolment.trainee_id;
  record.application_id = enrolment.application_id;
  record.track_id = curriculum.track_id;
  record.curriculum_version = curriculum.version;
  record.status = TrainingStatus::kEnrolled;
  record.dimensions = enrolment.dimensions;
  record.create_time = now;
  record.update_time = now;
  RETURN_IF_ERROR(store.InsertTrainee(record));
  return record;
}

absl::Status RefuseLeft(const TraineeRecord& record, absl::string_view what) {
  return absl::FailedPreconditionError(
      absl::StrCat("cannot record ", what, " for trainee '", record.trainee_id,
                   "' in cohort '", record.cohort_id, "': the training is ",
                   StatusName(record.status),
                   record.exit_date.has_value()
                       ? absl::StrCat(" since ", Day(*record.exit_date))
                       : std::string()));
}

// Every module of the curriculum with the trainee's best attempt.
std::vector<ModuleResult> ResultsOf(
    const Curriculum& curriculum, const std::vector<Assessment>& assessments) {
  std::vector<ModuleResult> out;
  out.reserve(curriculum.modules.size());
  for (const Module& m : curriculum.modules) {
    ModuleResult r;
    r.module_id = m.module_id;
    r.required = m.required;
    for (const Assessment& a : assessments) {
      if (a.module_id != m.module_id) continue;
      r.best_score =
          r.attempts == 0 ? a.score : std::max(r.best_score, a.score);
      ++r.attempts;
    }
    r.passed = r.attempts > 0 && r.best_score >= m.pass_mark;
    out.push_back(std::move(r));
  }
  return out;
}

double RequiredPassedRatio(const std::vector<ModuleResult>& results) {
  int required = 0;
  int passed = 0;
  for (const ModuleResult& r : results) {
    if (!r.required) continue;
    ++required;
    passed += r.passed ? 1 : 0;
  }
  return required == 0 ? 0 : static_cast<double>(passed) / required;
}

TraineeProgress BuildProgress(const TraineeRecord& record,
                              const Curriculum& curriculum,
                              const std::vector<Assessment>& assessments) {
  TraineeProgress p;
  p.record = record;
  p.modules = ResultsOf(curriculum, assessments);
  p.required_passed_ratio = RequiredPassedRatio(p.modules);
  p.attendance_rate =
      AttendanceRate(record.sessions_present, record.sessions_unexcused);
  return p;
}

absl::StatusOr<TraineeProgress> ProgressOf(ProgressStore& store,
                                           const TraineeRecord& record) {
  ASSIGN_OR_RETURN(
      Curriculum curriculum,
      LoadCurriculum(store, record.track_id, record.curriculum_version));
  ASSIGN_OR_RETURN(
      std::vector<Assessment> assessments,
      store.AssessmentsOfTrainee(record.cohort_id, record.trainee_id));
  return BuildProgress(record, curriculum, assessments);
}

// A trainee event about `record` (status after the change), without its
// sequence.
DomainEvent EventOf(EventKind kind, const TraineeRecord& record,
                    const RequestContext& ctx, absl::Time now) {
  DomainEvent e;
  e.kind = kind;
  e.trainee_id = record.trainee_id;
  command::StampEvent(e, ctx, now);
  e.dimensions = record.dimensions;
  e.cohort_id = record.cohort_id;
  e.new_status = record.status;
  return e;
}

// Takes the trainee's next sequence and appends the event to the outbox.
absl::Status Emit(ProgressStore& store, DomainEvent e) {
  ASSIGN_OR_RETURN(e.sequence, store.NextTraineeSequence(e.trainee_id));
  return store.Publish(e);
}

// Recomputes the attendance counters and the at-risk streak of `record`
// from its full history (in session-date order, so that a late record of an
// earlier session counts where it belongs).
void ApplyAttendanceHistory(const std::vector<AttendanceRecord>& history,
                            int at_risk_absences, TraineeRecord& record) {
  record.sessions_present = 0;
  record.sessions_excused = 0;
  record.sessions_unexcused = 0;
  record.consecutive_unexcused = 0;
  for (const AttendanceRecord& a : history) {
    switch (a.mark) {
      case AttendanceMark::kPresent:
        ++record.sessions_present;
        record.consecutive_unexcused = 0;
        break;
      case AttendanceMark::kExcusedAbsence:
        ++record.sessions_excused;
        break;
      case AttendanceMark::kUnexcusedAbsence:
        ++record.sessions_unexcused;
        ++record.consecutive_unexcused;
        break;
    }
  }
  record.at_risk = InTraining(record.status) &&
                   record.consecutive_unexcused >= at_risk_absences;
}

}  // namespace

ProgressService::ProgressService(ProgressRepository* repository,
                                 EnrollmentClient* enrollment,
                                 const Clock* clock, ProgressRules rules)
    : repository_(repository),
      enrollment_(enrollment),
      clock_(clock),
      rules_(std::move(rules)) {}

// ---------------------------------------------------------------- curricula

absl::StatusOr<Curriculum> ProgressService::PublishCurriculum(
    const RequestContext& ctx, const std::string& track_id,
    std::vector<Module> modules) {
  FieldViolations v = MutationViolations(ctx);
  CollectViolations(ValidateKebabId(track_id, "track_id"), v);
  std::vector<Module> validated;
  CollectInto(ValidateModules(std::move(modules)), &validated, v);
  RETURN_IF_ERROR(v.ToStatus());

  const absl::Time now = NowMicros();
  auto apply = [&](ProgressStore& store) -> absl::StatusOr<Curriculum> {
    ASSIGN_OR_RETURN(std::optional<Curriculum> latest,
                     store.FindCurriculum(track_id, 0));
    Curriculum c;
    c.track_id = track_id;
    c.version = latest.has_value() ? latest->version + 1 : 1;
    c.modules = validated;
    c.publish_time = now;
    RETURN_IF_ERROR(store.InsertCurriculum(c));
    return c;
  };
  return Mutate<Curriculum>(*repository_, ctx, kOpPublishCurriculum, now,
                            apply);
}

absl::StatusOr<Curriculum> ProgressService::GetCurriculum(
    const std::string& track_id, int32_t version) {
  FieldViolations v;
  CollectViolations(ValidateKebabId(track_id, "track_id"), v);
  if (version < 0) v.Add("version", "must not be negative (0 = the latest)");
  RETURN_IF_ERROR(v.ToStatus());
  return ReadValue<Curriculum>(
      *repository_, [&](ProgressStore& store) -> absl::StatusOr<Curriculum> {
        ASSIGN_OR_RETURN(std::optional<Curriculum> c,
                         store.FindCurriculum(track_id, version));
        if (!c.has_value()) {
          return absl::NotFoundError(
              version == 0
                  ? absl::StrCat("no curriculum is published for track '",
                                 track_id, "'")
                  : absl::StrCat("curriculum version ", version, " of track '",
                                 track_id, "' not found"));
        }
        return *std::move(c);
      });
}

// ---------------------------------------------------------------- enrollment

absl::StatusOr<TraineeEnrolment> ProgressService::RequireEnrolled(
    const RequestContext& ctx, const std::string& trainee_id,
    const std::string& cohort_id) {
  absl::StatusOr<TraineeEnrolment> enrolment =
      enrollment_->Lookup(trainee_id, cohort_id, command::PeerContextOf(ctx));
  if (!enrolment.ok()) {
    if (absl::IsNotFound(enrolment.status())) {
      return absl::NotFoundError(absl::StrCat(
          "trainee '", trainee_id, "' is not enrolled in cohort '", cohort_id,
          "': the enrollment service knows no application of the trainee to "
          "the cohort"));
    }
    return enrolment.status();
  }
  // A trainee out of the caller's scope is reported like one not enrolled.
  if (!ctx.scope.Allows(enrolment->dimensions.training_region_code,
                        enrolment->dimensions.centre_id)) {
    return absl::NotFoundError(absl::StrCat(
        "trainee '", trainee_id, "' is not enrolled in cohort '", cohort_id,
        "': the enrollment service knows no application of the trainee to "
        "the cohort"));
  }
  if (enrolment->trainee_id != trainee_id ||
      enrolment->cohort_id != cohort_id) {
    return absl::InternalError(absl::StrCat(
        "the enrollment service answered for trainee '", enrolment->trainee_id,
        "' in cohort '", enrolment->cohort_id, "' when asked for trainee '",
        trainee_id, "' in cohort '", cohort_id, "'"));
  }
  if (enrolment->status == EnrolmentStatus::kWithdrawn) {
    RETURN_IF_ERROR(RecordWithdrawal(ctx, *enrolment));
    return absl::FailedPreconditionError(absl::StrCat(
        "trainee '", trainee_id, "' was withdrawn from cohort '", cohort_id,
        "' in the enrollment service (", Day(WithdrawalDay(*enrolment)),
        "); nothing more is recorded for the trainee"));
  }
  if (enrolment->status != EnrolmentStatus::kEnrolled) {
    return absl::FailedPreconditionError(absl::StrCat(
        "trainee '", trainee_id, "' is not enrolled in cohort '", cohort_id,
        "': the application is ", StatusName(enrolment->status),
        " in the enrollment service; training is recorded only for ENROLLED "
        "trainees"));
  }
  return enrolment;
}

absl::Status ProgressService::RecordWithdrawal(
    const RequestContext& ctx, const TraineeEnrolment& enrolment) {
  const absl::Time now = NowMicros();
  const absl::CivilDay exit_day = WithdrawalDay(enrolment);
  return repository_->Write([&](ProgressStore& store) -> absl::Status {
    ASSIGN_OR_RETURN(
        std::optional<TraineeRecord> record,
        store.FindTrainee(enrolment.cohort_id, enrolment.trainee_id));
    if (!record.has_value() || !InTraining(record->status)) {
      return absl::OkStatus();
    }
    const TrainingStatus previous = record->status;
    record->status = TrainingStatus::kWithdrawn;
    record->dimensions = enrolment.dimensions;
    record->exit_date = exit_day;
    record->exit_reason = kWithdrawalReason;
    record->at_risk = false;
    record->update_time = now;
    RETURN_IF_ERROR(store.UpdateTrainee(*record));
    DomainEvent e = EventOf(EventKind::kTrainingWithdrawn, *record, ctx, now);
    e.previous_status = previous;
    e.effective_date = exit_day;
    return Emit(store, std::move(e));
  });
}

// ---------------------------------------------------------------- attendance

absl::StatusOr<AttendanceOutcome> ProgressService::RecordAttendance(
    const RequestContext& ctx, const AttendanceInput& input) {
  FieldViolations v = MutationViolations(ctx);
  CollectViolations(ValidateOpaqueId(input.cohort_id, "cohort_id"), v);
  CollectViolations(ValidateKebabId(input.module_id, "module_id"), v);
  if (!input.session_date.has_value()) v.Add("session_date", "is required");
  RefuseFutureDay(input.session_date, "session_date", Today(), v);
  if (input.entries.empty()) {
    v.Add("entries", "at least one entry is required");
  } else if (input.entries.size() >
             static_cast<size_t>(rules_.max_attendance_entries)) {
    v.Add("entries", absl::StrCat("at most ", rules_.max_attendance_entries,
                                  " entries per call"));
  }
  std::map<std::string, size_t> seen;
  for (size_t i = 0; i < input.entries.size(); ++i) {
    const AttendanceEntry& entry = input.entries[i];
    const std::string field = absl::StrCat("entries[", i, "]");
    if (CollectViolations(
            ValidateOpaqueId(entry.trainee_id, field + ".trainee_id"), v)) {
      auto [it, fresh] = seen.emplace(entry.trainee_id, i);
      if (!fresh) {
        v.Add(field + ".trainee_id",
              absl::StrCat("trainee '", entry.trainee_id,
                           "' is already entries[", it->second, "]"));
      }
    }
    if (!IsValidMark(entry.mark)) {
      v.Add(field + ".mark",
            "is required (PRESENT, EXCUSED_ABSENCE or UNEXCUSED_ABSENCE)");
    }
  }
  RETURN_IF_ERROR(v.ToStatus());

  ASSIGN_OR_RETURN(
      std::optional<AttendanceOutcome> replay,
      StoredAnswer<AttendanceOutcome>(*repository_, ctx, kOpRecordAttendance));
  if (replay.has_value()) return *std::move(replay);

  std::vector<TraineeEnrolment> enrolments;
  enrolments.reserve(input.entries.size());
  for (const AttendanceEntry& entry : input.entries) {
    ASSIGN_OR_RETURN(TraineeEnrolment e,
                     RequireEnrolled(ctx, entry.trainee_id, input.cohort_id));
    enrolments.push_back(std::move(e));
  }
  const absl::CivilDay session_date = *input.session_date;
  RETURN_IF_ERROR(
      CheckWithinCohort(session_date, enrolments.front(), "session_date"));

  const absl::Time now = NowMicros();
  auto apply = [&](ProgressStore& store) -> absl::StatusOr<AttendanceOutcome> {
    ASSIGN_OR_RETURN(
        const Curriculum curriculum,
        CohortCurriculumOf(store, input.cohort_id,
                           enrolments.front().dimensions.track_id, now));
    RETURN_IF_ERROR(ModuleOf(curriculum, input.module_id).status());
    AttendanceOutcome outcome;
    for (size_t i = 0; i < input.entries.size(); ++i) {
      const AttendanceEntry& entry = input.entries[i];
      ASSIGN_OR_RETURN(
          TraineeRecord record,
          LoadOrCreateTrainee(store, enrolments[i], curriculum, now));
      if (HasLeft(record.status)) return RefuseLeft(record, "attendance");
      absl::Status inserted = store.InsertAttendance(
          AttendanceRecord{.cohort_id = input.cohort_id,
                           .trainee_id = entry.trainee_id,
                           .module_id = input.module_id,
                           .session_date = session_date,
                           .mark = entry.mark,
                           .request_id = ctx.request_id,
                           .record_time = now});
      if (absl::IsAlreadyExists(inserted)) {
        return absl::AlreadyExistsError(
            absl::StrCat("the attendance of trainee '", entry.trainee_id,
                         "' at module '", input.module_id, "' on ",
                         Day(session_date), " is already recorded"));
      }
      RETURN_IF_ERROR(inserted);
      ASSIGN_OR_RETURN(
          std::vector<AttendanceRecord> history,
          store.AttendanceOfTrainee(input.cohort_id, entry.trainee_id));

      const TrainingStatus previous = record.status;
      const bool was_at_risk = record.at_risk;
      const bool starts = entry.mark == AttendanceMark::kPresent &&
                          record.status == TrainingStatus::kEnrolled;
      if (starts) record.status = TrainingStatus::kActive;
      if (entry.mark == AttendanceMark::kPresent &&
          (!record.start_date.has_value() ||
           session_date < *record.start_date)) {
        record.start_date = session_date;
      }
      ApplyAttendanceHistory(history, rules_.at_risk_absences, record);
      record.update_time = now;
      RETURN_IF_ERROR(store.UpdateTrainee(record));

      DomainEvent recorded =
          EventOf(EventKind::kAttendanceRecorded, record, ctx, now);
      recorded.module_id = input.module_id;
      recorded.session_date = session_date;
      recorded.mark = entry.mark;
      recorded.attendance_rate =
          AttendanceRate(record.sessions_present, record.sessions_unexcused);
      RETURN_IF_ERROR(Emit(store, std::move(recorded)));
      if (starts) {
        DomainEvent started =
            EventOf(EventKind::kTrainingStarted, record, ctx, now);
        started.previous_status = previous;
        started.effective_date = session_date;
        RETURN_IF_ERROR(Emit(store, std::move(started)));
      }
      if (record.at_risk && !was_at_risk) {
        DomainEvent at_risk =
            EventOf(EventKind::kTraineeAtRisk, record, ctx, now);
        at_risk.consecutive_unexcused = record.consecutive_unexcused;
        at_risk.threshold = rules_.at_risk_absences;
        RETURN_IF_ERROR(Emit(store, std::move(at_risk)));
      }
      ASSIGN_OR_RETURN(
          std::vector<Assessment> assessments,
          store.AssessmentsOfTrainee(input.cohort_id, entry.trainee_id));
      outcome.progress.push_back(
          BuildProgress(record, curriculum, assessments));
    }
    return outcome;
  };
  return Mutate<AttendanceOutcome>(*repository_, ctx, kOpRecordAttendance, now,
                                   apply);
}

// ---------------------------------------------------------------- assessments

absl::StatusOr<AssessmentOutcome> ProgressService::RecordAssessment(
    const RequestContext& ctx, const AssessmentInput& input) {
  FieldViolations v = MutationViolations(ctx);
  CollectViolations(ValidateOpaqueId(input.cohort_id, "cohort_id"), v);
  CollectViolations(ValidateOpaqueId(input.trainee_id, "trainee_id"), v);
  CollectViolations(ValidateKebabId(input.module_id, "module_id"), v);
  if (!std::isfinite(input.score)) {
    v.Add("score", "must be a number");
  } else if (input.score < 0) {
    v.Add("score", "must not be negative");
  }
  RefuseFutureDay(input.assessed_on, "assessed_on", Today(), v);
  RETURN_IF_ERROR(v.ToStatus());

  ASSIGN_OR_RETURN(
      std::optional<AssessmentOutcome> replay,
      StoredAnswer<AssessmentOutcome>(*repository_, ctx, kOpRecordAssessment));
  if (replay.has_value()) return *std::move(replay);

  ASSIGN_OR_RETURN(const TraineeEnrolment enrolment,
                   RequireEnrolled(ctx, input.trainee_id, input.cohort_id));
  const absl::CivilDay assessed_on = input.assessed_on.value_or(Today());
  RETURN_IF_ERROR(CheckWithinCohort(assessed_on, enrolment, "assessed_on"));

  const absl::Time now = NowMicros();
  auto apply = [&](ProgressStore& store) -> absl::StatusOr<AssessmentOutcome> {
    ASSIGN_OR_RETURN(const Curriculum curriculum,
                     CohortCurriculumOf(store, input.cohort_id,
                                        enrolment.dimensions.track_id, now));
    ASSIGN_OR_RETURN(const Module* module,
                     ModuleOf(curriculum, input.module_id));
    RETURN_IF_ERROR(ValidateScore(input.score, *module));
    ASSIGN_OR_RETURN(TraineeRecord record,
                     LoadOrCreateTrainee(store, enrolment, curriculum, now));
    if (HasLeft(record.status)) return RefuseLeft(record, "an assessment");

    ASSIGN_OR_RETURN(
        std::vector<Assessment> assessments,
        store.AssessmentsOfTrainee(input.cohort_id, input.trainee_id));
    int32_t attempt = 1;
    for (const Assessment& a : assessments) {
      if (a.module_id == input.module_id) ++attempt;
    }
    Assessment assessment{.cohort_id = input.cohort_id,
                          .trainee_id = input.trainee_id,
                          .module_id = input.module_id,
                          .attempt = attempt,
                          .score = input.score,
                          .assessed_on = assessed_on,
                          .passed = input.score >= module->pass_mark,
                          .request_id = ctx.request_id,
                          .record_time = now};
    RETURN_IF_ERROR(store.InsertAssessment(assessment));
    assessments.push_back(assessment);

    const std::vector<ModuleResult> results =
        ResultsOf(curriculum, assessments);
    const double ratio = RequiredPassedRatio(results);
    const TrainingStatus previous = record.status;
    const bool completes = InTraining(record.status) && ratio >= 1.0;
    if (completes) {
      record.status = TrainingStatus::kCompleted;
      record.completion_date = assessed_on;
      record.exit_date = assessed_on;
      record.at_risk = false;
    }
    record.update_time = now;
    RETURN_IF_ERROR(store.UpdateTrainee(record));

    DomainEvent assessed = EventOf(
        assessment.passed ? EventKind::kModulePassed : EventKind::kModuleFailed,
        record, ctx, now);
    assessed.module_id = module->module_id;
    assessed.score = assessment.score;
    assessed.max_score = module->max_score;
    assessed.pass_mark = module->pass_mark;
    assessed.required = module->required;
    assessed.attempt = attempt;
    assessed.assessed_on = assessed_on;
    assessed.required_passed_ratio = ratio;
    RETURN_IF_ERROR(Emit(store, std::move(assessed)));
    if (completes) {
      DomainEvent completed =
          EventOf(EventKind::kTrainingCompleted, record, ctx, now);
      completed.previous_status = previous;
      completed.effective_date = assessed_on;
      RETURN_IF_ERROR(Emit(store, std::move(completed)));
    }
    return AssessmentOutcome{
        .passed = assessment.passed,
        .attempt = attempt,
        .progress = BuildProgress(record, curriculum, assessments)};
  };
  return Mutate<AssessmentOutcome>(*repository_, ctx, kOpRecordAssessment, now,
                                   apply);
}

// ---------------------------------------------------------------- drop-out

absl::StatusOr<DropOutOutcome> ProgressService::RecordDropOut(
    const RequestContext& ctx, const DropOutInput& input) {
  FieldViolations v = MutationViolations(ctx);
  CollectViolations(ValidateOpaqueId(input.cohort_id, "cohort_id"), v);
  CollectViolations(ValidateOpaqueId(input.trainee_id, "trainee_id"), v);
  CollectViolations(command::ValidateReasonCode(
                        input.reason_code,
                        &::jobintech::common::v1::DropOutReason_IsValid),
                    v);
  std::string reason;
  CollectInto(NormalizeReason(input.reason, "reason", /*required=*/false),
              &reason, v);
  RefuseFutureDay(input.exit_date, "exit_date", Today(), v);
  RETURN_IF_ERROR(v.ToStatus());

  ASSIGN_OR_RETURN(
      std::optional<DropOutOutcome> replay,
      StoredAnswer<DropOutOutcome>(*repository_, ctx, kOpRecordDropOut));
  if (replay.has_value()) return *std::move(replay);

  ASSIGN_OR_RETURN(const TraineeEnrolment enrolment,
                   RequireEnrolled(ctx, input.trainee_id, input.cohort_id));
  const absl::CivilDay exit_date = input.exit_date.value_or(Today());
  RETURN_IF_ERROR(CheckWithinCohort(exit_date, enrolment, "exit_date"));

  const absl::Time now = NowMicros();
  auto apply = [&](ProgressStore& store) -> absl::StatusOr<DropOutOutcome> {
    ASSIGN_OR_RETURN(const Curriculum curriculum,
                     CohortCurriculumOf(store, input.cohort_id,
                                        enrolment.dimensions.track_id, now));
    ASSIGN_OR_RETURN(TraineeRecord record,
                     LoadOrCreateTrainee(store, enrolment, curriculum, now));
    if (!InTraining(record.status)) {
      return absl::FailedPreconditionError(absl::StrCat(
          "cannot record the drop-out of trainee '", input.trainee_id,
          "' from cohort '", input.cohort_id, "': the training is ",
          StatusName(record.status), " (", StatusName(record.status),
          " -> DROPPED_OUT is not a legal transition); it must be ENROLLED "
          "or ACTIVE"));
    }
    const TrainingStatus previous = record.status;
    record.status = TrainingStatus::kDroppedOut;
    record.exit_date = exit_date;
    record.exit_reason = reason;
    record.exit_reason_code = input.reason_code;
    record.at_risk = false;
    record.update_time = now;
    RETURN_IF_ERROR(store.UpdateTrainee(record));
    DomainEvent e = EventOf(EventKind::kDroppedOut, record, ctx, now);
    e.previous_status = previous;
    e.effective_date = exit_date;
    e.drop_out_reason = input.reason_code;
    RETURN_IF_ERROR(Emit(store, std::move(e)));
    ASSIGN_OR_RETURN(TraineeProgress progress, ProgressOf(store, record));
    return DropOutOutcome{.progress = std::move(progress)};
  };
  return Mutate<DropOutOutcome>(*repository_, ctx, kOpRecordDropOut, now,
                                apply);
}

// ---------------------------------------------------------------- certificates

absl::StatusOr<CertificateOutcome> ProgressService::IssueCertificate(
    const RequestContext& ctx, const std::string& cohort_id,
    const std::string& trainee_id) {
  FieldViolations v = MutationViolations(ctx);
  CollectViolations(ValidateOpaqueId(cohort_id, "cohort_id"), v);
  CollectViolations(ValidateOpaqueId(trainee_id, "trainee_id"), v);
  RETURN_IF_ERROR(v.ToStatus());

  ASSIGN_OR_RETURN(
      std::optional<CertificateOutcome> replay,
      StoredAnswer<CertificateOutcome>(*repository_, ctx, kOpIssueCertificate));
  if (replay.has_value()) return *std::move(replay);

  ASSIGN_OR_RETURN(const TraineeEnrolment enrolment,
                   RequireEnrolled(ctx, trainee_id, cohort_id));
  const absl::Time now = NowMicros();
  const absl::CivilDay today = Today();
  auto apply = [&](ProgressStore& store) -> absl::StatusOr<CertificateOutcome> {
    ASSIGN_OR_RETURN(std::optional<TraineeRecord> found,
                     store.FindTrainee(cohort_id, trainee_id));
    if (!found.has_value()) {
      return absl::FailedPreconditionError(absl::StrCat(
          "cannot issue a certificate to trainee '", trainee_id,
          "' in cohort '", cohort_id,
          "': no training is recorded (ENROLLED); it must be COMPLETED"));
    }
    TraineeRecord record = *std::move(found);
    if (record.status == TrainingStatus::kCertified) {
      return absl::FailedPreconditionError(absl::StrCat(
          "trainee '", trainee_id, "' in cohort '", cohort_id,
          "' already holds certificate '",
          record.certificate.has_value() ? record.certificate->certificate_id
                                         : "",
          "'; revoke it before issuing another"));
    }
    if (record.status != TrainingStatus::kCompleted) {
      return absl::FailedPreconditionError(absl::StrCat(
          "cannot issue a certificate to trainee '", trainee_id,
          "' in cohort '", cohort_id, "': the training is ",
          StatusName(record.status), " (", StatusName(record.status),
          " -> CERTIFIED is not a legal transition); it must be COMPLETED"));
    }
    const TrainingStatus previous = record.status;
    Certificate certificate{.certificate_id = ids::NewOpaqueId("crt"),
                            .issued_on = today,
                            .revoked = false,
                            .revocation_reason = "",
                            .revoked_on = std::nullopt,
                            .revocation_reason_code = ::jobintech::common::v1::REVOCATION_REASON_UNSPECIFIED};
    record.status = TrainingStatus::kCertified;
    record.certificate = certificate;
    record.dimensions = enrolment.dimensions;
    record.update_time = now;
    RETURN_IF_ERROR(store.UpdateTrainee(record));
    DomainEvent e = EventOf(EventKind::kCertificateIssued, record, ctx, now);
    e.previous_status = previous;
    e.certificate_id = certificate.certificate_id;
    e.effective_date = today;
    e.completion_date = record.completion_date;
    RETURN_IF_ERROR(Emit(store, std::move(e)));
    ASSIGN_OR_RETURN(TraineeProgress progress, ProgressOf(store, record));
    return CertificateOutcome{.certificate = std::move(certificate),
                              .progress = std::move(progress)};
  };
  return Mutate<CertificateOutcome>(*repository_, ctx, kOpIssueCertificate, now,
                                    apply);
}

absl::StatusOr<CertificateOutcome> ProgressService::RevokeCertificate(
    const RequestContext& ctx, const std::string& cohort_id,
    const std::string& trainee_id, RevocationReason code,
    const std::string& raw_note) {
  FieldViolations v = MutationViolations(ctx);
  CollectViolations(ValidateOpaqueId(cohort_id, "cohort_id"), v);
  CollectViolations(ValidateOpaqueId(trainee_id, "trainee_id"), v);
  CollectViolations(
      command::ValidateReasonCode(
          code, &::jobintech::common::v1::RevocationReason_IsValid),
      v);
  std::string reason;
  CollectInto(NormalizeReason(raw_note, "reason", /*required=*/false), &reason,
              v);
  RETURN_IF_ERROR(v.ToStatus());

  const absl::Time now = NowMicros();
  const absl::CivilDay today = Today();
  auto apply = [&](ProgressStore& store) -> absl::StatusOr<CertificateOutcome> {
    ASSIGN_OR_RETURN(std::optional<TraineeRecord> found,
                     store.FindTrainee(cohort_id, trainee_id));
    if (!found.has_value() || !InScope(ctx.scope, *found)) {
      return NoRecord(cohort_id, trainee_id);
    }
    TraineeRecord record = *std::move(found);
    if (record.status != TrainingStatus::kCertified ||
        !record.certificate.has_value() || record.certificate->revoked) {
      return absl::FailedPreconditionError(absl::StrCat(
          "trainee '", trainee_id, "' in cohort '", cohort_id,
          "' holds no valid certificate to revoke: the training is ",
          StatusName(record.status), "; it must be CERTIFIED"));
    }
    const TrainingStatus previous = record.status;
    record.status = TrainingStatus::kCompleted;
    record.certificate->revoked = true;
    record.certificate->revocation_reason = reason;
    record.certificate->revocation_reason_code = code;
    record.certificate->revoked_on = today;
    record.update_time = now;
    RETURN_IF_ERROR(store.UpdateTrainee(record));
    DomainEvent e = EventOf(EventKind::kCertificateRevoked, record, ctx, now);
    e.previous_status = previous;
    e.certificate_id = record.certificate->certificate_id;
    e.effective_date = today;
    e.revocation_reason = code;
    RETURN_IF_ERROR(Emit(store, std::move(e)));
    ASSIGN_OR_RETURN(TraineeProgress progress, ProgressOf(store, record));
    return CertificateOutcome{.certificate = *record.certificate,
                              .progress = std::move(progress)};
  };
  return Mutate<CertificateOutcome>(*repository_, ctx, kOpRevokeCertificate,
                                    now, apply);
}

// ---------------------------------------------------------------- erasure

namespace {

// Clears the notes of `record` if it is the trainee's; returns how many
// non-empty notes it cleared.
int32_t ClearNotes(TraineeRecord& record, const std::string& trainee_id) {
  if (record.trainee_id != trainee_id) return 0;
  int32_t n = 0;
  if (!record.exit_reason.empty()) {
    record.exit_reason.clear();
    ++n;
  }
  if (record.certificate.has_value() &&
      !record.certificate->revocation_reason.empty()) {
    record.certificate->revocation_reason.clear();
    ++n;
  }
  return n;
}

int32_t ClearNotes(TraineeProgress& p, const std::string& trainee_id) {
  return ClearNotes(p.record, trainee_id);
}

// The notes an answer holds about the trainee, cleared.
int32_t ClearNotes(ResponseSnapshot& snapshot, const std::string& trainee_id) {
  return std::visit(
      [&](auto& s) -> int32_t {
        using T = std::decay_t<decltype(s)>;
        if constexpr (std::is_same_v<T, AttendanceOutcome>) {
          int32_t n = 0;
          for (TraineeProgress& p : s.progress) n += ClearNotes(p, trainee_id);
          return n;
        } else if constexpr (std::is_same_v<T, CertificateOutcome>) {
          int32_t n = ClearNotes(s.progress, trainee_id);
          if (s.progress.record.trainee_id == trainee_id &&
              !s.certificate.revocation_reason.empty()) {
            s.certificate.revocation_reason.clear();
            ++n;
          }
          return n;
        } else if constexpr (std::is_same_v<T, AssessmentOutcome> ||
                             std::is_same_v<T, DropOutOutcome>) {
          return ClearNotes(s.progress, trainee_id);
        } else {
          return 0;  // curricula hold no trainee
        }
      },
      snapshot);
}

}  // namespace

absl::StatusOr<NotesErasure> ProgressService::EraseTraineeNotes(
    const RequestContext& ctx, const std::string& trainee_id) {
  FieldViolations v = MutationViolations(ctx);
  CollectViolations(ValidateOpaqueId(trainee_id, "trainee_id"), v);
  RETURN_IF_ERROR(v.ToStatus());
  NotesErasure out{.notes_erased = 0, .erase_time = NowMicros()};
  RETURN_IF_ERROR(repository_->Write([&](ProgressStore& store) -> absl::Status {
    out.notes_erased = 0;
    ASSIGN_OR_RETURN(std::vector<TraineeRecord> records,
                     store.TraineeRecordsOf(trainee_id));
    for (TraineeRecord& r : records) {
      const int32_t n = ClearNotes(r, trainee_id);
      if (n == 0) continue;
      out.notes_erased += n;
      RETURN_IF_ERROR(store.UpdateTrainee(r));
    }
    ASSIGN_OR_RETURN(std::vector<StoredRequest> stored,
                     store.StoredRequestsMentioning(trainee_id));
    for (StoredRequest& s : stored) {
      const int32_t n = ClearNotes(s.response, trainee_id);
      if (n == 0) continue;
      out.notes_erased += n;
      RETURN_IF_ERROR(store.ReplaceStoredResponse(s.request_id, s.response));
    }
    return absl::OkStatus();
  }));
  return out;
}

// ---------------------------------------------------------------- queries

absl::StatusOr<TraineeProgress> ProgressService::GetTraineeProgress(
    const std::string& cohort_id, const std::string& trainee_id,
    const command::Scope& scope) {
  FieldViolations v;
  CollectViolations(ValidateOpaqueId(cohort_id, "cohort_id"), v);
  CollectViolations(ValidateOpaqueId(trainee_id, "trainee_id"), v);
  RETURN_IF_ERROR(v.ToStatus());
  return ReadValue<TraineeProgress>(
      *repository_,
      [&](ProgressStore& store) -> absl::StatusOr<TraineeProgress> {
        ASSIGN_OR_RETURN(std::optional<TraineeRecord> record,
                         store.FindTrainee(cohort_id, trainee_id));
        if (!record.has_value() || !InScope(scope, *record)) {
          return NoRecord(cohort_id, trainee_id);
        }
        return ProgressOf(store, *record);
      });
}

absl::StatusOr<CohortProgressPage> ProgressService::ListCohortProgress(
    const std::string& cohort_id, PageQuery page, const command::Scope& scope) {
  RETURN_IF_ERROR(ValidateOpaqueId(cohort_id, "cohort_id"));
  page = ClampPage(std::move(page), rules_);
  return ReadValue<CohortProgressPage>(
      *repository_,
      [&](ProgressStore& store) -> absl::StatusOr<CohortProgressPage> {
        ASSIGN_OR_RETURN(Page<TraineeRecord> records,
                         store.ListTrainees(cohort_id, page));
        // A cohort is in one place: out of scope, it looks unknown (empty).
        if (!records.items.empty() && !InScope(scope, records.items.front())) {
          CohortProgressPage unknown;
          unknown.cohort_attendance_rate = AttendanceRate(0, 0);
          return unknown;
        }
        CohortProgressPage out;
        out.page.next_after_key = std::move(records.next_after_key);
        // A cohort follows one curriculum: load it once per page.
        std::map<std::pair<std::string, int32_t>, Curriculum> curricula;
        for (const TraineeRecord& r : records.items) {
          const auto key = std::make_pair(r.track_id, r.curriculum_version);
          auto it = curricula.find(key);
          if (it == curricula.end()) {
            ASSIGN_OR_RETURN(
                Curriculum c,
                LoadCurriculum(store, r.track_id, r.curriculum_version));
            it = curricula.emplace(key, std::move(c)).first;
          }
          ASSIGN_OR_RETURN(
              std::vector<Assessment> assessments,
              store.AssessmentsOfTrainee(r.cohort_id, r.trainee_id));
          out.page.items.push_back(BuildProgress(r, it->second, assessments));
        }
        ASSIGN_OR_RETURN(AttendanceTotals totals,
                         store.CohortAttendance(cohort_id));
        out.cohort_attendance_rate =
            AttendanceRate(totals.present, totals.unexcused);
        return out;
      });
}

absl::StatusOr<TraineeExit> ProgressService::GetTraineeExit(
    const std::string& trainee_id, const command::Scope& scope,
    const command::PeerContext& peer) {
  RETURN_IF_ERROR(ValidateOpaqueId(trainee_id, "trainee_id"));
  auto latest = [&]() {
    return ReadValue<TraineeRecord>(
        *repository_,
        [&](ProgressStore& store) -> absl::StatusOr<TraineeRecord> {
          ASSIGN_OR_RETURN(std::optional<TraineeRecord> record,
                           store.LatestTraineeRecord(trainee_id));
          if (!record.has_value() || !InScope(scope, *record)) {
            return absl::NotFoundError(absl::StrCat(
                "no training of trainee '", trainee_id, "' is recorded"));
          }
          return *std::move(record);
        });
  };
  ASSIGN_OR_RETURN(TraineeRecord record, latest());
  if (InTraining(record.status)) {
    // A withdrawal in the enrollment service ends the training here too.
    absl::StatusOr<TraineeEnrolment> enrolment =
        enrollment_->Lookup(trainee_id, record.cohort_id, peer);
    if (!enrolment.ok() && !absl::IsNotFound(enrolment.status())) {
      return enrolment.status();
    }
    if (enrolment.ok() && enrolment->status == EnrolmentStatus::kWithdrawn) {
      RETURN_IF_ERROR(RecordWithdrawal(RequestContext{}, *enrolment));
      ASSIGN_OR_RETURN(record, latest());
    }
  }
  TraineeExit exit;
  exit.trainee_id = record.trainee_id;
  exit.cohort_id = record.cohort_id;
  exit.status = record.status;
  exit.dimensions = record.dimensions;
  if (HasCompleted(record.status)) {
    exit.kind = ExitKind::kCompleted;
  } else if (record.status == TrainingStatus::kDroppedOut) {
    exit.kind = ExitKind::kDroppedOut;
  } else if (record.status == TrainingStatus::kWithdrawn) {
    exit.kind = ExitKind::kWithdrawn;
  }
  exit.exited = exit.kind.has_value();
  if (exit.exited) exit.exit_date = record.exit_date;
  return exit;
}

absl::CivilDay ProgressService::WithdrawalDay(
    const TraineeEnrolment& enrolment) const {
  return enrolment.status_time > absl::UnixEpoch()
             ? absl::ToCivilDay(enrolment.status_time, absl::UTCTimeZone())
             : Today();
}

absl::Time ProgressService::NowMicros() const {
  return command::TruncateToMicros(clock_->Now());
}

absl::CivilDay ProgressService::Today() const {
  return absl::ToCivilDay(clock_->Now(), absl::UTCTimeZone());
}

}  // namespace jit::progress
