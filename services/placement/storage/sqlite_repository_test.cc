// The SQLite store specifics and the domain core on the real store: a full
// placement path through PlacementService over SqlitePlacementRepository,
// read back from the outbox rows the relay would publish; reopening;
// snapshots.
#include "services/placement/storage/sqlite_repository.h"

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/time/civil_time.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "jobintech/events/v1/lifecycle_event.pb.h"
#include "libs/clock/clock.h"
#include "libs/events/envelope.h"
#include "libs/outbox/outbox.h"
#include "libs/status/status_macros.h"
#include "libs/storage/testing/temp_dir.h"
#include "services/placement/domain/placement_service.h"
#include "services/placement/domain/testing/fake_peers.h"
#include "services/placement/events/event_mapper.h"

namespace jit::placement {
namespace {

namespace pb = ::jobintech::events::v1;
using ::testing::ElementsAre;

struct Row {
  std::string key;
  std::string payload;
  std::vector<std::pair<std::string, std::string>> headers;
  pb::LifecycleEvent event;
};

class PlacementServiceOnSqliteTest : public ::testing::Test {
 protected:
  void SetUp() override { Open(); }

  void Open() {
    service_.reset();
    repo_.reset();
    storage::DatabaseOptions options;
    options.path = dir_.File("placement.db");
    auto repo =
        SqlitePlacementRepository::Open(options, &clock_, &ToOutboxMessage);
    ASSERT_TRUE(repo.ok()) << repo.status();
    repo_ = std::move(*repo);
    service_ = std::make_unique<PlacementService>(repo_.get(), &clock_,
                                                  &progress_, nullptr);
  }

  RequestContext Ctx(std::string id = "") {
    RequestContext ctx;
    ctx.request_id = id.empty() ? absl::StrCat("req-", ++next_) : std::move(id);
    ctx.traceparent = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";
    return ctx;
  }

  std::vector<Row> Outbox() {
    std::vector<Row> rows;
    absl::Status s = repo_->database()->Transaction(
        storage::TxMode::kDeferred, [&](storage::Tx& tx) -> absl::Status {
          ASSIGN_OR_RETURN(storage::Statement st,
                           tx.Prepare("SELECT key, payload, headers, topic "
                                      "FROM outbox ORDER BY id"));
          while (true) {
            ASSIGN_OR_RETURN(bool more, st.Step());
            if (!more) return absl::OkStatus();
            EXPECT_EQ(st.ColumnText(3), "jobintech.placement.v1");
            Row r;
            r.key = st.ColumnText(0);
            r.payload = st.ColumnBlob(1);
            ASSIGN_OR_RETURN(r.headers,
                             outbox::DecodeHeaders(st.ColumnBlob(2)));
            kafka::Headers headers(r.headers.begin(), r.headers.end());
            ASSIGN_OR_RETURN(r.event,
                             events::Decode(r.key, r.payload, headers));
            rows.push_back(std::move(r));
          }
        });
    EXPECT_TRUE(s.ok()) << s;
    return rows;
  }

  storage::testing::TempDir dir_;
  FakeClock clock_{
      absl::FromCivil(absl::CivilDay(2025, 10, 15), absl::UTCTimeZone())};
  testing::FakeProgressClient progress_;
  std::unique_ptr<SqlitePlacementRepository> repo_;
  std::unique_ptr<PlacementService> service_;
  int next_ = 0;
};

TEST_F(PlacementServiceOnSqliteTest, FullPathLandsInTheOutboxInOrder) {
  progress_.SetExited("trn_1", pb::EXIT_KIND_COMPLETED,
                      absl::CivilDay(2025, 3, 31));
  NewEmployer ne;
  ne.name = "Banque Populaire Fès";
  ne.ice = "001561191000066";
  ne.sector = "banking";
  ne.province_code = "MA-FES";
  auto employer = service_->RegisterEmployer(Ctx(), ne);
  ASSERT_TRUE(employer.ok()) << employer.status();
  NewPlacement np;
  np.trainee_id = "trn_1";
  np.type = pb::PLACEMENT_TYPE_SALARIED_PERMANENT;
  np.employer_id = employer->employer_id;
  np.start_date = absl::CivilDay(2025, 5, 2);
  np.salary_band = pb::SALARY_BAND_5000_7999;
  np.verification = pb::VERIFICATION_SOURCE_SELF_REPORT;
  auto placed = service_->RecordPlacement(Ctx("place-1"), np);
  ASSERT_TRUE(placed.ok()) << placed.status();
  const std::string pid = placed->placement->placement_id;
  ASSERT_TRUE(
      service_
          ->VerifyPlacement(Ctx(), pid, pb::VERIFICATION_SOURCE_SOCIAL_SECURITY)
          .ok());
  NewFollowUp f;
  f.trainee_id = "trn_1";
  f.months_after_exit = 3;  // due 2025-06-30
  f.outcome = pb::FOLLOW_UP_OUTCOME_EMPLOYED_SAME_EMPLOYER;
  ASSERT_TRUE(service_->RecordFollowUp(Ctx(), f).ok());
  f.months_after_exit = 6;  // due 2025-09-30
  ASSERT_TRUE(service_->RecordFollowUp(Ctx(), f).ok());
  // A replay writes no row.
  ASSERT_TRUE(service_->RecordPlacement(Ctx("place-1"), np).ok());

  const std::vector<Row> rows = Outbox();
  std::vector<std::string> cases;
  std::vector<int64_t> sequences;
  for (const Row& r : rows) {
    if (r.key != "trn_1") continue;
    cases.push_back(r.event.metadata().event_type());
    sequences.push_back(r.event.metadata().sequence());
    EXPECT_EQ(r.event.metadata().dimensions().training_location().region_code(),
              "MA-05");
  }
  EXPECT_THAT(cases, ElementsAre("placement.job_search.started",
                                 "placement.placement.started",
                                 "placement.placement.verified",
                                 "placement.follow_up.recorded",
                                 "placement.follow_up.recorded"));
  EXPECT_THAT(sequences, ElementsAre(1, 2, 3, 4, 5));
  ASSERT_EQ(rows.size(), 6u);
  EXPECT_EQ(rows[0].key, employer->employer_id);
  EXPECT_EQ(rows[2].event.placement_started().employer_location().region_code(),
            "MA-03");
  EXPECT_EQ(rows[2].event.placement_started().days_from_exit(), 32);
  // Neither the employer's name nor its ICE leaves the service.
  for (const Row& r : rows) {
    EXPECT_FALSE(absl::StrContains(r.payload, "Banque Populaire"));
    EXPECT_FALSE(absl::StrContains(r.payload, "001561191000066"));
  }
}

TEST_F(PlacementServiceOnSqliteTest, ReopeningKeepsEverythingAndSequences) {
  progress_.SetExited("trn_1", pb::EXIT_KIND_DROPPED_OUT,
                      absl::CivilDay(2025, 9, 1));
  ASSERT_TRUE(service_->StartJobSearch(Ctx("start"), "trn_1").ok());
  Open();
  auto view = service_->GetTrainee("trn_1");
  ASSERT_TRUE(view.ok()) << view.status();
  EXPECT_EQ(view->trainee.exit.kind, pb::EXIT_KIND_DROPPED_OUT);
  EXPECT_EQ(view->trainee.event_sequence, 1);
  // The replay survives the restart and asks no peer.
  progress_.SetDown(true);
  EXPECT_TRUE(service_->StartJobSearch(Ctx("start"), "trn_1").ok());
  auto version = repo_->database()->SchemaVersion();
  ASSERT_TRUE(version.ok());
  EXPECT_EQ(*version, SqlitePlacementRepository::kSchemaVersion);
}

TEST(SnapshotJsonTest, MalformedDocumentsAreDataLoss) {
  for (const char* bad :
       {"", "{", "{\"type\":\"Employer\"}", "{\"type\":\"Nope\",\"value\":{}}",
        "{\"type\":\"TraineeResult\",\"value\":{\"trainee\":1}}"}) {
    EXPECT_EQ(SnapshotFromJson(bad).status().code(),
              absl::StatusCode::kDataLoss)
        << bad;
  }
}

}  // namespace
}  // namespace jit::placement
