#include "libs/storage/idempotency.h"

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "libs/status/status_macros.h"
#include "libs/storage/errors.h"
#include "libs/storage/retention.h"

namespace jit::storage {
namespace {

constexpr absl::string_view kErasedPrefix = "erased@";
constexpr char kColumns[] =
    "request_id, operation, response, create_time, actor_id, fingerprint";

// The record of a row selected with kColumns (request id at column 0).
RequestRecord ReadRecord(Statement& st) {
  RequestRecord r{.operation = st.ColumnText(1),
                  .response = st.ColumnText(2),
                  .create_time = absl::FromUnixMicros(st.ColumnInt64(3)),
                  .actor_id = st.ColumnText(4),
                  .fingerprint = st.ColumnText(5)};
  if (absl::StartsWith(r.response, kErasedPrefix)) {
    const absl::string_view rest =
        absl::string_view(r.response).substr(kErasedPrefix.size());
    const size_t end = rest.find(';');
    int64_t micros = 0;
    if (end != absl::string_view::npos &&
        absl::SimpleAtoi(rest.substr(0, end), &micros)) {
      r.erase_time = absl::FromUnixMicros(micros);
      r.response = std::string(rest.substr(end + 1));
    }
  }
  return r;
}

}  // namespace

absl::StatusOr<std::optional<RequestRecord>> FindRequestRecord(Tx& tx,
                                                               absl::string_view request_id) {
  ASSIGN_OR_RETURN(Statement st,
                   tx.Prepare(absl::StrCat("SELECT ", kColumns,
                                           " FROM idempotency_requests WHERE request_id = ?1")));
  RETURN_IF_ERROR(st.BindText(1, request_id));
  ASSIGN_OR_RETURN(bool row, st.Step());
  if (!row) return std::optional<RequestRecord>();
  return std::optional<RequestRecord>(ReadRecord(st));
}

absl::StatusOr<std::vector<std::pair<std::string, RequestRecord>>>
FindRequestRecordsMentioning(Tx& tx, absl::string_view text) {
  std::vector<std::pair<std::string, RequestRecord>> out;
  if (text.empty()) return out;
  ASSIGN_OR_RETURN(Statement st,
                   tx.Prepare(absl::StrCat("SELECT ", kColumns,
                                           " FROM idempotency_requests "
                                           "WHERE instr(response, ?1) > 0")));
  RETURN_IF_ERROR(st.BindText(1, text));
  while (true) {
    ASSIGN_OR_RETURN(bool row, st.Step());
    if (!row) break;
    RequestRecord r = ReadRecord(st);
    if (r.erase_time.has_value()) continue;
    out.emplace_back(st.ColumnText(0), std::move(r));
  }
  return out;
}

absl::Status EraseRequestRecord(Tx& tx, absl::string_view request_id,
                                absl::string_view scrubbed_response,
                                absl::Time erase_time) {
  ASSIGN_OR_RETURN(Statement st,
                   tx.Prepare("UPDATE idempotency_requests SET response = ?2, "
                              "fingerprint = '' WHERE request_id = ?1"));
  RETURN_IF_ERROR(st.BindText(1, request_id));
  RETURN_IF_ERROR(
      st.BindText(2, absl::StrCat(kErasedPrefix, absl::ToUnixMicros(erase_time), ";",
                                  scrubbed_response)));
  RETURN_IF_ERROR(st.Run());
  if (tx.Changes() == 0) {
    return absl::NotFoundError(absl::StrCat("request '", request_id, "' not found"));
  }
  return absl::OkStatus();
}

absl::StatusOr<std::vector<std::pair<std::string, RequestRecord>>> FindRequestRecordsContaining(
    Tx& tx, absl::string_view text) {
  if (text.empty()) return absl::InvalidArgumentError("FindRequestRecordsContaining: empty text");
  // instr() rather than LIKE: no wildcards to escape, case-sensitive.
  ASSIGN_OR_RETURN(Statement st,
                   tx.Prepare("SELECT request_id, operation, response, create_time, actor_id, "
                              "fingerprint FROM idempotency_requests "
                              "WHERE instr(response, ?1) > 0 ORDER BY request_id"));
  RETURN_IF_ERROR(st.BindText(1, text));
  std::vector<std::pair<std::string, RequestRecord>> out;
  while (true) {
    ASSIGN_OR_RETURN(bool row, st.Step());
    if (!row) break;
    out.emplace_back(st.ColumnText(0),
                     RequestRecord{.operation = st.ColumnText(1),
                                   .response = st.ColumnText(2),
                                   .create_time = absl::FromUnixMicros(st.ColumnInt64(3)),
                                   .actor_id = st.ColumnText(4),
                                   .fingerprint = st.ColumnText(5)});
  }
  return out;
}

absl::Status ReplaceRequestResponse(Tx& tx, absl::string_view request_id,
                                    absl::string_view response) {
  ASSIGN_OR_RETURN(Statement st, tx.Prepare("UPDATE idempotency_requests SET response = ?2 "
                                            "WHERE request_id = ?1"));
  RETURN_IF_ERROR(st.BindText(1, request_id));
  RETURN_IF_ERROR(st.BindText(2, response));
  RETURN_IF_ERROR(st.Run());
  if (tx.Changes() == 0) {
    return absl::NotFoundError(absl::StrCat("request '", request_id, "' is not stored"));
  }
  return absl::OkStatus();
}

absl::Status InsertRequestRecord(Tx& tx, absl::string_view request_id,
                                 const RequestRecord& record) {
  ASSIGN_OR_RETURN(Statement st, tx.Prepare("INSERT INTO idempotency_requests "
                                            "(request_id, operation, response, create_time, "
                                            "actor_id, fingerprint) "
                                            "VALUES (?1, ?2, ?3, ?4, ?5, ?6)"));
  RETURN_IF_ERROR(st.BindText(1, request_id));
  RETURN_IF_ERROR(st.BindText(2, record.operation));
  RETURN_IF_ERROR(st.BindText(3, record.response));
  RETURN_IF_ERROR(st.BindInt64(4, absl::ToUnixMicros(record.create_time)));
  RETURN_IF_ERROR(st.BindText(5, record.actor_id));
  RETURN_IF_ERROR(st.BindText(6, record.fingerprint));
  absl::Status s = st.Run();
  if (IsUniqueViolation(s)) {
    return absl::AlreadyExistsError(absl::StrCat("request '", request_id, "' already exists"));
  }
  return s;
}

Migration IdempotencyCallerMigration(int version) {
  return Migration{
      .version = version,
      .description = "idempotency requests: the first caller's actor id and the request digest",
      .sql = "ALTER TABLE idempotency_requests ADD COLUMN actor_id TEXT NOT NULL DEFAULT '';\n"
             "ALTER TABLE idempotency_requests ADD COLUMN fingerprint TEXT NOT NULL DEFAULT '';\n"};
}

absl::StatusOr<int64_t> DeleteRequestRecordsBefore(Tx& tx, absl::Time before, int64_t limit) {
  return DeleteOldestRows(tx, "idempotency_requests", "request_id", "create_time", before,
                          limit);
}

}  // namespace jit::storage
