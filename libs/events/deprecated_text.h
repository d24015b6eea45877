// Free text that must no longer be published: the deprecated `reason` string
// fields of the event bodies (staff notes; replaced by reason codes, see
// proto/jobintech/common/v1/reasons.proto). New events never fill them; this
// clears them from events written before, still waiting (or retained for a
// republish) in a service's outbox.
//
//   // In the service's schema migration that introduced the codes:
//   absl::StrCat(kMySchemaV4Sql, outbox::kDeprecatedTextRewriteMarkerSql)
//   // After every Open, before the relay starts (a no-op once done;
//   // bootstrap::WriteServiceRuntime::Attach does it):
//   RETURN_IF_ERROR(events::RunPendingOutboxRewrite(*db).status());
#ifndef JIT_LIBS_EVENTS_DEPRECATED_TEXT_H_
#define JIT_LIBS_EVENTS_DEPRECATED_TEXT_H_

#include <cstdint>
#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "libs/outbox/outbox.h"
#include "libs/storage/database.h"

namespace jit::events {

// A serialized LifecycleEvent without the text of its body's deprecated
// string fields; nullopt when it has none (or is not a LifecycleEvent: the
// outbox only holds what the service encoded, so nothing is lost by leaving
// such bytes alone).
absl::StatusOr<std::optional<std::string>> WithoutDeprecatedText(
    absl::string_view payload);

// SQL for a service migration: marks the outbox rewrite as pending (defined
// in libs/outbox so that storage can write it without events code).
inline constexpr const char* kOutboxRewriteMarkerSql =
    outbox::kDeprecatedTextRewriteMarkerSql;

// When the marker is there: clears the deprecated text of every outbox row
// and removes the marker, in one transaction. Returns the rows rewritten (0
// when nothing was pending).
absl::StatusOr<int64_t> RunPendingOutboxRewrite(storage::Database& db);

}  // namespace jit::events

#endif  // JIT_LIBS_EVENTS_DEPRECATED_TEXT_H_
