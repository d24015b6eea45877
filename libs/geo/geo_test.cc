#include "libs/geo/geo.h"

#include <set>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "libs/status/field_violations.h"

namespace jit::geo {
namespace {

using ::testing::HasSubstr;

TEST(AtlasTest, ShipsTwelveRegionsAndSeventyFiveProvinces) {
  const Atlas& atlas = Atlas::Get();
  EXPECT_EQ(atlas.regions().size(), 12u);
  EXPECT_EQ(atlas.provinces().size(), 75u);
  std::set<std::string> regions_with_provinces;
  for (const Province& p : atlas.provinces()) {
    regions_with_provinces.insert(p.region_code);
  }
  EXPECT_EQ(regions_with_provinces.size(), 12u);
  for (const Region& r : atlas.regions()) {
    EXPECT_FALSE(r.name_ar.empty()) << r.code;
  }
}

TEST(AtlasTest, ProvinceMapsToItsRegion) {
  const Atlas& atlas = Atlas::Get();
  EXPECT_EQ(*atlas.RegionOfProvince("MA-FQH"), "MA-05");
  // The two that Debian's iso-codes gets wrong (2015 decree).
  EXPECT_EQ(*atlas.RegionOfProvince("MA-NOU"), "MA-06");
  EXPECT_EQ(*atlas.RegionOfProvince("MA-CHT"), "MA-09");
  EXPECT_EQ(atlas.FindRegion("MA-05")->name, "Béni Mellal-Khénifra");
  EXPECT_EQ(atlas.FindProvince("MA-CAS")->kind, DivisionKind::kPrefecture);
  EXPECT_EQ(atlas.ProvincesOf("MA-05").size(), 5u);
}

TEST(AtlasTest, UnknownCodesAreRejectedWithTheFieldNamed) {
  const Atlas& atlas = Atlas::Get();
  EXPECT_EQ(atlas.FindProvince("MA-XXX"), nullptr);
  EXPECT_EQ(atlas.FindProvince("ma-fqh"), nullptr);
  EXPECT_EQ(atlas.RegionOfProvince("MA-XXX").status().code(),
            absl::StatusCode::kNotFound);

  absl::Status s = atlas.ValidateProvince("centre.province_code", "MA-XXX");
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  auto v = status::GetFieldViolations(s);
  ASSERT_EQ(v.size(), 1u);
  EXPECT_EQ(v[0].field, "centre.province_code");
  EXPECT_THAT(v[0].description, HasSubstr("MA-XXX"));

  EXPECT_TRUE(atlas.ValidateRegion("region_code", "MA-12").ok());
  EXPECT_EQ(atlas.ValidateRegion("region_code", "MA-13").code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(atlas.ValidateRegion("region_code", "").code(),
            absl::StatusCode::kInvalidArgument);
  // A region code is not a province code and vice versa.
  EXPECT_FALSE(atlas.ValidateProvince("p", "MA-05").ok());
  EXPECT_FALSE(atlas.ValidateRegion("r", "MA-FQH").ok());
}

TEST(AtlasParseTest, RejectsProvinceOfUnknownRegion) {
  auto atlas = Atlas::Parse(
      "code\tkind\tregion\tname\tname_ar\n"
      "MA-01\tregion\t\tTanger\tطنجة\n"
      "MA-FQH\tprovince\tMA-05\tFquih Ben Salah\t\n");
  EXPECT_EQ(atlas.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(atlas.status().message()), HasSubstr("MA-05"));
}

TEST(AtlasParseTest, RejectsMalformedRowsAndDuplicates) {
  EXPECT_FALSE(Atlas::Parse("h\nMA-01\tregion\n").ok());
  EXPECT_FALSE(Atlas::Parse("h\nMA-01\tcounty\t\tX\t\n").ok());
  EXPECT_FALSE(Atlas::Parse("h\nXX-01\tregion\t\tX\t\n").ok());
  EXPECT_FALSE(
      Atlas::Parse("h\nMA-01\tregion\t\tX\t\nMA-01\tregion\t\tY\t\n").ok());
}

}  // namespace
}  // namespace jit::geo
