#include "libs/events/envelope.h"

#include "absl/strings/str_cat.h"
#include "google/protobuf/util/time_util.h"
#include "libs/ids/ids.h"
#include "libs/kafka/cloudevents.h"
#include "libs/kafka/topics.h"
#include "libs/status/field_violations.h"
#include "libs/status/status_macros.h"

namespace jit::events {

std::string CloudEventType(absl::string_view event_type) {
  return absl::StrCat("ma.jobintech.", event_type, ".v", kSchemaVersion);
}

void StampMetadata(LifecycleEvent& event, absl::string_view event_type,
                   absl::string_view source, const Clock& clock) {
  auto* md = event.mutable_metadata();
  md->set_event_id(ids::NewUuidV7(clock));
  md->set_event_type(std::string(event_type));
  md->set_source(std::string(source));
  const absl::Time now = clock.Now();
  md->mutable_occurred_at()->set_seconds(absl::ToUnixSeconds(now));
  md->mutable_occurred_at()->set_nanos(static_cast<int32_t>(
      absl::ToInt64Nanoseconds(now - absl::FromUnixSeconds(absl::ToUnixSeconds(now)))));
  md->set_schema_version(kSchemaVersion);
}

const std::string& KeyOf(const LifecycleEvent& event) {
  const auto& md = event.metadata();
  return md.trainee_id().empty() ? md.aggregate_id() : md.trainee_id();
}

absl::Status Validate(const LifecycleEvent& event) {
  status::FieldViolations v;
  if (!event.has_metadata()) {
    v.Add("metadata", "is required");
    return v.ToStatus();
  }
  const auto& md = event.metadata();
  if (!ids::IsUuid(md.event_id())) {
    v.Add("metadata.event_id", "must be a UUID");
  }
  if (md.event_type().empty()) v.Add("metadata.event_type", "is required");
  if (md.source().empty()) v.Add("metadata.source", "is required");
  if (!md.has_occurred_at() || md.occurred_at().seconds() <= 0) {
    v.Add("metadata.occurred_at", "is required");
  }
  if (md.trainee_id().empty() == md.aggregate_id().empty()) {
    v.Add("metadata.trainee_id",
          "exactly one of trainee_id and aggregate_id must be set");
  }
  if (md.sequence() < 1) v.Add("metadata.sequence", "must be >= 1");
  if (event.body_case() == LifecycleEvent::BODY_NOT_SET) {
    v.Add("body", "is required (unknown or missing event body)");
  }
  return v.ToStatus();
}

absl::StatusOr<outbox::OutboxMessage> ToOutboxMessage(
    const LifecycleEvent& event, absl::string_view topic,
    absl::string_view traceparent) {
  RETURN_IF_ERROR(Validate(event));
  const auto& md = event.metadata();
  kafka::CloudEventAttributes ce;
  ce.id = md.event_id();
  ce.source = md.source();
  ce.type = CloudEventType(md.event_type());
  ce.subject = KeyOf(event);
  ce.time = absl::FromUnixSeconds(md.occurred_at().seconds()) +
            absl::Nanoseconds(md.occurred_at().nanos());
  ce.traceparent = std::string(traceparent);

  outbox::OutboxMessage msg;
  msg.topic = std::string(topic);
  msg.key = KeyOf(event);
  if (!event.SerializeToString(&msg.payload)) {
    return absl::InternalError("cannot serialize LifecycleEvent");
  }
  msg.headers = kafka::ToHeaders(ce);
  return msg;
}

absl::StatusOr<LifecycleEvent> Decode(absl::string_view key,
                                      absl::string_view value,
                                      const kafka::Headers& headers) {
  LifecycleEvent event;
  if (!event.ParseFromArray(value.data(), static_cast<int>(value.size()))) {
    return absl::InvalidArgumentError(
        "value is not a jobintech.events.v1.LifecycleEvent");
  }
  RETURN_IF_ERROR(Validate(event));
  absl::StatusOr<kafka::CloudEventAttributes> ce = kafka::FromHeaders(headers);
  if (!ce.ok()) return ce.status();
  const auto& md = event.metadata();
  if (ce->id != md.event_id()) {
    return absl::InvalidArgumentError(absl::StrCat(
        "header ce_id '", ce->id, "' differs from metadata.event_id '",
        md.event_id(), "'"));
  }
  if (ce->type != CloudEventType(md.event_type())) {
    return absl::InvalidArgumentError(absl::StrCat(
        "header ce_type '", ce->type, "' does not match event type '",
        md.event_type(), "'"));
  }
  if (key != KeyOf(event)) {
    return absl::InvalidArgumentError(absl::StrCat(
        "record key '", key, "' differs from the event's key '", KeyOf(event),
        "'"));
  }
  return event;
}

kafka::Message DeadLetter(absl::string_view topic, int32_t partition,
                          int64_t offset, absl::string_view key,
                          absl::string_view value, const kafka::Headers& headers,
                          absl::string_view reason) {
  kafka::Message m;
  m.topic = kafka::DeadLetterTopic(std::string(topic));
  m.key = std::string(key);
  m.value = std::string(value);
  m.headers = headers;
  // Bounded: a reason may echo part of the record, and the dead letter must
  // stay producible.
  m.headers.emplace_back(kDlqReasonHeader, std::string(reason.substr(0, 512)));
  m.headers.emplace_back(kDlqTopicHeader, std::string(topic));
  m.headers.emplace_back(kDlqPartitionHeader, absl::StrCat(partition));
  m.headers.emplace_back(kDlqOffsetHeader, absl::StrCat(offset));
  return m;
}

}  // namespace jit::events
