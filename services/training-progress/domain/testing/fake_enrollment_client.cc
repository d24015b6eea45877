#include "services/training-progress/domain/testing/fake_enrollment_client.h"

#include "absl/strings/str_cat.h"

namespace jit::progress::testing {

void FakeEnrollmentClient::Set(const TraineeEnrolment& enrolment) {
  absl::MutexLock lock(&mu_);
  enrolments_[{enrolment.trainee_id, enrolment.cohort_id}] = enrolment;
}

void FakeEnrollmentClient::SetStatus(const std::string& trainee_id,
                                     const std::string& cohort_id,
                                     EnrolmentStatus status,
                                     absl::Time status_time) {
  absl::MutexLock lock(&mu_);
  auto it = enrolments_.find({trainee_id, cohort_id});
  if (it == enrolments_.end()) return;
  it->second.status = status;
  it->second.status_time = status_time;
}

void FakeEnrollmentClient::SetDown(bool down) {
  absl::MutexLock lock(&mu_);
  down_ = down;
}

int FakeEnrollmentClient::lookups() const {
  absl::MutexLock lock(&mu_);
  return lookups_;
}

command::PeerContext FakeEnrollmentClient::last_peer() const {
  absl::MutexLock lock(&mu_);
  return last_peer_;
}

absl::StatusOr<TraineeEnrolment> FakeEnrollmentClient::Lookup(
    const std::string& trainee_id, const std::string& cohort_id,
    const command::PeerContext& peer) {
  absl::MutexLock lock(&mu_);
  ++lookups_;
  last_peer_ = peer;
  if (down_) {
    return absl::UnavailableError(
        "enrollment service unavailable: connection refused (fake)");
  }
  auto it = enrolments_.find({trainee_id, cohort_id});
  if (it == enrolments_.end()) {
    return absl::NotFoundError(absl::StrCat("trainee '", trainee_id,
                                            "' has no application to cohort '",
                                            cohort_id, "'"));
  }
  return it->second;
}

}  // namespace jit::progress::testing
