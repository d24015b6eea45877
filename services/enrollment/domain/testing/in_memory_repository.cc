#include "services/enrollment/domain/testing/in_memory_repository.h"

#include <algorithm>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "libs/status/status_macros.h"

namespace jit::enrollment::testing {

using command::testing::Paged;

struct InMemoryEnrollmentState {
  struct ApplicationRow {
    Application application;
    int64_t insert_order = 0;
  };

  command::testing::InMemoryRequests<ResponseSnapshot> requests;
  Programme programme;
  std::map<std::string, int64_t> aggregate_sequences;
  std::map<std::string, Track> tracks;
  std::map<std::string, Centre> centres;
  std::map<std::string, Cohort> cohorts;
  std::map<std::string, Candidate> candidates;
  std::map<std::string, ApplicationRow> applications;
  int64_t next_insert_order = 1;
  int64_t last_waitlist_rank = 0;
  // Trainees whose event notes were erased (EraseEventNotes), in call order.
  std::vector<std::string> event_notes_erased;
};

class InMemoryEnrollmentRepository::Store final
    : public command::testing::InMemoryErasableStore<
          EnrollmentStore, InMemoryEnrollmentState, DomainEvent> {
 public:
  using InMemoryErasableStore::InMemoryErasableStore;

  const InMemoryEnrollmentState& state() const { return *state_; }

  // The fake keeps no outbox: committed events count as delivered and are
  // not rewritten. The call is recorded (EventNotesErased()).
  absl::StatusOr<int64_t> EraseEventNotes(
      const std::string& trainee_id) override {
    RETURN_IF_ERROR(Mutation());
    state_->event_notes_erased.push_back(trainee_id);
    return 0;
  }

  absl::StatusOr<Programme> GetProgramme() override {
    return state_->programme;
  }
  absl::Status UpdateProgramme(const Programme& programme) override {
    RETURN_IF_ERROR(Mutation());
    state_->programme = programme;
    return absl::OkStatus();
  }
  absl::StatusOr<int64_t> NextAggregateSequence(
      const std::string& aggregate_id) override {
    RETURN_IF_ERROR(Mutation());
    return ++state_->aggregate_sequences[aggregate_id];
  }

  absl::StatusOr<std::optional<Track>> FindTrack(
      const std::string& track_id) override {
    return Find(state_->tracks, track_id);
  }
  absl::Status InsertTrack(const Track& track) override {
    RETURN_IF_ERROR(Mutation());
    return Insert(state_->tracks, track.track_id, track, "track");
  }
  absl::StatusOr<std::vector<Track>> ListTracks() override {
    std::vector<Track> out;
    for (const auto& [id, track] : state_->tracks) out.push_back(track);
    return out;
  }

  absl::StatusOr<std::optional<Centre>> FindCentre(
      const std::string& centre_id) override {
    return Find(state_->centres, centre_id);
  }
  absl::Status InsertCentre(const Centre& centre) override {
    RETURN_IF_ERROR(Mutation());
    return Insert(state_->centres, centre.centre_id, centre, "centre");
  }
  absl::StatusOr<Page<Centre>> ListCentres(const CentreFilter& filter,
                                           const PageQuery& page) override {
    return Paged(state_->centres, page, [&](const Centre& c) {
      return (filter.region_code.empty() ||
              c.region_code == filter.region_code) &&
             (filter.province_code.empty() ||
              c.province_code == filter.province_code);
    });
  }

  absl::StatusOr<std::optional<Cohort>> FindCohort(
      const std::string& cohort_id) override {
    return Find(state_->cohorts, cohort_id);
  }
  absl::Status InsertCohort(const Cohort& cohort) override {
    RETURN_IF_ERROR(Mutation());
    return Insert(state_->cohorts, cohort.cohort_id, cohort, "cohort");
  }
  absl::Status UpdateCohort(const Cohort& cohort) override {
    RETURN_IF_ERROR(Mutation());
    return Update(state_->cohorts, cohort.cohort_id, cohort, "cohort");
  }
  absl::StatusOr<Page<Cohort>> ListCohorts(const CohortFilter& filter,
                                           const PageQuery& page) override {
    return Paged(state_->cohorts, page, [&](const Cohort& c) {
      return (filter.track_id.empty() || c.track_id == filter.track_id) &&
             (filter.centre_id.empty() || c.centre_id == filter.centre_id) &&
             (filter.region_code.empty() ||
              c.region_code == filter.region_code) &&
             (filter.province_code.empty() ||
              c.province_code == filter.province_code) &&
             (!filter.status.has_value() || c.status == *filter.status);
    });
  }
  absl::StatusOr<SeatCounts> CountSeats(const std::string& cohort_id) override {
    SeatCounts seats;
    for (const auto& [id, row] : state_->applications) {
      const Application& a = row.application;
      if (a.cohort_id != cohort_id) continue;
      if (a.status == ApplicationStatus::kAdmitted) ++seats.admitted;
      if (a.status == ApplicationStatus::kEnrolled) ++seats.enrolled;
      if (a.status == ApplicationStatus::kWaitlisted) ++seats.waitlisted;
    }
    return seats;
  }

  absl::StatusOr<std::optional<Candidate>> FindCandidate(
      const std::string& trainee_id) override {
    return Find(state_->candidates, trainee_id);
  }
  absl::StatusOr<std::optional<Candidate>> FindCandidateByCinHash(
      const std::string& cin_hash) override {
    if (cin_hash.empty()) return std::optional<Candidate>();
    for (const auto& [id, c] : state_->candidates) {
      if (c.cin_hash == cin_hash) return std::optional<Candidate>(c);
    }
    return std::optional<Candidate>();
  }
  absl::Status InsertCandidate(const Candidate& candidate) override {
    RETURN_IF_ERROR(Mutation());
    RETURN_IF_ERROR(CheckCinHashFree(candidate));
    return Insert(state_->candidates, candidate.trainee_id, candidate,
                  "candidate");
  }
  absl::Status UpdateCandidate(const Candidate& candidate) override {
    RETURN_IF_ERROR(Mutation());
    if (!state_->candidates.contains(candidate.trainee_id)) {
      return NotFound("candidate", candidate.trainee_id);
    }
    RETURN_IF_ERROR(CheckCinHashFree(candidate));
    state_->candidates[candidate.trainee_id] = candidate;
    return absl::OkStatus();
  }

  absl::StatusOr<std::optional<Application>> FindApplication(
      const std::string& application_id) override {
    auto it = state_->applications.find(application_id);
    if (it == state_->applications.end()) return std::optional<Application>();
    return std::optional<Application>(it->second.application);
  }
  absl::Status InsertApplication(const Application& application) override {
    RETURN_IF_ERROR(Mutation());
    if (state_->applications.contains(application.application_id)) {
      return AlreadyExists("application", application.application_id);
    }
    state_->applications[application.application_id] = {
        application, state_->next_insert_order++};
    return absl::OkStatus();
  }
  absl::Status UpdateApplication(const Application& application) override {
    RETURN_IF_ERROR(Mutation());
    auto it = state_->applications.find(application.application_id);
    if (it == state_->applications.end()) {
      return NotFound("application", application.application_id);
    }
    it->second.application = application;
    return absl::OkStatus();
  }
  absl::StatusOr<Page<Application>> ListApplications(
      const ApplicationFilter& filter, const PageQuery& page) override {
    ASSIGN_OR_RETURN(auto rows_page,
                     Paged(state_->applications, page,
                           [&](const State::ApplicationRow& row) {
                             const Application& a = row.application;
                             return (filter.cohort_id.empty() ||
                                     a.cohort_id == filter.cohort_id) &&
                                    (!filter.status.has_value() ||
                                     a.status == *filter.status) &&
                                    (filter.region_code.empty() ||
                                     a.dimensions.training_region_code ==
                                         filter.region_code) &&
                                    (filter.province_code.empty() ||
                                     a.dimensions.training_province_code ==
                                         filter.province_code) &&
                                    filter.scope.Allows(
                                        a.dimensions.training_region_code,
                                        a.dimensions.centre_id);
                           }));
    Page<Application> out;
    out.next_after_key = rows_page.next_after_key;
    for (auto& row : rows_page.items) {
      out.items.push_back(std::move(row.application));
    }
    return out;
  }
  absl::StatusOr<std::vector<Application>> ApplicationsOfTrainee(
      const std::string& trainee_id) override {
    std::vector<const State::ApplicationRow*> rows;
    for (const auto& [id, row] : state_->applications) {
      if (row.application.trainee_id == trainee_id) rows.push_back(&row);
    }
    std::sort(rows.begin(), rows.end(), [](const auto* a, const auto* b) {
      return a->insert_order < b->insert_order;
    });
    std::vector<Application> out;
    for (const auto* row : rows) out.push_back(row->application);
    return out;
  }
  absl::StatusOr<std::optional<Application>> FirstWaitlisted(
      const std::string& cohort_id) override {
    const Application* first = nullptr;
    for (const auto& [id, row] : state_->applications) {
      const Application& a = row.application;
      if (a.cohort_id != cohort_id ||
          a.status != ApplicationStatus::kWaitlisted)
        continue;
      if (first == nullptr || WaitsBefore(a, *first)) first = &a;
    }
    if (first == nullptr) return std::optional<Application>();
    return std::optional<Application>(*first);
  }
  absl::StatusOr<int32_t> WaitlistPosition(
      const Application& application) override {
    if (application.status != ApplicationStatus::kWaitlisted) return 0;
    int32_t position = 1;
    for (const auto& [id, row] : state_->applications) {
      const Application& a = row.application;
      if (a.cohort_id == application.cohort_id &&
          a.status == ApplicationStatus::kWaitlisted &&
          a.application_id != application.application_id &&
          WaitsBefore(a, application)) {
        ++position;
      }
    }
    return position;
  }
  absl::StatusOr<int64_t> NextWaitlistRank() override {
    RETURN_IF_ERROR(Mutation());
    return ++state_->last_waitlist_rank;
  }

 private:
  using State = InMemoryEnrollmentState;

  static bool WaitsBefore(const Application& a, const Application& b) {
    return std::tie(a.waitlist_rank, a.application_id) <
           std::tie(b.waitlist_rank, b.application_id);
  }

  static absl::Status NotFound(absl::string_view what, absl::string_view id) {
    return absl::NotFoundError(absl::StrCat(what, " '", id, "' not found"));
  }
  static absl::Status AlreadyExists(absl::string_view what,
                                    absl::string_view id) {
    return absl::AlreadyExistsError(
        absl::StrCat(what, " '", id, "' already exists"));
  }

  template <typename V>
  static absl::StatusOr<std::optional<V>> Find(
      const std::map<std::string, V>& rows, const std::string& key) {
    auto it = rows.find(key);
    if (it == rows.end()) return std::optional<V>();
    return std::optional<V>(it->second);
  }
  template <typename V>
  static absl::Status Insert(std::map<std::string, V>& rows,
                             const std::string& key, const V& value,
                             absl::string_view what) {
    if (!rows.emplace(key, value).second) return AlreadyExists(what, key);
    return absl::OkStatus();
  }
  template <typename V>
  static absl::Status Update(std::map<std::string, V>& rows,
                             const std::string& key, const V& value,
                             absl::string_view what) {
    auto it = rows.find(key);
    if (it == rows.end()) return NotFound(what, key);
    it->second = value;
    return absl::OkStatus();
  }

  // cin_hash is unique among the candidates that have one.
  absl::Status CheckCinHashFree(const Candidate& candidate) const {
    if (candidate.cin_hash.empty()) return absl::OkStatus();
    for (const auto& [id, c] : state_->candidates) {
      if (id != candidate.trainee_id && c.cin_hash == candidate.cin_hash) {
        return absl::AlreadyExistsError(
            "another candidate has the same national ID hash");
      }
    }
    return absl::OkStatus();
  }
};

namespace {

// The real schema's seed rows.
std::unique_ptr<InMemoryEnrollmentState> SeededState() {
  auto state = std::make_unique<InMemoryEnrollmentState>();
  state->programme = Programme{};
  const struct {
    const char* id;
    const char* fr;
    const char* ar;
  } kTracks[] = {
      {"cybersecurity", "Cybersécurité", "الأمن السيبراني"},
      {"digital-management", "Management digital", "التدبير الرقمي"},
      {"digital-marketing", "Marketing digital", "التسويق الرقمي"},
  };
  for (const auto& t : kTracks) {
    state->tracks[t.id] = Track{.track_id = t.id,
                                .name_fr = t.fr,
                                .name_ar = t.ar,
                                .create_time = absl::UnixEpoch()};
  }
  return state;
}

}  // namespace

InMemoryEnrollmentRepository::InMemoryEnrollmentRepository()
    : InMemoryTransactions(SeededState()) {}

InMemoryEnrollmentRepository::~InMemoryEnrollmentRepository() = default;

absl::Status InMemoryEnrollmentRepository::Write(
    absl::FunctionRef<absl::Status(EnrollmentStore&)> fn) {
  return WriteWith<Store>(fn);
}

absl::Status InMemoryEnrollmentRepository::Read(
    absl::FunctionRef<absl::Status(EnrollmentStore&)> fn) {
  return ReadWith<Store>(fn);
}

void InMemoryEnrollmentRepository::FlushErasure() {
  flush_erasure_count_.fetch_add(1);
}

std::vector<std::string> InMemoryEnrollmentRepository::EventNotesErased() {
  std::vector<std::string> out;
  Read([&](EnrollmentStore& store) {
    out = static_cast<Store&>(store).state().event_notes_erased;
    return absl::OkStatus();
  }).IgnoreError();
  return out;
}

}  // namespace jit::enrollment::testing
