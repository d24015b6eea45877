#include "services/aggregator/domain/fold.h"

#include <algorithm>
#include <utility>

#include "absl/strings/str_cat.h"

namespace jit::aggregator {
namespace {

void MinInto(std::optional<Day>& slot, std::optional<Day> value) {
  if (!value.has_value()) return;
  if (!slot.has_value() || *value < *slot) slot = value;
}

std::optional<Day> Min(std::optional<Day> a, std::optional<Day> b) {
  MinInto(a, b);
  return a;
}

bool IsProgressStep(EventKind kind) {
  switch (kind) {
    case EventKind::kTrainingStarted:
    case EventKind::kTrainingCompleted:
    case EventKind::kDroppedOut:
    case EventKind::kTrainingWithdrawn:
    case EventKind::kCertificateIssued:
    case EventKind::kCertificateRevoked:
      return true;
    default:
      return false;
  }
}

}  // namespace

absl::string_view CounterName(Counter counter) {
  switch (counter) {
    case Counter::kApplied:
      return "applied";
    case Counter::kAdmitted:
      return "admitted";
    case Counter::kEnrolled:
      return "enrolled";
    case Counter::kWithdrawn:
      return "withdrawn";
    case Counter::kDroppedOut:
      return "dropped_out";
    case Counter::kCompleted:
      return "completed";
    case Counter::kCertified:
      return "certified";
    case Counter::kPlaced:
      return "placed";
    case Counter::kWaitlistedNow:
      return "waitlisted_now";
    case Counter::kEnrolledNow:
      return "enrolled_now";
    case Counter::kActiveNow:
      return "active_now";
    case Counter::kPlaced6:
      return "placed_6m";
    case Counter::kStudy6:
      return "further_study_6m";
    case Counter::kPlaced12:
      return "placed_12m";
    case Counter::kStudy12:
      return "further_study_12m";
    case Counter::kDaysToJob:
      return "days_to_job";
    case Counter::kFollowUp6Known:
      return "follow_up_6m_known";
    case Counter::kFollowUp6Same:
      return "follow_up_6m_same_employer";
  }
  return "unknown";
}

// ------------------------------------------------------------- DaySeries

int64_t DaySeries::SumThrough(Day day) const {
  int64_t sum = 0;
  for (const auto& [d, delta] : by_day) {
    if (d > day) break;
    sum += delta;
  }
  return sum;
}

const DaySeries* Cell::Find(Counter c, int32_t param) const {
  auto it = counters.find({c, param});
  return it == counters.end() ? nullptr : &it->second;
}

int64_t Cell::Total(Counter c) const {
  const DaySeries* s = Find(c);
  return s == nullptr ? 0 : s->total;
}

// ----------------------------------------------------------- SequenceSet

bool SequenceSet::Contains(int64_t seq) const {
  return seq <= watermark_ || above_.count(seq) > 0;
}

void SequenceSet::Add(int64_t seq) {
  if (Contains(seq)) return;
  if (seq == watermark_ + 1) {
    ++watermark_;
    while (!above_.empty() && *above_.begin() == watermark_ + 1) {
      above_.erase(above_.begin());
      ++watermark_;
    }
  } else {
    above_.insert(seq);
  }
}

SequenceSet SequenceSet::FromParts(int64_t watermark, std::set<int64_t> above) {
  SequenceSet s;
  s.watermark_ = watermark;
  for (int64_t seq : above) s.Add(seq);
  return s;
}

// ------------------------------------------------------ journey → counters

JourneyStages StagesOf(const Journey& j) {
  JourneyStages s;
  // Enrollment service facts.
  std::optional<Day> admitted_direct, confirmed, enrolment_withdrawn;
  for (const auto& [seq, step] : j.enrollment) {
    MinInto(s.applied, step.day);
    switch (step.kind) {
      case EventKind::kApplicationAdmitted:
      case EventKind::kAdmissionDeclined:
        MinInto(admitted_direct, step.day);
        break;
      case EventKind::kEnrolmentConfirmed:
        MinInto(confirmed, step.day);
        break;
      case EventKind::kEnrolmentWithdrawn:
        MinInto(enrolment_withdrawn, step.day);
        break;
      default:
        break;
    }
  }
  // Training-progress facts.
  std::optional<Day> started_p, completed_p, dropped_p, withdrawn_p,
      cert_completion;
  const Step* last_cert = nullptr;
  for (const auto& [seq, step] : j.progress) {
    switch (step.kind) {
      case EventKind::kTrainingStarted:
        MinInto(started_p, step.date);
        break;
      case EventKind::kTrainingCompleted:
        MinInto(completed_p, step.date);
        break;
      case EventKind::kDroppedOut:
        MinInto(dropped_p, step.date);
        break;
      case EventKind::kTrainingWithdrawn:
        MinInto(withdrawn_p, step.date);
        break;
      case EventKind::kCertificateIssued:
        MinInto(cert_completion, step.completion_date.value_or(step.date));
        last_cert = &step;
        break;
      case EventKind::kCertificateRevoked:
        last_cert = &step;
        break;
      default:
        break;
    }
  }
  // Placement facts: the exit the placement service measures from.
  std::optional<Day> plc_completed, plc_dropped, plc_withdrawn, plc_exit;
  if (j.exit_date.has_value()) {
    switch (j.exit_kind) {
      case ExitKind::kCompleted:
        plc_completed = j.exit_date;
        break;
      case ExitKind::kDroppedOut:
        plc_dropped = j.exit_date;
        break;
      case ExitKind::kWithdrawn:
        plc_withdrawn = j.exit_date;
        break;
      case ExitKind::kUnspecified:
        break;
    }
    if (j.exit_kind != ExitKind::kUnspecified) plc_exit = j.exit_date;
  }

  // One exit per journey. A completion (reported by progress, attested by a
  // certificate, or the placement service's exit) wins; otherwise the
  // earlier of drop-out and withdrawal (drop-out on a tie).
  s.completed = completed_p       ? completed_p
                : cert_completion ? cert_completion
                                  : plc_completed;
  if (s.completed.has_value()) {
    s.exit = ExitKind::kCompleted;
    s.exit_date = s.completed;
  } else {
    const std::optional<Day> dropped = dropped_p ? dropped_p : plc_dropped;
    const std::optional<Day> withdrawn =
        Min(Min(enrolment_withdrawn, withdrawn_p), plc_withdrawn);
    if (dropped.has_value() &&
        (!withdrawn.has_value() || *dropped <= *withdrawn)) {
      s.dropped_out = dropped;
      s.exit = ExitKind::kDroppedOut;
      s.exit_date = dropped;
    } else if (withdrawn.has_value()) {
      s.withdrawn = withdrawn;
      s.exit = ExitKind::kWithdrawn;
      s.exit_date = withdrawn;
    }
  }
  if (last_cert != nullptr &&
      last_cert->kind == EventKind::kCertificateIssued &&
      s.completed.has_value()) {
    s.certified = last_cert->date;
  }
  // Later stages imply earlier ones (dated at the earliest evidence).
  s.started = Min(Min(started_p, j.first_active_day), s.completed);
  s.enrolled =
      Min(Min(Min(confirmed, enrolment_withdrawn), j.first_progress_day),
          Min(Min(s.started, s.exit_date), plc_exit));
  if (!j.jobs.empty() && j.exit_date.has_value())
    MinInto(s.enrolled, j.exit_date);
  s.admitted = Min(admitted_direct, s.enrolled);
  s.applied = Min(s.applied, s.admitted);
  if (s.completed.has_value()) {
    for (const auto& [id, job] : j.jobs) {
      if (IsEmployment(job.type)) MinInto(s.first_job, job.start);
    }
  }
  return s;
}

CellKey CellOf(const Journey& j) {
  return CellKey{j.dims.region_code, j.dims.province_code, j.dims.track_id,
                 j.dims.cohort_id, j.dims.gender};
}

std::vector<Contribution> Contribute(const Journey& j) {
  std::vector<Contribution> out;
  if (!j.known()) return out;
  const JourneyStages s = StagesOf(j);
  auto add = [&](Counter c, std::optional<Day> day, int64_t delta = 1,
                 int32_t param = 0) {
    if (day.has_value()) out.push_back({c, param, *day, delta});
  };
  add(Counter::kApplied, s.applied);
  add(Counter::kAdmitted, s.admitted);
  add(Counter::kEnrolled, s.enrolled);
  add(Counter::kWithdrawn, s.withdrawn);
  add(Counter::kDroppedOut, s.dropped_out);
  add(Counter::kCompleted, s.completed);
  add(Counter::kCertified, s.certified);

  // On the waitlist from a "waitlisted" step until the next enrollment step
  // (admitted, rejected...), or until a later stage shows the trainee left it.
  for (auto it = j.enrollment.begin(); it != j.enrollment.end(); ++it) {
    if (it->second.kind != EventKind::kApplicationWaitlisted) continue;
    const Day in = it->second.day;
    std::optional<Day> out_day;
    auto next = std::next(it);
    if (next != j.enrollment.end()) {
      out_day = std::max(in, next->second.day);
    } else if (s.enrolled.has_value()) {
      out_day = std::max(in, *s.enrolled);
    }
    add(Counter::kWaitlistedNow, in);
    if (out_day.has_value()) add(Counter::kWaitlistedNow, out_day, -1);
  }
  // Current counts: +1 on entry, -1 at the exit.
  if (s.enrolled.has_value()) {
    add(Counter::kEnrolledNow, s.enrolled);
    if (s.exit_date.has_value()) {
      add(Counter::kEnrolledNow, std::max(*s.enrolled, *s.exit_date), -1);
    }
  }
  if (s.started.has_value()) {
    add(Counter::kActiveNow, s.started);
    if (s.exit_date.has_value()) {
      add(Counter::kActiveNow, std::max(*s.started, *s.exit_date), -1);
    }
  }
  // Placement, for completers only, measured from the completion date.
  if (s.completed.has_value()) {
    const Day exit = *s.completed;
    add(Counter::kPlaced, s.first_job);
    for (const int months : {6, 12}) {
      const Day limit = AddMonths(exit, months);
      bool job_in = false, study_in = false;
      for (const auto& [id, job] : j.jobs) {
        if (job.start > limit) continue;
        if (IsEmployment(job.type)) job_in = true;
        if (job.type == PlacementType::kFurtherStudy) study_in = true;
      }
      if (job_in) {
        add(months == 6 ? Counter::kPlaced6 : Counter::kPlaced12, exit);
      } else if (study_in) {
        add(months == 6 ? Counter::kStudy6 : Counter::kStudy12, exit);
      }
    }
    if (s.first_job.has_value()) {
      const int32_t days = std::max<int32_t>(0, *s.first_job - exit);
      add(Counter::kDaysToJob, s.first_job, 1, days);
      auto fu = j.follow_ups.find(6);
      if (fu != j.follow_ups.end()) {
        const FollowUpOutcome o = fu->second.outcome;
        if (o == FollowUpOutcome::kSameEmployer ||
            o == FollowUpOutcome::kOtherEmployer ||
            o == FollowUpOutcome::kNotEmployed) {
          add(Counter::kFollowUp6Known, fu->second.date);
          if (o == FollowUpOutcome::kSameEmployer) {
            add(Counter::kFollowUp6Same, fu->second.date);
          }
        }
      }
    }
  }
  return out;
}

// ------------------------------------------------------------------ Fold

Fold::Fold(FoldOptions options) : options_(std::move(options)) {}

int64_t Fold::national_target() const {
  return target_sequence_ > 0 ? target_ : options_.default_national_target;
}

namespace {

void ApplyContributions(std::map<CellKey, Cell>& cells, const CellKey& key,
                        const std::vector<Contribution>& contributions,
                        int64_t sign) {
  if (contributions.empty()) return;
  auto cell_it = cells.try_emplace(key).first;
  Cell& cell = cell_it->second;
  for (const Contribution& c : contributions) {
    const int64_t delta = sign * c.delta;
    auto it = cell.counters.try_emplace({c.counter, c.param}).first;
    DaySeries& series = it->second;
    series.total += delta;
    auto day_it = series.by_day.try_emplace(c.day, 0).first;
    day_it->second += delta;
    if (day_it->second == 0) series.by_day.erase(day_it);
    if (series.total == 0 && series.by_day.empty()) cell.counters.erase(it);
  }
  if (cell.counters.empty()) cells.erase(cell_it);
}

}  // namespace

void Fold::AddContributions(const Journey& journey, int64_t sign) {
  if (!Counted(journey)) return;
  ApplyContributions(cells_, CellOf(journey), Contribute(journey), sign);
}

bool Fold::TrackKnown(const std::string& track, const std::string& cohort) const {
  if (track.empty() || tracks_.contains(track)) return true;
  // Tracks the enrollment service was installed with have no TrackAdded
  // event: the catalogued cohort names its track.
  auto it = cohorts_.find(cohort);
  return it != cohorts_.end() && it->second.location.track_id == track;
}

bool Fold::Counted(const Journey& j) const {
  if (!j.known()) return false;
  if (!j.dims.cohort_id.empty() && !cohorts_.contains(j.dims.cohort_id)) {
    return false;
  }
  return TrackKnown(j.dims.track_id, j.dims.cohort_id);
}

void Fold::CountWaiting(const Journey& j, int64_t sign) {
  if (!j.known()) return;
  auto count = [sign](std::map<std::string, int64_t>& waiting,
                      const std::string& id) {
    int64_t& n = waiting[id];
    n += sign;
    if (n <= 0) waiting.erase(id);
  };
  if (!j.dims.cohort_id.empty() && !cohorts_.contains(j.dims.cohort_id)) {
    count(waiting_cohorts_, j.dims.cohort_id);
  }
  if (!TrackKnown(j.dims.track_id, j.dims.cohort_id)) {
    count(waiting_tracks_, j.dims.track_id);
  }
}

std::string Fold::Refusal(const Event& e) const {
  switch (e.kind) {
    case EventKind::kTrackAdded:
      if (!tracks_.contains(e.aggregate_id) &&
          tracks_.size() >= options_.max_tracks) {
        return absl::StrCat("metadata.aggregate_id: track \"", e.aggregate_id,
                            "\" not added, the catalogue already holds ",
                            tracks_.size(), " tracks");
      }
      return "";
    case EventKind::kCohortOpened:
    case EventKind::kCohortChanged:
      if (!cohorts_.contains(e.aggregate_id) &&
          cohorts_.size() >= options_.max_cohorts) {
        return absl::StrCat("metadata.aggregate_id: cohort \"", e.aggregate_id,
                            "\" not added, the catalogue already holds ",
                            cohorts_.size(), " cohorts");
      }
      return "";
    default:
      break;
  }
  // Only enrollment events set a journey's dimensions.
  if (!IsTraineeEvent(e.kind) || StreamOf(e.kind) != Stream::kEnrollment) {
    return "";
  }
  auto waits_anew = [&](const std::map<std::string, int64_t>& waiting,
                        bool catalogued, const std::string& id) {
    return !id.empty() && !catalogued && !waiting.contains(id) &&
           waiting.size() >= options_.max_waiting_ids;
  };
  if (waits_anew(waiting_cohorts_, cohorts_.contains(e.cohort_id),
                 e.cohort_id)) {
    return absl::StrCat("cohort_id: \"", e.cohort_id,
                        "\" is not in the catalogue and journeys already wait "
                        "for ",
                        waiting_cohorts_.size(), " uncatalogued cohorts");
  }
  if (waits_anew(waiting_tracks_, TrackKnown(e.dims.track_id, e.cohort_id),
                 e.dims.track_id)) {
    return absl::StrCat("metadata.dimensions.track_id: \"", e.dims.track_id,
                        "\" is not in the catalogue and journeys already wait "
                        "for ",
                        waiting_tracks_.size(), " uncatalogued tracks");
  }
  return "";
}

void Fold::RememberEventId(const std::string& id) {
  if (options_.event_id_memory == 0) return;
  if (!id_set_.insert(id).second) return;
  id_order_.push_back(id);
  ++event_ids_total_;
  ++new_event_ids_;
  while (id_order_.size() > options_.event_id_memory) {
    id_set_.erase(id_order_.front());
    id_order_.pop_front();
  }
}

Fold::Outcome Fold::Apply(const Event& e, std::string* refusal) {
  if (!e.event_id.empty() && id_set_.contains(e.event_id)) {
    return Outcome::kDuplicateEventId;
  }
  const bool trainee_event = IsTraineeEvent(e.kind);
  const std::string seq_key = trainee_event
                                  ? absl::StrCat("t:", e.trainee_id)
                                  : absl::StrCat("a:", e.aggregate_id);
  // One lookup on the hot path; a refused event's new entry is removed
  // again, so that a refusal changes nothing.
  auto [entry, inserted] = sequences_.try_emplace(seq_key);
  SequenceSet& seqs = entry->second.streams[static_cast<int>(StreamOf(e.kind))];
  if (seqs.Contains(e.sequence)) return Outcome::kDuplicateSequence;
  if (std::string why = Refusal(e); !why.empty()) {
    if (inserted) sequences_.erase(entry);
    if (refusal != nullptr) *refusal = std::move(why);
    return Outcome::kRefused;
  }
  seqs.Add(e.sequence);
  changed_sequences_.insert(seq_key);
  if (!e.event_id.empty()) RememberEventId(e.event_id);
  ++version_;

  if (!trainee_event) {
    ApplyCatalogue(e);
    return Outcome::kIgnored;
  }
  Journey& j = journeys_[{e.trainee_id, e.cohort_id}];
  changed_journeys_.insert({e.trainee_id, e.cohort_id});
  const bool was_counted = Counted(j);
  const int64_t held_before = was_counted ? 0 : j.events;
  if (was_counted) {
    AddContributions(j, -1);
  } else {
    CountWaiting(j, -1);
  }
  ApplyToJourney(j, e);
  const bool counted = Counted(j);
  if (counted) {
    AddContributions(j, +1);
  } else {
    CountWaiting(j, +1);
  }
  const int64_t held_after = counted ? 0 : j.events;
  held_events_ += held_after - held_before;
  held_journeys_ += (held_after > 0 ? 1 : 0) - (held_before > 0 ? 1 : 0);
  return counted ? Outcome::kApplied : Outcome::kHeld;
}

void Fold::ApplyToJourney(Journey& j, const Event& e) {
  ++j.events;
  switch (StreamOf(e.kind)) {
    case Stream::kEnrollment: {
      const bool latest =
          j.enrollment.empty() || e.sequence > j.enrollment.rbegin()->first;
      j.enrollment[e.sequence] = Step{e.kind, e.day, e.date, std::nullopt};
      if (latest) {
        j.dims = e.dims;
        j.dims.cohort_id = e.cohort_id;  // the journey's cohort
      }
      break;
    }
    case Stream::kProgress: {
      MinInto(j.first_progress_day, e.day);
      if (e.implies_started) MinInto(j.first_active_day, e.date);
      if (IsProgressStep(e.kind)) {
        Step step{e.kind, e.day, e.date, std::nullopt};
        if (e.kind == EventKind::kCertificateIssued && e.has_exit_date) {
          step.completion_date = e.exit_date;
        }
        j.progress[e.sequence] = step;
      }
      break;
    }
    case Stream::kPlacement: {
      if (e.exit_kind != ExitKind::kUnspecified && e.has_exit_date &&
          e.sequence > j.exit_sequence) {
        j.exit_sequence = e.sequence;
        j.exit_kind = e.exit_kind;
        j.exit_date = e.exit_date;
      }
      if (e.kind == EventKind::kPlacementStarted) {
        auto [it, inserted] = j.jobs.try_emplace(e.placement_id);
        if (inserted || e.sequence > it->second.sequence) {
          it->second = JobFact{e.sequence, e.placement_type, e.date};
        }
      } else if (e.kind == EventKind::kFollowUpRecorded) {
        auto [it, inserted] = j.follow_ups.try_emplace(e.months_after_exit);
        if (inserted || e.sequence > it->second.sequence) {
          it->second = FollowUpFact{e.sequence, e.outcome, e.date};
        }
      }
      break;
    }
  }
}

void Fold::ApplyCatalogue(const Event& e) {
  switch (e.kind) {
    case EventKind::kCohortOpened:
    case EventKind::kCohortChanged: {
      auto [it, inserted] = cohorts_.try_emplace(e.aggregate_id);
      if (inserted || e.sequence > it->second.sequence) {
        it->second = CohortInfo{e.sequence, e.cohort, e.name_fr, e.capacity};
      }
      // Journeys waiting for this cohort may count now (rare: recompute).
      if (inserted && waiting_cohorts_.contains(e.aggregate_id)) {
        RebuildCells();
      }
      break;
    }
    case EventKind::kTrackAdded: {
      const bool inserted = !tracks_.contains(e.aggregate_id);
      tracks_[e.aggregate_id] = TrackInfo{e.name_fr, e.name_ar};
      if (inserted && waiting_tracks_.contains(e.aggregate_id)) {
        RebuildCells();
      }
      break;
    }
    case EventKind::kProgrammeTargetChanged:
      if (e.sequence > target_sequence_) {
        target_sequence_ = e.sequence;
        target_ = e.national_target;
      }
      break;
    default:
      break;
  }
}

std::map<CellKey, Cell> Fold::RecomputeCells() const {
  std::map<CellKey, Cell> cells;
  for (const auto& [key, journey] : journeys_) {
    if (Counted(journey)) {
      ApplyContributions(cells, CellOf(journey), Contribute(journey), +1);
    }
  }
  return cells;
}

void Fold::RebuildCells() {
  cells_ = RecomputeCells();
  held_events_ = 0;
  held_journeys_ = 0;
  waiting_cohorts_.clear();
  waiting_tracks_.clear();
  for (const auto& [key, journey] : journeys_) {
    if (Counted(journey)) continue;
    CountWaiting(journey, +1);
    if (journey.events > 0) {
      held_events_ += journey.events;
      ++held_journeys_;
    }
  }
}

}  // namespace jit::aggregator
