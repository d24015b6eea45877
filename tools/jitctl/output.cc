#include "tools/jitctl/output.h"

#include <algorithm>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/time/time.h"
#include "google/protobuf/descriptor.h"
#include "google/protobuf/timestamp.pb.h"
#include "google/protobuf/util/json_util.h"
#include "tools/jitctl/enums.h"

namespace jit::jitctl {
namespace {

using google::protobuf::FieldDescriptor;
using google::protobuf::Message;
using google::protobuf::Reflection;

bool IsDate(const google::protobuf::Descriptor* d) {
  return d->full_name() == "jobintech.common.v1.Date";
}
bool IsTimestamp(const google::protobuf::Descriptor* d) {
  return d->full_name() == "google.protobuf.Timestamp";
}

std::string MessageScalarText(const Message& m) {
  const google::protobuf::Descriptor* d = m.GetDescriptor();
  const Reflection* r = m.GetReflection();
  if (IsDate(d)) {
    jobintech::common::v1::Date date;
    date.set_year(r->GetInt32(m, d->FindFieldByName("year")));
    date.set_month(r->GetInt32(m, d->FindFieldByName("month")));
    date.set_day(r->GetInt32(m, d->FindFieldByName("day")));
    return FormatDate(date);
  }
  if (IsTimestamp(d)) {
    const int64_t seconds = r->GetInt64(m, d->FindFieldByName("seconds"));
    const int32_t nanos = r->GetInt32(m, d->FindFieldByName("nanos"));
    if (seconds == 0 && nanos == 0) return "";
    const absl::Time t = absl::FromUnixSeconds(seconds) + absl::Nanoseconds(nanos);
    return absl::FormatTime("%Y-%m-%dT%H:%M:%SZ", t, absl::UTCTimeZone());
  }
  return "";
}

std::string ScalarText(const Message& m, const FieldDescriptor* f, int index) {
  const Reflection* r = m.GetReflection();
  const bool rep = f->is_repeated();
  switch (f->cpp_type()) {
    case FieldDescriptor::CPPTYPE_INT32:
      return absl::StrCat(rep ? r->GetRepeatedInt32(m, f, index) : r->GetInt32(m, f));
    case FieldDescriptor::CPPTYPE_INT64:
      return absl::StrCat(rep ? r->GetRepeatedInt64(m, f, index) : r->GetInt64(m, f));
    case FieldDescriptor::CPPTYPE_UINT32:
      return absl::StrCat(rep ? r->GetRepeatedUInt32(m, f, index) : r->GetUInt32(m, f));
    case FieldDescriptor::CPPTYPE_UINT64:
      return absl::StrCat(rep ? r->GetRepeatedUInt64(m, f, index) : r->GetUInt64(m, f));
    case FieldDescriptor::CPPTYPE_DOUBLE:
      return absl::StrCat(rep ? r->GetRepeatedDouble(m, f, index) : r->GetDouble(m, f));
    case FieldDescriptor::CPPTYPE_FLOAT:
      return absl::StrCat(rep ? r->GetRepeatedFloat(m, f, index) : r->GetFloat(m, f));
    case FieldDescriptor::CPPTYPE_BOOL:
      return (rep ? r->GetRepeatedBool(m, f, index) : r->GetBool(m, f)) ? "yes" : "no";
    case FieldDescriptor::CPPTYPE_ENUM:
      return ShortEnumName(f->enum_type(),
                           rep ? r->GetRepeatedEnumValue(m, f, index) : r->GetEnumValue(m, f));
    case FieldDescriptor::CPPTYPE_STRING:
      return rep ? r->GetRepeatedString(m, f, index) : r->GetString(m, f);
    case FieldDescriptor::CPPTYPE_MESSAGE:
      return MessageScalarText(rep ? r->GetRepeatedMessage(m, f, index) : r->GetMessage(m, f));
  }
  return "";
}

void Flatten(const Message& m, const std::string& prefix, std::vector<std::string>& lines) {
  const Reflection* r = m.GetReflection();
  std::vector<const FieldDescriptor*> fields;
  r->ListFields(m, &fields);
  for (const FieldDescriptor* f : fields) {
    const std::string path = prefix.empty() ? f->name() : absl::StrCat(prefix, ".", f->name());
    const bool is_msg = f->cpp_type() == FieldDescriptor::CPPTYPE_MESSAGE;
    const bool leaf_msg =
        is_msg && (IsDate(f->message_type()) || IsTimestamp(f->message_type()));
    if (f->is_repeated()) {
      const int n = r->FieldSize(m, f);
      if (!is_msg || leaf_msg) {
        std::vector<std::string> items;
        for (int i = 0; i < n; ++i) items.push_back(ScalarText(m, f, i));
        lines.push_back(absl::StrCat(path, ": ", absl::StrJoin(items, ", ")));
      } else {
        for (int i = 0; i < n; ++i) {
          Flatten(r->GetRepeatedMessage(m, f, i), absl::StrCat(path, "[", i, "]"), lines);
        }
      }
    } else if (is_msg && !leaf_msg) {
      Flatten(r->GetMessage(m, f), path, lines);
    } else {
      lines.push_back(absl::StrCat(path, ": ", ScalarText(m, f, 0)));
    }
  }
}

}  // namespace

std::string ToJson(const Message& message, bool pretty) {
  google::protobuf::util::JsonPrintOptions options;
  options.always_print_primitive_fields = true;
  options.add_whitespace = pretty;
  std::string out;
  auto st = google::protobuf::util::MessageToJsonString(message, &out, options);
  if (!st.ok()) return absl::StrCat("{\"error\":\"cannot print as JSON\"}");
  return out;
}

std::string FieldText(const Message& message, absl::string_view path) {
  const Message* m = &message;
  std::vector<std::string> parts = absl::StrSplit(path, '.');
  for (size_t i = 0; i < parts.size(); ++i) {
    const FieldDescriptor* f = m->GetDescriptor()->FindFieldByName(parts[i]);
    if (f == nullptr) return "?";
    const Reflection* r = m->GetReflection();
    if (f->is_repeated()) return absl::StrCat(r->FieldSize(*m, f));
    if (i + 1 == parts.size()) {
      if (f->cpp_type() == FieldDescriptor::CPPTYPE_MESSAGE && !r->HasField(*m, f)) return "";
      return ScalarText(*m, f, 0);
    }
    if (f->cpp_type() != FieldDescriptor::CPPTYPE_MESSAGE) return "?";
    m = &r->GetMessage(*m, f);
  }
  return "";
}

std::string ObjectText(const Message& message) {
  std::vector<std::string> lines;
  Flatten(message, "", lines);
  if (lines.empty()) return "(empty)\n";
  return absl::StrCat(absl::StrJoin(lines, "\n"), "\n");
}

size_t DisplayWidth(absl::string_view s) {
  size_t n = 0;
  for (char c : s) {
    if ((static_cast<unsigned char>(c) & 0xC0) != 0x80) ++n;
  }
  return n;
}

std::string Table::Render() const {
  std::vector<size_t> width(headers_.size(), 0);
  for (size_t c = 0; c < headers_.size(); ++c) width[c] = DisplayWidth(headers_[c]);
  for (const auto& row : rows_) {
    for (size_t c = 0; c < row.size() && c < width.size(); ++c) {
      width[c] = std::max(width[c], DisplayWidth(row[c]));
    }
  }
  auto line = [&](const std::vector<std::string>& cells) {
    std::string out;
    for (size_t c = 0; c < headers_.size(); ++c) {
      const std::string cell = c < cells.size() ? cells[c] : "";
      out += cell;
      if (c + 1 < headers_.size()) out += std::string(width[c] - DisplayWidth(cell) + 2, ' ');
    }
    while (!out.empty() && out.back() == ' ') out.pop_back();
    return out + "\n";
  };
  std::string out = line(headers_);
  for (const auto& row : rows_) out += line(row);
  return out;
}

std::string RepeatedTable(const Message& message, absl::string_view repeated_field,
                          const std::vector<Column>& columns) {
  std::vector<std::string> headers;
  for (const Column& c : columns) headers.push_back(c.header);
  Table table(headers);
  const FieldDescriptor* f =
      message.GetDescriptor()->FindFieldByName(std::string(repeated_field));
  if (f == nullptr || !f->is_repeated() || f->cpp_type() != FieldDescriptor::CPPTYPE_MESSAGE) {
    return "";
  }
  const Reflection* r = message.GetReflection();
  for (int i = 0; i < r->FieldSize(message, f); ++i) {
    const Message& item = r->GetRepeatedMessage(message, f, i);
    std::vector<std::string> cells;
    for (const Column& c : columns) cells.push_back(FieldText(item, c.path));
    table.AddRow(std::move(cells));
  }
  return table.Render();
}

}  // namespace jit::jitctl
