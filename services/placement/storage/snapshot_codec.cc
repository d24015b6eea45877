#include "services/placement/storage/snapshot_codec.h"

#include <cstdint>
#include <optional>
#include <string>

#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "libs/status/status_macros.h"
#include "libs/storage/snapshot_codec.h"
#include "nlohmann/json.hpp"
#include "services/placement/storage/rows.h"

namespace jit::placement {
namespace {

using ::nlohmann::json;
using storage::DayAt;
using storage::DayText;
using storage::EnumAt;
using storage::StringAt;
using storage::TimeAt;
using storage::ToMicros;

json ToJson(const Employer& e) {
  return {{"employer_id", e.employer_id},
          {"name", e.name},
          {"ice", e.ice},
          {"sector", e.sector},
          {"province_code", e.province_code},
          {"region_code", e.region_code},
          {"partner", e.partner},
          {"event_sequence", e.event_sequence},
          {"create_time", ToMicros(e.create_time)},
          {"update_time", ToMicros(e.update_time)}};
}
json ToJson(const JobOffer& o) {
  return {{"job_offer_id", o.job_offer_id},
          {"employer_id", o.employer_id},
          {"title", o.title},
          {"track_id", o.track_id},
          {"province_code", o.province_code},
          {"region_code", o.region_code},
          {"contract_type", static_cast<int>(o.contract_type)},
          {"salary_band", static_cast<int>(o.salary_band)},
          {"openings", o.openings},
          {"open", o.open},
          {"event_sequence", o.event_sequence},
          {"create_time", ToMicros(o.create_time)},
          {"update_time", ToMicros(o.update_time)},
          {"close_time", storage::OptionalTimeJson(o.close_time)}};
}
json ToJson(const Trainee& t) {
  return {{"trainee_id", t.trainee_id},
          {"state", StateName(t.state)},
          {"exit_kind", static_cast<int>(t.exit.kind)},
          {"exit_date", DayText(t.exit.date)},
          {"exit_cohort_id", t.exit.cohort_id},
          {"dimensions", storage::DimensionsToJson(t.dimensions)},
          {"current_placement_id", t.current_placement_id},
          {"first_placement_date",
           storage::OptionalDayJson(t.first_placement_date)},
          {"event_sequence", t.event_sequence},
          {"create_time", ToMicros(t.create_time)},
          {"update_time", ToMicros(t.update_time)}};
}
json ToJson(const Offer& o) {
  return {{"offer_id", o.offer_id},
          {"trainee_id", o.trainee_id},
          {"job_offer_id", o.job_offer_id},
          {"employer_id", o.employer_id},
          {"offered_on", DayText(o.offered_on)},
          {"create_time", ToMicros(o.create_time)}};
}
json ToJson(const Placement& p) {
  return {{"placement_id", p.placement_id},
          {"trainee_id", p.trainee_id},
          {"type", static_cast<int>(p.type)},
          {"employer_id", p.employer_id},
          {"job_offer_id", p.job_offer_id},
          {"start_date", DayText(p.start_date)},
          {"salary_band", static_cast<int>(p.salary_band)},
          {"verification", static_cast<int>(p.verification)},
          {"verify_time", storage::OptionalTimeJson(p.verify_time)},
          {"end_date", storage::OptionalDayJson(p.end_date)},
          {"end_reason", p.end_reason},
          {"end_reason_code", static_cast<int>(p.end_reason_code)},
          {"create_time", ToMicros(p.create_time)},
          {"update_time", ToMicros(p.update_time)}};
}
json ToJson(const FollowUp& f) {
  return {{"trainee_id", f.trainee_id},
          {"months", f.months},
          {"due_date", DayText(f.due_date)},
          {"outcome", static_cast<int>(f.outcome)},
          {"placement_id", f.placement_id},
          {"employer_id", f.employer_id},
          {"recorded_on", storage::OptionalDayJson(f.recorded_on)},
          {"record_time", storage::OptionalTimeJson(f.record_time)}};
}
json ToJson(const TraineeResult& r) {
  json j = {{"trainee", ToJson(r.trainee)}};
  j["offer"] = r.offer.has_value() ? ToJson(*r.offer) : json(nullptr);
  j["placement"] =
      r.placement.has_value() ? ToJson(*r.placement) : json(nullptr);
  j["follow_up"] =
      r.follow_up.has_value() ? ToJson(*r.follow_up) : json(nullptr);
  return j;
}

Employer EmployerFromJson(const json& j) {
  Employer e;
  e.employer_id = StringAt(j, "employer_id");
  e.name = StringAt(j, "name");
  e.ice = StringAt(j, "ice");
  e.sector = StringAt(j, "sector");
  e.province_code = StringAt(j, "province_code");
  e.region_code = StringAt(j, "region_code");
  e.partner = j.at("partner").get<bool>();
  e.event_sequence = j.at("event_sequence").get<int64_t>();
  e.create_time = TimeAt(j, "create_time");
  e.update_time = TimeAt(j, "update_time");
  return e;
}

JobOffer JobOfferFromJson(const json& j) {
  JobOffer o;
  o.job_offer_id = StringAt(j, "job_offer_id");
  o.employer_id = StringAt(j, "employer_id");
  o.title = StringAt(j, "title");
  o.track_id = StringAt(j, "track_id");
  o.province_code = StringAt(j, "province_code");
  o.region_code = StringAt(j, "region_code");
  o.contract_type = EnumAt<PlacementType>(j, "contract_type");
  o.salary_band = EnumAt<SalaryBand>(j, "salary_band");
  o.openings = j.at("openings").get<int32_t>();
  o.open = j.at("open").get<bool>();
  o.event_sequence = j.at("event_sequence").get<int64_t>();
  o.create_time = TimeAt(j, "create_time");
  o.update_time = TimeAt(j, "update_time");
  o.close_time = storage::OptionalTimeAt(j, "close_time");
  return o;
}

absl::StatusOr<Trainee> TraineeFromJson(const json& j) {
  Trainee t;
  t.trainee_id = StringAt(j, "trainee_id");
  ASSIGN_OR_RETURN(t.state, rows::ParseState(StringAt(j, "state")));
  t.exit.kind = EnumAt<ExitKind>(j, "exit_kind");
  ASSIGN_OR_RETURN(t.exit.date, DayAt(j, "exit_date"));
  t.exit.cohort_id = StringAt(j, "exit_cohort_id");
  t.dimensions = storage::DimensionsFromJson<Dimensions>(j.at("dimensions"));
  t.current_placement_id = StringAt(j, "current_placement_id");
  ASSIGN_OR_RETURN(t.first_placement_date,
                   storage::OptionalDayAt(j, "first_placement_date"));
  t.event_sequence = j.at("event_sequence").get<int64_t>();
  t.create_time = TimeAt(j, "create_time");
  t.update_time = TimeAt(j, "update_time");
  return t;
}

absl::StatusOr<Offer> OfferFromJson(const json& j) {
  Offer o;
  o.offer_id = StringAt(j, "offer_id");
  o.trainee_id = StringAt(j, "trainee_id");
  o.job_offer_id = StringAt(j, "job_offer_id");
  o.employer_id = StringAt(j, "employer_id");
  ASSIGN_OR_RETURN(o.offered_on, DayAt(j, "offered_on"));
  o.create_time = TimeAt(j, "create_time");
  return o;
}

absl::StatusOr<Placement> PlacementFromJson(const json& j) {
  Placement p;
  p.placement_id = StringAt(j, "placement_id");
  p.trainee_id = StringAt(j, "trainee_id");
  p.type = EnumAt<PlacementType>(j, "type");
  p.employer_id = StringAt(j, "employer_id");
  p.job_offer_id = StringAt(j, "job_offer_id");
  ASSIGN_OR_RETURN(p.start_date, DayAt(j, "start_date"));
  p.salary_band = EnumAt<SalaryBand>(j, "salary_band");
  p.verification = EnumAt<VerificationSource>(j, "verification");
  p.verify_time = storage::OptionalTimeAt(j, "verify_time");
  ASSIGN_OR_RETURN(p.end_date, storage::OptionalDayAt(j, "end_date"));
  p.end_reason = StringAt(j, "end_reason");
  // Answers stored before schema v4 have no code: OTHER once ended, as the
  // v4 migration does for the rows.
  p.end_reason_code = static_cast<PlacementEndReason>(
      j.contains("end_reason_code") ? j.at("end_reason_code").get<int>()
                                    : (p.end_date.has_value() ? 1 : 0));
  p.create_time = TimeAt(j, "create_time");
  p.update_time = TimeAt(j, "update_time");
  return p;
}

absl::StatusOr<FollowUp> FollowUpFromJson(const json& j) {
  FollowUp f;
  f.trainee_id = StringAt(j, "trainee_id");
  f.months = j.at("months").get<int32_t>();
  ASSIGN_OR_RETURN(f.due_date, DayAt(j, "due_date"));
  f.outcome = EnumAt<FollowUpOutcome>(j, "outcome");
  f.placement_id = StringAt(j, "placement_id");
  f.employer_id = StringAt(j, "employer_id");
  ASSIGN_OR_RETURN(f.recorded_on, storage::OptionalDayAt(j, "recorded_on"));
  f.record_time = storage::OptionalTimeAt(j, "record_time");
  return f;
}

absl::StatusOr<TraineeResult> TraineeResultFromJson(const json& j) {
  TraineeResult r;
  ASSIGN_OR_RETURN(r.trainee, TraineeFromJson(j.at("trainee")));
  if (!j.at("offer").is_null()) {
    ASSIGN_OR_RETURN(r.offer, OfferFromJson(j.at("offer")));
  }
  if (!j.at("placement").is_null()) {
    ASSIGN_OR_RETURN(r.placement, PlacementFromJson(j.at("placement")));
  }
  if (!j.at("follow_up").is_null()) {
    ASSIGN_OR_RETURN(r.follow_up, FollowUpFromJson(j.at("follow_up")));
  }
  return r;
}

const storage::SnapshotCodec<ResponseSnapshot>& Codec() {
  // In the variant's order.
  static const auto* const kCodec =
      new storage::SnapshotCodec<ResponseSnapshot>({{
          {"Employer",
           storage::DecodeAs<ResponseSnapshot, Employer, EmployerFromJson>},
          {"JobOffer",
           storage::DecodeAs<ResponseSnapshot, JobOffer, JobOfferFromJson>},
          {"TraineeResult", storage::DecodeAs<ResponseSnapshot, TraineeResult,
                                              TraineeResultFromJson>},
      }});
  return *kCodec;
}

}  // namespace

std::string SnapshotToJson(const ResponseSnapshot& snapshot) {
  return Codec().Encode(snapshot, [](const auto& v) { return ToJson(v); });
}

absl::StatusOr<ResponseSnapshot> SnapshotFromJson(const std::string& text) {
  return Codec().Decode(text);
}

}  // namespace jit::placement
