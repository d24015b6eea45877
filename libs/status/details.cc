#include "libs/status/details.h"

#include <algorithm>
#include <utility>

#include "absl/strings/cord.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/str_split.h"
#include "google/rpc/error_details.pb.h"

namespace jit::status {
namespace {

// Withheld texts are kept NUL-separated: paths cannot hold a NUL.
constexpr char kSeparator = '\0';

}  // namespace

absl::Status WithRetryDelay(absl::Status status, absl::Duration delay) {
  if (status.ok()) return status;
  delay = std::max(delay, absl::ZeroDuration());
  google::rpc::RetryInfo info;
  const int64_t nanos = absl::ToInt64Nanoseconds(delay);
  info.mutable_retry_delay()->set_seconds(nanos / 1'000'000'000);
  info.mutable_retry_delay()->set_nanos(
      static_cast<int32_t>(nanos % 1'000'000'000));
  status.SetPayload(kRetryInfoTypeUrl, absl::Cord(info.SerializeAsString()));
  return status;
}

std::optional<absl::Duration> RetryDelayOf(const absl::Status& status) {
  auto payload = status.GetPayload(kRetryInfoTypeUrl);
  if (!payload.has_value()) return std::nullopt;
  google::rpc::RetryInfo info;
  if (!info.ParseFromString(std::string(*payload))) return std::nullopt;
  return absl::Seconds(info.retry_delay().seconds()) +
         absl::Nanoseconds(info.retry_delay().nanos());
}

absl::Status Withhold(absl::Status status, absl::string_view text) {
  if (status.ok() || text.empty()) return status;
  std::vector<std::string> texts = WithheldOf(status);
  if (std::find(texts.begin(), texts.end(), text) != texts.end()) {
    return status;
  }
  texts.emplace_back(text);
  status.SetPayload(kWithheldTypeUrl,
                    absl::Cord(absl::StrJoin(texts, std::string(1, kSeparator))));
  return status;
}

std::vector<std::string> WithheldOf(const absl::Status& status) {
  auto payload = status.GetPayload(kWithheldTypeUrl);
  if (!payload.has_value()) return {};
  return absl::StrSplit(std::string(*payload), kSeparator, absl::SkipEmpty());
}

std::string ClientMessage(const absl::Status& status) {
  std::vector<std::string> texts = WithheldOf(status);
  // Longest first, so that a path is replaced whole before any part of it.
  std::sort(texts.begin(), texts.end(),
            [](const std::string& a, const std::string& b) {
              return a.size() > b.size();
            });
  std::vector<std::pair<std::string, std::string>> replacements;
  replacements.reserve(texts.size());
  for (std::string& t : texts) {
    replacements.emplace_back(std::move(t), kWithheldPlaceholder);
  }
  return absl::StrReplaceAll(status.message(), replacements);
}

}  // namespace jit::status
