// Rendering of service answers for jitctl: JSON (protobuf's JSON mapping,
// every field printed) for scripts, and for people "key: value" lines and
// aligned tables built from field paths by reflection, so that commands only
// name the fields they show.
#ifndef JIT_TOOLS_JITCTL_OUTPUT_H_
#define JIT_TOOLS_JITCTL_OUTPUT_H_

#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "google/protobuf/message.h"

namespace jit::jitctl {

// protobuf JSON mapping (lowerCamelCase names, enums by full name), with
// fields at their default value printed too; one line unless `pretty`.
std::string ToJson(const google::protobuf::Message& message, bool pretty = false);

// The value at a dotted field path ("cohort.location.region_code") as text:
// enums by short name ("open"), jobintech Date as YYYY-MM-DD, Timestamp as
// RFC 3339, repeated fields as their count, unset messages as "".
std::string FieldText(const google::protobuf::Message& message, absl::string_view path);

// Every set field as "path: value" lines (nested messages flattened,
// repeated scalars joined, repeated messages indexed).
std::string ObjectText(const google::protobuf::Message& message);

// A table with aligned columns (display width counts UTF-8 code points).
class Table {
 public:
  explicit Table(std::vector<std::string> headers) : headers_(std::move(headers)) {}
  void AddRow(std::vector<std::string> cells) { rows_.push_back(std::move(cells)); }
  size_t size() const { return rows_.size(); }
  std::string Render() const;

 private:
  std::vector<std::string> headers_;
  std::vector<std::vector<std::string>> rows_;
};

struct Column {
  std::string header;
  std::string path;  // field path within one element
};

// A table of the elements of `repeated_field` of `message`.
std::string RepeatedTable(const google::protobuf::Message& message,
                          absl::string_view repeated_field, const std::vector<Column>& columns);

// Number of UTF-8 code points.
size_t DisplayWidth(absl::string_view s);

}  // namespace jit::jitctl

#endif  // JIT_TOOLS_JITCTL_OUTPUT_H_
