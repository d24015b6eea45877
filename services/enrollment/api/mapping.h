// Mapping between the enrollment API's protobuf messages and the domain's
// values. Pure functions, no I/O; unit-tested in mapping_test.cc.
#ifndef JIT_SERVICES_ENROLLMENT_API_MAPPING_H_
#define JIT_SERVICES_ENROLLMENT_API_MAPPING_H_

#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "google/protobuf/timestamp.pb.h"
#include "jobintech/common/v1/common.pb.h"
#include "jobintech/enrollment/v1/enrollment_service.pb.h"
#include "libs/protoconv/common.h"
#include "libs/protoconv/page_token.h"
#include "libs/status/field_violations.h"
#include "services/enrollment/domain/model.h"

namespace jit::enrollment::api {

namespace pb = ::jobintech::enrollment::v1;
namespace common = ::jobintech::common::v1;

// Dates, timestamps and page tokens: one implementation for every service
// (libs/protoconv). An unset Date (all zero) is nullopt; an impossible one
// (2025-02-30) is a violation on `field`.
using protoconv::EncodePageToken;
using protoconv::FromProtoDate;
using protoconv::ToProtoDate;
using protoconv::ToProtoTime;

// UNSPECIFIED is nullopt; an unknown number is a violation on `field`.
std::optional<CohortStatus> FromProto(pb::CohortStatus s,
                                      absl::string_view field,
                                      status::FieldViolations& v);
std::optional<ApplicationStatus> FromProto(pb::ApplicationStatus s,
                                           absl::string_view field,
                                           status::FieldViolations& v);
pb::CohortStatus ToProto(CohortStatus s);
pb::ApplicationStatus ToProto(ApplicationStatus s);

// Page tokens are opaque to clients: web-safe base64 of "v1:" + the last key.
// INVALID_ARGUMENT on `page.page_token` when it is not one of ours.
absl::StatusOr<PageQuery> FromProto(const common::PageRequest& page);

void ToProto(const Programme& in, pb::Programme* out);
void ToProto(const Track& in, pb::Track* out);
void ToProto(const Centre& in, pb::TrainingCentre* out);
void ToProto(const CohortView& in, pb::Cohort* out);
void ToProto(const ApplicationView& in, pb::Application* out);
// The candidate and the update time (no candidate once erased).
void ToProto(const CandidateView& in, pb::UpdateCandidateContactResponse* out);
void ToProto(const Dimensions& in, common::TraineeDimensions* out);
void ToProto(const TraineeRecord& in, pb::LookupTraineeResponse* out);

}  // namespace jit::enrollment::api

#endif  // JIT_SERVICES_ENROLLMENT_API_MAPPING_H_
