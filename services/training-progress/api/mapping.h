// Mapping between the training-progress API's protobuf messages and the
// domain's values. Pure functions, no I/O; unit-tested in mapping_test.cc.
#ifndef JIT_SERVICES_TRAINING_PROGRESS_API_MAPPING_H_
#define JIT_SERVICES_TRAINING_PROGRESS_API_MAPPING_H_

#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "google/protobuf/timestamp.pb.h"
#include "jobintech/common/v1/common.pb.h"
#include "jobintech/progress/v1/training_progress_service.pb.h"
#include "libs/protoconv/common.h"
#include "libs/protoconv/page_token.h"
#include "libs/status/field_violations.h"
#include "services/training-progress/domain/model.h"

namespace jit::progress::api {

namespace pb = ::jobintech::progress::v1;
namespace common = ::jobintech::common::v1;
namespace ev = ::jobintech::events::v1;

// Dates, timestamps and page tokens: one implementation for every service
// (libs/protoconv). An unset Date (all zero) is nullopt; an impossible one
// (2025-02-30) is a violation on `field`.
using protoconv::EncodePageToken;
using protoconv::FromProtoDate;
using protoconv::ToProtoDate;
using protoconv::ToProtoTime;

// The domain enums share the contract's numbering; an out-of-range mark
// reaches the domain as is and is refused there.
ev::TrainingState ToProto(TrainingStatus s);
ev::ExitKind ToProto(ExitKind k);
AttendanceMark FromProto(ev::AttendanceMark m);

// Page tokens are opaque to clients: web-safe base64 of "v1:" + the last key.
// INVALID_ARGUMENT on `page.page_size` / `page.page_token` when invalid.
absl::StatusOr<PageQuery> FromProto(const common::PageRequest& page);

Module FromProto(const pb::Module& in);
void ToProto(const Module& in, pb::Module* out);
void ToProto(const Curriculum& in, pb::Curriculum* out);
void ToProto(const Certificate& in, pb::Certificate* out);
void ToProto(const Dimensions& in, common::TraineeDimensions* out);
void ToProto(const TraineeProgress& in, pb::TraineeProgress* out);
void ToProto(const TraineeExit& in, pb::GetTraineeExitResponse* out);

}  // namespace jit::progress::api

#endif  // JIT_SERVICES_TRAINING_PROGRESS_API_MAPPING_H_
