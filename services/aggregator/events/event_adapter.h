// Events adapter of the aggregator: a decoded jobintech.events.v1
// LifecycleEvent read from a lifecycle topic -> the fold's Event.
//
// libs/events Decode() has already checked the envelope (UUID event id, type,
// source, occurred time, exactly one key, sequence >= 1, a known body) and
// that the headers agree with it. This adapter checks what the fold relies
// on besides, and anything it refuses goes to the dead-letter topic with the
// returned reason:
//   - the body belongs to the topic's producing service (field numbers
//     100-199 enrollment, 200-299 progress, 300-399 placement);
//   - trainee events carry a trainee id, catalogue events an aggregate id;
//   - a trainee event names its cohort (body, exit, or dimensions);
//   - enrollment trainee events carry a known training region or province
//     (ISO 3166-2:MA, checked against libs/geo; a province outside its
//     region is refused);
//   - dates the fold uses are valid calendar dates (placement start, exit
//     date of placement events, completion date...);
//   - a programme target is positive;
//   - bounds, so that hostile events cannot grow memory or the public
//     tables without limit: every id (trainee, aggregate, cohort, track,
//     placement) is 1-64 characters of [A-Za-z0-9._:-]; names are at most
//     400 bytes (100 characters, as the services allow); occurred_at and the
//     business dates lie between 2015-01-01 (the programme's events cannot
//     be older) and `now` + 1 day (clock skew between hosts); a follow-up is
//     at 3, 6 or 12 months; capacities and targets are at most 10,000,000.
#ifndef JIT_SERVICES_AGGREGATOR_EVENTS_EVENT_ADAPTER_H_
#define JIT_SERVICES_AGGREGATOR_EVENTS_EVENT_ADAPTER_H_

#include <optional>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "jobintech/events/v1/lifecycle_event.pb.h"
#include "services/aggregator/domain/event.h"

namespace jit::aggregator {

// The programme's time zone (Africa/Casablanca from the system's zoneinfo,
// or UTC+1 when it is missing).
absl::TimeZone ProgrammeTimeZone();

// The stream a lifecycle topic carries; nullopt for another topic.
std::optional<Stream> StreamOfTopic(absl::string_view topic);

// INVALID_ARGUMENT with a reason fit for the dead-letter header.
// `now` bounds the dates from above (InfiniteFuture: no upper bound, for
// replays of recorded data in tests).
absl::StatusOr<Event> ToFoldEvent(const jobintech::events::v1::LifecycleEvent& event,
                                  absl::string_view topic, const absl::TimeZone& zone,
                                  absl::Time now = absl::InfiniteFuture());

}  // namespace jit::aggregator

#endif  // JIT_SERVICES_AGGREGATOR_EVENTS_EVENT_ADAPTER_H_
