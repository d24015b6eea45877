// The placement service's events adapter: turns a domain event
// (services/placement/domain/events.h) into the jobintech.events.v1
// LifecycleEvent envelope and into the outbox row that carries it to the
// `jobintech.placement.v1` topic.
//
//   ASSIGN_OR_RETURN(outbox::OutboxMessage row, ToOutboxMessage(event));
//   RETURN_IF_ERROR(outbox::Append(tx, row, clock.Now()));
//
// Metadata: a UUIDv7 event id taken from the event's occurred_at, event_type
// EventType(kind), source "jobintech/placement", occurred_at, the trainee id
// (trainee events) or the aggregate id (employer and job offer events), the
// sequence, the schema version, the request id, the trace id of a valid
// traceparent, and for trainee events the non-identifying TraineeDimensions.
// Trainee bodies carry the exit (kind, date, cohort) and the previous and new
// placement states. Nothing else of the DomainEvent leaves the service.
//
// Key: trainee id, or employer id / job offer id.
// Headers: CloudEvents binary mode and W3C traceparent (libs/events); an
// invalid traceparent is dropped rather than published.
//
// Errors: INVALID_ARGUMENT naming the DomainEvent field for an event that
// does not describe what its kind says (no key or both keys, sequence < 1,
// no occurred time, a trainee event without exit or new state, a missing
// offer / placement / follow-up / employer / job offer, an aggregate id that
// is not the entity's id).
//
// Pure functions; thread-safe.
#ifndef JIT_SERVICES_PLACEMENT_EVENTS_EVENT_MAPPER_H_
#define JIT_SERVICES_PLACEMENT_EVENTS_EVENT_MAPPER_H_

#include "absl/status/statusor.h"
#include "jobintech/events/v1/lifecycle_event.pb.h"
#include "libs/outbox/message.h"
#include "services/placement/domain/events.h"

namespace jit::placement {

// CloudEvents source and EventMetadata.source of every placement event.
inline constexpr char kEventSource[] = "jobintech/placement";

// The envelope for `event` (metadata and body).
absl::StatusOr<::jobintech::events::v1::LifecycleEvent> ToLifecycleEvent(
    const DomainEvent& event);

// The outbox row for `event` on kafka::kPlacementTopic.
absl::StatusOr<outbox::OutboxMessage> ToOutboxMessage(const DomainEvent& event);

}  // namespace jit::placement

#endif  // JIT_SERVICES_PLACEMENT_EVENTS_EVENT_MAPPER_H_
