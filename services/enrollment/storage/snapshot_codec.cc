#include "services/enrollment/storage/snapshot_codec.h"

#include <cstdint>
#include <string>

#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "libs/status/status_macros.h"
#include "libs/storage/snapshot_codec.h"
#include "nlohmann/json.hpp"
#include "services/enrollment/storage/rows.h"

namespace jit::enrollment {
namespace {

using ::nlohmann::json;
using storage::DayText;
using storage::StringAt;
using storage::TimeAt;
using storage::ToMicros;

json ToJson(const Programme& p) {
  return {{"name", p.name},
          {"national_target", p.national_target},
          {"update_time", ToMicros(p.update_time)}};
}
json ToJson(const Track& t) {
  return {{"track_id", t.track_id},
          {"name_fr", t.name_fr},
          {"name_ar", t.name_ar},
          {"create_time", ToMicros(t.create_time)}};
}
json ToJson(const Centre& c) {
  return {{"centre_id", c.centre_id},
          {"name", c.name},
          {"operator_name", c.operator_name},
          {"province_code", c.province_code},
          {"region_code", c.region_code},
          {"create_time", ToMicros(c.create_time)}};
}
json ToJson(const Cohort& c) {
  return {{"cohort_id", c.cohort_id},
          {"name", c.name},
          {"track_id", c.track_id},
          {"centre_id", c.centre_id},
          {"province_code", c.province_code},
          {"region_code", c.region_code},
          {"capacity", c.capacity},
          {"start_date", DayText(c.start_date)},
          {"end_date", DayText(c.end_date)},
          {"status", std::string(StatusName(c.status))},
          {"event_sequence", c.event_sequence},
          {"create_time", ToMicros(c.create_time)},
          {"update_time", ToMicros(c.update_time)}};
}
json ToJson(const Application& a) {
  return {{"application_id", a.application_id},
          {"trainee_id", a.trainee_id},
          {"cohort_id", a.cohort_id},
          {"status", std::string(StatusName(a.status))},
          {"dimensions", storage::DimensionsToJson(a.dimensions)},
          {"reason", a.reason},
          {"reason_code", a.reason_code},
          {"waitlist_rank", a.waitlist_rank},
          {"submit_time", ToMicros(a.submit_time)},
          {"update_time", ToMicros(a.update_time)}};
}
json ToJson(const EraseResult& e) {
  return {{"trainee_id", e.trainee_id}, {"erase_time", ToMicros(e.erase_time)}};
}
json ToJson(const ContactUpdate& c) {
  return {{"trainee_id", c.trainee_id}, {"update_time", ToMicros(c.update_time)}};
}

absl::StatusOr<Programme> ProgrammeFromJson(const json& j) {
  Programme p;
  p.name = StringAt(j, "name");
  p.national_target = j.at("national_target").get<int32_t>();
  p.update_time = TimeAt(j, "update_time");
  return p;
}

absl::StatusOr<Track> TrackFromJson(const json& j) {
  Track t;
  t.track_id = StringAt(j, "track_id");
  t.name_fr = StringAt(j, "name_fr");
  t.name_ar = StringAt(j, "name_ar");
  t.create_time = TimeAt(j, "create_time");
  return t;
}

absl::StatusOr<Centre> CentreFromJson(const json& j) {
  Centre c;
  c.centre_id = StringAt(j, "centre_id");
  c.name = StringAt(j, "name");
  c.operator_name = StringAt(j, "operator_name");
  c.province_code = StringAt(j, "province_code");
  c.region_code = StringAt(j, "region_code");
  c.create_time = TimeAt(j, "create_time");
  return c;
}

absl::StatusOr<Cohort> CohortFromJson(const json& j) {
  Cohort c;
  c.cohort_id = StringAt(j, "cohort_id");
  c.name = StringAt(j, "name");
  c.track_id = StringAt(j, "track_id");
  c.centre_id = StringAt(j, "centre_id");
  c.province_code = StringAt(j, "province_code");
  c.region_code = StringAt(j, "region_code");
  c.capacity = j.at("capacity").get<int32_t>();
  ASSIGN_OR_RETURN(c.start_date, storage::DayAt(j, "start_date"));
  ASSIGN_OR_RETURN(c.end_date, storage::DayAt(j, "end_date"));
  ASSIGN_OR_RETURN(c.status, rows::ParseCohortStatus(StringAt(j, "status")));
  c.event_sequence = j.at("event_sequence").get<int64_t>();
  c.create_time = TimeAt(j, "create_time");
  c.update_time = TimeAt(j, "update_time");
  return c;
}

absl::StatusOr<Application> ApplicationFromJson(const json& j) {
  Application a;
  a.application_id = StringAt(j, "application_id");
  a.trainee_id = StringAt(j, "trainee_id");
  a.cohort_id = StringAt(j, "cohort_id");
  ASSIGN_OR_RETURN(a.status,
                   rows::ParseApplicationStatus(StringAt(j, "status")));
  a.dimensions = storage::DimensionsFromJson<Dimensions>(j.at("dimensions"));
  a.reason = StringAt(j, "reason");
  // Answers stored before schema v4 have no code: OTHER for a status that
  // records one, as the v4 migration does for the rows.
  if (j.contains("reason_code")) {
    a.reason_code = j.at("reason_code").get<int32_t>();
  } else if (a.status == ApplicationStatus::kRejected ||
             a.status == ApplicationStatus::kDeclined ||
             a.status == ApplicationStatus::kWithdrawn) {
    a.reason_code = 1;
  }
  a.waitlist_rank = j.at("waitlist_rank").get<int64_t>();
  a.submit_time = TimeAt(j, "submit_time");
  a.update_time = TimeAt(j, "update_time");
  return a;
}

absl::StatusOr<EraseResult> EraseResultFromJson(const json& j) {
  EraseResult e;
  e.trainee_id = StringAt(j, "trainee_id");
  e.erase_time = TimeAt(j, "erase_time");
  return e;
}

absl::StatusOr<ContactUpdate> ContactUpdateFromJson(const json& j) {
  ContactUpdate c;
  c.trainee_id = StringAt(j, "trainee_id");
  c.update_time = TimeAt(j, "update_time");
  return c;
}

const storage::SnapshotCodec<ResponseSnapshot>& Codec() {
  // In the variant's order.
  static const auto* const kCodec = new storage::SnapshotCodec<
      ResponseSnapshot>(
      {{{"Programme",
         storage::DecodeAs<ResponseSnapshot, Programme, ProgrammeFromJson>},
        {"Track", storage::DecodeAs<ResponseSnapshot, Track, TrackFromJson>},
        {"Centre", storage::DecodeAs<ResponseSnapshot, Centre, CentreFromJson>},
        {"Cohort", storage::DecodeAs<ResponseSnapshot, Cohort, CohortFromJson>},
        {"Application",
         storage::DecodeAs<ResponseSnapshot, Application, ApplicationFromJson>},
        {"EraseResult", storage::DecodeAs<ResponseSnapshot, EraseResult,
                                          EraseResultFromJson>},
        {"ContactUpdate", storage::DecodeAs<ResponseSnapshot, ContactUpdate,
                                            ContactUpdateFromJson>}}});
  return *kCodec;
}

}  // namespace

std::string SnapshotToJson(const ResponseSnapshot& snapshot) {
  return Codec().Encode(snapshot, [](const auto& v) { return ToJson(v); });
}

absl::StatusOr<ResponseSnapshot> SnapshotFromJson(const std::string& text) {
  return Codec().Decode(text);
}

}  // namespace jit::enrollment
