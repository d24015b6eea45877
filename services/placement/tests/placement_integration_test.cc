// The real jit-placement binary against the embedded broker (both as
// separate processes) and a small fake of its peers (training progress and
// enrollment) hosted in this test process on loopback (real gRPC), driven
// over gRPC like a real client. Events are read back from Kafka.
#include <signal.h>

#include <atomic>
#include <iostream>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/civil_time.h"
#include "absl/time/clock.h"
#include "grpcpp/grpcpp.h"
#include "gtest/gtest.h"
#include "jobintech/enrollment/v1/enrollment_service.grpc.pb.h"
#include "jobintech/placement/v1/placement_service.grpc.pb.h"
#include "jobintech/progress/v1/training_progress_service.grpc.pb.h"
#include "libs/events/envelope.h"
#include "libs/kafka/cloudevents.h"
#include "libs/kafka/consumer.h"
#include "libs/kafka/topics.h"
#include "libs/testing/subprocess.h"
#include "libs/testing/test_pki.h"

namespace jit::placement {
namespace {

namespace pb = ::jobintech::placement::v1;
namespace progress = ::jobintech::progress::v1;
namespace enrollment = ::jobintech::enrollment::v1;
namespace common = ::jobintech::common::v1;
namespace ev = ::jobintech::events::v1;
using testing::EmbeddedBroker;
using testing::Subprocess;
using testing::TempDir;
using Stub = pb::PlacementService::Stub;

constexpr int kPartitions = 8;
constexpr char kTraceparent[] =
    "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";
// ICEs with valid control digits; the names and ICEs must never reach Kafka.
constexpr char kIceA[] = "001561191000066";
constexpr char kIceB[] = "002136093000040";
constexpr char kEmployerNameA[] = "Atlas Cyber Services Fquih";
constexpr char kEmployerNameB[] = "Maghreb Digital Marketing";

absl::CivilDay Today() {
  return absl::ToCivilDay(absl::Now(), absl::UTCTimeZone());
}

common::Date Date(absl::CivilDay d) {
  common::Date out;
  out.set_year(static_cast<int32_t>(d.year()));
  out.set_month(d.month());
  out.set_day(d.day());
  return out;
}

// The training-progress and enrollment services as far as placement asks
// them: exits and lookups set by the test. Trainees whose id starts with
// "trn_load_" have all completed 200 days ago.
class FakePeers final : public progress::TrainingProgressService::Service,
                        public enrollment::EnrollmentService::Service {
 public:
  void SetExited(const std::string& trainee, absl::CivilDay exit) {
    absl::MutexLock lock(&mu_);
    exits_[trainee] = exit;
  }
  void SetInTraining(const std::string& trainee) {
    absl::MutexLock lock(&mu_);
    in_training_.insert(trainee);
  }
  int calls() const {
    absl::MutexLock lock(&mu_);
    return calls_;
  }

  grpc::Status GetTraineeExit(
      grpc::ServerContext*, const progress::GetTraineeExitRequest* request,
      progress::GetTraineeExitResponse* response) override {
    absl::MutexLock lock(&mu_);
    ++calls_;
    const std::string& id = request->trainee_id();
    response->set_trainee_id(id);
    response->set_cohort_id("coh_fqh_2025");
    FillDimensions(response->mutable_dimensions());
    if (in_training_.contains(id)) {
      response->set_exited(false);
      response->set_state(ev::TRAINING_STATE_ACTIVE);
      return grpc::Status::OK;
    }
    absl::CivilDay exit;
    if (auto it = exits_.find(id); it != exits_.end()) {
      exit = it->second;
    } else if (absl::StartsWith(id, "trn_load_")) {
      exit = Today() - 200;
    } else {
      return grpc::Status(grpc::StatusCode::NOT_FOUND,
                          absl::StrCat("no training record for '", id, "'"));
    }
    response->set_exited(true);
    response->set_kind(ev::EXIT_KIND_COMPLETED);
    *response->mutable_exit_date() = Date(exit);
    response->set_state(ev::TRAINING_STATE_CERTIFIED);
    return grpc::Status::OK;
  }

  grpc::Status LookupTrainee(grpc::ServerContext*,
                             const enrollment::LookupTraineeRequest* request,
                             enrollment::LookupTraineeResponse*) override {
    return grpc::Status(
        grpc::StatusCode::NOT_FOUND,
        absl::StrCat("trainee '", request->trainee_id(), "' not found"));
  }

 private:
  static void FillDimensions(common::TraineeDimensions* d) {
    d->set_gender(common::GENDER_FEMALE);
    d->set_age_band(common::AGE_BAND_21_24);
    d->set_education_level(common::EDUCATION_LEVEL_BAC_PLUS_2);
    d->mutable_residence()->set_province_code("MA-BEM");
    d->mutable_residence()->set_region_code("MA-05");
    d->mutable_training_location()->set_province_code("MA-FQH");
    d->mutable_training_location()->set_region_code("MA-05");
    d->set_track_id("cybersecurity");
    d->set_cohort_id("coh_fqh_2025");
    d->set_centre_id("ctr_fqh");
  }

  mutable absl::Mutex mu_;
  std::map<std::string, absl::CivilDay> exits_ ABSL_GUARDED_BY(mu_);
  std::set<std::string> in_training_ ABSL_GUARDED_BY(mu_);
  int calls_ ABSL_GUARDED_BY(mu_) = 0;
};

class PlacementIntegrationTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto broker =
        EmbeddedBroker::Start(JIT_KAFKA_BROKER_BIN, dir_.path(), kPartitions);
    ASSERT_TRUE(broker.ok()) << broker.status();
    broker_ = *std::move(broker);
    auto pki = testing::TestPki::Create(dir_.File("pki"));
    ASSERT_TRUE(pki.ok()) << pki.status();
    pki_ = std::make_unique<testing::TestPki>(*std::move(pki));
    StartPeers(0);
    StartService();
  }
  void TearDown() override {
    service_.reset();
    StopPeers();
  }

  // Hosts the fake peers on `port` (0 = any free port), over TLS: the
  // service calls them with mutual TLS.
  void StartPeers(int port) {
    grpc::ServerBuilder builder;
    builder.AddListeningPort(absl::StrCat("127.0.0.1:", port),
                             pki_->ServerCredentials("peers"), &peers_port_);
    builder.RegisterService(
        static_cast<progress::TrainingProgressService::Service*>(&peers_));
    builder.RegisterService(
        static_cast<enrollment::EnrollmentService::Service*>(&peers_));
    peers_server_ = builder.BuildAndStart();
    ASSERT_NE(peers_server_, nullptr);
    ASSERT_GT(peers_port_, 0);
  }
  void StopPeers() {
    if (peers_server_ == nullptr) return;
    peers_server_->Shutdown(std::chrono::system_clock::now());
    peers_server_.reset();
  }

  void StartService() {
    const std::string log =
        dir_.File(absl::StrCat("placement-", ++starts_, ".log"));
    const std::string peers = absl::StrCat("127.0.0.1:", peers_port_);
    std::vector<std::string> args = {
        JIT_PLACEMENT_BIN, "--grpc_address=127.0.0.1:0",
        "--admin_address=127.0.0.1:0",
        "--db_path=" + dir_.File("data/placement.db"),
        "--kafka_bootstrap=" + broker_->bootstrap_servers(),
        "--unready_grace=0s", "--progress_address=" + peers,
        "--enrollment_address=" + peers,
        "--peer_deadline=2s", "--log_level=info"};
    const std::vector<std::string> security = pki_->ServerFlags("placement");
    args.insert(args.end(), security.begin(), security.end());
    auto p = Subprocess::Start(args, log);
    ASSERT_TRUE(p.ok()) << p.status();
    service_ = *std::move(p);
    auto port = testing::WaitForLogField(log, "placement service ready",
                                         "grpc_port", absl::Seconds(30));
    ASSERT_TRUE(port.ok()) << port.status() << "\n"
                           << testing::ReadFile(log).value_or("");
    channel_ = pki_->PersonChannel("127.0.0.1:" + *port, "programme-admin");
    stub_ = pb::PlacementService::NewStub(channel_);
  }

  void StopService(int sig) {
    ASSERT_TRUE(service_->Signal(sig).ok());
    auto info = service_->Wait(absl::Seconds(30));
    ASSERT_TRUE(info.ok()) << info.status();
    if (sig == SIGTERM) {
      EXPECT_TRUE(info->exited && info->exit_code == 0);
    }
    service_.reset();
  }

  template <typename Req, typename Resp, typename Method>
  grpc::Status Call(Method method, const Req& req, Resp* resp) {
    grpc::ClientContext ctx;
    ctx.set_deadline(std::chrono::system_clock::now() +
                     std::chrono::seconds(20));
    ctx.AddMetadata("traceparent", kTraceparent);
    return ((*stub_).*method)(&ctx, req, resp);
  }

  std::string RegisterEmployer(const std::string& rid, const std::string& name,
                               const std::string& ice,
                               const std::string& province) {
    pb::RegisterEmployerRequest req;
    req.set_request_id(rid);
    req.set_name(name);
    req.set_ice(ice);
    req.set_sector("it-services");
    req.set_province_code(province);
    req.set_partner(true);
    pb::RegisterEmployerResponse resp;
    grpc::Status s = Call(&Stub::RegisterEmployer, req, &resp);
    EXPECT_TRUE(s.ok()) << s.error_message();
    return resp.employer().employer_id();
  }

  pb::RecordPlacementRequest PlacementRequest(const std::string& rid,
                                              const std::string& trainee,
                                              const std::string& employer,
                                              absl::CivilDay start) {
    pb::RecordPlacementRequest req;
    req.set_request_id(rid);
    req.set_trainee_id(trainee);
    req.set_type(ev::PLACEMENT_TYPE_SALARIED_PERMANENT);
    req.set_employer_id(employer);
    *req.mutable_start_date() = Date(start);
    req.set_salary_band(ev::SALARY_BAND_5000_7999);
    req.set_verification(ev::VERIFICATION_SOURCE_SELF_REPORT);
    return req;
  }

  std::vector<kafka::ConsumedMessage> ReadTopic(const std::string& topic) {
    std::vector<kafka::ConsumedMessage> out;
    kafka::ConsumerConfig config;
    config.bootstrap_servers = broker_->bootstrap_servers();
    config.auto_offset_reset = "error";
    config.properties = {{"fetch.wait.max.ms", "10"}};
    auto consumer = kafka::Consumer::Create(config);
    EXPECT_TRUE(consumer.ok()) << consumer.status();
    if (!consumer.ok()) return out;
    std::vector<kafka::TopicPartitionOffset> parts;
    for (int p = 0; p < kPartitions; ++p)
      parts.push_back({topic, p, kafka::kOffsetBeginning});
    EXPECT_TRUE((*consumer)->Assign(parts).ok());
    const absl::Time deadline = absl::Now() + absl::Seconds(30);
    while (!(*consumer)->AtEndOfAssignedPartitions() &&
           absl::Now() < deadline) {
      auto m = (*consumer)->Poll(absl::Milliseconds(100));
      if (m.ok() && m->has_value()) out.push_back(**m);
    }
    return out;
  }

  // Waits until `pred` holds on the topic's records (the relay is async).
  template <typename Pred>
  std::vector<kafka::ConsumedMessage> ReadUntil(const std::string& topic,
                                                Pred pred) {
    const absl::Time deadline = absl::Now() + absl::Seconds(30);
    std::vector<kafka::ConsumedMessage> records;
    do {
      records = ReadTopic(topic);
      if (pred(records)) break;
      absl::SleepFor(absl::Milliseconds(200));
    } while (absl::Now() < deadline);
    return records;
  }
  static size_t CountKey(const std::vector<kafka::ConsumedMessage>& records,
                         const std::string& key) {
    size_t n = 0;
    for (const auto& r : records) n += r.key == key;
    return n;
  }

  static std::vector<ev::LifecycleEvent> EventsOf(
      const std::vector<kafka::ConsumedMessage>& records,
      const std::string& key) {
    std::vector<ev::LifecycleEvent> out;
    for (const auto& r : records) {
      if (r.key != key) continue;
      auto e = events::Decode(r.key, r.value, r.headers);
      EXPECT_TRUE(e.ok()) << e.status();
      if (e.ok()) out.push_back(*e);
    }
    return out;
  }

  TempDir dir_;
  int starts_ = 0;
  std::unique_ptr<EmbeddedBroker> broker_;
  FakePeers peers_;
  std::unique_ptr<testing::TestPki> pki_;
  std::unique_ptr<grpc::Server> peers_server_;
  int peers_port_ = 0;
  std::unique_ptr<Subprocess> service_;
  std::shared_ptr<grpc::Channel> channel_;
  std::unique_ptr<Stub> stub_;
};

TEST_F(PlacementIntegrationTest,
       FullPathPublishesOrderedEventsWithHeadersAndNoNames) {
  const absl::CivilDay exit = Today() - 200;
  peers_.SetExited("trn_amal", exit);
  const std::string employer =
      RegisterEmployer("emp-a", kEmployerNameA, kIceA, "MA-FQH");
  const std::string other =
      RegisterEmployer("emp-b", kEmployerNameB, kIceB, "MA-CAS");

  pb::PostJobOfferRequest post;
  post.set_request_id("job-1");
  post.set_employer_id(employer);
  post.set_title("Analyste SOC junior");
  post.set_track_id("cybersecurity");
  post.set_contract_type(ev::PLACEMENT_TYPE_SALARIED_PERMANENT);
  post.set_salary_band(ev::SALARY_BAND_5000_7999);
  post.set_openings(3);
  pb::PostJobOfferResponse posted;
  ASSERT_TRUE(Call(&Stub::PostJobOffer, post, &posted).ok());
  const std::string job = posted.job_offer().job_offer_id();

  pb::StartJobSearchRequest start;
  start.set_request_id("start-amal");
  start.set_trainee_id("trn_amal");
  pb::StartJobSearchResponse started;
  grpc::Status s = Call(&Stub::StartJobSearch, start, &started);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(started.trainee().state(), ev::PLACEMENT_STATE_JOB_SEEKING);

  pb::RecordOfferRequest offer;
  offer.set_request_id("offer-amal");
  offer.set_trainee_id("trn_amal");
  offer.set_job_offer_id(job);
  *offer.mutable_offered_on() = Date(exit + 10);
  pb::RecordOfferResponse offered;
  ASSERT_TRUE(Call(&Stub::RecordOffer, offer, &offered).ok());

  pb::RecordPlacementRequest place =
      PlacementRequest("place-amal", "trn_amal", "", exit + 30);
  place.set_job_offer_id(job);
  pb::RecordPlacementResponse placed;
  s = Call(&Stub::RecordPlacement, place, &placed);
  ASSERT_TRUE(s.ok()) << s.error_message();
  const std::string pid = placed.placement().placement_id();

  pb::VerifyPlacementRequest verify;
  verify.set_request_id("verify-amal");
  verify.set_placement_id(pid);
  verify.set_verification(ev::VERIFICATION_SOURCE_SOCIAL_SECURITY);
  pb::VerifyPlacementResponse verified;
  ASSERT_TRUE(Call(&Stub::VerifyPlacement, verify, &verified).ok());

  // +3 and +6 months are due (the exit was 200 days ago).
  pb::ListDueFollowUpsRequest due;
  due.set_region_code("MA-05");
  pb::ListDueFollowUpsResponse due_resp;
  ASSERT_TRUE(Call(&Stub::ListDueFollowUps, due, &due_resp).ok());
  ASSERT_EQ(due_resp.follow_ups_size(), 2);
  EXPECT_EQ(due_resp.follow_ups(0).follow_up().months_after_exit(), 3);
  EXPECT_EQ(due_resp.follow_ups(1).follow_up().months_after_exit(), 6);

  pb::RecordFollowUpRequest fu3;
  fu3.set_request_id("fu3-amal");
  fu3.set_trainee_id("trn_amal");
  fu3.set_months_after_exit(3);
  fu3.set_outcome(ev::FOLLOW_UP_OUTCOME_EMPLOYED_SAME_EMPLOYER);
  pb::RecordFollowUpResponse fu3_resp;
  ASSERT_TRUE(Call(&Stub::RecordFollowUp, fu3, &fu3_resp).ok());
  pb::RecordFollowUpRequest fu6 = fu3;
  fu6.set_request_id("fu6-amal");
  fu6.set_months_after_exit(6);
  fu6.set_outcome(ev::FOLLOW_UP_OUTCOME_EMPLOYED_OTHER_EMPLOYER);
  fu6.set_employer_id(other);
  pb::RecordFollowUpResponse fu6_resp;
  ASSERT_TRUE(Call(&Stub::RecordFollowUp, fu6, &fu6_resp).ok());
  ASSERT_TRUE(Call(&Stub::ListDueFollowUps, due, &due_resp).ok());
  EXPECT_EQ(due_resp.follow_ups_size(), 0);

  auto records = ReadUntil(kafka::kPlacementTopic, [](const auto& r) {
    return CountKey(r, "trn_amal") >= 6;
  });
  const auto events = EventsOf(records, "trn_amal");
  ASSERT_EQ(events.size(), 6u);
  EXPECT_TRUE(events[0].has_job_search_started());
  EXPECT_TRUE(events[1].has_offer_recorded());
  EXPECT_TRUE(events[2].has_placement_started());
  EXPECT_TRUE(events[3].has_placement_verified());
  EXPECT_TRUE(events[4].has_follow_up_recorded());
  EXPECT_TRUE(events[5].has_follow_up_recorded());
  for (size_t i = 0; i < events.size(); ++i) {
    const auto& md = events[i].metadata();
    EXPECT_EQ(md.sequence(), static_cast<int64_t>(i + 1));
    EXPECT_EQ(md.source(), "jobintech/placement");
    EXPECT_EQ(md.trace_id(), "4bf92f3577b34da6a3ce929d0e0e4736");
    EXPECT_EQ(md.dimensions().training_location().region_code(), "MA-05");
    EXPECT_EQ(md.dimensions().cohort_id(), "coh_fqh_2025");
    EXPECT_EQ(md.dimensions().gender(), common::GENDER_FEMALE);
  }
  EXPECT_EQ(events[0].job_search_started().exit().exit_date().day(),
            exit.day());
  EXPECT_EQ(events[1].offer_recorded().previous_state(),
            ev::PLACEMENT_STATE_JOB_SEEKING);
  EXPECT_EQ(events[1].offer_recorded().new_state(),
            ev::PLACEMENT_STATE_OFFERED);
  const auto& started_body = events[2].placement_started();
  EXPECT_EQ(started_body.previous_state(), ev::PLACEMENT_STATE_OFFERED);
  EXPECT_EQ(started_body.new_state(), ev::PLACEMENT_STATE_PLACED);
  EXPECT_EQ(started_body.employer_id(), employer);
  EXPECT_EQ(started_body.employer_location().region_code(), "MA-05");
  EXPECT_EQ(started_body.days_from_exit(), 30);
  EXPECT_EQ(started_body.exit().kind(), ev::EXIT_KIND_COMPLETED);
  EXPECT_EQ(events[3].placement_verified().verification(),
            ev::VERIFICATION_SOURCE_SOCIAL_SECURITY);
  EXPECT_EQ(events[4].follow_up_recorded().months_after_exit(), 3);
  EXPECT_EQ(events[4].follow_up_recorded().employer_id(), employer);
  EXPECT_EQ(events[5].follow_up_recorded().months_after_exit(), 6);
  EXPECT_EQ(events[5].follow_up_recorded().employer_id(), other);
  EXPECT_EQ(events[5].follow_up_recorded().new_state(),
            ev::PLACEMENT_STATE_PLACED);

  // CloudEvents headers on every trainee record.
  for (const auto& r : records) {
    if (r.key != "trn_amal") continue;
    auto ce = kafka::FromHeaders(r.headers);
    ASSERT_TRUE(ce.ok()) << ce.status();
    EXPECT_EQ(ce->subject, "trn_amal");
    EXPECT_EQ(ce->source, "jobintech/placement");
    EXPECT_TRUE(absl::StartsWith(ce->type, "ma.jobintech.placement."));
    EXPECT_EQ(ce->content_type, "application/protobuf");
    EXPECT_EQ(ce->traceparent, kTraceparent);
  }
  // Employer and job offer events are keyed by their own ids.
  ASSERT_EQ(EventsOf(records, employer).size(), 1u);
  EXPECT_TRUE(EventsOf(records, employer)[0].has_employer_registered());
  ASSERT_EQ(EventsOf(records, job).size(), 1u);
  EXPECT_TRUE(EventsOf(records, job)[0].has_job_offer_posted());

  // Nothing identifying leaves the service: no employer name or ICE (the
  // trainee is known by the pseudonymous id only).
  std::string everything;
  for (const auto& r : records) {
    absl::StrAppend(&everything, r.key, r.value);
    for (const auto& [k, v] : r.headers) absl::StrAppend(&everything, k, v);
  }
  for (const char* datum : {kEmployerNameA, kEmployerNameB, kIceA, kIceB}) {
    EXPECT_EQ(everything.find(datum), std::string::npos) << "leaked: " << datum;
  }
  EXPECT_TRUE(
      ReadTopic(kafka::DeadLetterTopic(kafka::kPlacementTopic)).empty());
}

TEST_F(PlacementIntegrationTest, PlacementBeforeExitIsRefusedAndWritesNothing) {
  peers_.SetInTraining("trn_busy");
  const std::string employer =
      RegisterEmployer("emp-a", kEmployerNameA, kIceA, "MA-FQH");
  pb::RecordPlacementResponse resp;
  grpc::Status s = Call(
      &Stub::RecordPlacement,
      PlacementRequest("place-busy", "trn_busy", employer, Today() - 1), &resp);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_TRUE(absl::StrContains(s.error_message(), "ACTIVE"))
      << s.error_message();
  pb::GetTraineePlacementRequest get;
  get.set_trainee_id("trn_busy");
  pb::GetTraineePlacementResponse got;
  EXPECT_EQ(Call(&Stub::GetTraineePlacement, get, &got).error_code(),
            grpc::StatusCode::NOT_FOUND);
  // An exited trainee whose start date is before the exit: a field error.
  peers_.SetExited("trn_early", Today() - 10);
  s = Call(&Stub::RecordPlacement,
           PlacementRequest("place-early", "trn_early", employer, Today() - 11),
           &resp);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_TRUE(absl::StrContains(s.error_message(), "start_date"))
      << s.error_message();
  // Unknown everywhere: NOT_FOUND.
  s = Call(&Stub::RecordPlacement,
           PlacementRequest("place-ghost", "trn_ghost", employer, Today()),
           &resp);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::NOT_FOUND);
  // Only the employer's event was published.
  auto records = ReadUntil(kafka::kPlacementTopic, [&](const auto& r) {
    return CountKey(r, employer) >= 1;
  });
  EXPECT_EQ(records.size(), 1u);
}

TEST_F(PlacementIntegrationTest, PeerDownGivesUnavailableAndWritesNothing) {
  peers_.SetExited("trn_wait", Today() - 40);
  StopPeers();
  pb::StartJobSearchRequest start;
  start.set_request_id("start-wait");
  start.set_trainee_id("trn_wait");
  pb::StartJobSearchResponse started;
  const absl::Time before = absl::Now();
  grpc::Status s = Call(&Stub::StartJobSearch, start, &started);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::UNAVAILABLE);
  EXPECT_TRUE(absl::StrContains(s.error_message(),
                                "training-progress service unavailable"))
      << s.error_message();
  EXPECT_LT(absl::Now() - before, absl::Seconds(10));
  pb::GetTraineePlacementRequest get;
  get.set_trainee_id("trn_wait");
  pb::GetTraineePlacementResponse got;
  EXPECT_EQ(Call(&Stub::GetTraineePlacement, get, &got).error_code(),
            grpc::StatusCode::NOT_FOUND);
  // A later write's event is published; none for trn_wait.
  const std::string employer =
      RegisterEmployer("emp-a", kEmployerNameA, kIceA, "MA-FQH");
  auto records = ReadUntil(kafka::kPlacementTopic, [&](const auto& r) {
    return CountKey(r, employer) >= 1;
  });
  EXPECT_EQ(CountKey(records, employer), 1u);
  EXPECT_EQ(CountKey(records, "trn_wait"), 0u);

  // The peer is back on the same address: the same request now succeeds.
  StartPeers(peers_port_);
  const absl::Time deadline = absl::Now() + absl::Seconds(20);
  do {
    s = Call(&Stub::StartJobSearch, start, &started);
    if (s.error_code() != grpc::StatusCode::UNAVAILABLE) break;
    absl::SleepFor(absl::Milliseconds(200));
  } while (absl::Now() < deadline);
  ASSERT_TRUE(s.ok()) << s.error_message();
  records = ReadUntil(kafka::kPlacementTopic, [&](const auto& r) {
    return CountKey(r, "trn_wait") >= 1;
  });
  EXPECT_EQ(CountKey(records, "trn_wait"), 1u);
}

TEST_F(PlacementIntegrationTest, IdempotentRetriesGiveOneRecordAndOneEvent) {
  peers_.SetExited("trn_twice", Today() - 60);
  const std::string a =
      RegisterEmployer("emp-a", kEmployerNameA, kIceA, "MA-FQH");
  const std::string again =
      RegisterEmployer("emp-a", kEmployerNameA, kIceA, "MA-FQH");
  EXPECT_EQ(a, again);
  const auto req = PlacementRequest("place-twice", "trn_twice", a, Today() - 5);
  pb::RecordPlacementResponse first, second;
  ASSERT_TRUE(Call(&Stub::RecordPlacement, req, &first).ok());
  const int asked = peers_.calls();
  ASSERT_TRUE(Call(&Stub::RecordPlacement, req, &second).ok());
  EXPECT_EQ(first.placement().placement_id(),
            second.placement().placement_id());
  EXPECT_EQ(peers_.calls(), asked);  // a replay asks no peer
  // The same id for another operation is refused.
  pb::StartJobSearchRequest start;
  start.set_request_id("place-twice");
  start.set_trainee_id("trn_twice");
  pb::StartJobSearchResponse started;
  EXPECT_EQ(Call(&Stub::StartJobSearch, start, &started).error_code(),
            grpc::StatusCode::INVALID_ARGUMENT);
  pb::ListPlacementsRequest list;
  list.set_employer_id(a);
  pb::ListPlacementsResponse listed;
  ASSERT_TRUE(Call(&Stub::ListPlacements, list, &listed).ok());
  EXPECT_EQ(listed.placements_size(), 1);
  // Let the relay publish anything it would, then count.
  auto records = ReadUntil(kafka::kPlacementTopic, [&](const auto& r) {
    return CountKey(r, "trn_twice") >= 2;
  });
  absl::SleepFor(absl::Milliseconds(500));
  records = ReadTopic(kafka::kPlacementTopic);
  EXPECT_EQ(CountKey(records, "trn_twice"), 2u);  // job search + placement
  EXPECT_EQ(CountKey(records, a), 1u);
}

TEST_F(PlacementIntegrationTest,
       KillNineUnderLoadLosesNoAcknowledgedCallOrEvent) {
  const std::string employer =
      RegisterEmployer("emp-a", kEmployerNameA, kIceA, "MA-FQH");
  std::atomic<bool> stop{false};
  absl::Mutex mu;
  std::set<std::string> acknowledged;  // trainee ids placed
  std::atomic<int> next{0};
  std::atomic<int> failed_calls{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      auto stub = pb::PlacementService::NewStub(channel_);
      while (!stop.load()) {
        const int i = next.fetch_add(1);
        if (i >= 50000) break;
        const std::string trainee = absl::StrCat("trn_load_", i);
        pb::RecordPlacementResponse r;
        grpc::ClientContext ctx;
        ctx.set_deadline(std::chrono::system_clock::now() +
                         std::chrono::seconds(5));
        if (stub->RecordPlacement(
                    &ctx,
                    PlacementRequest(absl::StrCat("load-", i), trainee,
                                     employer, Today() - 100),
                    &r)
                .ok()) {
          absl::MutexLock lock(&mu);
          acknowledged.insert(trainee);
        } else {
          ++failed_calls;
        }
      }
    });
  }
  absl::SleepFor(absl::Milliseconds(1500));
  StopService(SIGKILL);
  absl::SleepFor(absl::Milliseconds(100));
  stop = true;
  for (auto& t : threads) t.join();
  ASSERT_GT(acknowledged.size(), 0u);
  // The kill must have hit calls in flight, or this proves nothing.
  ASSERT_GT(failed_calls.load(), 0) << "the load finished before the kill";

  StartService();
  for (const std::string& trainee : acknowledged) {
    pb::GetTraineePlacementRequest get;
    get.set_trainee_id(trainee);
    pb::GetTraineePlacementResponse got;
    grpc::Status s = Call(&Stub::GetTraineePlacement, get, &got);
    ASSERT_TRUE(s.ok()) << "lost " << trainee << ": " << s.error_message();
    ASSERT_EQ(got.placements_size(), 1) << trainee;
    EXPECT_EQ(got.trainee().state(), ev::PLACEMENT_STATE_PLACED);
  }
  auto records = ReadUntil(kafka::kPlacementTopic, [&](const auto& r) {
    std::set<std::string> placed;
    for (const auto& m : r) placed.insert(m.key);
    for (const auto& t : acknowledged) {
      if (!placed.contains(t)) return false;
    }
    return true;
  });
  std::map<std::string, std::set<int64_t>> sequences;
  std::set<std::string> started_placements;
  for (const auto& r : records) {
    auto e = events::Decode(r.key, r.value, r.headers);
    ASSERT_TRUE(e.ok()) << e.status();
    if (!e->metadata().trainee_id().empty()) {
      sequences[r.key].insert(e->metadata().sequence());
    }
    if (e->has_placement_started()) started_placements.insert(r.key);
  }
  for (const std::string& trainee : acknowledged) {
    EXPECT_TRUE(started_placements.contains(trainee))
        << "event of acknowledged " << trainee << " lost";
    // At least once: 1 (job search) and 2 (placement), duplicates allowed.
    EXPECT_EQ(sequences[trainee], (std::set<int64_t>{1, 2})) << trainee;
  }
  std::cout << "acknowledged before kill: " << acknowledged.size()
            << ", failed by the kill: " << failed_calls.load() << "\n";
}

TEST(PlacementBinaryTest, HelpDocumentsEveryFlag) {
  TempDir dir;
  auto run = testing::RunToCompletion({JIT_PLACEMENT_BIN, "--help"},
                                      dir.File("help.log"), absl::Seconds(10));
  ASSERT_TRUE(run.ok());
  auto out = testing::ReadFile(dir.File("help.log"));
  ASSERT_TRUE(out.ok());
  for (const char* flag :
       {"grpc_address", "admin_address", "db_path", "sqlite_synchronous",
        "kafka_bootstrap", "kafka_bootstrap_file", "progress_address",
        "enrollment_address", "peer_deadline", "peer_attempts", "log_level",
        "unready_grace", "drain_timeout"}) {
    EXPECT_NE(out->find(flag), std::string::npos)
        << flag << " missing from --help";
  }
}

TEST(PlacementBinaryTest, BadConfigIsRefusedWithAClearMessage) {
  TempDir dir;
  auto run = testing::RunToCompletion(
      {JIT_PLACEMENT_BIN, "--grpc_address=nonsense", "--peer_attempts=0",
       "--progress_address=nowhere"},
      dir.File("bad.log"), absl::Seconds(10),
      {{"JIT_PLACEMENT_PEER_DEADLINE", "5ms"}});
  ASSERT_TRUE(run.ok());
  EXPECT_TRUE(run->exited);
  EXPECT_EQ(run->exit_code, 2);
  auto out = testing::ReadFile(dir.File("bad.log"));
  ASSERT_TRUE(out.ok());
  for (const char* what : {"grpc_address", "peer_attempts", "peer_deadline",
                           "progress_address", "kafka_bootstrap"}) {
    EXPECT_NE(out->find(what), std::string::npos) << what << " not named:\n"
                                                  << *out;
  }
}

}  // namespace
}  // namespace jit::placement
