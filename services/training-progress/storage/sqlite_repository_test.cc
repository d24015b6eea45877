// What the SQLite store guarantees beyond the repository contract: the
// outbox in the same transaction, the file across reopens, schema
// versioning, the snapshot format, and the domain core on the real store.
#include "services/training-progress/storage/sqlite_repository.h"

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/civil_time.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "jobintech/events/v1/lifecycle_event.pb.h"
#include "libs/clock/clock.h"
#include "libs/events/envelope.h"
#include "libs/outbox/outbox.h"
#include "libs/status/status_macros.h"
#include "libs/storage/database.h"
#include "libs/storage/testing/temp_dir.h"
#include "services/training-progress/domain/progress_service.h"
#include "services/training-progress/domain/testing/fake_enrollment_client.h"
#include "services/training-progress/events/event_mapper.h"
#include "services/training-progress/storage/repository_test_values.h"

namespace jit::progress {
namespace {

namespace pb = ::jobintech::events::v1;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

struct OutboxRow {
  std::string topic;
  std::string key;
  std::string payload;
  std::string headers;
};

class SqliteProgressRepositoryTest : public ::testing::Test {
 protected:
  void SetUp() override { Reopen(); }

  void Reopen() {
    service_.reset();
    repo_.reset();
    auto repo = SqliteProgressRepository::Open({.path = path_}, &clock_,
                                               &ToOutboxMessage);
    ASSERT_TRUE(repo.ok()) << repo.status();
    repo_ = std::move(*repo);
    service_ =
        std::make_unique<ProgressService>(repo_.get(), &enrollment_, &clock_);
  }

  std::vector<OutboxRow> Outbox() {
    std::vector<OutboxRow> rows;
    absl::Status s = repo_->database()->Transaction(
        storage::TxMode::kDeferred, [&](storage::Tx& tx) -> absl::Status {
          ASSIGN_OR_RETURN(storage::Statement st,
                           tx.Prepare("SELECT topic, key, payload, headers "
                                      "FROM outbox ORDER BY id"));
          while (true) {
            ASSIGN_OR_RETURN(bool row, st.Step());
            if (!row) return absl::OkStatus();
            rows.push_back({st.ColumnText(0), st.ColumnText(1),
                            st.ColumnBlob(2), st.ColumnBlob(3)});
          }
        });
    EXPECT_TRUE(s.ok()) << s;
    return rows;
  }

  // The decoded events of the outbox, in commit order.
  std::vector<pb::LifecycleEvent> OutboxEvents() {
    std::vector<pb::LifecycleEvent> out;
    for (const OutboxRow& row : Outbox()) {
      auto headers = outbox::DecodeHeaders(row.headers);
      EXPECT_TRUE(headers.ok()) << headers.status();
      if (!headers.ok()) continue;
      auto e = events::Decode(row.key, row.payload, *headers);
      EXPECT_TRUE(e.ok()) << e.status();
      if (e.ok()) out.push_back(*e);
    }
    return out;
  }

  RequestContext Ctx(std::string id = "") {
    if (id.empty()) id = absl::StrCat("req-", ++next_request_);
    return RequestContext{
        .request_id = std::move(id),
        .traceparent =
            "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"};
  }

  void Enrol(const std::string& trainee) {
    enrollment_.Set(
        TraineeEnrolment{.trainee_id = trainee,
                         .cohort_id = "coh_1",
                         .application_id = "app_" + trainee,
                         .status = EnrolmentStatus::kEnrolled,
                         .dimensions = testing::ContractDimensions("coh_1"),
                         .cohort_start_date = absl::CivilDay(2025, 11, 3),
                         .cohort_end_date = absl::CivilDay(2026, 4, 30),
                         .status_time = absl::UnixEpoch()});
  }

  storage::testing::TempDir dir_;
  const std::string path_ = dir_.File("progress.db");
  // After the records below: the service refuses days in the future.
  FakeClock clock_{
      absl::FromCivil(absl::CivilDay(2026, 1, 31), absl::UTCTimeZone())};
  testing::FakeEnrollmentClient enrollment_;
  std::unique_ptr<SqliteProgressRepository> repo_;
  std::unique_ptr<ProgressService> service_;
  int next_request_ = 0;
};

TEST_F(SqliteProgressRepositoryTest, EventsCommitWithTheChangeInTheOutbox) {
  ASSERT_TRUE(repo_
                  ->Write([&](ProgressStore& s) -> absl::Status {
                    RETURN_IF_ERROR(s.InsertTrainee(
                        testing::ContractNewTrainee("coh_a", "trn_1")));
                    return s.Publish(testing::ContractEvent("trn_1"));
                  })
                  .ok());
  std::vector<OutboxRow> rows = Outbox();
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0].topic, "jobintech.progress.v1");
  EXPECT_EQ(rows[0].key, "trn_1");
  ASSERT_EQ(OutboxEvents().size(), 1u);
  EXPECT_TRUE(OutboxEvents()[0].has_attendance_recorded());

  // A failing transaction leaves neither the row nor the event.
  absl::Status failed = repo_->Write([&](ProgressStore& s) -> absl::Status {
    RETURN_IF_ERROR(
        s.InsertTrainee(testing::ContractNewTrainee("coh_a", "trn_2")));
    RETURN_IF_ERROR(s.Publish(testing::ContractEvent("trn_2")));
    return absl::AbortedError("no");
  });
  EXPECT_EQ(failed.code(), absl::StatusCode::kAborted);
  EXPECT_EQ(Outbox().size(), 1u);
}

TEST_F(SqliteProgressRepositoryTest,
       AnEventThatDoesNotMapIsInternalAndCommitsNothing) {
  DomainEvent bad = testing::ContractEvent("trn_1");
  bad.session_date.reset();
  absl::Status s = repo_->Write([&](ProgressStore& store) -> absl::Status {
    RETURN_IF_ERROR(
        store.InsertTrainee(testing::ContractNewTrainee("coh_a", "trn_1")));
    return store.Publish(bad);
  });
  EXPECT_EQ(s.code(), absl::StatusCode::kInternal) << s;
  EXPECT_THAT(std::string(s.message()), HasSubstr("session_date"));
  EXPECT_THAT(Outbox(), IsEmpty());
}

TEST_F(SqliteProgressRepositoryTest, DataSurvivesAReopen) {
  const TraineeRecord r = testing::ContractTrainee("coh_a", "trn_1");
  ASSERT_TRUE(
      repo_->Write([&](ProgressStore& s) { return s.InsertTrainee(r); }).ok());
  Reopen();
  std::optional<TraineeRecord> got;
  ASSERT_TRUE(repo_
                  ->Read([&](ProgressStore& s) -> absl::Status {
                    ASSIGN_OR_RETURN(got, s.FindTrainee("coh_a", "trn_1"));
                    return absl::OkStatus();
                  })
                  .ok());
  EXPECT_EQ(got, r);
  EXPECT_EQ(*repo_->database()->SchemaVersion(),
            SqliteProgressRepository::kSchemaVersion);
}

TEST_F(SqliteProgressRepositoryTest, AFileFromANewerBinaryIsRefused) {
  ASSERT_TRUE(repo_->database()->Execute("PRAGMA user_version = 9").ok());
  repo_.reset();
  service_.reset();
  auto repo = SqliteProgressRepository::Open({.path = path_}, &clock_,
                                             &ToOutboxMessage);
  EXPECT_EQ(repo.status().code(), absl::StatusCode::kFailedPrecondition)
      << repo.status();
}

// A version 3 file (made by dropping what migration 4 added) gets codes:
// OTHER for a drop-out and a revoked certificate, UNSPECIFIED elsewhere; the
// notes stay.
TEST_F(SqliteProgressRepositoryTest, MigrationFourCodesExistingExitsAsOther) {
  TraineeRecord dropped = testing::ContractTrainee("coh_a", "trn_1");
  dropped.status = TrainingStatus::kDroppedOut;
  TraineeRecord active = testing::ContractNewTrainee("coh_a", "trn_2");
  ASSERT_TRUE(repo_
                  ->Write([&](ProgressStore& s) -> absl::Status {
                    RETURN_IF_ERROR(s.InsertTrainee(dropped));
                    return s.InsertTrainee(active);
                  })
                  .ok());
  ASSERT_TRUE(repo_->database()
                  ->Execute("ALTER TABLE trainees DROP COLUMN exit_reason_code; "
                            "ALTER TABLE trainees DROP COLUMN revocation_reason_code; "
                            "DELETE FROM schema_migrations WHERE version = 4; "
                            "PRAGMA user_version = 3")
                  .ok());
  Reopen();
  EXPECT_EQ(*repo_->database()->SchemaVersion(), 4);
  std::optional<TraineeRecord> d, a;
  ASSERT_TRUE(repo_
                  ->Read([&](ProgressStore& s) -> absl::Status {
                    ASSIGN_OR_RETURN(d, s.FindTrainee("coh_a", "trn_1"));
                    ASSIGN_OR_RETURN(a, s.FindTrainee("coh_a", "trn_2"));
                    return absl::OkStatus();
                  })
                  .ok());
  ASSERT_TRUE(d.has_value() && a.has_value());
  EXPECT_EQ(d->exit_reason_code, ::jobintech::common::v1::DROP_OUT_REASON_OTHER);
  EXPECT_EQ(d->exit_reason, dropped.exit_reason);
  EXPECT_EQ(d->certificate->revocation_reason_code,
            ::jobintech::common::v1::REVOCATION_REASON_OTHER);
  EXPECT_EQ(d->certificate->revocation_reason, "erreur");
  EXPECT_EQ(a->exit_reason_code, ::jobintech::common::v1::DROP_OUT_REASON_UNSPECIFIED);
}

TEST_F(SqliteProgressRepositoryTest, MalformedSnapshotsAreDataLoss) {
  EXPECT_EQ(SnapshotFromJson("{").status().code(), absl::StatusCode::kDataLoss);
  EXPECT_EQ(SnapshotFromJson(R"({"type":"Nope","value":{}})").status().code(),
            absl::StatusCode::kDataLoss);
  EXPECT_EQ(
      SnapshotFromJson(R"({"type":"Curriculum","value":{}})").status().code(),
      absl::StatusCode::kDataLoss);
  const std::string json = SnapshotToJson(
      DropOutOutcome{.progress = testing::ContractProgress(
                         testing::ContractTrainee("coh_a", "trn_1"))});
  EXPECT_THAT(json, HasSubstr(R"("type":"DropOutOutcome")"));
  EXPECT_THAT(json, HasSubstr(R"("exit_date":"2026-03-31")"));
}

// The domain core on the real store: a trainee from enrolled to certified,
// read back from the outbox rows the relay would publish.
TEST_F(SqliteProgressRepositoryTest, AFullTrainingOnTheRealStore) {
  Enrol("trn_1");
  std::vector<Module> modules = {Module{.module_id = "network-basics",
                                        .title = "Network basics",
                                        .order = 1,
                                        .hours = 40,
                                        .required = true,
                                        .max_score = 100,
                                        .pass_mark = 60},
                                 Module{.module_id = "linux",
                                        .title = "Linux",
                                        .order = 2,
                                        .hours = 20,
                                        .required = true,
                                        .max_score = 20,
                                        .pass_mark = 10}};
  ASSERT_TRUE(
      service_->PublishCurriculum(Ctx(), "cybersecurity", modules).ok());
  for (int d = 3; d <= 6; ++d) {
    AttendanceInput in{
        .cohort_id = "coh_1",
        .module_id = "network-basics",
        .session_date = absl::CivilDay(2025, 11, d),
        .entries = {{.trainee_id = "trn_1",
                     .mark = d == 3 ? AttendanceMark::kPresent
                                    : AttendanceMark::kUnexcusedAbsence}}};
    ASSERT_TRUE(service_->RecordAttendance(Ctx(), in).ok());
  }
  const RequestContext assess_ctx = Ctx("assess-linux");
  const AssessmentInput linux{.cohort_id = "coh_1",
                              .trainee_id = "trn_1",
                              .module_id = "linux",
                              .score = 15,
                              .assessed_on = absl::CivilDay(2026, 1, 15)};
  ASSERT_TRUE(service_
                  ->RecordAssessment(
                      Ctx(), AssessmentInput{.cohort_id = "coh_1",
                                             .trainee_id = "trn_1",
                                             .module_id = "network-basics",
                                             .score = 80,
                                             .assessed_on =
                                                 absl::CivilDay(2026, 1, 10)})
                  .ok());
  absl::StatusOr<AssessmentOutcome> completed =
      service_->RecordAssessment(assess_ctx, linux);
  ASSERT_TRUE(completed.ok()) << completed.status();
  EXPECT_EQ(completed->progress.record.status, TrainingStatus::kCompleted);
  clock_.Set(absl::FromCivil(absl::CivilDay(2026, 2, 1), absl::UTCTimeZone()));
  absl::StatusOr<CertificateOutcome> cert =
      service_->IssueCertificate(Ctx(), "coh_1", "trn_1");
  ASSERT_TRUE(cert.ok()) << cert.status();

  std::vector<pb::LifecycleEvent> events = OutboxEvents();
  std::vector<pb::LifecycleEvent::BodyCase> kinds;
  for (size_t i = 0; i < events.size(); ++i) {
    kinds.push_back(events[i].body_case());
    EXPECT_EQ(events[i].metadata().sequence(), static_cast<int64_t>(i + 1));
    EXPECT_EQ(events[i].metadata().trainee_id(), "trn_1");
    EXPECT_EQ(events[i].metadata().dimensions().cohort_id(), "coh_1");
  }
  using B = pb::LifecycleEvent;
  EXPECT_THAT(kinds, ElementsAre(B::kAttendanceRecorded, B::kTrainingStarted,
                                 B::kAttendanceRecorded, B::kAttendanceRecorded,
                                 B::kAttendanceRecorded, B::kTraineeAtRisk,
                                 B::kModulePassed, B::kModulePassed,
                                 B::kTrainingCompleted, B::kCertificateIssued));

  // After a restart, a retry of an acknowledged call replays its answer.
  Reopen();
  absl::StatusOr<AssessmentOutcome> replay =
      service_->RecordAssessment(assess_ctx, linux);
  ASSERT_TRUE(replay.ok()) << replay.status();
  EXPECT_EQ(*replay, *completed);
  EXPECT_EQ(OutboxEvents().size(), events.size());
  absl::StatusOr<TraineeProgress> p =
      service_->GetTraineeProgress("coh_1", "trn_1");
  ASSERT_TRUE(p.ok());
  EXPECT_EQ(p->record.status, TrainingStatus::kCertified);
  EXPECT_EQ(p->record.certificate, cert->certificate);
}

}  // namespace
}  // namespace jit::progress
