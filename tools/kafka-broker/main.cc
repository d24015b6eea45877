// jit-kafka-broker: a development Kafka "broker" made of librdkafka's mock
// cluster, with the JobInTech lifecycle topics created. See README.md.
//
// Exit codes: 0 after SIGTERM/SIGINT, 1 when the cluster or the bootstrap
// file cannot be set up, 2 for invalid flags.
#include <signal.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/flags/reflection.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/strip.h"
#include "libs/kafka/mock_cluster.h"
#include "libs/kafka/topics.h"
#include "tools/kafka-broker/broker_options.h"

ABSL_FLAG(int, brokers, 1, "number of brokers, 1..9");
ABSL_FLAG(int, partitions, 16, "partitions of every topic, 1..1024");
ABSL_FLAG(std::string, topics,
          absl::StrJoin(jit::kafka::LifecycleTopics(), ","),
          "comma-separated topics to create; each also gets its .dlq topic");
ABSL_FLAG(std::string, bootstrap_file, "",
          "file to publish the bootstrap string in (written atomically, "
          "removed on exit)");

namespace jit::kafka_broker {
namespace {

constexpr char kProgram[] = "jit-kafka-broker";
constexpr int kExitUsage = 2;
constexpr int kExitFailure = 1;
// The flags this tool accepts, in --help order.
const char* const kFlagNames[] = {"brokers", "partitions", "topics",
                                  "bootstrap_file"};

bool IsOurFlag(absl::string_view name) {
  for (const char* ours : kFlagNames) {
    if (name == ours) return true;
  }
  return false;
}

int UsageError(absl::string_view message) {
  std::fprintf(stderr, "%s: %s\n(see %s --help)\n", kProgram,
               std::string(message).c_str(), kProgram);
  return kExitUsage;
}

void PrintHelp() {
  std::printf(
      "Usage: %s [flags]\n"
      "Hosts librdkafka's in-memory mock Kafka cluster for development and\n"
      "tests, prints \"bootstrap=<host:port,...>\" and a JSON ready line on\n"
      "stdout, and runs until SIGTERM or SIGINT.\n\nFlags (environment "
      "fallback in brackets):\n",
      kProgram);
  for (const char* name : kFlagNames) {
    const absl::CommandLineFlag* flag = absl::FindCommandLineFlag(name);
    std::printf("  --%s  %s (default \"%s\") [JIT_KAFKA_BROKER_%s]\n", name,
                flag->Help().c_str(), flag->DefaultValue().c_str(),
                absl::AsciiStrToUpper(name).c_str());
  }
  std::printf("  --version  print the version and exit\n");
}

// Sets flag `name` from text `value`; `origin` names the source in errors.
bool SetFlag(absl::string_view name, absl::string_view value,
             absl::string_view origin, std::string* error) {
  absl::CommandLineFlag* flag = absl::FindCommandLineFlag(name);
  std::string why;
  if (flag == nullptr || !flag->ParseFrom(value, &why)) {
    *error =
        absl::StrCat(origin, ": invalid value \"", value, "\" (", why, ")");
    return false;
  }
  return true;
}

// Applies JIT_KAFKA_BROKER_<FLAG> variables, then the command line (which
// wins). Returns -1 to go on, or the exit code.
int ParseFlags(int argc, char** argv) {
  std::string error;
  for (const char* name : kFlagNames) {
    const std::string variable =
        absl::StrCat("JIT_KAFKA_BROKER_", absl::AsciiStrToUpper(name));
    if (const char* value = std::getenv(variable.c_str())) {
      if (!SetFlag(name, value, variable, &error)) return UsageError(error);
    }
  }
  for (int i = 1; i < argc; ++i) {
    absl::string_view arg = argv[i];
    if (!absl::ConsumePrefix(&arg, "--") && !absl::ConsumePrefix(&arg, "-")) {
      return UsageError(absl::StrCat("unexpected argument \"", argv[i], "\""));
    }
    const size_t eq = arg.find('=');
    const absl::string_view name = arg.substr(0, eq);
    if (name == "version") {
      std::printf("%s %s\n", kProgram, JIT_VERSION);
      return 0;
    }
    if (name == "help" || name == "helpfull" || name == "h") {
      PrintHelp();
      return 0;
    }
    if (!IsOurFlag(name)) {
      return UsageError(absl::StrCat("unknown flag --", name));
    }
    std::string value;
    if (eq != absl::string_view::npos) {
      value = std::string(arg.substr(eq + 1));
    } else if (i + 1 < argc) {
      value = argv[++i];
    } else {
      return UsageError(absl::StrCat("flag --", name, " needs a value"));
    }
    if (!SetFlag(name, value, absl::StrCat("--", name), &error)) {
      return UsageError(error);
    }
  }
  return -1;
}

int Run(const BrokerOptions& options) {
  // Block the stop signals before librdkafka starts threads (they inherit
  // the mask), so that only sigwait() below receives them.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGTERM);
  sigaddset(&stop_signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);

  absl::StatusOr<std::unique_ptr<kafka::MockCluster>> cluster =
      kafka::MockCluster::Start(options.brokers);
  if (!cluster.ok()) {
    std::fprintf(stderr, "%s: %s\n", kProgram,
                 cluster.status().ToString().c_str());
    return kExitFailure;
  }
  for (const std::string& topic : options.topics) {
    absl::Status created = (*cluster)->CreateTopic(
        topic, options.partitions, ReplicationFactor(options.brokers));
    if (!created.ok()) {
      std::fprintf(stderr, "%s: %s\n", kProgram, created.ToString().c_str());
      return kExitFailure;
    }
  }
  const std::string bootstrap = (*cluster)->bootstrap_servers();
  if (!options.bootstrap_file.empty()) {
    absl::Status written =
        WriteFileAtomically(options.bootstrap_file, bootstrap + "\n");
    if (!written.ok()) {
      std::fprintf(stderr, "%s: %s\n", kProgram, written.ToString().c_str());
      return kExitFailure;
    }
  }
  std::printf("bootstrap=%s\n%s\n", bootstrap.c_str(),
              ReadyLine(options, bootstrap).c_str());
  std::fflush(stdout);

  int signal_number = 0;
  while (sigwait(&stop_signals, &signal_number) != 0) {
  }
  std::fprintf(stderr, "%s: %s received, stopping\n", kProgram,
               signal_number == SIGTERM ? "SIGTERM" : "SIGINT");
  cluster->reset();
  if (!options.bootstrap_file.empty() &&
      unlink(options.bootstrap_file.c_str()) != 0 && errno != ENOENT) {
    std::fprintf(stderr, "%s: remove %s: %s\n", kProgram,
                 options.bootstrap_file.c_str(), std::strerror(errno));
  }
  std::printf("{\"event\":\"stopped\"}\n");
  std::fflush(stdout);
  return 0;
}

int Main(int argc, char** argv) {
  if (const int exit_code = ParseFlags(argc, argv); exit_code >= 0) {
    return exit_code;
  }
  BrokerOptions options;
  options.brokers = absl::GetFlag(FLAGS_brokers);
  options.partitions = absl::GetFlag(FLAGS_partitions);
  options.bootstrap_file = absl::GetFlag(FLAGS_bootstrap_file);
  if (absl::Status valid = ValidateCounts(options.brokers, options.partitions);
      !valid.ok()) {
    return UsageError(valid.message());
  }
  absl::StatusOr<std::vector<std::string>> topics =
      ExpandTopics(absl::GetFlag(FLAGS_topics));
  if (!topics.ok()) return UsageError(topics.status().message());
  options.topics = *std::move(topics);
  return Run(options);
}

}  // namespace
}  // namespace jit::kafka_broker

int main(int argc, char** argv) { return jit::kafka_broker::Main(argc, argv); }
