#include "libs/events/deprecated_text.h"

#include <string>
#include <vector>

#include "google/protobuf/descriptor.h"
#include "google/protobuf/descriptor.pb.h"
#include "google/protobuf/message.h"
#include "jobintech/events/v1/lifecycle_event.pb.h"
#include "libs/outbox/outbox.h"
#include "libs/status/status_macros.h"
#include "libs/storage/statement.h"

namespace jit::events {
namespace {

// Clears the non-empty deprecated string fields of `m`; true if any.
bool ClearDeprecatedStrings(google::protobuf::Message& m) {
  const google::protobuf::Reflection* r = m.GetReflection();
  const google::protobuf::Descriptor* d = m.GetDescriptor();
  bool changed = false;
  for (int i = 0; i < d->field_count(); ++i) {
    const google::protobuf::FieldDescriptor* f = d->field(i);
    if (f->options().deprecated() && !f->is_repeated() &&
        f->type() == google::protobuf::FieldDescriptor::TYPE_STRING &&
        r->HasField(m, f)) {
      r->ClearField(&m, f);
      changed = true;
    }
  }
  return changed;
}

}  // namespace

absl::StatusOr<std::optional<std::string>> WithoutDeprecatedText(
    absl::string_view payload) {
  ::jobintech::events::v1::LifecycleEvent event;
  if (!event.ParseFromArray(payload.data(), static_cast<int>(payload.size()))) {
    return std::optional<std::string>();
  }
  const google::protobuf::Reflection* r = event.GetReflection();
  std::vector<const google::protobuf::FieldDescriptor*> set;
  r->ListFields(event, &set);
  bool changed = false;
  for (const google::protobuf::FieldDescriptor* f : set) {
    if (f->containing_oneof() == nullptr ||
        f->type() != google::protobuf::FieldDescriptor::TYPE_MESSAGE) {
      continue;
    }
    changed |= ClearDeprecatedStrings(*r->MutableMessage(&event, f));
  }
  if (!changed) return std::optional<std::string>();
  return std::optional<std::string>(event.SerializeAsString());
}

absl::StatusOr<int64_t> RunPendingOutboxRewrite(storage::Database& db) {
  int64_t rewritten = 0;
  RETURN_IF_ERROR(db.Transaction(
      storage::TxMode::kImmediate, [&](storage::Tx& tx) -> absl::Status {
        ASSIGN_OR_RETURN(
            storage::Statement exists,
            tx.Prepare(
                "SELECT count(*) FROM sqlite_schema WHERE type = 'table' "
                "AND name = 'outbox_rewrites'"));
        ASSIGN_OR_RETURN(bool row, exists.Step());
        if (!row || exists.ColumnInt64(0) == 0) return absl::OkStatus();
        ASSIGN_OR_RETURN(storage::Statement done,
                         tx.Prepare("DELETE FROM outbox_rewrites "
                                    "WHERE name = 'deprecated-text'"));
        RETURN_IF_ERROR(done.Run());
        if (tx.Changes() == 0) return absl::OkStatus();
        ASSIGN_OR_RETURN(rewritten,
                         outbox::RewritePayloads(tx, &WithoutDeprecatedText));
        return absl::OkStatus();
      }));
  return rewritten;
}

}  // namespace jit::events
