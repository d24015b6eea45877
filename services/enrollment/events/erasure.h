// Erasure of the free text carried by enrollment events already written to
// the outbox: the staff's reasons on rejections, declines and withdrawals
// (ApplicationTransition.reason), which may name a person. Events written
// since reason codes replaced the free text carry none; older rows may,
// until the relay has pruned them (see the README's erasure runbook).
//
// Pure function; thread-safe.
#ifndef JIT_SERVICES_ENROLLMENT_EVENTS_ERASURE_H_
#define JIT_SERVICES_ENROLLMENT_EVENTS_ERASURE_H_

#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace jit::enrollment {

// `payload` (a serialized jobintech.events.v1.LifecycleEvent) without the
// free text of its body (every non-empty string field named "reason" of the
// body message is cleared; everything else, unknown fields included, is
// kept), or nullopt when there was none. DATA_LOSS for bytes that do not
// parse.
absl::StatusOr<std::optional<std::string>> StripEventNotes(
    absl::string_view payload);

}  // namespace jit::enrollment

#endif  // JIT_SERVICES_ENROLLMENT_EVENTS_ERASURE_H_
