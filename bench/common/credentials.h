// Credentials of the benchmark clients: the suite is TLS-only and needs a
// bearer token, so the benchmarks measure what clients really pay. bench/run.sh
// makes a PKI (jit-dev-pki) and exports JIT_BENCH_CA_FILE and
// JIT_BENCH_TOKEN_FILE (a programme administrator's token).
#ifndef JIT_BENCH_COMMON_CREDENTIALS_H_
#define JIT_BENCH_COMMON_CREDENTIALS_H_

#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>

#include "grpcpp/security/credentials.h"
#include "libs/grpcclient/credentials.h"

namespace jit::bench {

// Exits with a message when the environment does not name usable files.
inline std::shared_ptr<grpc::ChannelCredentials> BenchCredentials() {
  const char* ca = std::getenv("JIT_BENCH_CA_FILE");
  const char* token_file = std::getenv("JIT_BENCH_TOKEN_FILE");
  if (ca == nullptr || token_file == nullptr) {
    std::fprintf(stderr, "set JIT_BENCH_CA_FILE and JIT_BENCH_TOKEN_FILE (bench/run.sh does)\n");
    std::exit(2);
  }
  auto token = grpcclient::ReadTokenFile(token_file);
  if (!token.ok()) {
    std::fprintf(stderr, "%s\n", std::string(token.status().message()).c_str());
    std::exit(2);
  }
  auto credentials = grpcclient::PersonCredentials(ca, *token);
  if (!credentials.ok()) {
    std::fprintf(stderr, "%s\n", std::string(credentials.status().message()).c_str());
    std::exit(2);
  }
  return *credentials;
}

}  // namespace jit::bench

#endif  // JIT_BENCH_COMMON_CREDENTIALS_H_
