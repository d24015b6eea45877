#include "libs/grpcclient/credentials.h"

#include <fstream>
#include <sstream>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "libs/tls/tls.h"

namespace jit::grpcclient {

absl::StatusOr<std::shared_ptr<grpc::ChannelCredentials>> PersonCredentials(
    const std::string& ca_file, const std::string& bearer_token) {
  auto tls = tls::MakeChannelCredentials({.ca_file = ca_file});
  if (!tls.ok()) return tls.status();
  if (bearer_token.empty()) return *std::move(tls);
  return grpc::CompositeChannelCredentials(*tls, grpc::AccessTokenCredentials(bearer_token));
}

absl::StatusOr<std::string> ReadTokenFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return absl::InvalidArgumentError(absl::StrCat("cannot read token file ", path));
  std::ostringstream text;
  text << in.rdbuf();
  std::string token(absl::StripAsciiWhitespace(text.str()));
  if (token.empty()) return absl::InvalidArgumentError(absl::StrCat("token file ", path, " is empty"));
  return token;
}

}  // namespace jit::grpcclient
