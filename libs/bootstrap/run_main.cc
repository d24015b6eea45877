#include "libs/bootstrap/run_main.h"

#include <cstdio>
#include <string>

#include "libs/grpcserver/signals.h"
#include "libs/log/log.h"
#include "libs/service/security.h"

namespace jit::bootstrap {

int RunServiceMain(int argc, char** argv, const MainOptions& options) {
  grpcserver::BlockShutdownSignals();
  const ServiceIdentity& id = options.identity;
  SetCommonFlagDefaults(id);
  config::ParseFlags(argc, argv,
                     {.name = id.binary,
                      .usage = id.usage,
                      .version = options.version,
                      .env_prefix = id.env_prefix});
  const CommonConfig common = CommonConfigFromFlags();
  config::Validator v;
  common.Validate(v);
  if (options.validate) options.validate(v);
  service::ValidateSecurityFlags(v);
  config::ExitIfInvalid(v);
  if (absl::Status s = log::Init(
          {.component = id.name, .level = common.log_level, .sink = nullptr});
      !s.ok()) {
    std::fprintf(stderr, "config error: --log_level: %s\n",
                 std::string(s.message()).c_str());
    return config::kConfigErrorExitCode;
  }
  log::Info("starting {} {}: {}", id.binary, options.version,
            config::Describe());
  const absl::Status s = options.run(common);
  if (!s.ok()) {
    log::Error("fatal: {}", s.ToString());
    return 1;
  }
  return 0;
}

}  // namespace jit::bootstrap
