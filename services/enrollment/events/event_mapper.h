// The enrollment service's events adapter: turns a domain event
// (services/enrollment/domain/events.h) into the jobintech.events.v1
// LifecycleEvent envelope and into the outbox row that carries it to the
// `jobintech.enrollment.v1` topic.
//
//   ASSIGN_OR_RETURN(outbox::OutboxMessage row, ToOutboxMessage(event));
//   RETURN_IF_ERROR(outbox::Append(tx, row, clock.Now()));
//
// Metadata: a UUIDv7 event id taken from the event's occurred_at, event_type
// EventType(kind), source "jobintech/enrollment", occurred_at, the trainee id
// (trainee events) or the aggregate id (catalogue events), the sequence, the
// schema version, the request id, the trace id of a valid traceparent, and
// for trainee events the non-identifying TraineeDimensions. Nothing else of
// the DomainEvent leaves the service: it holds no personal data and the
// mapping reads only the fields listed here.
//
// Key: trainee id, or aggregate id (cohort id, track id, "programme").
// Headers: CloudEvents binary mode and W3C traceparent (libs/events); an
// invalid traceparent is dropped rather than published (consumers would
// dead-letter the record).
//
// Errors: INVALID_ARGUMENT naming the DomainEvent field for an event that
// does not describe what its kind says (no key or both keys, sequence < 1,
// no occurred time, a status that does not match the kind, a missing cohort
// or track snapshot, an aggregate id that is not the snapshot's id).
//
// Pure functions; thread-safe.
#ifndef JIT_SERVICES_ENROLLMENT_EVENTS_EVENT_MAPPER_H_
#define JIT_SERVICES_ENROLLMENT_EVENTS_EVENT_MAPPER_H_

#include "absl/status/statusor.h"
#include "jobintech/events/v1/enrollment_events.pb.h"
#include "jobintech/events/v1/lifecycle_event.pb.h"
#include "libs/outbox/message.h"
#include "services/enrollment/domain/events.h"
#include "services/enrollment/domain/model.h"

namespace jit::enrollment {

// CloudEvents source and EventMetadata.source of every enrollment event.
inline constexpr char kEventSource[] = "jobintech/enrollment";

// The envelope for `event` (metadata and body).
absl::StatusOr<::jobintech::events::v1::LifecycleEvent> ToLifecycleEvent(
    const DomainEvent& event);

// The outbox row for `event` on kafka::kEnrollmentTopic.
absl::StatusOr<outbox::OutboxMessage> ToOutboxMessage(const DomainEvent& event);

// Domain states as contract states.
::jobintech::events::v1::ApplicationState ToApplicationState(
    ApplicationStatus status);
::jobintech::events::v1::CohortState ToCohortState(CohortStatus status);

}  // namespace jit::enrollment

#endif  // JIT_SERVICES_ENROLLMENT_EVENTS_EVENT_MAPPER_H_
