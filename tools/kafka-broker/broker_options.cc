#include "tools/kafka-broker/broker_options.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "libs/kafka/topics.h"

namespace jit::kafka_broker {

absl::Status ValidateCounts(int brokers, int partitions) {
  if (brokers < 1 || brokers > kMaxBrokers) {
    return absl::InvalidArgumentError(absl::StrCat(
        "--brokers must be in 1..", kMaxBrokers, ", got ", brokers));
  }
  if (partitions < 1 || partitions > kMaxPartitions) {
    return absl::InvalidArgumentError(absl::StrCat(
        "--partitions must be in 1..", kMaxPartitions, ", got ", partitions));
  }
  return absl::OkStatus();
}

absl::StatusOr<std::vector<std::string>> ExpandTopics(absl::string_view list) {
  std::vector<std::string> topics;
  auto add = [&topics](std::string topic) -> absl::Status {
    if (absl::Status valid = kafka::ValidateTopicName(topic); !valid.ok()) {
      return absl::InvalidArgumentError(
          absl::StrCat("--topics: ", valid.message()));
    }
    if (std::find(topics.begin(), topics.end(), topic) == topics.end()) {
      topics.push_back(std::move(topic));
    }
    return absl::OkStatus();
  };
  for (absl::string_view entry : absl::StrSplit(list, ',')) {
    entry = absl::StripAsciiWhitespace(entry);
    if (entry.empty()) continue;
    if (absl::Status s = add(std::string(entry)); !s.ok()) return s;
    if (!absl::EndsWith(entry, kafka::kDeadLetterSuffix)) {
      if (absl::Status s = add(kafka::DeadLetterTopic(entry)); !s.ok()) {
        return s;
      }
    }
  }
  if (topics.empty()) {
    return absl::InvalidArgumentError("--topics must name at least one topic");
  }
  return topics;
}

int ReplicationFactor(int brokers) { return std::min(brokers, 3); }

absl::Status WriteFileAtomically(const std::string& path,
                                 absl::string_view contents) {
  const std::string temp = absl::StrCat(path, ".tmp.", getpid());
  const int fd =
      open(temp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) {
    return absl::UnavailableError(
        absl::StrCat("create ", temp, ": ", std::strerror(errno)));
  }
  size_t written = 0;
  while (written < contents.size()) {
    const ssize_t n =
        write(fd, contents.data() + written, contents.size() - written);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      const int error = errno;
      close(fd);
      unlink(temp.c_str());
      return absl::UnavailableError(
          absl::StrCat("write ", temp, ": ", std::strerror(error)));
    }
    written += static_cast<size_t>(n);
  }
  if (fsync(fd) != 0 || close(fd) != 0) {
    const int error = errno;
    unlink(temp.c_str());
    return absl::UnavailableError(
        absl::StrCat("flush ", temp, ": ", std::strerror(error)));
  }
  if (rename(temp.c_str(), path.c_str()) != 0) {
    const int error = errno;
    unlink(temp.c_str());
    return absl::UnavailableError(absl::StrCat("rename ", temp, " to ", path,
                                               ": ", std::strerror(error)));
  }
  return absl::OkStatus();
}

std::string ReadyLine(const BrokerOptions& options,
                      absl::string_view bootstrap_servers) {
  // Topic names are [a-zA-Z0-9._-] and the bootstrap string is host:port
  // pairs: nothing needs JSON escaping.
  return absl::StrCat("{\"event\":\"ready\",\"bootstrap\":\"",
                      bootstrap_servers, "\",\"brokers\":", options.brokers,
                      ",\"partitions\":", options.partitions, ",\"topics\":[\"",
                      absl::StrJoin(options.topics, "\",\""), "\"]}");
}

}  // namespace jit::kafka_broker
