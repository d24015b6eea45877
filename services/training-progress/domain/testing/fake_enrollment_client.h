// A scripted EnrollmentClient for tests: enrolments are set by the test;
// an unknown (trainee, cohort) is NOT_FOUND; SetDown() makes every lookup
// fail with UNAVAILABLE as the real client does when the enrollment service
// is down. Counts lookups.
//
// Thread-safe.
#ifndef JIT_SERVICES_TRAINING_PROGRESS_DOMAIN_TESTING_FAKE_ENROLLMENT_CLIENT_H_
#define JIT_SERVICES_TRAINING_PROGRESS_DOMAIN_TESTING_FAKE_ENROLLMENT_CLIENT_H_

#include <map>
#include <string>
#include <utility>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "services/training-progress/domain/enrollment_client.h"
#include "services/training-progress/domain/model.h"

namespace jit::progress::testing {

class FakeEnrollmentClient final : public EnrollmentClient {
 public:
  // Adds or replaces the enrolment of (trainee_id, cohort_id).
  void Set(const TraineeEnrolment& enrolment);
  // Changes the status (and status time) of a known enrolment.
  void SetStatus(const std::string& trainee_id, const std::string& cohort_id,
                 EnrolmentStatus status, absl::Time status_time);
  // While down, every lookup fails with UNAVAILABLE.
  void SetDown(bool down);
  int lookups() const;
  // What the last lookup inherited from its caller.
  command::PeerContext last_peer() const;

  absl::StatusOr<TraineeEnrolment> Lookup(
      const std::string& trainee_id, const std::string& cohort_id,
      const command::PeerContext& peer) override;

 private:
  mutable absl::Mutex mu_;
  std::map<std::pair<std::string, std::string>, TraineeEnrolment> enrolments_
      ABSL_GUARDED_BY(mu_);
  bool down_ ABSL_GUARDED_BY(mu_) = false;
  int lookups_ ABSL_GUARDED_BY(mu_) = 0;
  command::PeerContext last_peer_ ABSL_GUARDED_BY(mu_);
};

}  // namespace jit::progress::testing

#endif  // JIT_SERVICES_TRAINING_PROGRESS_DOMAIN_TESTING_FAKE_ENROLLMENT_CLIENT_H_
