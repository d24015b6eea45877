// jitctl audit commands: the audit log of one server (who did what: every
// mutation, every personal-data call, every denial), for data-protection
// officers.
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/time/time.h"
#include "jobintech/audit/v1/audit_service.grpc.pb.h"
#include "tools/jitctl/commands.h"
#include "tools/jitctl/output.h"

namespace jit::jitctl {
namespace {

namespace av1 = jobintech::audit::v1;

std::string RecordTime(const google::protobuf::Timestamp& t) {
  return absl::FormatTime("%Y-%m-%dT%H:%M:%E3SZ",
                          absl::FromUnixSeconds(t.seconds()) + absl::Nanoseconds(t.nanos()),
                          absl::UTCTimeZone());
}

int AuditList(Context& ctx, const ParsedArgs& args) {
  Input in(args);
  const std::string service = args.Get("service");
  std::string address;
  if (service == "enrollment") address = ctx.endpoints().enrollment;
  if (service == "training-progress") address = ctx.endpoints().progress;
  if (service == "placement") address = ctx.endpoints().placement;
  if (service == "aggregator") address = ctx.endpoints().aggregator;
  if (address.empty()) {
    in.Problem("--service must be enrollment, training-progress, placement or aggregator");
  }
  av1::ListAuditRecordsRequest req;
  req.set_subject(args.Get("subject"));
  req.set_target_id(args.Get("target"));
  req.set_method(args.Get("method"));
  if (args.Has("since")) {
    absl::Time since;
    std::string error;
    if (!absl::ParseTime(absl::RFC3339_full, args.Get("since"), &since, &error)) {
      in.Problem(absl::StrCat("--since must be an RFC 3339 time (2026-12-01T00:00:00Z): ", error));
    } else {
      req.mutable_since()->set_seconds(absl::ToUnixSeconds(since));
    }
  }
  if (auto n = in.Int("page-size", 1, 500)) req.mutable_page()->set_page_size(static_cast<int>(*n));
  if (!in.ok()) return ctx.Usage(in.problems());
  auto stub = av1::AuditService::NewStub(MakeChannel(address, ctx.endpoints().credentials));
  av1::ListAuditRecordsResponse resp;
  absl::Status st = ListPages<av1::ListAuditRecordsRequest, av1::ListAuditRecordsResponse>(
      ctx.policy(), req, args.Bool("all"), &resp,
      [&](grpc::ClientContext* c, const auto& r, auto* o) {
        return stub->ListAuditRecords(c, r, o);
      });
  return ctx.Respond(st, resp, [&] {
    Table table({"TIME", "SUBJECT", "ROLES", "METHOD", "TARGETS", "OUTCOME", "REQUEST", "TRACE"});
    for (const av1::AuditRecord& r : resp.records()) {
      const std::string method = r.method().substr(r.method().rfind('/') + 1);
      table.AddRow({RecordTime(r.time()),
                    r.peer_service().empty() || r.subject() == "service:" + r.peer_service()
                        ? r.subject()
                        : absl::StrCat(r.subject(), " (", r.peer_service(), ")"),
                    absl::StrJoin(r.roles(), ","), method, absl::StrJoin(r.target_ids(), ","),
                    r.outcome(), r.request_id(), r.trace_id()});
    }
    std::string out = table.Render();
    if (!resp.page().next_page_token().empty()) out += "(more: --all)\n";
    return out;
  });
}

}  // namespace

void AddAuditCommands(std::vector<Command>& out) {
  out.push_back(
      {"audit list",
       "",
       0,
       0,
       false,
       "the audit log of one server: mutations, personal-data calls and denials, oldest first",
       {{"service", "NAME", FlagKind::kRequired,
         "enrollment, training-progress, placement or aggregator (each keeps its own log)"},
        {"subject", "SUBJECT", FlagKind::kValue,
         "only this caller (a token's subject, service:<name>, anonymous)"},
        {"target", "ID", FlagKind::kValue, "only calls naming this id (application, cohort, ...)"},
        {"method", "/pkg.Service/Method", FlagKind::kValue, "only this gRPC method"},
        {"since", "TIME", FlagKind::kValue,
         "only from this time on (RFC 3339, 2026-12-01T00:00:00Z)"},
        {"page-size", "N", FlagKind::kValue, "records per page (server default 50, max 500)"},
        {"all", "", FlagKind::kBool, "fetch every page (default: the first page)"}},
       "Needs a data-protection officer's token (development: export JITCTL_TOKEN=$(jitctl auth "
       "dev-token --role data-protection-officer)). Reading the audit is itself audited.\n"
       "Example:\n  jitctl audit list --service enrollment --target APPLICATION_ID --since "
       "2026-12-01T00:00:00Z\n",
       &AuditList});
}

}  // namespace jit::jitctl
