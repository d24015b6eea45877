#include "services/enrollment/domain/testing/in_memory_repository.h"

#include <algorithm>
#include <map>
#include <optional>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "libs/status/status_macros.h"
#include "libs/storage/testing/expiry.h"

namespace jit::enrollment::testing {

struct InMemoryEnrollmentRepository::State {
  struct ApplicationRow {
    Application application;
    int64_t insert_order = 0;
  };

  std::map<std::string, StoredRequest> requests;
  Programme programme;
  std::map<std::string, int64_t> aggregate_sequences;
  std::map<std::string, Track> tracks;
  std::map<std::string, Centre> centres;
  std::map<std::string, Cohort> cohorts;
  std::map<std::string, Candidate> candidates;
  std::map<std::string, ApplicationRow> applications;
  int64_t next_insert_order = 1;
  int64_t last_waitlist_rank = 0;
};

namespace {

absl::Status ReadOnly() {
  return absl::FailedPreconditionError(
      "the store is read-only inside a read transaction");
}

}  // namespace

class InMemoryEnrollmentRepository::Store final : public EnrollmentStore {
 public:
  Store(State* state, bool writable, std::vector<DomainEvent>* outbox)
      : state_(state), writable_(writable), outbox_(outbox) {}

  // Mutating calls made through this store.
  int64_t mutations() const { return mutations_; }

  absl::StatusOr<std::optional<StoredRequest>> FindRequest(
      const std::string& request_id) override {
    return Find(state_->requests, request_id);
  }
  absl::StatusOr<int64_t> DeleteRequestsBefore(absl::Time before, int64_t limit) override {
    if (!writable_) return ReadOnly();
    ++mutations_;
    return storage::testing::EraseOldestBefore(state_->requests, before, limit);
  }
  absl::Status InsertRequest(const StoredRequest& request) override {
    if (!writable_) return ReadOnly();
    ++mutations_;
    return Insert(state_->requests, request.request_id, request, "request");
  }

  absl::StatusOr<Programme> GetProgramme() override {
    return state_->programme;
  }
  absl::Status UpdateProgramme(const Programme& programme) override {
    if (!writable_) return ReadOnly();
    ++mutations_;
    state_->programme = programme;
    return absl::OkStatus();
  }
  absl::StatusOr<int64_t> NextAggregateSequence(
      const std::string& aggregate_id) override {
    if (!writable_) return ReadOnly();
    ++mutations_;
    return ++state_->aggregate_sequences[aggregate_id];
  }

  absl::StatusOr<std::optional<Track>> FindTrack(
      const std::string& track_id) override {
    return Find(state_->tracks, track_id);
  }
  absl::Status InsertTrack(const Track& track) override {
    if (!writable_) return ReadOnly();
    ++mutations_;
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
    if (!writable_) return ReadOnly();
    ++mutations_;
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
    if (!writable_) return ReadOnly();
    ++mutations_;
    return Insert(state_->cohorts, cohort.cohort_id, cohort, "cohort");
  }
  absl::Status UpdateCohort(const Cohort& cohort) override {
    if (!writable_) return ReadOnly();
    ++mutations_;
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
    if (!writable_) return ReadOnly();
    ++mutations_;
    RETURN_IF_ERROR(CheckCinHashFree(candidate));
    return Insert(state_->candidates, candidate.trainee_id, candidate,
                  "candidate");
  }
  absl::Status UpdateCandidate(const Candidate& candidate) override {
    if (!writable_) return ReadOnly();
    ++mutations_;
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
    if (!writable_) return ReadOnly();
    ++mutations_;
    if (state_->applications.contains(application.application_id)) {
      return AlreadyExists("application", application.application_id);
    }
    state_->applications[application.application_id] = {
        application, state_->next_insert_order++};
    return absl::OkStatus();
  }
  absl::Status UpdateApplication(const Application& application) override {
    if (!writable_) return ReadOnly();
    ++mutations_;
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
                                         filter.province_code);
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
    if (!writable_) return ReadOnly();
    ++mutations_;
    return ++state_->last_waitlist_rank;
  }

  absl::Status Publish(const DomainEvent& event) override {
    if (!writable_) return ReadOnly();
    ++mutations_;
    outbox_->push_back(event);
    return absl::OkStatus();
  }

 private:
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

  // Keyset paging over rows ordered by key: the rows after
  // `page.after_key` accepted by `keep`, at most `page.limit`;
  // next_after_key is set only when at least one more row would follow.
  template <typename V, typename Keep>
  static absl::StatusOr<Page<V>> Paged(const std::map<std::string, V>& rows,
                                       const PageQuery& page, Keep keep) {
    if (page.limit <= 0) {
      return absl::InvalidArgumentError("page limit must be positive");
    }
    Page<V> out;
    std::string last_key;
    auto it = page.after_key.empty() ? rows.begin()
                                     : rows.upper_bound(page.after_key);
    for (; it != rows.end(); ++it) {
      if (!keep(it->second)) continue;
      if (static_cast<int32_t>(out.items.size()) == page.limit) {
        out.next_after_key = last_key;
        break;
      }
      out.items.push_back(it->second);
      last_key = it->first;
    }
    return out;
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

  State* const state_;
  const bool writable_;
  std::vector<DomainEvent>* const outbox_;
  int64_t mutations_ = 0;
};

InMemoryEnrollmentRepository::InMemoryEnrollmentRepository()
    : state_(std::make_unique<State>()) {
  // The real schema's seed rows.
  state_->programme = Programme{};
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
    state_->tracks[t.id] = Track{.track_id = t.id,
                                 .name_fr = t.fr,
                                 .name_ar = t.ar,
                                 .create_time = absl::UnixEpoch()};
  }
}

InMemoryEnrollmentRepository::~InMemoryEnrollmentRepository() = default;

absl::Status InMemoryEnrollmentRepository::Write(
    absl::FunctionRef<absl::Status(EnrollmentStore&)> fn) {
  absl::MutexLock lock(&mu_);
  auto copy = std::make_unique<State>(*state_);
  std::vector<DomainEvent> outbox;
  Store store(copy.get(), /*writable=*/true, &outbox);
  RETURN_IF_ERROR(fn(store));
  if (!fail_next_commit_.ok()) {
    return std::exchange(fail_next_commit_, absl::OkStatus());
  }
  state_ = std::move(copy);
  for (auto& e : outbox) published_.push_back(std::move(e));
  ++commit_count_;
  mutation_count_ += store.mutations();
  return absl::OkStatus();
}

absl::Status InMemoryEnrollmentRepository::Read(
    absl::FunctionRef<absl::Status(EnrollmentStore&)> fn) {
  absl::MutexLock lock(&mu_);
  Store store(state_.get(), /*writable=*/false, nullptr);
  return fn(store);
}

std::vector<DomainEvent> InMemoryEnrollmentRepository::published() const {
  absl::MutexLock lock(&mu_);
  return published_;
}

int64_t InMemoryEnrollmentRepository::commit_count() const {
  absl::MutexLock lock(&mu_);
  return commit_count_;
}

int64_t InMemoryEnrollmentRepository::mutation_count() const {
  absl::MutexLock lock(&mu_);
  return mutation_count_;
}

void InMemoryEnrollmentRepository::FailNextCommit(absl::Status status) {
  absl::MutexLock lock(&mu_);
  fail_next_commit_ = std::move(status);
}

}  // namespace jit::enrollment::testing
