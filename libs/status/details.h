// More of what a status may carry besides its code and message, written once
// for every layer (no gRPC here; grpc_status.h puts them on the wire):
//
// - A retry hint: WithRetryDelay(status, 250ms) adds a google.rpc.RetryInfo
//   payload; ToGrpcStatus sends it in the google.rpc.Status details, where
//   any client that reads the rich error model finds it.
//
// - Withheld text: Withhold(status, "/var/lib/jit/enrollment.db") marks text
//   that must never reach a client (file paths, server layout). The message
//   keeps it, so the server's own logs and tests see the whole story;
//   ClientMessage() (and so ToGrpcStatus) replaces every withheld text with
//   "[withheld]". The marks ride as a payload, which payload-preserving
//   wrappers (storage's Prefixed) keep.
//
//   absl::Status s = Withhold(absl::InternalError(StrCat(path, ": COMMIT: I/O
//   error")), path);
//   ClientMessage(s) == "[withheld]: COMMIT: I/O error"
#ifndef JIT_LIBS_STATUS_DETAILS_H_
#define JIT_LIBS_STATUS_DETAILS_H_

#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"

namespace jit::status {

// Type URL of the retry hint, as in google.rpc.Status details.
inline constexpr char kRetryInfoTypeUrl[] =
    "type.googleapis.com/google.rpc.RetryInfo";
// Type URL of the withheld texts (ours; never sent).
inline constexpr char kWithheldTypeUrl[] =
    "type.jobintech.ma/jit.status.Withheld";
// What replaces a withheld text in a client-visible message.
inline constexpr char kWithheldPlaceholder[] = "[withheld]";

// `status` with a google.rpc.RetryInfo payload of `delay` (negative counts as
// zero). OK stays OK.
absl::Status WithRetryDelay(absl::Status status, absl::Duration delay);
// The retry hint `status` carries, if any.
std::optional<absl::Duration> RetryDelayOf(const absl::Status& status);

// `status` with `text` marked as never to leave the server (empty text and OK
// statuses are returned unchanged). Marks add up.
absl::Status Withhold(absl::Status status, absl::string_view text);
// The texts `status` withholds.
std::vector<std::string> WithheldOf(const absl::Status& status);
// The message with every withheld text replaced by kWithheldPlaceholder.
std::string ClientMessage(const absl::Status& status);

}  // namespace jit::status

#endif  // JIT_LIBS_STATUS_DETAILS_H_
