// Schema v1 of the enrollment store (SQLite). Applied by
// SqliteEnrollmentRepository::Open() as migration 1, before the outbox
// (migration 2). Released migrations are never edited: a change is a new
// migration appended to SqliteEnrollmentRepository::Migrations().
//
// Conventions: times are Unix microseconds (UTC) in INTEGER columns; days
// are "YYYY-MM-DD" TEXT; statuses are their names ("OPEN", "WAITLISTED");
// gender, age band and education level are the jobintech.common.v1 enum
// numbers. Personal data lives only in `candidates` (see README.md).
#ifndef JIT_SERVICES_ENROLLMENT_STORAGE_SCHEMA_H_
#define JIT_SERVICES_ENROLLMENT_STORAGE_SCHEMA_H_

namespace jit::enrollment {

inline constexpr char kEnrollmentSchemaV1Sql[] = R"sql(
CREATE TABLE programme (
  id              INTEGER PRIMARY KEY CHECK (id = 1),
  name            TEXT    NOT NULL,
  national_target INTEGER NOT NULL,
  update_time     INTEGER NOT NULL
);
INSERT INTO programme (id, name, national_target, update_time)
VALUES (1, 'JobInTech', 15000, 0);

CREATE TABLE tracks (
  track_id    TEXT    PRIMARY KEY,
  name_fr     TEXT    NOT NULL,
  name_ar     TEXT    NOT NULL,
  create_time INTEGER NOT NULL
);
INSERT INTO tracks (track_id, name_fr, name_ar, create_time) VALUES
  ('cybersecurity', 'Cybersécurité', 'الأمن السيبراني', 0),
  ('digital-management', 'Management digital', 'التدبير الرقمي', 0),
  ('digital-marketing', 'Marketing digital', 'التسويق الرقمي', 0);

CREATE TABLE centres (
  centre_id     TEXT    PRIMARY KEY,
  name          TEXT    NOT NULL,
  operator_name TEXT    NOT NULL,
  province_code TEXT    NOT NULL,
  region_code   TEXT    NOT NULL,
  create_time   INTEGER NOT NULL
);
CREATE INDEX centres_by_region ON centres (region_code, centre_id);
CREATE INDEX centres_by_province ON centres (province_code, centre_id);

CREATE TABLE cohorts (
  cohort_id      TEXT    PRIMARY KEY,
  name           TEXT    NOT NULL,
  track_id       TEXT    NOT NULL
                 REFERENCES tracks (track_id) DEFERRABLE INITIALLY DEFERRED,
  centre_id      TEXT    NOT NULL
                 REFERENCES centres (centre_id) DEFERRABLE INITIALLY DEFERRED,
  province_code  TEXT    NOT NULL,
  region_code    TEXT    NOT NULL,
  capacity       INTEGER NOT NULL,
  start_date     TEXT    NOT NULL,
  end_date       TEXT    NOT NULL,
  status         TEXT    NOT NULL
                 CHECK (status IN ('PLANNED', 'OPEN', 'RUNNING', 'CLOSED')),
  event_sequence INTEGER NOT NULL DEFAULT 0,
  create_time    INTEGER NOT NULL,
  update_time    INTEGER NOT NULL
);
CREATE INDEX cohorts_by_track ON cohorts (track_id, cohort_id);
CREATE INDEX cohorts_by_centre ON cohorts (centre_id, cohort_id);
CREATE INDEX cohorts_by_region ON cohorts (region_code, cohort_id);
CREATE INDEX cohorts_by_province ON cohorts (province_code, cohort_id);

-- The only table with personal data. On erasure (law 09-08) cin_hash and
-- every personal column become NULL; the row, its trainee id, sequence and
-- applications stay.
CREATE TABLE candidates (
  trainee_id     TEXT    PRIMARY KEY,
  cin_hash       TEXT    UNIQUE,
  given_name     TEXT,
  family_name    TEXT,
  national_id    TEXT,
  birth_date     TEXT,
  phone          TEXT,
  email          TEXT,
  event_sequence INTEGER NOT NULL DEFAULT 0,
  create_time    INTEGER NOT NULL,
  erase_time     INTEGER,
  CHECK ((given_name IS NULL) = (family_name IS NULL) AND
         (given_name IS NULL) = (national_id IS NULL) AND
         (given_name IS NULL) = (birth_date IS NULL) AND
         (given_name IS NULL) = (phone IS NULL) AND
         (given_name IS NULL) = (email IS NULL))
);

-- Applications carry the non-identifying dimensions of their events.
CREATE TABLE applications (
  application_id          TEXT    PRIMARY KEY,
  trainee_id              TEXT    NOT NULL
      REFERENCES candidates (trainee_id) DEFERRABLE INITIALLY DEFERRED,
  cohort_id               TEXT    NOT NULL
      REFERENCES cohorts (cohort_id) DEFERRABLE INITIALLY DEFERRED,
  status                  TEXT    NOT NULL
      CHECK (status IN ('APPLIED', 'ADMITTED', 'WAITLISTED', 'REJECTED',
                        'ENROLLED', 'DECLINED', 'WITHDRAWN')),
  gender                  INTEGER NOT NULL,
  age_band                INTEGER NOT NULL,
  education_level         INTEGER NOT NULL,
  residence_province_code TEXT    NOT NULL,
  residence_region_code   TEXT    NOT NULL,
  training_province_code  TEXT    NOT NULL,
  training_region_code    TEXT    NOT NULL,
  track_id                TEXT    NOT NULL,
  dimension_cohort_id     TEXT    NOT NULL,
  centre_id               TEXT    NOT NULL,
  reason                  TEXT    NOT NULL,
  waitlist_rank           INTEGER NOT NULL,
  submit_time             INTEGER NOT NULL,
  update_time             INTEGER NOT NULL
);
CREATE INDEX applications_by_cohort_status
  ON applications (cohort_id, status, waitlist_rank);
CREATE INDEX applications_by_trainee ON applications (trainee_id);
CREATE INDEX applications_by_waitlist_rank ON applications (waitlist_rank);
CREATE INDEX applications_by_region
  ON applications (training_region_code, application_id);
CREATE INDEX applications_by_province
  ON applications (training_province_code, application_id);

-- Event sequences of catalogue aggregates without a row of their own
-- (tracks, the programme).
CREATE TABLE aggregate_sequences (
  aggregate_id TEXT    PRIMARY KEY,
  sequence     INTEGER NOT NULL
);

-- Store-wide counters.
CREATE TABLE counters (
  name  TEXT    PRIMARY KEY,
  value INTEGER NOT NULL
);
INSERT INTO counters (name, value) VALUES ('waitlist_rank', 0);

-- First answers of mutating requests (idempotent replay). `response` is a
-- JSON snapshot without personal data (see SnapshotToJson).
CREATE TABLE idempotency_requests (
  request_id  TEXT    PRIMARY KEY,
  operation   TEXT    NOT NULL,
  response    TEXT    NOT NULL,
  create_time INTEGER NOT NULL
);
CREATE INDEX idempotency_requests_by_time
  ON idempotency_requests (create_time);
)sql";

// Schema v4: the reason code of a rejection, decline or withdrawal (the
// number of a jobintech.common.v1 RejectionReason, DeclineReason or
// WithdrawalReason value, by status), beside `reason`, which from now on
// holds only the staff's note. Rows that reached one of those statuses
// before codes existed get OTHER (1): a reason was given (or, for a
// decline, could have been) but cannot be classified after the fact; their
// note keeps the text. Every other row gets UNSPECIFIED (0).
inline constexpr char kEnrollmentSchemaV4Sql[] = R"sql(
ALTER TABLE applications ADD COLUMN reason_code INTEGER NOT NULL DEFAULT 0;
UPDATE applications SET reason_code = 1
  WHERE status IN ('REJECTED', 'DECLINED', 'WITHDRAWN');
)sql";

}  // namespace jit::enrollment

#endif  // JIT_SERVICES_ENROLLMENT_STORAGE_SCHEMA_H_
