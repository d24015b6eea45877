// Fakes of the peer clients (domain/peers.h) for tests: answers set per
// trainee, a switch that makes the peer "down" (UNAVAILABLE), and a count of
// calls.
//
// Thread-safe.
#ifndef JIT_SERVICES_PLACEMENT_DOMAIN_TESTING_FAKE_PEERS_H_
#define JIT_SERVICES_PLACEMENT_DOMAIN_TESTING_FAKE_PEERS_H_

#include <map>
#include <optional>
#include <string>
#include <utility>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/civil_time.h"
#include "services/placement/domain/peers.h"

namespace jit::placement::testing {

// Dimensions of a trainee trained in Fquih Ben Salah (MA-FQH, MA-05).
inline Dimensions SampleDimensions(const std::string& cohort_id = "coh_1") {
  Dimensions d;
  d.gender = ::jobintech::common::v1::GENDER_FEMALE;
  d.age_band = ::jobintech::common::v1::AGE_BAND_21_24;
  d.education_level = ::jobintech::common::v1::EDUCATION_LEVEL_BAC_PLUS_2;
  d.residence_province_code = "MA-BEM";
  d.residence_region_code = "MA-05";
  d.training_province_code = "MA-FQH";
  d.training_region_code = "MA-05";
  d.track_id = "cybersecurity";
  d.cohort_id = cohort_id;
  d.centre_id = "ctr_1";
  return d;
}

class FakeProgressClient final : public ProgressClient {
 public:
  // The trainee has exited (`kind`) on `date`.
  void SetExited(const std::string& trainee_id, ExitKind kind,
                 absl::CivilDay date, Dimensions dims = SampleDimensions()) {
    ProgressExit e;
    e.trainee_id = trainee_id;
    e.cohort_id = dims.cohort_id;
    e.exited = true;
    e.kind = kind;
    e.exit_date = date;
    e.training_state =
        kind == ::jobintech::events::v1::EXIT_KIND_COMPLETED     ? "COMPLETED"
        : kind == ::jobintech::events::v1::EXIT_KIND_DROPPED_OUT ? "DROPPED_OUT"
                                                                 : "WITHDRAWN";
    e.dimensions = std::move(dims);
    Set(trainee_id, e);
  }
  // The trainee is still in training.
  void SetInTraining(const std::string& trainee_id) {
    ProgressExit e;
    e.trainee_id = trainee_id;
    e.cohort_id = "coh_1";
    e.exited = false;
    e.training_state = "ACTIVE";
    e.dimensions = SampleDimensions();
    Set(trainee_id, e);
  }
  void Set(const std::string& trainee_id, ProgressExit answer) {
    absl::MutexLock lock(&mu_);
    answers_[trainee_id] = std::move(answer);
  }
  // While down, every call fails with UNAVAILABLE.
  void SetDown(bool down) {
    absl::MutexLock lock(&mu_);
    down_ = down;
  }
  int calls() const {
    absl::MutexLock lock(&mu_);
    return calls_;
  }

  absl::StatusOr<ProgressExit> GetTraineeExit(
      const std::string& trainee_id,
      const command::PeerContext& peer) override {
    absl::MutexLock lock(&mu_);
    ++calls_;
    last_traceparent_ = peer.traceparent;
    last_deadline_ = peer.deadline;
    if (down_) {
      return absl::UnavailableError(
          "training-progress service unavailable at fake: connection refused");
    }
    auto it = answers_.find(trainee_id);
    if (it == answers_.end()) {
      return absl::NotFoundError(
          absl::StrCat("no training record for trainee '", trainee_id, "'"));
    }
    return it->second;
  }
  std::string last_traceparent() const {
    absl::MutexLock lock(&mu_);
    return last_traceparent_;
  }
  std::optional<absl::Time> last_deadline() const {
    absl::MutexLock lock(&mu_);
    return last_deadline_;
  }

 private:
  mutable absl::Mutex mu_;
  std::map<std::string, ProgressExit> answers_ ABSL_GUARDED_BY(mu_);
  bool down_ ABSL_GUARDED_BY(mu_) = false;
  int calls_ ABSL_GUARDED_BY(mu_) = 0;
  std::string last_traceparent_ ABSL_GUARDED_BY(mu_);
  std::optional<absl::Time> last_deadline_ ABSL_GUARDED_BY(mu_);
};

class FakeEnrollmentClient final : public EnrollmentClient {
 public:
  void Set(const std::string& trainee_id, std::string status,
           absl::CivilDay status_date, Dimensions dims = SampleDimensions()) {
    EnrollmentRecord r;
    r.trainee_id = trainee_id;
    r.cohort_id = dims.cohort_id;
    r.status = std::move(status);
    r.status_date = status_date;
    r.dimensions = std::move(dims);
    absl::MutexLock lock(&mu_);
    answers_[trainee_id] = std::move(r);
  }
  void SetDown(bool down) {
    absl::MutexLock lock(&mu_);
    down_ = down;
  }
  int calls() const {
    absl::MutexLock lock(&mu_);
    return calls_;
  }

  absl::StatusOr<EnrollmentRecord> LookupTrainee(
      const std::string& trainee_id, const command::PeerContext&) override {
    absl::MutexLock lock(&mu_);
    ++calls_;
    if (down_) {
      return absl::UnavailableError(
          "enrollment service unavailable at fake: connection refused");
    }
    auto it = answers_.find(trainee_id);
    if (it == answers_.end()) {
      return absl::NotFoundError(
          absl::StrCat("trainee '", trainee_id, "' not found"));
    }
    return it->second;
  }

 private:
  mutable absl::Mutex mu_;
  std::map<std::string, EnrollmentRecord> answers_ ABSL_GUARDED_BY(mu_);
  bool down_ ABSL_GUARDED_BY(mu_) = false;
  int calls_ ABSL_GUARDED_BY(mu_) = 0;
};

}  // namespace jit::placement::testing

#endif  // JIT_SERVICES_PLACEMENT_DOMAIN_TESTING_FAKE_PEERS_H_
