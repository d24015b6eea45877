#include "tools/simulator/plan.h"

#include <map>
#include <regex>
#include <set>
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tools/simulator/config.h"
#include "tools/simulator/rng.h"

namespace jit::simulator {
namespace {

using ::testing::HasSubstr;
namespace cv1 = jobintech::common::v1;

const std::vector<std::string> kTracks = {"cybersecurity", "digital-management", "digital-marketing"};

std::string WholePlan(const SimConfig& config, uint64_t seed, int journeys) {
  const auto regions = Regions();
  const WorldPlan world = MakeWorldPlan(config, seed, regions, kTracks, 3);
  std::string out = ToText(world);
  for (int i = 0; i < journeys; ++i) out += "\n" + ToText(MakeJourneyPlan(config, seed, world, regions, kTracks, i));
  return out;
}

TEST(PlanTest, SameSeedSamePlan) {
  const SimConfig config = SimConfig::Defaults();
  const std::string a = WholePlan(config, 42, 300);
  const std::string b = WholePlan(SimConfig::Defaults(), 42, 300);
  EXPECT_EQ(a, b);
  EXPECT_NE(a, WholePlan(config, 43, 300));
}

TEST(PlanTest, AJourneyDoesNotDependOnTheOthers) {
  const SimConfig config = SimConfig::Defaults();
  const auto regions = Regions();
  const WorldPlan world = MakeWorldPlan(config, 7, regions, kTracks, 3);
  const std::string j5 = ToText(MakeJourneyPlan(config, 7, world, regions, kTracks, 5));
  for (int i = 0; i < 5; ++i) MakeJourneyPlan(config, 7, world, regions, kTracks, i);
  EXPECT_EQ(ToText(MakeJourneyPlan(config, 7, world, regions, kTracks, 5)), j5);
  EXPECT_THAT(j5, HasSubstr("sim-7-j5 "));
}

TEST(PlanTest, GoldenFirstDraws) {
  // Pins the generator (xoshiro256** via SplitMix64, portable draws): a
  // change here changes every seeded run's plan and final figures.
  Rng rng(1, 2, 3);
  EXPECT_EQ(rng.Next(), 13776832080591578045ULL);
  EXPECT_EQ(rng.Next(), 8592798176501336632ULL);
  EXPECT_EQ(rng.Next(), 13676079634104052746ULL);
  Rng u(42, 2, 0);
  EXPECT_DOUBLE_EQ(u.Uniform(), 0.95572382771433639);
  EXPECT_EQ(u.Below(1000), 539);
  EXPECT_NE(Rng(42, 2, 0).Next(), Rng(42, 2, 1).Next());
  Rng r(5, 5, 5);
  for (int i = 0; i < 1000; ++i) {
    const double x = r.Uniform();
    ASSERT_GE(x, 0.0);
    ASSERT_LT(x, 1.0);
    const int k = r.Below(7);
    ASSERT_GE(k, 0);
    ASSERT_LT(k, 7);
  }
}

TEST(PlanTest, WorldCoversEveryRegionTrackAndWave) {
  const auto regions = Regions();
  ASSERT_EQ(regions.size(), 12u);
  const WorldPlan world = MakeWorldPlan(SimConfig::Defaults(), 1, regions, kTracks, 3);
  EXPECT_EQ(world.centres.size(), 12u);
  EXPECT_EQ(world.cohorts.size(), 12u * 3 * kWaves);
  EXPECT_EQ(world.employers.size(), 36u);
  EXPECT_EQ(world.offers.size(), 36u * 3);
  std::set<std::string> ices;
  for (const auto& e : world.employers) {
    ASSERT_EQ(e.ice.size(), 15u) << e.ice;
    int rem = 0;
    for (char ch : e.ice) rem = (rem * 10 + (ch - '0')) % 97;
    EXPECT_EQ(rem, 0) << e.ice;
    ices.insert(e.ice);
  }
  EXPECT_EQ(ices.size(), world.employers.size());
  for (const auto& c : world.cohorts) {
    EXPECT_EQ(c.end_offset - c.start_offset + 1, kCohortDays);
    EXPECT_GE(c.capacity, 1);
  }
  // Shared by seeds: centres and employers; the intake belongs to the seed.
  const WorldPlan other = MakeWorldPlan(SimConfig::Defaults(), 2, regions, kTracks, 3);
  EXPECT_EQ(other.employers[5].request_id, world.employers[5].request_id);
  EXPECT_EQ(other.employers[5].ice, world.employers[5].ice);
  EXPECT_NE(other.cohorts[5].request_id, world.cohorts[5].request_id);
}

TEST(PlanTest, JourneysFollowTheirCohortAndLookReal) {
  const SimConfig config = SimConfig::Defaults();
  const auto regions = Regions();
  const WorldPlan world = MakeWorldPlan(config, 9, regions, kTracks, 3);
  std::set<std::string> seen_regions, seen_tracks, cins;
  std::set<int> waves;
  const std::regex cin("^[A-Z]{2}[0-9]{6}$"), phone("^0[67][0-9]{8}$");
  for (int i = 0; i < 3000; ++i) {
    const JourneyPlan p = MakeJourneyPlan(config, 9, world, regions, kTracks, i);
    const CohortPlan& c = world.cohorts.at(p.cohort);
    ASSERT_EQ(c.region_code, p.region_code);
    ASSERT_EQ(c.track_id, p.track_id);
    ASSERT_EQ(c.wave, p.wave);
    seen_regions.insert(p.region_code);
    seen_tracks.insert(p.track_id);
    waves.insert(p.wave);
    EXPECT_TRUE(std::regex_match(p.candidate.national_id, cin)) << p.candidate.national_id;
    EXPECT_TRUE(std::regex_match(p.candidate.phone, phone)) << p.candidate.phone;
    cins.insert(p.candidate.national_id);
    EXPECT_GE(p.candidate.age, 18);
    EXPECT_LE(p.candidate.age, 35);
    EXPECT_EQ(p.modules.size(), static_cast<size_t>(kMaxModules));
    for (auto [lo, hi] : {std::pair{87, 94}, std::pair{178, 187}, std::pair{362, 369}}) {
      EXPECT_FALSE(p.days_to_job >= lo && p.days_to_job <= hi) << p.days_to_job;
    }
  }
  EXPECT_EQ(seen_regions.size(), 12u);
  EXPECT_EQ(seen_tracks.size(), 3u);
  EXPECT_EQ(waves.size(), static_cast<size_t>(kWaves));
  EXPECT_EQ(cins.size(), 3000u);  // unique within a seed
}

TEST(PlanTest, RatesDriveTheDraws) {
  SimConfig config;  // no built-in profile
  ASSERT_TRUE(config.ApplyText("dropout = 0\nwomen_share = 1\nMA-06.women_share = 0\nreject = 1", "test").ok());
  const auto regions = Regions();
  const WorldPlan world = MakeWorldPlan(config, 3, regions, kTracks, 3);
  for (int i = 0; i < 500; ++i) {
    const JourneyPlan p = MakeJourneyPlan(config, 3, world, regions, kTracks, i);
    EXPECT_FALSE(p.drops_out);
    EXPECT_EQ(p.admission, Admission::kReject);
    EXPECT_EQ(p.candidate.gender, p.region_code == "MA-06" ? cv1::GENDER_MALE : cv1::GENDER_FEMALE);
  }
  // Statistically: the built-in women's share of cybersecurity (0.30).
  const SimConfig defaults = SimConfig::Defaults();
  int women = 0, n = 0;
  for (int i = 0; i < 6000; ++i) {
    const JourneyPlan p = MakeJourneyPlan(defaults, 11, world, regions, kTracks, i);
    if (p.track_id != "cybersecurity" || p.region_code == "MA-06") continue;
    ++n;
    women += p.candidate.gender == cv1::GENDER_FEMALE;
  }
  ASSERT_GT(n, 1000);
  EXPECT_NEAR(static_cast<double>(women) / n, 0.30, 0.04);
  // Region weights: Casablanca-Settat gets far more journeys than Dakhla.
  std::map<std::string, int> per_region;
  for (int i = 0; i < 6000; ++i) ++per_region[MakeJourneyPlan(defaults, 11, world, regions, kTracks, i).region_code];
  EXPECT_GT(per_region["MA-06"], 10 * per_region["MA-12"]);
}

TEST(ConfigTest, ScopesAndPrecedence) {
  SimConfig c;
  ASSERT_TRUE(c.ApplyText("# comment\ndropout = 0.1\nMA-05.dropout = 0.2\ncybersecurity.dropout = 0.3\n"
                          "MA-05/cybersecurity.dropout = 0.4, capacity = 12",
                          "t")
                  .ok());
  EXPECT_DOUBLE_EQ(c.Resolve("MA-01", "digital-marketing").dropout, 0.1);
  EXPECT_DOUBLE_EQ(c.Resolve("MA-05", "digital-marketing").dropout, 0.2);
  EXPECT_DOUBLE_EQ(c.Resolve("MA-01", "cybersecurity").dropout, 0.3);
  EXPECT_DOUBLE_EQ(c.Resolve("MA-05", "cybersecurity").dropout, 0.4);
  EXPECT_DOUBLE_EQ(c.Resolve("MA-05", "cybersecurity").capacity, 12);
  EXPECT_DOUBLE_EQ(SimConfig::Defaults().RegionWeight("MA-06"), 7.7);
  EXPECT_DOUBLE_EQ(SimConfig::Defaults().TrackWeight("cybersecurity"), 1.2);
}

TEST(ConfigTest, EveryKnobIsAField) {
  Rates r;
  std::set<double*> fields;
  for (const std::string& name : RateNames()) {
    double* f = RateField(r, name);
    ASSERT_NE(f, nullptr) << name;
    fields.insert(f);
    SimConfig c;
    EXPECT_TRUE(c.Apply(name, name == "capacity" ? "5" : "0.5").ok()) << name;
  }
  EXPECT_EQ(fields.size(), RateNames().size());
  EXPECT_EQ(sizeof(Rates), RateNames().size() * sizeof(double));
}

TEST(ConfigTest, Errors) {
  SimConfig c;
  EXPECT_THAT(c.Apply("dropuot", "0.1").message(), HasSubstr("unknown knob 'dropuot'"));
  EXPECT_THAT(c.Apply("dropout", "1.5").message(), HasSubstr("probability"));
  EXPECT_THAT(c.Apply("dropout", "abc").message(), HasSubstr("not a number"));
  EXPECT_THAT(c.Apply("capacity", "0").message(), HasSubstr("capacity"));
  EXPECT_THAT(c.Apply("MA 05.dropout", "0.1").message(), HasSubstr("bad scope"));
  EXPECT_THAT(c.ApplyText("dropout 0.1", "f").message(), HasSubstr("expected KEY = VALUE"));
  EXPECT_TRUE(c.Apply("days_to_job", "120").ok());
}

TEST(CalendarTest, AddMonthsClampsAndIceControl) {
  EXPECT_EQ(AddMonths(absl::CivilDay(2025, 1, 31), 1), absl::CivilDay(2025, 2, 28));
  EXPECT_EQ(AddMonths(absl::CivilDay(2024, 1, 31), 1), absl::CivilDay(2024, 2, 29));
  EXPECT_EQ(AddMonths(absl::CivilDay(2025, 8, 31), 6), absl::CivilDay(2026, 2, 28));
  EXPECT_EQ(AddMonths(absl::CivilDay(2025, 3, 15), 12), absl::CivilDay(2026, 3, 15));
  EXPECT_EQ(IceFromDigits(1234567890123ULL).substr(0, 13), "1234567890123");
  EXPECT_EQ(std::stoull(IceFromDigits(1234567890123ULL)) % 97, 0u);
}

}  // namespace
}  // namespace jit::simulator
