// An injectable clock. Production code takes a `const Clock&` (or pointer) in its
// constructor; tests pass a FakeClock and move time explicitly instead of sleeping.
//
// Thread safety: all implementations are safe to call from any thread.
#ifndef JIT_LIBS_CLOCK_CLOCK_H_
#define JIT_LIBS_CLOCK_CLOCK_H_

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"

namespace jit {

class Clock {
 public:
  virtual ~Clock() = default;
  virtual absl::Time Now() const = 0;
};

// Wall-clock time.
class SystemClock final : public Clock {
 public:
  absl::Time Now() const override { return absl::Now(); }
  // A process-wide instance, for wiring in main().
  static const SystemClock& Get();
};

// A clock that only moves when told to.
class FakeClock final : public Clock {
 public:
  explicit FakeClock(absl::Time start = absl::FromUnixSeconds(1'760'486'400))
      : now_(start) {}  // default: 2025-10-15 00:00:00 UTC
  absl::Time Now() const override {
    absl::MutexLock lock(&mu_);
    return now_;
  }
  void Set(absl::Time t) {
    absl::MutexLock lock(&mu_);
    now_ = t;
  }
  void Advance(absl::Duration d) {
    absl::MutexLock lock(&mu_);
    now_ += d;
  }

 private:
  mutable absl::Mutex mu_;
  absl::Time now_ ABSL_GUARDED_BY(mu_);
};

}  // namespace jit

#endif  // JIT_LIBS_CLOCK_CLOCK_H_
