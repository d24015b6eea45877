// The server interceptor GrpcServer installs: one JSON log line per call and
// GrpcServerMetrics. Exposed for servers built without GrpcServer.
#ifndef JIT_LIBS_GRPCSERVER_INTERCEPTOR_H_
#define JIT_LIBS_GRPCSERVER_INTERCEPTOR_H_

#include <memory>

#include "grpcpp/support/server_interceptor.h"
#include "libs/metrics/grpc_server_metrics.h"

namespace jit::grpcserver {

// `metrics` (not owned, may be null) must outlive the server. With
// `log_calls`, each finished call logs at debug (OK) or warn (any error):
//   {"msg":"grpc call","grpc_method":"/pkg.Svc/M","grpc_code":"NOT_FOUND",
//    "latency_ms":1.25,"peer":"ipv4:127.0.0.1:5000","grpc_message":"..."}
// with the call's trace id (from `traceparent`) as "trace_id". While the
// call's hooks run, and on the handler thread when gRPC runs the handler on
// the thread that received the request (sync and unary callback handlers),
// the trace id is also current for jit::log.
std::unique_ptr<grpc::experimental::ServerInterceptorFactoryInterface>
MakeObservabilityInterceptorFactory(metrics::GrpcServerMetrics* metrics,
                                    bool log_calls);

}  // namespace jit::grpcserver

#endif  // JIT_LIBS_GRPCSERVER_INTERCEPTOR_H_
