// Schema v1 of the placement store (SQLite). Applied by
// SqlitePlacementRepository::Open() as migration 1, before the outbox
// (migration 2). Released migrations are never edited: a change is a new
// migration appended to SqlitePlacementRepository::Migrations().
//
// Conventions: times are Unix microseconds (UTC) in INTEGER columns; days
// are "YYYY-MM-DD" TEXT; the trainee's placement state is its short name
// ("JOB_SEEKING"); the contract's vocabulary enums (placement type, salary
// band, verification source, follow-up outcome, exit kind, gender, age band,
// education level) are their jobintech.*.v1 numbers. No personal data: a
// trainee is known by the pseudonymous trainee id only.
#ifndef JIT_SERVICES_PLACEMENT_STORAGE_SCHEMA_H_
#define JIT_SERVICES_PLACEMENT_STORAGE_SCHEMA_H_

namespace jit::placement {

inline constexpr char kPlacementSchemaV1Sql[] = R"sql(
CREATE TABLE employers (
  employer_id    TEXT    PRIMARY KEY,
  name           TEXT    NOT NULL,
  ice            TEXT    NOT NULL UNIQUE CHECK (length(ice) = 15),
  sector         TEXT    NOT NULL,
  province_code  TEXT    NOT NULL,
  region_code    TEXT    NOT NULL,
  partner        INTEGER NOT NULL CHECK (partner IN (0, 1)),
  event_sequence INTEGER NOT NULL,
  create_time    INTEGER NOT NULL,
  update_time    INTEGER NOT NULL
);
CREATE INDEX employers_by_sector ON employers (sector, employer_id);
CREATE INDEX employers_by_region ON employers (region_code, employer_id);
CREATE INDEX employers_by_province ON employers (province_code, employer_id);

CREATE TABLE job_offers (
  job_offer_id   TEXT    PRIMARY KEY,
  employer_id    TEXT    NOT NULL
                 REFERENCES employers (employer_id) DEFERRABLE INITIALLY DEFERRED,
  title          TEXT    NOT NULL,
  track_id       TEXT    NOT NULL,
  province_code  TEXT    NOT NULL,
  region_code    TEXT    NOT NULL,
  contract_type  INTEGER NOT NULL,
  salary_band    INTEGER NOT NULL,
  openings       INTEGER NOT NULL CHECK (openings >= 1),
  open           INTEGER NOT NULL CHECK (open IN (0, 1)),
  event_sequence INTEGER NOT NULL,
  create_time    INTEGER NOT NULL,
  update_time    INTEGER NOT NULL,
  close_time     INTEGER
);
CREATE INDEX job_offers_by_employer ON job_offers (employer_id, job_offer_id);
CREATE INDEX job_offers_by_track ON job_offers (track_id, job_offer_id);
CREATE INDEX job_offers_by_region ON job_offers (region_code, job_offer_id);
CREATE INDEX job_offers_by_province ON job_offers (province_code, job_offer_id);

-- A trainee's placement record: the exit it is measured from and the
-- non-identifying dimensions its events carry.
CREATE TABLE trainees (
  trainee_id              TEXT    PRIMARY KEY,
  state                   TEXT    NOT NULL
      CHECK (state IN ('JOB_SEEKING', 'OFFERED', 'PLACED', 'ENDED')),
  exit_kind               INTEGER NOT NULL,
  exit_date               TEXT    NOT NULL,
  exit_cohort_id          TEXT    NOT NULL,
  gender                  INTEGER NOT NULL,
  age_band                INTEGER NOT NULL,
  education_level         INTEGER NOT NULL,
  residence_province_code TEXT    NOT NULL,
  residence_region_code   TEXT    NOT NULL,
  training_province_code  TEXT    NOT NULL,
  training_region_code    TEXT    NOT NULL,
  track_id                TEXT    NOT NULL,
  cohort_id               TEXT    NOT NULL,
  centre_id               TEXT    NOT NULL,
  current_placement_id    TEXT    NOT NULL,
  first_placement_date    TEXT,
  event_sequence          INTEGER NOT NULL,
  create_time             INTEGER NOT NULL,
  update_time             INTEGER NOT NULL
);
CREATE INDEX trainees_by_region ON trainees (training_region_code);

CREATE TABLE offers (
  offer_id     TEXT    PRIMARY KEY,
  trainee_id   TEXT    NOT NULL
               REFERENCES trainees (trainee_id) DEFERRABLE INITIALLY DEFERRED,
  job_offer_id TEXT    NOT NULL,
  employer_id  TEXT    NOT NULL,
  offered_on   TEXT    NOT NULL,
  create_time  INTEGER NOT NULL
);
CREATE INDEX offers_by_trainee ON offers (trainee_id);

CREATE TABLE placements (
  placement_id TEXT    PRIMARY KEY,
  trainee_id   TEXT    NOT NULL
               REFERENCES trainees (trainee_id) DEFERRABLE INITIALLY DEFERRED,
  type         INTEGER NOT NULL,
  employer_id  TEXT    NOT NULL,
  job_offer_id TEXT    NOT NULL,
  start_date   TEXT    NOT NULL,
  salary_band  INTEGER NOT NULL,
  verification INTEGER NOT NULL,
  verify_time  INTEGER,
  end_date     TEXT,
  end_reason   TEXT    NOT NULL,
  create_time  INTEGER NOT NULL,
  update_time  INTEGER NOT NULL
);
CREATE INDEX placements_by_trainee ON placements (trainee_id);
CREATE INDEX placements_by_employer ON placements (employer_id, placement_id);

-- The follow-up schedule of placed trainees. due_key orders them (due date,
-- trainee, months) and pages ListDueFollowUps; outcome 0 = not recorded.
CREATE TABLE follow_ups (
  trainee_id   TEXT    NOT NULL
               REFERENCES trainees (trainee_id) DEFERRABLE INITIALLY DEFERRED,
  months       INTEGER NOT NULL CHECK (months IN (3, 6, 12)),
  due_date     TEXT    NOT NULL,
  due_key      TEXT    NOT NULL UNIQUE,
  outcome      INTEGER NOT NULL,
  placement_id TEXT    NOT NULL,
  employer_id  TEXT    NOT NULL,
  recorded_on  TEXT,
  record_time  INTEGER,
  PRIMARY KEY (trainee_id, months)
);
CREATE INDEX follow_ups_pending ON follow_ups (due_key) WHERE outcome = 0;

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

// Schema v4: the end reason code of a placement (the number of a
// jobintech.common.v1.PlacementEndReason value) beside `end_reason`, which
// from now on holds only the staff's note. Placements ended before codes
// existed get OTHER (1): a reason was given but cannot be classified after
// the fact (the note keeps the text); active placements get UNSPECIFIED (0).
inline constexpr char kPlacementSchemaV4Sql[] = R"sql(
ALTER TABLE placements ADD COLUMN end_reason_code INTEGER NOT NULL DEFAULT 0;
UPDATE placements SET end_reason_code = 1 WHERE end_date IS NOT NULL;
)sql";

}  // namespace jit::placement

#endif  // JIT_SERVICES_PLACEMENT_STORAGE_SCHEMA_H_
