// The training-progress service's events adapter: turns a domain event
// (services/training-progress/domain/events.h) into the jobintech.events.v1
// LifecycleEvent envelope and into the outbox row that carries it to the
// `jobintech.progress.v1` topic.
//
//   ASSIGN_OR_RETURN(outbox::OutboxMessage row, ToOutboxMessage(event));
//   RETURN_IF_ERROR(outbox::Append(tx, row, clock.Now()));
//
// Metadata: a UUIDv7 event id taken from the event's occurred_at, event_type
// EventType(kind), source "jobintech/training-progress", occurred_at, the
// trainee id (the Kafka key), the per-trainee sequence, the schema version,
// the request id, the trace id of a valid traceparent, and the trainee's
// non-identifying TraineeDimensions. Nothing else of the DomainEvent leaves
// the service: it holds no personal data and the mapping reads only the
// fields listed in README.md.
//
// Errors: INVALID_ARGUMENT naming the DomainEvent field for an event that
// does not describe what its kind says (no trainee or cohort, sequence < 1,
// no occurred time, a transition without previous status or with a status
// that does not match the kind, a record event without its module, day or
// certificate).
//
// Pure functions; thread-safe.
#ifndef JIT_SERVICES_TRAINING_PROGRESS_EVENTS_EVENT_MAPPER_H_
#define JIT_SERVICES_TRAINING_PROGRESS_EVENTS_EVENT_MAPPER_H_

#include "absl/status/statusor.h"
#include "jobintech/events/v1/lifecycle_event.pb.h"
#include "jobintech/events/v1/placement_events.pb.h"
#include "jobintech/events/v1/progress_events.pb.h"
#include "libs/outbox/message.h"
#include "services/training-progress/domain/events.h"
#include "services/training-progress/domain/model.h"

namespace jit::progress {

// CloudEvents source and EventMetadata.source of every progress event.
inline constexpr char kEventSource[] = "jobintech/training-progress";

// The envelope for `event` (metadata and body).
absl::StatusOr<::jobintech::events::v1::LifecycleEvent> ToLifecycleEvent(
    const DomainEvent& event);

// The outbox row for `event` on kafka::kProgressTopic, keyed by trainee id.
absl::StatusOr<outbox::OutboxMessage> ToOutboxMessage(const DomainEvent& event);

// Domain values as contract values (the numbering is shared).
::jobintech::events::v1::TrainingState ToTrainingState(TrainingStatus status);
::jobintech::events::v1::AttendanceMark ToAttendanceMark(AttendanceMark mark);
::jobintech::events::v1::ExitKind ToExitKind(ExitKind kind);

}  // namespace jit::progress

#endif  // JIT_SERVICES_TRAINING_PROGRESS_EVENTS_EVENT_MAPPER_H_
