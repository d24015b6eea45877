#include "libs/kafka/topics.h"

#include "absl/strings/str_cat.h"

namespace jit::kafka {

std::vector<std::string> LifecycleTopics() {
  return {kEnrollmentTopic, kProgressTopic, kPlacementTopic};
}

std::string DeadLetterTopic(absl::string_view topic) {
  return absl::StrCat(topic, kDeadLetterSuffix);
}

absl::Status ValidateTopicName(absl::string_view topic) {
  constexpr size_t kMaxLength = 249;
  if (topic.empty() || topic.size() > kMaxLength) {
    return absl::InvalidArgumentError(
        absl::StrCat("topic \"", topic, "\": length must be 1..", kMaxLength));
  }
  if (topic == "." || topic == "..") {
    return absl::InvalidArgumentError(
        absl::StrCat("topic \"", topic, "\" is reserved"));
  }
  for (char c : topic) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                    (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-';
    if (!ok) {
      return absl::InvalidArgumentError(absl::StrCat(
          "topic \"", topic, "\": only [a-zA-Z0-9._-] are allowed"));
    }
  }
  return absl::OkStatus();
}

}  // namespace jit::kafka
