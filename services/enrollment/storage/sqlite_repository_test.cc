// What the SQLite store guarantees beyond the repository contract: the
// outbox in the same transaction, the file across reopens, schema
// versioning, where personal data lives, the snapshot format, and the
// mapping of database errors.
#include "services/enrollment/storage/sqlite_repository.h"

#include <memory>
#include <set>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/notification.h"
#include "absl/time/time.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "jobintech/events/v1/lifecycle_event.pb.h"
#include "libs/clock/clock.h"
#include "libs/events/envelope.h"
#include "libs/outbox/outbox.h"
#include "libs/status/status_macros.h"
#include "libs/storage/database.h"
#include "libs/storage/testing/temp_dir.h"
#include "services/enrollment/events/event_mapper.h"
#include "services/enrollment/storage/repository_test_values.h"

namespace jit::enrollment {
namespace {

using testing::ContractApplication;
using testing::ContractCandidate;
using testing::ContractCentre;
using testing::ContractCohort;
using testing::ContractEvent;
using testing::ContractTime;
using testing::Describe;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

struct OutboxRow {
  std::string topic;
  std::string key;
  std::string payload;
  std::string headers;
  int64_t created_at = 0;
};

class SqliteEnrollmentRepositoryTest : public ::testing::Test {
 protected:
  void SetUp() override { Reopen(); }

  void Reopen() {
    repo_.reset();
    auto repo = SqliteEnrollmentRepository::Open({.path = path_}, &clock_,
                                                 &ToOutboxMessage);
    ASSERT_TRUE(repo.ok()) << repo.status();
    repo_ = std::move(*repo);
  }

  // Runs one query on the repository's database and returns the first
  // column of every row as text.
  std::vector<std::string> Query(const std::string& sql) {
    std::vector<std::string> out;
    absl::Status s = repo_->database()->Transaction(
        storage::TxMode::kDeferred, [&](storage::Tx& tx) -> absl::Status {
          ASSIGN_OR_RETURN(storage::Statement st, tx.Prepare(sql));
          while (true) {
            ASSIGN_OR_RETURN(bool row, st.Step());
            if (!row) return absl::OkStatus();
            out.push_back(st.ColumnIsNull(0) ? "NULL" : st.ColumnText(0));
          }
        });
    EXPECT_TRUE(s.ok()) << s;
    return out;
  }

  std::vector<OutboxRow> Outbox() {
    std::vector<OutboxRow> rows;
    absl::Status s = repo_->database()->Transaction(
        storage::TxMode::kDeferred, [&](storage::Tx& tx) -> absl::Status {
          ASSIGN_OR_RETURN(storage::Statement st,
                           tx.Prepare("SELECT topic, key, payload, headers, "
                                      "created_at FROM outbox ORDER BY id"));
          while (true) {
            ASSIGN_OR_RETURN(bool row, st.Step());
            if (!row) return absl::OkStatus();
            rows.push_back({st.ColumnText(0), st.ColumnText(1),
                            st.ColumnBlob(2), st.ColumnBlob(3),
                            st.ColumnInt64(4)});
          }
        });
    EXPECT_TRUE(s.ok()) << s;
    return rows;
  }

  void AddCatalogue() {
    absl::Status s = repo_->Write([&](EnrollmentStore& store) -> absl::Status {
      RETURN_IF_ERROR(store.InsertCentre(centre_));
      return store.InsertCohort(cohort_);
    });
    ASSERT_TRUE(s.ok()) << s;
  }

  FakeClock clock_{absl::FromUnixSeconds(1'760'500'000)};
  storage::testing::TempDir dir_;
  std::string path_ = dir_.File("enrollment.db");
  std::unique_ptr<SqliteEnrollmentRepository> repo_;
  Centre centre_ = ContractCentre("ctr_1", "MA-FQH", "MA-05");
  Cohort cohort_ = ContractCohort("coh_1", centre_, "cybersecurity");
};

TEST_F(SqliteEnrollmentRepositoryTest, CreatesSchemaVersionFour) {
  EXPECT_EQ(*repo_->database()->SchemaVersion(),
            SqliteEnrollmentRepository::kSchemaVersion);
  EXPECT_EQ(SqliteEnrollmentRepository::kSchemaVersion, 4);
  EXPECT_THAT(Query("SELECT version FROM schema_migrations ORDER BY version"),
              ElementsAre("1", "2", "3", "4"));
  EXPECT_THAT(Query("SELECT name FROM pragma_table_info('idempotency_requests') "
                    "ORDER BY cid"),
              ElementsAre("request_id", "operation", "response", "create_time",
                          "actor_id", "fingerprint"));
  EXPECT_THAT(
      Query("SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT "
            "LIKE 'sqlite_%' ORDER BY name"),
      ElementsAre("aggregate_sequences", "applications", "candidates",
                  "centres", "cohorts", "counters", "idempotency_requests",
                  "outbox", "outbox_rewrites", "programme", "schema_migrations",
                  "tracks"));
}

TEST_F(SqliteEnrollmentRepositoryTest,
       PersonalDataColumnsExistOnlyInCandidates) {
  const std::set<std::string> personal = {
      "given_name", "family_name", "national_id", "birth_date",
      "phone",      "email",       "cin_hash"};
  for (const std::string& table :
       Query("SELECT name FROM sqlite_schema WHERE type = 'table' AND name "
             "NOT LIKE 'sqlite_%'")) {
    for (const std::string& column :
         Query("SELECT name FROM pragma_table_info('" + table + "')")) {
      if (table != "candidates") {
        EXPECT_FALSE(personal.contains(column)) << table << "." << column;
      }
    }
  }
}

TEST_F(SqliteEnrollmentRepositoryTest, PublishAppendsToOutboxInTheSameCommit) {
  clock_.Set(absl::FromUnixSeconds(1'760'600'000));
  DomainEvent event = ContractEvent("trn_1", 1);
  event.traceparent = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";
  absl::Status s = repo_->Write([&](EnrollmentStore& store) -> absl::Status {
    RETURN_IF_ERROR(store.InsertCandidate(ContractCandidate("trn_1", "h1")));
    return store.Publish(event);
  });
  ASSERT_TRUE(s.ok()) << s;

  std::vector<OutboxRow> rows = Outbox();
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0].topic, "jobintech.enrollment.v1");
  EXPECT_EQ(rows[0].key, "trn_1");
  EXPECT_EQ(rows[0].created_at, 1'760'600'000'000'000);  // the injected clock
  absl::StatusOr<std::vector<std::pair<std::string, std::string>>> headers =
      outbox::DecodeHeaders(rows[0].headers);
  ASSERT_TRUE(headers.ok()) << headers.status();
  absl::StatusOr<::jobintech::events::v1::LifecycleEvent> decoded =
      events::Decode(rows[0].key, rows[0].payload, *headers);
  ASSERT_TRUE(decoded.ok()) << decoded.status();
  EXPECT_EQ(decoded->metadata().event_type(),
            "enrollment.application.submitted");
  EXPECT_EQ(decoded->metadata().trainee_id(), "trn_1");
  EXPECT_EQ(decoded->metadata().sequence(), 1);
  EXPECT_EQ(decoded->metadata().trace_id(), "4bf92f3577b34da6a3ce929d0e0e4736");
  EXPECT_EQ(*outbox::Backlog(*repo_->database()), 1);
}

TEST_F(SqliteEnrollmentRepositoryTest, RolledBackWriteLeavesNoOutboxRow) {
  absl::Status s = repo_->Write([&](EnrollmentStore& store) -> absl::Status {
    RETURN_IF_ERROR(store.InsertCandidate(ContractCandidate("trn_1", "h1")));
    RETURN_IF_ERROR(store.Publish(ContractEvent("trn_1", 1)));
    return absl::FailedPreconditionError("cohort is full");
  });
  EXPECT_EQ(s.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(Outbox(), IsEmpty());
  EXPECT_THAT(Query("SELECT trainee_id FROM candidates"), IsEmpty());
}

TEST_F(SqliteEnrollmentRepositoryTest, InvalidEventIsInternalAndWritesNothing) {
  DomainEvent bad = ContractEvent("trn_1", 0);  // sequence 0
  absl::Status s = repo_->Write([&](EnrollmentStore& store) -> absl::Status {
    RETURN_IF_ERROR(store.InsertCandidate(ContractCandidate("trn_1", "h1")));
    return store.Publish(bad);
  });
  EXPECT_EQ(s.code(), absl::StatusCode::kInternal);
  EXPECT_THAT(s.message(), HasSubstr("enrollment.application.submitted"));
  EXPECT_THAT(s.message(), HasSubstr("sequence"));
  EXPECT_THAT(Outbox(), IsEmpty());
  EXPECT_THAT(Query("SELECT trainee_id FROM candidates"), IsEmpty());
}

TEST_F(SqliteEnrollmentRepositoryTest, ReopeningKeepsDataAndSeedsOnce) {
  AddCatalogue();
  Candidate candidate = ContractCandidate("trn_1", "h1");
  Application application = ContractApplication("app_1", "trn_1", cohort_);
  ASSERT_TRUE(repo_
                  ->Write([&](EnrollmentStore& store) -> absl::Status {
                    RETURN_IF_ERROR(store.InsertCandidate(candidate));
                    RETURN_IF_ERROR(store.InsertApplication(application));
                    return store.Publish(ContractEvent("trn_1", 1));
                  })
                  .ok());
  Reopen();
  Reopen();
  absl::Status s = repo_->Read([&](EnrollmentStore& store) -> absl::Status {
    ASSIGN_OR_RETURN(std::optional<Candidate> c, store.FindCandidate("trn_1"));
    EXPECT_EQ(Describe(c), Describe(std::optional<Candidate>(candidate)));
    ASSIGN_OR_RETURN(std::optional<Application> a,
                     store.FindApplication("app_1"));
    EXPECT_EQ(Describe(a), Describe(std::optional<Application>(application)));
    ASSIGN_OR_RETURN(std::vector<Track> tracks, store.ListTracks());
    EXPECT_EQ(tracks.size(), 3u);
    return absl::OkStatus();
  });
  EXPECT_TRUE(s.ok()) << s;
  EXPECT_THAT(Query("SELECT count(*) FROM programme"), ElementsAre("1"));
  EXPECT_EQ(Outbox().size(), 1u);
}

TEST_F(SqliteEnrollmentRepositoryTest, RefusesADatabaseFromANewerBinary) {
  ASSERT_TRUE(repo_->database()->Execute("PRAGMA user_version = 5").ok());
  repo_.reset();
  auto repo = SqliteEnrollmentRepository::Open({.path = path_}, &clock_,
                                               &ToOutboxMessage);
  EXPECT_EQ(repo.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(repo.status().message(),
              HasSubstr("database schema version 5 is newer than this binary "
                        "supports (4)"));
}

// A version 3 database (made by dropping what migration 4 added) gets codes:
// OTHER where a rejection, decline or withdrawal happened, UNSPECIFIED
// elsewhere; the notes stay.
TEST_F(SqliteEnrollmentRepositoryTest, MigrationFourCodesExistingRowsAsOther) {
  AddCatalogue();
  Application rejected = ContractApplication("app_r", "trn_1", cohort_,
                                             ApplicationStatus::kRejected);
  rejected.reason = "dossier incomplet";
  Application applied = ContractApplication("app_a", "trn_2", cohort_);
  ASSERT_TRUE(repo_
                  ->Write([&](EnrollmentStore& store) -> absl::Status {
                    RETURN_IF_ERROR(store.InsertCandidate(ContractCandidate("trn_1", "h1")));
                    RETURN_IF_ERROR(store.InsertCandidate(ContractCandidate("trn_2", "h2")));
                    RETURN_IF_ERROR(store.InsertApplication(rejected));
                    return store.InsertApplication(applied);
                  })
                  .ok());
  ASSERT_TRUE(repo_->database()
                  ->Execute("ALTER TABLE applications DROP COLUMN reason_code; "
                            "DELETE FROM schema_migrations WHERE version = 4; "
                            "PRAGMA user_version = 3")
                  .ok());
  Reopen();
  EXPECT_EQ(*repo_->database()->SchemaVersion(), 4);
  EXPECT_THAT(Query("SELECT application_id || ':' || reason_code || ':' || reason "
                    "FROM applications ORDER BY application_id"),
              ElementsAre("app_a:0:", "app_r:1:dossier incomplet"));
}

TEST_F(SqliteEnrollmentRepositoryTest,
       RefusesAnUnopenableFileNoClockOrNoEncoder) {
  auto repo = SqliteEnrollmentRepository::Open(
      {.path = dir_.File("missing/dir/enrollment.db")}, &clock_,
      &ToOutboxMessage);
  EXPECT_EQ(repo.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(SqliteEnrollmentRepository::Open({.path = ":memory:"}, nullptr,
                                             &ToOutboxMessage)
                .status()
                .code(),
            absl::StatusCode::kInvalidArgument);
  auto no_encoder =
      SqliteEnrollmentRepository::Open({.path = ":memory:"}, &clock_, nullptr);
  EXPECT_EQ(no_encoder.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(no_encoder.status().message(), HasSubstr("no event encoder"));
}

TEST_F(SqliteEnrollmentRepositoryTest, WorksInMemoryToo) {
  auto repo = SqliteEnrollmentRepository::Open({.path = ":memory:"}, &clock_,
                                               &ToOutboxMessage);
  ASSERT_TRUE(repo.ok()) << repo.status();
  absl::Status s = (*repo)->Read([](EnrollmentStore& store) -> absl::Status {
    ASSIGN_OR_RETURN(Programme p, store.GetProgramme());
    EXPECT_EQ(p.national_target, 15000);
    return absl::OkStatus();
  });
  EXPECT_TRUE(s.ok()) << s;
}

TEST_F(SqliteEnrollmentRepositoryTest, ErasureNullsEveryPersonalColumn) {
  ASSERT_TRUE(repo_
                  ->Write([&](EnrollmentStore& store) {
                    return store.InsertCandidate(
                        ContractCandidate("trn_1", "h1"));
                  })
                  .ok());
  Candidate erased = ContractCandidate("trn_1", "");
  erased.personal_data.reset();
  erased.erase_time = ContractTime(9);
  ASSERT_TRUE(repo_
                  ->Write([&](EnrollmentStore& store) {
                    return store.UpdateCandidate(erased);
                  })
                  .ok());
  EXPECT_THAT(
      Query("SELECT coalesce(cin_hash, given_name, family_name, national_id, "
            "birth_date, phone, email) FROM candidates"),
      ElementsAre("NULL"));
  EXPECT_THAT(Query("SELECT erase_time FROM candidates"),
              ElementsAre(absl::StrCat(absl::ToUnixMicros(ContractTime(9)))));
}

TEST_F(SqliteEnrollmentRepositoryTest, OverwritesDeletedContent) {
  EXPECT_THAT(Query("PRAGMA secure_delete"), ElementsAre("1"));
}

TEST_F(SqliteEnrollmentRepositoryTest, RefusesHalfErasedPersonalData) {
  absl::Status s = repo_->database()->Execute(
      "INSERT INTO candidates (trainee_id, given_name, create_time) "
      "VALUES ('trn_x', 'Salma', 0)");
  EXPECT_EQ(s.code(), absl::StatusCode::kFailedPrecondition);
}

TEST_F(SqliteEnrollmentRepositoryTest,
       ApplicationToUnknownCohortFailsAtCommit) {
  absl::Status s = repo_->Write([&](EnrollmentStore& store) -> absl::Status {
    RETURN_IF_ERROR(store.InsertCandidate(ContractCandidate("trn_1", "h1")));
    return store.InsertApplication(
        ContractApplication("app_1", "trn_1", cohort_));  // coh_1 not stored
  });
  EXPECT_EQ(s.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(Query("SELECT count(*) FROM candidates"), ElementsAre("0"));
}

TEST_F(SqliteEnrollmentRepositoryTest, StoresSnapshotsAsDocumentedJson) {
  StoredRequest r{"req-1", "CreateCohort", cohort_, ContractTime(1)};
  ASSERT_TRUE(
      repo_->Write([&](EnrollmentStore& s) { return s.InsertRequest(r); })
          .ok());
  std::vector<std::string> json =
      Query("SELECT response FROM idempotency_requests");
  ASSERT_EQ(json.size(), 1u);
  EXPECT_THAT(json[0], HasSubstr("\"type\":\"Cohort\""));
  EXPECT_THAT(json[0], HasSubstr("\"start_date\":\"2025-11-03\""));
  EXPECT_THAT(json[0], HasSubstr("\"status\":\"OPEN\""));
  EXPECT_THAT(json[0],
              HasSubstr(absl::StrCat("\"create_time\":",
                                     absl::ToUnixMicros(ContractTime(2)))));
  EXPECT_THAT(Query("SELECT create_time FROM idempotency_requests"),
              ElementsAre(absl::StrCat(absl::ToUnixMicros(ContractTime(1)))));
}

TEST(SnapshotJsonTest, RoundTripsEveryVariant) {
  Centre centre = ContractCentre("ctr_1", "MA-FQH", "MA-05");
  Cohort cohort = ContractCohort("coh_1", centre, "cybersecurity");
  Programme programme;
  programme.update_time = ContractTime(1);
  std::vector<ResponseSnapshot> snapshots = {
      programme,
      Track{.track_id = "t",
            .name_fr = "é",
            .name_ar = "ع",
            .create_time = ContractTime(2)},
      centre,
      cohort,
      ContractApplication("app_1", "trn_1", cohort,
                          ApplicationStatus::kWithdrawn, 7),
      EraseResult{.trainee_id = "trn_1", .erase_time = ContractTime(3)}};
  for (const ResponseSnapshot& s : snapshots) {
    absl::StatusOr<ResponseSnapshot> back = SnapshotFromJson(SnapshotToJson(s));
    ASSERT_TRUE(back.ok()) << back.status();
    EXPECT_EQ(Describe(*back), Describe(s));
  }
}

TEST(SnapshotJsonTest, MalformedDocumentsAreDataLoss) {
  for (const char* doc :
       {"", "{", "[]", "{\"type\":\"Cohort\"}",
        "{\"type\":\"Nope\",\"value\":{}}",
        "{\"type\":\"Track\",\"value\":{\"track_id\":1}}",
        "{\"type\":\"EraseResult\",\"value\":{\"trainee_id\":\"t\"}}"}) {
    SCOPED_TRACE(doc);
    EXPECT_EQ(SnapshotFromJson(doc).status().code(),
              absl::StatusCode::kDataLoss);
  }
  std::string bad_day = SnapshotToJson(ContractCohort(
      "c", ContractCentre("x", "MA-FQH", "MA-05"), "cybersecurity"));
  bad_day.replace(bad_day.find("2025-11-03"), 10, "2025-13-45");
  EXPECT_EQ(SnapshotFromJson(bad_day).status().code(),
            absl::StatusCode::kDataLoss);
}

TEST_F(SqliteEnrollmentRepositoryTest, CorruptStoredRequestIsDataLoss) {
  ASSERT_TRUE(repo_->database()
                  ->Execute("INSERT INTO idempotency_requests VALUES "
                            "('req-1', 'CreateTrack', 'not json', 0, '', '')")
                  .ok());
  absl::Status s = repo_->Read([](EnrollmentStore& store) {
    return store.FindRequest("req-1").status();
  });
  EXPECT_EQ(s.code(), absl::StatusCode::kDataLoss);
  EXPECT_THAT(s.message(), HasSubstr("req-1"));
}

TEST_F(SqliteEnrollmentRepositoryTest, BusyDatabaseIsUnavailable) {
  repo_.reset();
  auto repo = SqliteEnrollmentRepository::Open(
      {.path = path_, .busy_timeout = absl::Milliseconds(50)}, &clock_,
      &ToOutboxMessage);
  ASSERT_TRUE(repo.ok()) << repo.status();
  // Another connection (as another process would) holds the write lock.
  auto other = storage::Database::Open({.path = path_});
  ASSERT_TRUE(other.ok()) << other.status();
  absl::Notification locked, release;
  std::thread holder([&] {
    absl::Status s =
        (*other)->Transaction(storage::TxMode::kImmediate, [&](storage::Tx&) {
          locked.Notify();
          release.WaitForNotification();
          return absl::OkStatus();
        });
    EXPECT_TRUE(s.ok()) << s;
  });
  locked.WaitForNotification();
  absl::Status s = (*repo)->Write([](EnrollmentStore& store) {
    return store.InsertCentre(ContractCentre("ctr_9", "MA-FQH", "MA-05"));
  });
  release.Notify();
  holder.join();
  EXPECT_EQ(s.code(), absl::StatusCode::kUnavailable);
  EXPECT_THAT(s.message(), HasSubstr("busy"));
  // Once released, the same write succeeds.
  EXPECT_TRUE((*repo)
                  ->Write([](EnrollmentStore& store) {
                    return store.InsertCentre(
                        ContractCentre("ctr_9", "MA-FQH", "MA-05"));
                  })
                  .ok());
}

TEST_F(SqliteEnrollmentRepositoryTest, NestedWriteIsRefusedNotDeadlocked) {
  absl::Status inner;
  absl::Status s = repo_->Write([&](EnrollmentStore&) {
    inner = repo_->Read([](EnrollmentStore&) { return absl::OkStatus(); });
    return absl::OkStatus();
  });
  EXPECT_TRUE(s.ok()) << s;
  EXPECT_EQ(inner.code(), absl::StatusCode::kFailedPrecondition);
}

TEST_F(SqliteEnrollmentRepositoryTest, WaitlistQueriesUseTheCohortIndex) {
  // Column 3 of EXPLAIN QUERY PLAN is the plan step's text.
  std::string detail;
  absl::Status s = repo_->database()->Transaction(
      storage::TxMode::kDeferred, [&](storage::Tx& tx) -> absl::Status {
        ASSIGN_OR_RETURN(
            storage::Statement st,
            tx.Prepare("EXPLAIN QUERY PLAN SELECT application_id FROM "
                       "applications WHERE cohort_id = 'c' AND status = "
                       "'WAITLISTED' ORDER BY waitlist_rank, application_id "
                       "LIMIT 1"));
        while (true) {
          ASSIGN_OR_RETURN(bool row, st.Step());
          if (!row) return absl::OkStatus();
          absl::StrAppend(&detail, st.ColumnText(3), "\n");
        }
      });
  ASSERT_TRUE(s.ok()) << s;
  EXPECT_THAT(detail, HasSubstr("applications_by_cohort_status"));
}

}  // namespace
}  // namespace jit::enrollment
