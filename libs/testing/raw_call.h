// One unary gRPC call with a serialized request, for tests that call every
// method of a service by name (authorization matrices) or a method no stub
// has: the request bytes go out as they are, the response bytes come back.
#ifndef JIT_LIBS_TESTING_RAW_CALL_H_
#define JIT_LIBS_TESTING_RAW_CALL_H_

#include <memory>
#include <string>

#include "absl/time/time.h"
#include "grpcpp/channel.h"
#include "grpcpp/support/status.h"

namespace jit::testing {

// Calls `method` ("/package.Service/Method") with `request` bytes within
// `deadline`; on OK, `response` (when not null) receives the response bytes.
// A server-streaming method may be called too: the call ends at the deadline.
grpc::Status RawUnaryCall(const std::shared_ptr<grpc::Channel>& channel, const std::string& method,
                          const std::string& request, absl::Duration deadline,
                          std::string* response = nullptr);

}  // namespace jit::testing

#endif  // JIT_LIBS_TESTING_RAW_CALL_H_
