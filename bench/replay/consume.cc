// jit-bench-consume: the baseline of the aggregator fold-rate figure. A
// plain consumer (libs/kafka, the same wrapper as the aggregator's ingest
// loop) that assign()s every partition of the three lifecycle topics from
// the beginning, only polls and counts, and exits when it has read --expect
// records. Fetch settings: fetch.wait.max.ms=50 as the aggregator, and
// queued.min.messages=1000000 (the aggregator 500000): with librdkafka
// 2.0.2 every assigned partition feeds one consumer queue, and once that
// queue holds queued.min.messages no partition is fetched until the broker
// thread's next ~1 s wake-up; 20000 capped a catch-up read at ~30-45k
// records/s (measured here). The baseline is what a consumer of this
// library can do. Prints one JSON line with its own view of
// the time and CPU spent (the runner measures the process from outside too).
//
//   jit-bench-consume --bootstrap=HOST:PORT --expect=1000000
#include <sys/resource.h>

#include <cstdint>
#include <map>
#include <cstdio>
#include <string>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "libs/kafka/consumer.h"
#include "libs/kafka/topics.h"

ABSL_FLAG(std::string, bootstrap, "", "Kafka bootstrap servers");
ABSL_FLAG(int64_t, expect, 0, "records to read before exiting");
ABSL_FLAG(std::vector<std::string>, properties, {},
          "extra librdkafka properties k=v,k=v (experiments; the figure uses none)");
ABSL_FLAG(absl::Duration, timeout, absl::Minutes(10), "give up after this long");

namespace {

double CpuSeconds() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return static_cast<double>(u.ru_utime.tv_sec + u.ru_stime.tv_sec) +
         static_cast<double>(u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1e6;
}

int Run() {
  namespace kafka = jit::kafka;
  const absl::Time start = absl::Now();
  const int64_t expect = absl::GetFlag(FLAGS_expect);
  // Same wrapper and fetch properties as the aggregator's Ingestor::Start.
  std::map<std::string, std::string> properties = {{"fetch.wait.max.ms", "50"},
                                                    {"queued.min.messages", "1000000"}};
  for (const std::string& kv : absl::GetFlag(FLAGS_properties)) {
    const size_t eq = kv.find('=');
    if (eq != std::string::npos) properties[kv.substr(0, eq)] = kv.substr(eq + 1);
  }
  auto consumer = kafka::Consumer::Create({.bootstrap_servers = absl::GetFlag(FLAGS_bootstrap),
                                           .group_id = "",
                                           .client_id = "jit-bench-consume",
                                           .auto_offset_reset = "earliest",
                                           .properties = properties});
  if (!consumer.ok()) {
    std::fprintf(stderr, "jit-bench-consume: %s\n", consumer.status().ToString().c_str());
    return 1;
  }
  std::vector<kafka::TopicPartitionOffset> assignment;
  for (const std::string& topic : kafka::LifecycleTopics()) {
    absl::StatusOr<int> count = (*consumer)->PartitionCount(topic, absl::Seconds(10));
    if (!count.ok()) {
      std::fprintf(stderr, "jit-bench-consume: %s\n", count.status().ToString().c_str());
      return 1;
    }
    for (int p = 0; p < *count; ++p) assignment.push_back({topic, p, kafka::kOffsetBeginning});
  }
  if (absl::Status s = (*consumer)->Assign(assignment); !s.ok()) {
    std::fprintf(stderr, "jit-bench-consume: %s\n", s.ToString().c_str());
    return 1;
  }
  const absl::Time deadline = start + absl::GetFlag(FLAGS_timeout);
  int64_t count = 0, bytes = 0;
  absl::Time first = absl::InfinitePast();
  while (count < expect && absl::Now() < deadline) {
    auto m = (*consumer)->Poll(absl::Milliseconds(100));
    if (!m.ok()) {
      std::fprintf(stderr, "jit-bench-consume: %s\n", m.status().ToString().c_str());
      return 1;
    }
    if (!m->has_value()) continue;
    if (count == 0) first = absl::Now();
    ++count;
    bytes += static_cast<int64_t>((*m)->value.size());
  }
  const double seconds = absl::ToDoubleSeconds(absl::Now() - start);
  const double cpu = CpuSeconds();
  std::printf(
      "{\"events\":%lld,\"bytes\":%lld,\"seconds\":%.4f,\"first_record_s\":%.4f,"
      "\"cpu_s\":%.4f}\n",
      static_cast<long long>(count), static_cast<long long>(bytes), seconds,
      count > 0 ? absl::ToDoubleSeconds(first - start) : 0.0, cpu);
  std::fflush(stdout);
  (void)(*consumer)->Close();
  return count >= expect ? 0 : 1;
}

}  // namespace

int main(int argc, char** argv) {
  absl::ParseCommandLine(argc, argv);
  return Run();
}
