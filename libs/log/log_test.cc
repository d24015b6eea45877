#include "libs/log/log.h"

#include <memory>
#include <sstream>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "absl/strings/str_split.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "libs/log/trace.h"
#include "nlohmann/json.hpp"
#include "spdlog/sinks/ostream_sink.h"

namespace jit::log {
namespace {

using ::testing::HasSubstr;
using ::testing::MatchesRegex;
using ::testing::SizeIs;
using Json = nlohmann::json;

constexpr char kTraceA[] = "4bf92f3577b34da6a3ce929d0e0e4736";
constexpr char kTraceB[] = "0af7651916cd43dd8448eb211c80319c";

class LogTest : public ::testing::Test {
 protected:
  void SetUp() override { InitWithLevel("debug"); }

  void InitWithLevel(const std::string& level) {
    out_.str("");
    auto sink = std::make_shared<spdlog::sinks::ostream_sink_mt>(out_);
    ASSERT_TRUE(
        Init({.component = "enrollment", .level = level, .sink = sink}).ok());
  }

  // Every captured line, each parsed as JSON (fails the test otherwise).
  std::vector<Json> Lines() {
    std::vector<Json> lines;
    const std::string text = out_.str();
    EXPECT_TRUE(text.empty() || text.back() == '\n');
    for (absl::string_view line :
         absl::StrSplit(text, '\n', absl::SkipEmpty())) {
      lines.push_back(Json::parse(line.begin(), line.end()));
    }
    return lines;
  }

  std::ostringstream out_;
};

TEST_F(LogTest, EachRecordIsOneJsonObjectWithStandardFields) {
  Info("listening on {}:{}", "0.0.0.0", 50051);
  auto lines = Lines();
  ASSERT_THAT(lines, SizeIs(1));
  const Json& line = lines[0];
  EXPECT_EQ(line["level"], "info");
  EXPECT_EQ(line["component"], "enrollment");
  EXPECT_EQ(line["msg"], "listening on 0.0.0.0:50051");
  EXPECT_FALSE(line.contains("trace_id"));
  EXPECT_THAT(
      line["ts"].get<std::string>(),
      MatchesRegex("[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}"
                   "\\.[0-9]{3}Z"));
  // Standard keys come first, in a fixed order.
  const std::string raw = out_.str();
  ASSERT_FALSE(raw.empty());
  EXPECT_THAT(raw.substr(0, raw.size() - 1),
              MatchesRegex(R"(\{"ts":"[^"]+","level":"info","component":)"
                           R"("enrollment","msg":"[^"]+"\})"));
}

TEST_F(LogTest, LevelsAreNamedAndFiltered) {
  InitWithLevel("warn");
  Debug("hidden {}", 1);
  Info("hidden too");
  Warn("shown {}", 2);
  Error("also shown");
  Event(Level::kInfo, "hidden event");
  Event(Level::kCritical, "critical event");
  auto lines = Lines();
  ASSERT_THAT(lines, SizeIs(3));
  EXPECT_EQ(lines[0]["level"], "warn");
  EXPECT_EQ(lines[0]["msg"], "shown 2");
  EXPECT_EQ(lines[1]["level"], "error");
  EXPECT_EQ(lines[2]["level"], "critical");
  EXPECT_FALSE(ShouldLog(Level::kInfo));
  EXPECT_TRUE(ShouldLog(Level::kWarn));

  SetLevel(Level::kDebug);
  Debug("now shown");
  EXPECT_THAT(Lines(), SizeIs(4));
}

TEST_F(LogTest, UnknownLevelIsRejectedAndKeepsTheLogger) {
  absl::Status s = Init({.component = "x", .level = "loud"});
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(s.message()), ::testing::HasSubstr("'loud'"));
  Info("still captured");
  EXPECT_THAT(Lines(), SizeIs(1));
}

TEST(ParseLevelTest, AcceptsKnownNamesCaseInsensitively) {
  EXPECT_EQ(*ParseLevel("INFO"), Level::kInfo);
  EXPECT_EQ(*ParseLevel("warning"), Level::kWarn);
  EXPECT_EQ(*ParseLevel("off"), Level::kOff);
  EXPECT_FALSE(ParseLevel("").ok());
  EXPECT_EQ(LevelName(Level::kWarn), "warn");
  EXPECT_EQ(LevelName(Level::kError), "error");
}

TEST_F(LogTest, QuotesNewlinesControlAndUnicodeAreEscapedCorrectly) {
  const std::string tricky =
      "say \"hi\"\nback\\slash\ttab \x01 caf\xc3\xa9 \xd8\xb9 \xf0\x9f\x9a\x80";
  Info("{}", tricky);
  Event(Level::kInfo, tricky, {{"note", tricky}});
  const std::string raw = out_.str();
  // Exactly two physical lines: the embedded newline is escaped.
  EXPECT_EQ(std::count(raw.begin(), raw.end(), '\n'), 2);
  auto lines = Lines();
  ASSERT_THAT(lines, SizeIs(2));
  EXPECT_EQ(lines[0]["msg"], tricky);
  EXPECT_EQ(lines[1]["msg"], tricky);
  EXPECT_EQ(lines[1]["note"], tricky);
  // UTF-8 is kept as is (not \u-escaped), control characters are escaped.
  EXPECT_THAT(raw, ::testing::HasSubstr("caf\xc3\xa9"));
  EXPECT_THAT(raw, ::testing::HasSubstr("\\u0001"));
}

TEST_F(LogTest, InvalidUtf8IsReplacedNotDropped) {
  Info("bad \xff\xfe bytes");
  auto lines = Lines();
  ASSERT_THAT(lines, SizeIs(1));
  EXPECT_EQ(lines[0]["msg"], "bad \xef\xbf\xbd\xef\xbf\xbd bytes");
}

TEST_F(LogTest, EventAddsTypedFieldsWithoutOverwritingStandardKeys) {
  Event(Level::kWarn, "cohort full",
        {{"cohort_id", "c-42"},
         {"capacity", 30},
         {"ratio", 0.5},
         {"waitlisted", true},
         {"big", uint64_t{18446744073709551615u}},
         {"msg", "spoof"},
         {"level", "spoof"}});
  auto lines = Lines();
  ASSERT_THAT(lines, SizeIs(1));
  const Json& line = lines[0];
  EXPECT_EQ(line["msg"], "cohort full");
  EXPECT_EQ(line["level"], "warn");
  EXPECT_EQ(line["cohort_id"], "c-42");
  EXPECT_EQ(line["capacity"], 30);
  EXPECT_EQ(line["ratio"], 0.5);
  EXPECT_EQ(line["waitlisted"], true);
  EXPECT_EQ(line["big"].get<uint64_t>(), 18446744073709551615u);
  EXPECT_EQ(line["field.msg"], "spoof");
  EXPECT_EQ(line["field.level"], "spoof");
}

TEST_F(LogTest, FieldsDoNotLeakIntoTheNextLine) {
  Event(Level::kInfo, "with", {{"k", "v"}});
  Info("without");
  auto lines = Lines();
  ASSERT_THAT(lines, SizeIs(2));
  EXPECT_TRUE(lines[0].contains("k"));
  EXPECT_FALSE(lines[1].contains("k"));
}

TEST_F(LogTest, DirectSpdlogCallsAreJsonToo) {
  spdlog::info("third-party {}", "line");
  auto lines = Lines();
  ASSERT_THAT(lines, SizeIs(1));
  EXPECT_EQ(lines[0]["msg"], "third-party line");
  EXPECT_EQ(lines[0]["component"], "enrollment");
}

TEST_F(LogTest, TraceScopeTagsLinesAndRestoresOnExit) {
  Info("before");
  {
    TraceScope outer(kTraceA);
    Info("outer");
    {
      TraceScope inner(kTraceB);
      Info("inner");
    }
    Info("outer again");
    {
      TraceScope none("not-a-trace-id");
      Info("invalid id means none");
    }
  }
  Info("after");
  auto lines = Lines();
  ASSERT_THAT(lines, SizeIs(6));
  EXPECT_FALSE(lines[0].contains("trace_id"));
  EXPECT_EQ(lines[1]["trace_id"], kTraceA);
  EXPECT_EQ(lines[2]["trace_id"], kTraceB);
  EXPECT_EQ(lines[3]["trace_id"], kTraceA);
  EXPECT_FALSE(lines[4].contains("trace_id"));
  EXPECT_FALSE(lines[5].contains("trace_id"));
  EXPECT_EQ(CurrentTraceId(), "");
}

TEST_F(LogTest, TraceIdsStayWithTheirThreadUnderConcurrency) {
  constexpr int kThreads = 8;
  constexpr int kLinesPerThread = 200;
  std::vector<std::string> ids;
  for (int t = 0; t < kThreads; ++t) ids.push_back(NewTraceId());
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&ids, t] {
      TraceScope scope(ids[t]);
      for (int i = 0; i < kLinesPerThread; ++i) {
        Event(Level::kInfo, "work", {{"thread", t}, {"i", i}});
      }
    });
  }
  for (auto& th : threads) th.join();
  auto lines = Lines();
  ASSERT_THAT(lines, SizeIs(kThreads * kLinesPerThread));
  for (const Json& line : lines) {
    EXPECT_EQ(line["trace_id"], ids[line["thread"].get<int>()]);
  }
}

TEST(TraceTest, ParsesValidTraceparent) {
  EXPECT_EQ(TraceIdFromTraceparent(
                "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"),
            kTraceA);
  // Future versions may append fields.
  EXPECT_EQ(TraceIdFromTraceparent(
                "01-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-xyz"),
            kTraceA);
}

TEST(TraceTest, RejectsMalformedTraceparent) {
  for (const char* bad : {
           "",
           "garbage",
           "00-4BF92F3577B34DA6A3CE929D0E0E4736-00f067aa0ba902b7-01",  // upper
           "00-00000000000000000000000000000000-00f067aa0ba902b7-01",  // zero
           "00-4bf92f3577b34da6a3ce929d0e0e4736-0000000000000000-01",  // zero
           "ff-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",  // ver
           "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-x",
           "00-4bf92f3577b34da6a3ce929d0e0e473-00f067aa0ba902b7-01",  // short
           "00_4bf92f3577b34da6a3ce929d0e0e4736_00f067aa0ba902b7_01",
       }) {
    EXPECT_EQ(TraceIdFromTraceparent(bad), "") << bad;
  }
}

TEST(TraceTest, ParseTraceparentGivesEveryField) {
  absl::StatusOr<Traceparent> tp = ParseTraceparent(
      "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01");
  ASSERT_TRUE(tp.ok()) << tp.status();
  EXPECT_EQ(tp->version, "00");
  EXPECT_EQ(tp->trace_id, kTraceA);
  EXPECT_EQ(tp->parent_id, "00f067aa0ba902b7");
  EXPECT_EQ(tp->flags, "01");
  EXPECT_TRUE(IsValidTraceparent(
      "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"));
}

TEST(TraceTest, ParseTraceparentSaysWhichPartIsWrong) {
  const std::pair<const char*, const char*> cases[] = {
      {"garbage", "is not version-traceid-parentid-flags"},
      {"ff-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
       "bad version"},
      {"00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-x",
       "unexpected trailing data"},
      {"00-00000000000000000000000000000000-00f067aa0ba902b7-01", "trace id"},
      {"00-4bf92f3577b34da6a3ce929d0e0e4736-0000000000000000-01",
       "parent id"},
      {"00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-0g",
       "bad flags"},
  };
  for (const auto& [input, reason] : cases) {
    absl::StatusOr<Traceparent> tp = ParseTraceparent(input);
    EXPECT_EQ(tp.status().code(), absl::StatusCode::kInvalidArgument) << input;
    EXPECT_THAT(std::string(tp.status().message()), HasSubstr(reason))
        << input;
    EXPECT_FALSE(IsValidTraceparent(input)) << input;
  }
}

TEST(TraceTest, NewIdsAreValidAndDistinct) {
  const std::string a = NewTraceId();
  const std::string b = NewTraceId();
  EXPECT_TRUE(IsValidTraceId(a));
  EXPECT_NE(a, b);
  const std::string tp = MakeTraceparent(a);
  EXPECT_EQ(TraceIdFromTraceparent(tp), a);
  EXPECT_EQ(MakeTraceparent("nope"), "");
}

}  // namespace
}  // namespace jit::log
