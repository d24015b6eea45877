// A synthetic SubmitApplication request for the benchmarks' load: the n-th
// application of a run, with a unique synthetic national id within the run
// (n < 1,000,000: two letters chosen by the run id, then n on six digits).
#ifndef JIT_BENCH_COMMON_SYNTHETIC_APPLICATION_H_
#define JIT_BENCH_COMMON_SYNTHETIC_APPLICATION_H_

#include <cstdint>
#include <functional>
#include <string>

#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "jobintech/enrollment/v1/enrollment_service.pb.h"

namespace jit::bench {

// `label` names the run's requests and e-mails ("bench", "fresh").
inline void FillSyntheticApplication(::jobintech::enrollment::v1::SubmitApplicationRequest* req,
                                     const std::string& run, int64_t n,
                                     const std::string& cohort, absl::string_view label) {
  req->set_request_id(absl::StrCat(label, "-", run, "-", n));
  req->set_cohort_id(cohort);
  auto* c = req->mutable_candidate();
  c->set_given_name(label == "bench" ? "Bench" : "Fresh");
  c->set_family_name(absl::StrCat("Candidate", n));
  const uint64_t v =
      (std::hash<std::string>{}(run) % 676) * 1000000 + static_cast<uint64_t>(n % 1000000);
  const uint64_t letters = v / 1000000;
  c->set_national_id(absl::StrCat(std::string(1, 'A' + letters % 26),
                                  std::string(1, 'A' + letters / 26),
                                  absl::Dec(v % 1000000, absl::kZeroPad6)));
  c->mutable_birth_date()->set_year(2000);
  c->mutable_birth_date()->set_month(1 + n % 12);
  c->mutable_birth_date()->set_day(1 + n % 28);
  c->set_phone(absl::StrCat("06", 10000000 + n % 89999999));
  c->set_email(absl::StrCat(label, n, "@bench.ma"));
  req->set_gender(n % 2 ? jobintech::common::v1::GENDER_FEMALE
                        : jobintech::common::v1::GENDER_MALE);
  req->set_education_level(jobintech::common::v1::EDUCATION_LEVEL_BAC_PLUS_2);
  req->set_residence_province_code("MA-CAS");
}

}  // namespace jit::bench

#endif  // JIT_BENCH_COMMON_SYNTHETIC_APPLICATION_H_
