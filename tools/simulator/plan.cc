#include "tools/simulator/plan.h"

#include <algorithm>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "libs/geo/geo.h"
#include "tools/simulator/names.h"
#include "tools/simulator/rng.h"

namespace jit::simulator {
namespace {

namespace cv1 = jobintech::common::v1;
namespace evt = jobintech::events::v1;

// Streams of the generator, so that each kind of draw has its own sequence.
enum Stream : uint64_t { kWorldStream = 1, kJourneyStream = 2, kEmployerStream = 3 };

constexpr const char* kCentreProvince[] = {"MA-TNG", "MA-OUJ", "MA-FES", "MA-RAB", "MA-BEM", "MA-CAS",
                                           "MA-MAR", "MA-ERR", "MA-AGD", "MA-GUE", "MA-LAA", "MA-OUD"};

std::string Lower(std::string s) {
  absl::AsciiStrToLower(&s);
  std::string out;
  for (char c : s) {
    if (absl::ascii_isalnum(static_cast<unsigned char>(c))) out.push_back(c);
  }
  return out;
}

evt::AttendanceMark DrawMark(Rng& rng, const Rates& r) {
  if (rng.Chance(r.attendance)) return evt::ATTENDANCE_MARK_PRESENT;
  return rng.Chance(r.excused) ? evt::ATTENDANCE_MARK_EXCUSED_ABSENCE : evt::ATTENDANCE_MARK_UNEXCUSED_ABSENCE;
}

cv1::EducationLevel DrawEducation(Rng& rng) {
  // Mostly bac+2 to bac+5: the programme recruits graduates and reskills.
  static const std::vector<double> w = {0, 0.03, 0.07, 0.15, 0.30, 0.30, 0.14, 0.01};
  return static_cast<cv1::EducationLevel>(rng.Pick(w));
}

int DrawAge(Rng& rng) {
  // 18-35, most between 21 and 27.
  static const std::vector<double> w = {2, 3, 4, 7, 9, 10, 10, 9, 8, 7, 6, 5, 4, 3, 2, 2, 1, 1};
  return 18 + rng.Pick(w);
}

evt::SalaryBand DrawSalary(Rng& rng, evt::PlacementType type) {
  if (type == evt::PLACEMENT_TYPE_FURTHER_STUDY) return evt::SALARY_BAND_UNSPECIFIED;
  if (type == evt::PLACEMENT_TYPE_INTERNSHIP) {
    return rng.Chance(0.7) ? evt::SALARY_BAND_UNDER_3000 : evt::SALARY_BAND_3000_4999;
  }
  static const std::vector<double> w = {0, 0.05, 0.25, 0.40, 0.18, 0.07, 0.05};
  return static_cast<evt::SalaryBand>(rng.Pick(w));
}

}  // namespace

std::vector<ModuleSpec> DefaultCurriculum(const std::string& track_id) {
  if (track_id == "cybersecurity") {
    return {{"net-basics", "Réseaux et protocoles", 60, 20, 10, true},
            {"sys-security", "Sécurité des systèmes", 70, 20, 10, true},
            {"soc-operations", "Opérations SOC et détection", 80, 20, 12, true},
            {"pentest", "Tests d'intrusion", 60, 20, 10, false},
            {"soft-skills", "Savoir-être professionnel", 30, 20, 10, true}};
  }
  if (track_id == "digital-marketing") {
    return {{"dm-foundations", "Fondamentaux du marketing digital", 50, 20, 10, true},
            {"seo-sea", "Référencement SEO/SEA", 60, 20, 10, true},
            {"social-media", "Réseaux sociaux et contenus", 60, 20, 10, true},
            {"analytics", "Mesure d'audience", 40, 20, 10, false},
            {"soft-skills", "Savoir-être professionnel", 30, 20, 10, true}};
  }
  if (track_id == "digital-management") {
    return {{"digital-strategy", "Stratégie digitale", 50, 20, 10, true},
            {"project-agile", "Gestion de projet agile", 60, 20, 10, true},
            {"data-decision", "Données et décision", 60, 20, 10, true},
            {"change", "Conduite du changement", 40, 20, 10, false},
            {"soft-skills", "Savoir-être professionnel", 30, 20, 10, true}};
  }
  return {{"foundations", "Fondamentaux", 60, 20, 10, true},
          {"practice", "Mise en pratique", 80, 20, 10, true},
          {"project", "Projet de fin de formation", 60, 20, 10, true},
          {"soft-skills", "Savoir-être professionnel", 30, 20, 10, true}};
}

std::vector<RegionSpec> Regions() {
  const geo::Atlas& atlas = geo::Atlas::Get();
  std::vector<RegionSpec> out;
  for (const geo::Region& r : atlas.regions()) {
    RegionSpec spec;
    spec.region_code = r.code;
    for (const geo::Province* p : atlas.ProvincesOf(r.code)) spec.provinces.push_back(p->code);
    std::sort(spec.provinces.begin(), spec.provinces.end());
    for (const char* c : kCentreProvince) {
      if (std::find(spec.provinces.begin(), spec.provinces.end(), c) != spec.provinces.end()) {
        spec.centre_province = c;
      }
    }
    if (spec.centre_province.empty() && !spec.provinces.empty()) spec.centre_province = spec.provinces[0];
    out.push_back(std::move(spec));
  }
  std::sort(out.begin(), out.end(),
            [](const RegionSpec& a, const RegionSpec& b) { return a.region_code < b.region_code; });
  return out;
}

std::string IceFromDigits(uint64_t thirteen_digits) {
  const uint64_t base = thirteen_digits % 10'000'000'000'000ULL;
  const uint64_t control = (97 - (base * 100) % 97) % 97;
  return absl::StrFormat("%013d%02d", base, control);
}

absl::CivilDay AddMonths(absl::CivilDay day, int months) {
  const absl::CivilMonth target = absl::CivilMonth(day) + months;
  const absl::CivilDay last = absl::CivilDay(target + 1) - 1;
  return absl::CivilDay(target.year(), target.month(), std::min(day.day(), last.day()));
}

WorldPlan MakeWorldPlan(const SimConfig& config, uint64_t seed, const std::vector<RegionSpec>& regions,
                        const std::vector<std::string>& tracks, int employers_per_region) {
  WorldPlan world;
  // Centres: one per region, shared by every seed.
  for (const RegionSpec& r : regions) {
    CentrePlan c;
    c.request_id = absl::StrCat("sim-centre-", r.region_code);
    c.region_code = r.region_code;
    c.name = absl::StrCat("Centre JobInTech ", r.centre_province.substr(3));
    c.operator_name = "JobInTech Simulation";
    c.province_code = r.centre_province;
    world.centres.push_back(c);
  }
  // Employers: shared by every seed; their plan depends only on the region.
  for (const RegionSpec& r : regions) {
    Rng rng(0x5EEDULL, kEmployerStream, Fnv1a(r.region_code));
    for (int i = 0; i < employers_per_region; ++i) {
      EmployerPlan e;
      e.request_id = absl::StrCat("sim-employer-", r.region_code, "-", i);
      e.region_code = r.region_code;
      const auto& words = CompanyWords();
      e.sector = Sectors()[rng.Below(static_cast<int>(Sectors().size()))];
      e.name = absl::StrCat(words[rng.Below(static_cast<int>(words.size()))], " ",
                            e.sector == "banking" ? "Banque" : e.sector == "offshoring" ? "Services" : "Digital",
                            " ", r.region_code.substr(3), "-", i + 1);
      // Unique per (region, employer): region number, index, then hash digits.
      const uint64_t digits = (static_cast<uint64_t>(std::stoi(r.region_code.substr(3))) * 100 + i) * 10'000'000ULL +
                              (Fnv1a(e.request_id) % 10'000'000ULL);
      e.ice = IceFromDigits(digits);
      e.province_code = i == 0 || r.provinces.empty()
                            ? r.centre_province
                            : r.provinces[rng.Below(static_cast<int>(r.provinces.size()))];
      e.partner = rng.Chance(0.3);
      world.employers.push_back(e);
    }
  }
  // Cohorts and job offers: the seed's intake.
  Rng rng(seed, kWorldStream);
  for (const RegionSpec& r : regions) {
    for (const std::string& t : tracks) {
      const Rates rates = config.Resolve(r.region_code, t);
      for (int w = 0; w < kWaves; ++w) {
        CohortPlan c;
        c.request_id = absl::StrCat("sim-", seed, "-cohort-", r.region_code, "-", t, "-w", w);
        c.region_code = r.region_code;
        c.track_id = t;
        c.wave = w;
        c.capacity = static_cast<int>(rates.capacity);
        c.end_offset = kWaveEndOffset[w];
        c.start_offset = c.end_offset - kCohortDays + 1;
        c.name = absl::StrCat(t, " ", r.region_code, " promo ", seed % 10000, "-", w + 1);
        world.cohorts.push_back(c);
      }
    }
  }
  for (size_t e = 0; e < world.employers.size(); ++e) {
    for (const std::string& t : tracks) {
      JobOfferPlan o;
      o.request_id = absl::StrCat("sim-", seed, "-offer-", world.employers[e].region_code, "-", e, "-", t);
      o.employer = static_cast<int>(e);
      o.track_id = t;
      o.contract = rng.Chance(0.2) ? evt::PLACEMENT_TYPE_INTERNSHIP
                                   : (rng.Chance(0.6) ? evt::PLACEMENT_TYPE_SALARIED_PERMANENT
                                                      : evt::PLACEMENT_TYPE_SALARIED_FIXED_TERM);
      o.salary = DrawSalary(rng, o.contract);
      o.openings = rng.Between(1, 8);
      o.title = absl::StrCat(t == "cybersecurity"       ? "Analyste SOC"
                             : t == "digital-marketing" ? "Chargé(e) de marketing digital"
                             : t == "digital-management" ? "Chef(fe) de projet digital"
                                                         : "Poste digital",
                             " (", world.employers[e].name, ")");
      world.offers.push_back(o);
    }
  }
  return world;
}

JourneyPlan MakeJourneyPlan(const SimConfig& config, uint64_t seed, const WorldPlan& world,
                            const std::vector<RegionSpec>& regions, const std::vector<std::string>& tracks,
                            int index) {
  Rng rng(seed, kJourneyStream, static_cast<uint64_t>(index));
  JourneyPlan p;
  p.index = index;
  p.request_prefix = absl::StrCat("sim-", seed, "-j", index);

  std::vector<double> rw, tw;
  for (const RegionSpec& r : regions) rw.push_back(config.RegionWeight(r.region_code));
  for (const std::string& t : tracks) tw.push_back(config.TrackWeight(t));
  const int ri = rng.Pick(rw);
  const int ti = rng.Pick(tw);
  const RegionSpec& region = regions[ri];
  p.region_code = region.region_code;
  p.track_id = tracks.empty() ? "" : tracks[ti];
  p.wave = rng.Below(kWaves);
  p.cohort = (ri * static_cast<int>(tracks.size()) + ti) * kWaves + p.wave;
  const Rates r = config.Resolve(p.region_code, p.track_id);

  // The candidate.
  CandidatePlan& c = p.candidate;
  const bool woman = rng.Chance(r.women_share);
  c.gender = woman ? cv1::GENDER_FEMALE : cv1::GENDER_MALE;
  const auto& given = woman ? FemaleGivenNames() : MaleGivenNames();
  c.given_name = given[rng.Below(static_cast<int>(given.size()))];
  c.family_name = FamilyNames()[rng.Below(static_cast<int>(FamilyNames().size()))];
  // National id: two letters from the seed, six digits from the journey
  // (index * 7919 mod 10^6 is one-to-one), so ids are unique within a seed.
  Rng seed_rng(seed, kWorldStream, 0xC1);
  const char l1 = static_cast<char>('A' + seed_rng.Below(26));
  const char l2 = static_cast<char>('A' + seed_rng.Below(26));
  c.national_id = absl::StrFormat("%c%c%06d", l1, l2,
                                  static_cast<int>((static_cast<uint64_t>(index) * 7919 + seed % 1000003) % 1000000));
  c.phone = absl::StrFormat("0%d%08d", rng.Chance(0.8) ? 6 : 7, rng.Below(100000000));
  c.email = absl::StrCat(Lower(c.given_name), ".", Lower(c.family_name), ".", seed % 100000, "-", index,
                         "@example.ma");
  c.age = DrawAge(rng);
  c.birth_days_back = rng.Between(1, 360);
  c.education = DrawEducation(rng);
  c.residence_province = rng.Chance(0.8) || regions.size() < 2
                             ? region.provinces[rng.Below(static_cast<int>(region.provinces.size()))]
                             : regions[rng.Below(static_cast<int>(regions.size()))].centre_province;

  // Admission.
  const double u = rng.Uniform();
  p.admission = u < r.reject ? Admission::kReject : (u < r.reject + r.waitlist ? Admission::kWaitlist : Admission::kAdmit);
  p.declines = rng.Chance(r.decline);
  p.withdraws = rng.Chance(r.withdraw);

  // Training.
  for (int m = 0; m < kMaxModules; ++m) {
    ModulePlan mp;
    for (int s = 0; s < kSessionsPerModule; ++s) mp.marks.push_back(DrawMark(rng, r));
    mp.pass_first = rng.Chance(r.pass);
    mp.pass_retake = rng.Chance(r.retake_pass);
    mp.score_draw = rng.Uniform();
    p.modules.push_back(std::move(mp));
  }
  p.drops_out = rng.Chance(r.dropout);
  p.dropout_slot = rng.Below(4);
  static const char* const kReasons[] = {"a trouvé un emploi", "raisons familiales", "déménagement",
                                         "raisons de santé", "formation jugée inadaptée"};
  static const jobintech::common::v1::DropOutReason kReasonCodes[] = {
      jobintech::common::v1::DROP_OUT_REASON_FOUND_JOB,
      jobintech::common::v1::DROP_OUT_REASON_PERSONAL_OR_FAMILY,
      jobintech::common::v1::DROP_OUT_REASON_RELOCATION, jobintech::common::v1::DROP_OUT_REASON_HEALTH,
      jobintech::common::v1::DROP_OUT_REASON_OTHER};
  const int reason = rng.Below(5);
  p.dropout_reason = kReasons[reason];
  p.dropout_reason_code = kReasonCodes[reason];
  p.certified = rng.Chance(r.certify);

  // After exit.
  p.placed = rng.Chance(p.drops_out ? r.dropout_placement : r.placement);
  p.days_to_job = std::min(400, static_cast<int>(rng.Exponential(r.days_to_job)));
  // Keep clear of the lengths of 3, 6 and 12 calendar months (89-92, 181-184,
  // 365-366 days), so that "placed within N months of exit" and the
  // follow-up schedule do not depend on the month the simulation runs in.
  for (const auto& [lo, hi] : {std::pair{87, 94}, std::pair{178, 187}, std::pair{362, 369}}) {
    if (p.days_to_job >= lo && p.days_to_job <= hi) p.days_to_job = hi + 1;
  }
  const double t = rng.Uniform();
  if (t < r.further_study) {
    p.placement_type = evt::PLACEMENT_TYPE_FURTHER_STUDY;
  } else if (t < r.further_study + r.self_employed) {
    p.placement_type = evt::PLACEMENT_TYPE_SELF_EMPLOYED;
  } else if (t < r.further_study + r.self_employed + r.internship) {
    p.placement_type = evt::PLACEMENT_TYPE_INTERNSHIP;
  } else if (t < r.further_study + r.self_employed + r.internship + r.fixed_term) {
    p.placement_type = evt::PLACEMENT_TYPE_SALARIED_FIXED_TERM;
  } else {
    p.placement_type = evt::PLACEMENT_TYPE_SALARIED_PERMANENT;
  }
  p.salary = DrawSalary(rng, p.placement_type);
  p.offer_first = rng.Chance(r.offer_first);
  p.offer_lead_days = rng.Between(3, 20);
  p.employer_pick = rng.Below(1000);
  p.other_employer_pick = rng.Below(1000);
  p.verified = rng.Chance(r.verify);
  p.verify_source = rng.Chance(0.6) ? evt::VERIFICATION_SOURCE_EMPLOYER : evt::VERIFICATION_SOURCE_SOCIAL_SECURITY;
  for (int i = 0; i < 3; ++i) {
    auto& outcome = p.follow_ups[i];
    p.follow_up_done[i] = rng.Chance(r.followup_done);
    if (!rng.Chance(r.reach)) {
      outcome = evt::FOLLOW_UP_OUTCOME_UNREACHABLE;
    } else if (rng.Chance(r.retention)) {
      outcome = evt::FOLLOW_UP_OUTCOME_EMPLOYED_SAME_EMPLOYER;
    } else {
      outcome = rng.Chance(0.6) ? evt::FOLLOW_UP_OUTCOME_EMPLOYED_OTHER_EMPLOYER : evt::FOLLOW_UP_OUTCOME_NOT_EMPLOYED;
    }
  }
  (void)world;
  return p;
}

std::string ToText(const JourneyPlan& p) {
  std::string modules;
  for (const ModulePlan& m : p.modules) {
    for (auto mark : m.marks) absl::StrAppend(&modules, static_cast<int>(mark));
    absl::StrAppend(&modules, m.pass_first ? "P" : "F", m.pass_retake ? "p" : "f",
                    absl::StrFormat("%.6f", m.score_draw), " ");
  }
  const CandidatePlan& c = p.candidate;
  return absl::StrCat(
      p.request_prefix, " ", p.region_code, " ", p.track_id, " w", p.wave, " c", p.cohort, " | ", c.given_name, " ",
      c.family_name, " ", c.national_id, " ", c.phone, " ", c.email, " age ", c.age, "-", c.birth_days_back, " g",
      static_cast<int>(c.gender), " e", static_cast<int>(c.education), " ", c.residence_province, " | adm ",
      static_cast<int>(p.admission), " dec ", p.declines, " wd ", p.withdraws, " | ", modules, "| drop ",
      p.drops_out, "@", p.dropout_slot, " ", p.dropout_reason, " cert ", p.certified, " | placed ", p.placed, " +",
      p.days_to_job, "d t", static_cast<int>(p.placement_type), " s", static_cast<int>(p.salary), " offer ",
      p.offer_first, "-", p.offer_lead_days, " emp ", p.employer_pick, "/", p.other_employer_pick, " ver ",
      p.verified, "-", static_cast<int>(p.verify_source), " fu ", static_cast<int>(p.follow_ups[0]),
      static_cast<int>(p.follow_ups[1]), static_cast<int>(p.follow_ups[2]), " done ", p.follow_up_done[0],
      p.follow_up_done[1], p.follow_up_done[2]);
}

std::string ToText(const WorldPlan& w) {
  std::vector<std::string> lines;
  for (const auto& c : w.centres) lines.push_back(absl::StrCat(c.request_id, " ", c.name, " ", c.province_code));
  for (const auto& c : w.cohorts) {
    lines.push_back(absl::StrCat(c.request_id, " ", c.name, " cap ", c.capacity, " ", c.start_offset, "..",
                                 c.end_offset));
  }
  for (const auto& e : w.employers) {
    lines.push_back(absl::StrCat(e.request_id, " ", e.name, " ", e.ice, " ", e.sector, " ", e.province_code, " ",
                                 e.partner));
  }
  for (const auto& o : w.offers) {
    lines.push_back(absl::StrCat(o.request_id, " ", o.title, " ", static_cast<int>(o.contract), " ",
                                 static_cast<int>(o.salary), " ", o.openings));
  }
  return absl::StrJoin(lines, "\n");
}

}  // namespace jit::simulator
