// Schema v1 of the training-progress store (SQLite). Applied by
// SqliteProgressRepository::Open() as migration 1, before the outbox
// (migration 2). Released migrations are never edited: a change is a new
// migration appended to SqliteProgressRepository::Migrations().
//
// Conventions: times are Unix microseconds (UTC) in INTEGER columns; days
// are "YYYY-MM-DD" TEXT; statuses and marks are their names ("ACTIVE",
// "UNEXCUSED_ABSENCE"); gender, age band and education level are the
// jobintech.common.v1 enum numbers. No personal data: trainees are known by
// their pseudonymous trainee id only.
#ifndef JIT_SERVICES_TRAINING_PROGRESS_STORAGE_SCHEMA_H_
#define JIT_SERVICES_TRAINING_PROGRESS_STORAGE_SCHEMA_H_

namespace jit::progress {

inline constexpr char kProgressSchemaV1Sql[] = R"sql(
-- Published curricula: one row per (track, version), its modules below.
CREATE TABLE curricula (
  track_id     TEXT    NOT NULL,
  version      INTEGER NOT NULL CHECK (version >= 1),
  publish_time INTEGER NOT NULL,
  PRIMARY KEY (track_id, version)
);

CREATE TABLE curriculum_modules (
  track_id   TEXT    NOT NULL,
  version    INTEGER NOT NULL,
  module_id  TEXT    NOT NULL,
  title      TEXT    NOT NULL,
  position   INTEGER NOT NULL,
  hours      REAL    NOT NULL,
  required   INTEGER NOT NULL CHECK (required IN (0, 1)),
  max_score  REAL    NOT NULL,
  pass_mark  REAL    NOT NULL,
  PRIMARY KEY (track_id, version, module_id),
  UNIQUE (track_id, version, position),
  FOREIGN KEY (track_id, version) REFERENCES curricula (track_id, version)
    DEFERRABLE INITIALLY DEFERRED
);

-- The curriculum version each cohort follows (pinned at its first record).
CREATE TABLE cohort_curricula (
  cohort_id TEXT    PRIMARY KEY,
  track_id  TEXT    NOT NULL,
  version   INTEGER NOT NULL,
  pin_time  INTEGER NOT NULL,
  FOREIGN KEY (track_id, version) REFERENCES curricula (track_id, version)
    DEFERRABLE INITIALLY DEFERRED
);

-- A trainee's training in a cohort, with the dimensions of the latest
-- enrollment lookup and the attendance counters.
CREATE TABLE trainees (
  cohort_id               TEXT    NOT NULL,
  trainee_id              TEXT    NOT NULL,
  application_id          TEXT    NOT NULL,
  track_id                TEXT    NOT NULL,
  curriculum_version      INTEGER NOT NULL,
  status                  TEXT    NOT NULL
      CHECK (status IN ('ENROLLED', 'ACTIVE', 'COMPLETED', 'DROPPED_OUT',
                        'CERTIFIED', 'WITHDRAWN')),
  gender                  INTEGER NOT NULL,
  age_band                INTEGER NOT NULL,
  education_level         INTEGER NOT NULL,
  residence_province_code TEXT    NOT NULL,
  residence_region_code   TEXT    NOT NULL,
  training_province_code  TEXT    NOT NULL,
  training_region_code    TEXT    NOT NULL,
  dimension_track_id      TEXT    NOT NULL,
  dimension_cohort_id     TEXT    NOT NULL,
  centre_id               TEXT    NOT NULL,
  sessions_present        INTEGER NOT NULL,
  sessions_excused        INTEGER NOT NULL,
  sessions_unexcused      INTEGER NOT NULL,
  consecutive_unexcused   INTEGER NOT NULL,
  at_risk                 INTEGER NOT NULL CHECK (at_risk IN (0, 1)),
  start_date              TEXT,
  completion_date         TEXT,
  exit_date               TEXT,
  exit_reason             TEXT    NOT NULL,
  certificate_id          TEXT,
  certificate_issued_on   TEXT,
  certificate_revoked     INTEGER NOT NULL CHECK (certificate_revoked IN (0, 1)),
  revocation_reason       TEXT    NOT NULL,
  certificate_revoked_on  TEXT,
  create_time             INTEGER NOT NULL,
  update_time             INTEGER NOT NULL,
  PRIMARY KEY (cohort_id, trainee_id),
  CHECK ((certificate_id IS NULL) = (certificate_issued_on IS NULL))
);
CREATE INDEX trainees_by_trainee ON trainees (trainee_id, create_time);

-- Per-trainee event sequences (across the trainee's cohorts).
CREATE TABLE trainee_sequences (
  trainee_id TEXT    PRIMARY KEY,
  sequence   INTEGER NOT NULL
);

CREATE TABLE attendance (
  cohort_id    TEXT    NOT NULL,
  trainee_id   TEXT    NOT NULL,
  module_id    TEXT    NOT NULL,
  session_date TEXT    NOT NULL,
  mark         TEXT    NOT NULL
      CHECK (mark IN ('PRESENT', 'EXCUSED_ABSENCE', 'UNEXCUSED_ABSENCE')),
  request_id   TEXT    NOT NULL,
  record_time  INTEGER NOT NULL,
  PRIMARY KEY (cohort_id, trainee_id, module_id, session_date),
  FOREIGN KEY (cohort_id, trainee_id) REFERENCES trainees (cohort_id, trainee_id)
    DEFERRABLE INITIALLY DEFERRED
);
CREATE INDEX attendance_by_trainee_day
  ON attendance (cohort_id, trainee_id, session_date);

CREATE TABLE assessments (
  cohort_id   TEXT    NOT NULL,
  trainee_id  TEXT    NOT NULL,
  module_id   TEXT    NOT NULL,
  attempt     INTEGER NOT NULL CHECK (attempt >= 1),
  score       REAL    NOT NULL,
  assessed_on TEXT    NOT NULL,
  passed      INTEGER NOT NULL CHECK (passed IN (0, 1)),
  request_id  TEXT    NOT NULL,
  record_time INTEGER NOT NULL,
  PRIMARY KEY (cohort_id, trainee_id, module_id, attempt),
  FOREIGN KEY (cohort_id, trainee_id) REFERENCES trainees (cohort_id, trainee_id)
    DEFERRABLE INITIALLY DEFERRED
);

-- First answers of mutating requests (idempotent replay). `response` is a
-- JSON snapshot (see SnapshotToJson).
CREATE TABLE idempotency_requests (
  request_id  TEXT    PRIMARY KEY,
  operation   TEXT    NOT NULL,
  response    TEXT    NOT NULL,
  create_time INTEGER NOT NULL
);
CREATE INDEX idempotency_requests_by_time
  ON idempotency_requests (create_time);
)sql";

// Schema v4: reason codes beside the notes. `exit_reason_code` is a
// drop-out's jobintech.common.v1.DropOutReason number and
// `revocation_reason_code` a revoked certificate's RevocationReason number;
// `exit_reason` and `revocation_reason` from now on hold only the staff's
// note. Drop-outs and revocations recorded before codes existed get OTHER
// (1): a reason was given but cannot be classified after the fact (the note
// keeps the text); every other row gets UNSPECIFIED (0), as no such
// transition happened (a withdrawal's code lives in the enrollment service).
inline constexpr char kProgressSchemaV4Sql[] = R"sql(
ALTER TABLE trainees ADD COLUMN exit_reason_code INTEGER NOT NULL DEFAULT 0;
ALTER TABLE trainees
  ADD COLUMN revocation_reason_code INTEGER NOT NULL DEFAULT 0;
UPDATE trainees SET exit_reason_code = 1 WHERE status = 'DROPPED_OUT';
UPDATE trainees SET revocation_reason_code = 1 WHERE certificate_revoked = 1;
)sql";

}  // namespace jit::progress

#endif  // JIT_SERVICES_TRAINING_PROGRESS_STORAGE_SCHEMA_H_
