// JSON-lines logging on stdout, on top of spdlog.
//
// Every line is one JSON object:
//   {"ts":"2025-10-15T08:30:00.123Z","level":"info","component":"enrollment",
//    "trace_id":"4bf92f3577b34da6a3ce929d0e0e4736","msg":"...", <fields>}
// `trace_id` is omitted outside a TraceScope (trace.h). Strings are escaped
// by nlohmann::json; invalid UTF-8 is replaced by U+FFFD, never dropped.
//
//   jit::log::Init({.component = "enrollment", .level = "info"});
//   jit::log::Info("listening on {}", address);          // fmt-style
//   jit::log::Event(jit::log::Level::kWarn, "cohort full",
//                   {{"cohort_id", id}, {"capacity", 30}});
//
// Init installs the JSON logger as spdlog's default logger, so direct
// spdlog::info() calls anywhere in the process produce the same lines.
//
// Thread safety: logging functions are safe from any thread. Init replaces the
// process-wide logger and must not race with logging: call it first thing in
// main (tests call it between cases, with no logging threads running).
#ifndef JIT_LIBS_LOG_LOG_H_
#define JIT_LIBS_LOG_LOG_H_

#include <cstdint>
#include <memory>
#include <string>
#include <type_traits>
#include <utility>
#include <variant>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "libs/log/trace.h"
#include "spdlog/spdlog.h"

namespace jit::log {

enum class Level { kTrace, kDebug, kInfo, kWarn, kError, kCritical, kOff };

// "trace", "debug", "info", "warn" (or "warning"), "error", "critical", "off";
// case-insensitive.
absl::StatusOr<Level> ParseLevel(absl::string_view name);
// The name written in the "level" field ("warn" for kWarn).
absl::string_view LevelName(Level level);

struct LogOptions {
  std::string component = "";  // service name, e.g. "enrollment"
  std::string level = "info";
  // Where lines go; default: stdout, flushed after every line. Tests pass an
  // spdlog::sinks::ostream_sink_mt to capture output.
  std::shared_ptr<spdlog::sinks::sink> sink = nullptr;
};

// Installs the JSON logger. INVALID_ARGUMENT for an unknown level (nothing is
// changed then).
absl::Status Init(const LogOptions& options);

// Changes the level at run time.
void SetLevel(Level level);
bool ShouldLog(Level level);

// A structured field value: string, integer, floating point or bool.
class FieldValue {
 public:
  using Variant = std::variant<std::string, int64_t, uint64_t, double, bool>;

  FieldValue(const char* v) : value_(std::string(v)) {}        // NOLINT
  FieldValue(std::string v) : value_(std::move(v)) {}          // NOLINT
  FieldValue(absl::string_view v) : value_(std::string(v)) {}  // NOLINT
  FieldValue(bool v) : value_(v) {}                            // NOLINT
  FieldValue(double v) : value_(v) {}                          // NOLINT
  FieldValue(float v) : value_(static_cast<double>(v)) {}      // NOLINT
  template <typename T,
            std::enable_if_t<std::is_integral_v<T> && !std::is_same_v<T, bool>,
                             int> = 0>
  FieldValue(T v)  // NOLINT
      : value_(std::is_signed_v<T> ? Variant(static_cast<int64_t>(v))
                                   : Variant(static_cast<uint64_t>(v))) {}

  const Variant& value() const { return value_; }

 private:
  Variant value_;
};

struct Field {
  std::string key;
  FieldValue value;
};
using Fields = std::vector<Field>;

// Logs `msg` with extra top-level fields. A field named like a standard key
// (ts, level, component, trace_id, msg) is written as "field.<key>" so it can
// never overwrite one.
void Event(Level level, absl::string_view msg, const Fields& fields = {});

template <typename... Args>
void Trace(fmt::format_string<Args...> format, Args&&... args) {
  spdlog::default_logger_raw()->trace(format, std::forward<Args>(args)...);
}
template <typename... Args>
void Debug(fmt::format_string<Args...> format, Args&&... args) {
  spdlog::default_logger_raw()->debug(format, std::forward<Args>(args)...);
}
template <typename... Args>
void Info(fmt::format_string<Args...> format, Args&&... args) {
  spdlog::default_logger_raw()->info(format, std::forward<Args>(args)...);
}
template <typename... Args>
void Warn(fmt::format_string<Args...> format, Args&&... args) {
  spdlog::default_logger_raw()->warn(format, std::forward<Args>(args)...);
}
template <typename... Args>
void Error(fmt::format_string<Args...> format, Args&&... args) {
  spdlog::default_logger_raw()->error(format, std::forward<Args>(args)...);
}

}  // namespace jit::log

#endif  // JIT_LIBS_LOG_LOG_H_
