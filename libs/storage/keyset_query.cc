#include "libs/storage/keyset_query.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "libs/status/status_macros.h"

namespace jit::storage {

KeysetQuery::KeysetQuery(absl::string_view columns, absl::string_view from,
                         absl::string_view key, absl::string_view after_key,
                         int32_t limit)
    : key_(key), limit_(limit) {
  absl::StrAppend(&sql_, "SELECT ", columns, " FROM ", from, " WHERE ", key,
                  " > ?1");
  values_.push_back(Value{std::string(after_key), 0, false});
}

void KeysetQuery::Equal(absl::string_view column, absl::string_view value) {
  if (value.empty()) return;
  Compare(column, "=", value);
}

void KeysetQuery::EqualInt(absl::string_view column, int64_t value) {
  values_.push_back(Value{std::string(), value, true});
  absl::StrAppend(&sql_, " AND ", column, " = ?", values_.size());
}

void KeysetQuery::Compare(absl::string_view column, absl::string_view op,
                          absl::string_view value) {
  values_.push_back(Value{std::string(value), 0, false});
  absl::StrAppend(&sql_, " AND ", column, " ", op, " ?", values_.size());
}

void KeysetQuery::Condition(absl::string_view condition) {
  absl::StrAppend(&sql_, " AND ", condition);
}

void KeysetQuery::InScope(absl::string_view region_column,
                          absl::string_view centre_column, bool national,
                          const std::vector<std::string>& regions,
                          const std::vector<std::string>& centres) {
  if (national) return;
  std::vector<std::string> terms;
  const auto in = [&](absl::string_view column,
                      const std::vector<std::string>& values) {
    if (values.empty()) return;
    std::vector<std::string> marks;
    for (const std::string& v : values) {
      values_.push_back(Value{v, 0, false});
      marks.push_back(absl::StrCat("?", values_.size()));
    }
    terms.push_back(
        absl::StrCat(column, " IN (", absl::StrJoin(marks, ", "), ")"));
  };
  in(region_column, regions);
  in(centre_column, centres);
  absl::StrAppend(&sql_, " AND (",
                  terms.empty() ? "0" : absl::StrJoin(terms, " OR "), ")");
}

std::string KeysetQuery::Sql() const {
  return absl::StrCat(sql_, " ORDER BY ", key_, " LIMIT ?", values_.size() + 1);
}

absl::StatusOr<Statement> KeysetQuery::Prepare(Tx& tx) const {
  if (limit_ <= 0) {
    return absl::InvalidArgumentError(
        absl::StrCat("page limit must be positive, got ", limit_));
  }
  ASSIGN_OR_RETURN(Statement st, tx.Prepare(Sql()));
  int index = 1;
  for (const Value& v : values_) {
    RETURN_IF_ERROR(v.is_int ? st.BindInt64(index, v.number)
                             : st.BindText(index, v.text));
    ++index;
  }
  RETURN_IF_ERROR(st.BindInt64(index, int64_t{limit_} + 1));
  return st;
}

}  // namespace jit::storage
