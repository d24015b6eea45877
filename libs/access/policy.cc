#include "libs/access/policy.h"

#include <algorithm>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "google/protobuf/descriptor.h"
#include "jobintech/common/v1/access.pb.h"

namespace jit::access {
namespace {

using auth::Principal;
using auth::Role;

constexpr absl::string_view kHealth = "grpc.health.v1.Health";
constexpr absl::string_view kReflection = "grpc.reflection.v1alpha.ServerReflection";

std::string RoleList(const std::vector<Role>& roles) {
  std::vector<std::string> names;
  for (Role r : roles) names.emplace_back(auth::RoleName(r));
  return absl::StrJoin(names, ", ");
}

bool AnyRole(const Principal& p, const std::vector<Role>& allowed) {
  return std::any_of(allowed.begin(), allowed.end(), [&](Role r) { return p.HasRole(r); });
}

Principal Anonymous() {
  Principal p;
  p.kind = Principal::Kind::kPerson;
  p.subject = "anonymous";
  p.actor_id = "anonymous";
  return p;
}

}  // namespace

absl::StatusOr<PolicyTable> PolicyTable::ForServices(const std::vector<std::string>& services) {
  PolicyTable table;
  std::vector<std::string> problems;
  const google::protobuf::DescriptorPool* pool = google::protobuf::DescriptorPool::generated_pool();
  for (const std::string& name : services) {
    const google::protobuf::ServiceDescriptor* service = pool->FindServiceByName(name);
    if (service == nullptr) {
      problems.push_back(absl::StrCat("service ", name, " is not in the compiled contracts"));
      continue;
    }
    for (int i = 0; i < service->method_count(); ++i) {
      const google::protobuf::MethodDescriptor* m = service->method(i);
      const std::string full = absl::StrCat("/", service->full_name(), "/", m->name());
      if (!m->options().HasExtension(jobintech::common::v1::access)) {
        problems.push_back(absl::StrCat(full, " has no (jobintech.common.v1.access) option"));
        continue;
      }
      const auto& option = m->options().GetExtension(jobintech::common::v1::access);
      MethodPolicy policy;
      policy.method = full;
      policy.permission = option.permission();
      policy.services.assign(option.services().begin(), option.services().end());
      policy.personal_data = option.personal_data();
      policy.is_public = option.public_();
      policy.elevated_permission = option.elevated_permission();
      auto roles = [&](const auto& names, std::vector<Role>& out) {
        for (const std::string& r : names) {
          if (auto role = auth::ParseRole(r); role.has_value()) {
            out.push_back(*role);
          } else {
            problems.push_back(absl::StrCat(full, ": unknown role '", r, "'"));
          }
        }
      };
      roles(option.roles(), policy.roles);
      roles(option.elevated_roles(), policy.elevated_roles);
      if (policy.permission.empty()) {
        problems.push_back(absl::StrCat(full, ": the policy names no permission"));
      }
      if (!policy.is_public && policy.roles.empty() && policy.services.empty()) {
        problems.push_back(absl::StrCat(full, ": the policy admits nobody"));
      }
      table.by_method_[full] = std::move(policy);
    }
  }
  if (!problems.empty()) {
    return absl::FailedPreconditionError(
        absl::StrCat("access policies: ", absl::StrJoin(problems, "; ")));
  }
  table.AddBuiltIns();
  return table;
}

PolicyTable PolicyTable::FromPolicies(std::vector<MethodPolicy> policies) {
  PolicyTable table;
  for (MethodPolicy& p : policies) {
    std::string method = p.method;
    table.by_method_[method] = std::move(p);
  }
  table.AddBuiltIns();
  return table;
}

void PolicyTable::AddBuiltIns() {
  PolicyTable& table = *this;
  for (const char* m : {"Check", "Watch"}) {
    MethodPolicy health;
    health.method = absl::StrCat("/", kHealth, "/", m);
    health.permission = "health.read";
    health.is_public = true;
    table.by_method_.try_emplace(health.method, health);
  }
  MethodPolicy reflection;
  reflection.method = absl::StrCat("/", kReflection, "/ServerReflectionInfo");
  reflection.permission = "reflection.read";
  reflection.roles.assign(std::begin(auth::kAllRoles), std::end(auth::kAllRoles));
  reflection.services = {"enrollment", "training-progress", "placement", "aggregator"};
  table.by_method_.try_emplace(reflection.method, reflection);
}

const MethodPolicy* PolicyTable::Find(absl::string_view full_method) const {
  auto it = by_method_.find(full_method);
  return it == by_method_.end() ? nullptr : &it->second;
}

std::vector<const MethodPolicy*> PolicyTable::All() const {
  std::vector<const MethodPolicy*> out;
  for (const auto& [name, policy] : by_method_) out.push_back(&policy);
  std::sort(out.begin(), out.end(),
            [](const MethodPolicy* a, const MethodPolicy* b) { return a->method < b->method; });
  return out;
}

absl::StatusOr<Principal> Decide(const MethodPolicy* policy, absl::string_view full_method,
                                 const CallCredentials& credentials,
                                 const auth::TokenVerifier* verifier) {
  if (policy == nullptr) {
    return absl::PermissionDeniedError(
        absl::StrCat(full_method, " has no access policy: refused"));
  }
  if (credentials.bearer_token.has_value()) {
    if (verifier == nullptr) {
      return absl::UnauthenticatedError("bearer tokens are not accepted by this server");
    }
    auto person = verifier->Verify(*credentials.bearer_token);
    if (!person.ok()) return person.status();
    if (policy->is_public || AnyRole(*person, policy->roles)) return *std::move(person);
    return absl::PermissionDeniedError(absl::StrCat(
        "missing permission '", policy->permission, "': it needs one of the roles [",
        RoleList(policy->roles), "]"));
  }
  if (credentials.peer_service.has_value()) {
    Principal service;
    service.kind = Principal::Kind::kService;
    service.service = *credentials.peer_service;
    service.subject = absl::StrCat("service:", service.service);
    service.actor_id = service.subject;
    const auto& allowed = policy->services;
    if (policy->is_public ||
        std::find(allowed.begin(), allowed.end(), service.service) != allowed.end()) {
      return service;
    }
    return absl::PermissionDeniedError(absl::StrCat("missing permission '", policy->permission,
                                                    "': service '", service.service,
                                                    "' may not call ", full_method));
  }
  if (policy->is_public) return Anonymous();
  return absl::UnauthenticatedError(
      "no credentials: send a bearer token (authorization: Bearer <jwt>) or connect with a "
      "service certificate");
}

absl::Status CheckElevated(const MethodPolicy& policy, const Principal& caller) {
  if (caller.kind == Principal::Kind::kPerson && AnyRole(caller, policy.elevated_roles)) {
    return absl::OkStatus();
  }
  if (caller.subject == "anonymous") {
    return absl::UnauthenticatedError(absl::StrCat(
        "'", policy.elevated_permission, "' needs a bearer token with one of the roles [",
        RoleList(policy.elevated_roles), "]"));
  }
  return absl::PermissionDeniedError(
      absl::StrCat("missing permission '", policy.elevated_permission,
                   "': it needs one of the roles [", RoleList(policy.elevated_roles), "]"));
}

absl::Status AuthorizeElevated(absl::string_view authorization,
                               const auth::TokenVerifier* verifier,
                               const MethodPolicy& policy) {
  const std::optional<std::string> token = BearerToken(authorization);
  if (!token.has_value()) {
    return absl::UnauthenticatedError(absl::StrCat(
        "'", policy.elevated_permission,
        "' needs a bearer token (Authorization: Bearer <jwt>) with one of the roles [",
        RoleList(policy.elevated_roles), "]"));
  }
  if (verifier == nullptr) {
    return absl::UnauthenticatedError("bearer tokens are not accepted by this server");
  }
  auto caller = verifier->Verify(*token);
  if (!caller.ok()) return caller.status();
  return CheckElevated(policy, *caller);
}

std::optional<std::string> BearerToken(absl::string_view authorization) {
  authorization = absl::StripAsciiWhitespace(authorization);
  if (authorization.size() < 7 || !absl::EqualsIgnoreCase(authorization.substr(0, 7), "bearer ")) {
    return std::nullopt;
  }
  absl::string_view token = absl::StripAsciiWhitespace(authorization.substr(7));
  if (token.empty()) return std::nullopt;
  return std::string(token);
}

}  // namespace jit::access
