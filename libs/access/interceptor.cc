#include "libs/access/interceptor.h"

#include <utility>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "grpcpp/support/interceptor.h"
#include "libs/log/log.h"
#include "libs/tls/tls.h"

namespace jit::access {
namespace {

using grpc::experimental::InterceptionHookPoints;

struct Decision {
  absl::StatusOr<auth::Principal> caller;
  const MethodPolicy* policy;
  std::optional<Denial> denial;
};

// Decisions of the calls in flight, by their server context.
class Decisions {
 public:
  static Decisions& Get() {
    static Decisions* const instance = new Decisions();  // never destroyed
    return *instance;
  }
  void Put(const grpc::ServerContextBase* call, Decision d) {
    absl::MutexLock lock(&mu_);
    by_call_.insert_or_assign(call, std::move(d));
  }
  void Erase(const grpc::ServerContextBase* call) {
    absl::MutexLock lock(&mu_);
    by_call_.erase(call);
  }
  std::optional<Decision> Find(const grpc::ServerContextBase* call) {
    absl::MutexLock lock(&mu_);
    auto it = by_call_.find(call);
    if (it == by_call_.end()) return std::nullopt;
    return it->second;
  }

 private:
  absl::Mutex mu_;
  absl::flat_hash_map<const grpc::ServerContextBase*, Decision> by_call_ ABSL_GUARDED_BY(mu_);
};

class AccessInterceptor final : public grpc::experimental::Interceptor {
 public:
  AccessInterceptor(grpc::experimental::ServerRpcInfo* info, const AccessOptions& options)
      : info_(info), options_(options) {}
  ~AccessInterceptor() override {
    if (decided_) Decisions::Get().Erase(info_->server_context());
  }

  void Intercept(grpc::experimental::InterceptorBatchMethods* m) override {
    if (m->QueryInterceptionHookPoint(InterceptionHookPoints::POST_RECV_INITIAL_METADATA)) {
      Decide(m);
    }
    m->Proceed();
  }

 private:
  void Decide(grpc::experimental::InterceptorBatchMethods* m) {
    const std::string method = info_->method() != nullptr ? info_->method() : "";
    CallCredentials credentials;
    if (const auto* metadata = m->GetRecvInitialMetadata(); metadata != nullptr) {
      auto it = metadata->find("authorization");
      if (it != metadata->end()) {
        auto token = BearerToken(absl::string_view(it->second.data(), it->second.size()));
        // A malformed or non-bearer authorization header is a bad
        // credential, not an absent one.
        credentials.bearer_token = token.value_or("");
      }
    }
    grpc::ServerContextBase* context = info_->server_context();
    if (auto peer = tls::PeerServiceOf(*context->auth_context()); peer.has_value()) {
      credentials.peer_service = peer->service;
    }
    const MethodPolicy* policy = options_.policies->Find(method);
    absl::StatusOr<auth::Principal> caller =
        access::Decide(policy, method, credentials, options_.verifier);
    std::optional<Denial> refused;
    if (!caller.ok()) {
      Denial denial{.method = method,
                    .subject = credentials.bearer_token.has_value() ? "invalid token"
                               : credentials.peer_service.has_value()
                                   ? absl::StrCat("service:", *credentials.peer_service)
                                   : "anonymous",
                    .roles = {},
                    .peer_service = credentials.peer_service.value_or(""),
                    .peer = context->peer(),
                    .status = caller.status()};
      // A token that verified but lacks the roles: name its subject (the
      // second verification costs one signature check, on refusals only).
      if (credentials.bearer_token.has_value() && options_.verifier != nullptr &&
          caller.status().code() == absl::StatusCode::kPermissionDenied) {
        if (auto person = options_.verifier->Verify(*credentials.bearer_token); person.ok()) {
          denial.subject = person->subject;
          for (auth::Role r : person->roles) denial.roles.emplace_back(auth::RoleName(r));
        }
      }
      log::Event(log::Level::kWarn, "access denied",
                 {{"grpc_method", method},
                 {"subject", denial.subject},
                 {"peer", denial.peer},
                 {"grpc_code", absl::StatusCodeToString(caller.status().code())},
                 {"reason", std::string(caller.status().message())}});
      if (options_.sink != nullptr) options_.sink->Denied(denial);
      refused = std::move(denial);
    }
    Decisions::Get().Put(context, Decision{std::move(caller), policy, std::move(refused)});
    decided_ = true;
  }

  grpc::experimental::ServerRpcInfo* const info_;
  const AccessOptions options_;
  bool decided_ = false;
};

class AccessInterceptorFactory final
    : public grpc::experimental::ServerInterceptorFactoryInterface {
 public:
  explicit AccessInterceptorFactory(AccessOptions options) : options_(options) {}
  grpc::experimental::Interceptor* CreateServerInterceptor(
      grpc::experimental::ServerRpcInfo* info) override {
    return new AccessInterceptor(info, options_);
  }

 private:
  const AccessOptions options_;
};

}  // namespace

std::unique_ptr<grpc::experimental::ServerInterceptorFactoryInterface>
MakeAccessInterceptorFactory(AccessOptions options) {
  return std::make_unique<AccessInterceptorFactory>(options);
}

absl::StatusOr<auth::Principal> CallerOf(const grpc::ServerContextBase& context) {
  auto d = Decisions::Get().Find(&context);
  if (!d.has_value()) {
    return absl::PermissionDeniedError("no access decision for this call: refused");
  }
  return d->caller;
}

command::Scope ScopeOf(const auth::Principal& caller) {
  if (caller.kind == auth::Principal::Kind::kService) return command::Scope::National();
  if (caller.HasRole(auth::Role::kProgrammeAdmin) || caller.HasRole(auth::Role::kAnalyst) ||
      caller.HasRole(auth::Role::kDataProtectionOfficer)) {
    return command::Scope::National();
  }
  std::vector<std::string> regions;
  if (caller.HasRole(auth::Role::kRegionalCoordinator) ||
      caller.HasRole(auth::Role::kPlacementOfficer)) {
    regions = caller.regions;
  }
  std::vector<std::string> centres;
  if (caller.HasRole(auth::Role::kCentreStaff)) centres = caller.centres;
  return command::Scope::Limited(std::move(regions), std::move(centres));
}

command::Scope ScopeOfCall(const grpc::ServerContextBase& context) {
  absl::StatusOr<auth::Principal> caller = CallerOf(context);
  if (!caller.ok()) return command::Scope::Limited({}, {});
  return ScopeOf(*caller);
}

std::string ActorIdOfCall(const grpc::ServerContextBase& context) {
  absl::StatusOr<auth::Principal> caller = CallerOf(context);
  return caller.ok() ? caller->actor_id : "";
}

const MethodPolicy* PolicyOf(const grpc::ServerContextBase& context) {
  auto d = Decisions::Get().Find(&context);
  return d.has_value() ? d->policy : nullptr;
}

std::optional<Denial> DenialOf(const grpc::ServerContextBase& context) {
  auto d = Decisions::Get().Find(&context);
  if (!d.has_value()) return std::nullopt;
  return d->denial;
}

}  // namespace jit::access
