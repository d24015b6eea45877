#include "libs/grpcserver/command_context.h"

#include "gmock/gmock.h"
#include "grpcpp/server_context.h"
#include "gtest/gtest.h"
#include "libs/grpcserver/testdata/echo.pb.h"

namespace jit::grpcserver {
namespace {

using ::testing::MatchesRegex;
using testing::EchoReply;
using testing::EchoRequest;

EchoRequest Request() {
  EchoRequest r;
  r.set_request_id("req-1");
  r.set_text("hello");
  r.set_work_ms(3);
  return r;
}

TEST(RequestFingerprintTest, IsTheSha256OfTheSerializedRequest) {
  // Known answer: SHA-256 of the empty string for an empty message.
  EXPECT_EQ(RequestFingerprint(EchoRequest()),
            "sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_THAT(RequestFingerprint(Request()), MatchesRegex("sha256:[0-9a-f]{64}"));
}

TEST(RequestFingerprintTest, EqualRequestsAgreeAndAnyChangeDiffers) {
  EXPECT_EQ(RequestFingerprint(Request()), RequestFingerprint(Request()));
  EchoRequest changed = Request();
  changed.set_work_ms(4);
  EXPECT_NE(RequestFingerprint(changed), RequestFingerprint(Request()));
  EchoRequest other_id = Request();
  other_id.set_request_id("req-2");
  EXPECT_NE(RequestFingerprint(other_id), RequestFingerprint(Request()));
}

TEST(RequestFingerprintTest, MapOrderDoesNotMatter) {
  EchoRequest a = Request();
  EchoRequest b = Request();
  for (int i = 0; i < 20; ++i) {
    (*a.mutable_labels())["k" + std::to_string(i)] = "v";
    (*b.mutable_labels())["k" + std::to_string(19 - i)] = "v";
  }
  EXPECT_EQ(RequestFingerprint(a), RequestFingerprint(b));
  (*b.mutable_labels())["k3"] = "w";
  EXPECT_NE(RequestFingerprint(a), RequestFingerprint(b));
}

TEST(CommandContextOfTest, TakesTheRequestIdAndDigestAndFailsClosedOnScope) {
  grpc::ServerContext context;
  command::RequestContext ctx = CommandContextOf(context, Request());
  EXPECT_EQ(ctx.request_id, "req-1");
  EXPECT_EQ(ctx.fingerprint, RequestFingerprint(Request()));
  // A new traceparent for a call that sent none.
  EXPECT_THAT(ctx.traceparent,
              MatchesRegex("00-[0-9a-f]{32}-[0-9a-f]{16}-0[01]"));
  // Not admitted by the access interceptor: no actor, no rows.
  EXPECT_EQ(ctx.actor_id, "");
  EXPECT_FALSE(ctx.scope.national);
  EXPECT_FALSE(ctx.scope.Allows("MA-05", "ctr_1"));
  // A call without a deadline gives its peers none to inherit.
  EXPECT_EQ(ctx.deadline, std::nullopt);
}

TEST(PeerContextOfTest, CarriesTheTraceAndNoDeadlineWhenTheCallHasNone) {
  grpc::ServerContext context;
  const command::PeerContext peer = PeerContextOf(context);
  EXPECT_THAT(peer.traceparent,
              MatchesRegex("00-[0-9a-f]{32}-[0-9a-f]{16}-0[01]"));
  EXPECT_EQ(peer.deadline, std::nullopt);
}

TEST(CommandContextOfTest, MessageWithoutRequestIdGivesAnEmptyOne) {
  grpc::ServerContext context;
  EchoReply reply;
  reply.set_text("x");
  EXPECT_EQ(CommandContextOf(context, reply).request_id, "");
}

}  // namespace
}  // namespace jit::grpcserver
