#include "libs/clock/clock.h"

namespace jit {

const SystemClock& SystemClock::Get() {
  static const SystemClock* const kClock = new SystemClock();
  return *kClock;
}

}  // namespace jit
