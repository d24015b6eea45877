#include "libs/testing/subprocess.h"

#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "absl/time/clock.h"
#include "absl/strings/str_split.h"
#include "nlohmann/json.hpp"

extern char** environ;

namespace jit::testing {
namespace {

ExitInfo Decode(int wstatus) {
  ExitInfo info;
  if (WIFEXITED(wstatus)) {
    info.exited = true;
    info.exit_code = WEXITSTATUS(wstatus);
  } else if (WIFSIGNALED(wstatus)) {
    info.signaled = true;
    info.signal = WTERMSIG(wstatus);
  }
  return info;
}

}  // namespace

absl::StatusOr<std::unique_ptr<Subprocess>> Subprocess::Start(
    std::vector<std::string> argv, const std::string& log_path,
    const std::map<std::string, std::string>& env) {
  if (argv.empty()) return absl::InvalidArgumentError("empty argv");
  // Build everything the child needs before fork (no allocation after it).
  std::map<std::string, std::string> merged;
  for (char** e = environ; *e != nullptr; ++e) {
    std::string kv(*e);
    auto eq = kv.find('=');
    if (eq != std::string::npos) merged[kv.substr(0, eq)] = kv.substr(eq + 1);
  }
  for (const auto& [k, v] : env) merged[k] = v;
  std::vector<std::string> env_strings;
  for (const auto& [k, v] : merged) env_strings.push_back(absl::StrCat(k, "=", v));
  std::vector<char*> cargv, cenv;
  for (auto& a : argv) cargv.push_back(a.data());
  cargv.push_back(nullptr);
  for (auto& e : env_strings) cenv.push_back(e.data());
  cenv.push_back(nullptr);

  int log_fd = open(log_path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  if (log_fd < 0) {
    return absl::InternalError(absl::StrCat("open ", log_path, ": ", strerror(errno)));
  }
  pid_t pid = fork();
  if (pid < 0) {
    close(log_fd);
    return absl::InternalError(absl::StrCat("fork: ", strerror(errno)));
  }
  if (pid == 0) {
    // Child: unblock signals a test runner may have blocked.
    sigset_t all;
    sigemptyset(&all);
    sigprocmask(SIG_SETMASK, &all, nullptr);
    dup2(log_fd, STDOUT_FILENO);
    dup2(log_fd, STDERR_FILENO);
    int devnull = open("/dev/null", O_RDONLY);
    if (devnull >= 0) dup2(devnull, STDIN_FILENO);
    execve(cargv[0], cargv.data(), cenv.data());
    _exit(127);
  }
  close(log_fd);
  return std::unique_ptr<Subprocess>(new Subprocess(pid));
}

Subprocess::~Subprocess() {
  if (!reaped_) {
    kill(pid_, SIGKILL);
    int ws;
    waitpid(pid_, &ws, 0);
  }
}

bool Subprocess::running() {
  if (reaped_) return false;
  int ws;
  pid_t r = waitpid(pid_, &ws, WNOHANG);
  if (r == pid_) {
    reaped_ = true;
    exit_ = Decode(ws);
    return false;
  }
  return true;
}

absl::Status Subprocess::Signal(int sig) {
  if (reaped_) return absl::FailedPreconditionError("process already ended");
  if (kill(pid_, sig) != 0) {
    return absl::InternalError(absl::StrCat("kill: ", strerror(errno)));
  }
  return absl::OkStatus();
}

absl::StatusOr<ExitInfo> Subprocess::Wait(absl::Duration timeout) {
  const absl::Time deadline = absl::Now() + timeout;
  while (running()) {
    if (absl::Now() > deadline) {
      return absl::DeadlineExceededError(
          absl::StrCat("process ", pid_, " still running after ",
                       absl::FormatDuration(timeout)));
    }
    absl::SleepFor(absl::Milliseconds(10));
  }
  return exit_;
}

absl::StatusOr<ExitInfo> RunToCompletion(
    std::vector<std::string> argv, const std::string& log_path,
    absl::Duration timeout, const std::map<std::string, std::string>& env) {
  auto p = Subprocess::Start(std::move(argv), log_path, env);
  if (!p.ok()) return p.status();
  return (*p)->Wait(timeout);
}

absl::StatusOr<std::string> ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return absl::NotFoundError(absl::StrCat("cannot read ", path));
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

absl::StatusOr<std::string> WaitForFile(const std::string& path,
                                        absl::Duration timeout) {
  const absl::Time deadline = absl::Now() + timeout;
  while (absl::Now() < deadline) {
    std::error_code ec;
    if (std::filesystem::exists(path, ec) &&
        std::filesystem::file_size(path, ec) > 0) {
      auto content = ReadFile(path);
      if (content.ok()) {
        return std::string(absl::StripTrailingAsciiWhitespace(*content));
      }
    }
    absl::SleepFor(absl::Milliseconds(20));
  }
  return absl::DeadlineExceededError(absl::StrCat("no file ", path));
}

absl::StatusOr<std::string> WaitForLogField(const std::string& log_path,
                                            const std::string& message,
                                            const std::string& field,
                                            absl::Duration timeout) {
  const absl::Time deadline = absl::Now() + timeout;
  while (absl::Now() < deadline) {
    auto content = ReadFile(log_path);
    if (content.ok()) {
      for (absl::string_view line : absl::StrSplit(*content, '\n')) {
        if (line.empty() || line.front() != '{') continue;
        auto j = nlohmann::json::parse(line.begin(), line.end(), nullptr, false);
        if (j.is_discarded() || !j.is_object()) continue;
        if (!j.contains("msg") || j["msg"] != message) continue;
        if (!j.contains(field)) continue;
        const auto& v = j[field];
        return v.is_string() ? v.get<std::string>() : v.dump();
      }
    }
    absl::SleepFor(absl::Milliseconds(20));
  }
  return absl::DeadlineExceededError(absl::StrCat(
      "no log line '", message, "' with field '", field, "' in ", log_path));
}

TempDir::TempDir() {
  std::string tmpl = (std::filesystem::temp_directory_path() / "jit-test-XXXXXX").string();
  char* made = mkdtemp(tmpl.data());
  path_ = made != nullptr ? std::string(made) : std::string();
}

TempDir::~TempDir() {
  std::error_code ec;
  if (!path_.empty()) std::filesystem::remove_all(path_, ec);
}

absl::StatusOr<std::unique_ptr<EmbeddedBroker>> EmbeddedBroker::Start(
    const std::string& binary, const std::string& work_dir, int partitions,
    int brokers) {
  const std::string bootstrap_file = work_dir + "/kafka.bootstrap";
  auto process = Subprocess::Start(
      {binary, absl::StrCat("--partitions=", partitions),
       absl::StrCat("--brokers=", brokers),
       absl::StrCat("--bootstrap_file=", bootstrap_file)},
      work_dir + "/kafka-broker.log");
  if (!process.ok()) return process.status();
  auto bootstrap = WaitForFile(bootstrap_file, absl::Seconds(20));
  if (!bootstrap.ok()) return bootstrap.status();
  return std::unique_ptr<EmbeddedBroker>(
      new EmbeddedBroker(*std::move(process), *bootstrap));
}

EmbeddedBroker::~EmbeddedBroker() {
  if (process_ && process_->running()) (void)Stop();
}

absl::Status EmbeddedBroker::Stop() {
  if (!process_->running()) return absl::OkStatus();
  if (auto s = process_->Signal(SIGTERM); !s.ok()) return s;
  auto info = process_->Wait(absl::Seconds(20));
  if (!info.ok()) return info.status();
  if (!info->exited || info->exit_code != 0) {
    return absl::InternalError("embedded broker did not exit cleanly");
  }
  return absl::OkStatus();
}

}  // namespace jit::testing
