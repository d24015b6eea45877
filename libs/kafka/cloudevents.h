// CloudEvents 1.0 Kafka protocol binding, binary content mode: event
// attributes travel as record headers ("ce_" + attribute name, plus
// "content-type"), the record value is the event data (a protobuf
// jobintech.events.v1.LifecycleEvent). W3C Trace Context rides along in the
// "traceparent" header.
#ifndef JIT_LIBS_KAFKA_CLOUDEVENTS_H_
#define JIT_LIBS_KAFKA_CLOUDEVENTS_H_

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "libs/kafka/message.h"

namespace jit::kafka {

inline constexpr char kCeSpecVersionHeader[] = "ce_specversion";
inline constexpr char kCeIdHeader[] = "ce_id";
inline constexpr char kCeSourceHeader[] = "ce_source";
inline constexpr char kCeTypeHeader[] = "ce_type";
inline constexpr char kCeTimeHeader[] = "ce_time";
inline constexpr char kCeSubjectHeader[] = "ce_subject";
inline constexpr char kContentTypeHeader[] = "content-type";
inline constexpr char kTraceparentHeader[] = "traceparent";
inline constexpr char kCloudEventsSpecVersion[] = "1.0";
inline constexpr char kProtobufContentType[] = "application/protobuf";

struct CloudEventAttributes {
  // Unique per source, e.g. the event UUID.
  std::string id = {};
  // The producing service, e.g. "jobintech/enrollment".
  std::string source = {};
  // e.g. "ma.jobintech.enrollment.trainee.enrolled.v1".
  std::string type = {};
  // Optional, e.g. the trainee id.
  std::string subject = {};
  // Optional media type of the record value.
  std::string content_type = kProtobufContentType;
  // When the change happened.
  absl::Time time = {};
  // Optional W3C traceparent.
  std::string traceparent = {};

  friend bool operator==(const CloudEventAttributes&,
                         const CloudEventAttributes&) = default;
};

// Headers in this order: ce_specversion ("1.0"), ce_id, ce_source, ce_type,
// ce_time (RFC 3339, UTC, "Z"), ce_subject, content-type, traceparent; the
// last three only when not empty.
Headers ToHeaders(const CloudEventAttributes& attributes);

// Records with more headers than this are refused whole (FromHeaders).
// Ours carry at most 8, plus 4 when dead-lettered.
inline constexpr size_t kMaxHeaders = 64;

// Reads the attributes back, ignoring headers of other names. Errors are
// INVALID_ARGUMENT: more than kMaxHeaders headers; otherwise naming the
// header: ce_specversion missing or not "1.0";
// ce_id, ce_source or ce_type missing or empty; ce_time missing or not
// RFC 3339; traceparent present but malformed (see ValidateTraceparent); a
// ce_* / content-type / traceparent header repeated. An absent content-type
// yields an empty content_type.
absl::StatusOr<CloudEventAttributes> FromHeaders(const Headers& headers);

// The value of the first header named `name`, or nullptr.
const std::string* FindHeader(const Headers& headers, absl::string_view name);

// A new traceparent "00-<32 hex trace id>-<16 hex span id>-01" (sampled)
// with random, non-zero ids.
std::string NewTraceparent();

// OK when `traceparent` is a valid W3C traceparent: version 2 lowercase hex
// digits (not "ff"), trace id 32 lowercase hex digits not all zero, parent
// id 16 lowercase hex digits not all zero, flags 2 hex digits; version 00 is
// exactly 55 characters, later versions may append "-...". Parsed by
// log::ParseTraceparent (the project's one parser); the error names the
// header.
absl::Status ValidateTraceparent(absl::string_view traceparent);

// The 32 hex digit trace id of a valid traceparent.
absl::StatusOr<std::string> TraceIdFromTraceparent(
    absl::string_view traceparent);

}  // namespace jit::kafka

#endif  // JIT_LIBS_KAFKA_CLOUDEVENTS_H_
