#include "libs/audit/audit_service.h"

#include "libs/grpcserver/unary.h"
#include "libs/log/log.h"
#include "libs/protoconv/common.h"
#include "libs/status/status_macros.h"

namespace jit::audit {

namespace pb = ::jobintech::audit::v1;

void ToProto(const StoredAuditRecord& record, pb::AuditRecord* out) {
  const AuditEntry& e = record.entry;
  out->set_sequence(record.sequence);
  *out->mutable_time() = protoconv::ToProtoTime(e.time);
  out->set_subject(e.subject);
  for (const std::string& r : e.roles) out->add_roles(r);
  out->set_peer_service(e.peer_service);
  out->set_peer(e.peer);
  out->set_method(e.method);
  for (const std::string& id : e.target_ids) out->add_target_ids(id);
  out->set_outcome(e.outcome);
  out->set_request_id(e.request_id);
  out->set_trace_id(e.trace_id);
  if (e.mutation) out->add_reasons(pb::AUDIT_REASON_MUTATION);
  if (e.personal_data) out->add_reasons(pb::AUDIT_REASON_PERSONAL_DATA);
  if (e.denial) out->add_reasons(pb::AUDIT_REASON_DENIAL);
}

grpc::ServerUnaryReactor* AuditGrpcService::ListAuditRecords(
    grpc::CallbackServerContext* context, const pb::ListAuditRecordsRequest* request,
    pb::ListAuditRecordsResponse* response) {
  return grpcserver::Respond(context, [&]() -> absl::Status {
    AuditQuery query;
    query.subject = request->subject();
    query.target_id = request->target_id();
    query.method = request->method();
    if (request->has_since()) query.since = protoconv::FromProtoTime(request->since());
    query.page_size = request->page().page_size();
    query.page_token = request->page().page_token();
    // Read-your-writes: every call that ended before this one is listed.
    if (absl::Status flushed = log_->Flush(absl::Seconds(5)); !flushed.ok()) {
      log::Event(log::Level::kWarn, "audit list without the latest records",
                 {{"error", flushed.ToString()}});
    }
    ASSIGN_OR_RETURN(AuditPage page, log_->List(query));
    for (const StoredAuditRecord& r : page.records) ToProto(r, response->add_records());
    response->mutable_page()->set_next_page_token(page.next_page_token);
    return absl::OkStatus();
  });
}

}  // namespace jit::audit
