// The whole suite on loopback: the embedded broker, jit-enrollment,
// jit-training-progress, jit-placement and jit-aggregator, each a separate
// process. Calls made to the three services show up in the dashboard over
// gRPC, over the watch stream and over HTTP (JSON and SSE).
//
// Built only when the three service targets exist (see CMakeLists.txt).
#include <signal.h>

#include <atomic>
#include <map>
#include <thread>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "google/protobuf/util/json_util.h"
#include "grpcpp/grpcpp.h"
#include "gtest/gtest.h"
#include "httplib.h"
#include "jobintech/dashboard/v1/dashboard_service.grpc.pb.h"
#include "jobintech/enrollment/v1/enrollment_service.grpc.pb.h"
#include "jobintech/placement/v1/placement_service.grpc.pb.h"
#include "jobintech/progress/v1/training_progress_service.grpc.pb.h"
#include "libs/testing/test_pki.h"
#include "libs/testing/subprocess.h"

namespace jit::aggregator {
namespace {

namespace db = ::jobintech::dashboard::v1;
namespace en = ::jobintech::enrollment::v1;
namespace pr = ::jobintech::progress::v1;
namespace pl = ::jobintech::placement::v1;
namespace common = ::jobintech::common::v1;
namespace ev = ::jobintech::events::v1;
using jit::testing::EmbeddedBroker;
using jit::testing::Subprocess;
using jit::testing::TempDir;

constexpr char kHashKey[] = "aggregator-suite-cin-hash-key-0001";
constexpr char kModule[] = "network-basics";

common::Date Date(int y, int m, int d) {
  common::Date out;
  out.set_year(y);
  out.set_month(m);
  out.set_day(d);
  return out;
}

#define JIT_ASSERT_OK(call)                                                      \
  do {                                                                           \
    grpc::Status jit_s_ = (call);                                                \
    ASSERT_TRUE(jit_s_.ok()) << #call << ": " << jit_s_.error_code() << " "      \
                             << jit_s_.error_message();                          \
  } while (false)

class AggregatorSuiteTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto auth = jit::testing::TestPki::Create(dir_.File("pki"));
    ASSERT_TRUE(auth.ok()) << auth.status();
    auth_ = std::make_unique<jit::testing::TestPki>(*std::move(auth));
    auto broker = EmbeddedBroker::Start(JIT_KAFKA_BROKER_BIN, dir_.path(), 4);
    ASSERT_TRUE(broker.ok()) << broker.status();
    broker_ = *std::move(broker);
    std::string address;
    ASSERT_TRUE(StartService("enrollment", JIT_ENROLLMENT_BIN, "enrollment.db", {},
                             {{"JIT_ENROLLMENT_CIN_HASH_KEY", kHashKey}}, &enrollment_addr_));
    ASSERT_TRUE(StartService("training-progress", JIT_PROGRESS_BIN, "progress.db",
                             {"--enrollment_address=" + enrollment_addr_}, {}, &progress_addr_));
    ASSERT_TRUE(StartService("placement", JIT_PLACEMENT_BIN, "placement.db",
                             {"--progress_address=" + progress_addr_,
                              "--enrollment_address=" + enrollment_addr_},
                             {}, &placement_addr_));
    ASSERT_TRUE(StartService("aggregator", JIT_AGGREGATOR_BIN, "aggregator.db",
                             {"--http_address=127.0.0.1:0", "--watch_min_interval=50ms"},
                             {},
                             &aggregator_addr_));
    auto http = jit::testing::WaitForLogField(aggregator_log_, "aggregator service ready",
                                              "http_port", absl::Seconds(5));
    ASSERT_TRUE(http.ok());
    http_port_ = std::stoi(*http);
    enrollment_ = en::EnrollmentService::NewStub(
        auth_->PersonChannel(enrollment_addr_, "programme-admin"));
    progress_ = pr::TrainingProgressService::NewStub(
        auth_->PersonChannel(progress_addr_, "programme-admin"));
    placement_ = pl::PlacementService::NewStub(
        auth_->PersonChannel(placement_addr_, "programme-admin"));
    dashboard_ = db::DashboardService::NewStub(auth_->PersonChannel(aggregator_addr_, "analyst"));
  }

  bool StartService(const std::string& name, const std::string& binary, const std::string& db,
                    std::vector<std::string> extra, std::map<std::string, std::string> env,
                    std::string* address) {
    std::vector<std::string> argv = {binary, "--grpc_address=127.0.0.1:0",
                                     "--admin_address=127.0.0.1:0", "--db_path=" + dir_.File(db),
                                     "--kafka_bootstrap=" + broker_->bootstrap_servers(),
                                     "--unready_grace=0s"};
    const std::vector<std::string> security = auth_->ServerFlags(name);
    argv.insert(argv.end(), security.begin(), security.end());
    argv.insert(argv.end(), extra.begin(), extra.end());
    const std::string log = dir_.File(name + ".log");
    if (name == "aggregator") aggregator_log_ = log;
    auto p = Subprocess::Start(argv, log, env);
    EXPECT_TRUE(p.ok()) << p.status();
    if (!p.ok()) return false;
    processes_.push_back(*std::move(p));
    auto port = jit::testing::WaitForLogField(log, name + " service ready", "grpc_port",
                                              absl::Seconds(30));
    EXPECT_TRUE(port.ok()) << port.status() << "\n" << jit::testing::ReadFile(log).value_or("");
    if (!port.ok()) return false;
    *address = "127.0.0.1:" + *port;
    return true;
  }

  template <typename StubT, typename Req, typename Resp, typename Method>
  static grpc::Status Call(StubT& stub, Method method, const Req& req, Resp* resp) {
    grpc::ClientContext ctx;
    ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(20));
    return (stub.*method)(&ctx, req, resp);
  }

  db::Summary Summary(const std::string& region = "") {
    db::GetSummaryRequest req;
    req.set_visibility(db::VISIBILITY_INTERNAL);
    if (!region.empty()) {
      req.mutable_scope()->set_level(db::SCOPE_LEVEL_REGION);
      req.mutable_scope()->set_region_code(region);
    }
    db::GetSummaryResponse resp;
    grpc::Status s = Call(*dashboard_, &db::DashboardService::Stub::GetSummary, req, &resp);
    EXPECT_TRUE(s.ok()) << s.error_message();
    return resp.summary();
  }

  static double Figure(const db::Summary& s, const std::string& id) {
    for (const auto& f : s.figures()) {
      if (f.metric_id() == id) return f.value();
    }
    return -1;
  }

  // Waits until the dashboard's national summary shows `value` for `metric`.
  bool WaitForFigure(const std::string& metric, double value) {
    const absl::Time deadline = absl::Now() + absl::Seconds(30);
    while (absl::Now() < deadline) {
      if (Figure(Summary(), metric) == value) return true;
      absl::SleepFor(absl::Milliseconds(100));
    }
    return false;
  }

  TempDir dir_;
  std::unique_ptr<jit::testing::TestPki> auth_;
  std::unique_ptr<EmbeddedBroker> broker_;
  std::vector<std::unique_ptr<Subprocess>> processes_;
  std::string enrollment_addr_, progress_addr_, placement_addr_, aggregator_addr_;
  std::string aggregator_log_;
  int http_port_ = 0;
  std::unique_ptr<en::EnrollmentService::Stub> enrollment_;
  std::unique_ptr<pr::TrainingProgressService::Stub> progress_;
  std::unique_ptr<pl::PlacementService::Stub> placement_;
  std::unique_ptr<db::DashboardService::Stub> dashboard_;
};

TEST_F(AggregatorSuiteTest, CallsToTheThreeServicesShowUpInTheDashboard) {
  // Watchers opened before anything happens: a gRPC watch and an SSE client.
  grpc::ClientContext watch_ctx;
  db::WatchSummaryRequest view;
  view.set_visibility(db::VISIBILITY_INTERNAL);
  auto reader = dashboard_->WatchSummary(&watch_ctx, view);
  std::atomic<double> watched_placed{-1};
  std::atomic<double> watched_applicants{-1};
  std::thread watching([&] {
    db::WatchSummaryResponse msg;
    while (reader->Read(&msg)) {
      watched_applicants.store(Figure(msg.summary(), "applicants"));
      watched_placed.store(Figure(msg.summary(), "placed"));
    }
  });
  absl::Mutex mu;
  std::string sse;
  std::atomic<bool> stop{false};
  std::thread streaming([&] {
    httplib::Client c("127.0.0.1", http_port_);
    c.set_bearer_token_auth(auth_->Token("analyst"));
    c.set_read_timeout(60, 0);
    c.Get("/api/v1/stream?visibility=internal&region=MA-05", [&](const char* data, size_t n) {
      absl::MutexLock lock(&mu);
      sse.append(data, n);
      return !stop.load();
    });
  });

  // Catalogue: a centre in Fquih Ben Salah, a cohort, a curriculum.
  en::CreateCentreRequest centre;
  centre.set_request_id("centre");
  centre.set_name("EST Fquih Ben Salah");
  centre.set_operator_name("Fondation R&D");
  centre.set_province_code("MA-FQH");
  en::CreateCentreResponse centre_resp;
  JIT_ASSERT_OK(Call(*enrollment_, &en::EnrollmentService::Stub::CreateCentre, centre,
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
  JIT_ASSERT_OK(Call(*enrollment_, &en::EnrollmentService::Stub::CreateCohort, cohort,
                     &cohort_resp));
  const std::string cohort_id = cohort_resp.cohort().cohort_id();
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
  JIT_ASSERT_OK(Call(*progress_, &pr::TrainingProgressService::Stub::PublishCurriculum,
                     curriculum, &curriculum_resp));

  // Two women apply, are admitted, enrolled and attend; a third applies only.
  std::vector<std::string> trainees;
  for (int i = 1; i <= 3; ++i) {
    en::SubmitApplicationRequest req;
    req.set_request_id(absl::StrCat("submit-", i));
    req.set_cohort_id(cohort_id);
    auto* c = req.mutable_candidate();
    c->set_given_name(absl::StrCat("Prenomagg", i));
    c->set_family_name(absl::StrCat("Nomagg", i));
    c->set_national_id(absl::StrCat("ZA", 300000 + i));
    *c->mutable_birth_date() = Date(2001, 5, 4);
    c->set_phone(absl::StrCat("0663", 300000 + i));
    c->set_email(absl::StrCat("agg", i, "@mail-test.ma"));
    req.set_gender(common::GENDER_FEMALE);
    req.set_education_level(common::EDUCATION_LEVEL_BAC_PLUS_2);
    req.set_residence_province_code("MA-BEM");
    en::SubmitApplicationResponse submitted;
    JIT_ASSERT_OK(Call(*enrollment_, &en::EnrollmentService::Stub::SubmitApplication, req,
                       &submitted));
    trainees.push_back(submitted.application().trainee_id());
    if (i == 3) break;
    en::AdmitApplicationRequest admit;
    admit.set_request_id(absl::StrCat("admit-", i));
    admit.set_application_id(submitted.application().application_id());
    en::AdmitApplicationResponse admitted;
    JIT_ASSERT_OK(Call(*enrollment_, &en::EnrollmentService::Stub::AdmitApplication, admit,
                       &admitted));
    en::ConfirmEnrolmentRequest confirm;
    confirm.set_request_id(absl::StrCat("confirm-", i));
    confirm.set_application_id(submitted.application().application_id());
    en::ConfirmEnrolmentResponse confirmed;
    JIT_ASSERT_OK(Call(*enrollment_, &en::EnrollmentService::Stub::ConfirmEnrolment, confirm,
                       &confirmed));
    pr::RecordAttendanceRequest attend;
    attend.set_request_id(absl::StrCat("attend-", i));
    attend.set_cohort_id(cohort_id);
    attend.set_module_id(kModule);
    *attend.mutable_session_date() = Date(2025, 2, 3);
    auto* entry = attend.add_entries();
    entry->set_trainee_id(trainees.back());
    entry->set_mark(ev::ATTENDANCE_MARK_PRESENT);
    pr::RecordAttendanceResponse attended;
    JIT_ASSERT_OK(Call(*progress_, &pr::TrainingProgressService::Stub::RecordAttendance, attend,
                       &attended));
  }
  ASSERT_TRUE(WaitForFigure("active_now", 2));
  db::Summary s = Summary();
  EXPECT_EQ(Figure(s, "applicants"), 3);
  EXPECT_EQ(Figure(s, "admitted"), 2);
  EXPECT_EQ(Figure(s, "enrolled_now"), 2);
  EXPECT_EQ(Figure(s, "women_share_applicants"), 1.0);

  // The first trainee completes (passes the only required module) and is
  // placed in a permanent job a month later.
  pr::RecordAssessmentRequest assess;
  assess.set_request_id("assess-1");
  assess.set_cohort_id(cohort_id);
  assess.set_trainee_id(trainees[0]);
  assess.set_module_id(kModule);
  assess.set_score(15);
  *assess.mutable_assessed_on() = Date(2025, 6, 20);
  pr::RecordAssessmentResponse assessed;
  JIT_ASSERT_OK(Call(*progress_, &pr::TrainingProgressService::Stub::RecordAssessment, assess,
                     &assessed));
  pl::StartJobSearchRequest search;
  search.set_request_id("search-1");
  search.set_trainee_id(trainees[0]);
  pl::StartJobSearchResponse searching;
  JIT_ASSERT_OK(Call(*placement_, &pl::PlacementService::Stub::StartJobSearch, search,
                     &searching));
  pl::RecordPlacementRequest place;
  place.set_request_id("place-1");
  place.set_trainee_id(trainees[0]);
  place.set_type(ev::PLACEMENT_TYPE_SELF_EMPLOYED);
  *place.mutable_start_date() = Date(2025, 7, 21);
  place.set_salary_band(ev::SALARY_BAND_5000_7999);
  place.set_verification(ev::VERIFICATION_SOURCE_SELF_REPORT);
  pl::RecordPlacementResponse placed;
  JIT_ASSERT_OK(Call(*placement_, &pl::PlacementService::Stub::RecordPlacement, place, &placed));

  // gRPC.
  ASSERT_TRUE(WaitForFigure("placed", 1));
  s = Summary("MA-05");
  EXPECT_EQ(Figure(s, "completed"), 1);
  EXPECT_EQ(Figure(s, "enrolled_now"), 1);
  EXPECT_EQ(Figure(s, "active_now"), 1);
  EXPECT_EQ(Figure(s, "completion_rate"), 1.0);
  EXPECT_EQ(Figure(s, "median_days_to_placement"), 31);  // 2025-06-20 -> 2025-07-21
  EXPECT_EQ(Figure(s, "placement_rate_6m"), 1.0);        // window closed 2025-12-20
  EXPECT_EQ(s.freshness().held_events(), 0);
  // The watch stream.
  const absl::Time deadline = absl::Now() + absl::Seconds(20);
  while (watched_placed.load() != 1 && absl::Now() < deadline) {
    absl::SleepFor(absl::Milliseconds(20));
  }
  EXPECT_EQ(watched_placed.load(), 1);
  EXPECT_EQ(watched_applicants.load(), 3);
  // HTTP JSON.
  httplib::Client c("127.0.0.1", http_port_);
  c.set_bearer_token_auth(auth_->Token("analyst"));
  auto res = c.Get("/api/v1/summary?region=MA-05&visibility=internal");
  ASSERT_TRUE(res && res->status == 200);
  db::GetSummaryResponse parsed;
  ASSERT_TRUE(google::protobuf::util::JsonStringToMessage(res->body, &parsed).ok());
  EXPECT_EQ(Figure(parsed.summary(), "placed"), 1);
  // SSE (region MA-05).
  bool sse_placed = false;
  while (!sse_placed && absl::Now() < deadline) {
    {
      absl::MutexLock lock(&mu);
      sse_placed = sse.find("\"metricId\":\"placed\",\"metricVersion\":1,\"state\":"
                            "\"FIGURE_STATE_VALUE\",\"value\":1") != std::string::npos;
    }
    if (!sse_placed) absl::SleepFor(absl::Milliseconds(20));
  }
  EXPECT_TRUE(sse_placed);

  // Stop the aggregator first: its streams end cleanly.
  ASSERT_TRUE(processes_.back()->Signal(SIGTERM).ok());
  auto info = processes_.back()->Wait(absl::Seconds(30));
  ASSERT_TRUE(info.ok());
  EXPECT_TRUE(info->exited && info->exit_code == 0);
  stop.store(true);
  watching.join();
  streaming.join();
  EXPECT_TRUE(reader->Finish().ok());
  for (auto it = processes_.rbegin() + 1; it != processes_.rend(); ++it) {
    ASSERT_TRUE((*it)->Signal(SIGTERM).ok());
    ASSERT_TRUE((*it)->Wait(absl::Seconds(30)).ok());
  }
}

}  // namespace
}  // namespace jit::aggregator
