#include "services/training-progress/storage/sqlite_repository.h"

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "libs/outbox/outbox.h"
#include "libs/status/status_macros.h"
#include "libs/storage/keyset_query.h"
#include "libs/storage/repository_shell.h"
#include "libs/storage/rows.h"
#include "libs/storage/statement.h"
#include "services/training-progress/storage/rows.h"
#include "services/training-progress/storage/schema.h"

namespace jit::progress {
namespace {

using EventEncoder = outbox::EventEncoder<DomainEvent>;

using rows::BindTrainee;
using rows::kTraineeColumns;
using rows::kTraineeParams;
using rows::ParseMark;
using rows::ReadTrainee;
using storage::FromMicros;
using storage::Statement;
using storage::ToMicros;
using storage::Tx;

std::string TraineeName(const std::string& cohort_id,
                        const std::string& trainee_id) {
  return absl::StrCat("trainee '", trainee_id, "' in cohort '", cohort_id, "'");
}

// ---------------------------------------------------------------------------
// The store handed to Write/Read callbacks.

class SqliteStore final
    : public storage::SqliteRequestStore<ProgressStore, &SnapshotToJson,
                                         &SnapshotFromJson> {
 public:
  SqliteStore(Tx& tx, bool writable, const Clock* clock,
              const EventEncoder* encoder)
      : SqliteRequestStore(tx, writable), clock_(clock), encoder_(encoder) {}

  absl::StatusOr<std::optional<Curriculum>> FindCurriculum(
      const std::string& track_id, int32_t version) override {
    ASSIGN_OR_RETURN(
        Statement st,
        tx_.Prepare("SELECT version, publish_time FROM curricula "
                    "WHERE track_id = ?1 AND (?2 = 0 OR version = ?2) "
                    "ORDER BY version DESC LIMIT 1"));
    RETURN_IF_ERROR(st.BindText(1, track_id));
    RETURN_IF_ERROR(st.BindInt64(2, version));
    ASSIGN_OR_RETURN(bool row, st.Step());
    if (!row) return std::optional<Curriculum>();
    Curriculum c;
    c.track_id = track_id;
    c.version = static_cast<int32_t>(st.ColumnInt64(0));
    c.publish_time = FromMicros(st.ColumnInt64(1));
    ASSIGN_OR_RETURN(
        Statement modules,
        tx_.Prepare("SELECT module_id, title, position, hours, required, "
                    "max_score, pass_mark FROM curriculum_modules "
                    "WHERE track_id = ?1 AND version = ?2 ORDER BY position"));
    RETURN_IF_ERROR(modules.BindText(1, track_id));
    RETURN_IF_ERROR(modules.BindInt64(2, c.version));
    while (true) {
      ASSIGN_OR_RETURN(bool more, modules.Step());
      if (!more) break;
      c.modules.push_back(
          Module{.module_id = modules.ColumnText(0),
                 .title = modules.ColumnText(1),
                 .order = static_cast<int32_t>(modules.ColumnInt64(2)),
                 .hours = modules.ColumnDouble(3),
                 .required = modules.ColumnInt64(4) != 0,
                 .max_score = modules.ColumnDouble(5),
                 .pass_mark = modules.ColumnDouble(6)});
    }
    return std::optional<Curriculum>(std::move(c));
  }

  absl::Status InsertCurriculum(const Curriculum& c) override {
    RETURN_IF_ERROR(CheckWritable("InsertCurriculum"));
    ASSIGN_OR_RETURN(Statement st,
                     tx_.Prepare("INSERT INTO curricula (track_id, version, "
                                 "publish_time) VALUES (?1, ?2, ?3)"));
    RETURN_IF_ERROR(st.BindText(1, c.track_id));
    RETURN_IF_ERROR(st.BindInt64(2, c.version));
    RETURN_IF_ERROR(st.BindInt64(3, ToMicros(c.publish_time)));
    RETURN_IF_ERROR(storage::MapInsertErrorNamed(
        st.Run(), absl::StrCat("curriculum version ", c.version, " of track '",
                               c.track_id, "'")));
    for (const Module& m : c.modules) {
      ASSIGN_OR_RETURN(
          Statement mst,
          tx_.Prepare("INSERT INTO curriculum_modules (track_id, version, "
                      "module_id, title, position, hours, required, "
                      "max_score, pass_mark) "
                      "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)"));
      RETURN_IF_ERROR(mst.BindText(1, c.track_id));
      RETURN_IF_ERROR(mst.BindInt64(2, c.version));
      RETURN_IF_ERROR(mst.BindText(3, m.module_id));
      RETURN_IF_ERROR(mst.BindText(4, m.title));
      RETURN_IF_ERROR(mst.BindInt64(5, m.order));
      RETURN_IF_ERROR(mst.BindDouble(6, m.hours));
      RETURN_IF_ERROR(mst.BindInt64(7, m.required ? 1 : 0));
      RETURN_IF_ERROR(mst.BindDouble(8, m.max_score));
      RETURN_IF_ERROR(mst.BindDouble(9, m.pass_mark));
      RETURN_IF_ERROR(storage::MapInsertErrorNamed(
          mst.Run(), absl::StrCat("module '", m.module_id, "' (order ", m.order,
                                  ") of curriculum version ", c.version,
                                  " of track '", c.track_id, "'")));
    }
    return absl::OkStatus();
  }

  absl::StatusOr<std::optional<CohortCurriculum>> FindCohortCurriculum(
      const std::string& cohort_id) override {
    ASSIGN_OR_RETURN(Statement st,
                     tx_.Prepare("SELECT track_id, version, pin_time "
                                 "FROM cohort_curricula WHERE cohort_id = ?1"));
    RETURN_IF_ERROR(st.BindText(1, cohort_id));
    ASSIGN_OR_RETURN(bool row, st.Step());
    if (!row) return std::optional<CohortCurriculum>();
    return std::optional<CohortCurriculum>(
        CohortCurriculum{.cohort_id = cohort_id,
                         .track_id = st.ColumnText(0),
                         .version = static_cast<int32_t>(st.ColumnInt64(1)),
                         .pin_time = FromMicros(st.ColumnInt64(2))});
  }

  absl::Status InsertCohortCurriculum(const CohortCurriculum& pin) override {
    RETURN_IF_ERROR(CheckWritable("InsertCohortCurriculum"));
    ASSIGN_OR_RETURN(Statement st,
                     tx_.Prepare("INSERT INTO cohort_curricula (cohort_id, "
                                 "track_id, version, pin_time) "
                                 "VALUES (?1, ?2, ?3, ?4)"));
    RETURN_IF_ERROR(st.BindText(1, pin.cohort_id));
    RETURN_IF_ERROR(st.BindText(2, pin.track_id));
    RETURN_IF_ERROR(st.BindInt64(3, pin.version));
    RETURN_IF_ERROR(st.BindInt64(4, ToMicros(pin.pin_time)));
    return storage::MapInsertErrorNamed(
        st.Run(),
        absl::StrCat("the curriculum pin of cohort '", pin.cohort_id, "'"));
  }

  absl::StatusOr<std::optional<TraineeRecord>> FindTrainee(
      const std::string& cohort_id, const std::string& trainee_id) override {
    ASSIGN_OR_RETURN(Statement st, tx_.Prepare(absl::StrCat(
                                       "SELECT ", kTraineeColumns,
                                       " FROM trainees WHERE cohort_id = ?1 "
                                       "AND trainee_id = ?2")));
    RETURN_IF_ERROR(st.BindText(1, cohort_id));
    RETURN_IF_ERROR(st.BindText(2, trainee_id));
    return storage::OptionalRow<TraineeRecord>(st, ReadTrainee);
  }

  absl::Status InsertTrainee(const TraineeRecord& trainee) override {
    RETURN_IF_ERROR(CheckWritable("InsertTrainee"));
    ASSIGN_OR_RETURN(
        Statement st,
        tx_.Prepare(absl::StrCat("INSERT INTO trainees (", kTraineeColumns,
                                 ") VALUES (", kTraineeParams, ")")));
    RETURN_IF_ERROR(BindTrainee(st, trainee));
    return storage::MapInsertErrorNamed(
        st.Run(), TraineeName(trainee.cohort_id, trainee.trainee_id));
  }

  absl::Status UpdateTrainee(const TraineeRecord& trainee) override {
    RETURN_IF_ERROR(CheckWritable("UpdateTrainee"));
    ASSIGN_OR_RETURN(
        Statement st,
        tx_.Prepare(absl::StrCat(
            "UPDATE trainees SET (", kTraineeColumns, ") = (", kTraineeParams,
            ") WHERE cohort_id = :cohort_id AND trainee_id = :trainee_id")));
    RETURN_IF_ERROR(BindTrainee(st, trainee));
    RETURN_IF_ERROR(st.Run());
    if (tx_.Changes() == 0) {
      return absl::NotFoundError(absl::StrCat(
          TraineeName(trainee.cohort_id, trainee.trainee_id), " not found"));
    }
    return absl::OkStatus();
  }

  absl::StatusOr<Page<TraineeRecord>> ListTrainees(
      const std::string& cohort_id, const PageQuery& page) override {
    storage::KeysetQuery q(kTraineeColumns, "trainees", "trainee_id",
                           page.after_key, page.limit);
    q.Compare("cohort_id", "=", cohort_id);
    return q.Run<Page<TraineeRecord>>(
        tx_, ReadTrainee, [](const TraineeRecord& r) { return r.trainee_id; });
  }

  absl::StatusOr<std::optional<TraineeRecord>> LatestTraineeRecord(
      const std::string& trainee_id) override {
    ASSIGN_OR_RETURN(Statement st,
                     tx_.Prepare(absl::StrCat(
                         "SELECT ", kTraineeColumns,
                         " FROM trainees WHERE trainee_id = ?1 "
                         "ORDER BY create_time DESC, rowid DESC LIMIT 1")));
    RETURN_IF_ERROR(st.BindText(1, trainee_id));
    return storage::OptionalRow<TraineeRecord>(st, ReadTrainee);
  }

  absl::StatusOr<std::vector<TraineeRecord>> TraineeRecordsOf(
      const std::string& trainee_id) override {
    ASSIGN_OR_RETURN(Statement st, tx_.Prepare(absl::StrCat(
                                       "SELECT ", kTraineeColumns,
                                       " FROM trainees WHERE trainee_id = ?1 "
                                       "ORDER BY create_time, rowid")));
    RETURN_IF_ERROR(st.BindText(1, trainee_id));
    return storage::AllRows<TraineeRecord>(st, ReadTrainee);
  }

  // Answers are JSON: the trainee id appears quoted.
  absl::StatusOr<std::vector<StoredRequest>> StoredRequestsMentioning(
      const std::string& trainee_id) override {
    return StoredRequestsContaining(absl::StrCat("\"", trainee_id, "\""));
  }
  absl::Status ReplaceStoredResponse(
      const std::string& request_id,
      const ResponseSnapshot& response) override {
    return SqliteRequestStore::ReplaceStoredResponse(request_id, response);
  }

  absl::StatusOr<AttendanceTotals> CohortAttendance(
      const std::string& cohort_id) override {
    ASSIGN_OR_RETURN(Statement st,
                     tx_.Prepare("SELECT coalesce(sum(sessions_present), 0), "
                                 "coalesce(sum(sessions_excused), 0), "
                                 "coalesce(sum(sessions_unexcused), 0) "
                                 "FROM trainees WHERE cohort_id = ?1"));
    RETURN_IF_ERROR(st.BindText(1, cohort_id));
    ASSIGN_OR_RETURN(bool row, st.Step());
    if (!row) return absl::InternalError("no attendance totals row");
    return AttendanceTotals{.present = st.ColumnInt64(0),
                            .excused = st.ColumnInt64(1),
                            .unexcused = st.ColumnInt64(2)};
  }

  absl::StatusOr<int64_t> NextTraineeSequence(
      const std::string& trainee_id) override {
    RETURN_IF_ERROR(CheckWritable("NextTraineeSequence"));
    ASSIGN_OR_RETURN(
        Statement st,
        tx_.Prepare("INSERT INTO trainee_sequences (trainee_id, sequence) "
                    "VALUES (?1, 1) ON CONFLICT (trainee_id) "
                    "DO UPDATE SET sequence = sequence + 1 "
                    "RETURNING sequence"));
    RETURN_IF_ERROR(st.BindText(1, trainee_id));
    return storage::SingleInt64(st, "trainee sequence");
  }

  absl::Status InsertAttendance(const AttendanceRecord& a) override {
    RETURN_IF_ERROR(CheckWritable("InsertAttendance"));
    ASSIGN_OR_RETURN(
        Statement st,
        tx_.Prepare("INSERT INTO attendance (cohort_id, trainee_id, "
                    "module_id, session_date, mark, request_id, record_time) "
                    "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)"));
    RETURN_IF_ERROR(st.BindText(1, a.cohort_id));
    RETURN_IF_ERROR(st.BindText(2, a.trainee_id));
    RETURN_IF_ERROR(st.BindText(3, a.module_id));
    RETURN_IF_ERROR(st.BindText(4, storage::DayText(a.session_date)));
    RETURN_IF_ERROR(st.BindText(5, MarkName(a.mark)));
    RETURN_IF_ERROR(st.BindText(6, a.request_id));
    RETURN_IF_ERROR(st.BindInt64(7, ToMicros(a.record_time)));
    return storage::MapInsertErrorNamed(
        st.Run(),
        absl::StrCat("attendance of ", TraineeName(a.cohort_id, a.trainee_id),
                     " at module '", a.module_id, "' on ",
                     storage::DayText(a.session_date)));
  }

  absl::StatusOr<std::vector<AttendanceRecord>> AttendanceOfTrainee(
      const std::string& cohort_id, const std::string& trainee_id) override {
    // rowid order is insertion order: rows are never deleted.
    ASSIGN_OR_RETURN(
        Statement st,
        tx_.Prepare("SELECT module_id, session_date, mark, request_id, "
                    "record_time FROM attendance WHERE cohort_id = ?1 AND "
                    "trainee_id = ?2 ORDER BY session_date, rowid"));
    RETURN_IF_ERROR(st.BindText(1, cohort_id));
    RETURN_IF_ERROR(st.BindText(2, trainee_id));
    std::vector<AttendanceRecord> out;
    while (true) {
      ASSIGN_OR_RETURN(bool row, st.Step());
      if (!row) break;
      AttendanceRecord a;
      a.cohort_id = cohort_id;
      a.trainee_id = trainee_id;
      a.module_id = st.ColumnText(0);
      ASSIGN_OR_RETURN(a.session_date,
                       storage::ParseDay(st.ColumnText(1), "session_date"));
      ASSIGN_OR_RETURN(a.mark, ParseMark(st.ColumnText(2)));
      a.request_id = st.ColumnText(3);
      a.record_time = FromMicros(st.ColumnInt64(4));
      out.push_back(std::move(a));
    }
    return out;
  }

  absl::Status InsertAssessment(const Assessment& a) override {
    RETURN_IF_ERROR(CheckWritable("InsertAssessment"));
    ASSIGN_OR_RETURN(
        Statement st,
        tx_.Prepare("INSERT INTO assessments (cohort_id, trainee_id, "
                    "module_id, attempt, score, assessed_on, passed, "
                    "request_id, record_time) "
                    "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)"));
    RETURN_IF_ERROR(st.BindText(1, a.cohort_id));
    RETURN_IF_ERROR(st.BindText(2, a.trainee_id));
    RETURN_IF_ERROR(st.BindText(3, a.module_id));
    RETURN_IF_ERROR(st.BindInt64(4, a.attempt));
    RETURN_IF_ERROR(st.BindDouble(5, a.score));
    RETURN_IF_ERROR(st.BindText(6, storage::DayText(a.assessed_on)));
    RETURN_IF_ERROR(st.BindInt64(7, a.passed ? 1 : 0));
    RETURN_IF_ERROR(st.BindText(8, a.request_id));
    RETURN_IF_ERROR(st.BindInt64(9, ToMicros(a.record_time)));
    return storage::MapInsertErrorNamed(
        st.Run(), absl::StrCat("attempt ", a.attempt, " of ",
                               TraineeName(a.cohort_id, a.trainee_id),
                               " at module '", a.module_id, "'"));
  }

  absl::StatusOr<std::vector<Assessment>> AssessmentsOfTrainee(
      const std::string& cohort_id, const std::string& trainee_id) override {
    ASSIGN_OR_RETURN(
        Statement st,
        tx_.Prepare("SELECT module_id, attempt, score, assessed_on, passed, "
                    "request_id, record_time FROM assessments "
                    "WHERE cohort_id = ?1 AND trainee_id = ?2 ORDER BY rowid"));
    RETURN_IF_ERROR(st.BindText(1, cohort_id));
    RETURN_IF_ERROR(st.BindText(2, trainee_id));
    std::vector<Assessment> out;
    while (true) {
      ASSIGN_OR_RETURN(bool row, st.Step());
      if (!row) break;
      Assessment a;
      a.cohort_id = cohort_id;
      a.trainee_id = trainee_id;
      a.module_id = st.ColumnText(0);
      a.attempt = static_cast<int32_t>(st.ColumnInt64(1));
      a.score = st.ColumnDouble(2);
      ASSIGN_OR_RETURN(a.assessed_on,
                       storage::ParseDay(st.ColumnText(3), "assessed_on"));
      a.passed = st.ColumnInt64(4) != 0;
      a.request_id = st.ColumnText(5);
      a.record_time = FromMicros(st.ColumnInt64(6));
      out.push_back(std::move(a));
    }
    return out;
  }

  absl::Status Publish(const DomainEvent& event) override {
    RETURN_IF_ERROR(CheckWritable("Publish"));
    return outbox::AppendEncoded(tx_, (*encoder_)(event), EventType(event.kind),
                                 clock_->Now());
  }

 private:
  const Clock* const clock_;
  const EventEncoder* const encoder_;
};

}  // namespace

// ---------------------------------------------------------------------------
// Repository.

std::vector<storage::Migration> SqliteProgressRepository::Migrations() {
  std::vector<storage::Migration> m = outbox::ServiceMigrations(
      {1,
       "training progress: curricula, cohort curricula, trainees, sequences, "
       "attendance, assessments, idempotency requests",
       kProgressSchemaV1Sql});
  m.push_back({4, "training progress: drop-out and revocation reason codes",
               absl::StrCat(kProgressSchemaV4Sql,
                            outbox::kDeprecatedTextRewriteMarkerSql)});
  return m;
}

absl::StatusOr<std::unique_ptr<SqliteProgressRepository>>
SqliteProgressRepository::Open(const storage::DatabaseOptions& options,
                               const Clock* clock, EventEncoder encoder) {
  if (clock == nullptr) {
    return absl::InvalidArgumentError("SqliteProgressRepository: no clock");
  }
  if (encoder == nullptr) {
    return absl::InvalidArgumentError(
        "SqliteProgressRepository: no event encoder");
  }
  ASSIGN_OR_RETURN(std::unique_ptr<storage::Database> db,
                   storage::OpenMigrated(options, Migrations()));
  return std::unique_ptr<SqliteProgressRepository>(
      new SqliteProgressRepository(std::move(db), clock, std::move(encoder)));
}

SqliteProgressRepository::SqliteProgressRepository(
    std::unique_ptr<storage::Database> db, const Clock* clock,
    EventEncoder encoder)
    : db_(std::move(db)), clock_(clock), encoder_(std::move(encoder)) {}

SqliteProgressRepository::~SqliteProgressRepository() = default;

absl::Status SqliteProgressRepository::Write(
    absl::FunctionRef<absl::Status(ProgressStore&)> fn) {
  return storage::WriteWith<SqliteStore>(*db_, fn, clock_, &encoder_);
}

absl::Status SqliteProgressRepository::Read(
    absl::FunctionRef<absl::Status(ProgressStore&)> fn) {
  return storage::ReadWith<SqliteStore>(*db_, fn, clock_, &encoder_);
}

}  // namespace jit::progress
