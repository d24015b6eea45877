// The JobInTech lifecycle topics (ARCHITECTURE.md, "Events on Kafka"): one
// per producing service, keyed by trainee id, with a dead-letter topic each.
#ifndef JIT_LIBS_KAFKA_TOPICS_H_
#define JIT_LIBS_KAFKA_TOPICS_H_

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"

namespace jit::kafka {

inline constexpr char kEnrollmentTopic[] = "jobintech.enrollment.v1";
inline constexpr char kProgressTopic[] = "jobintech.progress.v1";
inline constexpr char kPlacementTopic[] = "jobintech.placement.v1";
inline constexpr char kDeadLetterSuffix[] = ".dlq";

// {enrollment, progress, placement}, in that order.
std::vector<std::string> LifecycleTopics();

// `topic` + ".dlq".
std::string DeadLetterTopic(absl::string_view topic);

// Kafka's topic name rules: 1..249 characters from [a-zA-Z0-9._-], not "."
// or "..". INVALID_ARGUMENT naming the topic otherwise.
absl::Status ValidateTopicName(absl::string_view topic);

}  // namespace jit::kafka

#endif  // JIT_LIBS_KAFKA_TOPICS_H_
