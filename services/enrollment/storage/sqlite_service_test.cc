// The domain core on the real store: a full enrolment path through
// EnrollmentService over SqliteEnrollmentRepository and HmacCinHasher, read
// back from the outbox rows the relay would publish.
#include <fstream>
#include <iterator>
#include <map>
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
#include "services/enrollment/domain/enrollment_service.h"
#include "services/enrollment/events/event_mapper.h"
#include "services/enrollment/storage/cin_hasher.h"
#include "services/enrollment/storage/sqlite_repository.h"

namespace jit::enrollment {
namespace {

namespace pb = ::jobintech::events::v1;
using ::testing::ElementsAre;

struct Row {
  std::string key;
  std::string payload;
  std::string headers;  // encoded
  pb::LifecycleEvent event;
};

class EnrollmentServiceOnSqliteTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto hasher = HmacCinHasher::Create("a-test-key-of-32-bytes-.........");
    ASSERT_TRUE(hasher.ok()) << hasher.status();
    hasher_ = std::move(*hasher);
    Open();
  }

  void Open() {
    service_.reset();
    repo_.reset();
    auto repo = SqliteEnrollmentRepository::Open(
        {.path = dir_.File("enrollment.db")}, &clock_, &ToOutboxMessage);
    ASSERT_TRUE(repo.ok()) << repo.status();
    repo_ = std::move(*repo);
    service_ = std::make_unique<EnrollmentService>(repo_.get(), &clock_,
                                                   hasher_.get());
  }

  RequestContext Ctx(std::string id = "") {
    if (id.empty()) id = absl::StrCat("req-", ++next_request_);
    return RequestContext{
        .request_id = std::move(id),
        .traceparent =
            "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"};
  }

  static NewApplication Applicant(const std::string& cohort_id, int i) {
    return NewApplication{
        .cohort_id = cohort_id,
        .candidate =
            CandidateInput{.given_name = absl::StrCat("Zineb", i),
                           .family_name = absl::StrCat("Alaoui", i),
                           .national_id = absl::StrCat("BK70000", i),
                           .birth_date = absl::CivilDay(2000, 5, 17),
                           .phone = absl::StrCat("06612345", 10 + i),
                           .email = absl::StrCat("zineb", i, "@example.ma")},
        .gender = ::jobintech::common::v1::GENDER_FEMALE,
        .education_level = ::jobintech::common::v1::EDUCATION_LEVEL_BAC_PLUS_2,
        .residence_province_code = "MA-RAB"};
  }

  std::vector<Row> Outbox() {
    std::vector<Row> rows;
    absl::Status s = repo_->database()->Transaction(
        storage::TxMode::kDeferred, [&](storage::Tx& tx) -> absl::Status {
          ASSIGN_OR_RETURN(
              storage::Statement st,
              tx.Prepare("SELECT key, payload, headers FROM outbox "
                         "ORDER BY id"));
          while (true) {
            ASSIGN_OR_RETURN(bool more, st.Step());
            if (!more) return absl::OkStatus();
            Row r{st.ColumnText(0), st.ColumnBlob(1), st.ColumnBlob(2), {}};
            ASSIGN_OR_RETURN(auto headers, outbox::DecodeHeaders(r.headers));
            ASSIGN_OR_RETURN(r.event,
                             events::Decode(r.key, r.payload, headers));
            rows.push_back(std::move(r));
          }
        });
    EXPECT_TRUE(s.ok()) << s;
    return rows;
  }

  FakeClock clock_;  // 2025-10-15
  storage::testing::TempDir dir_;
  std::unique_ptr<HmacCinHasher> hasher_;
  std::unique_ptr<SqliteEnrollmentRepository> repo_;
  std::unique_ptr<EnrollmentService> service_;
  int next_request_ = 0;
};

TEST_F(EnrollmentServiceOnSqliteTest, FullPathLandsInTheOutboxInOrder) {
  auto centre = service_->CreateCentre(Ctx(), {.name = "Centre Rabat",
                                               .operator_name = "Op",
                                               .province_code = "MA-RAB"});
  ASSERT_TRUE(centre.ok()) << centre.status();
  auto cohort =
      service_->CreateCohort(Ctx(), {.name = "Cyber 1",
                                     .track_id = "cybersecurity",
                                     .centre_id = centre->centre_id,
                                     .capacity = 1,
                                     .start_date = absl::CivilDay(2025, 11, 3),
                                     .end_date = absl::CivilDay(2026, 4, 30),
                                     .status = CohortStatus::kOpen});
  ASSERT_TRUE(cohort.ok()) << cohort.status();
  const std::string cohort_id = cohort->cohort.cohort_id;

  auto first = service_->SubmitApplication(Ctx(), Applicant(cohort_id, 1));
  ASSERT_TRUE(first.ok()) << first.status();
  auto second = service_->SubmitApplication(Ctx(), Applicant(cohort_id, 2));
  ASSERT_TRUE(second.ok()) << second.status();
  const std::string app1 = first->application.application_id;
  const std::string app2 = second->application.application_id;
  const std::string trn1 = first->application.trainee_id;
  const std::string trn2 = second->application.trainee_id;

  const RequestContext admit1 = Ctx();
  auto admitted = service_->Admit(admit1, app1);
  ASSERT_TRUE(admitted.ok()) << admitted.status();
  auto waitlisted = service_->Admit(Ctx(), app2);  // the cohort is full
  ASSERT_TRUE(waitlisted.ok()) << waitlisted.status();
  EXPECT_EQ(waitlisted->application.status, ApplicationStatus::kWaitlisted);
  EXPECT_EQ(waitlisted->waitlist_position, 1);
  ASSERT_TRUE(service_->ConfirmEnrolment(Ctx(), app1).ok());
  ASSERT_TRUE(service_
                  ->WithdrawEnrolment(
                      Ctx(), app1,
                      ::jobintech::common::v1::WITHDRAWAL_REASON_FOUND_JOB,
                      "found a job")
                  .ok());
  auto promoted = service_->AdmitFromWaitlist(Ctx(), cohort_id);
  ASSERT_TRUE(promoted.ok()) << promoted.status();
  EXPECT_EQ(promoted->application.application_id, app2);

  std::vector<Row> rows = Outbox();
  std::map<std::string, std::vector<std::string>> types_by_key;
  std::map<std::string, std::vector<int64_t>> sequences_by_key;
  for (const Row& r : rows) {
    types_by_key[r.key].push_back(r.event.metadata().event_type());
    sequences_by_key[r.key].push_back(r.event.metadata().sequence());
    // No personal datum of either applicant in any byte of any row.
    for (int i : {1, 2}) {
      const NewApplication a = Applicant(cohort_id, i);
      for (const std::string& datum :
           {a.candidate.given_name, a.candidate.family_name,
            a.candidate.national_id, a.candidate.email,
            std::string("612345"), std::string("found a job")}) {
        EXPECT_FALSE(absl::StrContains(r.payload, datum)) << datum;
        EXPECT_FALSE(absl::StrContains(r.headers, datum)) << datum;
      }
    }
  }
  EXPECT_THAT(types_by_key[cohort_id], ElementsAre("enrollment.cohort.opened"));
  EXPECT_THAT(types_by_key[trn1],
              ElementsAre("enrollment.application.submitted",
                          "enrollment.application.admitted",
                          "enrollment.enrolment.confirmed",
                          "enrollment.enrolment.withdrawn"));
  EXPECT_THAT(sequences_by_key[trn1], ElementsAre(1, 2, 3, 4));
  EXPECT_THAT(types_by_key[trn2],
              ElementsAre("enrollment.application.submitted",
                          "enrollment.application.waitlisted",
                          "enrollment.application.admitted"));
  EXPECT_THAT(sequences_by_key[trn2], ElementsAre(1, 2, 3));
  const pb::LifecycleEvent& withdrawn = rows[rows.size() - 2].event;
  ASSERT_EQ(withdrawn.body_case(), pb::LifecycleEvent::kEnrolmentWithdrawn);
  EXPECT_EQ(withdrawn.enrolment_withdrawn().previous_state(),
            pb::APPLICATION_STATE_ENROLLED);
  // The code is published; the note ("found a job") is in no row (above).
  EXPECT_EQ(withdrawn.enrolment_withdrawn().withdrawal_reason(),
            ::jobintech::common::v1::WITHDRAWAL_REASON_FOUND_JOB);
  EXPECT_EQ(withdrawn.metadata().dimensions().residence().province_code(),
            "MA-RAB");
  EXPECT_EQ(withdrawn.metadata().trace_id(),
            "4bf92f3577b34da6a3ce929d0e0e4736");

  // A repeated request returns the first answer and publishes nothing.
  const size_t before = rows.size();
  auto again = service_->Admit(admit1, app1);
  ASSERT_TRUE(again.ok()) << again.status();
  EXPECT_EQ(again->application.status, ApplicationStatus::kAdmitted);
  EXPECT_EQ(Outbox().size(), before);

  // The same person again, while active: found by the CIN hash.
  EXPECT_EQ(service_->SubmitApplication(Ctx(), Applicant(cohort_id, 2))
                .status()
                .code(),
            absl::StatusCode::kAlreadyExists);

  // Erasure keeps the pseudonymous history; survives a restart.
  ASSERT_TRUE(service_->EraseCandidate(Ctx(), trn1).ok());
  Open();
  auto view = service_->GetApplication(app1);
  ASSERT_TRUE(view.ok()) << view.status();
  EXPECT_FALSE(view->personal_data.has_value());
  EXPECT_EQ(view->application.status, ApplicationStatus::kWithdrawn);
  auto replay = service_->Admit(admit1, app1);
  ASSERT_TRUE(replay.ok()) << replay.status();
  EXPECT_EQ(replay->application.status, ApplicationStatus::kAdmitted);
  EXPECT_FALSE(replay->personal_data.has_value());
  EXPECT_EQ(*outbox::Backlog(*repo_->database()), static_cast<int64_t>(before));
}

TEST_F(EnrollmentServiceOnSqliteTest, ErasureLeavesNoByteOfTheCandidateInTheFiles) {
  auto centre = service_->CreateCentre(Ctx(), {.name = "Centre Rabat",
                                               .operator_name = "Op",
                                               .province_code = "MA-RAB"});
  ASSERT_TRUE(centre.ok()) << centre.status();
  auto cohort =
      service_->CreateCohort(Ctx(), {.name = "Cyber 1",
                                     .track_id = "cybersecurity",
                                     .centre_id = centre->centre_id,
                                     .capacity = 5,
                                     .start_date = absl::CivilDay(2025, 11, 3),
                                     .end_date = absl::CivilDay(2026, 4, 30),
                                     .status = CohortStatus::kOpen});
  ASSERT_TRUE(cohort.ok()) << cohort.status();
  const std::string cohort_id = cohort->cohort.cohort_id;
  // The candidate's requests carry digests, as those of the gRPC adapter do.
  RequestContext submit = Ctx();
  submit.fingerprint = "sha256:digest-of-the-erased-submission";
  auto erased = service_->SubmitApplication(submit, Applicant(cohort_id, 1));
  ASSERT_TRUE(erased.ok()) << erased.status();
  const std::string trainee = erased->application.trainee_id;
  RequestContext reject = Ctx();
  reject.fingerprint = "sha256:digest-of-the-erased-rejection";
  ASSERT_TRUE(service_
                  ->Reject(reject, erased->application.application_id,
                           ::jobintech::common::v1::REJECTION_REASON_OTHER,
                           "Erasable-note: Zineb1 lives with her aunt")
                  .ok());
  auto kept = service_->SubmitApplication(Ctx(), Applicant(cohort_id, 2));
  ASSERT_TRUE(kept.ok()) << kept.status();
  ASSERT_TRUE(
      service_->Reject(Ctx(), kept->application.application_id, ::jobintech::common::v1::REJECTION_REASON_OTHER, "Kept-note").ok());

  const std::vector<std::string> values = {
      "Zineb1",       "Alaoui1",  "BK700001", "661234511", "zineb1@example.ma",
      hasher_->Hash("BK700001"), "Erasable-note", "digest-of-the-erased-submission",
      "digest-of-the-erased-rejection"};
  auto found = [&](const std::string& v) {
    for (const std::string suffix : {"", "-wal", "-shm"}) {
      std::ifstream in(dir_.File("enrollment.db") + suffix, std::ios::binary);
      const std::string bytes((std::istreambuf_iterator<char>(in)),
                              std::istreambuf_iterator<char>());
      if (bytes.find(v) != std::string::npos) return true;
    }
    return false;
  };
  for (const std::string& v : values) EXPECT_TRUE(found(v)) << v << " was never stored";

  ASSERT_TRUE(service_->EraseCandidate(Ctx(), trainee).ok());
  EXPECT_FALSE(repo_->ErasureFlushPending());
  for (const std::string& v : values) EXPECT_FALSE(found(v)) << v;
  for (const std::string v : {"Zineb2", "BK700002", "Kept-note"}) {
    EXPECT_TRUE(found(v)) << v << " (another candidate) is gone";
  }
  // Notes never reach the events (reason codes only): neither the erased
  // candidate's nor the other candidate's rejection event holds its note.
  int rejections = 0;
  for (const Row& r : Outbox()) {
    if (!r.event.has_application_rejected()) continue;
    ++rejections;
    EXPECT_EQ(r.payload.find("Erasable-note"), std::string::npos);
    EXPECT_EQ(r.payload.find("Kept-note"), std::string::npos);
    EXPECT_EQ(r.event.application_rejected().rejection_reason(),
              ::jobintech::common::v1::REJECTION_REASON_OTHER);
  }
  EXPECT_EQ(rejections, 2);
  // Replays answer without personal data or note.
  auto replay = service_->Reject(reject, erased->application.application_id, ::jobintech::common::v1::REJECTION_REASON_OTHER, "x");
  ASSERT_TRUE(replay.ok()) << replay.status();
  EXPECT_EQ(replay->application.reason, "");
  EXPECT_EQ(replay->application.status, ApplicationStatus::kRejected);
  EXPECT_FALSE(replay->personal_data.has_value());
}

}  // namespace
}  // namespace jit::enrollment
