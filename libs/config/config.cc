#include "libs/config/config.h"

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_set.h"
#include "absl/flags/commandlineflag.h"
#include "absl/flags/internal/parse.h"
#include "absl/flags/parse.h"
#include "absl/flags/reflection.h"
#include "absl/flags/usage.h"
#include "absl/flags/usage_config.h"
#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/synchronization/mutex.h"

namespace jit::config {
namespace {

constexpr char kRedacted[] = "<redacted>";

// Which flags were set from the environment, and whether ParseFlags ran
// (absl's WasPresentOnCommandLine may only be asked after parsing).
struct State {
  absl::Mutex mu;
  bool parsed ABSL_GUARDED_BY(mu) = false;
  absl::flat_hash_set<std::string> from_env ABSL_GUARDED_BY(mu);
};

State& GetState() {
  static State* const kState = new State();
  return *kState;
}

// Abseil's own flags (flagfile, fromenv, tryfromenv, undefok) are defined in
// absl/flags/*.cc; Filename() reports e.g. "./absl/flags/parse.cc".
bool IsAbslFile(absl::string_view filename) {
  return absl::StartsWith(filename, "absl/flags/") ||
         absl::StrContains(filename, "/absl/flags/");
}

std::vector<absl::CommandLineFlag*> ProgramFlagsSorted() {
  std::vector<absl::CommandLineFlag*> flags;
  for (const auto& [name, flag] : absl::GetAllFlags()) {
    if (flag->IsRetired() || !IsProgramFlag(*flag)) continue;
    flags.push_back(flag);
  }
  std::sort(flags.begin(), flags.end(),
            [](const auto* a, const auto* b) { return a->Name() < b->Name(); });
  return flags;
}

std::string Quote(absl::string_view value) {
  const bool plain =
      !value.empty() && std::none_of(value.begin(), value.end(), [](char c) {
        return absl::ascii_isspace(static_cast<unsigned char>(c)) || c == '"' ||
               c == '\\' || !absl::ascii_isprint(static_cast<unsigned char>(c));
      });
  if (plain) return std::string(value);
  return absl::StrCat("\"", absl::CHexEscape(value), "\"");
}

// The value shown in error messages and Describe().
std::string Shown(absl::string_view flag_name, absl::string_view value) {
  return IsSecretFlag(flag_name) ? std::string(kRedacted) : Quote(value);
}

}  // namespace

std::string EnvVarName(absl::string_view env_prefix,
                       absl::string_view flag_name) {
  std::string name = absl::StrCat(env_prefix, flag_name);
  for (size_t i = env_prefix.size(); i < name.size(); ++i) {
    const char c = name[i];
    name[i] = absl::ascii_isalnum(static_cast<unsigned char>(c))
                  ? absl::ascii_toupper(static_cast<unsigned char>(c))
                  : '_';
  }
  return name;
}

bool IsProgramFlag(const absl::CommandLineFlag& flag) {
  return !IsAbslFile(flag.Filename());
}

bool IsSecretFlag(absl::string_view flag_name) {
  const std::string lower = absl::AsciiStrToLower(flag_name);
  for (absl::string_view word : {"secret", "key", "password", "token"}) {
    if (absl::StrContains(lower, word)) return true;
  }
  return false;
}

absl::Status ApplyEnvFallbacks(
    absl::string_view env_prefix,
    const std::function<bool(absl::string_view)>& set_on_command_line) {
  if (env_prefix.empty()) return absl::OkStatus();
  std::vector<std::string> errors;
  std::vector<std::string> applied;
  for (absl::CommandLineFlag* flag : ProgramFlagsSorted()) {
    if (set_on_command_line(flag->Name())) continue;
    const std::string var = EnvVarName(env_prefix, flag->Name());
    const char* value = std::getenv(var.c_str());
    if (value == nullptr) continue;
    std::string error;
    if (!flag->ParseFrom(value, &error)) {
      // Abseil's message quotes the value; keep secrets out of it.
      if (IsSecretFlag(flag->Name())) error = "illegal value for this flag";
      errors.push_back(absl::StrCat("environment variable ", var, "=",
                                    Shown(flag->Name(), value), " for flag --",
                                    flag->Name(), ": ", error));
      continue;
    }
    applied.emplace_back(flag->Name());
  }
  {
    State& state = GetState();
    absl::MutexLock lock(&state.mu);
    state.from_env.insert(applied.begin(), applied.end());
  }
  if (errors.empty()) return absl::OkStatus();
  return absl::InvalidArgumentError(absl::StrJoin(errors, "\n"));
}

std::vector<std::string> ParseFlags(int argc, char** argv,
                                    const ProgramInfo& info) {
  // Abseil aborts if the usage message is set twice (tests parse repeatedly).
  static std::once_flag usage_once;
  std::call_once(usage_once, [&info] {
    // Abseil prints "<program>: " before the message.
    std::string usage = info.usage;
    if (!info.env_prefix.empty()) {
      absl::StrAppend(&usage,
                      "\n\nEvery flag below can also be set through "
                      "the environment as ",
                      info.env_prefix,
                      "<FLAG_NAME> (upper case); the command line wins.");
    }
    absl::SetProgramUsageMessage(usage);
  });

  absl::FlagsUsageConfig usage_config;
  usage_config.version_string =
      [line = absl::StrCat(info.name, " ", info.version, "\n")] {
        return line;
      };
  // Abseil's default shows under --help only flags defined in <program>.cc or
  // <program>_main.cc; our binaries define them in main.cc, so show every
  // program flag (Abseil's own flags stay under --helpfull).
  auto is_program_file = [](absl::string_view filename) {
    return !IsAbslFile(filename);
  };
  usage_config.contains_help_flags = is_program_file;
  usage_config.contains_helpshort_flags = is_program_file;
  usage_config.contains_helppackage_flags = is_program_file;
  absl::SetFlagsUsageConfig(usage_config);

  std::vector<char*> remaining = absl::ParseCommandLine(argc, argv);
  {
    State& state = GetState();
    absl::MutexLock lock(&state.mu);
    state.parsed = true;
    state.from_env.clear();
  }

  absl::Status env =
      ApplyEnvFallbacks(info.env_prefix, [](absl::string_view n) {
        return absl::flags_internal::WasPresentOnCommandLine(n);
      });
  if (!env.ok()) {
    for (absl::string_view line : absl::StrSplit(env.message(), '\n')) {
      std::fprintf(stderr, "config error: %.*s\n",
                   static_cast<int>(line.size()), line.data());
    }
    std::fflush(stderr);
    std::exit(kConfigErrorExitCode);
  }

  std::vector<std::string> positional;
  for (size_t i = 1; i < remaining.size(); ++i) {
    positional.emplace_back(remaining[i]);
  }
  return positional;
}

std::vector<FlagSetting> EffectiveConfig() {
  State& state = GetState();
  absl::MutexLock lock(&state.mu);
  std::vector<FlagSetting> out;
  for (absl::CommandLineFlag* flag : ProgramFlagsSorted()) {
    FlagSetting s;
    s.name = std::string(flag->Name());
    s.value = IsSecretFlag(s.name) ? kRedacted : flag->CurrentValue();
    if (state.parsed &&
        absl::flags_internal::WasPresentOnCommandLine(flag->Name())) {
      s.source = "command line";
    } else if (state.from_env.contains(s.name)) {
      s.source = "env";
    } else {
      s.source = "default";
    }
    out.push_back(std::move(s));
  }
  return out;
}

std::string Describe() {
  std::vector<std::string> parts;
  for (const FlagSetting& s : EffectiveConfig()) {
    parts.push_back(absl::StrCat(
        s.name, "=", s.value == kRedacted ? s.value : Quote(s.value)));
  }
  return absl::StrJoin(parts, " ");
}

// ---------------------------------------------------------------------------
// Validator

void Validator::Add(absl::string_view flag, absl::string_view value,
                    absl::string_view problem) {
  problems_.push_back(
      absl::StrCat("--", flag, "=", Shown(flag, value), ": ", problem));
}

Validator& Validator::Require(bool condition, absl::string_view flag,
                              absl::string_view problem) {
  if (condition) return *this;
  const absl::CommandLineFlag* registered = absl::FindCommandLineFlag(flag);
  if (registered != nullptr) {
    Add(flag, registered->CurrentValue(), problem);
  } else {
    problems_.push_back(absl::StrCat("--", flag, ": ", problem));
  }
  return *this;
}

Validator& Validator::Port(absl::string_view flag, int64_t port) {
  if (port < 1 || port > 65535) {
    Add(flag, absl::StrCat(port), "must be a port between 1 and 65535");
  }
  return *this;
}

Validator& Validator::HostPort(absl::string_view flag,
                               absl::string_view address) {
  const size_t colon = address.rfind(':');
  bool ok = colon != absl::string_view::npos && colon > 0;
  if (ok) {
    absl::string_view host = address.substr(0, colon);
    absl::string_view port_text = address.substr(colon + 1);
    int port = -1;
    ok = absl::SimpleAtoi(port_text, &port) && port >= 0 && port <= 65535 &&
         !port_text.empty() && port_text[0] != '+' && port_text[0] != '-';
    // A bare IPv6 address needs brackets: "[::]:50051".
    if (ok && absl::StrContains(host, ':')) {
      ok = host.size() > 2 && host.front() == '[' && host.back() == ']';
    }
  }
  if (!ok) {
    Add(flag, address,
        "must be host:port with a port between 0 and 65535 "
        "(e.g. 0.0.0.0:50051 or [::]:50051)");
  }
  return *this;
}

Validator& Validator::NonEmpty(absl::string_view flag,
                               absl::string_view value) {
  if (value.empty()) Add(flag, value, "must not be empty");
  return *this;
}

Validator& Validator::Range(absl::string_view flag, absl::Duration value,
                            absl::Duration lo, absl::Duration hi) {
  if (value < lo || value > hi) {
    Add(flag, absl::FormatDuration(value),
        absl::StrCat("must be between ", absl::FormatDuration(lo), " and ",
                     absl::FormatDuration(hi)));
  }
  return *this;
}

absl::Status Validator::ToStatus() const {
  if (ok()) return absl::OkStatus();
  return absl::InvalidArgumentError(
      absl::StrCat("invalid configuration: ", absl::StrJoin(problems_, "; ")));
}

void ExitIfInvalid(const Validator& v) {
  if (v.ok()) return;
  for (const std::string& problem : v.problems()) {
    std::fprintf(stderr, "config error: %s\n", problem.c_str());
  }
  std::fflush(stderr);
  std::exit(kConfigErrorExitCode);
}

}  // namespace jit::config
