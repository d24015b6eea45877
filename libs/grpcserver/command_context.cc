#include "libs/grpcserver/command_context.h"

#include <openssl/evp.h>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "google/protobuf/descriptor.h"
#include "google/protobuf/io/coded_stream.h"
#include "google/protobuf/io/zero_copy_stream_impl_lite.h"
#include "libs/access/interceptor.h"
#include "libs/grpcclient/call.h"
#include "libs/grpcserver/unary.h"

namespace jit::grpcserver {

std::string RequestFingerprint(const google::protobuf::Message& request) {
  std::string bytes;
  {
    google::protobuf::io::StringOutputStream output(&bytes);
    google::protobuf::io::CodedOutputStream coded(&output);
    coded.SetSerializationDeterministic(true);
    request.SerializeToCodedStream(&coded);
  }
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int size = 0;
  EVP_Digest(bytes.data(), bytes.size(), digest, &size, EVP_sha256(), nullptr);
  return absl::StrCat("sha256:",
                      absl::BytesToHexString(absl::string_view(
                          reinterpret_cast<const char*>(digest), size)));
}

command::RequestContext CommandContextOf(
    const grpc::ServerContextBase& context,
    const google::protobuf::Message& request) {
  command::RequestContext ctx;
  const google::protobuf::FieldDescriptor* field =
      request.GetDescriptor()->FindFieldByName("request_id");
  if (field != nullptr && !field->is_repeated() &&
      field->cpp_type() == google::protobuf::FieldDescriptor::CPPTYPE_STRING) {
    ctx.request_id = request.GetReflection()->GetString(request, field);
  }
  ctx.traceparent = TraceparentOf(context);
  ctx.scope = access::ScopeOfCall(context);
  ctx.actor_id = access::ActorIdOfCall(context);
  ctx.fingerprint = RequestFingerprint(request);
  ctx.deadline = grpcclient::DeadlineOf(context);
  return ctx;
}

command::PeerContext PeerContextOf(const grpc::ServerContextBase& context) {
  return {.traceparent = TraceparentOf(context),
          .deadline = grpcclient::DeadlineOf(context)};
}

}  // namespace jit::grpcserver
