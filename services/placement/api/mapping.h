// Mapping between the placement API's protobuf messages and the domain's
// values. Pure functions, no I/O; unit-tested in mapping_test.cc.
#ifndef JIT_SERVICES_PLACEMENT_API_MAPPING_H_
#define JIT_SERVICES_PLACEMENT_API_MAPPING_H_

#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "google/protobuf/timestamp.pb.h"
#include "jobintech/common/v1/common.pb.h"
#include "jobintech/placement/v1/placement_service.pb.h"
#include "libs/protoconv/common.h"
#include "libs/protoconv/page_token.h"
#include "libs/status/field_violations.h"
#include "services/placement/domain/model.h"

namespace jit::placement::api {

namespace pb = ::jobintech::placement::v1;
namespace common = ::jobintech::common::v1;

// Dates, timestamps and page tokens: one implementation for every service
// (libs/protoconv). An unset Date (all zero) is nullopt; an impossible one
// (2025-02-30) is a violation on `field`.
using protoconv::EncodePageToken;
using protoconv::FromProtoDate;
using protoconv::ToProtoDate;
using protoconv::ToProtoTime;

// Page tokens are opaque to clients: web-safe base64 of "v1:" + the last key.
// INVALID_ARGUMENT on `page.page_token` when it is not one of ours, on
// `page.page_size` when negative.
absl::StatusOr<PageQuery> FromProto(const common::PageRequest& page);

void ToProto(const Dimensions& in, common::TraineeDimensions* out);
void ToProto(const Employer& in, pb::Employer* out);
void ToProto(const JobOffer& in, pb::JobOffer* out);
void ToProto(const Trainee& in, pb::TraineePlacement* out);
void ToProto(const Offer& in, pb::Offer* out);
void ToProto(const Placement& in, pb::Placement* out);
void ToProto(const FollowUp& in, pb::FollowUp* out);

}  // namespace jit::placement::api

#endif  // JIT_SERVICES_PLACEMENT_API_MAPPING_H_
