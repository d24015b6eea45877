// Sample values of the repository contract suite
// (repository_contract_test.h), also used by the SQLite store's own tests.
// Times fall on whole microseconds (stores keep microseconds); every
// optional field of the "full" values is set.
#ifndef JIT_SERVICES_TRAINING_PROGRESS_STORAGE_REPOSITORY_TEST_VALUES_H_
#define JIT_SERVICES_TRAINING_PROGRESS_STORAGE_REPOSITORY_TEST_VALUES_H_

#include <algorithm>
#include <cstdint>
#include <string>

#include "absl/strings/str_cat.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "services/training-progress/domain/events.h"
#include "services/training-progress/domain/model.h"

namespace jit::progress::testing {

inline absl::Time ContractTime(int64_t seconds) {
  return absl::FromUnixMicros(1'763'000'000'000'000 + seconds * 1'000'000 + 7);
}

inline Curriculum ContractCurriculum(const std::string& track, int32_t version,
                                     int modules = 3) {
  Curriculum c;
  c.track_id = track;
  c.version = version;
  for (int i = modules; i >= 1; --i) {
    c.modules.push_back(
        Module{.module_id = absl::StrCat("module-", i),
               .title = absl::StrCat("Module n°", i, " — réseaux"),
               .order = i,
               .hours = 12.5 * i,
               .required = i != 2,
               .max_score = 20,
               .pass_mark = 10.25});
  }
  std::sort(c.modules.begin(), c.modules.end(),
            [](const Module& a, const Module& b) { return a.order < b.order; });
  c.publish_time = ContractTime(version);
  return c;
}

inline Dimensions ContractDimensions(const std::string& cohort_id) {
  Dimensions d;
  d.gender = ::jobintech::common::v1::GENDER_FEMALE;
  d.age_band = ::jobintech::common::v1::AGE_BAND_18_20;
  d.education_level = ::jobintech::common::v1::EDUCATION_LEVEL_VOCATIONAL;
  d.residence_province_code = "MA-FQH";
  d.residence_region_code = "MA-05";
  d.training_province_code = "MA-CAS";
  d.training_region_code = "MA-06";
  d.track_id = "cybersecurity";
  d.cohort_id = cohort_id;
  d.centre_id = "ctr_1";
  return d;
}

// A record with every optional field set.
inline TraineeRecord ContractTrainee(const std::string& cohort_id,
                                     const std::string& trainee_id,
                                     int64_t created_at = 1) {
  TraineeRecord r;
  r.cohort_id = cohort_id;
  r.trainee_id = trainee_id;
  r.application_id = "app_" + trainee_id;
  r.track_id = "cybersecurity";
  r.curriculum_version = 1;
  r.status = TrainingStatus::kCertified;
  r.dimensions = ContractDimensions(cohort_id);
  r.sessions_present = 17;
  r.sessions_excused = 2;
  r.sessions_unexcused = 3;
  r.consecutive_unexcused = 1;
  r.at_risk = true;
  r.start_date = absl::CivilDay(2025, 11, 3);
  r.completion_date = absl::CivilDay(2026, 3, 31);
  r.exit_date = absl::CivilDay(2026, 3, 31);
  r.exit_reason = "raison: déménagement";
  r.exit_reason_code = ::jobintech::common::v1::DROP_OUT_REASON_RELOCATION;
  r.certificate = Certificate{.certificate_id = "crt_" + trainee_id,
                              .issued_on = absl::CivilDay(2026, 4, 2),
                              .revoked = true,
                              .revocation_reason = "erreur",
                              .revoked_on = absl::CivilDay(2026, 4, 9),
                              .revocation_reason_code = ::jobintech::common::v1::
                                  REVOCATION_REASON_ISSUED_IN_ERROR};
  r.create_time = ContractTime(created_at);
  r.update_time = ContractTime(created_at + 100);
  return r;
}

// A record with no optional field set.
inline TraineeRecord ContractNewTrainee(const std::string& cohort_id,
                                        const std::string& trainee_id,
                                        int64_t created_at = 1) {
  TraineeRecord r;
  r.cohort_id = cohort_id;
  r.trainee_id = trainee_id;
  r.application_id = "app_" + trainee_id;
  r.track_id = "cybersecurity";
  r.curriculum_version = 1;
  r.dimensions = ContractDimensions(cohort_id);
  r.create_time = ContractTime(created_at);
  r.update_time = ContractTime(created_at);
  return r;
}

inline TraineeProgress ContractProgress(const TraineeRecord& record) {
  TraineeProgress p;
  p.record = record;
  p.modules = {ModuleResult{.module_id = "module-1",
                            .required = true,
                            .best_score = 14.75,
                            .passed = true,
                            .attempts = 2},
               ModuleResult{.module_id = "module-2",
                            .required = false,
                            .best_score = 0,
                            .passed = false,
                            .attempts = 0}};
  p.required_passed_ratio = 1.0 / 3.0;
  p.attendance_rate = 17.0 / 20.0;
  return p;
}

// A valid event (the SQLite store maps it to an outbox row).
inline DomainEvent ContractEvent(const std::string& trainee_id,
                                 int64_t sequence = 1) {
  DomainEvent e;
  e.kind = EventKind::kAttendanceRecorded;
  e.trainee_id = trainee_id;
  e.sequence = sequence;
  e.occurred_at = ContractTime(5);
  e.request_id = "req-contract";
  e.dimensions = ContractDimensions("coh_a");
  e.cohort_id = "coh_a";
  e.new_status = TrainingStatus::kActive;
  e.module_id = "module-1";
  e.session_date = absl::CivilDay(2025, 11, 4);
  e.mark = AttendanceMark::kPresent;
  e.attendance_rate = 1;
  return e;
}

}  // namespace jit::progress::testing

#endif  // JIT_SERVICES_TRAINING_PROGRESS_STORAGE_REPOSITORY_TEST_VALUES_H_
