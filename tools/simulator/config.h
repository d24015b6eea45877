// The simulator's knobs: rates and probabilities per region and track.
//
// Every knob has a built-in default, then may be overridden per region, per
// track, or per region and track, from the built-in regional profile, a
// config file (--config) and --set. Keys are `[SCOPE.]NAME = VALUE` where
// SCOPE is a region ("MA-05"), a track ("cybersecurity") or both
// ("MA-05/cybersecurity"); for one (region, track) the most specific value
// wins: region/track, then track, then region, then the default.
//
//   # more drop-outs in Drâa-Tafilalet, more women in digital marketing
//   MA-08.dropout = 0.2
//   digital-marketing.women_share = 0.6
//   MA-06/cybersecurity.placement = 0.8
//
// `weight` says how many journeys go to a region (region scope) and to a
// track (track scope); the two multiply.
#ifndef JIT_TOOLS_SIMULATOR_CONFIG_H_
#define JIT_TOOLS_SIMULATOR_CONFIG_H_

#include <map>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace jit::simulator {

// Probabilities are in [0, 1]; day counts are days.
struct Rates {
  double weight = 1.0;            // share of journeys (region scope x track scope)
  double capacity = 20;           // seats of each cohort
  double women_share = 0.42;      // applicants who are women
  double reject = 0.10;           // applications rejected
  double waitlist = 0.08;         // applications waitlisted by the centre
  double decline = 0.05;          // admitted candidates who decline
  double withdraw = 0.04;         // enrolled trainees who withdraw (enrollment)
  double dropout = 0.10;          // enrolled trainees who drop out of training
  double attendance = 0.88;       // presence at a session
  double excused = 0.5;           // share of absences that are excused
  double pass = 0.85;             // a module's first assessment passed
  double retake_pass = 0.85;      // a failed module's retake passed
  double certify = 0.92;          // completers certified
  double placement = 0.65;        // completers placed at some point
  double dropout_placement = 0.2; // drop-outs placed at some point
  double days_to_job = 80;        // mean days from exit to placement
  double offer_first = 0.5;       // placements preceded by a recorded offer
  double internship = 0.15;       // placement types (the rest: salaried)
  double fixed_term = 0.30;
  double self_employed = 0.05;
  double further_study = 0.05;
  double verify = 0.6;            // placements later verified (employer/CNSS)
  double reach = 0.9;             // reachable at a follow-up
  double retention = 0.8;         // still with the same employer at a follow-up
  double followup_done = 0.85;    // due follow-ups the simulator records (the rest stay
                                  // due, for `jitctl followups due`)
};

// The names of the knobs, in declaration order.
const std::vector<std::string>& RateNames();

// Pointer to the field named `name` (nullptr if unknown).
double* RateField(Rates& rates, absl::string_view name);

class SimConfig {
 public:
  // The defaults plus the built-in regional/track profile.
  static SimConfig Defaults();

  // Applies `key = value` lines ('#' comments, blank lines allowed).
  absl::Status ApplyText(absl::string_view text, absl::string_view source);
  // Applies one "key=value".
  absl::Status Apply(absl::string_view key, absl::string_view value);

  // The knobs for one region and track.
  Rates Resolve(absl::string_view region, absl::string_view track) const;
  double RegionWeight(absl::string_view region) const;
  double TrackWeight(absl::string_view track) const;

  // Every override as "key = value" lines, sorted (for logs).
  std::string Describe() const;

 private:
  // scope ("" default, "MA-05", "track", "MA-05/track") -> name -> value
  std::map<std::string, std::map<std::string, double>> overrides_;
};

}  // namespace jit::simulator

#endif  // JIT_TOOLS_SIMULATOR_CONFIG_H_
