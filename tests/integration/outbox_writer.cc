// jit-outbox-writer: a small service-shaped process for the outbox
// integration tests. Each "business" row (a demo application for one of
// --keys trainees) and its LifecycleEvent are committed in one SQLite
// transaction; a Relay publishes the outbox to Kafka through the idempotent
// producer. Per-trainee sequence numbers continue across restarts.
//
// With --drain it waits until every committed event is published, then exits
// 0. The crash tests kill it (SIGKILL) while rows are committed but not yet
// published, using the relay's JIT_OUTBOX_CRASH_AFTER_PUBLISH hook or kill -9.
#include <cstdio>
#include <memory>
#include <string>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/strings/str_format.h"
#include "absl/time/clock.h"
#include "libs/clock/clock.h"
#include "libs/events/envelope.h"
#include "libs/log/log.h"
#include "libs/kafka/cloudevents.h"
#include "libs/kafka/topics.h"
#include "libs/outbox/outbox.h"
#include "libs/outbox/relay.h"
#include "libs/service/outbox_pipeline.h"
#include "libs/status/status_macros.h"
#include "libs/storage/database.h"

ABSL_FLAG(std::string, db, "", "SQLite file");
ABSL_FLAG(std::string, bootstrap, "", "Kafka bootstrap servers");
ABSL_FLAG(int, count, 100, "business rows to commit in this run");
ABSL_FLAG(int, keys, 10, "number of distinct trainees (keys)");
ABSL_FLAG(int, batch_size, 50, "relay batch size");
ABSL_FLAG(bool, drain, false, "wait until the outbox is empty, then exit");

namespace {

using jit::storage::Tx;

absl::Status CommitOne(jit::storage::Database& db, const jit::Clock& clock,
                       int index, int keys) {
  const std::string trainee = absl::StrFormat("trn_demo%04d", index % keys);
  return db.Transaction(
      jit::storage::TxMode::kImmediate, [&](Tx& tx) -> absl::Status {
        ASSIGN_OR_RETURN(auto q, tx.Prepare("SELECT COALESCE(MAX(seq), 0) + 1 "
                                            "FROM demo_application WHERE trainee_id = ?"));
        RETURN_IF_ERROR(q.BindText(1, trainee));
        ASSIGN_OR_RETURN(bool row, q.Step());
        if (!row) return absl::InternalError("no sequence row");
        const int64_t seq = q.ColumnInt64(0);

        jit::events::LifecycleEvent event;
        jit::events::StampMetadata(event, "enrollment.application.submitted",
                                   "jobintech/outbox-writer", clock);
        event.mutable_metadata()->set_trainee_id(trainee);
        event.mutable_metadata()->set_sequence(seq);
        event.mutable_metadata()->mutable_dimensions()->set_track_id(
            "cybersecurity");
        auto* body = event.mutable_application_submitted();
        body->set_application_id(absl::StrFormat("app-%s-%d", trainee, seq));
        body->set_cohort_id("cohort-demo");
        body->set_new_state(jobintech::events::v1::APPLICATION_STATE_APPLIED);

        ASSIGN_OR_RETURN(auto ins, tx.Prepare(
            "INSERT INTO demo_application(trainee_id, seq, event_id) VALUES(?, ?, ?)"));
        RETURN_IF_ERROR(ins.BindText(1, trainee));
        RETURN_IF_ERROR(ins.BindInt64(2, seq));
        RETURN_IF_ERROR(ins.BindText(3, event.metadata().event_id()));
        RETURN_IF_ERROR(ins.Run());
        ASSIGN_OR_RETURN(auto msg,
                         jit::events::ToOutboxMessage(
                             event, jit::kafka::kEnrollmentTopic,
                             jit::kafka::NewTraceparent()));
        return jit::outbox::Append(tx, msg, clock.Now());
      });
}

absl::Status Run() {
  const jit::Clock& clock = jit::SystemClock::Get();
  ASSIGN_OR_RETURN(auto db, jit::storage::Database::Open(
                                {.path = absl::GetFlag(FLAGS_db)}));
  std::vector<jit::storage::Migration> migrations = {
      {1, "demo applications",
       "CREATE TABLE demo_application(id INTEGER PRIMARY KEY, trainee_id TEXT "
       "NOT NULL, seq INTEGER NOT NULL, event_id TEXT NOT NULL, "
       "UNIQUE(trainee_id, seq));"}};
  for (auto& m : jit::outbox::Migrations(2)) migrations.push_back(m);
  RETURN_IF_ERROR(db->Migrate(migrations));

  // The same publishing pipeline the services use (producer, relay, and the
  // start-up check that republishes to a new cluster).
  ASSIGN_OR_RETURN(auto pipeline,
                   jit::service::OutboxPipeline::Start(
                       {.database = db.get(),
                        .bootstrap_servers = absl::GetFlag(FLAGS_bootstrap),
                        .service_name = "outbox-writer",
                        .clock = &clock,
                        .registry = nullptr,
                        .delivery_timeout = absl::Seconds(10),
                        .batch_size = absl::GetFlag(FLAGS_batch_size),
                        .check_cluster = true}));
  jit::outbox::Relay* relay = &pipeline->relay();

  const int count = absl::GetFlag(FLAGS_count);
  const int keys = absl::GetFlag(FLAGS_keys);
  for (int i = 0; i < count; ++i) {
    RETURN_IF_ERROR(CommitOne(*db, clock, i, keys));
    relay->Notify();
  }
  std::printf("committed %d\n", count);
  std::fflush(stdout);
  if (absl::GetFlag(FLAGS_drain)) {
    const absl::Time deadline = absl::Now() + absl::Seconds(60);
    while (true) {
      ASSIGN_OR_RETURN(int64_t backlog, relay->Backlog());
      if (backlog == 0) break;
      if (absl::Now() > deadline) {
        return absl::DeadlineExceededError(
            absl::StrFormat("outbox not drained: %d rows left", backlog));
      }
      absl::SleepFor(absl::Milliseconds(10));
    }
    std::printf("drained\n");
  }
  pipeline->Stop();
  return absl::OkStatus();
}

}  // namespace

int main(int argc, char** argv) {
  absl::ParseCommandLine(argc, argv);
  (void)jit::log::Init({.component = "outbox-writer", .level = "info", .sink = nullptr});
  absl::Status s = Run();
  if (!s.ok()) {
    std::fprintf(stderr, "jit-outbox-writer: %s\n", s.ToString().c_str());
    return 1;
  }
  return 0;
}
