// jit-simulator: realistic journeys of JobInTech trainees through the public
// gRPC APIs of the suite (never by writing events): cohorts in every region
// and track, applications, admissions, waitlists, attendance, assessments,
// drop-outs, completions, certificates, employers, job offers, placements
// and follow-ups, with rates per region and track (config.h) and a seed.
//
//   jit-simulator --journeys=300 --speed=5            # a live demo
//   jit-simulator --deterministic --seed=42 --journeys=200
//
// In deterministic mode journeys run one at a time in index order, so the
// final figures are the same for the same seed and number of journeys (on a
// fresh suite, or again on the same one: every request id is derived from
// the seed and the journey, and a repeat is replayed, not applied twice).
#include <algorithm>
#include <atomic>
#include <csignal>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "jobintech/dashboard/v1/dashboard_service.grpc.pb.h"
#include "libs/config/config.h"
#include "libs/ids/ids.h"
#include "libs/log/log.h"
#include "nlohmann/json.hpp"
#include "libs/grpcclient/credentials.h"
#include "tools/jitctl/rpc.h"
#include "tools/simulator/config.h"
#include "tools/simulator/plan.h"
#include "tools/simulator/runner.h"

ABSL_FLAG(std::string, enrollment_address, "127.0.0.1:50051", "enrollment service host:port");
ABSL_FLAG(std::string, progress_address, "127.0.0.1:50052", "training-progress service host:port");
ABSL_FLAG(std::string, placement_address, "127.0.0.1:50053", "placement service host:port");
ABSL_FLAG(std::string, aggregator_address, "127.0.0.1:50054",
          "aggregator host:port, read at the end for the final figures; empty = skip");
ABSL_FLAG(uint64_t, seed, 0, "random seed; 0 = a random seed (logged, to replay the run)");
ABSL_FLAG(int, journeys, 300, "number of candidate journeys");
ABSL_FLAG(bool, deterministic, false,
          "one journey at a time in index order: the same seed and journey count give the same final figures");
ABSL_FLAG(int, concurrency, 4, "journeys in flight (ignored in deterministic mode)");
ABSL_FLAG(double, speed, 5, "journeys started per second (pacing, so the dashboard moves as you watch); 0 = "
                            "as fast as the services answer");
ABSL_FLAG(std::string, tracks, "", "comma-separated track ids; empty = every track of the enrollment service");
ABSL_FLAG(int, employers_per_region, 3, "employers registered per region");
ABSL_FLAG(std::string, config, "", "file of rates: lines 'KEY = VALUE', KEY = [REGION.|TRACK.|REGION/TRACK.]NAME");
ABSL_FLAG(std::string, set, "", "rates overriding the file, 'KEY=VALUE,KEY=VALUE' (e.g. 'MA-08.dropout=0.2')");
ABSL_FLAG(bool, print_plan, false, "print the plan (world and journeys) and exit without calling anything");
ABSL_FLAG(absl::Duration, wait_for_services, absl::Seconds(60), "how long to wait for the services at start");
ABSL_FLAG(absl::Duration, call_deadline, absl::Seconds(10), "deadline of each call");
ABSL_FLAG(absl::Duration, settle_timeout, absl::Seconds(30),
          "at the end, how long to wait for the aggregator to catch up before reading the final figures");
ABSL_FLAG(std::string, summary_file, "", "write what was done and the final figures there (JSON)");
ABSL_FLAG(std::string, log_level, "info", "trace, debug, info, warn or error");
ABSL_FLAG(std::string, ca_file, "",
          "CA bundle of the services' TLS certificates (scripts/run.sh: <data>/pki/ca.crt)");
ABSL_FLAG(std::string, token_file, "",
          "file holding the bearer token the simulator acts with (a programme administrator's; "
          "development: jitctl auth dev-token --role programme-admin)");

namespace jit::simulator {
namespace {

namespace dv1 = jobintech::dashboard::v1;

std::atomic<bool> g_stop{false};
extern "C" void OnSignal(int) { g_stop.store(true); }

// Waits until the aggregator's national state stops moving, then returns its
// internal summary (exact figures).
absl::StatusOr<dv1::Summary> FinalFigures(
    const std::string& address, absl::Duration settle, const jitctl::CallPolicy& policy,
    const std::shared_ptr<grpc::ChannelCredentials>& credentials) {
  auto stub = dv1::DashboardService::NewStub(jitctl::MakeChannel(address, credentials));
  dv1::GetSummaryRequest req;
  req.mutable_scope()->set_level(dv1::SCOPE_LEVEL_NATIONAL);
  req.set_visibility(dv1::VISIBILITY_INTERNAL);
  const absl::Time deadline = absl::Now() + settle;
  int64_t last_version = -1;
  int stable = 0;
  dv1::GetSummaryResponse resp;
  for (;;) {
    absl::Status st = jitctl::CallWithRetry(policy, [&](grpc::ClientContext* c) { return stub->GetSummary(c, req, &resp); });
    if (!st.ok()) return st;
    const int64_t v = resp.summary().state_version();
    stable = (v == last_version && resp.summary().freshness().total_lag() == 0) ? stable + 1 : 0;
    last_version = v;
    if (stable >= 4 || absl::Now() >= deadline) return resp.summary();
    absl::SleepFor(absl::Milliseconds(500));
  }
}

int Main(int argc, char** argv) {
  config::ParseFlags(argc, argv,
                     {.name = "jit-simulator",
                      .usage = "Simulates trainee journeys through the JobInTech services' gRPC APIs.",
                      .version = JIT_VERSION,
                      .env_prefix = "JIT_SIMULATOR_"});
  config::Validator v;
  v.Range("journeys", absl::GetFlag(FLAGS_journeys), 0, 10'000'000)
      .Range("concurrency", absl::GetFlag(FLAGS_concurrency), 1, 256)
      .Range("speed", absl::GetFlag(FLAGS_speed), 0.0, 100000.0)
      .Range("employers_per_region", absl::GetFlag(FLAGS_employers_per_region), 1, 100)
      .NonEmpty("enrollment_address", absl::GetFlag(FLAGS_enrollment_address))
      .NonEmpty("progress_address", absl::GetFlag(FLAGS_progress_address))
      .NonEmpty("placement_address", absl::GetFlag(FLAGS_placement_address));
  if (!absl::GetFlag(FLAGS_print_plan)) {
    v.NonEmpty("ca_file", absl::GetFlag(FLAGS_ca_file))
        .NonEmpty("token_file", absl::GetFlag(FLAGS_token_file));
  }
  config::ExitIfInvalid(v);
  if (absl::Status st = log::Init({.component = "simulator", .level = absl::GetFlag(FLAGS_log_level), .sink = nullptr});
      !st.ok()) {
    std::cerr << "config error: " << st.message() << "\n";
    return config::kConfigErrorExitCode;
  }

  SimConfig sim = SimConfig::Defaults();
  if (const std::string path = absl::GetFlag(FLAGS_config); !path.empty()) {
    std::ifstream in(path);
    if (!in) {
      std::cerr << "config error: cannot read --config=" << path << "\n";
      return config::kConfigErrorExitCode;
    }
    std::stringstream ss;
    ss << in.rdbuf();
    if (absl::Status st = sim.ApplyText(ss.str(), path); !st.ok()) {
      std::cerr << "config error: " << st.message() << "\n";
      return config::kConfigErrorExitCode;
    }
  }
  if (absl::Status st = sim.ApplyText(absl::GetFlag(FLAGS_set), "--set"); !st.ok()) {
    std::cerr << "config error: " << st.message() << "\n";
    return config::kConfigErrorExitCode;
  }

  RunnerOptions options;
  options.seed = absl::GetFlag(FLAGS_seed);
  if (options.seed == 0) {
    uint8_t bytes[4];
    ids::RandomBytes(bytes, sizeof bytes);
    options.seed = 1 + ((uint64_t{bytes[0]} << 24 | uint64_t{bytes[1]} << 16 | uint64_t{bytes[2]} << 8 | bytes[3]) %
                        999'999);
  }
  options.journeys = absl::GetFlag(FLAGS_journeys);
  options.deterministic = absl::GetFlag(FLAGS_deterministic);
  options.concurrency = absl::GetFlag(FLAGS_concurrency);
  options.speed = absl::GetFlag(FLAGS_speed);
  for (absl::string_view t : absl::StrSplit(absl::GetFlag(FLAGS_tracks), ',', absl::SkipWhitespace())) {
    options.tracks.emplace_back(t);
  }
  options.employers_per_region = absl::GetFlag(FLAGS_employers_per_region);
  options.policy.deadline = absl::GetFlag(FLAGS_call_deadline);
  options.policy.attempts = 8;
  options.today = absl::ToCivilDay(absl::Now(), absl::UTCTimeZone());

  if (absl::GetFlag(FLAGS_print_plan)) {
    std::vector<std::string> tracks = options.tracks;
    if (tracks.empty()) tracks = {"cybersecurity", "digital-management", "digital-marketing"};
    std::sort(tracks.begin(), tracks.end());
    const auto regions = Regions();
    const WorldPlan world = MakeWorldPlan(sim, options.seed, regions, tracks, options.employers_per_region);
    std::cout << ToText(world) << "\n";
    for (int i = 0; i < options.journeys; ++i) {
      std::cout << ToText(MakeJourneyPlan(sim, options.seed, world, regions, tracks, i)) << "\n";
    }
    return 0;
  }

  std::signal(SIGTERM, OnSignal);
  std::signal(SIGINT, OnSignal);
  log::Event(log::Level::kInfo, "simulator starting",
             {{"seed", options.seed},
              {"journeys", options.journeys},
              {"deterministic", options.deterministic},
              {"concurrency", options.deterministic ? 1 : options.concurrency},
              {"speed", options.speed},
              {"today", absl::FormatCivilTime(options.today)},
              {"config", sim.Describe()}});

  std::shared_ptr<grpc::ChannelCredentials> credentials;
  {
    auto token = grpcclient::ReadTokenFile(absl::GetFlag(FLAGS_token_file));
    if (!token.ok()) {
      std::cerr << "config error: --token_file: " << token.status().message() << "\n";
      return config::kConfigErrorExitCode;
    }
    auto made = grpcclient::PersonCredentials(absl::GetFlag(FLAGS_ca_file), *token);
    if (!made.ok()) {
      std::cerr << "config error: --ca_file: " << made.status().message() << "\n";
      return config::kConfigErrorExitCode;
    }
    credentials = *std::move(made);
  }
  auto enrollment_channel = jitctl::MakeChannel(absl::GetFlag(FLAGS_enrollment_address), credentials);
  auto progress_channel = jitctl::MakeChannel(absl::GetFlag(FLAGS_progress_address), credentials);
  auto placement_channel = jitctl::MakeChannel(absl::GetFlag(FLAGS_placement_address), credentials);
  const absl::Duration wait = absl::GetFlag(FLAGS_wait_for_services);
  for (const auto& [name, channel] : {std::pair{"enrollment", enrollment_channel},
                                      std::pair{"training-progress", progress_channel},
                                      std::pair{"placement", placement_channel}}) {
    if (!jitctl::WaitForConnected(channel, wait)) {
      log::Event(log::Level::kError, "service unreachable", {{"service", name}});
      return jitctl::kExitUnreachable;
    }
  }
  auto enrollment = jobintech::enrollment::v1::EnrollmentService::NewStub(enrollment_channel);
  auto progress = jobintech::progress::v1::TrainingProgressService::NewStub(progress_channel);
  auto placement = jobintech::placement::v1::PlacementService::NewStub(placement_channel);
  Runner runner(options, sim, Stubs{enrollment.get(), progress.get(), placement.get()}, &g_stop);

  const absl::Time start = absl::Now();
  absl::Status st = runner.Setup();
  if (st.ok()) st = runner.Run();
  const auto tally = runner.tally().Snapshot();
  log::Fields fields = {{"seed", options.seed},
                        {"journeys", options.journeys},
                        {"seconds", absl::ToDoubleSeconds(absl::Now() - start)},
                        {"status", st.ok() ? std::string("ok") : st.ToString()}};
  nlohmann::json summary;
  summary["seed"] = options.seed;
  summary["journeys"] = options.journeys;
  summary["deterministic"] = options.deterministic;
  for (const auto& [k, n] : tally) {
    fields.push_back({k, n});
    summary["tally"][k] = n;
  }
  log::Event(st.ok() ? log::Level::kInfo : log::Level::kError, "simulation done", fields);

  if (const std::string agg = absl::GetFlag(FLAGS_aggregator_address); !agg.empty() && !g_stop.load()) {
    auto figures = FinalFigures(agg, absl::GetFlag(FLAGS_settle_timeout), options.policy, credentials);
    if (figures.ok()) {
      log::Fields f;
      for (const auto& fig : figures->figures()) {
        f.push_back({fig.metric_id(), fig.display()});
        summary["figures"][fig.metric_id()] = fig.display();
      }
      log::Event(log::Level::kInfo, "final national figures (internal view)", f);
    } else {
      log::Event(log::Level::kWarn, "could not read the dashboard", {{"error", figures.status().ToString()}});
    }
  }
  if (const std::string path = absl::GetFlag(FLAGS_summary_file); !path.empty()) {
    std::ofstream(path) << summary.dump(2) << "\n";
  }
  if (!st.ok()) return jitctl::IsUnreachable(st) ? jitctl::kExitUnreachable : 1;
  return 0;
}

}  // namespace
}  // namespace jit::simulator

int main(int argc, char** argv) { return jit::simulator::Main(argc, argv); }
