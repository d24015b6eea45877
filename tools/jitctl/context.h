// What every jitctl command gets: the service addresses and stubs, the call
// policy, the output mode, and helpers to read flag values and to print an
// answer or an error the same way everywhere.
#ifndef JIT_TOOLS_JITCTL_CONTEXT_H_
#define JIT_TOOLS_JITCTL_CONTEXT_H_

#include <functional>
#include <iostream>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "google/protobuf/descriptor.h"
#include "google/protobuf/message.h"
#include "jobintech/common/v1/common.pb.h"
#include "jobintech/dashboard/v1/dashboard_service.grpc.pb.h"
#include "jobintech/enrollment/v1/enrollment_service.grpc.pb.h"
#include "jobintech/placement/v1/placement_service.grpc.pb.h"
#include "jobintech/progress/v1/training_progress_service.grpc.pb.h"
#include "tools/jitctl/args.h"
#include "tools/jitctl/enums.h"
#include "tools/jitctl/rpc.h"

namespace jit::jitctl {

struct Endpoints {
  std::string enrollment = "127.0.0.1:50051";
  std::string progress = "127.0.0.1:50052";
  std::string placement = "127.0.0.1:50053";
  std::string aggregator = "127.0.0.1:50054";
  // TLS against the CA bundle plus the person's bearer token.
  std::shared_ptr<grpc::ChannelCredentials> credentials = nullptr;
};

class Context {
 public:
  Context(Endpoints endpoints, bool json, CallPolicy policy, std::ostream& out,
          std::ostream& err)
      : endpoints_(std::move(endpoints)), json_(json), policy_(policy), out_(out), err_(err) {}

  const Endpoints& endpoints() const { return endpoints_; }
  bool json() const { return json_; }
  const CallPolicy& policy() const { return policy_; }
  std::ostream& out() { return out_; }
  std::ostream& err() { return err_; }

  jobintech::enrollment::v1::EnrollmentService::StubInterface& enrollment();
  jobintech::progress::v1::TrainingProgressService::StubInterface& progress();
  jobintech::placement::v1::PlacementService::StubInterface& placement();
  jobintech::dashboard::v1::DashboardService::StubInterface& dashboard();

  // The request id of a mutation: --request-id, else a new UUID.
  std::string RequestId(const ParsedArgs& args) const;

  // Prints `response` (JSON, or `text` for people; ObjectText when `text` is
  // empty) and returns kExitOk; or prints the error and returns its exit code.
  // `request_id` is shown with errors of mutations, so that they can be
  // retried safely.
  int Respond(const absl::Status& status, const google::protobuf::Message& response,
              const std::function<std::string()>& text = nullptr,
              const std::string& request_id = "");
  // Prints an error (stderr, and as JSON on stdout in JSON mode).
  int Fail(const absl::Status& status, const std::string& request_id = "");
  // A usage error (exit code 2).
  int Usage(absl::string_view message);

 private:
  Endpoints endpoints_;
  bool json_;
  CallPolicy policy_;
  std::ostream& out_;
  std::ostream& err_;
  std::unique_ptr<jobintech::enrollment::v1::EnrollmentService::StubInterface> enrollment_;
  std::unique_ptr<jobintech::progress::v1::TrainingProgressService::StubInterface> progress_;
  std::unique_ptr<jobintech::placement::v1::PlacementService::StubInterface> placement_;
  std::unique_ptr<jobintech::dashboard::v1::DashboardService::StubInterface> dashboard_;
};

// Reads typed flag values, collecting every problem (reported as one usage
// error) instead of stopping at the first.
class Input {
 public:
  explicit Input(const ParsedArgs& args) : args_(args) {}
  bool ok() const { return problems_.empty(); }
  std::string problems() const;

  std::string Str(const std::string& flag) const { return args_.Get(flag); }
  std::optional<int64_t> Int(const std::string& flag, int64_t lo, int64_t hi);
  std::optional<double> Double(const std::string& flag);
  // Unset Date when the flag is absent.
  jobintech::common::v1::Date Date(const std::string& flag);
  int Enum(const std::string& flag, const google::protobuf::EnumDescriptor* d,
           bool allow_unspecified = true);
  template <typename E>
  E EnumAs(const std::string& flag, const google::protobuf::EnumDescriptor* d,
           bool allow_unspecified = true) {
    return static_cast<E>(Enum(flag, d, allow_unspecified));
  }
  void Problem(std::string p) { problems_.push_back(std::move(p)); }

 private:
  const ParsedArgs& args_;
  std::vector<std::string> problems_;
};

// One unary call with the context's policy:
//   Unary(ctx, ctx.enrollment(), &EnrollmentStub::GetCohort, request, &response)
template <typename Stub, typename Req, typename Resp>
absl::Status Unary(Context& ctx, Stub& stub,
                   grpc::Status (Stub::*method)(grpc::ClientContext*, const Req&, Resp*),
                   const Req& request, Resp* response) {
  return CallWithRetry(ctx.policy(), [&](grpc::ClientContext* c) {
    return (stub.*method)(c, request, response);
  });
}

// Fetches one page, or every page with `all`, merging the repeated fields.
template <typename Req, typename Resp>
absl::Status ListPages(const CallPolicy& policy, Req request, bool all, Resp* out,
                       const std::function<grpc::Status(grpc::ClientContext*, const Req&,
                                                        Resp*)>& call) {
  for (;;) {
    Resp page;
    absl::Status st = CallWithRetry(
        policy, [&](grpc::ClientContext* c) { return call(c, request, &page); });
    if (!st.ok()) return st;
    out->MergeFrom(page);
    if (!all || page.page().next_page_token().empty()) return absl::OkStatus();
    request.mutable_page()->set_page_token(page.page().next_page_token());
  }
}

}  // namespace jit::jitctl

#endif  // JIT_TOOLS_JITCTL_CONTEXT_H_
