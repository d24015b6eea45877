#include "libs/command/command.h"

#include "absl/strings/str_cat.h"
#include "libs/status/field_violations.h"

namespace jit::command {

absl::Status CheckSameOperation(absl::string_view stored_operation,
                                absl::string_view operation) {
  if (stored_operation == operation) return absl::OkStatus();
  return status::InvalidField(
      "request_id", absl::StrCat("already used for ", stored_operation));
}

absl::Status CheckSameActor(absl::string_view stored_actor_id,
                            const RequestContext& ctx) {
  if (stored_actor_id == ctx.actor_id) return absl::OkStatus();
  return status::InvalidField("request_id", "already used by another caller");
}

absl::Status CheckSamePayload(absl::string_view stored_fingerprint,
                              const RequestContext& ctx) {
  if (ctx.fingerprint.empty() || stored_fingerprint == ctx.fingerprint) {
    return absl::OkStatus();
  }
  return status::InvalidField("request_id",
                              "already used with a different request");
}

absl::Status SnapshotMismatch(absl::string_view request_id,
                              absl::string_view operation) {
  return absl::InternalError(
      absl::StrCat("stored response of request '", request_id,
                   "' does not match operation ", operation));
}

}  // namespace jit::command
