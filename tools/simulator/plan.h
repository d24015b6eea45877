// The simulator's plan: what the world looks like (centres, cohorts,
// employers, job offers) and what each journey will do, drawn from a seed
// before any call is made. Pure data: the same (config, seed, journey)
// always gives the same plan, and journey j's plan does not depend on the
// number of journeys.
//
// Calendar. Cohorts come in four waves, dated relative to the day the
// simulation runs ("today"), so that every dashboard window is exercised
// and the final figures do not depend on the day of the run:
//   wave 0: ended ~15 months ago (the +3/+6/+12 month windows are closed),
//   wave 1: ended ~8.5 months ago (6-month window closed, 12-month open),
//   wave 2: ended ~2 months ago (windows open: provisional rates),
//   wave 3: running now (trainees active; nothing after today is recorded).
// The services accept past dates for attendance, assessments, drop-outs,
// offers and placements (never future ones), and follow-ups become due at
// exit + 3/6/12 months by the placement service's clock, so past waves can be
// followed up at once. Exits are dated by the simulated calendar (the
// assessment that completes the training, or the drop-out date); a
// withdrawal is dated by the enrollment service's clock (today).
#ifndef JIT_TOOLS_SIMULATOR_PLAN_H_
#define JIT_TOOLS_SIMULATOR_PLAN_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/time/civil_time.h"
#include "jobintech/common/v1/common.pb.h"
#include "jobintech/common/v1/reasons.pb.h"
#include "jobintech/events/v1/placement_events.pb.h"
#include "jobintech/events/v1/progress_events.pb.h"
#include "tools/simulator/config.h"

namespace jit::simulator {

inline constexpr int kWaves = 4;
// Last day of each wave's cohorts, in days from today.
inline constexpr int kWaveEndOffset[kWaves] = {-470, -260, -70, 100};
inline constexpr int kCohortDays = 180;
inline constexpr int kSessionsPerModule = 2;
// Module slots planned per journey; a curriculum with more modules reuses
// the plan of slot (i % kMaxModules).
inline constexpr int kMaxModules = 8;
inline constexpr int kFollowUpMonths[3] = {3, 6, 12};

struct ModuleSpec {
  std::string module_id;
  std::string title;
  double hours;
  double max_score;
  double pass_mark;
  bool required;
};

// The curriculum published for a track that has none yet.
std::vector<ModuleSpec> DefaultCurriculum(const std::string& track_id);

struct RegionSpec {
  std::string region_code;
  std::string centre_province;  // where the region's centre is
  std::vector<std::string> provinces;
};

// The 12 regions (from the geo atlas) with their centre's province.
std::vector<RegionSpec> Regions();

struct CentrePlan {
  std::string request_id;
  std::string region_code;
  std::string name;
  std::string operator_name;
  std::string province_code;
};

struct CohortPlan {
  std::string request_id;
  std::string region_code;
  std::string track_id;
  int wave = 0;
  std::string name;
  int capacity = 0;
  int start_offset = 0;  // days from today
  int end_offset = 0;
};

struct EmployerPlan {
  std::string request_id;
  std::string region_code;
  std::string name;
  std::string ice;
  std::string sector;
  std::string province_code;
  bool partner = false;
};

struct JobOfferPlan {
  std::string request_id;
  int employer = 0;  // index in WorldPlan::employers
  std::string track_id;
  std::string title;
  jobintech::events::v1::PlacementType contract = jobintech::events::v1::PLACEMENT_TYPE_UNSPECIFIED;
  jobintech::events::v1::SalaryBand salary = jobintech::events::v1::SALARY_BAND_UNSPECIFIED;
  int openings = 1;
};

struct WorldPlan {
  std::vector<CentrePlan> centres;    // one per region
  std::vector<CohortPlan> cohorts;    // region x track x wave
  std::vector<EmployerPlan> employers;
  std::vector<JobOfferPlan> offers;   // one per employer and track
};

// Centres and employers are shared by every seed (request ids without the
// seed: a later run reuses them); cohorts and job offers belong to the seed
// (each run is a new intake).
WorldPlan MakeWorldPlan(const SimConfig& config, uint64_t seed, const std::vector<RegionSpec>& regions,
                        const std::vector<std::string>& tracks, int employers_per_region);

enum class Admission { kAdmit, kWaitlist, kReject };

struct CandidatePlan {
  std::string given_name;
  std::string family_name;
  std::string national_id;
  std::string phone;
  std::string email;
  int age = 0;             // on the day of the run
  int birth_days_back = 0; // 1..360 extra days, so the age holds all year
  jobintech::common::v1::Gender gender = jobintech::common::v1::GENDER_UNSPECIFIED;
  jobintech::common::v1::EducationLevel education = jobintech::common::v1::EDUCATION_LEVEL_UNSPECIFIED;
  std::string residence_province;
};

struct ModulePlan {
  std::vector<jobintech::events::v1::AttendanceMark> marks;  // one per session
  bool pass_first = true;
  bool pass_retake = true;
  double score_draw = 0;  // [0, 1): where in the pass (or fail) range the score falls
};

struct JourneyPlan {
  int index = 0;
  std::string request_prefix;  // "sim-<seed>-j<index>"
  std::string region_code;
  std::string track_id;
  int wave = 0;
  int cohort = 0;  // index in WorldPlan::cohorts
  CandidatePlan candidate;
  Admission admission = Admission::kAdmit;
  bool declines = false;
  bool withdraws = false;
  std::vector<ModulePlan> modules;  // kMaxModules slots
  bool drops_out = false;
  int dropout_slot = 0;       // module slot during which the trainee leaves
  // The drop-out's reason code and the staff's note that goes with it.
  jobintech::common::v1::DropOutReason dropout_reason_code =
      jobintech::common::v1::DROP_OUT_REASON_UNSPECIFIED;
  std::string dropout_reason;
  bool certified = false;
  bool placed = false;        // finds a placement at some point after exit
  int days_to_job = 0;
  jobintech::events::v1::PlacementType placement_type = jobintech::events::v1::PLACEMENT_TYPE_UNSPECIFIED;
  jobintech::events::v1::SalaryBand salary = jobintech::events::v1::SALARY_BAND_UNSPECIFIED;
  bool offer_first = false;
  int offer_lead_days = 0;
  int employer_pick = 0;      // which employer of the region
  int other_employer_pick = 0;
  bool verified = false;
  jobintech::events::v1::VerificationSource verify_source =
      jobintech::events::v1::VERIFICATION_SOURCE_UNSPECIFIED;
  bool follow_up_done[3] = {true, true, true};  // recorded when due (else left due)
  jobintech::events::v1::FollowUpOutcome follow_ups[3] = {
      jobintech::events::v1::FOLLOW_UP_OUTCOME_UNSPECIFIED, jobintech::events::v1::FOLLOW_UP_OUTCOME_UNSPECIFIED,
      jobintech::events::v1::FOLLOW_UP_OUTCOME_UNSPECIFIED};
};

JourneyPlan MakeJourneyPlan(const SimConfig& config, uint64_t seed, const WorldPlan& world,
                            const std::vector<RegionSpec>& regions, const std::vector<std::string>& tracks,
                            int index);

// Canonical one-line renderings, for logs and for comparing plans.
std::string ToText(const JourneyPlan& plan);
std::string ToText(const WorldPlan& world);

// A valid ICE: 13 digits then the 2 control digits that make the 15-digit
// number a multiple of 97.
std::string IceFromDigits(uint64_t thirteen_digits);
// date + months, clamped to the month's last day (as the placement service
// schedules follow-ups).
absl::CivilDay AddMonths(absl::CivilDay day, int months);

}  // namespace jit::simulator

#endif  // JIT_TOOLS_SIMULATOR_PLAN_H_
