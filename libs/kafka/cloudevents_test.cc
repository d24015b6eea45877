#include "libs/kafka/cloudevents.h"

#include <set>
#include <string>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace jit::kafka {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Pair;

constexpr char kTraceparent[] =
    "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";

CloudEventAttributes FullAttributes() {
  CloudEventAttributes a;
  a.id = "9b3c8a2e-1f4d-4c51-9d7e-2a6b1c0d3e4f";
  a.source = "jobintech/enrollment";
  a.type = "ma.jobintech.enrollment.trainee.enrolled.v1";
  a.subject = "trainee-42";
  a.time = absl::FromUnixMillis(1700000000123);
  a.traceparent = kTraceparent;
  return a;
}

Headers WithHeader(Headers headers, const std::string& name,
                   const std::string& value) {
  for (auto& [k, v] : headers) {
    if (k == name) {
      v = value;
      return headers;
    }
  }
  headers.emplace_back(name, value);
  return headers;
}

Headers WithoutHeader(Headers headers, const std::string& name) {
  std::erase_if(headers, [&](const auto& h) { return h.first == name; });
  return headers;
}

void ExpectInvalidHeader(const Headers& headers, const std::string& header) {
  absl::StatusOr<CloudEventAttributes> result = FromHeaders(headers);
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(result.status().message(), HasSubstr("\"" + header + "\""));
}

TEST(KafkaToHeadersTest, WritesBinaryModeHeadersInOrder) {
  EXPECT_THAT(ToHeaders(FullAttributes()),
              ElementsAre(Pair("ce_specversion", "1.0"),
                          Pair("ce_id", "9b3c8a2e-1f4d-4c51-9d7e-2a6b1c0d3e4f"),
                          Pair("ce_source", "jobintech/enrollment"),
                          Pair("ce_type",
                               "ma.jobintech.enrollment.trainee.enrolled.v1"),
                          Pair("ce_time", "2023-11-14T22:13:20.123Z"),
                          Pair("ce_subject", "trainee-42"),
                          Pair("content-type", "application/protobuf"),
                          Pair("traceparent", kTraceparent)));
}

TEST(KafkaToHeadersTest, OmitsEmptySubjectAndTraceparent) {
  CloudEventAttributes a = FullAttributes();
  a.subject.clear();
  a.traceparent.clear();
  a.time = absl::FromUnixSeconds(1700000000);
  const Headers headers = ToHeaders(a);
  EXPECT_EQ(FindHeader(headers, "ce_subject"), nullptr);
  EXPECT_EQ(FindHeader(headers, "traceparent"), nullptr);
  ASSERT_NE(FindHeader(headers, "ce_time"), nullptr);
  EXPECT_EQ(*FindHeader(headers, "ce_time"), "2023-11-14T22:13:20Z");
}

TEST(KafkaFromHeadersTest, RoundTripsEveryAttribute) {
  const CloudEventAttributes a = FullAttributes();
  absl::StatusOr<CloudEventAttributes> back = FromHeaders(ToHeaders(a));
  ASSERT_TRUE(back.ok()) << back.status();
  EXPECT_EQ(*back, a);
}

TEST(KafkaFromHeadersTest, RoundTripsNanosecondTimes) {
  CloudEventAttributes a = FullAttributes();
  a.time = absl::FromUnixNanos(1700000000123456789);
  absl::StatusOr<CloudEventAttributes> back = FromHeaders(ToHeaders(a));
  ASSERT_TRUE(back.ok()) << back.status();
  EXPECT_EQ(back->time, a.time);
}

TEST(KafkaFromHeadersTest, IgnoresUnrelatedHeaders) {
  Headers headers = ToHeaders(FullAttributes());
  headers.emplace_back("x-request-id", "r1");
  headers.emplace_back("x-request-id", "r2");
  EXPECT_TRUE(FromHeaders(headers).ok());
}

TEST(KafkaFromHeadersTest, AcceptsTimeWithNumericOffset) {
  Headers headers = WithHeader(ToHeaders(FullAttributes()), "ce_time",
                               "2024-01-02T03:04:05+01:00");
  absl::StatusOr<CloudEventAttributes> back = FromHeaders(headers);
  ASSERT_TRUE(back.ok()) << back.status();
  EXPECT_EQ(back->time, absl::FromUnixSeconds(1704161045));
}

TEST(KafkaFromHeadersTest, AbsentOptionalHeadersGiveEmptyFields) {
  Headers headers = ToHeaders(FullAttributes());
  headers = WithoutHeader(headers, "ce_subject");
  headers = WithoutHeader(headers, "content-type");
  headers = WithoutHeader(headers, "traceparent");
  absl::StatusOr<CloudEventAttributes> back = FromHeaders(headers);
  ASSERT_TRUE(back.ok()) << back.status();
  EXPECT_EQ(back->subject, "");
  EXPECT_EQ(back->content_type, "");
  EXPECT_EQ(back->traceparent, "");
}

TEST(KafkaFromHeadersTest, RejectsMissingSpecVersion) {
  ExpectInvalidHeader(
      WithoutHeader(ToHeaders(FullAttributes()), "ce_specversion"),
      "ce_specversion");
}

TEST(KafkaFromHeadersTest, RejectsWrongSpecVersion) {
  ExpectInvalidHeader(
      WithHeader(ToHeaders(FullAttributes()), "ce_specversion", "0.3"),
      "ce_specversion");
}

TEST(KafkaFromHeadersTest, RejectsMissingRequiredAttributes) {
  for (const char* header : {"ce_id", "ce_source", "ce_type", "ce_time"}) {
    SCOPED_TRACE(header);
    ExpectInvalidHeader(WithoutHeader(ToHeaders(FullAttributes()), header),
                        header);
  }
}

TEST(KafkaFromHeadersTest, RejectsEmptyRequiredAttributes) {
  for (const char* header : {"ce_id", "ce_source", "ce_type"}) {
    SCOPED_TRACE(header);
    ExpectInvalidHeader(WithHeader(ToHeaders(FullAttributes()), header, ""),
                        header);
  }
}

TEST(KafkaFromHeadersTest, RejectsBadTime) {
  for (const char* time :
       {"yesterday", "", "2024-13-01T00:00:00Z", "2024-01-02 03:04:05Z",
        "2024-01-02T03:04:05", "1700000000"}) {
    SCOPED_TRACE(time);
    ExpectInvalidHeader(
        WithHeader(ToHeaders(FullAttributes()), "ce_time", time), "ce_time");
  }
}

TEST(KafkaFromHeadersTest, RejectsMalformedTraceparent) {
  for (const char* tp : {
           "garbage",
           "",
           // uppercase hex
           "00-4BF92F3577B34DA6A3CE929D0E0E4736-00f067aa0ba902b7-01",
           // short trace id
           "00-4bf92f3577b34da6a3ce929d0e0e473-00f067aa0ba902b7-01",
           // wrong separator
           "00_4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
           // version ff is forbidden
           "ff-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
           // version 00 has no trailing fields
           "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-x",
           // bad flags
           "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-0g",
           // all-zero span id
           "00-4bf92f3577b34da6a3ce929d0e0e4736-0000000000000000-01",
       }) {
    SCOPED_TRACE(tp);
    ExpectInvalidHeader(
        WithHeader(ToHeaders(FullAttributes()), "traceparent", tp),
        "traceparent");
  }
}

TEST(KafkaFromHeadersTest, RejectsAllZeroTraceId) {
  Headers headers =
      WithHeader(ToHeaders(FullAttributes()), "traceparent",
                 "00-00000000000000000000000000000000-00f067aa0ba902b7-01");
  ExpectInvalidHeader(headers, "traceparent");
  EXPECT_THAT(FromHeaders(headers).status().message(), HasSubstr("trace id"));
}

TEST(KafkaFromHeadersTest, RejectsRepeatedCloudEventsHeader) {
  Headers headers = ToHeaders(FullAttributes());
  headers.emplace_back("ce_id", "another-id");
  ExpectInvalidHeader(headers, "ce_id");
}

TEST(KafkaFromHeadersTest, RejectsARepeatedHeaderAmongManyOthers) {
  Headers headers = ToHeaders(FullAttributes());
  for (int i = 0; i < 40; ++i) headers.emplace_back("x-other", "v");
  EXPECT_TRUE(FromHeaders(headers).ok());
  headers.emplace_back("traceparent", kTraceparent);
  headers.emplace_back("traceparent", kTraceparent);
  ExpectInvalidHeader(headers, "traceparent");
}

TEST(KafkaFromHeadersTest, RefusesMoreHeadersThanTheCap) {
  Headers headers = ToHeaders(FullAttributes());
  while (headers.size() < kMaxHeaders) headers.emplace_back("x-other", "v");
  EXPECT_TRUE(FromHeaders(headers).ok());
  headers.emplace_back("x-other", "v");
  absl::StatusOr<CloudEventAttributes> got = FromHeaders(headers);
  EXPECT_EQ(got.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(got.status().message(),
              HasSubstr(absl::StrCat(kMaxHeaders + 1, " headers, more than ",
                                     kMaxHeaders)));
  // 10,000 headers are refused as quickly (no quadratic scan).
  headers.resize(10'000, {"ce_other", "v"});
  EXPECT_EQ(FromHeaders(headers).status().code(),
            absl::StatusCode::kInvalidArgument);
}

TEST(KafkaTraceparentTest, NewTraceparentIsValidSampledAndUnique) {
  std::set<std::string> seen;
  for (int i = 0; i < 100; ++i) {
    const std::string tp = NewTraceparent();
    EXPECT_TRUE(ValidateTraceparent(tp).ok()) << tp;
    EXPECT_EQ(tp.substr(0, 3), "00-");
    EXPECT_EQ(tp.substr(52), "-01");
    seen.insert(tp);
  }
  EXPECT_EQ(seen.size(), 100u);
}

TEST(KafkaTraceparentTest, ExtractsTraceId) {
  absl::StatusOr<std::string> trace_id = TraceIdFromTraceparent(kTraceparent);
  ASSERT_TRUE(trace_id.ok()) << trace_id.status();
  EXPECT_EQ(*trace_id, "4bf92f3577b34da6a3ce929d0e0e4736");
}

TEST(KafkaTraceparentTest, TraceIdOfInvalidTraceparentIsInvalidArgument) {
  EXPECT_EQ(TraceIdFromTraceparent("00-abc").status().code(),
            absl::StatusCode::kInvalidArgument);
}

TEST(KafkaTraceparentTest, AcceptsLaterVersionsWithExtraFields) {
  EXPECT_TRUE(ValidateTraceparent(
                  "01-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-ext")
                  .ok());
  EXPECT_TRUE(ValidateTraceparent(
                  "01-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01")
                  .ok());
}

}  // namespace
}  // namespace jit::kafka
