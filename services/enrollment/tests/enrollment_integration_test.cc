// The real jit-enrollment binary against the embedded broker (both as
// separate processes) on loopback, driven over gRPC like a real client.
#include <signal.h>

#include <atomic>
#include <map>
#include <set>
#include <thread>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "grpcpp/grpcpp.h"
#include "gtest/gtest.h"
#include "jobintech/enrollment/v1/enrollment_service.grpc.pb.h"
#include "libs/events/envelope.h"
#include "libs/kafka/cloudevents.h"
#include "libs/kafka/consumer.h"
#include "libs/kafka/topics.h"
#include "libs/testing/raw_call.h"
#include "libs/testing/subprocess.h"
#include "libs/testing/test_pki.h"

namespace jit::enrollment {
namespace {

namespace pb = ::jobintech::enrollment::v1;
namespace common = ::jobintech::common::v1;
namespace ev = ::jobintech::events::v1;
using testing::EmbeddedBroker;
using testing::Subprocess;
using testing::TempDir;

constexpr int kPartitions = 8;
constexpr char kHashKey[] = "integration-test-cin-hash-key-0001";

class EnrollmentIntegrationTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto broker = EmbeddedBroker::Start(JIT_KAFKA_BROKER_BIN, dir_.path(), kPartitions);
    ASSERT_TRUE(broker.ok()) << broker.status();
    broker_ = *std::move(broker);
    auto pki = testing::TestPki::Create(dir_.File("pki"));
    ASSERT_TRUE(pki.ok()) << pki.status();
    pki_ = std::make_unique<testing::TestPki>(*std::move(pki));
    StartService();
  }

  void StartService(const std::vector<std::string>& extra_flags = {}) {
    const std::string log = dir_.File(absl::StrCat("enrollment-", ++starts_, ".log"));
    log_ = log;
    std::vector<std::string> args = {
        JIT_ENROLLMENT_BIN, "--grpc_address=127.0.0.1:0",
        "--admin_address=127.0.0.1:0", "--db_path=" + dir_.File("data/enrollment.db"),
        "--kafka_bootstrap=" + broker_->bootstrap_servers(), "--unready_grace=0s",
        "--log_level=info"};
    const std::vector<std::string> security = pki_->ServerFlags("enrollment");
    args.insert(args.end(), security.begin(), security.end());
    args.insert(args.end(), extra_flags.begin(), extra_flags.end());
    auto p = Subprocess::Start(args, log, {{"JIT_ENROLLMENT_CIN_HASH_KEY", kHashKey}});
    ASSERT_TRUE(p.ok()) << p.status();
    service_ = *std::move(p);
    // The binary logs the ports it bound (port 0 = any free port).
    auto port = testing::WaitForLogField(log, "enrollment service ready", "grpc_port",
                                         absl::Seconds(30));
    ASSERT_TRUE(port.ok()) << port.status() << "\n" << testing::ReadFile(log).value_or("");
    address_ = "127.0.0.1:" + *port;
    channel_ = pki_->PersonChannel(address_, "programme-admin");
    stub_ = pb::EnrollmentService::NewStub(channel_);
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
    ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
    return ((*stub_).*method)(&ctx, req, resp);
  }

  std::string CreateCohort(int capacity, const std::string& rid = "cohort") {
    pb::CreateCentreRequest centre;
    centre.set_request_id(rid + "-centre");
    centre.set_name("EST Fquih Ben Salah");
    centre.set_operator_name("Fondation R&D");
    centre.set_province_code("MA-FQH");
    pb::CreateCentreResponse centre_resp;
    EXPECT_TRUE(Call(&pb::EnrollmentService::Stub::CreateCentre, centre, &centre_resp).ok());
    pb::CreateCohortRequest req;
    req.set_request_id(rid);
    req.set_name("Cybersécurité 2025-A");
    req.set_track_id("cybersecurity");
    req.set_centre_id(centre_resp.centre().centre_id());
    req.set_capacity(capacity);
    *req.mutable_start_date() = Date(2025, 11, 3);
    *req.mutable_end_date() = Date(2026, 4, 30);
    req.set_status(pb::COHORT_STATUS_OPEN);
    pb::CreateCohortResponse resp;
    grpc::Status s = Call(&pb::EnrollmentService::Stub::CreateCohort, req, &resp);
    EXPECT_TRUE(s.ok()) << s.error_message();
    return resp.cohort().cohort_id();
  }

  static common::Date Date(int y, int m, int d) {
    common::Date out;
    out.set_year(y);
    out.set_month(m);
    out.set_day(d);
    return out;
  }

  // A distinct synthetic person per index; every personal datum is unique
  // so a leak can be searched for byte by byte.
  struct Person {
    std::string given, family, cin, phone, email;
  };
  static Person PersonFor(int i) {
    return {absl::StrCat("Prenomtest", i), absl::StrCat("Nomtest", i),
            absl::StrCat("ZK", 100000 + i), absl::StrCat("0661", 100000 + i),
            absl::StrCat("candidate", i, "@mail-test.ma")};
  }
  pb::SubmitApplicationRequest Application(const std::string& cohort, int i) {
    const Person p = PersonFor(i);
    pb::SubmitApplicationRequest req;
    req.set_request_id(absl::StrCat("submit-", i));
    req.set_cohort_id(cohort);
    auto* c = req.mutable_candidate();
    c->set_given_name(p.given);
    c->set_family_name(p.family);
    c->set_national_id(p.cin);
    *c->mutable_birth_date() = Date(2000, 1 + i % 12, 1 + i % 28);
    c->set_phone(p.phone);
    c->set_email(p.email);
    req.set_gender(i % 2 ? common::GENDER_FEMALE : common::GENDER_MALE);
    req.set_education_level(common::EDUCATION_LEVEL_BAC_PLUS_2);
    req.set_residence_province_code("MA-BEM");
    return req;
  }

  std::vector<kafka::ConsumedMessage> ReadTopic(const std::string& topic) {
    std::vector<kafka::ConsumedMessage> out;
    auto consumer = kafka::Consumer::Create(
        {.bootstrap_servers = broker_->bootstrap_servers(), .group_id = "",
         .client_id = "", .auto_offset_reset = "error",
         .properties = {{"fetch.wait.max.ms", "10"}}});
    EXPECT_TRUE(consumer.ok());
    std::vector<kafka::TopicPartitionOffset> parts;
    for (int p = 0; p < kPartitions; ++p) parts.push_back({topic, p, kafka::kOffsetBeginning});
    EXPECT_TRUE((*consumer)->Assign(parts).ok());
    const absl::Time deadline = absl::Now() + absl::Seconds(30);
    while (!(*consumer)->AtEndOfAssignedPartitions() && absl::Now() < deadline) {
      auto m = (*consumer)->Poll(absl::Milliseconds(100));
      if (m.ok() && m->has_value()) out.push_back(**m);
    }
    return out;
  }

  // Waits until the topic holds at least `n` records (the relay is async).
  std::vector<kafka::ConsumedMessage> ReadAtLeast(const std::string& topic, size_t n) {
    const absl::Time deadline = absl::Now() + absl::Seconds(30);
    std::vector<kafka::ConsumedMessage> records;
    do {
      records = ReadTopic(topic);
      if (records.size() >= n) break;
      absl::SleepFor(absl::Milliseconds(200));
    } while (absl::Now() < deadline);
    return records;
  }

  static std::vector<ev::LifecycleEvent> TraineeEvents(
      const std::vector<kafka::ConsumedMessage>& records, const std::string& trainee) {
    std::vector<ev::LifecycleEvent> out;
    for (const auto& r : records) {
      if (r.key != trainee) continue;
      auto e = events::Decode(r.key, r.value, r.headers);
      EXPECT_TRUE(e.ok()) << e.status();
      if (e.ok()) out.push_back(*e);
    }
    return out;
  }

  TempDir dir_;
  int starts_ = 0;
  std::unique_ptr<EmbeddedBroker> broker_;
  std::unique_ptr<Subprocess> service_;
  std::string log_;
  std::unique_ptr<testing::TestPki> pki_;
  std::string address_;
  std::shared_ptr<grpc::Channel> channel_;
  std::unique_ptr<pb::EnrollmentService::Stub> stub_;
};

using Stub = pb::EnrollmentService::Stub;

TEST_F(EnrollmentIntegrationTest, FullPathPublishesOrderedEventsWithHeaders) {
  const std::string cohort = CreateCohort(5);
  pb::SubmitApplicationResponse submitted;
  ASSERT_TRUE(Call(&Stub::SubmitApplication, Application(cohort, 1), &submitted).ok());
  const std::string app = submitted.application().application_id();
  const std::string trainee = submitted.application().trainee_id();

  pb::AdmitApplicationRequest admit;
  admit.set_request_id("admit-1");
  admit.set_application_id(app);
  pb::AdmitApplicationResponse admitted;
  ASSERT_TRUE(Call(&Stub::AdmitApplication, admit, &admitted).ok());
  EXPECT_EQ(admitted.application().status(), pb::APPLICATION_STATUS_ADMITTED);
  pb::ConfirmEnrolmentRequest confirm;
  confirm.set_request_id("confirm-1");
  confirm.set_application_id(app);
  pb::ConfirmEnrolmentResponse confirmed;
  ASSERT_TRUE(Call(&Stub::ConfirmEnrolment, confirm, &confirmed).ok());
  pb::WithdrawEnrolmentRequest withdraw;
  withdraw.set_request_id("withdraw-1");
  withdraw.set_application_id(app);
  withdraw.set_reason("found a job before the start");
  withdraw.set_reason_code(::jobintech::common::v1::WITHDRAWAL_REASON_FOUND_JOB);
  pb::WithdrawEnrolmentResponse withdrawn;
  ASSERT_TRUE(Call(&Stub::WithdrawEnrolment, withdraw, &withdrawn).ok());

  // cohort opened + 4 trainee events
  auto records = ReadAtLeast(kafka::kEnrollmentTopic, 5);
  auto events = TraineeEvents(records, trainee);
  ASSERT_EQ(events.size(), 4u);
  EXPECT_TRUE(events[0].has_application_submitted());
  EXPECT_TRUE(events[1].has_application_admitted());
  EXPECT_TRUE(events[2].has_enrolment_confirmed());
  EXPECT_TRUE(events[3].has_enrolment_withdrawn());
  for (size_t i = 0; i < events.size(); ++i) {
    EXPECT_EQ(events[i].metadata().sequence(), static_cast<int64_t>(i + 1));
    EXPECT_EQ(events[i].metadata().source(), "jobintech/enrollment");
    EXPECT_EQ(events[i].metadata().dimensions().training_location().region_code(), "MA-05");
    EXPECT_EQ(events[i].metadata().dimensions().cohort_id(), cohort);
  }
  EXPECT_EQ(events[3].enrolment_withdrawn().previous_state(), ev::APPLICATION_STATE_ENROLLED);
  EXPECT_EQ(events[3].enrolment_withdrawn().new_state(), ev::APPLICATION_STATE_WITHDRAWN);
  EXPECT_EQ(events[3].enrolment_withdrawn().withdrawal_reason(),
            ::jobintech::common::v1::WITHDRAWAL_REASON_FOUND_JOB);
  // The note stays in the store: in no record, and readable over gRPC.
  for (const auto& r : records) {
    EXPECT_FALSE(absl::StrContains(r.value, "found a job before the start"));
  }
  EXPECT_EQ(withdrawn.application().reason(), "found a job before the start");
  for (const auto& r : records) {
    if (r.key != trainee) continue;
    auto ce = kafka::FromHeaders(r.headers);
    ASSERT_TRUE(ce.ok()) << ce.status();
    EXPECT_EQ(ce->subject, trainee);
    EXPECT_EQ(ce->content_type, "application/protobuf");
    EXPECT_NE(kafka::FindHeader(r.headers, "traceparent"), nullptr);
  }
  // The cohort's own event, keyed by cohort id.
  bool opened = false;
  for (const auto& r : records) {
    if (r.key != cohort) continue;
    auto e = events::Decode(r.key, r.value, r.headers);
    ASSERT_TRUE(e.ok());
    opened = opened || e->has_cohort_opened();
  }
  EXPECT_TRUE(opened);
}

TEST_F(EnrollmentIntegrationTest, NoPersonalDatumAppearsOnAnyTopic) {
  const std::string cohort = CreateCohort(3);
  for (int i = 0; i < 6; ++i) {
    pb::SubmitApplicationResponse r;
    ASSERT_TRUE(Call(&Stub::SubmitApplication, Application(cohort, i), &r).ok());
    pb::AdmitApplicationRequest admit;
    admit.set_request_id(absl::StrCat("admit-", i));
    admit.set_application_id(r.application().application_id());
    pb::AdmitApplicationResponse a;
    ASSERT_TRUE(Call(&Stub::AdmitApplication, admit, &a).ok());
  }
  ReadAtLeast(kafka::kEnrollmentTopic, 13);
  std::string everything;
  for (const std::string& topic : kafka::LifecycleTopics()) {
    for (const std::string& t : {topic, kafka::DeadLetterTopic(topic)}) {
      for (const auto& r : ReadTopic(t)) {
        absl::StrAppend(&everything, r.key, r.value);
        for (const auto& [k, v] : r.headers) absl::StrAppend(&everything, k, v);
      }
    }
  }
  ASSERT_FALSE(everything.empty());
  for (int i = 0; i < 6; ++i) {
    const Person p = PersonFor(i);
    for (const std::string& datum :
         {p.given, p.family, p.cin, p.phone.substr(1), p.email}) {
      EXPECT_EQ(everything.find(datum), std::string::npos) << "leaked: " << datum;
    }
  }
}

TEST_F(EnrollmentIntegrationTest, SameRequestIdTwiceGivesOneRecordAndOneEvent) {
  const std::string cohort = CreateCohort(5);
  const auto req = Application(cohort, 7);
  pb::SubmitApplicationResponse a, b;
  ASSERT_TRUE(Call(&Stub::SubmitApplication, req, &a).ok());
  ASSERT_TRUE(Call(&Stub::SubmitApplication, req, &b).ok());
  EXPECT_EQ(a.application().application_id(), b.application().application_id());
  pb::ListApplicationsRequest list;
  list.set_cohort_id(cohort);
  pb::ListApplicationsResponse listed;
  ASSERT_TRUE(Call(&Stub::ListApplications, list, &listed).ok());
  EXPECT_EQ(listed.applications_size(), 1);
  // Give the relay time to publish anything it would, then count.
  absl::SleepFor(absl::Milliseconds(500));
  auto records = ReadAtLeast(kafka::kEnrollmentTopic, 2);
  EXPECT_EQ(TraineeEvents(records, a.application().trainee_id()).size(), 1u);
}

TEST_F(EnrollmentIntegrationTest, ExpiredIdempotencyRecordsArePruned) {
  StopService(SIGTERM);
  StartService({"--idempotency_retention=1s", "--idempotency_prune_interval=100ms"});
  const std::string cohort = CreateCohort(5);
  const auto req = Application(cohort, 8);
  pb::SubmitApplicationResponse a, b;
  ASSERT_TRUE(Call(&Stub::SubmitApplication, req, &a).ok());
  ASSERT_TRUE(Call(&Stub::SubmitApplication, req, &b).ok());  // a retry: the stored answer
  EXPECT_EQ(a.application().application_id(), b.application().application_id());
  // Past the retention the record is deleted by the background pruner...
  auto deleted = testing::WaitForLogField(log_, "pruned expired rows", "deleted",
                                          absl::Seconds(20));
  ASSERT_TRUE(deleted.ok()) << deleted.status();
  EXPECT_GE(std::stoi(*deleted), 1);
  // ...so the same request id is a new request now: the same person
  // applying again is a duplicate. (The first pruning pass may have taken
  // only the centre's and cohort's older records: until the submission's own
  // record goes, a retry still replays the stored answer.)
  pb::SubmitApplicationResponse c;
  grpc::Status again;
  const absl::Time until = absl::Now() + absl::Seconds(20);
  do {
    c.Clear();
    again = Call(&Stub::SubmitApplication, req, &c);
    if (!again.ok()) break;
    EXPECT_EQ(c.application().application_id(), a.application().application_id());
    absl::SleepFor(absl::Milliseconds(200));
  } while (absl::Now() < until);
  EXPECT_EQ(again.error_code(), grpc::StatusCode::ALREADY_EXISTS) << again.error_message();
}

TEST_F(EnrollmentIntegrationTest, ConcurrentAdmissionsNeverExceedCapacity) {
  const std::string cohort = CreateCohort(50);
  std::vector<std::string> apps;
  for (int i = 0; i < 200; ++i) {
    pb::SubmitApplicationResponse r;
    ASSERT_TRUE(Call(&Stub::SubmitApplication, Application(cohort, 1000 + i), &r).ok());
    apps.push_back(r.application().application_id());
  }
  std::atomic<int> admitted{0}, waitlisted{0}, failed{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&, t] {
      auto stub = pb::EnrollmentService::NewStub(channel_);
      for (size_t i = t; i < apps.size(); i += 8) {
        pb::AdmitApplicationRequest req;
        req.set_request_id("admit-" + apps[i]);
        req.set_application_id(apps[i]);
        pb::AdmitApplicationResponse resp;
        grpc::ClientContext ctx;
        grpc::Status s = stub->AdmitApplication(&ctx, req, &resp);
        if (!s.ok()) {
          ++failed;
        } else if (resp.application().status() == pb::APPLICATION_STATUS_ADMITTED) {
          ++admitted;
        } else if (resp.application().status() == pb::APPLICATION_STATUS_WAITLISTED) {
          ++waitlisted;
        }
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(failed.load(), 0);
  EXPECT_EQ(admitted.load(), 50);
  EXPECT_EQ(waitlisted.load(), 150);
  pb::GetCohortRequest get;
  get.set_cohort_id(cohort);
  pb::GetCohortResponse got;
  ASSERT_TRUE(Call(&Stub::GetCohort, get, &got).ok());
  EXPECT_EQ(got.cohort().seats_held(), 50);
  EXPECT_EQ(got.cohort().waitlisted_count(), 150);
}

TEST_F(EnrollmentIntegrationTest, KillNineUnderLoadLosesNoAcknowledgedCallOrEvent) {
  const std::string cohort = CreateCohort(100000);
  std::atomic<bool> stop{false};
  absl::Mutex mu;
  std::map<std::string, std::string> acknowledged;  // application id -> trainee id
  std::vector<std::thread> threads;
  std::atomic<int> next{0};
  std::atomic<int> failed_calls{0};
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      auto stub = pb::EnrollmentService::NewStub(channel_);
      while (!stop.load()) {
        const int i = next.fetch_add(1);
        if (i >= 50000) break;
        pb::SubmitApplicationResponse r;
        grpc::ClientContext ctx;
        ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(5));
        if (stub->SubmitApplication(&ctx, Application(cohort, 5000 + i), &r).ok()) {
          absl::MutexLock lock(&mu);
          acknowledged[r.application().application_id()] = r.application().trainee_id();
        } else {
          ++failed_calls;
        }
      }
    });
  }
  absl::SleepFor(absl::Milliseconds(800));
  StopService(SIGKILL);
  absl::SleepFor(absl::Milliseconds(100));
  stop = true;
  for (auto& t : threads) t.join();
  ASSERT_GT(acknowledged.size(), 0u);
  // The kill must have hit calls in flight, or this proves nothing.
  ASSERT_GT(failed_calls.load(), 0) << "the load finished before the kill";

  StartService();
  for (const auto& [app, trainee] : acknowledged) {
    pb::GetApplicationRequest get;
    get.set_application_id(app);
    pb::GetApplicationResponse got;
    ASSERT_TRUE(Call(&Stub::GetApplication, get, &got).ok()) << "lost " << app;
  }
  auto records = ReadAtLeast(kafka::kEnrollmentTopic, acknowledged.size() + 1);
  std::set<std::string> submitted_apps;
  for (const auto& r : records) {
    auto e = events::Decode(r.key, r.value, r.headers);
    ASSERT_TRUE(e.ok()) << e.status();
    if (e->has_application_submitted()) {
      submitted_apps.insert(e->application_submitted().application_id());
    }
  }
  for (const auto& [app, trainee] : acknowledged) {
    EXPECT_TRUE(submitted_apps.count(app)) << "event of acknowledged " << app << " lost";
  }
  std::cout << "acknowledged before kill: " << acknowledged.size()
            << ", failed by the kill: " << failed_calls.load() << "\n";
}

// A request whose bytes do not decode (a candidate name that is not UTF-8)
// is INVALID_ARGUMENT with a message, not gRPC's bare UNIMPLEMENTED, and the
// binary counts it (grpc_server_undecodable_requests_total) and logs it.
TEST_F(EnrollmentIntegrationTest, UndecodableRequestIsInvalidArgument) {
  // SubmitApplicationRequest{candidate (3) = Candidate{given_name (1) = "\xff"}}
  // with a request id (1), as raw bytes.
  const std::string candidate("\x0a\x01\xff", 3);
  std::string bytes = "\x0a\x03r-1";
  bytes += '\x1a';
  bytes += static_cast<char>(candidate.size());
  bytes += candidate;
  const grpc::Status status = testing::RawUnaryCall(
      channel_, "/jobintech.enrollment.v1.EnrollmentService/SubmitApplication", bytes,
      absl::Seconds(10));
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT) << status.error_message();
  EXPECT_NE(status.error_message().find("could not be decoded"), std::string::npos)
      << status.error_message();
  // Logged as a JSON line with the code.
  auto logged = testing::WaitForLogField(log_, "grpc call", "grpc_code", absl::Seconds(10));
  ASSERT_TRUE(logged.ok()) << logged.status();
  EXPECT_NE(testing::ReadFile(log_).value_or("").find("INVALID_ARGUMENT"), std::string::npos);
}

TEST(EnrollmentBinaryTest, HelpDocumentsEveryFlag) {
  TempDir dir;
  auto run = testing::RunToCompletion({JIT_ENROLLMENT_BIN, "--help"}, dir.File("help.log"),
                                      absl::Seconds(10));
  ASSERT_TRUE(run.ok());
  auto out = testing::ReadFile(dir.File("help.log"));
  ASSERT_TRUE(out.ok());
  for (const char* flag : {"grpc_address", "admin_address", "db_path", "sqlite_synchronous",
                           "kafka_bootstrap", "kafka_bootstrap_file", "cin_hash_key",
                           "min_age", "max_age", "log_level", "drain_timeout"}) {
    EXPECT_NE(out->find(flag), std::string::npos) << flag << " missing from --help";
  }
}

TEST(EnrollmentBinaryTest, BadConfigIsRefusedWithAClearMessage) {
  TempDir dir;
  auto run = testing::RunToCompletion(
      {JIT_ENROLLMENT_BIN, "--grpc_address=nonsense", "--min_age=40", "--max_age=30"},
      dir.File("bad.log"), absl::Seconds(10), {{"JIT_ENROLLMENT_CIN_HASH_KEY", "short"}});
  ASSERT_TRUE(run.ok());
  EXPECT_TRUE(run->exited);
  EXPECT_EQ(run->exit_code, 2);
  auto out = testing::ReadFile(dir.File("bad.log"));
  for (const char* what : {"grpc_address", "cin_hash_key", "max_age", "kafka_bootstrap"}) {
    EXPECT_NE(out->find(what), std::string::npos) << what << " not named:\n" << *out;
  }
}

}  // namespace
}  // namespace jit::enrollment
