// What the audit log records of one gRPC call, and the interface the server
// interceptor (interceptor.h) hands it to. Free of storage types: the
// interceptor (linked into every server by libs/grpcserver) depends on this
// only; AuditLog (audit_log.h) is the implementation that stores it.
//
// Thread safety: AuditSink::Record is called concurrently from gRPC threads;
// implementations must be thread-safe and must not block for long.
#ifndef JIT_LIBS_AUDIT_RECORDER_H_
#define JIT_LIBS_AUDIT_RECORDER_H_

#include <string>
#include <vector>

#include "absl/time/time.h"

namespace jit::audit {

struct AuditEntry {
  // When the call ended; InfinitePast: stamped by the sink's clock.
  absl::Time time = absl::InfinitePast();
  std::string subject = {};             // a token's subject, "service:<name>", "anonymous"
  std::vector<std::string> roles = {};  // people's roles
  std::string peer_service = {};        // SPIFFE service name of a client certificate
  std::string peer = {};                // transport peer
  std::string method = {};              // "/pkg.Service/Method"
  std::vector<std::string> target_ids = {};
  std::string outcome = {};  // gRPC code name: "OK", "NOT_FOUND", ...
  std::string request_id = {};
  std::string trace_id = {};
  // Why it is recorded (at least one is true).
  bool mutation = false;
  bool personal_data = false;
  bool denial = false;

  friend bool operator==(const AuditEntry&, const AuditEntry&) = default;
};

class AuditSink {
 public:
  virtual ~AuditSink() = default;
  // Takes the entry for storage; never fails the call (a sink that cannot
  // keep up counts and logs what it loses).
  virtual void Record(AuditEntry entry) = 0;
};

}  // namespace jit::audit

#endif  // JIT_LIBS_AUDIT_RECORDER_H_
