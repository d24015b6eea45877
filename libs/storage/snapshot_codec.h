// The JSON framing of the idempotency snapshots the services keep in
// idempotency_requests.response: one alternative of a std::variant, written
// as {"type": "<name of the alternative>", "value": {...}} with the
// alternative's own encoding as the value (target jit::storage_json; uses
// nlohmann::json, so only the services' storage targets link it).
//
//   const storage::SnapshotCodec<ResponseSnapshot> kCodec(
//       {{{"Programme", Decode<Programme>}, {"Track", Decode<Track>}, ...}});
//   std::string text = kCodec.Encode(snapshot,
//                                    [](const auto& v) { return ToJson(v); });
//   absl::StatusOr<ResponseSnapshot> back = kCodec.Decode(text);
//
// Names are given in the variant's index order, one per alternative. A
// decoder may throw nlohmann::json exceptions (a missing key, a wrong type):
// Decode turns them into DATA_LOSS "malformed response snapshot: ...". An
// unknown type is DATA_LOSS "stored response snapshot has unknown type
// '<name>'".
//
// The field readers below (StringAt, TimeAt, DayAt, ...) are the encodings
// the services share: times as Unix microseconds, days as "YYYY-MM-DD",
// absent optionals as null.
#ifndef JIT_LIBS_STORAGE_SNAPSHOT_CODEC_H_
#define JIT_LIBS_STORAGE_SNAPSHOT_CODEC_H_

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <type_traits>
#include <utility>
#include <variant>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "libs/storage/rows.h"
#include "nlohmann/json.hpp"

namespace jit::storage {

template <typename Variant>
class SnapshotCodec {
 public:
  using Decoder = absl::StatusOr<Variant> (*)(const nlohmann::json& value);
  struct Alternative {
    const char* name;
    Decoder decode;
  };
  using Alternatives = std::array<Alternative, std::variant_size_v<Variant>>;

  explicit SnapshotCodec(const Alternatives& alternatives)
      : alternatives_(alternatives) {}

  // `encode` is called with the held alternative and returns its JSON.
  template <typename EncodeFn>
  std::string Encode(const Variant& snapshot, EncodeFn encode) const {
    nlohmann::json doc;
    doc["type"] = alternatives_[snapshot.index()].name;
    doc["value"] = std::visit(encode, snapshot);
    return doc.dump();
  }

  absl::StatusOr<Variant> Decode(const std::string& text) const {
    try {
      const nlohmann::json doc = nlohmann::json::parse(text);
      const std::string type = doc.at("type").get<std::string>();
      const nlohmann::json& value = doc.at("value");
      for (const Alternative& a : alternatives_) {
        if (type == a.name) return a.decode(value);
      }
      return absl::DataLossError(absl::StrCat(
          "stored response snapshot has unknown type '", type, "'"));
    } catch (const nlohmann::json::exception& e) {
      return absl::DataLossError(
          absl::StrCat("malformed response snapshot: ", e.what()));
    }
  }

 private:
  Alternatives alternatives_;
};

// A Decoder from a reader that returns the alternative (or a StatusOr of
// it): SnapshotCodec<V>::Alternative{"Track", DecodeAs<V, Track,
// TrackFromJson>}.
template <typename Variant, typename T, auto kRead>
absl::StatusOr<Variant> DecodeAs(const nlohmann::json& value) {
  auto v = kRead(value);
  if constexpr (std::is_same_v<decltype(v), T>) {
    return v;
  } else {
    if (!v.ok()) return v.status();
    T t = *std::move(v);
    return t;
  }
}

// ---------------------------------------------------------------------------
// Field readers (throw nlohmann::json exceptions on a missing key or a wrong
// type) and writers.

inline std::string StringAt(const nlohmann::json& j, const char* key) {
  return j.at(key).get<std::string>();
}
inline absl::Time TimeAt(const nlohmann::json& j, const char* key) {
  return FromMicros(j.at(key).get<int64_t>());
}
inline std::optional<absl::Time> OptionalTimeAt(const nlohmann::json& j,
                                                const char* key) {
  if (j.at(key).is_null()) return std::nullopt;
  return TimeAt(j, key);
}
// DATA_LOSS (see ParseDay) when the text is not a day; `key` names it.
inline absl::StatusOr<absl::CivilDay> DayAt(const nlohmann::json& j,
                                            const char* key) {
  return ParseDay(StringAt(j, key), key);
}
inline absl::StatusOr<std::optional<absl::CivilDay>> OptionalDayAt(
    const nlohmann::json& j, const char* key) {
  if (j.at(key).is_null()) return std::optional<absl::CivilDay>();
  absl::StatusOr<absl::CivilDay> day = DayAt(j, key);
  if (!day.ok()) return day.status();
  return std::optional<absl::CivilDay>(*day);
}
// An enum stored as its integer value.
template <typename E>
E EnumAt(const nlohmann::json& j, const char* key) {
  return static_cast<E>(j.at(key).get<int>());
}

inline nlohmann::json OptionalDayJson(const std::optional<absl::CivilDay>& d) {
  return d.has_value() ? nlohmann::json(DayText(*d)) : nlohmann::json(nullptr);
}
inline nlohmann::json OptionalTimeJson(const std::optional<absl::Time>& t) {
  return t.has_value() ? nlohmann::json(ToMicros(*t)) : nlohmann::json(nullptr);
}

// The services' trainee dimensions (see rows.h) as a JSON object; enums as
// their integer values.
template <typename D>
nlohmann::json DimensionsToJson(const D& d) {
  return {{"gender", static_cast<int>(d.gender)},
          {"age_band", static_cast<int>(d.age_band)},
          {"education_level", static_cast<int>(d.education_level)},
          {"residence_province_code", d.residence_province_code},
          {"residence_region_code", d.residence_region_code},
          {"training_province_code", d.training_province_code},
          {"training_region_code", d.training_region_code},
          {"track_id", d.track_id},
          {"cohort_id", d.cohort_id},
          {"centre_id", d.centre_id}};
}
template <typename D>
D DimensionsFromJson(const nlohmann::json& j) {
  D d;
  d.gender = EnumAt<decltype(d.gender)>(j, "gender");
  d.age_band = EnumAt<decltype(d.age_band)>(j, "age_band");
  d.education_level = EnumAt<decltype(d.education_level)>(j, "education_level");
  d.residence_province_code = StringAt(j, "residence_province_code");
  d.residence_region_code = StringAt(j, "residence_region_code");
  d.training_province_code = StringAt(j, "training_province_code");
  d.training_region_code = StringAt(j, "training_region_code");
  d.track_id = StringAt(j, "track_id");
  d.cohort_id = StringAt(j, "cohort_id");
  d.centre_id = StringAt(j, "centre_id");
  return d;
}

}  // namespace jit::storage

#endif  // JIT_LIBS_STORAGE_SNAPSHOT_CODEC_H_
