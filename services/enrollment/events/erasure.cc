#include "services/enrollment/events/erasure.h"

#include <string>

#include "absl/status/status.h"
#include "google/protobuf/descriptor.h"
#include "google/protobuf/message.h"
#include "jobintech/events/v1/lifecycle_event.pb.h"

namespace jit::enrollment {

absl::StatusOr<std::optional<std::string>> StripEventNotes(
    absl::string_view payload) {
  ::jobintech::events::v1::LifecycleEvent event;
  if (!event.ParseFromArray(payload.data(), static_cast<int>(payload.size()))) {
    return absl::DataLossError("an outbox payload is not a LifecycleEvent");
  }
  const google::protobuf::Reflection* reflection = event.GetReflection();
  const google::protobuf::OneofDescriptor* body =
      event.GetDescriptor()->FindOneofByName("body");
  if (body == nullptr) return std::optional<std::string>();
  const google::protobuf::FieldDescriptor* set =
      reflection->GetOneofFieldDescriptor(event, body);
  if (set == nullptr ||
      set->type() != google::protobuf::FieldDescriptor::TYPE_MESSAGE) {
    return std::optional<std::string>();
  }
  // By reflection: the field is named, not compiled in, so that its
  // deprecation does not break this code.
  google::protobuf::Message* message = reflection->MutableMessage(&event, set);
  const google::protobuf::FieldDescriptor* reason =
      message->GetDescriptor()->FindFieldByName("reason");
  if (reason == nullptr ||
      reason->type() != google::protobuf::FieldDescriptor::TYPE_STRING ||
      reason->is_repeated() ||
      message->GetReflection()->GetString(*message, reason).empty()) {
    return std::optional<std::string>();
  }
  message->GetReflection()->ClearField(message, reason);
  std::string out;
  if (!event.SerializeToString(&out)) {
    return absl::InternalError("cannot serialize a LifecycleEvent");
  }
  return std::optional<std::string>(std::move(out));
}

}  // namespace jit::enrollment
