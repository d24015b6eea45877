// jitctl auth commands: development bearer tokens for a local suite.
#include <cstdlib>
#include <string>
#include <vector>

#include "absl/strings/str_split.h"
#include "absl/time/time.h"
#include "tools/dev-pki/dev_pki_files.h"
#include "tools/jitctl/commands.h"

namespace jit::jitctl {
namespace {

int DevToken(Context& ctx, const ParsedArgs& args) {
  devpki::DevTokenRequest request;
  request.role = args.Get("role");
  for (const std::string& r : args.All("region")) {
    for (absl::string_view part : absl::StrSplit(r, ',', absl::SkipEmpty())) {
      request.regions.emplace_back(part);
    }
  }
  for (const std::string& c : args.All("centre")) request.centres.push_back(c);
  request.subject = args.Get("subject", "dev-user");
  if (args.Has("ttl") && !absl::ParseDuration(args.Get("ttl"), &request.lifetime)) {
    return ctx.Usage("--ttl is not a duration (e.g. 8h, 30m)");
  }
  if (request.lifetime <= absl::ZeroDuration() || request.lifetime > absl::Hours(24 * 7)) {
    return ctx.Usage("--ttl must be positive and at most 168h");
  }
  const char* env = std::getenv("JITCTL_PKI_DIR");
  const std::string dir =
      args.Get("pki-dir", env != nullptr && *env != '\0' ? std::string(env) : ".data/pki");
  auto token = devpki::MintDevToken(dir, request);
  if (!token.ok()) {
    if (absl::IsInvalidArgument(token.status())) return ctx.Usage(token.status().message());
    return ctx.Fail(token.status());
  }
  ctx.out() << *token << "\n";
  return kExitOk;
}

}  // namespace

void AddAuthCommands(std::vector<Command>& out) {
  out.push_back(
      {"auth dev-token", "", 0, 0, false,
       "print a development bearer token (signed with the data folder's dev key)",
       {{"role", "ROLE", FlagKind::kRequired,
         "programme-admin, regional-coordinator, centre-staff, placement-officer, analyst or "
         "data-protection-officer"},
        {"region", "MA-NN", FlagKind::kRepeated, "region in scope (repeat, or comma-separated)"},
        {"centre", "CENTRE_ID", FlagKind::kRepeated, "centre in scope (repeat)"},
        {"subject", "NAME", FlagKind::kValue, "the token's subject (default dev-user)"},
        {"ttl", "DURATION", FlagKind::kValue, "lifetime (default 8h, at most 168h)"},
        {"pki-dir", "DIR", FlagKind::kValue,
         "the dev PKI folder (default $JITCTL_PKI_DIR, else .data/pki: scripts/run.sh's)"}},
       "Only for a development suite: refuses when the folder has no token-signing.key.\n"
       "Example:\n  export JITCTL_TOKEN=$(jitctl auth dev-token --role regional-coordinator "
       "--region MA-05)\n",
       &DevToken});
}

}  // namespace jit::jitctl
