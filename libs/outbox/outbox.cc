#include "libs/outbox/outbox.h"

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "libs/status/status_macros.h"
#include "libs/storage/idempotency.h"

namespace jit::outbox {
namespace {

constexpr char kHeadersVersion = '\x01';

constexpr char kInsert[] =
    "INSERT INTO outbox(topic, key, payload, headers, created_at) "
    "VALUES (?1, ?2, ?3, ?4, ?5)";

void PutLength(std::string* out, size_t n) {
  const uint32_t v = static_cast<uint32_t>(n);
  for (int i = 0; i < 4; ++i)
    out->push_back(static_cast<char>((v >> (8 * i)) & 0xff));
}

bool GetField(absl::string_view* in, std::string* field) {
  if (in->size() < 4) return false;
  uint32_t n = 0;
  for (int i = 0; i < 4; ++i) {
    n |= static_cast<uint32_t>(static_cast<unsigned char>((*in)[i])) << (8 * i);
  }
  in->remove_prefix(4);
  if (in->size() < n) return false;
  field->assign(in->data(), n);
  in->remove_prefix(n);
  return true;
}

absl::StatusOr<int64_t> CountQuery(storage::Database& db,
                                   absl::string_view sql) {
  int64_t n = 0;
  RETURN_IF_ERROR(db.Transaction(
      storage::TxMode::kDeferred, [&](storage::Tx& tx) -> absl::Status {
        ASSIGN_OR_RETURN(storage::Statement st, tx.Prepare(sql));
        ASSIGN_OR_RETURN(bool row, st.Step());
        if (row) n = st.ColumnInt64(0);
        return absl::OkStatus();
      }));
  return n;
}

absl::StatusOr<int64_t> Requeue(storage::Database& db,
                                std::optional<absl::Time> since) {
  int64_t n = 0;
  RETURN_IF_ERROR(db.Transaction(
      storage::TxMode::kImmediate, [&](storage::Tx& tx) -> absl::Status {
        ASSIGN_OR_RETURN(
            storage::Statement st,
            tx.Prepare("UPDATE outbox SET sent_at = NULL "
                       "WHERE sent_at IS NOT NULL AND created_at >= ?1"));
        RETURN_IF_ERROR(st.BindInt64(
            1, since.has_value() ? absl::ToUnixMicros(*since) : INT64_MIN));
        RETURN_IF_ERROR(st.Run());
        n = tx.Changes();
        return absl::OkStatus();
      }));
  return n;
}

}  // namespace

std::vector<storage::Migration> Migrations(int first_version) {
  return {{first_version, "outbox: create table outbox and its indexes",
           kSchemaV1Sql}};
}

std::string EncodeHeaders(
    const std::vector<std::pair<std::string, std::string>>& headers) {
  if (headers.empty()) return "";
  std::string out(1, kHeadersVersion);
  for (const auto& [name, value] : headers) {
    PutLength(&out, name.size());
    out += name;
    PutLength(&out, value.size());
    out += value;
  }
  return out;
}

absl::StatusOr<std::vector<std::pair<std::string, std::string>>> DecodeHeaders(
    absl::string_view encoded) {
  std::vector<std::pair<std::string, std::string>> headers;
  if (encoded.empty()) return headers;
  if (encoded[0] != kHeadersVersion) {
    return absl::DataLossError(
        absl::StrCat("outbox headers: unknown encoding version ",
                     static_cast<int>(static_cast<unsigned char>(encoded[0]))));
  }
  encoded.remove_prefix(1);
  while (!encoded.empty()) {
    std::pair<std::string, std::string> header;
    if (!GetField(&encoded, &header.first) ||
        !GetField(&encoded, &header.second)) {
      return absl::DataLossError("outbox headers: truncated encoding");
    }
    headers.push_back(std::move(header));
  }
  return headers;
}

std::vector<storage::Migration> ServiceMigrations(
    storage::Migration schema_v1) {
  std::vector<storage::Migration> m;
  m.push_back(std::move(schema_v1));
  for (storage::Migration& x : Migrations(2)) m.push_back(std::move(x));
  m.push_back(storage::IdempotencyCallerMigration(2 + kMigrationCount));
  return m;
}

absl::Status AppendEncoded(storage::Tx& tx,
                           const absl::StatusOr<OutboxMessage>& row,
                           absl::string_view event_type,
                           absl::Time created_at) {
  if (!row.ok()) {
    return absl::InternalError(absl::StrCat("cannot publish ", event_type, ": ",
                                            row.status().message()));
  }
  return Append(tx, *row, created_at);
}

absl::Status Append(storage::Tx& tx, const OutboxMessage& message) {
  return Append(tx, message, absl::Now());
}

absl::Status Append(storage::Tx& tx, const OutboxMessage& message,
                    absl::Time created_at) {
  if (message.topic.empty()) {
    return absl::InvalidArgumentError("outbox message has an empty topic");
  }
  for (const auto& [name, value] : message.headers) {
    if (name.size() > UINT32_MAX || value.size() > UINT32_MAX) {
      return absl::InvalidArgumentError("outbox header larger than 4 GiB");
    }
  }
  ASSIGN_OR_RETURN(storage::Statement st, tx.Prepare(kInsert));
  RETURN_IF_ERROR(st.BindText(1, message.topic));
  RETURN_IF_ERROR(st.BindText(2, message.key));
  RETURN_IF_ERROR(st.BindBlob(3, message.payload));
  RETURN_IF_ERROR(st.BindBlob(4, EncodeHeaders(message.headers)));
  RETURN_IF_ERROR(st.BindInt64(5, absl::ToUnixMicros(created_at)));
  RETURN_IF_ERROR(st.Run());
  tx.Tag(kOutboxTag);
  return absl::OkStatus();
}

absl::StatusOr<int64_t> Backlog(storage::Database& db) {
  return CountQuery(db, "SELECT count(*) FROM outbox WHERE sent_at IS NULL");
}

absl::StatusOr<int64_t> RewritePayloads(
    storage::Tx& tx,
    absl::FunctionRef<absl::StatusOr<std::optional<std::string>>(
        absl::string_view payload)>
        rewrite) {
  std::vector<std::pair<int64_t, std::string>> changed;
  {
    ASSIGN_OR_RETURN(storage::Statement st,
                     tx.Prepare("SELECT id, payload FROM outbox ORDER BY id"));
    while (true) {
      ASSIGN_OR_RETURN(bool row, st.Step());
      if (!row) break;
      ASSIGN_OR_RETURN(std::optional<std::string> next,
                       rewrite(st.ColumnBlob(1)));
      if (next.has_value()) changed.emplace_back(st.ColumnInt64(0), *std::move(next));
    }
  }
  for (const auto& [id, payload] : changed) {
    ASSIGN_OR_RETURN(storage::Statement up,
                     tx.Prepare("UPDATE outbox SET payload = ?2 WHERE id = ?1"));
    RETURN_IF_ERROR(up.BindInt64(1, id));
    RETURN_IF_ERROR(up.BindBlob(2, payload));
    RETURN_IF_ERROR(up.Run());
  }
  return static_cast<int64_t>(changed.size());
}

absl::StatusOr<int64_t> RequeueAll(storage::Database& db) {
  return Requeue(db, std::nullopt);
}

absl::StatusOr<int64_t> RequeueCreatedSince(storage::Database& db,
                                            absl::Time since) {
  return Requeue(db, since);
}

absl::StatusOr<int64_t> RewriteKeyPayloads(
    storage::Tx& tx, absl::string_view topic, absl::string_view key,
    absl::FunctionRef<absl::StatusOr<std::optional<std::string>>(
        absl::string_view payload)>
        rewrite) {
  std::vector<std::pair<int64_t, std::string>> changed;
  {
    ASSIGN_OR_RETURN(storage::Statement st,
                     tx.Prepare("SELECT id, payload FROM outbox "
                                "WHERE topic = ?1 AND key = ?2 ORDER BY id"));
    RETURN_IF_ERROR(st.BindText(1, topic));
    RETURN_IF_ERROR(st.BindText(2, key));
    while (true) {
      ASSIGN_OR_RETURN(bool row, st.Step());
      if (!row) break;
      ASSIGN_OR_RETURN(std::optional<std::string> payload,
                       rewrite(st.ColumnBlob(1)));
      if (payload.has_value()) {
        changed.emplace_back(st.ColumnInt64(0), *std::move(payload));
      }
    }
  }
  for (const auto& [id, payload] : changed) {
    ASSIGN_OR_RETURN(storage::Statement st,
                     tx.Prepare("UPDATE outbox SET payload = ?2 WHERE id = ?1"));
    RETURN_IF_ERROR(st.BindInt64(1, id));
    RETURN_IF_ERROR(st.BindBlob(2, payload));
    RETURN_IF_ERROR(st.Run());
  }
  return static_cast<int64_t>(changed.size());
}

}  // namespace jit::outbox
