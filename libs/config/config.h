// Program configuration: Abseil flags with environment-variable fallbacks,
// start-up validation and a loggable description of the effective settings.
//
// Flags are declared with ABSL_FLAG in each binary's main.cc (Abseil Tips #45
// and #103). ParseFlags() parses the command line first (Abseil handles
// --help, --helpfull, --version, --flagfile), then, for every program flag the
// command line did not set, reads <env_prefix><FLAG_NAME> from the
// environment. Precedence: command line > environment > default.
//
//   ABSL_FLAG(int, grpc_port, 50051, "gRPC listen port");
//
//   int main(int argc, char** argv) {
//     jit::config::ParseFlags(argc, argv, {.name = "jit-enrollment",
//                                          .usage = "Enrollment service.",
//                                          .version = JIT_VERSION,
//                                          .env_prefix = "JIT_ENROLLMENT_"});
//     jit::config::Validator v;
//     v.Port("grpc_port", absl::GetFlag(FLAGS_grpc_port));
//     jit::config::ExitIfInvalid(v);
//     jit::log::Info("starting: {}", jit::config::Describe());
//
// A bad environment value or a failed validation prints "config error: ..."
// lines to stderr and exits with kConfigErrorExitCode (2).
//
// Thread safety: ParseFlags must run first thing in main, before other threads
// start. Describe/EffectiveConfig/Validator are safe to call afterwards.
#ifndef JIT_LIBS_CONFIG_CONFIG_H_
#define JIT_LIBS_CONFIG_CONFIG_H_

#include <cstdint>
#include <functional>
#include <string>
#include <type_traits>
#include <vector>

#include "absl/flags/commandlineflag.h"
#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"

namespace jit::config {

// Exit code for any configuration error (bad flag value in the environment,
// failed validation). Abseil itself exits 1 on unknown command-line flags.
inline constexpr int kConfigErrorExitCode = 2;

struct ProgramInfo {
  std::string name = "";     // e.g. "jit-enrollment"; printed by --version
  std::string usage = "";    // one-paragraph description shown by --help
  std::string version = "";  // e.g. JIT_VERSION ("0.1.0 (abc123)")
  std::string env_prefix =
      "";  // e.g. "JIT_ENROLLMENT_"; empty disables fallbacks
};

// Parses flags as described above and returns the positional arguments (not
// including argv[0]). Exits 0 after --version, 1 after --help* (Abseil's
// convention) or on an unknown/bad command-line flag, kConfigErrorExitCode on
// a bad environment value.
std::vector<std::string> ParseFlags(int argc, char** argv,
                                    const ProgramInfo& info);

// The environment variable consulted for `flag_name`:
// EnvVarName("JIT_ENROLLMENT_", "grpc_port") == "JIT_ENROLLMENT_GRPC_PORT".
std::string EnvVarName(absl::string_view env_prefix,
                       absl::string_view flag_name);

// True for flags a program declared, false for Abseil's own flags (help,
// flagfile, fromenv, ...), judged by the file that defines the flag.
bool IsProgramFlag(const absl::CommandLineFlag& flag);

// True when a flag's value must never be printed (its name contains
// "secret", "key", "password" or "token", case-insensitive).
bool IsSecretFlag(absl::string_view flag_name);

// The environment step of ParseFlags, exposed for tests and tools: for every
// program flag for which `set_on_command_line(name)` is false and whose
// environment variable exists, parses the variable into the flag. Every bad
// value is reported (INVALID_ARGUMENT, one line per problem naming both the
// variable and the flag); good values are applied even if others fail.
absl::Status ApplyEnvFallbacks(
    absl::string_view env_prefix,
    const std::function<bool(absl::string_view)>& set_on_command_line);

// One effective setting, for start-up logs.
struct FlagSetting {
  std::string name;
  std::string value;   // "<redacted>" for secret flags
  std::string source;  // "command line", "env", or "default"
};

// Every program flag, sorted by name.
std::vector<FlagSetting> EffectiveConfig();

// EffectiveConfig() as one line: `grpc_port=50051 db_password=<redacted> ...`.
// Values with spaces or quotes are double-quoted and escaped.
std::string Describe();

// Collects every configuration problem so that one start-up reports all of
// them at once. Not thread-safe.
//
//   Validator v;
//   v.Port("grpc_port", port).NonEmpty("data_dir", dir)
//    .Range("drain_seconds", drain, 0, 300)
//    .Require(a != b, "admin_port", "must differ from --grpc_port");
//   ExitIfInvalid(v);
class Validator {
 public:
  // Records `problem` for --`flag` unless `condition` holds. The message shows
  // the flag's current value when it is a registered flag.
  Validator& Require(bool condition, absl::string_view flag,
                     absl::string_view problem);
  // 1..65535 (a port peers connect to).
  Validator& Port(absl::string_view flag, int64_t port);
  // "host:port" with port 0..65535 (0 = pick a free port), host may be
  // "[::]" style IPv6. For listen addresses.
  Validator& HostPort(absl::string_view flag, absl::string_view address);
  Validator& NonEmpty(absl::string_view flag, absl::string_view value);
  // lo <= value <= hi, for any arithmetic type.
  template <typename T, typename = std::enable_if_t<std::is_arithmetic_v<T>>>
  Validator& Range(absl::string_view flag, T value, std::type_identity_t<T> lo,
                   std::type_identity_t<T> hi) {
    if (value < lo || value > hi) {
      Add(flag, absl::StrCat(value),
          absl::StrCat("must be between ", lo, " and ", hi));
    }
    return *this;
  }
  Validator& Range(absl::string_view flag, absl::Duration value,
                   absl::Duration lo, absl::Duration hi);

  bool ok() const { return problems_.empty(); }
  // "--grpc_port=0: must be between 1 and 65535", in the order recorded.
  const std::vector<std::string>& problems() const { return problems_; }
  // OK, or INVALID_ARGUMENT listing every problem.
  absl::Status ToStatus() const;

 private:
  void Add(absl::string_view flag, absl::string_view value,
           absl::string_view problem);
  std::vector<std::string> problems_;
};

// Prints "config error: <problem>" to stderr for every problem and exits with
// kConfigErrorExitCode; returns when `v` is ok.
void ExitIfInvalid(const Validator& v);

}  // namespace jit::config

#endif  // JIT_LIBS_CONFIG_CONFIG_H_
