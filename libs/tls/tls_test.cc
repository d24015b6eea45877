// TLS credentials and peer identity against a real gRPC server on loopback,
// with certificates made by DevCa in a temporary folder.
#include "libs/tls/tls.h"

#include <filesystem>
#include <memory>
#include <string>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "gmock/gmock.h"
#include "grpcpp/grpcpp.h"
#include "gtest/gtest.h"
#include "libs/grpcserver/testdata/echo.grpc.pb.h"
#include "libs/tls/dev_pki.h"

namespace jit::tls {
namespace {

using ::jit::grpcserver::testing::CallbackEcho;
using ::jit::grpcserver::testing::EchoReply;
using ::jit::grpcserver::testing::EchoRequest;
using ::testing::HasSubstr;

// Replies with the caller's service identity ("ns/service") or "anonymous".
class WhoAmI final : public CallbackEcho::CallbackService {
 public:
  grpc::ServerUnaryReactor* Say(grpc::CallbackServerContext* context,
                                const EchoRequest* request, EchoReply* reply) override {
    auto peer = PeerServiceOf(*context->auth_context());
    reply->set_text(peer ? absl::StrCat(peer->ns, "/", peer->service) : "anonymous");
    auto* reactor = context->DefaultReactor();
    reactor->Finish(grpc::Status::OK);
    return reactor;
  }
};

class TlsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           absl::StrCat("tls_test_", getpid(), "_", reinterpret_cast<uintptr_t>(this));
    std::filesystem::create_directories(dir_);
    auto ca = DevCa::Create("test CA", absl::Hours(24));
    ASSERT_TRUE(ca.ok()) << ca.status();
    ca_ = std::make_unique<DevCa>(*std::move(ca));
    Write("ca.pem", ca_->pem().cert);
    Issue(*ca_, "server", {.common_name = "server",
                           .dns_names = {"localhost"},
                           .ip_addresses = {"127.0.0.1"},
                           .uris = {SpiffeIdOf("dev", "enrollment")}});
    Issue(*ca_, "progress", {.common_name = "training-progress",
                             .uris = {SpiffeIdOf("dev", "training-progress")}});
  }
  void TearDown() override {
    if (server_) server_->Shutdown(std::chrono::system_clock::now());
    std::filesystem::remove_all(dir_);
  }

  std::string Path(const std::string& name) { return (dir_ / name).string(); }
  void Write(const std::string& name, const std::string& contents) {
    ASSERT_TRUE(WriteFileAtomically(Path(name), contents, 0600).ok());
  }
  // Writes <name>.crt and <name>.key.
  void Issue(const DevCa& ca, const std::string& name, const CertRequest& request) {
    auto pem = ca.Issue(request);
    ASSERT_TRUE(pem.ok()) << pem.status();
    Write(name + ".crt", pem->cert);
    Write(name + ".key", pem->key);
  }

  ServerTlsOptions ServerOptions(ClientCertMode mode = ClientCertMode::kVerifyIfPresent) {
    return {.cert_file = Path("server.crt"),
            .key_file = Path("server.key"),
            .ca_file = Path("ca.pem"),
            .client_certs = mode,
            .refresh_interval = absl::Seconds(1)};
  }

  void StartServer(const ServerTlsOptions& options) {
    auto creds = MakeServerCredentials(options);
    ASSERT_TRUE(creds.ok()) << creds.status();
    grpc::ServerBuilder builder;
    builder.AddListeningPort("127.0.0.1:0", *creds, &port_);
    builder.RegisterService(&service_);
    server_ = builder.BuildAndStart();
    ASSERT_NE(server_, nullptr);
  }

  // Says hello over `creds`; the reply text or the error.
  std::string Call(const std::shared_ptr<grpc::ChannelCredentials>& creds) {
    grpc::ChannelArguments args;
    args.SetInt(GRPC_ARG_INITIAL_RECONNECT_BACKOFF_MS, 100);
    args.SetInt(GRPC_ARG_MAX_RECONNECT_BACKOFF_MS, 200);
    auto channel = grpc::CreateCustomChannel(absl::StrCat("127.0.0.1:", port_), creds, args);
    auto stub = CallbackEcho::NewStub(channel);
    grpc::ClientContext context;
    context.set_deadline(absl::ToChronoTime(absl::Now() + absl::Seconds(3)));
    EchoRequest request;
    EchoReply reply;
    grpc::Status s = stub->Say(&context, request, &reply);
    if (!s.ok()) return absl::StrCat("error ", s.error_code(), ": ", s.error_message());
    return reply.text();
  }

  std::shared_ptr<grpc::ChannelCredentials> Client(const std::string& ca,
                                                   const std::string& identity = "") {
    ClientTlsOptions options{.ca_file = Path(ca)};
    if (!identity.empty()) {
      options.cert_file = Path(identity + ".crt");
      options.key_file = Path(identity + ".key");
    }
    auto creds = MakeChannelCredentials(options);
    EXPECT_TRUE(creds.ok()) << creds.status();
    return creds.ok() ? *creds : nullptr;
  }

  std::filesystem::path dir_;
  std::unique_ptr<DevCa> ca_;
  WhoAmI service_;
  std::unique_ptr<grpc::Server> server_;
  int port_ = 0;
};

TEST_F(TlsTest, MutualTlsCarriesTheCallersServiceIdentity) {
  StartServer(ServerOptions());
  EXPECT_EQ(Call(Client("ca.pem", "progress")), "dev/training-progress");
}

TEST_F(TlsTest, ServerAuthenticatedTlsWithoutAClientCertificateIsAnonymous) {
  StartServer(ServerOptions());
  EXPECT_EQ(Call(Client("ca.pem")), "anonymous");
}

TEST_F(TlsTest, RequiredClientCertificateRefusesAClientWithout) {
  StartServer(ServerOptions(ClientCertMode::kRequire));
  EXPECT_THAT(Call(Client("ca.pem")), HasSubstr("error 14"));  // UNAVAILABLE
  EXPECT_EQ(Call(Client("ca.pem", "progress")), "dev/training-progress");
}

TEST_F(TlsTest, PlaintextClientIsRefused) {
  StartServer(ServerOptions());
  EXPECT_THAT(Call(grpc::InsecureChannelCredentials()), HasSubstr("error 14"));
}

TEST_F(TlsTest, ClientCertificateFromAnotherCaIsRefused) {
  auto other = DevCa::Create("another CA", absl::Hours(24));
  ASSERT_TRUE(other.ok());
  Issue(*other, "intruder", {.common_name = "placement",
                             .uris = {SpiffeIdOf("dev", "placement")}});
  StartServer(ServerOptions());
  EXPECT_THAT(Call(Client("ca.pem", "intruder")), HasSubstr("error 14"));
}

TEST_F(TlsTest, ServerCertificateFromAnotherCaIsRefusedByTheClient) {
  auto other = DevCa::Create("another CA", absl::Hours(24));
  ASSERT_TRUE(other.ok());
  Write("other-ca.pem", other->pem().cert);
  StartServer(ServerOptions());
  EXPECT_THAT(Call(Client("other-ca.pem")), HasSubstr("error 14"));
}

TEST_F(TlsTest, RotatedServerCertificateIsPickedUpWithoutRestart) {
  // The client trusts only a second CA; the server starts with the first.
  auto next = DevCa::Create("next CA", absl::Hours(24));
  ASSERT_TRUE(next.ok());
  Write("next-ca.pem", next->pem().cert);
  StartServer(ServerOptions());
  auto creds = Client("next-ca.pem");
  EXPECT_THAT(Call(creds), HasSubstr("error 14"));
  // cert-manager writes the renewed pair in place.
  Issue(*next, "server", {.common_name = "server", .ip_addresses = {"127.0.0.1"}});
  // gRPC's file watcher re-reads the files every refresh interval (1 s
  // here, its own timer: no fake clock can drive it).
  std::string result;
  for (int i = 0; i < 50 && result != "anonymous"; ++i) {
    absl::SleepFor(absl::Milliseconds(200));
    result = Call(creds);
  }
  EXPECT_EQ(result, "anonymous");
}

TEST_F(TlsTest, BadFilesAreRefusedAtStartNamingTheFile) {
  ServerTlsOptions missing = ServerOptions();
  missing.cert_file = Path("nope.crt");
  auto s = MakeServerCredentials(missing).status();
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(s.message(), HasSubstr("cert_file"));
  EXPECT_THAT(s.message(), HasSubstr("cannot be read"));

  Write("junk.pem", "not a certificate");
  ServerTlsOptions junk = ServerOptions();
  junk.ca_file = Path("junk.pem");
  s = MakeServerCredentials(junk).status();
  EXPECT_THAT(s.message(), HasSubstr("ca_file"));
  EXPECT_THAT(s.message(), HasSubstr("is not PEM"));

  ServerTlsOptions mismatch = ServerOptions();
  mismatch.key_file = Path("progress.key");
  s = MakeServerCredentials(mismatch).status();
  EXPECT_THAT(s.message(), HasSubstr("key_file"));
  EXPECT_THAT(s.message(), HasSubstr("does not match"));

  Issue(*ca_, "expired", {.common_name = "old",
                          .validity = absl::Hours(-1),
                          .backdate = absl::Hours(2)});
  ServerTlsOptions expired = ServerOptions();
  expired.cert_file = Path("expired.crt");
  expired.key_file = Path("expired.key");
  s = MakeServerCredentials(expired).status();
  EXPECT_THAT(s.message(), HasSubstr("expired"));

  ClientTlsOptions half{.ca_file = Path("ca.pem"), .cert_file = Path("progress.crt")};
  s = MakeChannelCredentials(half).status();
  EXPECT_THAT(s.message(), HasSubstr("key_file"));
}

TEST(SpiffeIdTest, ParsesOnlyOurTrustDomainAndShape) {
  auto id = ParseSpiffeId("spiffe://jobintech/ns/prod/sa/placement");
  ASSERT_TRUE(id.ok());
  EXPECT_EQ(id->ns, "prod");
  EXPECT_EQ(id->service, "placement");
  EXPECT_EQ(SpiffeIdOf("prod", "placement"), "spiffe://jobintech/ns/prod/sa/placement");
  for (const char* bad :
       {"spiffe://other/ns/prod/sa/placement", "spiffe://jobintech/ns/prod/placement",
        "spiffe://jobintech/ns//sa/x", "spiffe://jobintech/ns/a/sa/b/c", "https://jobintech/x",
        ""}) {
    EXPECT_FALSE(ParseSpiffeId(bad).ok()) << bad;
  }
}

}  // namespace
}  // namespace jit::tls
