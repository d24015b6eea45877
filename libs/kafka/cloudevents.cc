#include "libs/kafka/cloudevents.h"

#include <cstdint>

#include "absl/random/random.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "libs/status/status_macros.h"

namespace jit::kafka {
namespace {

bool IsLowerHex(absl::string_view s) {
  for (char c : s) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  }
  return true;
}

bool AllZero(absl::string_view s) {
  return s.find_first_not_of('0') == absl::string_view::npos;
}

std::string RandomNonZeroHex(int digits) {
  static thread_local absl::BitGen gen;
  std::string out;
  do {
    out.clear();
    for (int i = 0; i < digits; i += 8) {
      absl::StrAppendFormat(&out, "%08x", absl::Uniform<uint32_t>(gen));
    }
    out.resize(digits);
  } while (AllZero(out));
  return out;
}

absl::Status InvalidHeader(absl::string_view header, absl::string_view why) {
  return absl::InvalidArgumentError(
      absl::StrCat("CloudEvents header \"", header, "\": ", why));
}

}  // namespace

Headers ToHeaders(const CloudEventAttributes& attributes) {
  Headers headers = {
      {kCeSpecVersionHeader, kCloudEventsSpecVersion},
      {kCeIdHeader, attributes.id},
      {kCeSourceHeader, attributes.source},
      {kCeTypeHeader, attributes.type},
      {kCeTimeHeader, absl::FormatTime("%Y-%m-%dT%H:%M:%E*SZ", attributes.time,
                                       absl::UTCTimeZone())},
  };
  if (!attributes.subject.empty()) {
    headers.emplace_back(kCeSubjectHeader, attributes.subject);
  }
  if (!attributes.content_type.empty()) {
    headers.emplace_back(kContentTypeHeader, attributes.content_type);
  }
  if (!attributes.traceparent.empty()) {
    headers.emplace_back(kTraceparentHeader, attributes.traceparent);
  }
  return headers;
}

const std::string* FindHeader(const Headers& headers, absl::string_view name) {
  for (const auto& [key, value] : headers) {
    if (key == name) return &value;
  }
  return nullptr;
}

absl::StatusOr<CloudEventAttributes> FromHeaders(const Headers& headers) {
  // Each known header at most once.
  for (size_t i = 0; i < headers.size(); ++i) {
    const std::string& name = headers[i].first;
    const bool known = absl::StartsWith(name, "ce_") ||
                       name == kContentTypeHeader || name == kTraceparentHeader;
    if (!known) continue;
    for (size_t j = i + 1; j < headers.size(); ++j) {
      if (headers[j].first == name) return InvalidHeader(name, "repeated");
    }
  }

  const std::string* spec = FindHeader(headers, kCeSpecVersionHeader);
  if (spec == nullptr) return InvalidHeader(kCeSpecVersionHeader, "missing");
  if (*spec != kCloudEventsSpecVersion) {
    return InvalidHeader(
        kCeSpecVersionHeader,
        absl::StrCat("unsupported version \"", *spec, "\", want \"1.0\""));
  }

  CloudEventAttributes attributes;
  for (const auto& [name, field] :
       {std::pair{kCeIdHeader, &attributes.id},
        std::pair{kCeSourceHeader, &attributes.source},
        std::pair{kCeTypeHeader, &attributes.type}}) {
    const std::string* value = FindHeader(headers, name);
    if (value == nullptr) return InvalidHeader(name, "missing");
    if (value->empty()) return InvalidHeader(name, "empty");
    *field = *value;
  }

  const std::string* time = FindHeader(headers, kCeTimeHeader);
  if (time == nullptr) return InvalidHeader(kCeTimeHeader, "missing");
  std::string parse_error;
  if (!absl::ParseTime(absl::RFC3339_full, *time, &attributes.time,
                       &parse_error)) {
    return InvalidHeader(
        kCeTimeHeader,
        absl::StrCat("\"", *time, "\" is not RFC 3339 (", parse_error, ")"));
  }

  if (const std::string* subject = FindHeader(headers, kCeSubjectHeader)) {
    attributes.subject = *subject;
  }
  const std::string* content_type = FindHeader(headers, kContentTypeHeader);
  attributes.content_type = content_type != nullptr ? *content_type : "";
  if (const std::string* tp = FindHeader(headers, kTraceparentHeader)) {
    RETURN_IF_ERROR(ValidateTraceparent(*tp));
    attributes.traceparent = *tp;
  }
  return attributes;
}

std::string NewTraceparent() {
  return absl::StrCat("00-", RandomNonZeroHex(32), "-", RandomNonZeroHex(16),
                      "-01");
}

absl::Status ValidateTraceparent(absl::string_view tp) {
  // version "-" trace-id "-" parent-id "-" flags
  // 2       1   32       1   16        1   2     = 55
  if (tp.size() < 55 || tp[2] != '-' || tp[35] != '-' || tp[52] != '-') {
    return InvalidHeader(
        kTraceparentHeader,
        absl::StrCat("\"", tp, "\" is not version-traceid-parentid-flags"));
  }
  const absl::string_view version = tp.substr(0, 2);
  const absl::string_view trace_id = tp.substr(3, 32);
  const absl::string_view parent_id = tp.substr(36, 16);
  const absl::string_view flags = tp.substr(53, 2);
  if (!IsLowerHex(version) || version == "ff") {
    return InvalidHeader(kTraceparentHeader,
                         absl::StrCat("bad version \"", version, "\""));
  }
  if (version == "00" ? tp.size() != 55 : (tp.size() > 55 && tp[55] != '-')) {
    return InvalidHeader(
        kTraceparentHeader,
        absl::StrCat("unexpected trailing data in \"", tp, "\""));
  }
  if (!IsLowerHex(trace_id) || AllZero(trace_id)) {
    return InvalidHeader(
        kTraceparentHeader,
        absl::StrCat("trace id \"", trace_id,
                     "\" must be 32 lowercase hex digits, not all zero"));
  }
  if (!IsLowerHex(parent_id) || AllZero(parent_id)) {
    return InvalidHeader(
        kTraceparentHeader,
        absl::StrCat("parent id \"", parent_id,
                     "\" must be 16 lowercase hex digits, not all zero"));
  }
  if (!IsLowerHex(flags)) {
    return InvalidHeader(kTraceparentHeader,
                         absl::StrCat("bad flags \"", flags, "\""));
  }
  return absl::OkStatus();
}

absl::StatusOr<std::string> TraceIdFromTraceparent(
    absl::string_view traceparent) {
  RETURN_IF_ERROR(ValidateTraceparent(traceparent));
  return std::string(traceparent.substr(3, 32));
}

}  // namespace jit::kafka
