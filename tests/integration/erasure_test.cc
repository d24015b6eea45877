// Erasure on the real binaries (issue 16): the whole suite over TLS on
// loopback; a candidate with distinctive personal values goes through
// applications, a contact change and transitions with distinctive free-text
// notes, next to a bystander with values of their own. Then the data
// protection officer erases the candidate, and:
//   - none of the erased values (names, national ID, its keyed hash, birth
//     date, old and new phone and e-mail, the notes, the digest of the
//     submission) is found by byte search in enrollment's database files
//     (main file, -wal, -shm), nor any personal value in the other services'
//     files or in any service's log;
//   - no RPC answers any of them: GetApplication, ListApplications,
//     LookupTrainee, the audit log, and the replays of the original requests;
//   - the dashboard's counts (every figure, and the number of events folded)
//     are unchanged;
//   - the bystander's values are still found in the same files (the search
//     does find what is there) and before the erasure the candidate's were.
#include <filesystem>
#include <fstream>
#include <functional>
#include <iterator>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "google/protobuf/message.h"
#include "grpcpp/grpcpp.h"
#include "gtest/gtest.h"
#include "jobintech/audit/v1/audit_service.grpc.pb.h"
#include "jobintech/dashboard/v1/dashboard_service.grpc.pb.h"
#include "jobintech/enrollment/v1/enrollment_service.grpc.pb.h"
#include "libs/grpcserver/command_context.h"
#include "libs/testing/secure_suite.h"
#include "services/enrollment/storage/cin_hasher.h"

namespace jit {
namespace {

namespace enr = ::jobintech::enrollment::v1;
namespace cmn = ::jobintech::common::v1;
namespace dsh = ::jobintech::dashboard::v1;
namespace aud = ::jobintech::audit::v1;

using testing::SecureSuite;

// The erased candidate's values. Each is searched as written here; the
// phone numbers by their last nine digits (the input and the stored E.164
// form both hold them).
constexpr char kGiven[] = "Zoubidaerasable";
constexpr char kFamily[] = "Quxmarkerfamille";
constexpr char kCin[] = "QX987654";
constexpr char kBirth[] = "1999-03-14";
constexpr char kPhone1[] = "0698765431";
constexpr char kPhone2[] = "0687654329";
constexpr char kEmail1[] = "zoubida.erasable1@erasure-test.ma";
constexpr char kEmail2[] = "zoubida.erasable2@erasure-test.ma";
constexpr char kNoteReject[] = "Xyzzy-reject-note: Zoubidaerasable lied";
constexpr char kNoteWithdraw[] = "Plugh-withdraw-note: moved to Agadir";
constexpr char kNoteDecline[] = "Frobozz-decline-note: family reasons";
// The bystander's.
constexpr char kOtherGiven[] = "Bystanderkeep";
constexpr char kOtherFamily[] = "Keepfamilyname";
constexpr char kOtherCin[] = "QB123450";
constexpr char kOtherNote[] = "Keepme-bystander-note";

cmn::Date Day(absl::CivilDay d) {
  cmn::Date out;
  out.set_year(static_cast<int32_t>(d.year()));
  out.set_month(d.month());
  out.set_day(d.day());
  return out;
}

std::string FileBytes(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

std::unique_ptr<grpc::ClientContext> Ctx() {
  auto ctx = std::make_unique<grpc::ClientContext>();
  ctx->set_deadline(absl::ToChronoTime(absl::Now() + absl::Seconds(20)));
  return ctx;
}

#define JIT_ASSERT_OK(call)                                                          \
  do {                                                                               \
    const grpc::Status jit_s_ = (call);                                              \
    ASSERT_TRUE(jit_s_.ok()) << #call << ": " << jit_s_.error_code() << " "          \
                             << jit_s_.error_message();                              \
  } while (false)

class ErasureTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto suite = SecureSuite::Start(JIT_SUITE_BINARIES);
    ASSERT_TRUE(suite.ok()) << suite.status();
    suite_ = *std::move(suite);
    const std::string address = suite_->address("enrollment");
    admin_ = enr::EnrollmentService::NewStub(
        suite_->pki().PersonChannel(address, "programme-admin", {}, "ada"));
    dpo_ = enr::EnrollmentService::NewStub(
        suite_->pki().PersonChannel(address, "data-protection-officer", {}, "dora"));
    audit_ = aud::AuditService::NewStub(
        suite_->pki().PersonChannel(address, "data-protection-officer", {}, "dora"));
    dashboard_ = dsh::DashboardService::NewStub(
        suite_->pki().PersonChannel(suite_->address("aggregator"), "analyst", {}, "ana"));
  }

  std::string Cohort(const std::string& centre, int n) {
    enr::CreateCohortRequest req;
    req.set_request_id(absl::StrCat("cohort-", n));
    req.set_name(absl::StrCat("Cohorte erasure ", n));
    req.set_track_id("cybersecurity");
    req.set_centre_id(centre);
    req.set_capacity(10);
    const absl::CivilDay today = absl::ToCivilDay(absl::Now(), absl::UTCTimeZone());
    *req.mutable_start_date() = Day(today);
    *req.mutable_end_date() = Day(today + 300);
    req.set_status(enr::COHORT_STATUS_OPEN);
    enr::CreateCohortResponse resp;
    const grpc::Status s = admin_->CreateCohort(Ctx().get(), req, &resp);
    EXPECT_TRUE(s.ok()) << s.error_message();
    return resp.cohort().cohort_id();
  }

  // The erased candidate's submission (`other`: the bystander's).
  static enr::SubmitApplicationRequest Submission(const std::string& request_id,
                                                  const std::string& cohort, const char* phone,
                                                  const char* email, bool other = false) {
    enr::SubmitApplicationRequest r;
    r.set_request_id(request_id);
    r.set_cohort_id(cohort);
    enr::Candidate* c = r.mutable_candidate();
    c->set_given_name(other ? kOtherGiven : kGiven);
    c->set_family_name(other ? kOtherFamily : kFamily);
    c->set_national_id(other ? kOtherCin : kCin);
    *c->mutable_birth_date() =
        Day(other ? absl::CivilDay(2000, 7, 21) : absl::CivilDay(1999, 3, 14));
    c->set_phone(phone);
    c->set_email(email);
    r.set_gender(cmn::GENDER_FEMALE);
    r.set_education_level(cmn::EDUCATION_LEVEL_BAC_PLUS_2);
    r.set_residence_province_code("MA-FQH");
    return r;
  }

  // Every figure of the national internal summary, and the events folded.
  std::map<std::string, double> Counts() {
    dsh::GetSummaryRequest req;
    req.set_visibility(dsh::VISIBILITY_INTERNAL);
    dsh::GetSummaryResponse resp;
    const grpc::Status s = dashboard_->GetSummary(Ctx().get(), req, &resp);
    EXPECT_TRUE(s.ok()) << s.error_message();
    std::map<std::string, double> out;
    for (const auto& f : resp.summary().figures()) out[f.metric_id()] = f.value();
    out["state_version"] = static_cast<double>(resp.summary().state_version());
    return out;
  }

  // The counts once `ready` holds for them and they stop changing.
  std::map<std::string, double> SettledCounts(
      const std::function<bool(const std::map<std::string, double>&)>& ready) {
    const absl::Time deadline = absl::Now() + absl::Seconds(60);
    std::map<std::string, double> last = Counts();
    int same = 0;
    while (absl::Now() < deadline && same < 4) {
      absl::SleepFor(absl::Milliseconds(250));
      std::map<std::string, double> now = Counts();
      same = (now == last && ready(now)) ? same + 1 : 0;
      last = std::move(now);
    }
    EXPECT_GE(same, 4) << "the dashboard did not settle";
    return last;
  }

  // The values of `needles` found in the given files, as "<needle> in <file>".
  static std::vector<std::string> Found(const std::vector<std::string>& files,
                                        const std::vector<std::string>& needles) {
    std::vector<std::string> found;
    for (const std::string& file : files) {
      const std::string bytes = FileBytes(file);
      for (const std::string& needle : needles) {
        if (bytes.find(needle) != std::string::npos) {
          found.push_back(absl::StrCat(needle, " in ", file));
        }
      }
    }
    return found;
  }

  std::vector<std::string> EnrollmentFiles() const {
    const std::string db = suite_->dir().File("enrollment.db");
    return {db, db + "-wal", db + "-shm"};
  }

  // Every other file of the suite's folder: the other services' databases
  // (and their -wal, -shm) and every service's log.
  std::vector<std::string> OtherFiles() const {
    std::vector<std::string> out;
    for (const auto& entry : std::filesystem::directory_iterator(suite_->dir().path())) {
      if (!entry.is_regular_file()) continue;
      const std::string name = entry.path().filename().string();
      if (name.rfind("enrollment.db", 0) == 0) continue;
      if (name.find(".db") != std::string::npos || name.find(".log") != std::string::npos) {
        out.push_back(entry.path().string());
      }
    }
    return out;
  }

  std::unique_ptr<SecureSuite> suite_;
  std::unique_ptr<enr::EnrollmentService::Stub> admin_;
  std::unique_ptr<enr::EnrollmentService::Stub> dpo_;
  std::unique_ptr<aud::AuditService::Stub> audit_;
  std::unique_ptr<dsh::DashboardService::Stub> dashboard_;
};

TEST_F(ErasureTest, ErasedValuesAreInNoFileAndNoAnswerAndTheCountsStay) {
  // ---- the history
  enr::CreateCentreRequest centre_req;
  centre_req.set_request_id("centre-1");
  centre_req.set_name("Centre erasure");
  centre_req.set_operator_name("Operateur");
  centre_req.set_province_code("MA-FQH");
  enr::CreateCentreResponse centre;
  JIT_ASSERT_OK(admin_->CreateCentre(Ctx().get(), centre_req, &centre));
  const std::string cohort_a = Cohort(centre.centre().centre_id(), 1);
  const std::string cohort_b = Cohort(centre.centre().centre_id(), 2);

  // What is replayed after the erasure: each original request and how it is
  // sent again.
  std::vector<std::pair<std::string, std::function<grpc::Status(std::string*)>>> replays;
  auto remember = [&](const std::string& what, auto method, auto request, auto response) {
    replays.emplace_back(what, [this, method, request, response](std::string* out) mutable {
      const grpc::Status s = ((*admin_).*method)(Ctx().get(), request, &response);
      *out = response.SerializeAsString();
      return s;
    });
  };

  // Application 1: rejected with a note.
  const enr::SubmitApplicationRequest submit1 =
      Submission("v-submit-1", cohort_a, kPhone1, kEmail1);
  enr::SubmitApplicationResponse app1;
  JIT_ASSERT_OK(admin_->SubmitApplication(Ctx().get(), submit1, &app1));
  const std::string trainee = app1.application().trainee_id();
  remember("submit 1", &enr::EnrollmentService::Stub::SubmitApplication, submit1,
           enr::SubmitApplicationResponse());
  enr::RejectApplicationRequest reject;
  reject.set_request_id("v-reject-1");
  reject.set_application_id(app1.application().application_id());
  reject.set_reason_code(::jobintech::common::v1::REJECTION_REASON_OTHER);
  reject.set_reason(kNoteReject);
  enr::RejectApplicationResponse rejected;
  JIT_ASSERT_OK(admin_->RejectApplication(Ctx().get(), reject, &rejected));
  remember("reject 1", &enr::EnrollmentService::Stub::RejectApplication, reject,
           enr::RejectApplicationResponse());

  // New contact data, explicitly; then application 2: enrolled, withdrawn.
  enr::UpdateCandidateContactRequest contact;
  contact.set_request_id("v-contact-1");
  contact.set_trainee_id(trainee);
  contact.set_phone(kPhone2);
  contact.set_email(kEmail2);
  enr::UpdateCandidateContactResponse contacted;
  JIT_ASSERT_OK(admin_->UpdateCandidateContact(Ctx().get(), contact, &contacted));
  remember("contact", &enr::EnrollmentService::Stub::UpdateCandidateContact, contact,
           enr::UpdateCandidateContactResponse());
  const enr::SubmitApplicationRequest submit2 =
      Submission("v-submit-2", cohort_a, kPhone2, kEmail2);
  enr::SubmitApplicationResponse app2;
  JIT_ASSERT_OK(admin_->SubmitApplication(Ctx().get(), submit2, &app2));
  ASSERT_EQ(app2.application().trainee_id(), trainee);
  remember("submit 2", &enr::EnrollmentService::Stub::SubmitApplication, submit2,
           enr::SubmitApplicationResponse());
  const std::string app2_id = app2.application().application_id();
  enr::AdmitApplicationRequest admit2;
  admit2.set_request_id("v-admit-2");
  admit2.set_application_id(app2_id);
  enr::AdmitApplicationResponse admitted;
  JIT_ASSERT_OK(admin_->AdmitApplication(Ctx().get(), admit2, &admitted));
  enr::ConfirmEnrolmentRequest enrol2;
  enrol2.set_request_id("v-enrol-2");
  enrol2.set_application_id(app2_id);
  enr::ConfirmEnrolmentResponse enrolled;
  JIT_ASSERT_OK(admin_->ConfirmEnrolment(Ctx().get(), enrol2, &enrolled));
  enr::WithdrawEnrolmentRequest withdraw;
  withdraw.set_request_id("v-withdraw-2");
  withdraw.set_application_id(app2_id);
  withdraw.set_reason_code(::jobintech::common::v1::WITHDRAWAL_REASON_OTHER);
  withdraw.set_reason(kNoteWithdraw);
  enr::WithdrawEnrolmentResponse withdrawn;
  JIT_ASSERT_OK(admin_->WithdrawEnrolment(Ctx().get(), withdraw, &withdrawn));
  remember("withdraw 2", &enr::EnrollmentService::Stub::WithdrawEnrolment, withdraw,
           enr::WithdrawEnrolmentResponse());

  // Application 3: admitted, declined with a note.
  const enr::SubmitApplicationRequest submit3 =
      Submission("v-submit-3", cohort_b, kPhone2, kEmail2);
  enr::SubmitApplicationResponse app3;
  JIT_ASSERT_OK(admin_->SubmitApplication(Ctx().get(), submit3, &app3));
  remember("submit 3", &enr::EnrollmentService::Stub::SubmitApplication, submit3,
           enr::SubmitApplicationResponse());
  enr::AdmitApplicationRequest admit3;
  admit3.set_request_id("v-admit-3");
  admit3.set_application_id(app3.application().application_id());
  JIT_ASSERT_OK(admin_->AdmitApplication(Ctx().get(), admit3, &admitted));
  enr::DeclineAdmissionRequest decline;
  decline.set_request_id("v-decline-3");
  decline.set_application_id(app3.application().application_id());
  decline.set_reason_code(::jobintech::common::v1::DECLINE_REASON_OTHER);
  decline.set_reason(kNoteDecline);
  enr::DeclineAdmissionResponse declined;
  JIT_ASSERT_OK(admin_->DeclineAdmission(Ctx().get(), decline, &declined));
  remember("decline 3", &enr::EnrollmentService::Stub::DeclineAdmission, decline,
           enr::DeclineAdmissionResponse());

  // The bystander: applied and rejected with a note.
  enr::SubmitApplicationResponse other;
  JIT_ASSERT_OK(admin_->SubmitApplication(
      Ctx().get(),
      Submission("o-submit", cohort_a, "0655443322", "bystander@erasure-test.ma", true),
      &other));
  enr::RejectApplicationRequest reject_other;
  reject_other.set_request_id("o-reject");
  reject_other.set_application_id(other.application().application_id());
  reject_other.set_reason_code(::jobintech::common::v1::REJECTION_REASON_OTHER);
  reject_other.set_reason(kOtherNote);
  JIT_ASSERT_OK(admin_->RejectApplication(Ctx().get(), reject_other, &rejected));

  // ---- what must go, and what must stay
  auto hasher = enrollment::HmacCinHasher::Create(SecureSuite::kCinHashKey);
  ASSERT_TRUE(hasher.ok()) << hasher.status();
  const std::vector<std::string> personal = {
      kGiven,
      kFamily,
      kCin,
      kBirth,
      std::string(kPhone1).substr(1),
      std::string(kPhone2).substr(1),
      kEmail1,
      kEmail2,
      (*hasher)->Hash(kCin),
      // The digest of a request that held personal data (what replays are
      // compared with): it confirms a guessed request.
      grpcserver::RequestFingerprint(submit1),
  };
  std::vector<std::string> erased = personal;
  for (const char* note : {kNoteReject, kNoteWithdraw, kNoteDecline}) erased.push_back(note);
  const std::vector<std::string> kept = {kOtherGiven, kOtherFamily, kOtherCin, kOtherNote};

  const std::map<std::string, double> before = SettledCounts(
      [](const std::map<std::string, double>& c) { return c.at("applicants") >= 2; });

  // Before the erasure, the search finds every one of them.
  for (const std::string& v : erased) {
    EXPECT_FALSE(Found(EnrollmentFiles(), {v}).empty()) << v << " was never stored";
  }

  // ---- the erasure
  enr::EraseCandidateRequest erase;
  erase.set_request_id("dpo-erase-1");
  erase.set_trainee_id(trainee);
  enr::EraseCandidateResponse erase_resp;
  JIT_ASSERT_OK(dpo_->EraseCandidate(Ctx().get(), erase, &erase_resp));

  // ---- the files
  EXPECT_EQ(Found(EnrollmentFiles(), erased), std::vector<std::string>{});
  EXPECT_EQ(Found(OtherFiles(), personal), std::vector<std::string>{});
  for (const std::string& v : kept) {
    EXPECT_FALSE(Found(EnrollmentFiles(), {v}).empty()) << v << " (bystander) is gone";
  }

  // ---- the answers
  std::vector<std::pair<std::string, std::string>> answers;  // what, bytes
  for (const std::string& id : {app1.application().application_id(), app2_id,
                                app3.application().application_id()}) {
    enr::GetApplicationRequest get;
    get.set_application_id(id);
    enr::GetApplicationResponse got;
    JIT_ASSERT_OK(admin_->GetApplication(Ctx().get(), get, &got));
    EXPECT_TRUE(got.application().personal_data_erased());
    EXPECT_FALSE(got.application().has_candidate());
    EXPECT_EQ(got.application().reason(), "");
    answers.emplace_back("get " + id, got.SerializeAsString());
  }
  for (const std::string& cohort : {cohort_a, cohort_b}) {
    enr::ListApplicationsRequest list;
    list.set_cohort_id(cohort);
    list.mutable_page()->set_page_size(500);
    enr::ListApplicationsResponse listed;
    JIT_ASSERT_OK(admin_->ListApplications(Ctx().get(), list, &listed));
    for (const enr::Application& a : listed.applications()) {
      if (a.trainee_id() == trainee) {
        answers.emplace_back("list " + cohort, a.SerializeAsString());
      } else {
        EXPECT_EQ(a.candidate().given_name(), kOtherGiven);
        EXPECT_EQ(a.reason(), kOtherNote);
      }
    }
  }
  enr::LookupTraineeRequest lookup;
  lookup.set_trainee_id(trainee);
  enr::LookupTraineeResponse looked;
  JIT_ASSERT_OK(admin_->LookupTrainee(Ctx().get(), lookup, &looked));
  answers.emplace_back("lookup", looked.SerializeAsString());
  aud::ListAuditRecordsRequest audit_req;
  audit_req.mutable_page()->set_page_size(500);
  aud::ListAuditRecordsResponse audit_resp;
  JIT_ASSERT_OK(audit_->ListAuditRecords(Ctx().get(), audit_req, &audit_resp));
  EXPECT_GT(audit_resp.records_size(), 0);
  answers.emplace_back("audit", audit_resp.SerializeAsString());
  // The original requests again, from their first caller: answered from the
  // scrubbed answers, without personal data or notes; nothing applied again.
  for (auto& [what, replay] : replays) {
    std::string bytes;
    const grpc::Status s = replay(&bytes);
    EXPECT_TRUE(s.ok()) << what << ": " << s.error_message();
    answers.emplace_back("replay " + what, bytes);
  }
  for (const auto& [what, bytes] : answers) {
    for (const std::string& v : erased) {
      EXPECT_EQ(bytes.find(v), std::string::npos) << what << " answers " << v;
    }
  }
  EXPECT_EQ(Found(EnrollmentFiles(), erased), std::vector<std::string>{})
      << "after the replays";

  // ---- the dashboard's counts
  absl::SleepFor(absl::Seconds(2));
  const std::map<std::string, double> after = SettledCounts(
      [](const std::map<std::string, double>&) { return true; });
  EXPECT_EQ(after, before);
}

}  // namespace
}  // namespace jit
