// Field-level validation errors carried inside absl::Status.
//
// An INVALID_ARGUMENT status may carry a list of (field, description)
// violations as a payload holding a serialized google.rpc.BadRequest, the
// same representation gRPC's rich error model uses. The gRPC adapter
// (grpc_status.h) turns it into `grpc-status-details-bin` details.
//
// Domain code builds such statuses with FieldViolations:
//
//   FieldViolations v;
//   if (req.name().empty()) v.Add("name", "must not be empty");
//   if (!geo.IsProvince(req.province_code()))
//     v.Add("province_code", "unknown province 'MA-XXX'");
//   RETURN_IF_ERROR(v.ToStatus());
#ifndef JIT_LIBS_STATUS_FIELD_VIOLATIONS_H_
#define JIT_LIBS_STATUS_FIELD_VIOLATIONS_H_

#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"

namespace jit::status {

// Type URL of the payload, as in google.rpc.Status details.
inline constexpr char kBadRequestTypeUrl[] =
    "type.googleapis.com/google.rpc.BadRequest";

struct FieldViolation {
  std::string field;
  std::string description;
  friend bool operator==(const FieldViolation&,
                         const FieldViolation&) = default;
};

// Builds an INVALID_ARGUMENT status naming each field. The message lists the
// violations ("invalid request: name: must not be empty; ...").
absl::Status InvalidArgument(std::vector<FieldViolation> violations);

// Single-field shorthand.
absl::Status InvalidField(std::string field, std::string description);

// Returns the violations carried by `status` (empty if none).
std::vector<FieldViolation> GetFieldViolations(const absl::Status& status);

// Collects violations while validating a request; not thread-safe.
class FieldViolations {
 public:
  void Add(std::string field, std::string description) {
    violations_.push_back({std::move(field), std::move(description)});
  }
  bool empty() const { return violations_.empty(); }
  const std::vector<FieldViolation>& violations() const { return violations_; }
  // OK when nothing was added, otherwise InvalidArgument(violations).
  absl::Status ToStatus() const;

 private:
  std::vector<FieldViolation> violations_;
};

}  // namespace jit::status

#endif  // JIT_LIBS_STATUS_FIELD_VIOLATIONS_H_
