// jit-aggregator: folds the three lifecycle topics into live regional
// dashboards. Wires config, the checkpoint store, the ingest loop, the watch
// hub, the gRPC server, the HTTP dashboard (JSON, SSE, page) and the admin
// port; drains gracefully on SIGTERM/SIGINT (watch streams end first, a last
// checkpoint is written).
#include <filesystem>
#include <memory>
#include <string>

#include "absl/flags/flag.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "httplib.h"
#include "libs/access/policy.h"
#include "libs/audit/server_audit.h"
#include "libs/auth/token.h"
#include "libs/bootstrap/common_config.h"
#include "libs/bootstrap/run_main.h"
#include "libs/clock/clock.h"
#include "libs/config/config.h"
#include "libs/grpcserver/grpc_server.h"
#include "libs/log/log.h"
#include "libs/metrics/admin_server.h"
#include "libs/metrics/grpc_server_metrics.h"
#include "libs/service/outbox_pipeline.h"
#include "libs/service/security.h"
#include "libs/service/serve.h"
#include "libs/status/status_macros.h"
#include "prometheus/registry.h"
#include "services/aggregator/api/grpc_service.h"
#include "services/aggregator/api/http_api.h"
#include "services/aggregator/api/views.h"
#include "services/aggregator/api/watch_hub.h"
#include "services/aggregator/events/event_adapter.h"
#include "services/aggregator/ingest/dashboard_state.h"
#include "services/aggregator/ingest/ingestor.h"
#include "services/aggregator/storage/checkpoint_store.h"

ABSL_FLAG(std::string, http_address, "0.0.0.0:8080",
          "dashboard HTTP address host:port: the page, JSON views, SSE stream; "
          "public views "
          "only unless a request carries a bearer token with an analyst or "
          "higher role");
ABSL_FLAG(bool, debug_state, false,
          "serve /debug/state on the admin port: the whole fold, per trainee "
          "(pseudonymous "
          "ids, dates and dimensions); off in production");
ABSL_FLAG(
    absl::Duration, checkpoint_interval, absl::Seconds(5),
    "how often the fold state, dedupe memory and offsets are checkpointed");
ABSL_FLAG(absl::Duration, lag_interval, absl::Seconds(2),
          "how often the consumer lag is measured");
ABSL_FLAG(int, suppression_threshold, 5,
          "public views show counts below this as \"<threshold\" (3..100)");
ABSL_FLAG(bool, public_only, false, "refuse INTERNAL (unsuppressed) views");
ABSL_FLAG(int, national_target, 15000,
          "national target until a ProgrammeTargetChanged event sets one");
ABSL_FLAG(
    int, event_id_memory, 200000,
    "event ids remembered for duplicate detection (sequences catch the rest)");
ABSL_FLAG(int, max_uncatalogued_ids, 1000,
          "distinct cohort ids (and, separately, track ids) not yet in the "
          "catalogue that held journeys may wait for; events naming more go to "
          "the dead-letter topic");
ABSL_FLAG(int, max_tracks, 1000, "tracks the catalogue holds at most");
ABSL_FLAG(int, max_cohorts, 100000, "cohorts the catalogue holds at most");
ABSL_FLAG(absl::Duration, watch_min_interval, absl::Milliseconds(250),
          "minimum time between two pushes to watchers (coalescing)");
ABSL_FLAG(int, http_threads, 16,
          "dashboard HTTP worker threads: requests being processed (idle "
          "connections and SSE streams wait in one event-loop thread, not here)");
ABSL_FLAG(int, http_queue, 128,
          "dashboard HTTP connections ready to be served waiting for a worker; "
          "past this they are answered 503 with Retry-After");
ABSL_FLAG(int, http_max_url_bytes, 4096,
          "longest request target (path and query) on the dashboard port: 414 past it");
ABSL_FLAG(int, http_max_header_bytes, 16384,
          "largest request line plus headers on the dashboard port: 431 past it");
ABSL_FLAG(int, http_max_body_bytes, 4096,
          "largest request body on the dashboard port (no route takes one): 413 past it");
ABSL_FLAG(int, max_sse_clients, 1000,
          "open SSE streams (/api/v1/stream) at most; past it 503 with Retry-After");
ABSL_FLAG(int, max_grpc_watches, 1000,
          "open gRPC WatchSummary streams at most; past it RESOURCE_EXHAUSTED with "
          "a RetryInfo");
ABSL_FLAG(int, max_watchers, 2000,
          "summary watchers at most, SSE and gRPC together; past it as above");
ABSL_FLAG(int, sse_buffer_bytes, 64 * 1024,
          "unsent bytes an SSE client may have; one that does not read is dropped "
          "past it (its EventSource reconnects and gets the latest summary)");

namespace jit::aggregator {
namespace {

using service::SplitHostPort;

const bootstrap::ServiceIdentity kIdentity{
    .name = "aggregator",
    .binary = "jit-aggregator",
    .usage =
        "JobInTech aggregator: folds the enrollment, progress and placement "
        "topics "
        "into live regional dashboards served over gRPC, JSON/SSE and a web "
        "page.",
    .env_prefix = "JIT_AGGREGATOR_",
    .grpc_port = 50054,
    .admin_port = 9104,
    .db_file = "aggregator.db"};

void Validate(config::Validator& v) {
  v.HostPort("http_address", absl::GetFlag(FLAGS_http_address))
      .Range("checkpoint_interval", absl::GetFlag(FLAGS_checkpoint_interval),
             absl::Milliseconds(10), absl::Hours(1))
      .Range("lag_interval", absl::GetFlag(FLAGS_lag_interval),
             absl::Milliseconds(10), absl::Hours(1))
      .Range("suppression_threshold",
             absl::GetFlag(FLAGS_suppression_threshold), 3, 100)
      .Range("national_target", absl::GetFlag(FLAGS_national_target), 1,
             10'000'000)
      .Range("event_id_memory", absl::GetFlag(FLAGS_event_id_memory), 0,
             100'000'000)
      .Range("max_uncatalogued_ids", absl::GetFlag(FLAGS_max_uncatalogued_ids),
             1, 1'000'000)
      .Range("max_tracks", absl::GetFlag(FLAGS_max_tracks), 1, 1'000'000)
      .Range("max_cohorts", absl::GetFlag(FLAGS_max_cohorts), 1, 10'000'000)
      .Range("watch_min_interval", absl::GetFlag(FLAGS_watch_min_interval),
             absl::ZeroDuration(), absl::Minutes(1))
      .Range("http_threads", absl::GetFlag(FLAGS_http_threads), 2, 1024)
      .Range("http_queue", absl::GetFlag(FLAGS_http_queue), 1, 100'000)
      .Range("http_max_url_bytes", absl::GetFlag(FLAGS_http_max_url_bytes), 256, 8192)
      .Range("http_max_header_bytes", absl::GetFlag(FLAGS_http_max_header_bytes), 1024,
             1024 * 1024)
      .Range("http_max_body_bytes", absl::GetFlag(FLAGS_http_max_body_bytes), 0,
             1024 * 1024)
      .Range("max_sse_clients", absl::GetFlag(FLAGS_max_sse_clients), 1, 100'000)
      .Range("max_grpc_watches", absl::GetFlag(FLAGS_max_grpc_watches), 1, 100'000)
      .Range("max_watchers", absl::GetFlag(FLAGS_max_watchers), 1, 200'000)
      .Range("sse_buffer_bytes", absl::GetFlag(FLAGS_sse_buffer_bytes), 16 * 1024,
             64 * 1024 * 1024);
}

absl::Status Run(const bootstrap::CommonConfig& common) {
  const Clock& clock = SystemClock::Get();
  const absl::TimeZone zone = ProgrammeTimeZone();
  const storage::DatabaseOptions db_options = common.Database();
  const std::filesystem::path parent =
      std::filesystem::path(db_options.path).parent_path();
  std::error_code ec;
  if (!parent.empty()) std::filesystem::create_directories(parent, ec);
  ASSIGN_OR_RETURN(auto store, CheckpointStore::Open(db_options));

  auto registry = std::make_shared<prometheus::Registry>();
  // The audit log (denials; the aggregator holds no personal data) in the
  // checkpoint's file, on a connection of its own.
  ASSIGN_OR_RETURN(auto server_audit, audit::ServerAudit::OpenFromFlags(
                                          db_options, &clock, registry.get()));
  ASSIGN_OR_RETURN(std::string bootstrap,
                   service::ResolveBootstrap(common.kafka_bootstrap,
                                             common.kafka_bootstrap_file,
                                             absl::Seconds(30)));
  DashboardState state(FoldOptions{
      .event_id_memory =
          static_cast<size_t>(absl::GetFlag(FLAGS_event_id_memory)),
      .default_national_target = absl::GetFlag(FLAGS_national_target),
      .max_waiting_ids =
          static_cast<size_t>(absl::GetFlag(FLAGS_max_uncatalogued_ids)),
      .max_tracks = static_cast<size_t>(absl::GetFlag(FLAGS_max_tracks)),
      .max_cohorts = static_cast<size_t>(absl::GetFlag(FLAGS_max_cohorts))});
  IngestOptions ingest_options;
  ingest_options.bootstrap_servers = bootstrap;
  ASSIGN_OR_RETURN(ingest_options.kafka_properties,
                   service::KafkaPropertiesFromFlags());
  ingest_options.checkpoint_interval = absl::GetFlag(FLAGS_checkpoint_interval);
  ingest_options.lag_interval = absl::GetFlag(FLAGS_lag_interval);
  ingest_options.zone = zone;
  ingest_options.clock = &clock;
  ingest_options.registry = registry.get();
  // Dead letters Kafka refuses for good are kept beside the checkpoint.
  ingest_options.quarantine_file = (parent / "quarantine.jsonl").string();
  ASSIGN_OR_RETURN(auto ingestor,
                   Ingestor::Create(ingest_options, &state, store.get()));

  api::DashboardViews views(
      &state, api::ViewConfig{.suppression_threshold =
                                  absl::GetFlag(FLAGS_suppression_threshold),
                              .public_only = absl::GetFlag(FLAGS_public_only),
                              .zone = zone,
                              .clock = &clock});
  api::WatchHub hub(&views,
                    api::WatchHubOptions{
                        .min_interval = absl::GetFlag(FLAGS_watch_min_interval),
                        .refresh_interval = absl::Seconds(10),
                        .registry = registry.get(),
                        .max_watchers = absl::GetFlag(FLAGS_max_watchers),
                        .max_per_transport = {
                            {"sse", absl::GetFlag(FLAGS_max_sse_clients)},
                            {"grpc", absl::GetFlag(FLAGS_max_grpc_watches)}}});
  state.AddListener([&hub] { hub.MarkDirty(); });
  hub.Start();
  // The unary views run on a bounded executor (shut down after the drain).
  auto executor =
      bootstrap::StartExecutor(kIdentity, common, &clock, registry.get());
  api::DashboardGrpcService grpc_service(&views, &hub, executor.get());

  // Internal views over HTTP: a bearer token whose roles allow the
  // dashboards' elevated form (the policy of DashboardService.GetSummary).
  ASSIGN_OR_RETURN(service::Security security,
                   service::SecurityFromFlags(&clock));
  const auth::TokenVerifier* verifier = security.verifier.get();
  ASSIGN_OR_RETURN(access::PolicyTable policies,
                   access::PolicyTable::ForServices(
                       {"jobintech.dashboard.v1.DashboardService",
                        audit::ServerAudit::kServiceName}));
  const access::MethodPolicy* internal_policy =
      policies.Find("/jobintech.dashboard.v1.DashboardService/GetSummary");
  if (internal_policy == nullptr)
    return absl::InternalError("no policy for GetSummary");
  api::HttpApiOptions http_options;
  http_options.authorize_internal =
      [v = verifier, internal_policy](absl::string_view authorization) {
        return access::AuthorizeElevated(authorization, v, *internal_policy);
      };

  ASSIGN_OR_RETURN(auto http_hp,
                   SplitHostPort(absl::GetFlag(FLAGS_http_address)));
  // The public listener: no /metrics, /healthz or /readyz here.
  api::HttpServerOptions http_server_options;
  http_server_options.host = http_hp.first;
  http_server_options.port = http_hp.second;
  http_server_options.threads = absl::GetFlag(FLAGS_http_threads);
  http_server_options.queue = absl::GetFlag(FLAGS_http_queue);
  http_server_options.max_url_bytes = absl::GetFlag(FLAGS_http_max_url_bytes);
  http_server_options.max_header_bytes = absl::GetFlag(FLAGS_http_max_header_bytes);
  http_server_options.max_body_bytes = absl::GetFlag(FLAGS_http_max_body_bytes);
  http_server_options.stream_buffer_bytes = absl::GetFlag(FLAGS_sse_buffer_bytes);
  http_server_options.headers = api::SecurityHeaders();
  http_server_options.registry = registry.get();
  api::HttpApi http_api(&views, &hub, std::move(http_options));
  api::HttpServer http(std::move(http_server_options));
  http_api.Register(http);
  RETURN_IF_ERROR(http.Start());

  RETURN_IF_ERROR(ingestor->Start());

  return service::ServeUntilSignal(
      {.name = "aggregator",
       .grpc_address = common.grpc_address,
       .admin_address = common.admin_address,
       .unready_grace = common.unready_grace,
       .drain_timeout = common.drain_timeout,
       .registry = registry,
       .services = {&grpc_service, server_audit->service()},
       .service_names = {"jobintech.dashboard.v1.DashboardService",
                         audit::ServerAudit::kServiceName},
       .security = &security,
       .audit = server_audit->sink(),
       .executor = executor.get(),
       .ready_fields = {{"http_port", http.port()},
                        {"db_path", db_options.path},
                        {"kafka_bootstrap", bootstrap},
                        {"partitions", ingestor->partition_count()}},
       .admin_routes =
           [&state](metrics::AdminServer& admin) {
             if (!absl::GetFlag(FLAGS_debug_state)) return;
             log::Warn(
                 "--debug_state: /debug/state serves the whole fold on the "
                 "admin port");
             admin.Get("/debug/state", [&state](const httplib::Request&,
                                                httplib::Response& res) {
               res.set_content(
                   state.Read([](const Fold& f, const IngestStats&) {
                     return f.CanonicalText();
                   }),
                   "application/json");
             });
           },
       // Watch streams never end on their own: end them (and SSE streams)
       // when the drain starts, so it does not wait for drain_timeout.
       .on_drain = [&hub] { hub.Shutdown(); },
       .after_drain =
           [&] {
             hub.Shutdown();
             http.Stop();
             absl::Status final_checkpoint = ingestor->Stop();
             if (!final_checkpoint.ok()) {
               return absl::Status(final_checkpoint.code(),
                                   absl::StrCat("final checkpoint: ",
                                                final_checkpoint.message()));
             }
             return final_checkpoint;
           }});
}

}  // namespace
}  // namespace jit::aggregator

int main(int argc, char** argv) {
  return jit::bootstrap::RunServiceMain(argc, argv,
                                        {.identity = jit::aggregator::kIdentity,
                                         .version = JIT_VERSION,
                                         .validate = jit::aggregator::Validate,
                                         .run = jit::aggregator::Run});
}
