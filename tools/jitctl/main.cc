// jitctl: the JobInTech operator CLI over gRPC.
//
//   jitctl [global flags] <command> [arguments] [flags]
//
// The command table is in commands_*.cc (one Command per action); this file
// finds the command, parses flags, prints help and maps results to exit
// codes (0 ok, 1 failed/rejected, 2 usage, 3 unreachable).
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_split.h"
#include "absl/time/time.h"
#include "libs/grpcclient/credentials.h"
#include "tools/jitctl/args.h"
#include "tools/jitctl/commands.h"
#include "tools/jitctl/context.h"

#ifndef JIT_VERSION
#define JIT_VERSION "dev"
#endif

namespace jit::jitctl {

namespace {

std::string Env(const char* name, const std::string& fallback) {
  const char* v = std::getenv(name);
  return (v != nullptr && *v != '\0') ? std::string(v) : fallback;
}

std::vector<FlagSpec> GlobalFlags() {
  return {
      {"enrollment", "HOST:PORT", FlagKind::kValue,
       "enrollment service (default 127.0.0.1:50051, env JITCTL_ENROLLMENT)"},
      {"progress", "HOST:PORT", FlagKind::kValue,
       "training-progress service (default 127.0.0.1:50052, env JITCTL_PROGRESS)"},
      {"placement", "HOST:PORT", FlagKind::kValue,
       "placement service (default 127.0.0.1:50053, env JITCTL_PLACEMENT)"},
      {"aggregator", "HOST:PORT", FlagKind::kValue,
       "aggregator (dashboards) (default 127.0.0.1:50054, env JITCTL_AGGREGATOR)"},
      {"output", "text|json", FlagKind::kValue, "output format (default text, env JITCTL_OUTPUT)"},
      {"timeout", "DURATION", FlagKind::kValue, "deadline of each call, e.g. 10s, 500ms (default 10s)"},
      {"retries", "N", FlagKind::kValue, "retries of a call the service could not take (UNAVAILABLE), default 2"},
      {"ca-file", "FILE", FlagKind::kValue,
       "CA bundle of the services' TLS certificates (env JITCTL_CA_FILE; default .data/pki/ca.crt, "
       "scripts/run.sh's, when it exists)"},
      {"token-file", "FILE", FlagKind::kValue,
       "file holding your bearer token (env JITCTL_TOKEN_FILE, or the token itself in JITCTL_TOKEN; "
       "development: jitctl auth dev-token)"},
      {"help", "", FlagKind::kBool, "show help"},
  };
}

const FlagSpec kRequestIdFlag{"request-id", "ID", FlagKind::kValue,
                              "idempotency key (default: a new UUID); repeat a call with the same id to retry "
                              "it safely"};

std::vector<FlagSpec> CommandFlags(const Command& c) {
  std::vector<FlagSpec> flags = c.flags;
  if (c.mutating) flags.push_back(kRequestIdFlag);
  return flags;
}

std::string GroupOf(const Command& c) { return c.path.substr(0, c.path.find(' ')); }

void PrintTopHelp(std::ostream& out) {
  out << "jitctl: the JobInTech operator CLI (gRPC)\n\n"
         "Usage: jitctl [global flags] <command> [arguments] [flags]\n"
         "       jitctl <command> --help\n\nCommands:\n";
  size_t width = 0;
  for (const Command& c : AllCommands()) width = std::max(width, c.path.size() + c.args.size() + 1);
  for (const Command& c : AllCommands()) {
    out << absl::StrFormat("  %-*s  %s\n", static_cast<int>(width), absl::StrCat(c.path, " ", c.args), c.summary);
  }
  out << "\nGlobal flags (before or after the command):\n" << FlagsHelp(GlobalFlags())
      << "\nExit codes: 0 ok; 1 a call failed or rows were rejected; 2 usage error; 3 a service could not be "
         "reached.\n"
         "Mutations take --request-id: the same id returns the first answer and changes nothing.\n"
         "--output json prints the services' answers in protobuf's JSON mapping.\n";
}

void PrintGroupHelp(std::ostream& out, const std::string& group) {
  out << "Usage: jitctl " << group << " <command> ...\n\nCommands:\n";
  for (const Command& c : AllCommands()) {
    if (GroupOf(c) == group) out << absl::StrFormat("  %-34s %s\n", absl::StrCat(c.path, " ", c.args), c.summary);
  }
  out << "\nMore: jitctl " << group << " <command> --help\n";
}

void PrintCommandHelp(std::ostream& out, const Command& c) {
  out << "Usage: jitctl " << c.path << (c.args.empty() ? "" : " " + c.args) << " [flags]\n\n" << c.summary << "\n";
  const std::vector<FlagSpec> flags = CommandFlags(c);
  if (!flags.empty()) out << "\nFlags:\n" << FlagsHelp(flags);
  if (!c.details.empty()) out << "\n" << c.details << (absl::EndsWith(c.details, "\n") ? "" : "\n");
  out << "\nGlobal flags: --enrollment, --progress, --placement, --aggregator, --ca-file, --token-file, "
         "--output text|json, --timeout, --retries (see jitctl --help)\n";
}

const Command* Find(const std::string& path) {
  for (const Command& c : AllCommands()) {
    if (c.path == path) return &c;
  }
  return nullptr;
}

bool IsGroup(const std::string& word) {
  for (const Command& c : AllCommands()) {
    if (GroupOf(c) == word) return true;
  }
  return false;
}

int Main(int argc, char** argv) {
  std::vector<std::string> tokens(argv + 1, argv + argc);
  const std::vector<FlagSpec> globals = GlobalFlags();
  auto global_takes_value = [&](const std::string& token) {
    if (!absl::StartsWith(token, "--") || token.find('=') != std::string::npos) return false;
    for (const FlagSpec& f : globals) {
      if (token == "--" + f.name) return f.kind != FlagKind::kBool;
    }
    return false;
  };
  auto is_global = [&](const std::string& token) {
    const std::string name = token.substr(2, token.find('=') == std::string::npos ? std::string::npos
                                                                                   : token.find('=') - 2);
    for (const FlagSpec& f : globals) {
      if (name == f.name) return true;
    }
    return false;
  };
  if (tokens.size() == 1 && (tokens[0] == "--version" || tokens[0] == "version")) {
    std::cout << "jitctl " << JIT_VERSION << "\n";
    return kExitOk;
  }

  // The command words: the first non-flag tokens, before any command flag.
  std::vector<size_t> word_at;
  for (size_t i = 0; i < tokens.size() && word_at.size() < 3; ++i) {
    const std::string& t = tokens[i];
    if (absl::StartsWith(t, "--")) {
      if (!is_global(t)) break;
      if (global_takes_value(t)) ++i;
      continue;
    }
    word_at.push_back(i);
  }
  bool help_asked = false;
  for (const std::string& t : tokens) help_asked |= (t == "--help" || t == "-h");
  std::vector<std::string> words;
  for (size_t i : word_at) words.push_back(tokens[i]);

  if (!words.empty() && words[0] == "help") {
    words.erase(words.begin());
    word_at.erase(word_at.begin());
    help_asked = true;
  }
  if (words.empty()) {
    PrintTopHelp(help_asked ? std::cout : std::cerr);
    return help_asked ? kExitOk : kExitUsage;
  }
  const Command* cmd = nullptr;
  size_t used = 0;
  if (words.size() >= 2) {
    cmd = Find(words[0] + " " + words[1]);
    used = 2;
  }
  if (cmd == nullptr) {
    cmd = Find(words[0]);
    used = 1;
  }
  if (cmd == nullptr) {
    if (IsGroup(words[0])) {
      PrintGroupHelp(help_asked ? std::cout : std::cerr, words[0]);
      if (!help_asked && words.size() >= 2) std::cerr << "\njitctl: unknown command '" << words[0] << " " << words[1] << "'\n";
      return help_asked ? kExitOk : kExitUsage;
    }
    std::cerr << "jitctl: unknown command '" << words[0] << "' (try jitctl --help)\n";
    return kExitUsage;
  }
  if (help_asked) {
    PrintCommandHelp(std::cout, *cmd);
    return kExitOk;
  }

  std::vector<std::string> rest;
  std::set<size_t> skip;
  for (size_t k = 0; k < used; ++k) skip.insert(word_at[k]);
  if (!tokens.empty() && tokens[0] == "help") skip.insert(0);
  for (size_t i = 0; i < tokens.size(); ++i) {
    if (!skip.count(i)) rest.push_back(tokens[i]);
  }
  std::vector<FlagSpec> flags = CommandFlags(*cmd);
  flags.insert(flags.end(), globals.begin(), globals.end());
  auto parsed = ParseArgs(rest, flags);
  if (!parsed.ok()) {
    std::cerr << "jitctl " << cmd->path << ": " << parsed.status().message() << "\n(see: jitctl " << cmd->path
              << " --help)\n";
    return kExitUsage;
  }
  const int n = static_cast<int>(parsed->positional.size());
  if (n < cmd->min_args || n > cmd->max_args) {
    std::cerr << "jitctl " << cmd->path << ": expected " << (cmd->args.empty() ? "no arguments" : cmd->args)
              << (n > cmd->max_args && n > 0 ? absl::StrCat(", got '", parsed->positional.back(), "'") : "")
              << "\n(see: jitctl " << cmd->path << " --help)\n";
    return kExitUsage;
  }

  Endpoints endpoints;
  endpoints.enrollment = parsed->Get("enrollment", Env("JITCTL_ENROLLMENT", endpoints.enrollment));
  endpoints.progress = parsed->Get("progress", Env("JITCTL_PROGRESS", endpoints.progress));
  endpoints.placement = parsed->Get("placement", Env("JITCTL_PLACEMENT", endpoints.placement));
  endpoints.aggregator = parsed->Get("aggregator", Env("JITCTL_AGGREGATOR", endpoints.aggregator));
  const std::string output = parsed->Get("output", Env("JITCTL_OUTPUT", "text"));
  if (output != "text" && output != "json") {
    std::cerr << "jitctl: --output must be text or json\n";
    return kExitUsage;
  }
  if (!absl::StartsWith(cmd->path, "auth ")) {
    std::string ca_file = parsed->Get("ca-file", Env("JITCTL_CA_FILE", ""));
    if (ca_file.empty() && std::filesystem::exists(".data/pki/ca.crt")) ca_file = ".data/pki/ca.crt";
    if (ca_file.empty()) {
      std::cerr << "jitctl: --ca-file (or JITCTL_CA_FILE) is required: the CA bundle of the services' "
                   "TLS certificates (a suite started by scripts/run.sh: .data/pki/ca.crt)\n";
      return kExitUsage;
    }
    std::string token = Env("JITCTL_TOKEN", "");
    const std::string token_file = parsed->Get("token-file", Env("JITCTL_TOKEN_FILE", ""));
    if (!token_file.empty()) {
      auto read = grpcclient::ReadTokenFile(token_file);
      if (!read.ok()) {
        std::cerr << "jitctl: --token-file: " << read.status().message() << "\n";
        return kExitUsage;
      }
      token = *read;
    }
    auto credentials = grpcclient::PersonCredentials(ca_file, token);
    if (!credentials.ok()) {
      std::cerr << "jitctl: --ca-file: " << credentials.status().message() << "\n";
      return kExitUsage;
    }
    endpoints.credentials = *std::move(credentials);
  }
  CallPolicy policy;
  const std::string timeout = parsed->Get("timeout", Env("JITCTL_TIMEOUT", "10s"));
  double seconds = 0;
  if (absl::SimpleAtod(timeout, &seconds)) {
    policy.deadline = absl::Seconds(seconds);
  } else if (!absl::ParseDuration(timeout, &policy.deadline)) {
    std::cerr << "jitctl: --timeout '" << timeout << "' is not a duration (e.g. 10s, 500ms)\n";
    return kExitUsage;
  }
  if (policy.deadline <= absl::ZeroDuration()) {
    std::cerr << "jitctl: --timeout must be positive\n";
    return kExitUsage;
  }
  int retries = 2;
  if (parsed->Has("retries") && (!absl::SimpleAtoi(parsed->Get("retries"), &retries) || retries < 0 || retries > 20)) {
    std::cerr << "jitctl: --retries must be 0-20\n";
    return kExitUsage;
  }
  policy.attempts = retries + 1;
  Context ctx(endpoints, output == "json", policy, std::cout, std::cerr);
  return cmd->run(ctx, *parsed);
}

}  // namespace
}  // namespace jit::jitctl

int main(int argc, char** argv) { return jit::jitctl::Main(argc, argv); }
