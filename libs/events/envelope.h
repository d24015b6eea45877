// The LifecycleEvent envelope on the wire: how a service turns an event into
// an outbox row (Kafka key, protobuf value, CloudEvents binary-mode headers),
// and how a consumer turns a Kafka record back into a validated event.
//
// Key: the trainee id for trainee events, the aggregate id (e.g. a cohort id)
// for catalogue events, so one trainee's events keep their order and the
// three lifecycle topics are co-partitioned.
//
// Headers (CloudEvents Kafka binary binding): ce_specversion, ce_id (= the
// event id), ce_source, ce_type ("ma.jobintech.<event_type>.v1"), ce_time,
// ce_subject (the key), content-type "application/protobuf", traceparent.
#ifndef JIT_LIBS_EVENTS_ENVELOPE_H_
#define JIT_LIBS_EVENTS_ENVELOPE_H_

#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "jobintech/events/v1/lifecycle_event.pb.h"
#include "libs/clock/clock.h"
#include "libs/kafka/message.h"
#include "libs/outbox/message.h"

namespace jit::events {

using ::jobintech::events::v1::LifecycleEvent;

inline constexpr int kSchemaVersion = 1;

// "ma.jobintech." + event_type + ".v1".
std::string CloudEventType(absl::string_view event_type);

// Fills the metadata every event needs: a new time-ordered event id, the type,
// source, occurred time from `clock` and the schema version. The caller sets
// the key (trainee_id or aggregate_id), sequence, dimensions and body.
void StampMetadata(LifecycleEvent& event, absl::string_view event_type,
                   absl::string_view source, const Clock& clock);

// Checks what every consumer relies on: a UUID event id, a type, a source,
// an occurred time, exactly one of trainee_id / aggregate_id, a sequence >= 1
// and a body. INVALID_ARGUMENT naming the field otherwise.
absl::Status Validate(const LifecycleEvent& event);

// The Kafka key of an event (trainee id, else aggregate id).
const std::string& KeyOf(const LifecycleEvent& event);

// Validates `event` and encodes it as an outbox row for `topic`. `traceparent`
// may be empty (the W3C header is then omitted).
absl::StatusOr<outbox::OutboxMessage> ToOutboxMessage(
    const LifecycleEvent& event, absl::string_view topic,
    absl::string_view traceparent);

// Decodes a Kafka record into a validated event and checks that the headers
// agree with the payload (ce_id = event id, ce_type, key). Any failure is
// INVALID_ARGUMENT with a reason fit for a dead-letter header.
absl::StatusOr<LifecycleEvent> Decode(absl::string_view key,
                                      absl::string_view value,
                                      const kafka::Headers& headers);

// Header names added to a dead-lettered record (the original headers, key and
// value are kept as they were).
inline constexpr char kDlqReasonHeader[] = "jit_dlq_reason";
inline constexpr char kDlqTopicHeader[] = "jit_dlq_original_topic";
inline constexpr char kDlqPartitionHeader[] = "jit_dlq_original_partition";
inline constexpr char kDlqOffsetHeader[] = "jit_dlq_original_offset";

// The record to publish on `<topic>.dlq` for an undecodable record.
kafka::Message DeadLetter(absl::string_view topic, int32_t partition,
                          int64_t offset, absl::string_view key,
                          absl::string_view value, const kafka::Headers& headers,
                          absl::string_view reason);

}  // namespace jit::events

#endif  // JIT_LIBS_EVENTS_ENVELOPE_H_
