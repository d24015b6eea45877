// Free text that must no longer be published: the deprecated `reason` string
// fields of the event bodies (staff notes; replaced by reason codes, see
// proto/jobintech/common/v1/reasons.proto). New events never fill them; this
// clears them from events written before, still waiting (or retained for a
// republish) in a service's outbox.
//
//   // In the service's schema migration that introduced the codes:
//   absl::StrCat(kMySchemaV4Sql, events::kOutboxRewriteMarkerSql)
//   // After every Open (a no-op once done):
//   RETURN_IF_ERROR(events::RunPendingOutboxRewrite(*db).status());
#ifndef JIT_LIBS_EVENTS_DEPRECATED_TEXT_H_
#define JIT_LIBS_EVENTS_DEPRECATED_TEXT_H_

#include <cstdint>
#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "libs/storage/database.h"

namespace jit::events {

// A serialized LifecycleEvent without the text of its body's deprecated
// string fields; nullopt when it has none (or is not a LifecycleEvent: the
// outbox only holds what the service encoded, so nothing is lost by leaving
// such bytes alone).
absl::StatusOr<std::optional<std::string>> WithoutDeprecatedText(
    absl::string_view payload);

// SQL for a service migration: marks the outbox rewrite as pending.
inline constexpr char kOutboxRewriteMarkerSql[] = R"sql(
CREATE TABLE IF NOT EXISTS outbox_rewrites (name TEXT PRIMARY KEY);
INSERT OR IGNORE INTO outbox_rewrites (name) VALUES ('deprecated-text');
)sql";

// When the marker is there: clears the deprecated text of every outbox row
// and removes the marker, in one transaction. Returns the rows rewritten (0
// when nothing was pending).
absl::StatusOr<int64_t> RunPendingOutboxRewrite(storage::Database& db);

}  // namespace jit::events

#endif  // JIT_LIBS_EVENTS_DEPRECATED_TEXT_H_
