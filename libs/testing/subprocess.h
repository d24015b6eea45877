// Test support for integration tests that run real binaries on loopback:
// a child process handle and the embedded Kafka broker as a separate process.
// Not for production code.
#ifndef JIT_LIBS_TESTING_SUBPROCESS_H_
#define JIT_LIBS_TESTING_SUBPROCESS_H_

#include <sys/types.h>

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"

namespace jit::testing {

// How a child process ended.
struct ExitInfo {
  bool exited = false;    // returned from main / called exit
  int exit_code = -1;     // when exited
  bool signaled = false;  // killed by a signal
  int signal = 0;         // when signaled
};

// A child process. Its stdout and stderr go to `log_path` (appended). The
// destructor kills (SIGKILL) and reaps a child still running, so a failing
// test leaves nothing behind.
class Subprocess {
 public:
  // `argv[0]` is the binary path. `env` is added to this process's
  // environment (overriding names already there).
  static absl::StatusOr<std::unique_ptr<Subprocess>> Start(
      std::vector<std::string> argv, const std::string& log_path,
      const std::map<std::string, std::string>& env = {});

  Subprocess(const Subprocess&) = delete;
  Subprocess& operator=(const Subprocess&) = delete;
  ~Subprocess();

  pid_t pid() const { return pid_; }
  bool running();
  absl::Status Signal(int sig);
  // Waits for the child to end; DEADLINE_EXCEEDED if it is still running
  // after `timeout` (it is left running).
  absl::StatusOr<ExitInfo> Wait(absl::Duration timeout);

 private:
  explicit Subprocess(pid_t pid) : pid_(pid) {}
  pid_t pid_;
  bool reaped_ = false;
  ExitInfo exit_{};
};

// Runs a command to completion (stdout+stderr to `log_path`).
absl::StatusOr<ExitInfo> RunToCompletion(
    std::vector<std::string> argv, const std::string& log_path,
    absl::Duration timeout,
    const std::map<std::string, std::string>& env = {});

// Waits until `path` exists and is not empty; returns its content without
// the trailing newline.
absl::StatusOr<std::string> WaitForFile(const std::string& path,
                                        absl::Duration timeout);

// Waits until a JSON log line (jit::log format) whose "msg" is `message`
// appears in `log_path`, and returns that line's `field` as a string (numbers
// are formatted in decimal). Used to read back the ports a binary bound.
absl::StatusOr<std::string> WaitForLogField(const std::string& log_path,
                                            const std::string& message,
                                            const std::string& field,
                                            absl::Duration timeout);

// Reads a whole file.
absl::StatusOr<std::string> ReadFile(const std::string& path);

// A fresh temporary directory, removed with its content on destruction.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  const std::string& path() const { return path_; }
  std::string File(const std::string& name) const { return path_ + "/" + name; }

 private:
  std::string path_;
};

// The embedded broker (tools/kafka-broker) in its own process.
class EmbeddedBroker {
 public:
  static absl::StatusOr<std::unique_ptr<EmbeddedBroker>> Start(
      const std::string& binary, const std::string& work_dir,
      int partitions = 8, int brokers = 1);
  ~EmbeddedBroker();
  const std::string& bootstrap_servers() const { return bootstrap_; }
  // SIGTERM and wait; OK when the broker exits 0.
  absl::Status Stop();

 private:
  EmbeddedBroker(std::unique_ptr<Subprocess> process, std::string bootstrap)
      : process_(std::move(process)), bootstrap_(std::move(bootstrap)) {}
  std::unique_ptr<Subprocess> process_;
  std::string bootstrap_;
};

}  // namespace jit::testing

#endif  // JIT_LIBS_TESTING_SUBPROCESS_H_
