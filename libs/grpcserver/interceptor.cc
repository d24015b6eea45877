#include "libs/grpcserver/interceptor.h"

#include <atomic>
#include <chrono>
#include <string>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "grpcpp/server_context.h"
#include "grpcpp/support/interceptor.h"
#include "libs/log/log.h"
#include "libs/log/trace.h"

namespace jit::grpcserver {
namespace {

using grpc::experimental::InterceptionHookPoints;

metrics::RpcType ToRpcType(grpc::experimental::ServerRpcInfo::Type type) {
  using Type = grpc::experimental::ServerRpcInfo::Type;
  switch (type) {
    case Type::UNARY:
      return metrics::RpcType::kUnary;
    case Type::CLIENT_STREAMING:
      return metrics::RpcType::kClientStream;
    case Type::SERVER_STREAMING:
      return metrics::RpcType::kServerStream;
    case Type::BIDI_STREAMING:
      return metrics::RpcType::kBidiStream;
  }
  return metrics::RpcType::kUnary;
}

class ObservabilityInterceptor final : public grpc::experimental::Interceptor {
 public:
  ObservabilityInterceptor(grpc::experimental::ServerRpcInfo* info,
                           metrics::GrpcServerMetrics* metrics, bool log_calls)
      : info_(info),
        method_(info->method() != nullptr ? info->method() : "unknown"),
        log_calls_(log_calls),
        start_(std::chrono::steady_clock::now()),
        method_metrics_(
            metrics != nullptr
                ? &metrics->ForMethod(method_, ToRpcType(info->type()))
                : nullptr) {}

  ~ObservabilityInterceptor() override {
    // A call torn down without sending a status (e.g. cancelled before the
    // handler finished) still counts as handled.
    if (!finished_.exchange(true)) {
      Record(grpc::Status(grpc::StatusCode::CANCELLED,
                          "call ended without a status"),
             /*with_peer=*/false);  // the context may be gone already
    }
  }

  void Intercept(grpc::experimental::InterceptorBatchMethods* m) override {
    if (m->QueryInterceptionHookPoint(
            InterceptionHookPoints::POST_RECV_INITIAL_METADATA)) {
      OnInitialMetadata(m);
    }
    if (m->QueryInterceptionHookPoint(
            InterceptionHookPoints::POST_RECV_MESSAGE)) {
      if (method_metrics_ != nullptr) method_metrics_->MsgReceived();
      // gRPC hands the hook a null message when the request bytes did not
      // parse; its callback handlers then finish the call themselves with
      // UNIMPLEMENTED and no message (grpcpp server_callback_handlers.h).
      if (m->GetRecvMessage() == nullptr) undecodable_ = true;
      // The handler of a unary or server-streaming call typically runs right
      // after this hook on the same thread.
      log::SetCurrentTraceId(trace_id_);
    }
    if (m->QueryInterceptionHookPoint(
            InterceptionHookPoints::PRE_SEND_MESSAGE)) {
      if (method_metrics_ != nullptr) method_metrics_->MsgSent();
    }
    if (m->QueryInterceptionHookPoint(
            InterceptionHookPoints::PRE_SEND_STATUS)) {
      if (undecodable_ &&
          m->GetSendStatus().error_code() == grpc::StatusCode::UNIMPLEMENTED) {
        m->ModifySendStatus(UndecodableStatus());
        if (method_metrics_ != nullptr) method_metrics_->Undecodable();
      }
      if (!finished_.exchange(true)) {
        Record(m->GetSendStatus(), /*with_peer=*/true);
      }
      // Leave no stale id on a pooled thread.
      log::SetCurrentTraceId("");
    }
    m->Proceed();
  }

 private:
  void OnInitialMetadata(grpc::experimental::InterceptorBatchMethods* m) {
    const auto* metadata = m->GetRecvInitialMetadata();
    if (metadata != nullptr) {
      auto it = metadata->find("traceparent");
      if (it != metadata->end()) {
        trace_id_ = log::TraceIdFromTraceparent(
            absl::string_view(it->second.data(), it->second.size()));
      }
    }
    log::SetCurrentTraceId(trace_id_);
    if (method_metrics_ != nullptr && !started_.exchange(true)) {
      method_metrics_->Started();
    }
  }

  // What the caller gets instead of gRPC's bare UNIMPLEMENTED: the method is
  // there, its request is not well-formed.
  grpc::Status UndecodableStatus() const {
    return grpc::Status(
        grpc::StatusCode::INVALID_ARGUMENT,
        "the request message could not be decoded as the request type of " +
            method_ +
            " (malformed protobuf bytes, or a string field that is not valid "
            "UTF-8)");
  }

  void Record(const grpc::Status& status, bool with_peer) {
    const double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start_)
            .count();
    if (method_metrics_ != nullptr) {
      if (!started_.exchange(true)) method_metrics_->Started();
      method_metrics_->Handled(status.error_code(), seconds);
    }
    if (!log_calls_) return;
    const log::Level level =
        status.ok() ? log::Level::kDebug : log::Level::kWarn;
    if (!log::ShouldLog(level)) return;
    log::Fields fields = {
        {"grpc_method", method_},
        {"grpc_code", absl::StatusCodeToString(
                          static_cast<absl::StatusCode>(status.error_code()))},
        {"latency_ms", seconds * 1000.0},
    };
    if (with_peer && info_->server_context() != nullptr) {
      fields.push_back({"peer", info_->server_context()->peer()});
    }
    if (!status.ok() && !status.error_message().empty()) {
      fields.push_back({"grpc_message", status.error_message()});
    }
    log::TraceScope scope(trace_id_);
    log::Event(level, "grpc call", fields);
  }

  grpc::experimental::ServerRpcInfo* const info_;
  const std::string method_;
  const bool log_calls_;
  const std::chrono::steady_clock::time_point start_;
  metrics::MethodMetrics* const method_metrics_;
  std::string trace_id_;  // written once, before any other hook
  // Set by the receive hook, read by the send-status hook, which gRPC runs
  // after it for the same call.
  std::atomic<bool> undecodable_{false};
  std::atomic<bool> started_{false};
  std::atomic<bool> finished_{false};
};

class ObservabilityInterceptorFactory final
    : public grpc::experimental::ServerInterceptorFactoryInterface {
 public:
  ObservabilityInterceptorFactory(metrics::GrpcServerMetrics* metrics,
                                  bool log_calls)
      : metrics_(metrics), log_calls_(log_calls) {}

  grpc::experimental::Interceptor* CreateServerInterceptor(
      grpc::experimental::ServerRpcInfo* info) override {
    return new ObservabilityInterceptor(info, metrics_, log_calls_);
  }

 private:
  metrics::GrpcServerMetrics* const metrics_;
  const bool log_calls_;
};

}  // namespace

std::unique_ptr<grpc::experimental::ServerInterceptorFactoryInterface>
MakeObservabilityInterceptorFactory(metrics::GrpcServerMetrics* metrics,
                                    bool log_calls) {
  return std::make_unique<ObservabilityInterceptorFactory>(metrics, log_calls);
}

}  // namespace jit::grpcserver
