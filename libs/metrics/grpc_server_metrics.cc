#include "libs/metrics/grpc_server_metrics.h"

#include <string>
#include <utility>

#include "prometheus/counter.h"
#include "prometheus/histogram.h"

namespace jit::metrics {
namespace {

absl::string_view TypeName(RpcType type) {
  switch (type) {
    case RpcType::kUnary:
      return "unary";
    case RpcType::kClientStream:
      return "client_stream";
    case RpcType::kServerStream:
      return "server_stream";
    case RpcType::kBidiStream:
      return "bidi_stream";
  }
  return "unary";
}

}  // namespace

absl::string_view GoCodeName(grpc::StatusCode code) {
  // google.golang.org/grpc/codes Code.String().
  static constexpr absl::string_view kNames[] = {"OK",
                                                 "Canceled",
                                                 "Unknown",
                                                 "InvalidArgument",
                                                 "DeadlineExceeded",
                                                 "NotFound",
                                                 "AlreadyExists",
                                                 "PermissionDenied",
                                                 "ResourceExhausted",
                                                 "FailedPrecondition",
                                                 "Aborted",
                                                 "OutOfRange",
                                                 "Unimplemented",
                                                 "Internal",
                                                 "Unavailable",
                                                 "DataLoss",
                                                 "Unauthenticated"};
  const int i = static_cast<int>(code);
  if (i < 0 || i >= static_cast<int>(std::size(kNames))) return "Unknown";
  return kNames[i];
}

const prometheus::Histogram::BucketBoundaries& HandlingSecondsBuckets() {
  static const auto* const kBuckets =
      new prometheus::Histogram::BucketBoundaries{
          0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05,
          0.1,    0.25,  0.5,    1,     2.5,  5,     10};
  return *kBuckets;
}

void MethodMetrics::Handled(grpc::StatusCode code, double seconds) {
  int i = static_cast<int>(code);
  if (i < 0 || i >= kNumCodes) i = static_cast<int>(grpc::StatusCode::UNKNOWN);
  prometheus::Counter* counter = handled_[i].load(std::memory_order_acquire);
  if (counter == nullptr) {
    // Family::Add returns the existing series for equal labels, so a race
    // here stores the same pointer twice.
    prometheus::Labels labels = labels_;
    labels["grpc_code"] =
        std::string(GoCodeName(static_cast<grpc::StatusCode>(i)));
    counter = &handled_family_->Add(labels);
    handled_[i].store(counter, std::memory_order_release);
  }
  counter->Increment();
  handling_->Observe(seconds);
}

GrpcServerMetrics::GrpcServerMetrics(prometheus::Registry& registry)
    : started_(prometheus::BuildCounter()
                   .Name("grpc_server_started_total")
                   .Help("Total number of RPCs started on the server.")
                   .Register(registry)),
      handled_(prometheus::BuildCounter()
                   .Name("grpc_server_handled_total")
                   .Help("Total number of RPCs completed on the server, "
                         "regardless of success or failure.")
                   .Register(registry)),
      msg_received_(prometheus::BuildCounter()
                        .Name("grpc_server_msg_received_total")
                        .Help("Total number of RPC stream messages received "
                              "on the server.")
                        .Register(registry)),
      msg_sent_(prometheus::BuildCounter()
                    .Name("grpc_server_msg_sent_total")
                    .Help("Total number of gRPC stream messages sent by the "
                          "server.")
                    .Register(registry)),
      undecodable_(prometheus::BuildCounter()
                       .Name("grpc_server_undecodable_requests_total")
                       .Help("Request messages the server could not decode "
                             "(answered INVALID_ARGUMENT).")
                       .Register(registry)),
      handling_(prometheus::BuildHistogram()
                    .Name("grpc_server_handling_seconds")
                    .Help("Histogram of response latency (seconds) of gRPC "
                          "that had been application-level handled by the "
                          "server.")
                    .Register(registry)) {}

MethodMetrics& GrpcServerMetrics::ForMethod(absl::string_view full_method,
                                            RpcType type) {
  absl::MutexLock lock(&mu_);
  auto it = methods_.find(full_method);
  if (it != methods_.end()) return *it->second;

  // "/package.Service/Method" -> ("package.Service", "Method").
  absl::string_view service = "unknown";
  absl::string_view method = full_method;
  if (full_method.size() > 1 && full_method[0] == '/') {
    const size_t slash = full_method.find('/', 1);
    if (slash != absl::string_view::npos) {
      service = full_method.substr(1, slash - 1);
      method = full_method.substr(slash + 1);
    }
  }
  auto m = std::make_unique<MethodMetrics>();
  m->labels_ = {{"grpc_type", std::string(TypeName(type))},
                {"grpc_service", std::string(service)},
                {"grpc_method", std::string(method)}};
  m->handled_family_ = &handled_;
  m->started_ = &started_.Add(m->labels_);
  m->msg_received_ = &msg_received_.Add(m->labels_);
  m->msg_sent_ = &msg_sent_.Add(m->labels_);
  m->undecodable_ = &undecodable_.Add(m->labels_);
  m->handling_ = &handling_.Add(m->labels_, HandlingSecondsBuckets());
  MethodMetrics& ref = *m;
  methods_.emplace(std::string(full_method), std::move(m));
  return ref;
}

}  // namespace jit::metrics
