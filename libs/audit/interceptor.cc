#include "libs/audit/interceptor.h"

#include <string>
#include <utility>

#include "absl/status/status.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "google/protobuf/descriptor.h"
#include "google/protobuf/message.h"
#include "grpcpp/server_context.h"
#include "grpcpp/support/interceptor.h"
#include "libs/access/interceptor.h"
#include "libs/auth/principal.h"
#include "libs/log/trace.h"
#include "libs/tls/tls.h"

namespace jit::audit {
namespace {

using grpc::experimental::InterceptionHookPoints;

constexpr absl::string_view kContractPackage = "jobintech.";

// The request type of "/pkg.Service/Method" in the generated pool, for the
// suite's own contracts only (nullptr otherwise).
const google::protobuf::Descriptor* RequestTypeOf(absl::string_view method) {
  if (!absl::StartsWith(method, "/")) return nullptr;
  method.remove_prefix(1);
  if (!absl::StartsWith(method, kContractPackage)) return nullptr;
  const size_t slash = method.find('/');
  if (slash == absl::string_view::npos) return nullptr;
  const std::string full = absl::StrCat(method.substr(0, slash), ".", method.substr(slash + 1));
  const google::protobuf::MethodDescriptor* m =
      google::protobuf::DescriptorPool::generated_pool()->FindMethodByName(full);
  return m != nullptr ? m->input_type() : nullptr;
}

bool IsSingularString(const google::protobuf::FieldDescriptor* f) {
  return f != nullptr && !f->is_repeated() &&
         f->cpp_type() == google::protobuf::FieldDescriptor::CPPTYPE_STRING;
}

class AuditInterceptor final : public grpc::experimental::Interceptor {
 public:
  AuditInterceptor(grpc::experimental::ServerRpcInfo* info, AuditSink* sink)
      : info_(info),
        sink_(sink),
        request_type_(RequestTypeOf(info->method() != nullptr ? info->method() : "")) {
    entry_.method = info->method() != nullptr ? info->method() : "";
    entry_.mutation =
        request_type_ != nullptr && IsSingularString(request_type_->FindFieldByName("request_id"));
  }

  ~AuditInterceptor() override {
    // Torn down without a status (cancelled): still recorded when it was
    // audited; the server context may be gone, so only what was captured.
    if (!finished_ && identified_) {
      Finish(entry_.denial ? entry_.outcome : "CANCELLED");
    }
  }

  void Intercept(grpc::experimental::InterceptorBatchMethods* m) override {
    if (m->QueryInterceptionHookPoint(InterceptionHookPoints::POST_RECV_INITIAL_METADATA)) {
      OnInitialMetadata(m);
    }
    if (m->QueryInterceptionHookPoint(InterceptionHookPoints::POST_RECV_MESSAGE)) {
      // The access decision is made at POST_RECV_INITIAL_METADATA by the
      // access interceptor, which runs after this one in the list, hence
      // before it on the receive side (gRPC runs receive hooks in reverse).
      Identify();
      ReadRequest(m->GetRecvMessage());
    }
    if (m->QueryInterceptionHookPoint(InterceptionHookPoints::PRE_SEND_STATUS)) {
      Identify();
      if (!finished_) {
        Finish(std::string(absl::StatusCodeToString(
            static_cast<absl::StatusCode>(m->GetSendStatus().error_code()))));
      }
    }
    m->Proceed();
  }

 private:
  void OnInitialMetadata(grpc::experimental::InterceptorBatchMethods* m) {
    grpc::ServerContextBase* context = info_->server_context();
    entry_.peer = context->peer();
    if (auto peer = tls::PeerServiceOf(*context->auth_context()); peer.has_value()) {
      entry_.peer_service = peer->service;
    }
    const auto* metadata = m->GetRecvInitialMetadata();
    if (metadata == nullptr) return;
    auto it = metadata->find("traceparent");
    if (it != metadata->end()) {
      entry_.trace_id =
          log::TraceIdFromTraceparent(absl::string_view(it->second.data(), it->second.size()));
    }
  }

  // Who called, from the access decision (once).
  void Identify() {
    if (identified_) return;
    const grpc::ServerContextBase& context = *info_->server_context();
    if (const access::MethodPolicy* policy = access::PolicyOf(context); policy != nullptr) {
      entry_.personal_data = policy->personal_data;
    }
    absl::StatusOr<auth::Principal> caller = access::CallerOf(context);
    if (caller.ok()) {
      entry_.subject = caller->subject;
      for (auth::Role r : caller->roles) entry_.roles.emplace_back(auth::RoleName(r));
      if (!caller->service.empty()) entry_.peer_service = caller->service;
    } else if (std::optional<access::Denial> denial = access::DenialOf(context);
               denial.has_value()) {
      entry_.denial = true;
      entry_.subject = denial->subject;
      entry_.roles = denial->roles;
      entry_.outcome = absl::StatusCodeToString(denial->status.code());
    } else {
      // No decision (the access interceptor is not installed): the handler
      // refuses the call; record it as a denial.
      entry_.denial = true;
      entry_.subject = "unknown";
      entry_.outcome = absl::StatusCodeToString(caller.status().code());
    }
    identified_ = true;
  }

  void ReadRequest(void* raw) {
    if (raw == nullptr || request_type_ == nullptr) return;
    // The suite's services are generated protobuf services: the received
    // message is an instance of the method's request type.
    const auto* message = static_cast<const google::protobuf::Message*>(raw);
    if (message->GetDescriptor() != request_type_) return;
    const google::protobuf::Reflection* reflection = message->GetReflection();
    for (int i = 0; i < request_type_->field_count(); ++i) {
      const google::protobuf::FieldDescriptor* f = request_type_->field(i);
      if (!IsSingularString(f) || !absl::EndsWith(f->name(), "_id")) continue;
      std::string value = reflection->GetString(*message, f);
      if (value.empty()) continue;
      if (f->name() == "request_id") {
        entry_.request_id = std::move(value);
      } else {
        entry_.target_ids.push_back(std::move(value));
      }
    }
  }

  void Finish(std::string outcome) {
    finished_ = true;
    if (!(entry_.mutation || entry_.personal_data || entry_.denial)) return;
    entry_.outcome = std::move(outcome);
    sink_->Record(std::move(entry_));
  }

  grpc::experimental::ServerRpcInfo* const info_;
  AuditSink* const sink_;
  const google::protobuf::Descriptor* const request_type_;
  // gRPC runs one call's hooks one batch at a time: no lock needed.
  AuditEntry entry_;
  bool identified_ = false;
  bool finished_ = false;
};

class AuditInterceptorFactory final : public grpc::experimental::ServerInterceptorFactoryInterface {
 public:
  explicit AuditInterceptorFactory(AuditSink* sink) : sink_(sink) {}
  grpc::experimental::Interceptor* CreateServerInterceptor(
      grpc::experimental::ServerRpcInfo* info) override {
    return new AuditInterceptor(info, sink_);
  }

 private:
  AuditSink* const sink_;
};

}  // namespace

std::unique_ptr<grpc::experimental::ServerInterceptorFactoryInterface> MakeAuditInterceptorFactory(
    AuditSink* sink) {
  return std::make_unique<AuditInterceptorFactory>(sink);
}

}  // namespace jit::audit
