#include "services/enrollment/storage/sqlite_repository.h"

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "libs/kafka/topics.h"
#include "libs/log/log.h"
#include "libs/outbox/outbox.h"
#include "libs/status/status_macros.h"
#include "libs/storage/keyset_query.h"
#include "libs/storage/repository_shell.h"
#include "libs/storage/rows.h"
#include "libs/storage/statement.h"
#include "services/enrollment/storage/rows.h"
#include "services/enrollment/storage/schema.h"

namespace jit::enrollment {
namespace {

using EventEncoder = outbox::EventEncoder<DomainEvent>;

using rows::BindApplication;
using rows::BindCandidate;
using rows::BindCentre;
using rows::BindCohort;
using rows::kApplicationColumns;
using rows::kCandidateColumns;
using rows::kCentreColumns;
using rows::kCohortColumns;
using rows::kTrackColumns;
using rows::ParseApplicationStatus;
using rows::ReadApplication;
using rows::ReadCandidate;
using rows::ReadCentre;
using rows::ReadCohort;
using rows::ReadTrack;
using storage::FromMicros;
using storage::Statement;
using storage::ToMicros;
using storage::Tx;

// For candidates: the primary key (trainee id) or the cin_hash.
absl::Status MapCandidateError(absl::Status s, const Candidate& c) {
  return storage::MapInsertError(
      std::move(s), "candidate", c.trainee_id,
      "another candidate has the same national ID hash");
}

// ---------------------------------------------------------------------------
// The store handed to Write/Read callbacks.

class SqliteStore final
    : public storage::SqliteErasableRequestStore<EnrollmentStore, &SnapshotToJson,
                                                 &SnapshotFromJson> {
 public:
  SqliteStore(Tx& tx, bool writable, const Clock* clock,
              const EventEncoder* encoder)
      : SqliteErasableRequestStore(tx, writable),
        clock_(clock),
        encoder_(encoder) {}

  // Programme.
  absl::StatusOr<Programme> GetProgramme() override {
    ASSIGN_OR_RETURN(Statement st,
                     tx_.Prepare("SELECT name, national_target, update_time "
                                 "FROM programme WHERE id = 1"));
    ASSIGN_OR_RETURN(bool row, st.Step());
    if (!row) return absl::DataLossError("the programme row is missing");
    Programme p;
    p.name = st.ColumnText(0);
    p.national_target = static_cast<int32_t>(st.ColumnInt64(1));
    p.update_time = FromMicros(st.ColumnInt64(2));
    return p;
  }

  absl::Status UpdateProgramme(const Programme& programme) override {
    RETURN_IF_ERROR(CheckWritable("UpdateProgramme"));
    ASSIGN_OR_RETURN(Statement st,
                     tx_.Prepare("UPDATE programme SET name = ?1, "
                                 "national_target = ?2, update_time = ?3 "
                                 "WHERE id = 1"));
    RETURN_IF_ERROR(st.BindText(1, programme.name));
    RETURN_IF_ERROR(st.BindInt64(2, programme.national_target));
    RETURN_IF_ERROR(st.BindInt64(3, ToMicros(programme.update_time)));
    RETURN_IF_ERROR(st.Run());
    if (tx_.Changes() == 0) {
      return absl::DataLossError("the programme row is missing");
    }
    return absl::OkStatus();
  }

  absl::StatusOr<int64_t> NextAggregateSequence(
      const std::string& aggregate_id) override {
    RETURN_IF_ERROR(CheckWritable("NextAggregateSequence"));
    ASSIGN_OR_RETURN(
        Statement st,
        tx_.Prepare("INSERT INTO aggregate_sequences (aggregate_id, sequence) "
                    "VALUES (?1, 1) ON CONFLICT (aggregate_id) "
                    "DO UPDATE SET sequence = sequence + 1 "
                    "RETURNING sequence"));
    RETURN_IF_ERROR(st.BindText(1, aggregate_id));
    return storage::SingleInt64(st, "aggregate sequence");
  }

  // Tracks.
  absl::StatusOr<std::optional<Track>> FindTrack(
      const std::string& track_id) override {
    ASSIGN_OR_RETURN(Statement st,
                     tx_.Prepare(absl::StrCat("SELECT ", kTrackColumns,
                                              " FROM tracks "
                                              "WHERE track_id = ?1")));
    RETURN_IF_ERROR(st.BindText(1, track_id));
    return storage::OptionalRow<Track>(st, ReadTrack);
  }

  absl::Status InsertTrack(const Track& track) override {
    RETURN_IF_ERROR(CheckWritable("InsertTrack"));
    ASSIGN_OR_RETURN(Statement st,
                     tx_.Prepare("INSERT INTO tracks (track_id, name_fr, "
                                 "name_ar, create_time) "
                                 "VALUES (?1, ?2, ?3, ?4)"));
    RETURN_IF_ERROR(st.BindText(1, track.track_id));
    RETURN_IF_ERROR(st.BindText(2, track.name_fr));
    RETURN_IF_ERROR(st.BindText(3, track.name_ar));
    RETURN_IF_ERROR(st.BindInt64(4, ToMicros(track.create_time)));
    return storage::MapInsertError(st.Run(), "track", track.track_id);
  }

  absl::StatusOr<std::vector<Track>> ListTracks() override {
    ASSIGN_OR_RETURN(Statement st,
                     tx_.Prepare(absl::StrCat("SELECT ", kTrackColumns,
                                              " FROM tracks "
                                              "ORDER BY track_id")));
    return storage::AllRows<Track>(st, ReadTrack);
  }

  // Centres.
  absl::StatusOr<std::optional<Centre>> FindCentre(
      const std::string& centre_id) override {
    ASSIGN_OR_RETURN(Statement st,
                     tx_.Prepare(absl::StrCat("SELECT ", kCentreColumns,
                                              " FROM centres "
                                              "WHERE centre_id = ?1")));
    RETURN_IF_ERROR(st.BindText(1, centre_id));
    return storage::OptionalRow<Centre>(st, ReadCentre);
  }

  absl::Status InsertCentre(const Centre& centre) override {
    RETURN_IF_ERROR(CheckWritable("InsertCentre"));
    ASSIGN_OR_RETURN(Statement st, tx_.Prepare(absl::StrCat(
                                       "INSERT INTO centres (", kCentreColumns,
                                       ") VALUES (?1, ?2, ?3, ?4, "
                                       "?5, ?6)")));
    RETURN_IF_ERROR(BindCentre(st, centre));
    return storage::MapInsertError(st.Run(), "centre", centre.centre_id);
  }

  absl::StatusOr<Page<Centre>> ListCentres(const CentreFilter& filter,
                                           const PageQuery& page) override {
    storage::KeysetQuery q(kCentreColumns, "centres", "centre_id",
                           page.after_key, page.limit);
    q.Equal("region_code", filter.region_code);
    q.Equal("province_code", filter.province_code);
    return q.Run<Page<Centre>>(tx_, ReadCentre,
                               [](const Centre& c) { return c.centre_id; });
  }

  // Cohorts.
  absl::StatusOr<std::optional<Cohort>> FindCohort(
      const std::string& cohort_id) override {
    ASSIGN_OR_RETURN(Statement st,
                     tx_.Prepare(absl::StrCat("SELECT ", kCohortColumns,
                                              " FROM cohorts "
                                              "WHERE cohort_id = ?1")));
    RETURN_IF_ERROR(st.BindText(1, cohort_id));
    return storage::OptionalRow<Cohort>(st, ReadCohort);
  }

  absl::Status InsertCohort(const Cohort& cohort) override {
    RETURN_IF_ERROR(CheckWritable("InsertCohort"));
    ASSIGN_OR_RETURN(
        Statement st,
        tx_.Prepare(absl::StrCat("INSERT INTO cohorts (", kCohortColumns,
                                 ") VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, "
                                 "?9, ?10, ?11, ?12, ?13)")));
    RETURN_IF_ERROR(BindCohort(st, cohort));
    return storage::MapInsertError(st.Run(), "cohort", cohort.cohort_id);
  }

  absl::Status UpdateCohort(const Cohort& cohort) override {
    RETURN_IF_ERROR(CheckWritable("UpdateCohort"));
    ASSIGN_OR_RETURN(
        Statement st,
        tx_.Prepare("UPDATE cohorts SET name = ?2, track_id = ?3, "
                    "centre_id = ?4, province_code = ?5, region_code = ?6, "
                    "capacity = ?7, start_date = ?8, end_date = ?9, "
                    "status = ?10, event_sequence = ?11, create_time = ?12, "
                    "update_time = ?13 WHERE cohort_id = ?1"));
    RETURN_IF_ERROR(BindCohort(st, cohort));
    RETURN_IF_ERROR(st.Run());
    if (tx_.Changes() == 0)
      return storage::RowNotFoundError("cohort", cohort.cohort_id);
    return absl::OkStatus();
  }

  absl::StatusOr<Page<Cohort>> ListCohorts(const CohortFilter& filter,
                                           const PageQuery& page) override {
    storage::KeysetQuery q(kCohortColumns, "cohorts", "cohort_id",
                           page.after_key, page.limit);
    q.Equal("track_id", filter.track_id);
    q.Equal("centre_id", filter.centre_id);
    q.Equal("region_code", filter.region_code);
    q.Equal("province_code", filter.province_code);
    if (filter.status.has_value()) {
      q.Equal("status", StatusName(*filter.status));
    }
    return q.Run<Page<Cohort>>(tx_, ReadCohort,
                               [](const Cohort& c) { return c.cohort_id; });
  }

  absl::StatusOr<SeatCounts> CountSeats(const std::string& cohort_id) override {
    ASSIGN_OR_RETURN(
        Statement st,
        tx_.Prepare("SELECT status, count(*) FROM applications "
                    "WHERE cohort_id = ?1 AND status IN "
                    "('ADMITTED', 'ENROLLED', 'WAITLISTED') GROUP BY status"));
    RETURN_IF_ERROR(st.BindText(1, cohort_id));
    SeatCounts seats;
    while (true) {
      ASSIGN_OR_RETURN(bool row, st.Step());
      if (!row) break;
      ASSIGN_OR_RETURN(ApplicationStatus status,
                       ParseApplicationStatus(st.ColumnText(0)));
      const int32_t n = static_cast<int32_t>(st.ColumnInt64(1));
      if (status == ApplicationStatus::kAdmitted) seats.admitted = n;
      if (status == ApplicationStatus::kEnrolled) seats.enrolled = n;
      if (status == ApplicationStatus::kWaitlisted) seats.waitlisted = n;
    }
    return seats;
  }

  // Candidates.
  absl::StatusOr<std::optional<Candidate>> FindCandidate(
      const std::string& trainee_id) override {
    ASSIGN_OR_RETURN(Statement st,
                     tx_.Prepare(absl::StrCat("SELECT ", kCandidateColumns,
                                              " FROM candidates "
                                              "WHERE trainee_id = ?1")));
    RETURN_IF_ERROR(st.BindText(1, trainee_id));
    return storage::OptionalRow<Candidate>(st, ReadCandidate);
  }

  absl::StatusOr<std::optional<Candidate>> FindCandidateByCinHash(
      const std::string& cin_hash) override {
    if (cin_hash.empty()) return std::optional<Candidate>();
    ASSIGN_OR_RETURN(Statement st,
                     tx_.Prepare(absl::StrCat("SELECT ", kCandidateColumns,
                                              " FROM candidates "
                                              "WHERE cin_hash = ?1")));
    RETURN_IF_ERROR(st.BindText(1, cin_hash));
    return storage::OptionalRow<Candidate>(st, ReadCandidate);
  }

  absl::Status InsertCandidate(const Candidate& candidate) override {
    RETURN_IF_ERROR(CheckWritable("InsertCandidate"));
    ASSIGN_OR_RETURN(
        Statement st,
        tx_.Prepare(absl::StrCat("INSERT INTO candidates (", kCandidateColumns,
                                 ") VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, "
                                 "?9, ?10, ?11)")));
    RETURN_IF_ERROR(BindCandidate(st, candidate));
    return MapCandidateError(st.Run(), candidate);
  }

  absl::Status UpdateCandidate(const Candidate& candidate) override {
    RETURN_IF_ERROR(CheckWritable("UpdateCandidate"));
    ASSIGN_OR_RETURN(
        Statement st,
        tx_.Prepare("UPDATE candidates SET cin_hash = ?2, given_name = ?3, "
                    "family_name = ?4, national_id = ?5, birth_date = ?6, "
                    "phone = ?7, email = ?8, event_sequence = ?9, "
                    "create_time = ?10, erase_time = ?11 "
                    "WHERE trainee_id = ?1"));
    RETURN_IF_ERROR(BindCandidate(st, candidate));
    RETURN_IF_ERROR(MapCandidateError(st.Run(), candidate));
    if (tx_.Changes() == 0)
      return storage::RowNotFoundError("candidate", candidate.trainee_id);
    return absl::OkStatus();
  }

  // Applications.
  absl::StatusOr<std::optional<Application>> FindApplication(
      const std::string& application_id) override {
    ASSIGN_OR_RETURN(Statement st,
                     tx_.Prepare(absl::StrCat("SELECT ", kApplicationColumns,
                                              " FROM applications "
                                              "WHERE application_id = ?1")));
    RETURN_IF_ERROR(st.BindText(1, application_id));
    return storage::OptionalRow<Application>(st, ReadApplication);
  }

  absl::Status InsertApplication(const Application& application) override {
    RETURN_IF_ERROR(CheckWritable("InsertApplication"));
    ASSIGN_OR_RETURN(
        Statement st,
        tx_.Prepare(absl::StrCat(
            "INSERT INTO applications (", kApplicationColumns,
            ") VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, "
            "?13, ?14, ?15, ?16, ?17, ?18, ?19)")));
    RETURN_IF_ERROR(BindApplication(st, application));
    return storage::MapInsertError(st.Run(), "application",
                                   application.application_id);
  }

  absl::Status UpdateApplication(const Application& application) override {
    RETURN_IF_ERROR(CheckWritable("UpdateApplication"));
    ASSIGN_OR_RETURN(
        Statement st,
        tx_.Prepare("UPDATE applications SET trainee_id = ?2, cohort_id = ?3, "
                    "status = ?4, gender = ?5, age_band = ?6, "
                    "education_level = ?7, residence_province_code = ?8, "
                    "residence_region_code = ?9, "
                    "training_province_code = ?10, "
                    "training_region_code = ?11, track_id = ?12, "
                    "dimension_cohort_id = ?13, centre_id = ?14, "
                    "reason = ?15, waitlist_rank = ?16, submit_time = ?17, "
                    "update_time = ?18, reason_code = ?19 "
                    "WHERE application_id = ?1"));
    RETURN_IF_ERROR(BindApplication(st, application));
    RETURN_IF_ERROR(st.Run());
    if (tx_.Changes() == 0) {
      return storage::RowNotFoundError("application",
                                       application.application_id);
    }
    return absl::OkStatus();
  }

  absl::StatusOr<Page<Application>> ListApplications(
      const ApplicationFilter& filter, const PageQuery& page) override {
    storage::KeysetQuery q(kApplicationColumns, "applications",
                           "application_id", page.after_key, page.limit);
    q.Equal("cohort_id", filter.cohort_id);
    if (filter.status.has_value()) {
      q.Equal("status", StatusName(*filter.status));
    }
    // The training location is the cohort's centre's.
    q.Equal("training_region_code", filter.region_code);
    q.Equal("training_province_code", filter.province_code);
    q.InScope("training_region_code", "centre_id", filter.scope.national,
              filter.scope.regions, filter.scope.centres);
    return q.Run<Page<Application>>(
        tx_, ReadApplication,
        [](const Application& a) { return a.application_id; });
  }

  absl::StatusOr<std::vector<Application>> ApplicationsOfTrainee(
      const std::string& trainee_id) override {
    // rowid order is insertion order: rows are never deleted.
    ASSIGN_OR_RETURN(Statement st,
                     tx_.Prepare(absl::StrCat("SELECT ", kApplicationColumns,
                                              " FROM applications "
                                              "WHERE trainee_id = ?1 "
                                              "ORDER BY rowid")));
    RETURN_IF_ERROR(st.BindText(1, trainee_id));
    return storage::AllRows<Application>(st, ReadApplication);
  }

  absl::StatusOr<std::optional<Application>> FirstWaitlisted(
      const std::string& cohort_id) override {
    ASSIGN_OR_RETURN(
        Statement st,
        tx_.Prepare(absl::StrCat("SELECT ", kApplicationColumns,
                                 " FROM applications WHERE cohort_id = ?1 "
                                 "AND status = 'WAITLISTED' "
                                 "ORDER BY waitlist_rank, application_id "
                                 "LIMIT 1")));
    RETURN_IF_ERROR(st.BindText(1, cohort_id));
    return storage::OptionalRow<Application>(st, ReadApplication);
  }

  absl::StatusOr<int32_t> WaitlistPosition(
      const Application& application) override {
    if (application.status != ApplicationStatus::kWaitlisted) return 0;
    ASSIGN_OR_RETURN(
        Statement st,
        tx_.Prepare("SELECT count(*) FROM applications "
                    "WHERE cohort_id = ?1 AND status = 'WAITLISTED' "
                    "AND application_id <> ?3 AND (waitlist_rank < ?2 OR "
                    "(waitlist_rank = ?2 AND application_id < ?3))"));
    RETURN_IF_ERROR(st.BindText(1, application.cohort_id));
    RETURN_IF_ERROR(st.BindInt64(2, application.waitlist_rank));
    RETURN_IF_ERROR(st.BindText(3, application.application_id));
    ASSIGN_OR_RETURN(int64_t ahead,
                     storage::SingleInt64(st, "waitlist position"));
    return static_cast<int32_t>(ahead + 1);
  }

  absl::StatusOr<int64_t> NextWaitlistRank() override {
    RETURN_IF_ERROR(CheckWritable("NextWaitlistRank"));
    // Above every rank handed out and every rank stored.
    ASSIGN_OR_RETURN(
        Statement st,
        tx_.Prepare("UPDATE counters SET value = max(value, "
                    "(SELECT coalesce(max(waitlist_rank), 0) "
                    "FROM applications)) + 1 "
                    "WHERE name = 'waitlist_rank' RETURNING value"));
    return storage::SingleInt64(st, "waitlist rank");
  }

  absl::Status Publish(const DomainEvent& event) override {
    RETURN_IF_ERROR(CheckWritable("Publish"));
    return outbox::AppendEncoded(tx_, (*encoder_)(event), EventType(event.kind),
                                 clock_->Now());
  }

  absl::StatusOr<int64_t> EraseEventNotes(
      const std::string& /*trainee_id*/) override {
    RETURN_IF_ERROR(CheckWritable("EraseEventNotes"));
    // Nothing to strip: events carry reason codes, never the staff's notes
    // (proto/jobintech/common/v1/reasons.proto), and the notes of events
    // written before the codes were cleared from this outbox at start-up
    // (events::RunPendingOutboxRewrite, before the relay and any erasure).
    return 0;
  }

 private:
  const Clock* const clock_;
  const EventEncoder* const encoder_;
};

}  // namespace

// ---------------------------------------------------------------------------
// Repository.

std::vector<storage::Migration> SqliteEnrollmentRepository::Migrations() {
  std::vector<storage::Migration> m = outbox::ServiceMigrations(
      {1,
       "enrollment: programme, tracks, centres, cohorts, candidates, "
       "applications, sequences, idempotency requests",
       kEnrollmentSchemaV1Sql});
  m.push_back({4, "enrollment: applications.reason_code",
               absl::StrCat(kEnrollmentSchemaV4Sql,
                            outbox::kDeprecatedTextRewriteMarkerSql)});
  return m;
}

absl::StatusOr<std::unique_ptr<SqliteEnrollmentRepository>>
SqliteEnrollmentRepository::Open(const storage::DatabaseOptions& options,
                                 const Clock* clock, EventEncoder encoder) {
  if (clock == nullptr) {
    return absl::InvalidArgumentError("SqliteEnrollmentRepository: no clock");
  }
  if (encoder == nullptr) {
    return absl::InvalidArgumentError(
        "SqliteEnrollmentRepository: no event encoder");
  }
  // Erased personal data is overwritten in the file, not left in free space.
  ASSIGN_OR_RETURN(std::unique_ptr<storage::Database> db,
                   storage::OpenMigrated(options, Migrations(),
                                         {"PRAGMA secure_delete = ON"}));
  return std::unique_ptr<SqliteEnrollmentRepository>(
      new SqliteEnrollmentRepository(std::move(db), clock, std::move(encoder)));
}

SqliteEnrollmentRepository::SqliteEnrollmentRepository(
    std::unique_ptr<storage::Database> db, const Clock* clock,
    EventEncoder encoder)
    : db_(std::move(db)), clock_(clock), encoder_(std::move(encoder)) {}

SqliteEnrollmentRepository::~SqliteEnrollmentRepository() = default;

void SqliteEnrollmentRepository::FlushErasure() {
  absl::StatusOr<bool> done = db_->RequestWalTruncation(kErasureFlushWait);
  if (!done.ok()) {
    log::Error("erasure committed, but the WAL could not be truncated: {}; "
               "retried after the next commits",
               done.status().ToString());
  } else if (!*done) {
    log::Warn("erasure committed; the WAL still holds the erased bytes "
              "because a reader holds it: its truncation is retried after "
              "the next commits");
  }
}

bool SqliteEnrollmentRepository::ErasureFlushPending() const {
  return db_->wal_truncation_pending();
}

absl::Status SqliteEnrollmentRepository::Write(
    absl::FunctionRef<absl::Status(EnrollmentStore&)> fn) {
  return storage::WriteWith<SqliteStore>(*db_, fn, clock_, &encoder_);
}

absl::Status SqliteEnrollmentRepository::Read(
    absl::FunctionRef<absl::Status(EnrollmentStore&)> fn) {
  return storage::ReadWith<SqliteStore>(*db_, fn, clock_, &encoder_);
}

}  // namespace jit::enrollment
