#include "services/training-progress/domain/testing/in_memory_repository.h"

#include <algorithm>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/civil_time.h"
#include "libs/status/status_macros.h"

namespace jit::progress::testing {

struct InMemoryProgressState {
  using TraineeKey = std::pair<std::string, std::string>;  // cohort, trainee
  struct TraineeRow {
    TraineeRecord record;
    int64_t insert_order = 0;
  };
  struct AttendanceRow {
    AttendanceRecord record;
    int64_t insert_order = 0;
  };

  command::testing::InMemoryRequests<ResponseSnapshot> requests;
  std::map<std::pair<std::string, int32_t>, Curriculum> curricula;
  std::map<std::string, CohortCurriculum> cohort_curricula;
  std::map<TraineeKey, TraineeRow> trainees;
  std::map<std::string, int64_t> sequences;
  // (cohort, trainee, module, day) -> row.
  std::map<std::tuple<std::string, std::string, std::string, std::string>,
           AttendanceRow>
      attendance;
  // (cohort, trainee, module, attempt) -> row, with insertion order.
  std::map<std::tuple<std::string, std::string, std::string, int32_t>,
           std::pair<Assessment, int64_t>>
      assessments;
  int64_t next_insert_order = 1;
};

class InMemoryProgressRepository::Store final
    : public command::testing::InMemoryStore<
          ProgressStore, InMemoryProgressState, DomainEvent> {
 public:
  using InMemoryStore::InMemoryStore;

  absl::StatusOr<std::optional<Curriculum>> FindCurriculum(
      const std::string& track_id, int32_t version) override {
    if (version == 0) {
      // The highest version of the track.
      auto it = state_->curricula.upper_bound({track_id, INT32_MAX});
      if (it == state_->curricula.begin()) return std::optional<Curriculum>();
      --it;
      if (it->first.first != track_id) return std::optional<Curriculum>();
      return std::optional<Curriculum>(it->second);
    }
    auto it = state_->curricula.find({track_id, version});
    if (it == state_->curricula.end()) return std::optional<Curriculum>();
    return std::optional<Curriculum>(it->second);
  }
  absl::Status InsertCurriculum(const Curriculum& curriculum) override {
    RETURN_IF_ERROR(Mutation());
    if (!state_->curricula
             .emplace(std::make_pair(curriculum.track_id, curriculum.version),
                      curriculum)
             .second) {
      return absl::AlreadyExistsError(
          absl::StrCat("curriculum version ", curriculum.version, " of track '",
                       curriculum.track_id, "' already exists"));
    }
    return absl::OkStatus();
  }

  absl::StatusOr<std::optional<CohortCurriculum>> FindCohortCurriculum(
      const std::string& cohort_id) override {
    auto it = state_->cohort_curricula.find(cohort_id);
    if (it == state_->cohort_curricula.end()) {
      return std::optional<CohortCurriculum>();
    }
    return std::optional<CohortCurriculum>(it->second);
  }
  absl::Status InsertCohortCurriculum(const CohortCurriculum& pin) override {
    RETURN_IF_ERROR(Mutation());
    if (!state_->curricula.count({pin.track_id, pin.version})) {
      return absl::FailedPreconditionError(
          absl::StrCat("curriculum version ", pin.version, " of track '",
                       pin.track_id, "' does not exist"));
    }
    if (!state_->cohort_curricula.emplace(pin.cohort_id, pin).second) {
      return absl::AlreadyExistsError(absl::StrCat(
          "the curriculum of cohort '", pin.cohort_id, "' is already pinned"));
    }
    return absl::OkStatus();
  }

  absl::StatusOr<std::optional<TraineeRecord>> FindTrainee(
      const std::string& cohort_id, const std::string& trainee_id) override {
    auto it = state_->trainees.find({cohort_id, trainee_id});
    if (it == state_->trainees.end()) return std::optional<TraineeRecord>();
    return std::optional<TraineeRecord>(it->second.record);
  }
  absl::Status InsertTrainee(const TraineeRecord& trainee) override {
    RETURN_IF_ERROR(Mutation());
    State::TraineeRow row{.record = trainee,
                          .insert_order = state_->next_insert_order++};
    if (!state_->trainees
             .emplace(std::make_pair(trainee.cohort_id, trainee.trainee_id),
                      row)
             .second) {
      return absl::AlreadyExistsError(TraineeName(trainee) + " already exists");
    }
    return absl::OkStatus();
  }
  absl::Status UpdateTrainee(const TraineeRecord& trainee) override {
    RETURN_IF_ERROR(Mutation());
    auto it = state_->trainees.find({trainee.cohort_id, trainee.trainee_id});
    if (it == state_->trainees.end()) {
      return absl::NotFoundError(TraineeName(trainee) + " not found");
    }
    it->second.record = trainee;
    return absl::OkStatus();
  }
  absl::StatusOr<Page<TraineeRecord>> ListTrainees(
      const std::string& cohort_id, const PageQuery& page) override {
    RETURN_IF_ERROR(command::CheckPageLimit(page));
    Page<TraineeRecord> out;
    auto it = state_->trainees.upper_bound({cohort_id, page.after_key});
    for (; it != state_->trainees.end() && it->first.first == cohort_id; ++it) {
      if (static_cast<int32_t>(out.items.size()) == page.limit) {
        out.next_after_key = out.items.back().trainee_id;
        break;
      }
      out.items.push_back(it->second.record);
    }
    return out;
  }
  absl::StatusOr<std::vector<TraineeRecord>> TraineeRecordsOf(
      const std::string& trainee_id) override {
    std::vector<TraineeRecord> out;
    for (const auto& [key, row] : state_->trainees) {
      if (key.second == trainee_id) out.push_back(row.record);
    }
    return out;
  }
  absl::StatusOr<std::vector<StoredRequest>> StoredRequestsMentioning(
      const std::string& trainee_id) override {
    return state_->requests.All();
  }
  absl::Status ReplaceStoredResponse(const std::string& request_id,
                                     const ResponseSnapshot& response) override {
    RETURN_IF_ERROR(Mutation());
    return state_->requests.ReplaceResponse(request_id, response);
  }

  absl::StatusOr<std::optional<TraineeRecord>> LatestTraineeRecord(
      const std::string& trainee_id) override {
    const State::TraineeRow* latest = nullptr;
    for (const auto& [key, row] : state_->trainees) {
      if (key.second != trainee_id) continue;
      if (latest == nullptr ||
          std::make_pair(row.record.create_time, row.insert_order) >
              std::make_pair(latest->record.create_time,
                             latest->insert_order)) {
        latest = &row;
      }
    }
    if (latest == nullptr) return std::optional<TraineeRecord>();
    return std::optional<TraineeRecord>(latest->record);
  }
  absl::StatusOr<AttendanceTotals> CohortAttendance(
      const std::string& cohort_id) override {
    AttendanceTotals totals;
    for (const auto& [key, row] : state_->trainees) {
      if (key.first != cohort_id) continue;
      totals.present += row.record.sessions_present;
      totals.excused += row.record.sessions_excused;
      totals.unexcused += row.record.sessions_unexcused;
    }
    return totals;
  }
  absl::StatusOr<int64_t> NextTraineeSequence(
      const std::string& trainee_id) override {
    RETURN_IF_ERROR(Mutation());
    return ++state_->sequences[trainee_id];
  }

  absl::Status InsertAttendance(const AttendanceRecord& record) override {
    RETURN_IF_ERROR(Mutation());
    RETURN_IF_ERROR(RequireTrainee(record.cohort_id, record.trainee_id));
    State::AttendanceRow row{.record = record,
                             .insert_order = state_->next_insert_order++};
    if (!state_->attendance
             .emplace(std::make_tuple(
                          record.cohort_id, record.trainee_id, record.module_id,
                          absl::FormatCivilTime(record.session_date)),
                      row)
             .second) {
      return absl::AlreadyExistsError(absl::StrCat(
          "attendance of trainee '", record.trainee_id, "' in cohort '",
          record.cohort_id, "' at module '", record.module_id, "' on ",
          absl::FormatCivilTime(record.session_date), " already exists"));
    }
    return absl::OkStatus();
  }
  absl::StatusOr<std::vector<AttendanceRecord>> AttendanceOfTrainee(
      const std::string& cohort_id, const std::string& trainee_id) override {
    std::vector<const State::AttendanceRow*> rows;
    for (const auto& [key, row] : state_->attendance) {
      if (std::get<0>(key) == cohort_id && std::get<1>(key) == trainee_id) {
        rows.push_back(&row);
      }
    }
    std::sort(rows.begin(), rows.end(),
              [](const State::AttendanceRow* a, const State::AttendanceRow* b) {
                return std::make_pair(a->record.session_date, a->insert_order) <
                       std::make_pair(b->record.session_date, b->insert_order);
              });
    std::vector<AttendanceRecord> out;
    for (const State::AttendanceRow* row : rows) out.push_back(row->record);
    return out;
  }

  absl::Status InsertAssessment(const Assessment& assessment) override {
    RETURN_IF_ERROR(Mutation());
    RETURN_IF_ERROR(
        RequireTrainee(assessment.cohort_id, assessment.trainee_id));
    if (!state_->assessments
             .emplace(
                 std::make_tuple(assessment.cohort_id, assessment.trainee_id,
                                 assessment.module_id, assessment.attempt),
                 std::make_pair(assessment, state_->next_insert_order++))
             .second) {
      return absl::AlreadyExistsError(absl::StrCat(
          "attempt ", assessment.attempt, " of trainee '",
          assessment.trainee_id, "' in cohort '", assessment.cohort_id,
          "' at module '", assessment.module_id, "' already exists"));
    }
    return absl::OkStatus();
  }
  absl::StatusOr<std::vector<Assessment>> AssessmentsOfTrainee(
      const std::string& cohort_id, const std::string& trainee_id) override {
    std::vector<std::pair<int64_t, Assessment>> rows;
    for (const auto& [key, row] : state_->assessments) {
      if (std::get<0>(key) == cohort_id && std::get<1>(key) == trainee_id) {
        rows.emplace_back(row.second, row.first);
      }
    }
    std::sort(rows.begin(), rows.end(),
              [](const auto& a, const auto& b) { return a.first < b.first; });
    std::vector<Assessment> out;
    for (auto& [order, a] : rows) out.push_back(std::move(a));
    return out;
  }

 private:
  using State = InMemoryProgressState;

  // Attendance and assessments reference their trainee record (a foreign
  // key in the SQLite store).
  absl::Status RequireTrainee(const std::string& cohort_id,
                              const std::string& trainee_id) const {
    if (state_->trainees.count({cohort_id, trainee_id}) == 0) {
      return absl::FailedPreconditionError(
          absl::StrCat("no record of trainee '", trainee_id, "' in cohort '",
                       cohort_id, "'"));
    }
    return absl::OkStatus();
  }

  static std::string TraineeName(const TraineeRecord& t) {
    return absl::StrCat("trainee '", t.trainee_id, "' in cohort '", t.cohort_id,
                        "'");
  }
};

InMemoryProgressRepository::InMemoryProgressRepository()
    : InMemoryTransactions(std::make_unique<InMemoryProgressState>()) {}

InMemoryProgressRepository::~InMemoryProgressRepository() = default;

absl::Status InMemoryProgressRepository::Write(
    absl::FunctionRef<absl::Status(ProgressStore&)> fn) {
  return WriteWith<Store>(fn);
}

absl::Status InMemoryProgressRepository::Read(
    absl::FunctionRef<absl::Status(ProgressStore&)> fn) {
  return ReadWith<Store>(fn);
}

}  // namespace jit::progress::testing
