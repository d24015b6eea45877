// Executes the simulator's plan through the services' public gRPC APIs:
// catalogue set-up (tracks, curricula, centres, cohorts, employers, job
// offers), then the journeys, sequentially (deterministic mode) or several
// at a time, paced. Every mutation carries a request id derived from the
// seed and the journey, so a repeated run replays instead of writing twice.
#ifndef JIT_TOOLS_SIMULATOR_RUNNER_H_
#define JIT_TOOLS_SIMULATOR_RUNNER_H_

#include <atomic>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/time/civil_time.h"
#include "jobintech/dashboard/v1/dashboard_service.grpc.pb.h"
#include "jobintech/enrollment/v1/enrollment_service.grpc.pb.h"
#include "jobintech/placement/v1/placement_service.grpc.pb.h"
#include "jobintech/progress/v1/training_progress_service.grpc.pb.h"
#include "tools/jitctl/rpc.h"
#include "tools/simulator/config.h"
#include "tools/simulator/plan.h"

namespace jit::simulator {

struct RunnerOptions {
  uint64_t seed = 1;
  int journeys = 100;
  bool deterministic = false;  // one journey at a time, in index order
  int concurrency = 4;         // journeys in flight otherwise
  double speed = 0;            // journeys started per second; 0 = no pacing
  std::vector<std::string> tracks;  // empty: every track of the enrollment service
  int employers_per_region = 3;
  jitctl::CallPolicy policy;
  // "Today" of the simulated calendar (the services' clocks must agree).
  absl::CivilDay today;
};

struct Stubs {
  jobintech::enrollment::v1::EnrollmentService::StubInterface* enrollment = nullptr;
  jobintech::progress::v1::TrainingProgressService::StubInterface* progress = nullptr;
  jobintech::placement::v1::PlacementService::StubInterface* placement = nullptr;
};

// Counts of what the simulation did (thread-safe).
class Tally {
 public:
  void Add(const std::string& name, int64_t n = 1);
  std::map<std::string, int64_t> Snapshot() const;
  int64_t Get(const std::string& name) const;

 private:
  mutable std::mutex mu_;
  std::map<std::string, int64_t> counts_;
};

class Runner {
 public:
  Runner(RunnerOptions options, SimConfig config, Stubs stubs, std::atomic<bool>* stop)
      : options_(std::move(options)), config_(std::move(config)), stubs_(stubs), stop_(stop) {}

  // Tracks, curricula, centres, cohorts, employers and job offers.
  absl::Status Setup();
  // Every journey. UNAVAILABLE when the services stopped answering.
  absl::Status Run();

  const Tally& tally() const { return tally_; }
  const WorldPlan& world() const { return world_; }

 private:
  struct Cohort {
    std::string cohort_id;
    absl::CivilDay start;
    absl::CivilDay end;
  };

  absl::Status RunJourney(const JourneyPlan& plan);
  // Runs one mutation: counts it, logs a failure (and returns it).
  absl::Status Call(const JourneyPlan* plan, const std::string& step,
                    absl::FunctionRef<grpc::Status(grpc::ClientContext*)> call);
  const std::string* EmployerFor(const std::string& region, int pick, const std::string* avoid) const;
  const std::string* JobOfferFor(const std::string& employer_id, const std::string& track) const;

  RunnerOptions options_;
  SimConfig config_;
  Stubs stubs_;
  std::atomic<bool>* stop_;
  Tally tally_;
  std::vector<RegionSpec> regions_;
  std::vector<std::string> tracks_;
  std::map<std::string, std::vector<ModuleSpec>> curricula_;  // by track
  WorldPlan world_;
  std::vector<Cohort> cohorts_;                      // parallel to world_.cohorts
  std::vector<std::string> employer_ids_;            // parallel to world_.employers
  std::map<std::string, std::string> offer_ids_;     // employer_id + "/" + track -> job offer id
  std::map<std::string, jobintech::events::v1::PlacementType> offer_types_;
  std::atomic<int> consecutive_unavailable_{0};
};

}  // namespace jit::simulator

#endif  // JIT_TOOLS_SIMULATOR_RUNNER_H_
