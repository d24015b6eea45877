// jit-dev-pki: makes (or keeps) the development PKI of a data folder: a CA,
// a certificate per service with its SPIFFE id, and a key pair for
// development bearer tokens. scripts/run.sh calls it on every start; it only
// writes what is missing, expiring, or asked for with --renew.
#include <cstdio>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/flags/usage.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/time/clock.h"
#include "libs/auth/token.h"
#include "tools/dev-pki/dev_pki_files.h"

ABSL_FLAG(std::string, dir, "", "folder of the PKI files (created 0700)");
ABSL_FLAG(std::string, services, "enrollment,training-progress,placement,aggregator",
          "comma-separated service names: one certificate each");
ABSL_FLAG(std::string, ns, "dev", "namespace of the SPIFFE ids (spiffe://jobintech/ns/<ns>/sa/<service>)");
ABSL_FLAG(bool, renew, false, "issue new service certificates even when valid (rotation)");
ABSL_FLAG(std::string, print_token, "",
          "print a development bearer token for this role (e.g. analyst) signed with "
          "<dir>/token-signing.key, and nothing else");
ABSL_FLAG(std::string, token_regions, "", "comma-separated region codes of --print_token");
ABSL_FLAG(std::string, token_subject, "dev-user", "subject (sub) of --print_token");
ABSL_FLAG(absl::Duration, token_lifetime, absl::Hours(8), "lifetime of --print_token");

int main(int argc, char** argv) {
  absl::SetProgramUsageMessage(
      "Makes the development PKI of a data folder (CA, service certificates, token key).\n"
      "Usage: jit-dev-pki --dir DIR [--services a,b] [--ns dev] [--renew]");
  absl::ParseCommandLine(argc, argv);
  jit::devpki::Options options;
  options.dir = absl::GetFlag(FLAGS_dir);
  options.services = absl::StrSplit(absl::GetFlag(FLAGS_services), ',', absl::SkipEmpty());
  options.ns = absl::GetFlag(FLAGS_ns);
  options.renew = absl::GetFlag(FLAGS_renew);
  if (!absl::GetFlag(FLAGS_print_token).empty()) {
    auto token = jit::devpki::MintDevToken(
        options.dir,
        {.role = absl::GetFlag(FLAGS_print_token),
         .regions = absl::StrSplit(absl::GetFlag(FLAGS_token_regions), ',', absl::SkipEmpty()),
         .subject = absl::GetFlag(FLAGS_token_subject),
         .lifetime = absl::GetFlag(FLAGS_token_lifetime)});
    if (!token.ok()) {
      std::fprintf(stderr, "jit-dev-pki: %s\n", std::string(token.status().message()).c_str());
      return token.status().code() == absl::StatusCode::kInvalidArgument ? 2 : 1;
    }
    std::printf("%s\n", token->c_str());
    return 0;
  }
  auto report = jit::devpki::Ensure(options);
  if (!report.ok()) {
    std::fprintf(stderr, "jit-dev-pki: %s\n", std::string(report.status().message()).c_str());
    return report.status().code() == absl::StatusCode::kInvalidArgument ? 2 : 1;
  }
  std::printf("dev PKI in %s: CA %s; certificates issued: %s; token key %s\n",
              options.dir.c_str(), report->ca_created ? "created" : "kept",
              report->issued.empty() ? "none" : absl::StrJoin(report->issued, ",").c_str(),
              report->token_key_created ? "created" : "kept");
  return 0;
}
