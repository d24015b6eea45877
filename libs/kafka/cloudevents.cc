#include "libs/kafka/cloudevents.h"

#include "absl/container/flat_hash_set.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "libs/log/trace.h"
#include "libs/status/status_macros.h"

namespace jit::kafka {
namespace {

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
  // A bounded number of headers (a hostile producer could send thousands),
  // each known one at most once: one pass with a set, linear in the count.
  if (headers.size() > kMaxHeaders) {
    return absl::InvalidArgumentError(
        absl::StrCat("record has ", headers.size(), " headers, more than ",
                     kMaxHeaders));
  }
  absl::flat_hash_set<absl::string_view> seen;
  for (const auto& [name, value] : headers) {
    const bool known = absl::StartsWith(name, "ce_") ||
                       name == kContentTypeHeader || name == kTraceparentHeader;
    if (known && !seen.insert(name).second) {
      return InvalidHeader(name, "repeated");
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
  return log::MakeTraceparent(log::NewTraceId());
}

absl::Status ValidateTraceparent(absl::string_view tp) {
  const absl::StatusOr<log::Traceparent> parsed = log::ParseTraceparent(tp);
  if (!parsed.ok()) {
    return InvalidHeader(kTraceparentHeader, parsed.status().message());
  }
  return absl::OkStatus();
}

absl::StatusOr<std::string> TraceIdFromTraceparent(
    absl::string_view traceparent) {
  RETURN_IF_ERROR(ValidateTraceparent(traceparent));
  return std::string(traceparent.substr(3, 32));
}

}  // namespace jit::kafka
