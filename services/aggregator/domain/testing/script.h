// A small text format for the aggregator's golden tests: an event stream in,
// a dashboard report out.
//
//   # comment
//   today 2026-06-30
//   journey t1 cohort=c1 gender=F province=MA-FQH track=cybersecurity
//   2025-01-10 application_submitted t1 seq=1
//   2025-03-01 training_started t1 seq=1 date=2025-03-02
//   2025-09-01 placement_started t1 seq=2 exit=completed:2025-08-29 job=p1:permanent:2025-10-01
//   2025-09-01 follow_up_recorded t1 seq=3 exit=completed:2025-08-29 followup=6:same:2026-02-28
//   2025-01-01 programme_target_changed programme seq=1 target=20000
//
// A trainee event takes its cohort and dimensions from the latest `journey`
// line of its trainee. Options: seq=N (required), id=EVENT_ID (default
// "<key>/<stream>/<seq>"), cohort=, date=, exit=kind:date
// (completed|dropped|withdrawn), job=id:type:start
// (permanent|fixed|internship|self|study), followup=months:outcome:date
// (same|other|none|unreachable), active=date, target=N, name=.
#ifndef JIT_SERVICES_AGGREGATOR_DOMAIN_TESTING_SCRIPT_H_
#define JIT_SERVICES_AGGREGATOR_DOMAIN_TESTING_SCRIPT_H_

#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "services/aggregator/domain/fold.h"

namespace jit::aggregator::testing {

struct Script {
  std::vector<Event> events;
  std::optional<Day> today;
};

absl::StatusOr<Script> ParseScript(absl::string_view text);

// Every registry metric for the nation, each region and each province that
// has data (internal view), then the same with suppression at `threshold`
// (public view), then the public regions table of key figures.
std::string RenderReport(const Fold& fold, Day today, int threshold);

}  // namespace jit::aggregator::testing

#endif  // JIT_SERVICES_AGGREGATOR_DOMAIN_TESTING_SCRIPT_H_
