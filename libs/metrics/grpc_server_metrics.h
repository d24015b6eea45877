// Prometheus metrics of a gRPC server, named as go-grpc-prometheus names them
// so that the usual dashboards and alerts work unchanged:
//
//   grpc_server_started_total{grpc_type,grpc_service,grpc_method}
//   grpc_server_handled_total{grpc_type,grpc_service,grpc_method,grpc_code}
//   grpc_server_msg_received_total{grpc_type,grpc_service,grpc_method}
//   grpc_server_msg_sent_total{grpc_type,grpc_service,grpc_method}
//   grpc_server_handling_seconds{grpc_type,grpc_service,grpc_method}
//   (histogram)
//   grpc_server_undecodable_requests_total{grpc_type,grpc_service,grpc_method}
//   (request messages that did not parse, e.g. invalid UTF-8 in a string
//   field; ours, not go-grpc-prometheus')
//
// grpc_code uses Go's spelling ("OK", "InvalidArgument", "ResourceExhausted",
// ...), grpc_type is "unary", "client_stream", "server_stream" or
// "bidi_stream". The gRPC server's interceptor (libs/grpcserver) feeds it;
// services do not call it.
//
// Thread safety: all methods are thread-safe. MethodMetrics references stay
// valid for the lifetime of the GrpcServerMetrics.
#ifndef JIT_LIBS_METRICS_GRPC_SERVER_METRICS_H_
#define JIT_LIBS_METRICS_GRPC_SERVER_METRICS_H_

#include <array>
#include <atomic>
#include <memory>
#include <string>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "grpcpp/support/status_code_enum.h"
#include "prometheus/counter.h"
#include "prometheus/family.h"
#include "prometheus/histogram.h"
#include "prometheus/labels.h"
#include "prometheus/registry.h"

namespace jit::metrics {

enum class RpcType { kUnary, kClientStream, kServerStream, kBidiStream };

// Go's name for a gRPC status code ("OK", "Canceled", "InvalidArgument"...).
absl::string_view GoCodeName(grpc::StatusCode code);

// Histogram buckets of grpc_server_handling_seconds: 0.5 ms .. 10 s.
const prometheus::Histogram::BucketBoundaries& HandlingSecondsBuckets();

// The series of one method. Obtained from GrpcServerMetrics::ForMethod.
class MethodMetrics {
 public:
  void Started() { started_->Increment(); }
  void MsgReceived() { msg_received_->Increment(); }
  void MsgSent() { msg_sent_->Increment(); }
  void Undecodable() { undecodable_->Increment(); }
  // Counts the call as handled with `code` and records its latency.
  void Handled(grpc::StatusCode code, double seconds);

 private:
  friend class GrpcServerMetrics;
  static constexpr int kNumCodes = 17;

  prometheus::Family<prometheus::Counter>* handled_family_ = nullptr;
  prometheus::Labels labels_;
  prometheus::Counter* started_ = nullptr;
  prometheus::Counter* msg_received_ = nullptr;
  prometheus::Counter* msg_sent_ = nullptr;
  prometheus::Counter* undecodable_ = nullptr;
  prometheus::Histogram* handling_ = nullptr;
  // Created on first use so that /metrics lists only codes that occurred.
  std::array<std::atomic<prometheus::Counter*>, kNumCodes> handled_{};
};

class GrpcServerMetrics {
 public:
  // Registers the families in `registry`, which must outlive this object.
  explicit GrpcServerMetrics(prometheus::Registry& registry);
  GrpcServerMetrics(const GrpcServerMetrics&) = delete;
  GrpcServerMetrics& operator=(const GrpcServerMetrics&) = delete;

  // The series for `full_method` ("/jobintech.enrollment.v1.Enrollment/Apply"),
  // created on first use.
  MethodMetrics& ForMethod(absl::string_view full_method, RpcType type);

 private:
  prometheus::Family<prometheus::Counter>& started_;
  prometheus::Family<prometheus::Counter>& handled_;
  prometheus::Family<prometheus::Counter>& msg_received_;
  prometheus::Family<prometheus::Counter>& msg_sent_;
  prometheus::Family<prometheus::Counter>& undecodable_;
  prometheus::Family<prometheus::Histogram>& handling_;

  absl::Mutex mu_;
  absl::flat_hash_map<std::string, std::unique_ptr<MethodMetrics>> methods_
      ABSL_GUARDED_BY(mu_);
};

}  // namespace jit::metrics

#endif  // JIT_LIBS_METRICS_GRPC_SERVER_METRICS_H_
