// Runs the jit-kafka-broker binary as a separate process and talks Kafka to
// it from this one.
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "absl/time/clock.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "libs/kafka/cloudevents.h"
#include "libs/kafka/consumer.h"
#include "libs/kafka/producer.h"
#include "libs/kafka/testing/mock_cluster.h"
#include "libs/kafka/topics.h"

extern char** environ;

namespace jit::kafka {
namespace {

using ::testing::HasSubstr;

std::string ReadFile(const std::string& path) {
  std::ifstream in(path);
  std::stringstream contents;
  contents << in.rdbuf();
  return contents.str();
}

bool Exists(const std::string& path) { return access(path.c_str(), F_OK) == 0; }

// One broker process with its own scratch directory.
class BrokerProcess {
 public:
  BrokerProcess() {
    dir_ = ::testing::TempDir() + "/kafka_broker_test_XXXXXX";
    if (mkdtemp(dir_.data()) == nullptr) ADD_FAILURE() << "mkdtemp failed";
  }

  ~BrokerProcess() {
    if (pid_ > 0) {
      kill(pid_, SIGKILL);
      waitpid(pid_, nullptr, 0);
    }
    for (const char* name : {"/stdout", "/stderr", "/bootstrap"}) {
      unlink((dir_ + name).c_str());
    }
    rmdir(dir_.c_str());
  }

  std::string bootstrap_file() const { return dir_ + "/bootstrap"; }
  std::string stdout_text() const { return ReadFile(dir_ + "/stdout"); }
  std::string stderr_text() const { return ReadFile(dir_ + "/stderr"); }

  void Start(const std::vector<std::string>& flags) {
    std::vector<std::string> args = {JIT_KAFKA_BROKER_PATH};
    args.insert(args.end(), flags.begin(), flags.end());
    std::vector<char*> argv;
    for (std::string& arg : args) argv.push_back(arg.data());
    argv.push_back(nullptr);
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO,
                                     (dir_ + "/stdout").c_str(),
                                     O_WRONLY | O_CREAT | O_TRUNC, 0644);
    posix_spawn_file_actions_addopen(&actions, STDERR_FILENO,
                                     (dir_ + "/stderr").c_str(),
                                     O_WRONLY | O_CREAT | O_TRUNC, 0644);
    const int rc =
        posix_spawn(&pid_, argv[0], &actions, nullptr, argv.data(), environ);
    posix_spawn_file_actions_destroy(&actions);
    ASSERT_EQ(rc, 0) << "cannot start " << argv[0];
  }

  // The process's exit status once it has exited, or nullopt at `timeout`.
  std::optional<int> WaitForExit(absl::Duration timeout) {
    const absl::Time deadline = absl::Now() + timeout;
    while (absl::Now() < deadline) {
      int status = 0;
      if (waitpid(pid_, &status, WNOHANG) == pid_) {
        pid_ = -1;
        return status;
      }
      absl::SleepFor(absl::Milliseconds(20));
    }
    return std::nullopt;
  }

  // Waits for the ready line on stdout and returns the bootstrap string from
  // the bootstrap file.
  std::string WaitUntilReady(absl::Duration timeout) {
    const absl::Time deadline = absl::Now() + timeout;
    while (absl::Now() < deadline) {
      if (stdout_text().find("\"event\":\"ready\"") != std::string::npos) {
        return std::string(absl::StripSuffix(ReadFile(bootstrap_file()), "\n"));
      }
      absl::SleepFor(absl::Milliseconds(20));
    }
    ADD_FAILURE() << "broker not ready; stderr: " << stderr_text();
    return "";
  }

  void Signal(int signal_number) { ASSERT_EQ(kill(pid_, signal_number), 0); }

 private:
  std::string dir_;
  pid_t pid_ = -1;
};

TEST(KafkaBrokerTest, ServesLifecycleTopicsAndStopsCleanlyOnSigterm) {
  BrokerProcess broker;
  broker.Start(
      {"--partitions=4", "--bootstrap_file=" + broker.bootstrap_file()});
  const std::string bootstrap = broker.WaitUntilReady(absl::Seconds(10));
  ASSERT_FALSE(bootstrap.empty());
  EXPECT_THAT(broker.stdout_text(),
              HasSubstr(absl::StrCat("bootstrap=", bootstrap, "\n")));

  auto consumer = Consumer::Create({.bootstrap_servers = bootstrap});
  ASSERT_TRUE(consumer.ok()) << consumer.status();
  for (const std::string& topic : LifecycleTopics()) {
    for (const std::string& name : {topic, DeadLetterTopic(topic)}) {
      auto partitions = (*consumer)->PartitionCount(name);
      ASSERT_TRUE(partitions.ok()) << name << ": " << partitions.status();
      EXPECT_EQ(*partitions, 4) << name;
    }
  }
  ASSERT_TRUE((*consumer)->Close().ok());

  auto producer = Producer::Create({.bootstrap_servers = bootstrap});
  ASSERT_TRUE(producer.ok()) << producer.status();
  CloudEventAttributes ce;
  ce.id = "e1";
  ce.source = "jobintech/enrollment";
  ce.type = "ma.jobintech.enrollment.trainee.enrolled.v1";
  ce.time = absl::Now();
  const Message sent = {.topic = kEnrollmentTopic,
                        .key = "trainee-1",
                        .value = "payload",
                        .headers = ToHeaders(ce)};
  const std::vector<absl::Status> results =
      (*producer)->ProduceAndWait({sent}, absl::Seconds(10));
  ASSERT_EQ(results.size(), 1u);
  ASSERT_TRUE(results[0].ok()) << results[0];

  auto read =
      kafka_testing::ReadAll(bootstrap, kEnrollmentTopic, absl::Seconds(10));
  ASSERT_TRUE(read.ok()) << read.status();
  ASSERT_EQ(read->size(), 1u);
  EXPECT_EQ((*read)[0].key, sent.key);
  EXPECT_EQ((*read)[0].value, sent.value);
  EXPECT_EQ((*read)[0].headers, sent.headers);

  broker.Signal(SIGTERM);
  const std::optional<int> status = broker.WaitForExit(absl::Seconds(10));
  ASSERT_TRUE(status.has_value()) << "broker did not stop";
  ASSERT_TRUE(WIFEXITED(*status));
  EXPECT_EQ(WEXITSTATUS(*status), 0) << broker.stderr_text();
  EXPECT_FALSE(Exists(broker.bootstrap_file()));
}

TEST(KafkaBrokerTest, CreatesCustomTopicsOnSeveralBrokersAndStopsOnSigint) {
  BrokerProcess broker;
  broker.Start({"--brokers", "3", "--partitions=2", "--topics=alpha, beta",
                "--bootstrap_file=" + broker.bootstrap_file()});
  const std::string bootstrap = broker.WaitUntilReady(absl::Seconds(10));
  ASSERT_FALSE(bootstrap.empty());
  EXPECT_EQ(std::count(bootstrap.begin(), bootstrap.end(), ','), 2);

  auto consumer = Consumer::Create({.bootstrap_servers = bootstrap});
  ASSERT_TRUE(consumer.ok()) << consumer.status();
  auto topics = (*consumer)->ListTopics();
  ASSERT_TRUE(topics.ok()) << topics.status();
  EXPECT_EQ(*topics,
            (std::map<std::string, int>{
                {"alpha", 2}, {"alpha.dlq", 2}, {"beta", 2}, {"beta.dlq", 2}}));
  ASSERT_TRUE((*consumer)->Close().ok());

  broker.Signal(SIGINT);
  const std::optional<int> status = broker.WaitForExit(absl::Seconds(10));
  ASSERT_TRUE(status.has_value()) << "broker did not stop";
  ASSERT_TRUE(WIFEXITED(*status));
  EXPECT_EQ(WEXITSTATUS(*status), 0) << broker.stderr_text();
  EXPECT_FALSE(Exists(broker.bootstrap_file()));
}

TEST(KafkaBrokerTest, ZeroPartitionsExitsWithUsageErrorNamingTheFlag) {
  BrokerProcess broker;
  broker.Start({"--partitions=0"});
  const std::optional<int> status = broker.WaitForExit(absl::Seconds(10));
  ASSERT_TRUE(status.has_value());
  ASSERT_TRUE(WIFEXITED(*status));
  EXPECT_EQ(WEXITSTATUS(*status), 2);
  EXPECT_THAT(broker.stderr_text(), HasSubstr("--partitions"));
}

TEST(KafkaBrokerTest, MalformedOrUnknownFlagsExitWithUsageError) {
  for (const std::vector<std::string>& flags :
       std::vector<std::vector<std::string>>{{"--brokers=many"},
                                             {"--brokers=10"},
                                             {"--no_such_flag=1"},
                                             {"--topics="},
                                             {"--partitions"},
                                             {"positional"}}) {
    SCOPED_TRACE(flags[0]);
    BrokerProcess broker;
    broker.Start(flags);
    const std::optional<int> status = broker.WaitForExit(absl::Seconds(10));
    ASSERT_TRUE(status.has_value());
    ASSERT_TRUE(WIFEXITED(*status));
    EXPECT_EQ(WEXITSTATUS(*status), 2);
    EXPECT_FALSE(broker.stderr_text().empty());
  }
}

TEST(KafkaBrokerTest, VersionPrintsProgramAndVersion) {
  BrokerProcess broker;
  broker.Start({"--version"});
  const std::optional<int> status = broker.WaitForExit(absl::Seconds(10));
  ASSERT_TRUE(status.has_value());
  ASSERT_TRUE(WIFEXITED(*status));
  EXPECT_EQ(WEXITSTATUS(*status), 0);
  EXPECT_THAT(broker.stdout_text(), HasSubstr("jit-kafka-broker "));
}

}  // namespace
}  // namespace jit::kafka
