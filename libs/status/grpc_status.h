// Conversion between absl::Status and grpc::Status at the gRPC boundary.
//
// Codes map one to one (both follow google.rpc.Code). Field violations
// (field_violations.h) travel as google.rpc.Status details in the binary
// `grpc-status-details-bin` trailer, readable by any gRPC client that
// understands the rich error model.
#ifndef JIT_LIBS_STATUS_GRPC_STATUS_H_
#define JIT_LIBS_STATUS_GRPC_STATUS_H_

#include "absl/status/status.h"
#include "grpcpp/support/status.h"

namespace jit::status {

grpc::Status ToGrpcStatus(const absl::Status& status);
absl::Status FromGrpcStatus(const grpc::Status& status);

}  // namespace jit::status

#endif  // JIT_LIBS_STATUS_GRPC_STATUS_H_
