#include "libs/log/log.h"

#include <chrono>
#include <memory>
#include <string>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "nlohmann/json.hpp"
#include "spdlog/formatter.h"
#include "spdlog/sinks/stdout_sinks.h"

namespace jit::log {
namespace {

using Json = nlohmann::ordered_json;

// Extra fields of the Event() call being formatted on this thread. spdlog's
// synchronous loggers format on the calling thread, so a thread-local hands
// them to the formatter without going through the message text.
thread_local const Fields* current_fields = nullptr;

spdlog::level::level_enum ToSpdlog(Level level) {
  switch (level) {
    case Level::kTrace:
      return spdlog::level::trace;
    case Level::kDebug:
      return spdlog::level::debug;
    case Level::kInfo:
      return spdlog::level::info;
    case Level::kWarn:
      return spdlog::level::warn;
    case Level::kError:
      return spdlog::level::err;
    case Level::kCritical:
      return spdlog::level::critical;
    case Level::kOff:
      return spdlog::level::off;
  }
  return spdlog::level::info;
}

absl::string_view SpdlogLevelName(spdlog::level::level_enum level) {
  switch (level) {
    case spdlog::level::trace:
      return "trace";
    case spdlog::level::debug:
      return "debug";
    case spdlog::level::info:
      return "info";
    case spdlog::level::warn:
      return "warn";
    case spdlog::level::err:
      return "error";
    case spdlog::level::critical:
      return "critical";
    default:
      return "off";
  }
}

bool IsReservedKey(absl::string_view key) {
  return key == "ts" || key == "level" || key == "component" ||
         key == "trace_id" || key == "msg";
}

// RFC 3339, UTC, millisecond precision: 2025-10-15T08:30:00.123Z.
std::string FormatTimestamp(std::chrono::system_clock::time_point tp) {
  return absl::FormatTime("%Y-%m-%dT%H:%M:%E3SZ", absl::FromChrono(tp),
                          absl::UTCTimeZone());
}

// Formats every record as one JSON line.
class JsonFormatter final : public spdlog::formatter {
 public:
  explicit JsonFormatter(std::string component)
      : component_(std::move(component)) {}

  void format(const spdlog::details::log_msg& msg,
              spdlog::memory_buf_t& dest) override {
    Json line;
    line["ts"] = FormatTimestamp(msg.time);
    line["level"] = std::string(SpdlogLevelName(msg.level));
    line["component"] = component_;
    const absl::string_view trace_id = CurrentTraceId();
    if (!trace_id.empty()) line["trace_id"] = std::string(trace_id);
    line["msg"] = std::string(msg.payload.data(), msg.payload.size());
    if (current_fields != nullptr) {
      for (const Field& field : *current_fields) {
        const std::string key = IsReservedKey(field.key)
                                    ? absl::StrCat("field.", field.key)
                                    : field.key;
        std::visit([&](const auto& v) { line[key] = v; }, field.value.value());
      }
    }
    const std::string text =
        line.dump(-1, ' ', /*ensure_ascii=*/false,
                  nlohmann::json::error_handler_t::replace);
    dest.append(text.data(), text.data() + text.size());
    dest.push_back('\n');
  }

  std::unique_ptr<spdlog::formatter> clone() const override {
    return std::make_unique<JsonFormatter>(component_);
  }

 private:
  const std::string component_;
};

}  // namespace

absl::StatusOr<Level> ParseLevel(absl::string_view name) {
  const std::string lower = absl::AsciiStrToLower(name);
  if (lower == "trace") return Level::kTrace;
  if (lower == "debug") return Level::kDebug;
  if (lower == "info") return Level::kInfo;
  if (lower == "warn" || lower == "warning") return Level::kWarn;
  if (lower == "error") return Level::kError;
  if (lower == "critical") return Level::kCritical;
  if (lower == "off") return Level::kOff;
  return absl::InvalidArgumentError(
      absl::StrCat("unknown log level '", name,
                   "' (want trace, debug, info, warn, error, critical, off)"));
}

absl::string_view LevelName(Level level) {
  return SpdlogLevelName(ToSpdlog(level));
}

absl::Status Init(const LogOptions& options) {
  absl::StatusOr<Level> level = ParseLevel(options.level);
  if (!level.ok()) return level.status();
  std::shared_ptr<spdlog::sinks::sink> sink = options.sink;
  const bool to_stdout = sink == nullptr;
  if (to_stdout) sink = std::make_shared<spdlog::sinks::stdout_sink_mt>();
  auto logger = std::make_shared<spdlog::logger>(options.component, sink);
  logger->set_formatter(std::make_unique<JsonFormatter>(options.component));
  logger->set_level(ToSpdlog(*level));
  // stdout is block-buffered when it is a pipe (containers): flush each line
  // so that logs are not held back or lost on a crash.
  if (to_stdout) logger->flush_on(spdlog::level::trace);
  spdlog::set_default_logger(std::move(logger));
  return absl::OkStatus();
}

void SetLevel(Level level) {
  spdlog::default_logger_raw()->set_level(ToSpdlog(level));
}

bool ShouldLog(Level level) {
  return spdlog::default_logger_raw()->should_log(ToSpdlog(level));
}

void Event(Level level, absl::string_view msg, const Fields& fields) {
  spdlog::logger* logger = spdlog::default_logger_raw();
  const spdlog::level::level_enum spd_level = ToSpdlog(level);
  if (!logger->should_log(spd_level)) return;
  struct Reset {
    ~Reset() { current_fields = nullptr; }
  } reset;
  current_fields = &fields;
  logger->log(spd_level, spdlog::string_view_t(msg.data(), msg.size()));
}

}  // namespace jit::log
