// The authorization matrix, against the real binaries over TLS on loopback:
// every RPC of the four services x every kind of caller, checked against a
// hand-written expectation table (kExpected below), not against the policies
// the servers load: a policy changed in a .proto without changing this table
// fails here, and so does an interceptor that stops enforcing.
//
// A call is sent with an empty request. "Admitted" means the call reached the
// handler: its code is neither UNAUTHENTICATED nor PERMISSION_DENIED (empty
// requests are answered INVALID_ARGUMENT or NOT_FOUND; nothing is written).
#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/time/clock.h"
#include "google/protobuf/descriptor.h"
#include "grpcpp/create_channel.h"
#include "grpcpp/grpcpp.h"
#include "gtest/gtest.h"
#include "jobintech/dashboard/v1/dashboard_service.grpc.pb.h"
#include "jobintech/enrollment/v1/enrollment_service.grpc.pb.h"
#include "jobintech/placement/v1/placement_service.grpc.pb.h"
#include "jobintech/progress/v1/training_progress_service.grpc.pb.h"
#include "libs/testing/raw_call.h"
#include "libs/testing/secure_suite.h"
#include "libs/testing/test_pki.h"
#include "libs/tls/dev_pki.h"
#include "libs/tls/tls.h"

namespace jit {
namespace {

using testing::SecureSuite;
using testing::TestPki;

// Who may call what, written by hand from the roles of the [SEC] issue:
//   A programme-admin, R regional-coordinator, C centre-staff,
//   P placement-officer, N analyst, D data-protection-officer;
//   "*" public (anyone, even without a token);
//   services after "|": the service identities admitted (mutual TLS).
const std::map<std::string, std::string>& Expected() {
  static const auto* const kExpected = new std::map<std::string, std::string>{
      // Dashboards: public views for anyone.
      {"DashboardService/GetSummary", "*"},
      {"DashboardService/ListRegions", "*"},
      {"DashboardService/GetProvinceTable", "*"},
      {"DashboardService/GetTimeSeries", "*"},
      {"DashboardService/ListMetricDefinitions", "*"},
      {"DashboardService/GetFreshness", "*"},
      {"DashboardService/WatchSummary", "*"},
      // Enrollment: the catalogue is read by staff and analysts, written by the
      // programme (tracks, targets) and the regions (centres, cohorts).
      {"EnrollmentService/GetProgramme", "ARCPN"},
      {"EnrollmentService/UpdateProgramme", "A"},
      {"EnrollmentService/CreateTrack", "A"},
      {"EnrollmentService/ListTracks", "ARCPN"},
      {"EnrollmentService/CreateCentre", "AR"},
      {"EnrollmentService/GetCentre", "ARCPN"},
      {"EnrollmentService/ListCentres", "ARCPN"},
      {"EnrollmentService/CreateCohort", "AR"},
      {"EnrollmentService/GetCohort", "ARCPN"},
      {"EnrollmentService/ListCohorts", "ARCPN"},
      {"EnrollmentService/UpdateCohort", "AR"},
      // Applications hold personal data: never analysts or placement officers.
      {"EnrollmentService/SubmitApplication", "ARC"},
      {"EnrollmentService/GetApplication", "ARC"},
      {"EnrollmentService/ListApplications", "ARC"},
      {"EnrollmentService/AdmitApplication", "AR"},
      {"EnrollmentService/WaitlistApplication", "AR"},
      {"EnrollmentService/RejectApplication", "AR"},
      {"EnrollmentService/ConfirmEnrolment", "ARC"},
      {"EnrollmentService/DeclineAdmission", "ARC"},
      {"EnrollmentService/WithdrawEnrolment", "ARC"},
      {"EnrollmentService/AdmitFromWaitlist", "AR"},
      {"EnrollmentService/LookupTrainee", "ARCP|training-progress,placement"},
      {"EnrollmentService/EraseCandidate", "D"},
      // Contact data: those who submit applications, in their scope.
      {"EnrollmentService/UpdateCandidateContact", "ARC"},
      // Training progress.
      {"TrainingProgressService/PublishCurriculum", "A"},
      {"TrainingProgressService/GetCurriculum", "ARCPN"},
      {"TrainingProgressService/RecordAttendance", "ARC"},
      {"TrainingProgressService/RecordAssessment", "ARC"},
      {"TrainingProgressService/RecordDropOut", "ARC"},
      {"TrainingProgressService/IssueCertificate", "AR"},
      {"TrainingProgressService/RevokeCertificate", "AR"},
      {"TrainingProgressService/GetTraineeProgress", "ARCP"},
      {"TrainingProgressService/ListCohortProgress", "ARCP"},
      {"TrainingProgressService/GetTraineeExit", "ARCP|placement"},
      // Erasure of staff notes: the data-protection officer, as EraseCandidate.
      {"TrainingProgressService/EraseTraineeNotes", "D"},
      // Placement: placement officers and the programme write; coordinators
      // read; analysts see employers and offers only.
      {"PlacementService/RegisterEmployer", "AP"},
      {"PlacementService/GetEmployer", "ARPN"},
      {"PlacementService/ListEmployers", "ARPN"},
      {"PlacementService/SetEmployerPartner", "AP"},
      {"PlacementService/PostJobOffer", "AP"},
      {"PlacementService/CloseJobOffer", "AP"},
      {"PlacementService/GetJobOffer", "ARPN"},
      {"PlacementService/ListJobOffers", "ARPN"},
      {"PlacementService/StartJobSearch", "AP"},
      {"PlacementService/RecordOffer", "AP"},
      {"PlacementService/RecordPlacement", "AP"},
      {"PlacementService/VerifyPlacement", "AP"},
      {"PlacementService/EndPlacement", "AP"},
      {"PlacementService/GetPlacement", "ARP"},
      {"PlacementService/ListPlacements", "ARP"},
      {"PlacementService/GetTraineePlacement", "ARP"},
      {"PlacementService/ListDueFollowUps", "ARP"},
      {"PlacementService/RecordFollowUp", "AP"},
      {"PlacementService/EraseTraineeNotes", "D"},
  };
  return *kExpected;
}

const std::map<char, std::string>& RoleLetters() {
  static const auto* const kRoles = new std::map<char, std::string>{
      {'A', "programme-admin"}, {'R', "regional-coordinator"},   {'C', "centre-staff"},
      {'P', "placement-officer"}, {'N', "analyst"}, {'D', "data-protection-officer"}};
  return *kRoles;
}

enum class Outcome { kAdmitted, kUnauthenticated, kPermissionDenied, kUnreachable };

std::string Name(Outcome o) {
  switch (o) {
    case Outcome::kAdmitted: return "admitted";
    case Outcome::kUnauthenticated: return "UNAUTHENTICATED";
    case Outcome::kPermissionDenied: return "PERMISSION_DENIED";
    case Outcome::kUnreachable: return "UNAVAILABLE";
  }
  return "?";
}

Outcome OutcomeOf(const grpc::Status& s) {
  switch (s.error_code()) {
    case grpc::StatusCode::UNAUTHENTICATED: return Outcome::kUnauthenticated;
    case grpc::StatusCode::PERMISSION_DENIED: return Outcome::kPermissionDenied;
    case grpc::StatusCode::UNAVAILABLE: return Outcome::kUnreachable;
    default: return Outcome::kAdmitted;
  }
}

struct Caller {
  std::string name;
  std::string role;     // set for a person with a valid token
  std::string service;  // set for a service identity
  enum class Kind { kNone, kBadToken, kPerson, kService } kind;
};

class AuthzMatrixTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    auto suite = SecureSuite::Start(JIT_SUITE_BINARIES);
    ASSERT_TRUE(suite.ok()) << suite.status();
    suite_ = suite->release();
    pki_ = &suite_->pki();
    auto other = TestPki::Create(suite_->dir().File("other-pki"));
    ASSERT_TRUE(other.ok()) << other.status();
    other_ = new TestPki(*std::move(other));
  }

  static void TearDownTestSuite() {
    delete other_;
    delete suite_;
  }

  static std::string AddressOf(const std::string& service_short) {
    if (service_short == "DashboardService") return suite_->address("aggregator");
    if (service_short == "EnrollmentService") return suite_->address("enrollment");
    if (service_short == "TrainingProgressService") {
      return suite_->address("training-progress");
    }
    return suite_->address("placement");
  }

  static std::shared_ptr<grpc::Channel> ChannelFor(const Caller& caller,
                                                   const std::string& address) {
    switch (caller.kind) {
      case Caller::Kind::kNone:
        return pki_->AnonymousChannel(address);
      case Caller::Kind::kBadToken:
        if (caller.name == "expired token") {
          return pki_->TokenChannel(address, pki_->ExpiredToken("programme-admin"));
        }
        if (caller.name == "wrong audience") {
          return pki_->TokenChannel(address, pki_->WrongAudienceToken("programme-admin"));
        }
        // Same issuer and audience, signed by a key the servers do not know.
        return pki_->TokenChannel(address, other_->Token("programme-admin"));
      case Caller::Kind::kPerson:
        return pki_->PersonChannel(address, caller.role, {"MA-05"}, "matrix-user");
      case Caller::Kind::kService:
        return pki_->ServiceChannel(address, caller.service);
    }
    return nullptr;
  }

  // One call with an empty request; `streaming` calls get a short deadline
  // (an admitted watch never ends by itself).
  static grpc::Status CallEmpty(const std::shared_ptr<grpc::Channel>& channel,
                                const std::string& method, bool streaming) {
    return testing::RawUnaryCall(channel, method, "",
                                 streaming ? absl::Seconds(1) : absl::Seconds(10));
  }

  static std::vector<Caller> Callers() {
    std::vector<Caller> callers = {{"no credentials", "", "", Caller::Kind::kNone},
                                   {"expired token", "", "", Caller::Kind::kBadToken},
                                   {"wrong audience", "", "", Caller::Kind::kBadToken},
                                   {"unknown signing key", "", "", Caller::Kind::kBadToken}};
    for (const auto& [letter, role] : RoleLetters()) {
      callers.push_back({"role " + role, role, "", Caller::Kind::kPerson});
    }
    for (const char* s : {"enrollment", "training-progress", "placement", "aggregator"}) {
      callers.push_back({std::string("service ") + s, "", s, Caller::Kind::kService});
    }
    return callers;
  }

  // The expected outcome of `caller` on a method whose table entry is `rule`.
  static Outcome ExpectedOutcome(const std::string& rule, const Caller& caller) {
    const bool is_public = rule == "*";
    std::vector<std::string> parts = absl::StrSplit(rule, '|');
    const std::string roles = parts[0];
    std::set<std::string> services;
    if (parts.size() > 1) {
      for (absl::string_view s : absl::StrSplit(parts[1], ',')) services.insert(std::string(s));
    }
    switch (caller.kind) {
      case Caller::Kind::kNone:
        return is_public ? Outcome::kAdmitted : Outcome::kUnauthenticated;
      case Caller::Kind::kBadToken:
        return Outcome::kUnauthenticated;  // even on public methods: told so
      case Caller::Kind::kPerson: {
        if (is_public) return Outcome::kAdmitted;
        for (const auto& [letter, role] : RoleLetters()) {
          if (role == caller.role) {
            return roles.find(letter) != std::string::npos ? Outcome::kAdmitted
                                                           : Outcome::kPermissionDenied;
          }
        }
        return Outcome::kPermissionDenied;
      }
      case Caller::Kind::kService:
        if (is_public || services.count(caller.service) > 0) return Outcome::kAdmitted;
        return Outcome::kPermissionDenied;
    }
    return Outcome::kPermissionDenied;
  }

  static SecureSuite* suite_;
  static TestPki* pki_;
  static TestPki* other_;
};

SecureSuite* AuthzMatrixTest::suite_ = nullptr;
TestPki* AuthzMatrixTest::pki_ = nullptr;
TestPki* AuthzMatrixTest::other_ = nullptr;

// The four services' descriptors (reached through a message of each file, so
// that the generated code is linked in and registered).
std::vector<const google::protobuf::ServiceDescriptor*> Services() {
  return {jobintech::dashboard::v1::GetSummaryRequest::descriptor()->file()->FindServiceByName(
              "DashboardService"),
          jobintech::enrollment::v1::GetProgrammeRequest::descriptor()->file()->FindServiceByName(
              "EnrollmentService"),
          jobintech::progress::v1::GetCurriculumRequest::descriptor()->file()->FindServiceByName(
              "TrainingProgressService"),
          jobintech::placement::v1::GetEmployerRequest::descriptor()->file()->FindServiceByName(
              "PlacementService")};
}

// The table covers every RPC of the compiled contracts, and nothing else.
TEST_F(AuthzMatrixTest, TheTableCoversEveryRpc) {
  std::set<std::string> compiled;
  for (const google::protobuf::ServiceDescriptor* s : Services()) {
    for (int i = 0; i < s->method_count(); ++i) {
      compiled.insert(absl::StrCat(s->name(), "/", s->method(i)->name()));
    }
  }
  std::set<std::string> table;
  for (const auto& [method, rule] : Expected()) table.insert(method);
  EXPECT_EQ(compiled, table);
}

TEST_F(AuthzMatrixTest, EveryRpcTimesEveryCallerGetsTheExpectedOutcome) {
  ASSERT_NE(suite_, nullptr);
  std::map<std::string, const google::protobuf::ServiceDescriptor*> by_name;
  for (const google::protobuf::ServiceDescriptor* s : Services()) {
    ASSERT_NE(s, nullptr);
    by_name[s->name()] = s;
  }
  int cells = 0;
  int admitted = 0;
  for (const Caller& caller : Callers()) {
    std::map<std::string, std::shared_ptr<grpc::Channel>> channels;
    for (const auto& [method, rule] : Expected()) {
      const std::string service_short = method.substr(0, method.find('/'));
      const std::string address = AddressOf(service_short);
      auto& channel = channels[address];
      if (channel == nullptr) channel = ChannelFor(caller, address);
      const google::protobuf::ServiceDescriptor* sd = by_name[service_short];
      ASSERT_NE(sd, nullptr) << service_short;
      const std::string full_service = sd->full_name();
      const google::protobuf::MethodDescriptor* md =
          sd->FindMethodByName(method.substr(method.find('/') + 1));
      ASSERT_NE(md, nullptr) << method;
      const grpc::Status status =
          CallEmpty(channel, absl::StrCat("/", full_service, "/", md->name()),
                    md->server_streaming());
      const Outcome want = ExpectedOutcome(rule, caller);
      const Outcome got = OutcomeOf(status);
      EXPECT_EQ(Name(got), Name(want))
          << caller.name << " calling " << method << ": " << status.error_code() << " "
          << status.error_message();
      if (got == Outcome::kPermissionDenied && caller.kind == Caller::Kind::kPerson) {
        // The refusal names the permission it lacks.
        EXPECT_NE(status.error_message().find("missing permission"), std::string::npos)
            << status.error_message();
      }
      ++cells;
      admitted += got == Outcome::kAdmitted ? 1 : 0;
    }
  }
  EXPECT_EQ(cells, static_cast<int>(Expected().size() * Callers().size()));
  EXPECT_GT(admitted, 0);
}

TEST_F(AuthzMatrixTest, PlaintextAndForeignCertificatesAreRefusedAtTheHandshake) {
  const std::string method = "/jobintech.dashboard.v1.DashboardService/ListMetricDefinitions";
  ASSERT_NE(suite_, nullptr);
  for (const std::string& name : SecureSuite::ServiceNames()) {
    const std::string address = suite_->address(name);
    ASSERT_FALSE(address.empty()) << name;
    // A plaintext client on a TLS port (public method: only transport matters).
    auto plaintext = grpc::CreateChannel(address, grpc::InsecureChannelCredentials());
    EXPECT_EQ(CallEmpty(plaintext, method, false).error_code(), grpc::StatusCode::UNAVAILABLE)
        << name;
    // A client certificate from another CA, trusting the right server CA.
    auto creds = tls::MakeChannelCredentials({.ca_file = pki_->ca_file(),
                                              .cert_file = other_->CertFile("placement"),
                                              .key_file = other_->KeyFile("placement")});
    ASSERT_TRUE(creds.ok()) << creds.status();
    auto foreign = grpc::CreateChannel(address, *creds);
    EXPECT_EQ(CallEmpty(foreign, method, false).error_code(), grpc::StatusCode::UNAVAILABLE)
        << name;
  }
}

}  // namespace
}  // namespace jit
