// The aggregator's view of one lifecycle event: what the fold needs, as plain
// values. The events adapter (services/aggregator/events) builds it from a
// decoded jobintech.events.v1.LifecycleEvent and rejects what cannot be
// folded (those records go to the dead-letter topic).
#ifndef JIT_SERVICES_AGGREGATOR_DOMAIN_EVENT_H_
#define JIT_SERVICES_AGGREGATOR_DOMAIN_EVENT_H_

#include <cstdint>
#include <string>

#include "absl/strings/string_view.h"
#include "services/aggregator/domain/dates.h"

namespace jit::aggregator {

// The producing service; each publishes on its own topic with its own
// per-trainee (or per-aggregate) sequence.
enum class Stream { kEnrollment = 0, kProgress = 1, kPlacement = 2 };
inline constexpr int kStreamCount = 3;
absl::string_view StreamName(Stream stream);

enum class Gender { kUnspecified = 0, kFemale = 1, kMale = 2 };
inline constexpr int kGenderCount = 3;

enum class EventKind {
  // Enrollment: trainee events.
  kApplicationSubmitted,
  kApplicationAdmitted,
  kApplicationWaitlisted,
  kApplicationRejected,
  kEnrolmentConfirmed,
  kAdmissionDeclined,
  kEnrolmentWithdrawn,
  // Enrollment: catalogue events.
  kCohortOpened,
  kCohortChanged,
  kTrackAdded,
  kProgrammeTargetChanged,
  // Training progress.
  kTrainingStarted,
  kAttendanceRecorded,
  kModulePassed,
  kModuleFailed,
  kTraineeAtRisk,
  kTrainingCompleted,
  kDroppedOut,
  kTrainingWithdrawn,
  kCertificateIssued,
  kCertificateRevoked,
  // Placement: trainee events.
  kJobSearchStarted,
  kOfferRecorded,
  kPlacementStarted,
  kPlacementVerified,
  kPlacementEnded,
  kFollowUpRecorded,
  // Placement: catalogue events (folded as no-ops).
  kEmployerRegistered,
  kJobOfferPosted,
};

Stream StreamOf(EventKind kind);
bool IsTraineeEvent(EventKind kind);
// "application_submitted", ... (the LifecycleEvent body field name).
absl::string_view KindName(EventKind kind);

// Placement types, as in jobintech.events.v1.PlacementType.
enum class PlacementType {
  kUnspecified = 0,
  kSalariedPermanent = 1,
  kSalariedFixedTerm = 2,
  kInternship = 3,
  kSelfEmployed = 4,
  kFurtherStudy = 5,
};
// Counts as a job in placement rates: salaried (permanent or fixed-term) or
// self-employed. Internships do not; further study is neutral.
bool IsEmployment(PlacementType type);

enum class ExitKind { kUnspecified = 0, kCompleted = 1, kDroppedOut = 2, kWithdrawn = 3 };

enum class FollowUpOutcome {
  kUnspecified = 0,
  kSameEmployer = 1,
  kOtherEmployer = 2,
  kNotEmployed = 3,
  kUnreachable = 4,
};

// Dimensions of a trainee event (from the envelope's metadata). Region and
// province are those of the training centre.
struct Dimensions {
  Gender gender = Gender::kUnspecified;
  std::string region_code = {};
  std::string province_code = {};
  std::string track_id = {};
  std::string cohort_id = {};
  friend bool operator==(const Dimensions&, const Dimensions&) = default;
};

struct Event {
  std::string event_id = {};
  EventKind kind = EventKind::kApplicationSubmitted;
  // Exactly one of trainee_id (trainee events) and aggregate_id (catalogue).
  std::string trainee_id = {};
  std::string aggregate_id = {};
  // Per trainee (or aggregate) and producing service, from 1.
  int64_t sequence = 0;
  // The date the event occurred (metadata.occurred_at in the programme's
  // time zone) and, when the body has one, its business date (completion,
  // exit, placement start, follow-up date...); `date` defaults to `day`.
  Day day = 0;
  Day date = 0;
  // Unix seconds of metadata.occurred_at (freshness only).
  int64_t occurred_unix = 0;
  Dimensions dims = {};
  // The cohort the event is about (body cohort id, or the exit's cohort).
  std::string cohort_id = {};

  // Progress events (attendance present, module assessed) whose state shows
  // the trainee active: the training had started by `date`.
  bool implies_started = false;
  // CertificateIssued: the completion date attested (in exit_date).
  // Placement events: the exit they are measured from.
  ExitKind exit_kind = ExitKind::kUnspecified;
  Day exit_date = 0;
  bool has_exit_date = false;
  // PlacementStarted / PlacementEnded / FollowUpRecorded.
  std::string placement_id = {};
  PlacementType placement_type = PlacementType::kUnspecified;
  int months_after_exit = 0;
  FollowUpOutcome outcome = FollowUpOutcome::kUnspecified;

  // Catalogue: ProgrammeTargetChanged.
  int64_t national_target = 0;
  // Catalogue: TrackAdded names; CohortOpened/Changed snapshot.
  std::string name_fr = {};
  std::string name_ar = {};
  int64_t capacity = 0;
  // CohortOpened/Changed: the cohort's location and track.
  Dimensions cohort = {};
};

}  // namespace jit::aggregator

#endif  // JIT_SERVICES_AGGREGATOR_DOMAIN_EVENT_H_
