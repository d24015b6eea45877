// jobintech.audit.v1.AuditService over one server's AuditLog: the only API
// to the audit records, and it only reads (data-protection officers only, by
// the method's access policy). A list first waits (up to 5 s) for the
// queued records to be written, so it shows every call that ended before it.
//
// Thread safety: handlers run concurrently; AuditLog is thread-safe.
#ifndef JIT_LIBS_AUDIT_AUDIT_SERVICE_H_
#define JIT_LIBS_AUDIT_AUDIT_SERVICE_H_

#include "jobintech/audit/v1/audit_service.grpc.pb.h"
#include "libs/audit/audit_log.h"

namespace jit::audit {

class AuditGrpcService final : public ::jobintech::audit::v1::AuditService::CallbackService {
 public:
  // `log` must outlive the service.
  explicit AuditGrpcService(AuditLog* log) : log_(log) {}

  grpc::ServerUnaryReactor* ListAuditRecords(
      grpc::CallbackServerContext* context,
      const ::jobintech::audit::v1::ListAuditRecordsRequest* request,
      ::jobintech::audit::v1::ListAuditRecordsResponse* response) override;

 private:
  AuditLog* const log_;
};

// The record as the API returns it.
void ToProto(const StoredAuditRecord& record, ::jobintech::audit::v1::AuditRecord* out);

}  // namespace jit::audit

#endif  // JIT_LIBS_AUDIT_AUDIT_SERVICE_H_
