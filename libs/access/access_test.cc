// The access interceptor and policies on a real gRPC server over TLS on
// loopback: people with bearer tokens, services with client certificates,
// anonymous callers, against a test service whose methods carry policies.
#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "gmock/gmock.h"
#include "grpcpp/grpcpp.h"
#include "gtest/gtest.h"
#include "libs/access/interceptor.h"
#include "libs/access/policy.h"
#include "jobintech/dashboard/v1/dashboard_service.pb.h"
#include "jobintech/enrollment/v1/enrollment_service.pb.h"
#include "jobintech/placement/v1/placement_service.pb.h"
#include "jobintech/progress/v1/training_progress_service.pb.h"
#include "libs/access/testdata/guarded.grpc.pb.h"
#include "libs/auth/token.h"
#include "libs/clock/clock.h"
#include "libs/status/grpc_status.h"
#include "libs/tls/dev_pki.h"
#include "libs/tls/tls.h"

namespace jit::access {
namespace {

using ::jit::access::testing::Answer;
using ::jit::access::testing::Ask;
using ::jit::access::testing::Guarded;
using ::testing::HasSubstr;

constexpr char kIssuer[] = "https://sso.test/realms/jobintech";
constexpr char kAudience[] = "jobintech-platform";

// Answers with the admitted caller's subject, or the refusal.
class GuardedImpl final : public Guarded::CallbackService {
 public:
  grpc::ServerUnaryReactor* Open(grpc::CallbackServerContext* ctx, const Ask* ask,
                                 Answer* answer) override {
    return Answer_(ctx, ask, answer);
  }
  grpc::ServerUnaryReactor* ForCoordinators(grpc::CallbackServerContext* ctx, const Ask* ask,
                                            Answer* answer) override {
    return Answer_(ctx, ask, answer);
  }
  grpc::ServerUnaryReactor* ForPlacement(grpc::CallbackServerContext* ctx, const Ask* ask,
                                         Answer* answer) override {
    return Answer_(ctx, ask, answer);
  }

 private:
  grpc::ServerUnaryReactor* Answer_(grpc::CallbackServerContext* ctx, const Ask* ask,
                                    Answer* answer) {
    auto* reactor = ctx->DefaultReactor();
    absl::StatusOr<auth::Principal> caller = CallerOf(*ctx);
    absl::Status status = caller.status();
    if (caller.ok() && ask->elevated()) status = CheckElevated(*PolicyOf(*ctx), *caller);
    if (status.ok()) answer->set_subject(caller->subject);
    reactor->Finish(status::ToGrpcStatus(status));
    return reactor;
  }
};

class RecordingSink final : public DenialSink {
 public:
  void Denied(const Denial& d) override {
    absl::MutexLock lock(&mu_);
    denials_.push_back(d);
  }
  std::vector<Denial> denials() {
    absl::MutexLock lock(&mu_);
    return denials_;
  }

 private:
  absl::Mutex mu_;
  std::vector<Denial> denials_;
};

class AccessTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() / absl::StrCat("access_test_", getpid());
    std::filesystem::create_directories(dir_);
    auto ca = tls::DevCa::Create("test CA", absl::Hours(1));
    ASSERT_TRUE(ca.ok());
    Write("ca.pem", ca->pem().cert);
    Issue(*ca, "server", "server", {});
    Issue(*ca, "placement", "placement", {tls::SpiffeIdOf("test", "placement")});
    Issue(*ca, "progress", "training-progress", {tls::SpiffeIdOf("test", "training-progress")});
    auto key = tls::NewSigningKey();
    ASSERT_TRUE(key.ok());
    signing_key_ = key->key;
    auto keys = auth::ParseVerificationKeys(key->cert);
    ASSERT_TRUE(keys.ok());
    auto verifier = auth::TokenVerifier::Create(
        {.issuer = kIssuer, .audience = kAudience, .keys = *keys}, &clock_);
    ASSERT_TRUE(verifier.ok());
    verifier_ = std::make_unique<auth::TokenVerifier>(*std::move(verifier));
    auto policies = PolicyTable::ForServices({"jit.access.testing.Guarded"});
    ASSERT_TRUE(policies.ok()) << policies.status();
    policies_ = std::make_unique<PolicyTable>(*std::move(policies));

    auto creds = tls::MakeServerCredentials({.cert_file = Path("server.crt"),
                                             .key_file = Path("server.key"),
                                             .ca_file = Path("ca.pem")});
    ASSERT_TRUE(creds.ok()) << creds.status();
    grpc::ServerBuilder builder;
    builder.AddListeningPort("127.0.0.1:0", *creds, &port_);
    builder.RegisterService(&service_);
    std::vector<std::unique_ptr<grpc::experimental::ServerInterceptorFactoryInterface>> f;
    f.push_back(MakeAccessInterceptorFactory(
        {.policies = policies_.get(), .verifier = verifier_.get(), .sink = &sink_}));
    builder.experimental().SetInterceptorCreators(std::move(f));
    server_ = builder.BuildAndStart();
    ASSERT_NE(server_, nullptr);
  }
  void TearDown() override {
    server_->Shutdown(std::chrono::system_clock::now());
    std::filesystem::remove_all(dir_);
  }

  std::string Path(const std::string& n) { return (dir_ / n).string(); }
  void Write(const std::string& n, const std::string& c) {
    ASSERT_TRUE(tls::WriteFileAtomically(Path(n), c, 0600).ok());
  }
  void Issue(const tls::DevCa& ca, const std::string& name, const std::string& cn,
             std::vector<std::string> uris) {
    auto pem = ca.Issue({.common_name = cn, .ip_addresses = {"127.0.0.1"}, .uris = uris});
    ASSERT_TRUE(pem.ok());
    Write(name + ".crt", pem->cert);
    Write(name + ".key", pem->key);
  }

  std::string Token(std::vector<std::string> roles, auth::TokenClaims overrides = {}) {
    auth::TokenClaims c{.issuer = kIssuer,
                        .audience = kAudience,
                        .subject = "person-1",
                        .roles = std::move(roles),
                        .issued_at = clock_.Now() - absl::Minutes(1),
                        .lifetime = absl::Hours(1)};
    if (!overrides.issuer.empty()) c.issuer = overrides.issuer;
    if (!overrides.audience.empty()) c.audience = overrides.audience;
    if (overrides.issued_at != absl::UnixEpoch()) c.issued_at = overrides.issued_at;
    auto t = auth::SignToken(c, signing_key_);
    EXPECT_TRUE(t.ok());
    return *t;
  }

  // Who calls: a bearer token ("" for none) and a client identity ("" for
  // server-authenticated TLS only, "plaintext" for no TLS at all).
  struct Caller {
    std::string token = {};
    std::string identity = {};
    std::string authorization = {};  // raw header, overrides token
  };

  // "OK <subject>" or the status code name.
  std::string Call(const std::string& method, const Caller& who, bool elevated = false) {
    std::shared_ptr<grpc::ChannelCredentials> creds;
    if (who.identity == "plaintext") {
      creds = grpc::InsecureChannelCredentials();
    } else {
      tls::ClientTlsOptions o{.ca_file = Path("ca.pem")};
      if (!who.identity.empty()) {
        o.cert_file = Path(who.identity + ".crt");
        o.key_file = Path(who.identity + ".key");
      }
      creds = *tls::MakeChannelCredentials(o);
    }
    auto stub = Guarded::NewStub(
        grpc::CreateChannel(absl::StrCat("127.0.0.1:", port_), creds));
    grpc::ClientContext ctx;
    ctx.set_deadline(absl::ToChronoTime(absl::Now() + absl::Seconds(3)));
    if (!who.authorization.empty()) {
      ctx.AddMetadata("authorization", who.authorization);
    } else if (!who.token.empty()) {
      ctx.AddMetadata("authorization", "Bearer " + who.token);
    }
    Ask ask;
    ask.set_elevated(elevated);
    Answer answer;
    grpc::Status s;
    if (method == "Open") s = stub->Open(&ctx, ask, &answer);
    if (method == "ForCoordinators") s = stub->ForCoordinators(&ctx, ask, &answer);
    if (method == "ForPlacement") s = stub->ForPlacement(&ctx, ask, &answer);
    last_message_ = s.error_message();
    if (s.ok()) return "OK " + answer.subject();
    return absl::StatusCodeToString(static_cast<absl::StatusCode>(s.error_code()));
  }

  FakeClock clock_{absl::Now()};
  std::filesystem::path dir_;
  std::string signing_key_;
  std::unique_ptr<auth::TokenVerifier> verifier_;
  std::unique_ptr<PolicyTable> policies_;
  GuardedImpl service_;
  RecordingSink sink_;
  std::unique_ptr<grpc::Server> server_;
  int port_ = 0;
  std::string last_message_;
};

// The expectation table is written by hand, not derived from the policies.
TEST_F(AccessTest, EveryCallerGetsTheExpectedCodeOnEveryMethod) {
  auto other_key = tls::NewSigningKey();
  ASSERT_TRUE(other_key.ok());
  auth::TokenClaims foreign_claims{.issuer = kIssuer,
                                   .audience = kAudience,
                                   .subject = "intruder",
                                   .roles = {"programme-admin"},
                                   .issued_at = clock_.Now(),
                                   .lifetime = absl::Hours(1)};
  const std::string foreign = *auth::SignToken(foreign_claims, other_key->key);

  const std::map<std::string, Caller> callers = {
      {"none", {}},
      {"expired", {Token({"programme-admin"}, {.issued_at = clock_.Now() - absl::Hours(3)})}},
      {"wrong-audience", {Token({"programme-admin"}, {.audience = "other-app"})}},
      {"unknown-key", {foreign}},
      {"basic-auth", {.token = "", .identity = "", .authorization = "Basic dXNlcjpwYXNz"}},
      {"admin", {Token({"programme-admin"})}},
      {"coordinator", {Token({"regional-coordinator"})}},
      {"analyst", {Token({"analyst"})}},
      {"no-known-role", {Token({"root"})}},
      {"svc-placement", {.token = "", .identity = "placement"}},
      {"svc-progress", {.token = "", .identity = "progress"}},
  };
  struct Row {
    std::string caller;
    std::string open;
    std::string coordinators;
    std::string placement;
  };
  const std::vector<Row> expected = {
      {"none", "OK anonymous", "UNAUTHENTICATED", "UNAUTHENTICATED"},
      {"expired", "UNAUTHENTICATED", "UNAUTHENTICATED", "UNAUTHENTICATED"},
      {"wrong-audience", "UNAUTHENTICATED", "UNAUTHENTICATED", "UNAUTHENTICATED"},
      {"unknown-key", "UNAUTHENTICATED", "UNAUTHENTICATED", "UNAUTHENTICATED"},
      {"basic-auth", "UNAUTHENTICATED", "UNAUTHENTICATED", "UNAUTHENTICATED"},
      {"admin", "OK person-1", "OK person-1", "OK person-1"},
      {"coordinator", "OK person-1", "OK person-1", "PERMISSION_DENIED"},
      {"analyst", "OK person-1", "PERMISSION_DENIED", "PERMISSION_DENIED"},
      {"no-known-role", "OK person-1", "PERMISSION_DENIED", "PERMISSION_DENIED"},
      {"svc-placement", "OK service:placement", "PERMISSION_DENIED", "OK service:placement"},
      {"svc-progress", "OK service:training-progress", "PERMISSION_DENIED",
       "PERMISSION_DENIED"},
  };
  int denials = 0;
  for (const Row& row : expected) {
    SCOPED_TRACE(row.caller);
    const Caller& who = callers.at(row.caller);
    EXPECT_EQ(Call("Open", who), row.open);
    EXPECT_EQ(Call("ForCoordinators", who), row.coordinators);
    EXPECT_EQ(Call("ForPlacement", who), row.placement);
    for (const std::string* r : {&row.open, &row.coordinators, &row.placement}) {
      if (r->rfind("OK", 0) != 0) ++denials;
    }
  }
  // Every refusal reached the audit sink, with its method and status.
  const auto recorded = sink_.denials();
  EXPECT_EQ(static_cast<int>(recorded.size()), denials);
  for (const Denial& d : recorded) {
    EXPECT_THAT(d.method, HasSubstr("/jit.access.testing.Guarded/"));
    EXPECT_FALSE(d.status.ok());
  }
}

TEST_F(AccessTest, DenialsNameTheMissingPermission) {
  EXPECT_EQ(Call("ForCoordinators", {Token({"analyst"})}), "PERMISSION_DENIED");
  EXPECT_THAT(last_message_, HasSubstr("missing permission 'things.write'"));
  EXPECT_THAT(last_message_, HasSubstr("regional-coordinator"));
  EXPECT_EQ(Call("ForPlacement", {.token = "", .identity = "progress"}), "PERMISSION_DENIED");
  EXPECT_THAT(last_message_, HasSubstr("service 'training-progress'"));
  EXPECT_EQ(Call("ForCoordinators", {}), "UNAUTHENTICATED");
  EXPECT_THAT(last_message_, HasSubstr("bearer token"));
  EXPECT_EQ(Call("ForCoordinators", {Token({"admin"}, {.audience = "x"})}), "UNAUTHENTICATED");
  EXPECT_THAT(last_message_, HasSubstr("wrong audience"));
  // Who was refused, for the audit log: a verified token's subject and
  // roles, a service's identity, anonymous, a token that did not verify.
  const auto recorded = sink_.denials();
  ASSERT_EQ(recorded.size(), 4u);
  EXPECT_EQ(recorded[0].subject, "person-1");
  EXPECT_EQ(recorded[0].roles, std::vector<std::string>{"analyst"});
  EXPECT_EQ(recorded[1].subject, "service:training-progress");
  EXPECT_EQ(recorded[1].peer_service, "training-progress");
  EXPECT_EQ(recorded[2].subject, "anonymous");
  EXPECT_EQ(recorded[3].subject, "invalid token");
  EXPECT_TRUE(recorded[3].roles.empty());
}

TEST_F(AccessTest, ElevatedFormsNeedTheirRoles) {
  EXPECT_EQ(Call("Open", {Token({"analyst"})}, /*elevated=*/true), "OK person-1");
  EXPECT_EQ(Call("Open", {}, /*elevated=*/true), "UNAUTHENTICATED");
  EXPECT_EQ(Call("Open", {Token({"regional-coordinator"})}, /*elevated=*/true),
            "PERMISSION_DENIED");
  EXPECT_THAT(last_message_, HasSubstr("open.internal"));
  EXPECT_EQ(Call("Open", {.token = "", .identity = "placement"}, /*elevated=*/true),
            "PERMISSION_DENIED");
}

TEST_F(AccessTest, PlaintextClientsNeverReachAHandler) {
  EXPECT_EQ(Call("Open", {.token = "", .identity = "plaintext"}), "UNAVAILABLE");
}

TEST(PolicyTableTest, AMethodWithoutAPolicyRefusesTheStart) {
  auto t = PolicyTable::ForServices({"jit.access.testing.Unguarded"});
  EXPECT_EQ(t.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(t.status().message(),
              HasSubstr("/jit.access.testing.Unguarded/Anything has no "
                        "(jobintech.common.v1.access) option"));
  EXPECT_THAT(PolicyTable::ForServices({"no.such.Service"}).status().message(),
              HasSubstr("not in the compiled contracts"));
}

TEST(PolicyTableTest, EveryRpcOfTheSuiteHasAPolicy) {
  // Link the contracts into this test as a server binary links its own.
  for (const auto* d : {jobintech::enrollment::v1::GetProgrammeRequest::descriptor(),
                        jobintech::progress::v1::GetCurriculumRequest::descriptor(),
                        jobintech::placement::v1::GetEmployerRequest::descriptor(),
                        jobintech::dashboard::v1::GetSummaryRequest::descriptor()}) {
    ASSERT_NE(d, nullptr);
  }
  auto t = PolicyTable::ForServices({"jobintech.enrollment.v1.EnrollmentService",
                                     "jobintech.progress.v1.TrainingProgressService",
                                     "jobintech.placement.v1.PlacementService",
                                     "jobintech.dashboard.v1.DashboardService"});
  ASSERT_TRUE(t.ok()) << t.status();
  // Spot checks by hand of what the policies must say.
  const MethodPolicy* erase =
      t->Find("/jobintech.enrollment.v1.EnrollmentService/EraseCandidate");
  ASSERT_NE(erase, nullptr);
  EXPECT_EQ(erase->roles, std::vector<auth::Role>{auth::Role::kDataProtectionOfficer});
  EXPECT_TRUE(erase->personal_data);
  const MethodPolicy* lookup =
      t->Find("/jobintech.enrollment.v1.EnrollmentService/LookupTrainee");
  ASSERT_NE(lookup, nullptr);
  EXPECT_EQ(lookup->services, (std::vector<std::string>{"training-progress", "placement"}));
  const MethodPolicy* list =
      t->Find("/jobintech.enrollment.v1.EnrollmentService/ListApplications");
  ASSERT_NE(list, nullptr);
  EXPECT_TRUE(list->services.empty());
  EXPECT_THAT(list->roles, ::testing::Not(::testing::Contains(auth::Role::kAnalyst)));
  const MethodPolicy* exit =
      t->Find("/jobintech.progress.v1.TrainingProgressService/GetTraineeExit");
  ASSERT_NE(exit, nullptr);
  EXPECT_EQ(exit->services, std::vector<std::string>{"placement"});
  const MethodPolicy* summary = t->Find("/jobintech.dashboard.v1.DashboardService/GetSummary");
  ASSERT_NE(summary, nullptr);
  EXPECT_TRUE(summary->is_public);
  EXPECT_EQ(summary->elevated_permission, "dashboards.internal");
  EXPECT_NE(t->Find("/grpc.health.v1.Health/Check"), nullptr);
}

TEST(BearerTokenTest, ParsesTheBearerSchemeOnly) {
  EXPECT_EQ(BearerToken("Bearer abc.def.ghi"), "abc.def.ghi");
  EXPECT_EQ(BearerToken("bearer   abc "), "abc");
  EXPECT_EQ(BearerToken("Basic abc"), std::nullopt);
  EXPECT_EQ(BearerToken("Bearer "), std::nullopt);
  EXPECT_EQ(BearerToken(""), std::nullopt);
}

}  // namespace
}  // namespace jit::access

namespace jit::access {
namespace {

auth::Principal Person(std::vector<auth::Role> roles, std::vector<std::string> regions,
                       std::vector<std::string> centres = {}) {
  auth::Principal p;
  p.kind = auth::Principal::Kind::kPerson;
  p.subject = "someone";
  p.roles = std::move(roles);
  p.regions = std::move(regions);
  p.centres = std::move(centres);
  return p;
}

TEST(ScopeOfTest, NationalRolesAndServicesSeeEverythingOthersTheirRegionsOrCentres) {
  using auth::Role;
  EXPECT_TRUE(ScopeOf(Person({Role::kProgrammeAdmin}, {"MA-05"})).national);
  EXPECT_TRUE(ScopeOf(Person({Role::kAnalyst}, {})).national);
  EXPECT_TRUE(ScopeOf(Person({Role::kDataProtectionOfficer}, {})).national);
  auth::Principal service;
  service.kind = auth::Principal::Kind::kService;
  service.service = "placement";
  EXPECT_TRUE(ScopeOf(service).national);

  const command::Scope coordinator = ScopeOf(Person({Role::kRegionalCoordinator}, {"MA-05"}));
  EXPECT_FALSE(coordinator.national);
  EXPECT_TRUE(coordinator.Allows("MA-05", "ctr_x"));
  EXPECT_FALSE(coordinator.Allows("MA-06", "ctr_x"));
  // Centre staff: their centres only, whatever regions the token names.
  const command::Scope staff =
      ScopeOf(Person({Role::kCentreStaff}, {"MA-05"}, {"ctr_a"}));
  EXPECT_TRUE(staff.Allows("MA-06", "ctr_a"));
  EXPECT_FALSE(staff.Allows("MA-05", "ctr_b"));
  // A limited role without scope claims sees nothing.
  EXPECT_FALSE(ScopeOf(Person({Role::kPlacementOfficer}, {})).Allows("MA-05", "ctr_a"));
}

}  // namespace
}  // namespace jit::access
