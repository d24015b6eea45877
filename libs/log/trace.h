// The current trace id of a thread, for log lines and outgoing headers.
//
// A trace id is the W3C Trace Context trace-id: 32 lowercase hex digits, not
// all zero. It arrives in a `traceparent` header (gRPC metadata, Kafka
// record header) and is made current for a piece of work with a TraceScope:
//
//   jit::log::TraceScope scope(jit::log::TraceIdFromTraceparent(header));
//   jit::log::Info("applied");   // line carries "trace_id"
//
// Scopes nest and restore the previous id when they end. The id is per
// thread: work handed to another thread must open its own scope there.
#ifndef JIT_LIBS_LOG_TRACE_H_
#define JIT_LIBS_LOG_TRACE_H_

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace jit::log {

// True for 32 lowercase hex digits, not all zero.
bool IsValidTraceId(absl::string_view trace_id);

// The fields of a W3C `traceparent` header
// ("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01").
struct Traceparent {
  std::string version;    // 2 lowercase hex digits, not "ff"
  std::string trace_id;   // 32 lowercase hex digits, not all zero
  std::string parent_id;  // 16 lowercase hex digits, not all zero
  std::string flags;      // 2 lowercase hex digits
};

// The one traceparent parser of the project (gRPC metadata, Kafka headers,
// outgoing events all go through it). Version 00 is exactly 55 characters;
// later versions may append "-...". INVALID_ARGUMENT otherwise, with a
// message saying which part is wrong ("trace id ... must be 32 lowercase hex
// digits, not all zero").
absl::StatusOr<Traceparent> ParseTraceparent(absl::string_view traceparent);

// True when ParseTraceparent accepts `traceparent`.
bool IsValidTraceparent(absl::string_view traceparent);

// The trace-id of a W3C `traceparent` header, or "" when the header is
// missing or malformed (per the spec, a bad header is ignored).
std::string TraceIdFromTraceparent(absl::string_view traceparent);

// A fresh random trace id.
std::string NewTraceId();

// A `traceparent` header value for `trace_id` with a fresh random parent id
// and the sampled flag, for outgoing calls and events. "" if the id is
// invalid.
std::string MakeTraceparent(absl::string_view trace_id);

// The calling thread's current trace id, or "" outside any scope. The view is
// valid until the thread's current id changes.
absl::string_view CurrentTraceId();

// Replaces this thread's current trace id without restoring it later, for
// framework hooks that cannot hold a scope across a call (the gRPC server
// interceptor). An invalid id clears it. Prefer TraceScope everywhere else.
void SetCurrentTraceId(absl::string_view trace_id);

// Makes `trace_id` current on this thread for the scope's lifetime. An empty
// or invalid id makes "no trace id" current (lines omit the field). Must be
// destroyed on the thread that created it.
class TraceScope {
 public:
  explicit TraceScope(absl::string_view trace_id);
  ~TraceScope();
  TraceScope(const TraceScope&) = delete;
  TraceScope& operator=(const TraceScope&) = delete;

 private:
  char previous_[32];
  bool had_previous_;
};

}  // namespace jit::log

#endif  // JIT_LIBS_LOG_TRACE_H_
