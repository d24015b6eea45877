#include "libs/storage/snapshot_codec.h"

#include <string>
#include <variant>

#include "absl/strings/match.h"
#include "gtest/gtest.h"
#include "libs/status/status_macros.h"

namespace jit::storage {
namespace {

using ::nlohmann::json;

struct Point {
  int x = 0;
};
struct Visit {
  std::string who;
  absl::CivilDay day;
  std::optional<absl::Time> left;
};
using Snapshot = std::variant<Point, Visit>;

json ToJson(const Point& p) { return {{"x", p.x}}; }
json ToJson(const Visit& v) {
  return {{"who", v.who},
          {"day", DayText(v.day)},
          {"left", OptionalTimeJson(v.left)}};
}
Point PointFromJson(const json& j) { return Point{j.at("x").get<int>()}; }
absl::StatusOr<Visit> VisitFromJson(const json& j) {
  Visit v;
  v.who = StringAt(j, "who");
  ASSIGN_OR_RETURN(v.day, DayAt(j, "day"));
  v.left = OptionalTimeAt(j, "left");
  return v;
}

const SnapshotCodec<Snapshot>& Codec() {
  static const auto* const kCodec = new SnapshotCodec<Snapshot>(
      {{{"Point", DecodeAs<Snapshot, Point, PointFromJson>},
        {"Visit", DecodeAs<Snapshot, Visit, VisitFromJson>}}});
  return *kCodec;
}
std::string Encode(const Snapshot& s) {
  return Codec().Encode(s, [](const auto& v) { return ToJson(v); });
}

TEST(SnapshotCodec, WritesTheTypeAndValueFraming) {
  EXPECT_EQ(Encode(Point{3}), R"({"type":"Point","value":{"x":3}})");
  EXPECT_EQ(
      Encode(Visit{"amal", absl::CivilDay(2026, 2, 1), std::nullopt}),
      R"({"type":"Visit","value":{"day":"2026-02-01","left":null,"who":"amal"}})");
}

TEST(SnapshotCodec, RoundTripsEveryAlternative) {
  absl::StatusOr<Snapshot> p = Codec().Decode(Encode(Point{-7}));
  ASSERT_TRUE(p.ok()) << p.status();
  EXPECT_EQ(std::get<Point>(*p).x, -7);
  const Visit v{"amal", absl::CivilDay(2026, 2, 1), absl::FromUnixMicros(99)};
  absl::StatusOr<Snapshot> back = Codec().Decode(Encode(v));
  ASSERT_TRUE(back.ok()) << back.status();
  ASSERT_TRUE(std::holds_alternative<Visit>(*back));
  EXPECT_EQ(std::get<Visit>(*back).who, "amal");
  EXPECT_EQ(std::get<Visit>(*back).day, absl::CivilDay(2026, 2, 1));
  EXPECT_EQ(std::get<Visit>(*back).left, absl::FromUnixMicros(99));
}

TEST(SnapshotCodec, BadDocumentsAreDataLoss) {
  const absl::Status unknown =
      Codec().Decode(R"({"type":"Circle","value":{}})").status();
  EXPECT_EQ(unknown.code(), absl::StatusCode::kDataLoss);
  EXPECT_EQ(unknown.message(),
            "stored response snapshot has unknown type 'Circle'");
  for (const char* text :
       {"not json", R"({"type":"Point"})",
        R"({"type":"Point","value":{"x":"three"}})", R"({"value":{}})"}) {
    const absl::Status s = Codec().Decode(text).status();
    EXPECT_EQ(s.code(), absl::StatusCode::kDataLoss) << text;
    EXPECT_TRUE(absl::StartsWith(s.message(), "malformed response snapshot: "))
        << s.message();
  }
  // A decoder's own status passes through.
  const absl::Status day =
      Codec()
          .Decode(
              R"({"type":"Visit","value":{"who":"a","day":"1 Feb","left":null}})")
          .status();
  EXPECT_EQ(day.code(), absl::StatusCode::kDataLoss);
  EXPECT_EQ(day.message(), "stored day '1 Feb' is not a YYYY-MM-DD day");
}

TEST(SnapshotCodec, FieldHelpers) {
  const json j = {{"d", nullptr}, {"t", 5}, {"e", 2}, {"day", "2026-01-31"}};
  EXPECT_EQ(*OptionalDayAt(j, "d"), std::nullopt);
  EXPECT_EQ(*OptionalDayAt(j, "day"), absl::CivilDay(2026, 1, 31));
  EXPECT_EQ(OptionalTimeAt(j, "t"), absl::FromUnixMicros(5));
  EXPECT_EQ(OptionalTimeAt(j, "d"), std::nullopt);
  enum class E { kA, kB, kC };
  EXPECT_EQ(EnumAt<E>(j, "e"), E::kC);
  EXPECT_EQ(OptionalDayJson(std::nullopt), json(nullptr));
  EXPECT_EQ(OptionalDayJson(absl::CivilDay(2026, 1, 31)), json("2026-01-31"));
  EXPECT_EQ(OptionalTimeJson(absl::FromUnixMicros(8)), json(8));
}

enum class Gender { kUnset, kFemale, kMale };
struct Dims {
  Gender gender = Gender::kUnset;
  Gender age_band = Gender::kUnset;
  Gender education_level = Gender::kUnset;
  std::string residence_province_code, residence_region_code,
      training_province_code, training_region_code, track_id, cohort_id,
      centre_id;
};

TEST(SnapshotCodec, DimensionsRoundTripWithEnumsAsIntegers) {
  const Dims d{
      Gender::kFemale, Gender::kMale, Gender::kFemale, "rp", "rr", "tp", "tr",
      "track",         "cohort",      "centre"};
  const json j = DimensionsToJson(d);
  EXPECT_EQ(j.dump(),
            R"({"age_band":2,"centre_id":"centre","cohort_id":"cohort",)"
            R"("education_level":1,"gender":1,"residence_province_code":"rp",)"
            R"("residence_region_code":"rr","track_id":"track",)"
            R"("training_province_code":"tp","training_region_code":"tr"})");
  const Dims back = DimensionsFromJson<Dims>(j);
  EXPECT_EQ(back.gender, Gender::kFemale);
  EXPECT_EQ(back.age_band, Gender::kMale);
  EXPECT_EQ(back.residence_region_code, "rr");
  EXPECT_EQ(back.centre_id, "centre");
}

}  // namespace
}  // namespace jit::storage
