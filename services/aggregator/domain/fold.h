// The fold: lifecycle events in, per-journey state and dimensional counters
// out.
//
// Unit of counting: a *journey* is one trainee in one cohort (trainee id +
// cohort id). A person who applies to two cohorts is two journeys; every
// figure counts journeys, so figures add up across cohorts, provinces and
// regions.
//
// Order-insensitive by construction. A journey keeps the *facts* each
// producing service reported (its enrollment steps and training steps by
// sequence number, its exit and placements, its follow-ups), and every
// counter is a pure function of those facts (Contribute()). Applying an event
// subtracts the journey's old contribution and adds its new one, so the
// counters after any interleaving of the three topics are those of the set
// of events, whatever their order. Later stages imply earlier ones (a
// completion implies an enrolment, an admission, an application) so the
// funnel never inverts while a topic lags.
//
// Held events: a journey is *known* once the enrollment service has spoken
// about it (any enrollment event for the trainee and cohort), since the
// enrollment events carry the authoritative dimensions (training region and
// province, track, cohort, gender). Progress and placement events for an
// unknown journey are kept in its facts but counted nowhere ("held"); when
// the first enrollment event arrives the journey's whole contribution is
// added at once. held_events() counts them.
//
// The catalogue gate: a journey counts only once the catalogue knows its
// cohort (CohortOpened, which the enrollment service publishes before any
// application to it) and its track (TrackAdded, or the track its cohort
// names: the tracks the service was installed with have no TrackAdded). Until then it is held
// like an unknown journey, and when the catalogue entry arrives its whole
// contribution is added. So an id nobody catalogued (a hostile or broken
// producer's fake track or cohort) never becomes a cell. Bounds: at most
// `max_waiting_ids` distinct uncatalogued cohort ids and as many track ids
// may have journeys waiting for them, and the catalogue holds at most
// `max_tracks` tracks and `max_cohorts` cohorts; an event that would go past
// a bound changes nothing and is refused (Outcome::kRefused, with a reason
// for its dead letter). Ids left empty are not gated.
//
// Duplicates: an event whose id was seen (bounded memory of the last
// `event_id_memory` ids) or whose sequence number was already applied for
// its trainee (or aggregate) and producing service (exact, unbounded:
// a contiguous watermark plus the sparse set above it) changes nothing.
//
// Not thread-safe: the owner serializes access (the ingest loop writes under
// a lock, queries read under it).
#ifndef JIT_SERVICES_AGGREGATOR_DOMAIN_FOLD_H_
#define JIT_SERVICES_AGGREGATOR_DOMAIN_FOLD_H_

#include <array>
#include <cstdint>
#include <deque>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/status/statusor.h"
#include "services/aggregator/domain/dates.h"
#include "services/aggregator/domain/event.h"

namespace jit::aggregator {

// What the fold counts, per cell. Each counter is dated: the Day of a
// counter entry is the date the series moves on (see the comments).
enum class Counter : uint8_t {
  // Cumulative (never go down as trainees move on; they only move when a
  // late fact corrects a journey).
  kApplied = 0,     // application date (first enrollment event)
  kAdmitted,        // admission date (or the date of a later stage)
  kEnrolled,        // enrolment date (or the date of a later stage)
  kWithdrawn,       // withdrawal date; exit kind "withdrawn"
  kDroppedOut,      // drop-out date; exit kind "dropped out"
  kCompleted,       // completion date; exit kind "completed"
  kCertified,       // certificate date; net of revocations
  kPlaced,          // start of the first job (completers only)
  // Current: +1 on entry, -1 on leaving.
  kWaitlistedNow,   // on the waitlist
  kEnrolledNow,     // enrolled and not exited
  kActiveNow,       // training started and not exited
  // Placement windows, dated at the completion (exit) date.
  kPlaced6,         // a job started within 6 months of exit
  kStudy6,          // no job but further study within 6 months (neutral)
  kPlaced12,
  kStudy12,
  // Days from exit to the first job; the param is the number of days,
  // dated at the job's start.
  kDaysToJob,
  // The +6 months follow-up of placed completers, dated at the follow-up.
  kFollowUp6Known,  // outcome same employer, other employer or not employed
  kFollowUp6Same,   // outcome same employer
};
inline constexpr int kCounterCount = 18;
absl::string_view CounterName(Counter counter);

// A cell of the dimensional counters.
struct CellKey {
  std::string region_code;
  std::string province_code;
  std::string track_id;
  std::string cohort_id;
  Gender gender = Gender::kUnspecified;
  friend auto operator<=>(const CellKey&, const CellKey&) = default;
};

// A counter's daily deltas and their sum.
struct DaySeries {
  int64_t total = 0;
  std::map<Day, int64_t> by_day;  // no zero entries
  // Sum of the deltas dated on or before `day`.
  int64_t SumThrough(Day day) const;
  friend bool operator==(const DaySeries&, const DaySeries&) = default;
};

// (counter, param): param is the number of days for kDaysToJob, 0 otherwise.
using CounterKey = std::pair<Counter, int32_t>;

struct Cell {
  std::map<CounterKey, DaySeries> counters;  // no all-zero series
  const DaySeries* Find(Counter c, int32_t param = 0) const;
  int64_t Total(Counter c) const;
  friend bool operator==(const Cell&, const Cell&) = default;
};

// Sequence numbers already applied for one key and stream.
class SequenceSet {
 public:
  bool Contains(int64_t seq) const;
  void Add(int64_t seq);
  int64_t watermark() const { return watermark_; }
  const std::set<int64_t>& above() const { return above_; }
  static SequenceSet FromParts(int64_t watermark, std::set<int64_t> above);

 private:
  int64_t watermark_ = 0;  // 1..watermark_ all applied
  std::set<int64_t> above_;
};

// One fact of a journey reported by the enrollment or progress service.
struct Step {
  EventKind kind = EventKind::kApplicationSubmitted;
  Day day = 0;   // when it occurred
  Day date = 0;  // its business date (completion date, exit date, ...)
  // CertificateIssued: the completion date it attests.
  std::optional<Day> completion_date = std::nullopt;
  friend bool operator==(const Step&, const Step&) = default;
};

struct JobFact {
  int64_t sequence = 0;
  PlacementType type = PlacementType::kUnspecified;
  Day start = 0;
  friend bool operator==(const JobFact&, const JobFact&) = default;
};

struct FollowUpFact {
  int64_t sequence = 0;
  FollowUpOutcome outcome = FollowUpOutcome::kUnspecified;
  Day date = 0;
  friend bool operator==(const FollowUpFact&, const FollowUpFact&) = default;
};

// Everything the fold knows about one journey (trainee x cohort).
struct Journey {
  // Enrollment service: steps by sequence; dimensions of the latest step.
  std::map<int64_t, Step> enrollment;
  Dimensions dims;
  // Training-progress service: state-changing steps by sequence (started,
  // completed, dropped out, withdrawn, certificate issued/revoked) and the
  // first day any progress event (or one implying an active trainee) was
  // seen.
  std::map<int64_t, Step> progress;
  std::optional<Day> first_progress_day;
  std::optional<Day> first_active_day;
  // Placement service: the exit its latest event reported, its placements
  // by id, its follow-ups by months after exit.
  int64_t exit_sequence = 0;
  ExitKind exit_kind = ExitKind::kUnspecified;
  std::optional<Day> exit_date;
  std::map<std::string, JobFact> jobs;
  std::map<int, FollowUpFact> follow_ups;
  // Events applied to this journey.
  int64_t events = 0;

  bool known() const { return !enrollment.empty(); }
  friend bool operator==(const Journey&, const Journey&) = default;
};

// What a journey adds to the counters: (counter, param, day, delta).
struct Contribution {
  Counter counter;
  int32_t param;
  Day day;
  int64_t delta;
  friend bool operator==(const Contribution&, const Contribution&) = default;
};

// Derived view of a journey: the dates it reached each stage. Public for
// tests and for documentation of the rules (see fold.cc).
struct JourneyStages {
  std::optional<Day> applied, admitted, enrolled, started, completed,
      dropped_out, withdrawn, certified, first_job;
  ExitKind exit = ExitKind::kUnspecified;
  std::optional<Day> exit_date;
};
JourneyStages StagesOf(const Journey& journey);
// The counters a journey adds (empty for an unknown journey).
std::vector<Contribution> Contribute(const Journey& journey);
// The cell a known journey counts in.
CellKey CellOf(const Journey& journey);

struct CohortInfo {
  int64_t sequence = 0;
  Dimensions location;  // region, province, track (gender unused)
  std::string name;
  int64_t capacity = 0;
  friend bool operator==(const CohortInfo&, const CohortInfo&) = default;
};
struct TrackInfo {
  std::string name_fr, name_ar;
  friend bool operator==(const TrackInfo&, const TrackInfo&) = default;
};

// The state as separately stored parts, for incremental checkpoints: a
// journey or a sequence entry is stored on its own and rewritten only when
// it changed; the event-id memory is stored as an ordered log.
struct FoldParts {
  std::string header;  // CBOR: format, version, catalogue, target
  // (trainee, cohort) -> CBOR of the journey.
  std::vector<std::pair<std::pair<std::string, std::string>, std::string>> journeys;
  std::vector<std::pair<std::string, std::string>> sequences;  // key -> CBOR
  // Remembered event ids, oldest first: all of them in a whole state, the
  // ones added since the last TakeChanges() in a delta.
  std::vector<std::string> event_ids;
  // Ids remembered since the beginning: the ordinal of the newest one.
  int64_t event_ids_total = 0;
  // How many of the newest ids the memory still holds.
  int64_t event_ids_kept = 0;
};

struct FoldOptions {
  // Event ids remembered for duplicate detection (oldest forgotten first).
  // Sequence numbers catch duplicates beyond it.
  size_t event_id_memory = 200'000;
  // National target until a ProgrammeTargetChanged event says otherwise.
  int64_t default_national_target = 15'000;
  // Bounds of the catalogue gate (see the file comment): distinct
  // uncatalogued cohort ids (and, separately, track ids) journeys may wait
  // for, and the catalogue's size.
  size_t max_waiting_ids = 1'000;
  size_t max_tracks = 1'000;
  size_t max_cohorts = 100'000;
};

class Fold {
 public:
  enum class Outcome {
    kApplied,            // counted
    kHeld,               // kept for a journey not known yet
    kIgnored,            // valid, but nothing to count (employer, job offer)
    kDuplicateEventId,   // same event id seen before
    kDuplicateSequence,  // sequence already applied for its key and stream
    kRefused,            // past a bound of the catalogue gate: not applied
  };

  explicit Fold(FoldOptions options = {});

  // Applies `event`. When refused, nothing changed and `refusal` (if not
  // null) says why, naming the field, for the event's dead letter.
  Outcome Apply(const Event& event, std::string* refusal = nullptr);

  // Events applied (not duplicates) since the beginning.
  int64_t version() const { return version_; }
  // Events kept for journeys not counted yet (not known, or waiting for
  // the catalogue), and those journeys.
  int64_t held_events() const { return held_events_; }
  int64_t held_journeys() const { return held_journeys_; }
  // Uncatalogued cohort and track ids known journeys wait for, with how
  // many journeys wait for each.
  const std::map<std::string, int64_t>& waiting_cohorts() const {
    return waiting_cohorts_;
  }
  const std::map<std::string, int64_t>& waiting_tracks() const {
    return waiting_tracks_;
  }
  // Whether `journey` counts: known, its cohort catalogued, and its track
  // catalogued or the track of its catalogued cohort.
  bool Counted(const Journey& journey) const;
  int64_t national_target() const;
  const std::map<CellKey, Cell>& cells() const { return cells_; }
  const std::map<std::pair<std::string, std::string>, Journey>& journeys()
      const {
    return journeys_;
  }
  const std::map<std::string, TrackInfo>& tracks() const { return tracks_; }
  const std::map<std::string, CohortInfo>& cohorts() const { return cohorts_; }
  const FoldOptions& options() const { return options_; }

  // The counters recomputed from scratch from the journeys (tests check that
  // the incremental counters always equal them).
  std::map<CellKey, Cell> RecomputeCells() const;

  // The whole state (journeys, dedupe memory, catalogue) as bytes; cells are
  // recomputed on load. Deserialize(Serialize()) is equal to the original.
  std::string Serialize() const;
  static absl::StatusOr<Fold> Deserialize(const std::string& bytes,
                                          FoldOptions options);

  // Incremental checkpoints. TakeChanges() returns the header, the journeys
  // and sequence entries changed and the event ids remembered since the
  // previous call (since construction or MarkAllChanged() the first time),
  // and starts a new delta. Applying every delta in order to an empty store
  // gives the whole state; FromParts() reads it back (cells recomputed).
  FoldParts TakeChanges();
  // The next TakeChanges() returns everything (after a state was loaded
  // from elsewhere, or a delta was lost).
  void MarkAllChanged();
  static absl::StatusOr<Fold> FromParts(const FoldParts& parts, FoldOptions options);

  // A canonical text of everything a dashboard is computed from (journeys,
  // cells, catalogue, applied sequences, version), independent of the order
  // events arrived in: a rebuild from the topics equals the live state byte
  // for byte. The bounded event-id memory is left out (its content depends
  // on arrival order; the sequence sets make it redundant).
  std::string CanonicalText() const;

 private:
  struct DedupeEntry {
    std::array<SequenceSet, kStreamCount> streams;
  };
  void AddContributions(const Journey& journey, int64_t sign);
  // Whether `track` is catalogued, or is the track of catalogued `cohort`
  // (the tracks the enrollment service was installed with have no
  // TrackAdded event); an empty track is not gated.
  bool TrackKnown(const std::string& track, const std::string& cohort) const;
  // Why `event` may not be applied (a bound of the catalogue gate), or "".
  std::string Refusal(const Event& event) const;
  // Adds `sign` to the waiting counts of what a known, uncounted journey
  // waits for.
  void CountWaiting(const Journey& journey, int64_t sign);
  void ApplyToJourney(Journey& journey, const Event& event);
  void ApplyCatalogue(const Event& event);
  void RememberEventId(const std::string& id);
  void RebuildCells();
  // Format, version, catalogue and target as CBOR; the load throws on a
  // malformed or foreign header (caught by FromParts).
  std::string HeaderCbor() const;
  void LoadHeaderCbor(const std::string& cbor);

  FoldOptions options_;
  std::map<std::pair<std::string, std::string>, Journey> journeys_;
  std::map<CellKey, Cell> cells_;
  // Dedupe by sequence: "t:<trainee>" or "a:<aggregate>" -> per stream.
  std::map<std::string, DedupeEntry> sequences_;
  // Dedupe by event id: insertion order and membership.
  std::deque<std::string> id_order_;
  absl::flat_hash_set<std::string> id_set_;
  // Catalogue.
  std::map<std::string, TrackInfo> tracks_;
  std::map<std::string, CohortInfo> cohorts_;
  int64_t target_sequence_ = 0;
  int64_t target_ = 0;
  int64_t version_ = 0;
  int64_t held_events_ = 0;
  int64_t held_journeys_ = 0;
  std::map<std::string, int64_t> waiting_cohorts_;
  std::map<std::string, int64_t> waiting_tracks_;
  // Changed since the last TakeChanges().
  std::set<std::pair<std::string, std::string>> changed_journeys_;
  std::set<std::string> changed_sequences_;
  int64_t event_ids_total_ = 0;
  int64_t new_event_ids_ = 0;
};

}  // namespace jit::aggregator

#endif  // JIT_SERVICES_AGGREGATOR_DOMAIN_FOLD_H_
