// The contract every ProgressRepository must honour (domain/repository.h),
// as a value-parameterized gtest suite. A store's test instantiates it with
// a factory that returns a fresh, empty repository per test:
//
//   INSTANTIATE_TEST_SUITE_P(
//       Stores, ProgressRepositoryContractTest,
//       ::testing::Values(storage::testing::SqliteFileParam<...>(...),
//                         storage::testing::InMemoryParam<...>()),
//       ProgressContractParamName);
//
// (libs/storage/testing/repository_contract.h: the parameter, the SQLite
// temporary-file and in-memory implementations, written once.)
//
// Include this header from exactly one .cc file per test binary (it defines
// the tests). Covered: exact round trip of every entity and of every
// idempotency snapshot variant; ALREADY_EXISTS and NOT_FOUND; latest
// curriculum; cohort pins and their reference to a curriculum; keyset
// paging; latest record of a trainee; attendance totals; per-trainee
// sequences; attendance in session-day order; assessments in insertion
// order; references of attendance and assessments to their trainee record;
// all-or-nothing writes (events included); read transactions refusing every
// mutation.
#ifndef JIT_SERVICES_TRAINING_PROGRESS_STORAGE_REPOSITORY_CONTRACT_TEST_H_
#define JIT_SERVICES_TRAINING_PROGRESS_STORAGE_REPOSITORY_CONTRACT_TEST_H_

#include <algorithm>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <ostream>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "libs/status/status_macros.h"
#include "libs/storage/testing/repository_contract.h"
#include "services/training-progress/domain/events.h"
#include "services/training-progress/domain/model.h"
#include "services/training-progress/domain/repository.h"
#include "services/training-progress/storage/repository_test_values.h"

namespace jit::progress::testing {

// One implementation under test: name, factory of fresh repositories, and
// the keys of what it published (libs/storage/testing/repository_contract.h).
using ProgressContractParam =
    storage::testing::ContractParam<ProgressRepository>;
inline constexpr auto& ProgressContractParamName =
    storage::testing::ContractParamName<ProgressRepository>;

// ---------------------------------------------------------------------------
// The suite.

class ProgressRepositoryContractTest
    : public ::testing::TestWithParam<ProgressContractParam> {
 protected:
  void SetUp() override {
    repo_ = GetParam().factory();
    ASSERT_NE(repo_, nullptr);
  }

  absl::Status Write(absl::FunctionRef<absl::Status(ProgressStore&)> fn) {
    return repo_->Write(fn);
  }
  absl::Status Read(absl::FunctionRef<absl::Status(ProgressStore&)> fn) {
    return repo_->Read(fn);
  }

  // Runs one read-only call and returns its value (failing the test on an
  // error).
  template <typename F>
  auto ReadValue(F f) ->
      typename std::invoke_result_t<F, ProgressStore&>::value_type {
    using T = typename std::invoke_result_t<F, ProgressStore&>::value_type;
    T out{};
    absl::Status s = Read([&](ProgressStore& store) -> absl::Status {
      ASSIGN_OR_RETURN(out, f(store));
      return absl::OkStatus();
    });
    EXPECT_TRUE(s.ok()) << s;
    return out;
  }

  void MustWrite(absl::FunctionRef<absl::Status(ProgressStore&)> fn) {
    absl::Status s = Write(fn);
    ASSERT_TRUE(s.ok()) << s;
  }

  void AddTrainee(const TraineeRecord& r) {
    MustWrite([&](ProgressStore& s) { return s.InsertTrainee(r); });
  }

  bool CanSeePublished() const {
    return static_cast<bool>(GetParam().published_keys);
  }
  std::vector<std::string> PublishedKeys() {
    return GetParam().published_keys(*repo_);
  }

  std::vector<std::string> TraineeIds(const std::string& cohort_id,
                                      PageQuery page, std::string* next) {
    Page<TraineeRecord> p = ReadValue(
        [&](ProgressStore& s) { return s.ListTrainees(cohort_id, page); });
    std::vector<std::string> ids;
    for (const TraineeRecord& r : p.items) ids.push_back(r.trainee_id);
    *next = p.next_after_key;
    return ids;
  }

  std::unique_ptr<ProgressRepository> repo_;
};

using ::testing::ElementsAre;
using ::testing::IsEmpty;

// --- Idempotency ------------------------------------------------------------

TEST_P(ProgressRepositoryContractTest, EverySnapshotVariantRoundTrips) {
  const TraineeRecord full = ContractTrainee("coh_a", "trn_1");
  const TraineeRecord bare = ContractNewTrainee("coh_a", "trn_2");
  const std::vector<std::pair<std::string, ResponseSnapshot>> snapshots = {
      {"PublishCurriculum", ContractCurriculum("cybersecurity", 3)},
      {"RecordAttendance",
       AttendanceOutcome{
           .progress = {ContractProgress(full), ContractProgress(bare)}}},
      {"RecordAssessment",
       AssessmentOutcome{
           .passed = true, .attempt = 2, .progress = ContractProgress(bare)}},
      {"RecordDropOut", DropOutOutcome{.progress = ContractProgress(full)}},
      {"IssueCertificate",
       CertificateOutcome{.certificate = *full.certificate,
                          .progress = ContractProgress(full)}},
  };
  MustWrite([&](ProgressStore& s) -> absl::Status {
    for (size_t i = 0; i < snapshots.size(); ++i) {
      RETURN_IF_ERROR(s.InsertRequest(
          StoredRequest{.request_id = absl::StrCat("req-", i),
                        .operation = snapshots[i].first,
                        .response = snapshots[i].second,
                        .create_time = ContractTime(static_cast<int64_t>(i))}));
    }
    return absl::OkStatus();
  });
  for (size_t i = 0; i < snapshots.size(); ++i) {
    std::optional<StoredRequest> got = ReadValue([&](ProgressStore& s) {
      return s.FindRequest(absl::StrCat("req-", i));
    });
    ASSERT_TRUE(got.has_value()) << i;
    EXPECT_EQ(got->request_id, absl::StrCat("req-", i));
    EXPECT_EQ(got->operation, snapshots[i].first);
    EXPECT_EQ(got->create_time, ContractTime(static_cast<int64_t>(i)));
    EXPECT_TRUE(got->response == snapshots[i].second) << snapshots[i].first;
  }
  EXPECT_FALSE(ReadValue([](ProgressStore& s) {
                 return s.FindRequest("req-none");
               }).has_value());
  absl::Status dup = Write([&](ProgressStore& s) {
    return s.InsertRequest(StoredRequest{.request_id = "req-0",
                                         .operation = "RecordDropOut",
                                         .response = snapshots[3].second,
                                         .create_time = ContractTime(9)});
  });
  EXPECT_EQ(dup.code(), absl::StatusCode::kAlreadyExists) << dup;
}

TEST_P(ProgressRepositoryContractTest, ErasureFindsAndRewritesATraineesRecordsAndAnswers) {
  TraineeRecord one = ContractTrainee("coh_a", "trn_1");
  TraineeRecord other_cohort = ContractTrainee("coh_b", "trn_1");
  TraineeRecord two = ContractTrainee("coh_a", "trn_2");
  MustWrite([&](ProgressStore& s) -> absl::Status {
    RETURN_IF_ERROR(s.InsertTrainee(one));
    RETURN_IF_ERROR(s.InsertTrainee(other_cohort));
    RETURN_IF_ERROR(s.InsertTrainee(two));
    RETURN_IF_ERROR(s.InsertRequest(StoredRequest{
        .request_id = "req-1", .operation = "RecordDropOut",
        .response = DropOutOutcome{.progress = ContractProgress(one)},
        .create_time = ContractTime(1)}));
    return s.InsertRequest(StoredRequest{
        .request_id = "req-2", .operation = "RecordDropOut",
        .response = DropOutOutcome{.progress = ContractProgress(two)},
        .create_time = ContractTime(2)});
  });
  const std::vector<TraineeRecord> records =
      ReadValue([](ProgressStore& s) { return s.TraineeRecordsOf("trn_1"); });
  ASSERT_EQ(records.size(), 2u);
  EXPECT_EQ(records[0].trainee_id, "trn_1");
  EXPECT_EQ(records[1].trainee_id, "trn_1");
  // At least the trainee's answer (a store may return more).
  std::vector<StoredRequest> found = ReadValue(
      [](ProgressStore& s) { return s.StoredRequestsMentioning("trn_1"); });
  bool has_one = false;
  for (const StoredRequest& r : found) has_one |= r.request_id == "req-1";
  EXPECT_TRUE(has_one);
  TraineeRecord cleared = one;
  cleared.exit_reason.clear();
  const ResponseSnapshot replaced =
      DropOutOutcome{.progress = ContractProgress(cleared)};
  MustWrite([&](ProgressStore& s) { return s.ReplaceStoredResponse("req-1", replaced); });
  std::optional<StoredRequest> got =
      ReadValue([](ProgressStore& s) { return s.FindRequest("req-1"); });
  ASSERT_TRUE(got.has_value());
  EXPECT_TRUE(got->response == replaced);
  EXPECT_EQ(got->operation, "RecordDropOut");
  EXPECT_EQ(got->create_time, ContractTime(1));
  EXPECT_EQ(Write([&](ProgressStore& s) {
              return s.ReplaceStoredResponse("req-none", replaced);
            }).code(),
            absl::StatusCode::kNotFound);
}

TEST_P(ProgressRepositoryContractTest, ExpiredRequestsAreDeletedOldestFirstInBatches) {
  MustWrite([&](ProgressStore& s) -> absl::Status {
    for (int64_t i = 0; i < 5; ++i)
      RETURN_IF_ERROR(
          s.InsertRequest(StoredRequest{.request_id = absl::StrCat("req-", i),
                                        .operation = "RecordDropOut",
                                        .response = DropOutOutcome{},
                                        .create_time = ContractTime(i)}));
    return absl::OkStatus();
  });
  auto prune = [&](int64_t before, int64_t limit) {
    int64_t deleted = -1;
    MustWrite([&](ProgressStore& s) -> absl::Status {
      absl::StatusOr<int64_t> n =
          s.DeleteRequestsBefore(ContractTime(before), limit);
      if (!n.ok()) return n.status();
      deleted = *n;
      return absl::OkStatus();
    });
    return deleted;
  };
  EXPECT_EQ(prune(3, 2), 2);  // req-0, req-1: the oldest first
  EXPECT_EQ(ReadValue([](ProgressStore& s) {
              return s.FindRequest("req-1");
            }).has_value(),
            false);
  EXPECT_EQ(ReadValue([](ProgressStore& s) {
              return s.FindRequest("req-2");
            }).has_value(),
            true);
  EXPECT_EQ(prune(3, 10), 1);  // req-2; req-3 is not older than the cut
  EXPECT_EQ(prune(3, 10), 0);
  for (const char* kept : {"req-3", "req-4"}) {
    EXPECT_TRUE(ReadValue([&](ProgressStore& s) {
                  return s.FindRequest(kept);
                }).has_value())
        << kept;
  }
}

// --- Curricula --------------------------------------------------------------

TEST_P(ProgressRepositoryContractTest, CurriculaAreFoundByVersionOrLatest) {
  const Curriculum a1 = ContractCurriculum("cybersecurity", 1);
  const Curriculum a2 = ContractCurriculum("cybersecurity", 2, 5);
  const Curriculum b1 = ContractCurriculum("digital-marketing", 1, 1);
  MustWrite([&](ProgressStore& s) -> absl::Status {
    RETURN_IF_ERROR(s.InsertCurriculum(a1));
    RETURN_IF_ERROR(s.InsertCurriculum(b1));
    return s.InsertCurriculum(a2);
  });
  auto find = [&](const std::string& track, int32_t version) {
    return ReadValue(
        [&](ProgressStore& s) { return s.FindCurriculum(track, version); });
  };
  EXPECT_EQ(find("cybersecurity", 1), a1);
  EXPECT_EQ(find("cybersecurity", 2), a2);
  EXPECT_EQ(find("cybersecurity", 0), a2);
  EXPECT_EQ(find("digital-marketing", 0), b1);
  EXPECT_FALSE(find("cybersecurity", 3).has_value());
  EXPECT_FALSE(find("digital-health", 0).has_value());
  // Prefixes of a track id are other tracks.
  EXPECT_FALSE(find("cyber", 0).has_value());

  absl::Status dup = Write([&](ProgressStore& s) {
    return s.InsertCurriculum(ContractCurriculum("cybersecurity", 2, 1));
  });
  EXPECT_EQ(dup.code(), absl::StatusCode::kAlreadyExists) << dup;
  EXPECT_EQ(find("cybersecurity", 2), a2);
}

TEST_P(ProgressRepositoryContractTest, CohortPinsReferenceACurriculum) {
  MustWrite([&](ProgressStore& s) {
    return s.InsertCurriculum(ContractCurriculum("cybersecurity", 1));
  });
  const CohortCurriculum pin{.cohort_id = "coh_a",
                             .track_id = "cybersecurity",
                             .version = 1,
                             .pin_time = ContractTime(3)};
  MustWrite([&](ProgressStore& s) { return s.InsertCohortCurriculum(pin); });
  EXPECT_EQ(ReadValue([](ProgressStore& s) {
              return s.FindCohortCurriculum("coh_a");
            }),
            pin);
  EXPECT_FALSE(ReadValue([](ProgressStore& s) {
                 return s.FindCohortCurriculum("coh_b");
               }).has_value());
  absl::Status dup =
      Write([&](ProgressStore& s) { return s.InsertCohortCurriculum(pin); });
  EXPECT_EQ(dup.code(), absl::StatusCode::kAlreadyExists) << dup;

  CohortCurriculum dangling = pin;
  dangling.cohort_id = "coh_b";
  dangling.version = 2;
  absl::Status missing = Write(
      [&](ProgressStore& s) { return s.InsertCohortCurriculum(dangling); });
  EXPECT_EQ(missing.code(), absl::StatusCode::kFailedPrecondition) << missing;
  EXPECT_FALSE(ReadValue([](ProgressStore& s) {
                 return s.FindCohortCurriculum("coh_b");
               }).has_value());
}

// --- Trainees ----------------------------------------------------------------

TEST_P(ProgressRepositoryContractTest, TraineeRecordsRoundTripExactly) {
  const TraineeRecord full = ContractTrainee("coh_a", "trn_1");
  const TraineeRecord bare = ContractNewTrainee("coh_a", "trn_2");
  AddTrainee(full);
  AddTrainee(bare);
  auto find = [&](const std::string& cohort, const std::string& trainee) {
    return ReadValue(
        [&](ProgressStore& s) { return s.FindTrainee(cohort, trainee); });
  };
  EXPECT_EQ(find("coh_a", "trn_1"), full);
  EXPECT_EQ(find("coh_a", "trn_2"), bare);
  EXPECT_FALSE(find("coh_b", "trn_1").has_value());

  TraineeRecord updated = bare;
  updated.status = TrainingStatus::kCompleted;
  updated.sessions_present = 4;
  updated.completion_date = absl::CivilDay(2026, 1, 2);
  updated.exit_date = absl::CivilDay(2026, 1, 2);
  updated.dimensions.residence_region_code = "MA-04";
  updated.update_time = ContractTime(50);
  MustWrite([&](ProgressStore& s) { return s.UpdateTrainee(updated); });
  EXPECT_EQ(find("coh_a", "trn_2"), updated);
  // Clearing optional fields is an update too.
  MustWrite([&](ProgressStore& s) { return s.UpdateTrainee(bare); });
  EXPECT_EQ(find("coh_a", "trn_2"), bare);

  absl::Status dup =
      Write([&](ProgressStore& s) { return s.InsertTrainee(full); });
  EXPECT_EQ(dup.code(), absl::StatusCode::kAlreadyExists) << dup;
  absl::Status missing = Write([&](ProgressStore& s) {
    return s.UpdateTrainee(ContractTrainee("coh_b", "trn_1"));
  });
  EXPECT_EQ(missing.code(), absl::StatusCode::kNotFound) << missing;
}

TEST_P(ProgressRepositoryContractTest, TraineesArePagedByIdWithinTheirCohort) {
  for (const char* t : {"trn_d", "trn_b", "trn_a", "trn_c", "trn_e"}) {
    AddTrainee(ContractNewTrainee("coh_a", t));
  }
  AddTrainee(ContractNewTrainee("coh_b", "trn_0"));
  AddTrainee(ContractNewTrainee("coh_0", "trn_z"));
  std::string next;
  EXPECT_THAT(TraineeIds("coh_a", {.limit = 2, .after_key = ""}, &next),
              ElementsAre("trn_a", "trn_b"));
  EXPECT_EQ(next, "trn_b");
  EXPECT_THAT(TraineeIds("coh_a", {.limit = 2, .after_key = next}, &next),
              ElementsAre("trn_c", "trn_d"));
  EXPECT_EQ(next, "trn_d");
  EXPECT_THAT(TraineeIds("coh_a", {.limit = 2, .after_key = next}, &next),
              ElementsAre("trn_e"));
  EXPECT_EQ(next, "");
  // Exactly a full last page: no next key.
  EXPECT_THAT(TraineeIds("coh_a", {.limit = 5, .after_key = ""}, &next),
              ElementsAre("trn_a", "trn_b", "trn_c", "trn_d", "trn_e"));
  EXPECT_EQ(next, "");
  EXPECT_THAT(TraineeIds("coh_none", {.limit = 5, .after_key = ""}, &next),
              IsEmpty());
  absl::Status bad = Read([](ProgressStore& s) {
    return s.ListTrainees("coh_a", {.limit = 0, .after_key = ""}).status();
  });
  EXPECT_EQ(bad.code(), absl::StatusCode::kInvalidArgument) << bad;
}

TEST_P(ProgressRepositoryContractTest, LatestRecordOfATraineeIsTheNewest) {
  AddTrainee(ContractNewTrainee("coh_b", "trn_1", /*created_at=*/20));
  AddTrainee(ContractNewTrainee("coh_a", "trn_1", /*created_at=*/10));
  AddTrainee(ContractNewTrainee("coh_c", "trn_2", /*created_at=*/30));
  auto latest = [&](const std::string& trainee) {
    return ReadValue(
        [&](ProgressStore& s) { return s.LatestTraineeRecord(trainee); });
  };
  ASSERT_TRUE(latest("trn_1").has_value());
  EXPECT_EQ(latest("trn_1")->cohort_id, "coh_b");
  EXPECT_EQ(latest("trn_2")->cohort_id, "coh_c");
  EXPECT_FALSE(latest("trn_3").has_value());
  // Same creation time: the later insertion wins.
  AddTrainee(ContractNewTrainee("coh_0", "trn_1", /*created_at=*/20));
  EXPECT_EQ(latest("trn_1")->cohort_id, "coh_0");
}

TEST_P(ProgressRepositoryContractTest, CohortAttendanceSumsItsTrainees) {
  TraineeRecord a = ContractNewTrainee("coh_a", "trn_1");
  a.sessions_present = 5;
  a.sessions_excused = 1;
  a.sessions_unexcused = 2;
  TraineeRecord b = ContractNewTrainee("coh_a", "trn_2");
  b.sessions_present = 7;
  b.sessions_unexcused = 1;
  TraineeRecord other = ContractNewTrainee("coh_b", "trn_3");
  other.sessions_present = 100;
  for (const TraineeRecord* r : {&a, &b, &other}) AddTrainee(*r);
  AttendanceTotals t =
      ReadValue([](ProgressStore& s) { return s.CohortAttendance("coh_a"); });
  EXPECT_EQ(t.present, 12);
  EXPECT_EQ(t.excused, 1);
  EXPECT_EQ(t.unexcused, 3);
  AttendanceTotals none =
      ReadValue([](ProgressStore& s) { return s.CohortAttendance("coh_x"); });
  EXPECT_EQ(none.present + none.excused + none.unexcused, 0);
}

TEST_P(ProgressRepositoryContractTest, SequencesArePerTraineeAndDurable) {
  std::vector<int64_t> got;
  MustWrite([&](ProgressStore& s) -> absl::Status {
    for (const char* t : {"trn_1", "trn_1", "trn_2", "trn_1"}) {
      ASSIGN_OR_RETURN(int64_t seq, s.NextTraineeSequence(t));
      got.push_back(seq);
    }
    return absl::OkStatus();
  });
  EXPECT_THAT(got, ElementsAre(1, 2, 1, 3));
  // A rolled-back transaction gives its numbers back.
  absl::Status rolled_back = Write([&](ProgressStore& s) -> absl::Status {
    RETURN_IF_ERROR(s.NextTraineeSequence("trn_1").status());
    return absl::AbortedError("roll back");
  });
  EXPECT_EQ(rolled_back.code(), absl::StatusCode::kAborted);
  int64_t next = 0;
  MustWrite([&](ProgressStore& s) -> absl::Status {
    ASSIGN_OR_RETURN(next, s.NextTraineeSequence("trn_1"));
    return absl::OkStatus();
  });
  EXPECT_EQ(next, 4);
}

// --- Attendance and assessments ----------------------------------------------

TEST_P(ProgressRepositoryContractTest, AttendanceIsOncePerSessionInDayOrder) {
  AddTrainee(ContractNewTrainee("coh_a", "trn_1"));
  AddTrainee(ContractNewTrainee("coh_a", "trn_2"));
  auto record = [](const std::string& trainee, const std::string& module,
                   absl::CivilDay day, AttendanceMark mark) {
    return AttendanceRecord{.cohort_id = "coh_a",
                            .trainee_id = trainee,
                            .module_id = module,
                            .session_date = day,
                            .mark = mark,
                            .request_id = "req-" + module,
                            .record_time = ContractTime(day.day())};
  };
  const AttendanceRecord d5 =
      record("trn_1", "module-1", absl::CivilDay(2025, 11, 5),
             AttendanceMark::kUnexcusedAbsence);
  const AttendanceRecord d3b =
      record("trn_1", "module-2", absl::CivilDay(2025, 11, 3),
             AttendanceMark::kExcusedAbsence);
  const AttendanceRecord d3a =
      record("trn_1", "module-1", absl::CivilDay(2025, 11, 3),
             AttendanceMark::kPresent);
  const AttendanceRecord other =
      record("trn_2", "module-1", absl::CivilDay(2025, 11, 3),
             AttendanceMark::kPresent);
  MustWrite([&](ProgressStore& s) -> absl::Status {
    for (const AttendanceRecord* r : {&d5, &d3b, &d3a, &other}) {
      RETURN_IF_ERROR(s.InsertAttendance(*r));
    }
    return absl::OkStatus();
  });
  // By day, then in insertion order within a day.
  EXPECT_THAT(ReadValue([](ProgressStore& s) {
                return s.AttendanceOfTrainee("coh_a", "trn_1");
              }),
              ElementsAre(d3b, d3a, d5));
  EXPECT_THAT(ReadValue([](ProgressStore& s) {
                return s.AttendanceOfTrainee("coh_b", "trn_1");
              }),
              IsEmpty());

  AttendanceRecord again = d5;
  again.mark = AttendanceMark::kPresent;
  absl::Status dup =
      Write([&](ProgressStore& s) { return s.InsertAttendance(again); });
  EXPECT_EQ(dup.code(), absl::StatusCode::kAlreadyExists) << dup;

  AttendanceRecord orphan = d5;
  orphan.trainee_id = "trn_9";
  absl::Status no_record =
      Write([&](ProgressStore& s) { return s.InsertAttendance(orphan); });
  EXPECT_EQ(no_record.code(), absl::StatusCode::kFailedPrecondition)
      << no_record;
  EXPECT_THAT(ReadValue([](ProgressStore& s) {
                return s.AttendanceOfTrainee("coh_a", "trn_9");
              }),
              IsEmpty());
}

TEST_P(ProgressRepositoryContractTest, AssessmentsAreOncePerAttemptInOrder) {
  AddTrainee(ContractNewTrainee("coh_a", "trn_1"));
  auto attempt = [](const std::string& module, int32_t n, double score) {
    return Assessment{.cohort_id = "coh_a",
                      .trainee_id = "trn_1",
                      .module_id = module,
                      .attempt = n,
                      .score = score,
                      .assessed_on = absl::CivilDay(2025, 12, n),
                      .passed = score >= 10,
                      .request_id = absl::StrCat("req-", module, "-", n),
                      .record_time = ContractTime(n)};
  };
  const Assessment b1 = attempt("module-2", 1, 7.125);
  const Assessment a1 = attempt("module-1", 1, 19.5);
  const Assessment b2 = attempt("module-2", 2, 12);
  MustWrite([&](ProgressStore& s) -> absl::Status {
    RETURN_IF_ERROR(s.InsertAssessment(b1));
    RETURN_IF_ERROR(s.InsertAssessment(a1));
    return s.InsertAssessment(b2);
  });
  EXPECT_THAT(ReadValue([](ProgressStore& s) {
                return s.AssessmentsOfTrainee("coh_a", "trn_1");
              }),
              ElementsAre(b1, a1, b2));
  absl::Status dup = Write([&](ProgressStore& s) {
    return s.InsertAssessment(attempt("module-2", 2, 3));
  });
  EXPECT_EQ(dup.code(), absl::StatusCode::kAlreadyExists) << dup;
  Assessment orphan = a1;
  orphan.cohort_id = "coh_b";
  absl::Status no_record =
      Write([&](ProgressStore& s) { return s.InsertAssessment(orphan); });
  EXPECT_EQ(no_record.code(), absl::StatusCode::kFailedPrecondition)
      << no_record;
}

// --- Transactions
// -------------------------------------------------------------

TEST_P(ProgressRepositoryContractTest, AFailedWriteLeavesNoTrace) {
  absl::Status s = Write([&](ProgressStore& store) -> absl::Status {
    RETURN_IF_ERROR(
        store.InsertCurriculum(ContractCurriculum("cybersecurity", 1)));
    RETURN_IF_ERROR(store.InsertTrainee(ContractNewTrainee("coh_a", "trn_1")));
    RETURN_IF_ERROR(store.NextTraineeSequence("trn_1").status());
    RETURN_IF_ERROR(store.Publish(ContractEvent("trn_1")));
    RETURN_IF_ERROR(
        store.InsertRequest(StoredRequest{.request_id = "req-1",
                                          .operation = "RecordDropOut",
                                          .response = DropOutOutcome{},
                                          .create_time = ContractTime(1)}));
    return absl::FailedPreconditionError("the rule said no");
  });
  EXPECT_EQ(s.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_FALSE(ReadValue([](ProgressStore& st) {
                 return st.FindCurriculum("cybersecurity", 0);
               }).has_value());
  EXPECT_FALSE(ReadValue([](ProgressStore& st) {
                 return st.FindTrainee("coh_a", "trn_1");
               }).has_value());
  EXPECT_FALSE(ReadValue([](ProgressStore& st) {
                 return st.FindRequest("req-1");
               }).has_value());
  if (CanSeePublished()) {
    EXPECT_THAT(PublishedKeys(), IsEmpty());
  }
}

TEST_P(ProgressRepositoryContractTest, CommittedEventsKeepTheirOrder) {
  if (!CanSeePublished()) GTEST_SKIP() << "store cannot show its events";
  MustWrite([&](ProgressStore& s) -> absl::Status {
    RETURN_IF_ERROR(s.Publish(ContractEvent("trn_2", 1)));
    return s.Publish(ContractEvent("trn_1", 1));
  });
  MustWrite(
      [&](ProgressStore& s) { return s.Publish(ContractEvent("trn_2", 2)); });
  EXPECT_THAT(PublishedKeys(), ElementsAre("trn_2", "trn_1", "trn_2"));
}

TEST_P(ProgressRepositoryContractTest, ReadTransactionsRefuseEveryMutation) {
  const TraineeRecord r = ContractNewTrainee("coh_a", "trn_1");
  std::vector<absl::Status> results;
  absl::Status s = Read([&](ProgressStore& store) -> absl::Status {
    results.push_back(
        store.InsertRequest(StoredRequest{.request_id = "req-1",
                                          .operation = "RecordDropOut",
                                          .response = DropOutOutcome{},
                                          .create_time = ContractTime(1)}));
    results.push_back(
        store.InsertCurriculum(ContractCurriculum("cybersecurity", 1)));
    results.push_back(store.InsertCohortCurriculum(
        CohortCurriculum{.cohort_id = "coh_a",
                         .track_id = "cybersecurity",
                         .version = 1,
                         .pin_time = ContractTime(1)}));
    results.push_back(store.InsertTrainee(r));
    results.push_back(store.UpdateTrainee(r));
    results.push_back(store.NextTraineeSequence("trn_1").status());
    results.push_back(store.InsertAttendance(
        AttendanceRecord{.cohort_id = "coh_a",
                         .trainee_id = "trn_1",
                         .module_id = "module-1",
                         .session_date = absl::CivilDay(2025, 11, 3),
                         .mark = AttendanceMark::kPresent,
                         .request_id = "req-1",
                         .record_time = ContractTime(1)}));
    results.push_back(store.InsertAssessment(
        Assessment{.cohort_id = "coh_a",
                   .trainee_id = "trn_1",
                   .module_id = "module-1",
                   .attempt = 1,
                   .score = 1,
                   .assessed_on = absl::CivilDay(2025, 11, 3),
                   .passed = false,
                   .request_id = "req-1",
                   .record_time = ContractTime(1)}));
    results.push_back(store.Publish(ContractEvent("trn_1")));
    return absl::OkStatus();
  });
  EXPECT_TRUE(s.ok()) << s;
  ASSERT_EQ(results.size(), 9u);
  for (size_t i = 0; i < results.size(); ++i) {
    EXPECT_EQ(results[i].code(), absl::StatusCode::kFailedPrecondition)
        << i << ": " << results[i];
  }
  EXPECT_FALSE(ReadValue([](ProgressStore& st) {
                 return st.FindTrainee("coh_a", "trn_1");
               }).has_value());
}

}  // namespace jit::progress::testing

#endif  // JIT_SERVICES_TRAINING_PROGRESS_STORAGE_REPOSITORY_CONTRACT_TEST_H_
