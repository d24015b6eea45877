// The start of every service binary's main(), written once:
//
//   int main(int argc, char** argv) {
//     return jit::bootstrap::RunServiceMain(argc, argv, {
//         .identity = kIdentity,
//         .version = JIT_VERSION,
//         .validate = [](config::Validator& v) { /* the service's flags */ },
//         .run = [](const bootstrap::CommonConfig& common) { return
//         Run(common); }});
//   }
//
// In order: shutdown signals blocked (before any thread starts, so SIGTERM
// reaches the drain), the service's flag defaults, flags parsed (command line
// > environment <env_prefix><FLAG> > default), every problem of the common
// settings, the security flags and the service's own validation reported at
// once ("config error: ..." lines, exit 2), logging set up, the effective
// settings logged (secrets redacted), then `run`. Its error is logged as
// "fatal: ..." and the exit code is 1; OK exits 0.
#ifndef JIT_LIBS_BOOTSTRAP_RUN_MAIN_H_
#define JIT_LIBS_BOOTSTRAP_RUN_MAIN_H_

#include <functional>
#include <string>

#include "absl/status/status.h"
#include "libs/bootstrap/common_config.h"
#include "libs/config/config.h"

namespace jit::bootstrap {

struct MainOptions {
  ServiceIdentity identity = {};
  std::string version = "";  // JIT_VERSION of the binary
  // Validates the service's own flags (the common ones and the security flags
  // are validated already). May be null.
  std::function<void(config::Validator&)> validate = nullptr;
  // The service: wiring, serving until a signal, draining. Required.
  std::function<absl::Status(const CommonConfig&)> run = nullptr;
};

int RunServiceMain(int argc, char** argv, const MainOptions& options);

}  // namespace jit::bootstrap

#endif  // JIT_LIBS_BOOTSTRAP_RUN_MAIN_H_
