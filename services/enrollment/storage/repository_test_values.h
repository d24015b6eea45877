// Test helpers shared by the repository contract suite and store-specific
// tests: Describe() renders every field of a domain value as text (equality
// with readable diffs, without adding operator== to the domain), and
// Contract*() build sample values whose times are whole microseconds (the
// resolution every store keeps).
#ifndef JIT_SERVICES_ENROLLMENT_STORAGE_REPOSITORY_TEST_VALUES_H_
#define JIT_SERVICES_ENROLLMENT_STORAGE_REPOSITORY_TEST_VALUES_H_

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <variant>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "services/enrollment/domain/events.h"
#include "services/enrollment/domain/model.h"
#include "services/enrollment/domain/repository.h"

namespace jit::enrollment::testing {

inline std::string Describe(absl::Time t) {
  return absl::StrCat(absl::ToUnixMicros(t), "us");
}
inline std::string Describe(absl::CivilDay d) {
  return absl::FormatCivilTime(d);
}
inline std::string Describe(const Programme& p) {
  return absl::StrCat("Programme{", p.name, ",", p.national_target, ",",
                      Describe(p.update_time), "}");
}
inline std::string Describe(const Track& t) {
  return absl::StrCat("Track{", t.track_id, ",", t.name_fr, ",", t.name_ar, ",",
                      Describe(t.create_time), "}");
}
inline std::string Describe(const Centre& c) {
  return absl::StrCat("Centre{", c.centre_id, ",", c.name, ",", c.operator_name,
                      ",", c.province_code, ",", c.region_code, ",",
                      Describe(c.create_time), "}");
}
inline std::string Describe(const Cohort& c) {
  return absl::StrCat("Cohort{", c.cohort_id, ",", c.name, ",", c.track_id, ",",
                      c.centre_id, ",", c.province_code, ",", c.region_code,
                      ",", c.capacity, ",", Describe(c.start_date), ",",
                      Describe(c.end_date), ",", StatusName(c.status), ",",
                      c.event_sequence, ",", Describe(c.create_time), ",",
                      Describe(c.update_time), "}");
}
inline std::string Describe(const Dimensions& d) {
  return absl::StrCat(
      "Dimensions{", static_cast<int>(d.gender), ",",
      static_cast<int>(d.age_band), ",", static_cast<int>(d.education_level),
      ",", d.residence_province_code, ",", d.residence_region_code, ",",
      d.training_province_code, ",", d.training_region_code, ",", d.track_id,
      ",", d.cohort_id, ",", d.centre_id, "}");
}
inline std::string Describe(const Application& a) {
  return absl::StrCat("Application{", a.application_id, ",", a.trainee_id, ",",
                      a.cohort_id, ",", StatusName(a.status), ",",
                      Describe(a.dimensions), ",", a.reason, ",", a.reason_code, ",",
                      a.waitlist_rank, ",", Describe(a.submit_time), ",",
                      Describe(a.update_time), "}");
}
inline std::string Describe(const PersonalData& p) {
  return absl::StrCat("PersonalData{", p.given_name, ",", p.family_name, ",",
                      p.national_id, ",", Describe(p.birth_date), ",", p.phone,
                      ",", p.email, "}");
}
inline std::string Describe(const Candidate& c) {
  return absl::StrCat(
      "Candidate{", c.trainee_id, ",", c.cin_hash, ",",
      c.personal_data.has_value() ? Describe(*c.personal_data) : "erased", ",",
      c.event_sequence, ",", Describe(c.create_time), ",",
      c.erase_time.has_value() ? Describe(*c.erase_time) : "-", "}");
}
inline std::string Describe(const EraseResult& e) {
  return absl::StrCat("EraseResult{", e.trainee_id, ",", Describe(e.erase_time),
                      "}");
}
inline std::string Describe(const ResponseSnapshot& s) {
  return absl::StrCat(s.index(), ":",
                      std::visit([](const auto& v) { return Describe(v); }, s));
}
inline std::string Describe(const StoredRequest& r) {
  return absl::StrCat("StoredRequest{", r.request_id, ",", r.operation, ",",
                      Describe(r.response), ",", Describe(r.create_time), "}");
}
template <typename T>
std::string Describe(const std::optional<T>& v) {
  return v.has_value() ? Describe(*v) : "nullopt";
}
template <typename T>
std::string Describe(const std::vector<T>& v) {
  std::vector<std::string> parts;
  for (const T& x : v) parts.push_back(Describe(x));
  return absl::StrCat("[", absl::StrJoin(parts, ";"), "]");
}

// ---------------------------------------------------------------------------
// Sample values (times at whole microseconds, as every store keeps them).

inline absl::Time ContractTime(int64_t offset_seconds) {
  return absl::FromUnixMicros(1'760'486'400'000'000 + 123'456 +
                              offset_seconds * 1'000'000);
}

inline Centre ContractCentre(std::string id, std::string province,
                             std::string region) {
  Centre c;
  c.centre_id = std::move(id);
  c.name = "Centre " + c.centre_id;
  c.operator_name = "Operator of " + c.centre_id;
  c.province_code = std::move(province);
  c.region_code = std::move(region);
  c.create_time = ContractTime(1);
  return c;
}

inline Cohort ContractCohort(std::string id, const Centre& centre,
                             std::string track_id,
                             CohortStatus status = CohortStatus::kOpen,
                             int32_t capacity = 30) {
  Cohort c;
  c.cohort_id = std::move(id);
  c.name = "Cohort " + c.cohort_id;
  c.track_id = std::move(track_id);
  c.centre_id = centre.centre_id;
  c.province_code = centre.province_code;
  c.region_code = centre.region_code;
  c.capacity = capacity;
  c.start_date = absl::CivilDay(2025, 11, 3);
  c.end_date = absl::CivilDay(2026, 4, 30);
  c.status = status;
  c.event_sequence = 1;
  c.create_time = ContractTime(2);
  c.update_time = ContractTime(3);
  return c;
}

inline Candidate ContractCandidate(std::string trainee_id,
                                   std::string cin_hash) {
  Candidate c;
  c.trainee_id = std::move(trainee_id);
  c.cin_hash = std::move(cin_hash);
  PersonalData pd;
  pd.given_name = "Salma";
  pd.family_name = "Benali";
  pd.national_id = "AB123456";
  pd.birth_date = absl::CivilDay(2001, 2, 28);
  pd.phone = "+212612345678";
  pd.email = "salma@example.ma";
  c.personal_data = pd;
  c.event_sequence = 1;
  c.create_time = ContractTime(4);
  return c;
}

inline Application ContractApplication(
    std::string id, std::string trainee_id, const Cohort& cohort,
    ApplicationStatus status = ApplicationStatus::kApplied,
    int64_t waitlist_rank = 0) {
  Application a;
  a.application_id = std::move(id);
  a.trainee_id = std::move(trainee_id);
  a.cohort_id = cohort.cohort_id;
  a.status = status;
  a.dimensions.gender = ::jobintech::common::v1::GENDER_FEMALE;
  a.dimensions.age_band = ::jobintech::common::v1::AGE_BAND_21_24;
  a.dimensions.education_level =
      ::jobintech::common::v1::EDUCATION_LEVEL_BAC_PLUS_2;
  a.dimensions.residence_province_code = "MA-FQH";
  a.dimensions.residence_region_code = "MA-05";
  a.dimensions.training_province_code = cohort.province_code;
  a.dimensions.training_region_code = cohort.region_code;
  a.dimensions.track_id = cohort.track_id;
  a.dimensions.cohort_id = cohort.cohort_id;
  a.dimensions.centre_id = cohort.centre_id;
  a.waitlist_rank = waitlist_rank;
  a.submit_time = ContractTime(5);
  a.update_time = ContractTime(6);
  return a;
}

// A trainee event every store accepts (keyed by `trainee_id`).
inline DomainEvent ContractEvent(std::string trainee_id, int64_t sequence) {
  DomainEvent e;
  e.kind = EventKind::kApplicationSubmitted;
  e.trainee_id = std::move(trainee_id);
  e.sequence = sequence;
  e.occurred_at = ContractTime(7);
  e.request_id = "req-event";
  e.application_id = "app_event";
  e.cohort_id = "coh_event";
  e.new_status = ApplicationStatus::kApplied;
  e.dimensions.cohort_id = "coh_event";
  return e;
}

}  // namespace jit::enrollment::testing

#endif  // JIT_SERVICES_ENROLLMENT_STORAGE_REPOSITORY_TEST_VALUES_H_
