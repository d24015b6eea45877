// A Sleeper for tests: records each pause instead of waiting. Thread-safe.
#ifndef JIT_LIBS_GRPCCLIENT_TESTING_RECORDING_SLEEPER_H_
#define JIT_LIBS_GRPCCLIENT_TESTING_RECORDING_SLEEPER_H_

#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "libs/grpcclient/call.h"

namespace jit::grpcclient {

class RecordingSleeper final : public Sleeper {
 public:
  void Sleep(absl::Duration duration) override {
    absl::MutexLock lock(&mu_);
    pauses_.push_back(duration);
  }

  std::vector<absl::Duration> pauses() const {
    absl::MutexLock lock(&mu_);
    return pauses_;
  }

  void Clear() {
    absl::MutexLock lock(&mu_);
    pauses_.clear();
  }

 private:
  mutable absl::Mutex mu_;
  std::vector<absl::Duration> pauses_ ABSL_GUARDED_BY(mu_);
};

}  // namespace jit::grpcclient

#endif  // JIT_LIBS_GRPCCLIENT_TESTING_RECORDING_SLEEPER_H_
