// The three real services together on loopback with the embedded broker:
// jit-enrollment, jit-training-progress and jit-placement, each a separate
// process, driven over gRPC. A trainee goes from application to a verified
// placement and two follow-ups; every event is read back from its topic.
//
// Built only when the jit-training-progress target exists (see
// CMakeLists.txt).
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
#include "absl/strings/str_format.h"
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
namespace pr = ::jobintech::progress::v1;
namespace en = ::jobintech::enrollment::v1;
namespace common = ::jobintech::common::v1;
namespace ev = ::jobintech::events::v1;
using testing::EmbeddedBroker;
using testing::Subprocess;
using testing::TempDir;

constexpr int kPartitions = 8;
constexpr char kHashKey[] = "suite-test-cin-hash-key-000000001";
constexpr char kModule[] = "network-basics";

common::Date Date(int y, int m, int d) {
  common::Date out;
  out.set_year(y);
  out.set_month(m);
  out.set_day(d);
  return out;
}

// A valid ICE (the 15-digit number is a multiple of 97) for index `i`.
std::string IceFor(int i) {
  const int64_t prefix = 1'000'000'000'000 + i;  // 13 digits
  const int64_t control = (97 - (prefix * 100) % 97) % 97;
  return absl::StrFormat("%013d%02d", prefix, control);
}

// A running service binary and its stub.
template <typename Service>
struct Running {
  std::unique_ptr<Subprocess> process;
  std::string address;  // 127.0.0.1:<port>
  std::unique_ptr<typename Service::Stub> stub;
};

class PlacementSuiteTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto broker =
        EmbeddedBroker::Start(JIT_KAFKA_BROKER_BIN, dir_.path(), kPartitions);
    ASSERT_TRUE(broker.ok()) << broker.status();
    broker_ = *std::move(broker);
    auto pki = testing::TestPki::Create(dir_.File("pki"));
    ASSERT_TRUE(pki.ok()) << pki.status();
    pki_ = std::make_unique<testing::TestPki>(*std::move(pki));
    StartEnrollment();
    StartProgress();
    StartPlacement();
  }

  // Starts `binary`, waits for "<name> service ready" and returns its address.
  std::pair<std::unique_ptr<Subprocess>, std::string> Start(
      const std::string& name, std::vector<std::string> argv,
      const std::map<std::string, std::string>& env = {}) {
    const std::string log =
        dir_.File(absl::StrCat(name, "-", ++starts_, ".log"));
    auto p = Subprocess::Start(std::move(argv), log, env);
    EXPECT_TRUE(p.ok()) << p.status();
    if (!p.ok()) return {};
    auto port =
        testing::WaitForLogField(log, absl::StrCat(name, " service ready"),
                                 "grpc_port", absl::Seconds(30));
    EXPECT_TRUE(port.ok()) << port.status() << "\n"
                           << testing::ReadFile(log).value_or("");
    if (!port.ok()) return {};
    return {*std::move(p), "127.0.0.1:" + *port};
  }

  std::vector<std::string> CommonFlags(const std::string& binary,
                                       const std::string& db,
                                       const std::string& service) {
    std::vector<std::string> argv = {
        binary,
        "--grpc_address=127.0.0.1:0",
        "--admin_address=127.0.0.1:0",
        "--db_path=" + dir_.File(db),
        "--kafka_bootstrap=" + broker_->bootstrap_servers(),
        "--unready_grace=0s"};
    const std::vector<std::string> security = pki_->ServerFlags(service);
    argv.insert(argv.end(), security.begin(), security.end());
    return argv;
  }

  void StartEnrollment() {
    auto [p, address] =
        Start("enrollment", CommonFlags(JIT_ENROLLMENT_BIN, "enrollment.db", "enrollment"),
              {{"JIT_ENROLLMENT_CIN_HASH_KEY", kHashKey}});
    ASSERT_NE(p, nullptr);
    enrollment_.process = std::move(p);
    enrollment_.address = address;
    enrollment_.stub = en::EnrollmentService::NewStub(
        pki_->PersonChannel(address, "programme-admin"));
  }
  void StartProgress(const std::string& address = "127.0.0.1:0") {
    std::vector<std::string> argv =
        CommonFlags(JIT_PROGRESS_BIN, "progress.db", "training-progress");
    argv[1] = "--grpc_address=" + address;
    argv.push_back("--enrollment_address=" + enrollment_.address);
    auto [p, bound] = Start("training-progress", argv);
    ASSERT_NE(p, nullptr);
    progress_.process = std::move(p);
    progress_.address = bound;
    progress_.stub = pr::TrainingProgressService::NewStub(
        pki_->PersonChannel(bound, "programme-admin"));
  }
  void StopPlacement(int sig) {
    ASSERT_TRUE(placement_.process->Signal(sig).ok());
    auto info = placement_.process->Wait(absl::Seconds(30));
    ASSERT_TRUE(info.ok()) << info.status();
    placement_.process.reset();
  }
  void StartPlacement() {
    std::vector<std::string> argv =
        CommonFlags(JIT_PLACEMENT_BIN, "placement.db", "placement");
    argv.push_back("--progress_address=" + progress_.address);
    argv.push_back("--enrollment_address=" + enrollment_.address);
    auto [p, address] = Start("placement", argv);
    ASSERT_NE(p, nullptr);
    placement_.process = std::move(p);
    placement_.address = address;
    placement_.stub = pb::PlacementService::NewStub(
        pki_->PersonChannel(address, "programme-admin"));
  }

  template <typename StubT, typename Req, typename Resp, typename Method>
  static grpc::Status Call(StubT& stub, Method method, const Req& req,
                           Resp* resp) {
    grpc::ClientContext ctx;
    ctx.set_deadline(std::chrono::system_clock::now() +
                     std::chrono::seconds(20));
    return (stub.*method)(&ctx, req, resp);
  }
#define JIT_EXPECT_OK(call)                                                 \
  do {                                                                      \
    grpc::Status jit_s_ = (call);                                           \
    ASSERT_TRUE(jit_s_.ok()) << #call << ": " << jit_s_.error_code() << " " \
                             << jit_s_.error_message();                     \
  } while (false)

  // A cohort (2025-01-06 .. 2025-06-27) of the cybersecurity track in Fquih
  // Ben Salah, and its one-module curriculum.
  void MakeCohort() {
    en::CreateCentreRequest centre;
    centre.set_request_id("centre");
    centre.set_name("EST Fquih Ben Salah");
    centre.set_operator_name("Fondation R&D");
    centre.set_province_code("MA-FQH");
    en::CreateCentreResponse centre_resp;
    JIT_EXPECT_OK(Call(*enrollment_.stub,
                       &en::EnrollmentService::Stub::CreateCentre, centre,
                       &centre_resp));
    en::CreateCohortRequest cohort;
    cohort.set_request_id("cohort");
    cohort.set_name("Cybersécurité 2025");
    cohort.set_track_id("cybersecurity");
    cohort.set_centre_id(centre_resp.centre().centre_id());
    cohort.set_capacity(30);
    *cohort.mutable_start_date() = Date(2025, 1, 6);
    *cohort.mutable_end_date() = Date(2025, 6, 27);
    cohort.set_status(en::COHORT_STATUS_OPEN);
    en::CreateCohortResponse cohort_resp;
    JIT_EXPECT_OK(Call(*enrollment_.stub,
                       &en::EnrollmentService::Stub::CreateCohort, cohort,
                       &cohort_resp));
    cohort_id_ = cohort_resp.cohort().cohort_id();

    pr::PublishCurriculumRequest curriculum;
    curriculum.set_request_id("curriculum");
    curriculum.set_track_id("cybersecurity");
    pr::Module* m = curriculum.add_modules();
    m->set_module_id(kModule);
    m->set_title("Network basics");
    m->set_order(1);
    m->set_hours(30);
    m->set_required(true);
    m->set_max_score(20);
    m->set_pass_mark(10);
    pr::PublishCurriculumResponse curriculum_resp;
    JIT_EXPECT_OK(Call(*progress_.stub,
                       &pr::TrainingProgressService::Stub::PublishCurriculum,
                       curriculum, &curriculum_resp));
  }

  struct Person {
    std::string given, family, cin, phone, email;
  };
  static Person PersonFor(int i) {
    return {absl::StrCat("Prenomsuite", i), absl::StrCat("Nomsuite", i),
            absl::StrCat("ZS", 200000 + i), absl::StrCat("0662", 200000 + i),
            absl::StrCat("suite", i, "@mail-test.ma")};
  }

  // Applies, is admitted and enrolled; attends one session. Returns the
  // trainee id.
  std::string EnrolledTrainee(int i) {
    const Person p = PersonFor(i);
    en::SubmitApplicationRequest req;
    req.set_request_id(absl::StrCat("submit-", i));
    req.set_cohort_id(cohort_id_);
    auto* c = req.mutable_candidate();
    c->set_given_name(p.given);
    c->set_family_name(p.family);
    c->set_national_id(p.cin);
    *c->mutable_birth_date() = Date(2001, 5, 4);
    c->set_phone(p.phone);
    c->set_email(p.email);
    req.set_gender(common::GENDER_FEMALE);
    req.set_education_level(common::EDUCATION_LEVEL_BAC_PLUS_2);
    req.set_residence_province_code("MA-BEM");
    en::SubmitApplicationResponse submitted;
    grpc::Status s =
        Call(*enrollment_.stub, &en::EnrollmentService::Stub::SubmitApplication,
             req, &submitted);
    EXPECT_TRUE(s.ok()) << s.error_message();
    const std::string app = submitted.application().application_id();
    en::AdmitApplicationRequest admit;
    admit.set_request_id(absl::StrCat("admit-", i));
    admit.set_application_id(app);
    en::AdmitApplicationResponse admitted;
    EXPECT_TRUE(Call(*enrollment_.stub,
                     &en::EnrollmentService::Stub::AdmitApplication, admit,
                     &admitted)
                    .ok());
    en::ConfirmEnrolmentRequest confirm;
    confirm.set_request_id(absl::StrCat("confirm-", i));
    confirm.set_application_id(app);
    en::ConfirmEnrolmentResponse confirmed;
    EXPECT_TRUE(Call(*enrollment_.stub,
                     &en::EnrollmentService::Stub::ConfirmEnrolment, confirm,
                     &confirmed)
                    .ok());
    const std::string trainee = submitted.application().trainee_id();

    pr::RecordAttendanceRequest attend;
    attend.set_request_id(absl::StrCat("attend-", i));
    attend.set_cohort_id(cohort_id_);
    attend.set_module_id(kModule);
    *attend.mutable_session_date() = Date(2025, 2, 3);
    auto* entry = attend.add_entries();
    entry->set_trainee_id(trainee);
    entry->set_mark(ev::ATTENDANCE_MARK_PRESENT);
    pr::RecordAttendanceResponse attended;
    s = Call(*progress_.stub,
             &pr::TrainingProgressService::Stub::RecordAttendance, attend,
             &attended);
    EXPECT_TRUE(s.ok()) << s.error_message();
    return trainee;
  }

  // Passes the only required module on 2025-06-20: COMPLETED, exit that day.
  void Complete(const std::string& trainee, int i) {
    pr::RecordAssessmentRequest assess;
    assess.set_request_id(absl::StrCat("assess-", i));
    assess.set_cohort_id(cohort_id_);
    assess.set_trainee_id(trainee);
    assess.set_module_id(kModule);
    assess.set_score(15);
    *assess.mutable_assessed_on() = Date(2025, 6, 20);
    pr::RecordAssessmentResponse assessed;
    grpc::Status s = Call(*progress_.stub,
                          &pr::TrainingProgressService::Stub::RecordAssessment,
                          assess, &assessed);
    ASSERT_TRUE(s.ok()) << s.error_message();
    ASSERT_TRUE(assessed.passed());
  }

  std::vector<kafka::ConsumedMessage> ReadTopic(const std::string& topic) {
    std::vector<kafka::ConsumedMessage> out;
    kafka::ConsumerConfig config;
    config.bootstrap_servers = broker_->bootstrap_servers();
    config.auto_offset_reset = "error";
    config.properties = {{"fetch.wait.max.ms", "10"}};
    auto consumer = kafka::Consumer::Create(config);
    EXPECT_TRUE(consumer.ok());
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

  std::vector<ev::LifecycleEvent> EventsOf(const std::string& topic,
                                           const std::string& key,
                                           size_t at_least) {
    const absl::Time deadline = absl::Now() + absl::Seconds(30);
    std::vector<ev::LifecycleEvent> out;
    do {
      out.clear();
      for (const auto& r : ReadTopic(topic)) {
        if (r.key != key) continue;
        auto e = events::Decode(r.key, r.value, r.headers);
        EXPECT_TRUE(e.ok()) << e.status();
        if (e.ok()) out.push_back(*e);
      }
      if (out.size() >= at_least) break;
      absl::SleepFor(absl::Milliseconds(200));
    } while (absl::Now() < deadline);
    return out;
  }

  TempDir dir_;
  std::unique_ptr<testing::TestPki> pki_;
  int starts_ = 0;
  std::unique_ptr<EmbeddedBroker> broker_;
  Running<en::EnrollmentService> enrollment_;
  Running<pr::TrainingProgressService> progress_;
  Running<pb::PlacementService> placement_;
  std::string cohort_id_;
};

using PStub = pb::PlacementService::Stub;

TEST_F(PlacementSuiteTest, ApplicationToVerifiedPlacementAndTwoFollowUps) {
  MakeCohort();
  const std::string trainee = EnrolledTrainee(1);
  Complete(trainee, 1);

  pb::RegisterEmployerRequest reg;
  reg.set_request_id("emp");
  reg.set_name("Atlas Cyber Services");
  reg.set_ice("001561191000066");
  reg.set_sector("it-services");
  reg.set_province_code("MA-CAS");
  pb::RegisterEmployerResponse employer;
  JIT_EXPECT_OK(
      Call(*placement_.stub, &PStub::RegisterEmployer, reg, &employer));
  const std::string employer_id = employer.employer().employer_id();

  pb::StartJobSearchRequest start;
  start.set_request_id("start");
  start.set_trainee_id(trainee);
  pb::StartJobSearchResponse started;
  JIT_EXPECT_OK(
      Call(*placement_.stub, &PStub::StartJobSearch, start, &started));
  EXPECT_EQ(started.trainee().exit().kind(), ev::EXIT_KIND_COMPLETED);
  EXPECT_EQ(started.trainee().exit().exit_date().month(), 6);
  EXPECT_EQ(started.trainee().exit().exit_date().day(), 20);
  EXPECT_EQ(started.trainee().dimensions().training_location().region_code(),
            "MA-05");
  EXPECT_EQ(started.trainee().dimensions().cohort_id(), cohort_id_);
  // An idempotent retry: the same answer.
  pb::StartJobSearchResponse again;
  JIT_EXPECT_OK(Call(*placement_.stub, &PStub::StartJobSearch, start, &again));
  EXPECT_EQ(again.trainee().create_time().seconds(),
            started.trainee().create_time().seconds());

  pb::RecordPlacementRequest place;
  place.set_request_id("place");
  place.set_trainee_id(trainee);
  place.set_type(ev::PLACEMENT_TYPE_SALARIED_PERMANENT);
  place.set_employer_id(employer_id);
  *place.mutable_start_date() = Date(2025, 7, 21);
  place.set_salary_band(ev::SALARY_BAND_5000_7999);
  place.set_verification(ev::VERIFICATION_SOURCE_SELF_REPORT);
  pb::RecordPlacementResponse placed;
  JIT_EXPECT_OK(
      Call(*placement_.stub, &PStub::RecordPlacement, place, &placed));
  pb::VerifyPlacementRequest verify;
  verify.set_request_id("verify");
  verify.set_placement_id(placed.placement().placement_id());
  verify.set_verification(ev::VERIFICATION_SOURCE_EMPLOYER);
  pb::VerifyPlacementResponse verified;
  JIT_EXPECT_OK(
      Call(*placement_.stub, &PStub::VerifyPlacement, verify, &verified));

  pb::ListDueFollowUpsRequest due;
  pb::ListDueFollowUpsResponse due_resp;
  JIT_EXPECT_OK(
      Call(*placement_.stub, &PStub::ListDueFollowUps, due, &due_resp));
  ASSERT_GE(due_resp.follow_ups_size(), 2);
  for (int months : {3, 6}) {
    pb::RecordFollowUpRequest fu;
    fu.set_request_id(absl::StrCat("fu-", months));
    fu.set_trainee_id(trainee);
    fu.set_months_after_exit(months);
    fu.set_outcome(ev::FOLLOW_UP_OUTCOME_EMPLOYED_SAME_EMPLOYER);
    pb::RecordFollowUpResponse fu_resp;
    JIT_EXPECT_OK(Call(*placement_.stub, &PStub::RecordFollowUp, fu, &fu_resp));
  }

  // Every event on its topic, in order, per trainee.
  const auto enrolment = EventsOf(kafka::kEnrollmentTopic, trainee, 3);
  ASSERT_GE(enrolment.size(), 3u);
  EXPECT_TRUE(enrolment[0].has_application_submitted());
  const auto progress = EventsOf(kafka::kProgressTopic, trainee, 2);
  ASSERT_GE(progress.size(), 2u);
  const auto placement = EventsOf(kafka::kPlacementTopic, trainee, 5);
  ASSERT_EQ(placement.size(), 5u);
  EXPECT_TRUE(placement[0].has_job_search_started());
  EXPECT_TRUE(placement[1].has_placement_started());
  EXPECT_TRUE(placement[2].has_placement_verified());
  EXPECT_TRUE(placement[3].has_follow_up_recorded());
  EXPECT_TRUE(placement[4].has_follow_up_recorded());
  for (const auto* topic_events : {&enrolment, &progress, &placement}) {
    for (size_t i = 0; i < topic_events->size(); ++i) {
      EXPECT_EQ((*topic_events)[i].metadata().sequence(),
                static_cast<int64_t>(i + 1));
      EXPECT_EQ((*topic_events)[i].metadata().dimensions().cohort_id(),
                cohort_id_);
    }
  }
  EXPECT_EQ(placement[1].placement_started().days_from_exit(), 31);
  EXPECT_EQ(placement[1].placement_started().employer_location().region_code(),
            "MA-06");

  // No personal datum on any topic.
  std::string everything;
  for (const std::string& topic : kafka::LifecycleTopics()) {
    for (const auto& r : ReadTopic(topic)) {
      absl::StrAppend(&everything, r.key, r.value);
      for (const auto& [k, v] : r.headers) absl::StrAppend(&everything, k, v);
    }
  }
  const Person p = PersonFor(1);
  for (const std::string& datum :
       {p.given, p.family, p.cin, p.phone.substr(1), p.email,
        std::string("Atlas Cyber Services")}) {
    EXPECT_EQ(everything.find(datum), std::string::npos) << "leaked: " << datum;
  }
}

TEST_F(PlacementSuiteTest, PlacementBeforeExitIsRefused) {
  MakeCohort();
  const std::string trainee = EnrolledTrainee(2);  // ACTIVE, not exited
  pb::RecordPlacementRequest place;
  place.set_request_id("place-early");
  place.set_trainee_id(trainee);
  place.set_type(ev::PLACEMENT_TYPE_SELF_EMPLOYED);
  *place.mutable_start_date() = Date(2025, 5, 1);
  place.set_salary_band(ev::SALARY_BAND_UNDISCLOSED);
  place.set_verification(ev::VERIFICATION_SOURCE_SELF_REPORT);
  pb::RecordPlacementResponse placed;
  grpc::Status s =
      Call(*placement_.stub, &PStub::RecordPlacement, place, &placed);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::FAILED_PRECONDITION)
      << s.error_message();
  pb::GetTraineePlacementRequest get;
  get.set_trainee_id(trainee);
  pb::GetTraineePlacementResponse got;
  EXPECT_EQ(Call(*placement_.stub, &PStub::GetTraineePlacement, get, &got)
                .error_code(),
            grpc::StatusCode::NOT_FOUND);
}

TEST_F(PlacementSuiteTest, StoppedPeerGivesUnavailableAndNothingWritten) {
  MakeCohort();
  const std::string trainee = EnrolledTrainee(3);
  Complete(trainee, 3);
  const std::string progress_address = progress_.address;
  ASSERT_TRUE(progress_.process->Signal(SIGTERM).ok());
  ASSERT_TRUE(progress_.process->Wait(absl::Seconds(30)).ok());
  progress_.process.reset();

  pb::StartJobSearchRequest start;
  start.set_request_id("start-stopped");
  start.set_trainee_id(trainee);
  pb::StartJobSearchResponse started;
  grpc::Status s =
      Call(*placement_.stub, &PStub::StartJobSearch, start, &started);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::UNAVAILABLE) << s.error_message();
  EXPECT_TRUE(absl::StrContains(s.error_message(), "training-progress"))
      << s.error_message();
  pb::GetTraineePlacementRequest get;
  get.set_trainee_id(trainee);
  pb::GetTraineePlacementResponse got;
  EXPECT_EQ(Call(*placement_.stub, &PStub::GetTraineePlacement, get, &got)
                .error_code(),
            grpc::StatusCode::NOT_FOUND);

  // Back on the same address: the same request succeeds.
  StartProgress(progress_address);
  const absl::Time deadline = absl::Now() + absl::Seconds(20);
  do {
    s = Call(*placement_.stub, &PStub::StartJobSearch, start, &started);
    if (s.error_code() != grpc::StatusCode::UNAVAILABLE) break;
    absl::SleepFor(absl::Milliseconds(200));
  } while (absl::Now() < deadline);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(EventsOf(kafka::kPlacementTopic, trainee, 1).size(), 1u);
}

TEST_F(PlacementSuiteTest,
       KillNineUnderLoadThenRestartLosesNothingAcknowledged) {
  MakeCohort();
  constexpr int kTrainees = 12;
  std::vector<std::string> trainees;
  for (int i = 0; i < kTrainees; ++i) {
    trainees.push_back(EnrolledTrainee(100 + i));
    Complete(trainees.back(), 100 + i);
  }
  // Load: employer registrations (no peer) and, for the completed trainees,
  // placements (a peer call each), from four clients, until the kill.
  std::atomic<bool> stop{false};
  std::atomic<int> next{0};
  std::atomic<int> failed{0};
  absl::Mutex mu;
  std::map<std::string, std::string> employers;  // employer id -> ICE
  std::set<std::string> placed;
  std::vector<std::thread> threads;
  auto channel = pki_->PersonChannel(placement_.address, "programme-admin");
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      auto stub = pb::PlacementService::NewStub(channel);
      while (!stop.load()) {
        const int i = next.fetch_add(1);
        if (i >= 100000) break;
        grpc::ClientContext ctx;
        ctx.set_deadline(std::chrono::system_clock::now() +
                         std::chrono::seconds(5));
        if (i < kTrainees) {
          pb::RecordPlacementRequest place;
          place.set_request_id(absl::StrCat("load-place-", i));
          place.set_trainee_id(trainees[i]);
          place.set_type(ev::PLACEMENT_TYPE_FURTHER_STUDY);
          *place.mutable_start_date() = Date(2025, 9, 15);
          place.set_verification(ev::VERIFICATION_SOURCE_SELF_REPORT);
          pb::RecordPlacementResponse resp;
          grpc::Status s = stub->RecordPlacement(&ctx, place, &resp);
          EXPECT_TRUE(s.ok() || s.error_code() == grpc::StatusCode::UNAVAILABLE)
              << s.error_message();
          if (s.ok()) {
            absl::MutexLock lock(&mu);
            placed.insert(trainees[i]);
          } else {
            ++failed;
          }
          continue;
        }
        pb::RegisterEmployerRequest reg;
        reg.set_request_id(absl::StrCat("load-emp-", i));
        reg.set_name(absl::StrCat("Load employer ", i));
        reg.set_ice(IceFor(i));
        reg.set_sector("it-services");
        reg.set_province_code("MA-RAB");
        pb::RegisterEmployerResponse resp;
        if (stub->RegisterEmployer(&ctx, reg, &resp).ok()) {
          absl::MutexLock lock(&mu);
          employers[resp.employer().employer_id()] = IceFor(i);
        } else {
          ++failed;
        }
      }
    });
  }
  absl::SleepFor(absl::Milliseconds(1500));
  StopPlacement(SIGKILL);
  absl::SleepFor(absl::Milliseconds(100));
  stop = true;
  for (auto& t : threads) t.join();
  ASSERT_GT(employers.size(), 0u);
  ASSERT_GT(failed.load(), 0) << "the load finished before the kill";

  StartPlacement();
  for (const auto& [id, ice] : employers) {
    pb::GetEmployerRequest get;
    get.set_employer_id(id);
    pb::GetEmployerResponse got;
    grpc::Status s = Call(*placement_.stub, &PStub::GetEmployer, get, &got);
    ASSERT_TRUE(s.ok()) << "lost employer " << id << ": " << s.error_message();
    EXPECT_EQ(got.employer().ice(), ice);
  }
  for (const std::string& trainee : placed) {
    pb::GetTraineePlacementRequest get;
    get.set_trainee_id(trainee);
    pb::GetTraineePlacementResponse got;
    grpc::Status s =
        Call(*placement_.stub, &PStub::GetTraineePlacement, get, &got);
    ASSERT_TRUE(s.ok()) << "lost placement of " << trainee << ": "
                        << s.error_message();
    EXPECT_EQ(got.placements_size(), 1);
  }
  // Every acknowledged change has its event on the topic (at least once).
  const absl::Time deadline = absl::Now() + absl::Seconds(60);
  std::set<std::string> keys;
  bool complete = false;
  do {
    keys.clear();
    for (const auto& r : ReadTopic(kafka::kPlacementTopic)) {
      auto e = events::Decode(r.key, r.value, r.headers);
      ASSERT_TRUE(e.ok()) << e.status();
      if (e->has_employer_registered() || e->has_placement_started())
        keys.insert(r.key);
    }
    complete = true;
    for (const auto& [id, ice] : employers)
      complete = complete && keys.contains(id);
    for (const std::string& t : placed) complete = complete && keys.contains(t);
    if (!complete) absl::SleepFor(absl::Milliseconds(500));
  } while (!complete && absl::Now() < deadline);
  for (const auto& [id, ice] : employers) {
    EXPECT_TRUE(keys.contains(id))
        << "event of acknowledged employer " << id << " lost";
  }
  for (const std::string& t : placed) {
    EXPECT_TRUE(keys.contains(t)) << "placement event of " << t << " lost";
  }
  std::cout << "acknowledged before kill: " << employers.size()
            << " employers, " << placed.size()
            << " placements; failed by the kill: " << failed.load() << "\n";
}

}  // namespace
}  // namespace jit::placement
