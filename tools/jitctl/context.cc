#include "tools/jitctl/context.h"

#include <string>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "libs/ids/ids.h"
#include "libs/status/field_violations.h"
#include "nlohmann/json.hpp"
#include "tools/jitctl/output.h"

namespace jit::jitctl {

namespace dv1 = jobintech::dashboard::v1;
namespace ev1 = jobintech::enrollment::v1;
namespace pgv1 = jobintech::progress::v1;
namespace plv1 = jobintech::placement::v1;

ev1::EnrollmentService::StubInterface& Context::enrollment() {
  if (!enrollment_) enrollment_ = ev1::EnrollmentService::NewStub(MakeChannel(endpoints_.enrollment, endpoints_.credentials));
  return *enrollment_;
}
pgv1::TrainingProgressService::StubInterface& Context::progress() {
  if (!progress_) progress_ = pgv1::TrainingProgressService::NewStub(MakeChannel(endpoints_.progress, endpoints_.credentials));
  return *progress_;
}
plv1::PlacementService::StubInterface& Context::placement() {
  if (!placement_) placement_ = plv1::PlacementService::NewStub(MakeChannel(endpoints_.placement, endpoints_.credentials));
  return *placement_;
}
dv1::DashboardService::StubInterface& Context::dashboard() {
  if (!dashboard_) dashboard_ = dv1::DashboardService::NewStub(MakeChannel(endpoints_.aggregator, endpoints_.credentials));
  return *dashboard_;
}

std::string Context::RequestId(const ParsedArgs& args) const {
  const std::string given = args.Get("request-id");
  return given.empty() ? ids::NewUuidV4() : given;
}

int Context::Respond(const absl::Status& status, const google::protobuf::Message& response,
                     const std::function<std::string()>& text, const std::string& request_id) {
  if (!status.ok()) return Fail(status, request_id);
  if (json_) {
    out_ << ToJson(response) << "\n";
  } else {
    out_ << (text ? text() : ObjectText(response));
  }
  return kExitOk;
}

int Context::Fail(const absl::Status& status, const std::string& request_id) {
  err_ << "jitctl: " << DescribeError(status) << "\n";
  if (absl::IsUnauthenticated(status)) {
    err_ << "jitctl: sign in: give a bearer token with --token-file or JITCTL_TOKEN (development: "
            "export JITCTL_TOKEN=$(jitctl auth dev-token --role programme-admin))\n";
  }
  if (IsUnreachable(status)) {
    err_ << "jitctl: the service did not answer (is the suite running? see --help for the "
            "addresses)\n";
    if (!request_id.empty()) {
      err_ << "jitctl: retry safely with --request-id " << request_id << "\n";
    }
  }
  if (json_) {
    nlohmann::json j;
    j["error"]["code"] = absl::StatusCodeToString(status.code());
    j["error"]["message"] = std::string(status.message());
    j["error"]["fieldViolations"] = nlohmann::json::array();
    for (const auto& v : status::GetFieldViolations(status)) {
      j["error"]["fieldViolations"].push_back({{"field", v.field}, {"description", v.description}});
    }
    if (!request_id.empty()) j["error"]["requestId"] = request_id;
    out_ << j.dump() << "\n";
  }
  return ExitCodeFor(status);
}

int Context::Usage(absl::string_view message) {
  err_ << "jitctl: " << message << "\n";
  return kExitUsage;
}

std::string Input::problems() const { return absl::StrJoin(problems_, "; "); }

std::optional<int64_t> Input::Int(const std::string& flag, int64_t lo, int64_t hi) {
  if (!args_.Has(flag)) return std::nullopt;
  int64_t v = 0;
  if (!absl::SimpleAtoi(args_.Get(flag), &v) || v < lo || v > hi) {
    Problem(absl::StrCat("--", flag, " must be a whole number between ", lo, " and ", hi));
    return std::nullopt;
  }
  return v;
}

std::optional<double> Input::Double(const std::string& flag) {
  if (!args_.Has(flag)) return std::nullopt;
  double v = 0;
  if (!absl::SimpleAtod(args_.Get(flag), &v)) {
    Problem(absl::StrCat("--", flag, " must be a number"));
    return std::nullopt;
  }
  return v;
}

jobintech::common::v1::Date Input::Date(const std::string& flag) {
  if (!args_.Has(flag)) return {};
  auto d = ParseDate(args_.Get(flag));
  if (!d.ok()) {
    Problem(absl::StrCat("--", flag, ": ", d.status().message()));
    return {};
  }
  return *d;
}

int Input::Enum(const std::string& flag, const google::protobuf::EnumDescriptor* d,
                bool allow_unspecified) {
  if (!args_.Has(flag) && allow_unspecified) return 0;
  auto v = ParseEnum(d, args_.Get(flag), allow_unspecified);
  if (!v.ok()) {
    Problem(absl::StrCat("--", flag, ": ", v.status().message()));
    return 0;
  }
  return *v;
}

}  // namespace jit::jitctl
