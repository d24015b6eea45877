// Seeded populations of journeys for the aggregator's disclosure tests and
// benchmarks: applications spread over some provinces (every 7th of the
// atlas, so over regions), the three tracks and three genders (10 %
// undeclared), then the funnel (rejections, waitlists, declines,
// enrolments, withdrawals, drop-outs, completions, certificates,
// placements) drawn from one seed.
#ifndef JIT_SERVICES_AGGREGATOR_DOMAIN_TESTING_POPULATION_H_
#define JIT_SERVICES_AGGREGATOR_DOMAIN_TESTING_POPULATION_H_

#include <cstdint>
#include <string>
#include <vector>

#include "services/aggregator/domain/event.h"

namespace jit::aggregator::testing {

// The tracks journeys are drawn from.
const std::vector<std::string>& SeededTracks();

// `journeys` journeys over `provinces` provinces (at most the atlas's), in
// order of each journey's steps, after the catalogue entries (TrackAdded,
// CohortOpened) they need; the same arguments give the same events.
std::vector<Event> SeededJourneys(uint32_t seed, int journeys, int provinces);

}  // namespace jit::aggregator::testing

#endif  // JIT_SERVICES_AGGREGATOR_DOMAIN_TESTING_POPULATION_H_
