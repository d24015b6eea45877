#include "tools/simulator/runner.h"

#include <algorithm>
#include <cmath>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "libs/log/log.h"
#include "tools/jitctl/enums.h"

namespace jit::simulator {
namespace {

namespace ev1 = jobintech::enrollment::v1;
namespace pgv1 = jobintech::progress::v1;
namespace plv1 = jobintech::placement::v1;
namespace cv1 = jobintech::common::v1;
namespace evt = jobintech::events::v1;

using jitctl::FromDate;
using jitctl::ToDate;

// Rounds to half points, as assessments are marked.
double HalfPoints(double x) { return std::round(x * 2) / 2; }

}  // namespace

void Tally::Add(const std::string& name, int64_t n) {
  std::lock_guard<std::mutex> lock(mu_);
  counts_[name] += n;
}

std::map<std::string, int64_t> Tally::Snapshot() const {
  std::lock_guard<std::mutex> lock(mu_);
  return counts_;
}

int64_t Tally::Get(const std::string& name) const {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = counts_.find(name);
  return it == counts_.end() ? 0 : it->second;
}

absl::Status Runner::Call(const JourneyPlan* plan, const std::string& step,
                          absl::FunctionRef<grpc::Status(grpc::ClientContext*)> call) {
  absl::Status st = jitctl::CallWithRetry(options_.policy, call);
  tally_.Add("calls");
  if (st.ok()) {
    consecutive_unavailable_ = 0;
    return st;
  }
  if (jitctl::IsUnreachable(st)) ++consecutive_unavailable_;
  tally_.Add(absl::StrCat("errors.", step, ".", absl::StatusCodeToString(st.code())));
  tally_.Add("errors");
  log::Event(log::Level::kWarn, "call failed",
             {{"journey", plan == nullptr ? std::string("setup") : plan->request_prefix},
              {"step", step},
              {"code", absl::StatusCodeToString(st.code())},
              {"error", std::string(st.message())}});
  return st;
}

absl::Status Runner::Setup() {
  regions_ = Regions();
  // Tracks: those asked for (created when missing), else every track.
  ev1::ListTracksResponse listed;
  absl::Status st = Call(nullptr, "list-tracks", [&](grpc::ClientContext* c) {
    return stubs_.enrollment->ListTracks(c, ev1::ListTracksRequest(), &listed);
  });
  if (!st.ok()) return st;
  std::vector<std::string> existing;
  for (const auto& t : listed.tracks()) existing.push_back(t.track_id());
  tracks_ = options_.tracks.empty() ? existing : options_.tracks;
  std::sort(tracks_.begin(), tracks_.end());
  for (const std::string& t : tracks_) {
    if (std::find(existing.begin(), existing.end(), t) != existing.end()) continue;
    ev1::CreateTrackRequest req;
    req.set_request_id(absl::StrCat("sim-track-", t));
    req.mutable_track()->set_track_id(t);
    req.mutable_track()->set_name_fr(t);
    ev1::CreateTrackResponse resp;
    st = Call(nullptr, "create-track", [&](grpc::ClientContext* c) { return stubs_.enrollment->CreateTrack(c, req, &resp); });
    if (!st.ok() && !absl::IsAlreadyExists(st)) return st;
  }
  // Curricula: the published one, else the simulator's default.
  for (const std::string& t : tracks_) {
    pgv1::GetCurriculumRequest get;
    get.set_track_id(t);
    pgv1::GetCurriculumResponse got;
    st = jitctl::CallWithRetry(options_.policy, [&](grpc::ClientContext* c) {
      return stubs_.progress->GetCurriculum(c, get, &got);
    });
    pgv1::Curriculum curriculum = got.curriculum();
    if (absl::IsNotFound(st)) {
      pgv1::PublishCurriculumRequest req;
      req.set_request_id(absl::StrCat("sim-curriculum-", t, "-v1"));
      req.set_track_id(t);
      int order = 0;
      for (const ModuleSpec& m : DefaultCurriculum(t)) {
        auto* pm = req.add_modules();
        pm->set_module_id(m.module_id);
        pm->set_title(m.title);
        pm->set_order(++order);
        pm->set_hours(m.hours);
        pm->set_max_score(m.max_score);
        pm->set_pass_mark(m.pass_mark);
        pm->set_required(m.required);
      }
      pgv1::PublishCurriculumResponse resp;
      st = Call(nullptr, "publish-curriculum",
                [&](grpc::ClientContext* c) { return stubs_.progress->PublishCurriculum(c, req, &resp); });
      if (!st.ok()) return st;
      curriculum = resp.curriculum();
      tally_.Add("curricula_published");
    } else if (!st.ok()) {
      return st;
    }
    std::vector<pgv1::Module> modules(curriculum.modules().begin(), curriculum.modules().end());
    std::sort(modules.begin(), modules.end(),
              [](const pgv1::Module& a, const pgv1::Module& b) { return a.order() < b.order(); });
    for (const auto& m : modules) {
      curricula_[t].push_back({m.module_id(), m.title(), m.hours(), m.max_score(), m.pass_mark(), m.required()});
    }
  }

  world_ = MakeWorldPlan(config_, options_.seed, regions_, tracks_, options_.employers_per_region);
  std::map<std::string, std::string> centre_of_region;
  for (const CentrePlan& c : world_.centres) {
    ev1::CreateCentreRequest req;
    req.set_request_id(c.request_id);
    req.set_name(c.name);
    req.set_operator_name(c.operator_name);
    req.set_province_code(c.province_code);
    ev1::CreateCentreResponse resp;
    st = Call(nullptr, "create-centre", [&](grpc::ClientContext* ctx) { return stubs_.enrollment->CreateCentre(ctx, req, &resp); });
    if (!st.ok()) return st;
    centre_of_region[c.region_code] = resp.centre().centre_id();
  }
  for (const CohortPlan& p : world_.cohorts) {
    ev1::CreateCohortRequest req;
    req.set_request_id(p.request_id);
    req.set_name(p.name);
    req.set_track_id(p.track_id);
    req.set_centre_id(centre_of_region[p.region_code]);
    req.set_capacity(p.capacity);
    *req.mutable_start_date() = ToDate(options_.today + p.start_offset);
    *req.mutable_end_date() = ToDate(options_.today + p.end_offset);
    req.set_status(ev1::COHORT_STATUS_OPEN);
    ev1::CreateCohortResponse resp;
    st = Call(nullptr, "create-cohort", [&](grpc::ClientContext* c) { return stubs_.enrollment->CreateCohort(c, req, &resp); });
    if (!st.ok()) return st;
    cohorts_.push_back({resp.cohort().cohort_id(), FromDate(resp.cohort().start_date()), FromDate(resp.cohort().end_date())});
  }
  for (const EmployerPlan& e : world_.employers) {
    plv1::RegisterEmployerRequest req;
    req.set_request_id(e.request_id);
    req.set_name(e.name);
    req.set_ice(e.ice);
    req.set_sector(e.sector);
    req.set_province_code(e.province_code);
    req.set_partner(e.partner);
    plv1::RegisterEmployerResponse resp;
    st = Call(nullptr, "register-employer", [&](grpc::ClientContext* c) { return stubs_.placement->RegisterEmployer(c, req, &resp); });
    std::string id = resp.employer().employer_id();
    if (absl::IsAlreadyExists(st)) {
      // Registered before under another request id: find it by its ICE.
      plv1::ListEmployersRequest list;
      list.set_province_code(e.province_code);
      list.mutable_page()->set_page_size(500);
      plv1::ListEmployersResponse found;
      st = Call(nullptr, "list-employers", [&](grpc::ClientContext* c) { return stubs_.placement->ListEmployers(c, list, &found); });
      for (const auto& x : found.employers()) {
        if (x.ice() == e.ice) id = x.employer_id();
      }
    }
    if (!st.ok()) return st;
    employer_ids_.push_back(id);
  }
  for (const JobOfferPlan& o : world_.offers) {
    const std::string& employer_id = employer_ids_[o.employer];
    if (employer_id.empty()) continue;
    plv1::PostJobOfferRequest req;
    req.set_request_id(o.request_id);
    req.set_employer_id(employer_id);
    req.set_title(o.title);
    req.set_track_id(o.track_id);
    req.set_contract_type(o.contract);
    req.set_salary_band(o.salary);
    req.set_openings(o.openings);
    plv1::PostJobOfferResponse resp;
    st = Call(nullptr, "post-job-offer", [&](grpc::ClientContext* c) { return stubs_.placement->PostJobOffer(c, req, &resp); });
    if (!st.ok()) return st;
    offer_ids_[employer_id + "/" + o.track_id] = resp.job_offer().job_offer_id();
    offer_types_[employer_id + "/" + o.track_id] = o.contract;
  }
  tally_.Add("centres", static_cast<int64_t>(world_.centres.size()));
  tally_.Add("cohorts", static_cast<int64_t>(cohorts_.size()));
  tally_.Add("employers", static_cast<int64_t>(employer_ids_.size()));
  tally_.Add("job_offers", static_cast<int64_t>(offer_ids_.size()));
  log::Event(log::Level::kInfo, "catalogue ready",
             {{"tracks", static_cast<int64_t>(tracks_.size())},
              {"centres", static_cast<int64_t>(world_.centres.size())},
              {"cohorts", static_cast<int64_t>(cohorts_.size())},
              {"employers", static_cast<int64_t>(employer_ids_.size())},
              {"job_offers", static_cast<int64_t>(offer_ids_.size())}});
  return absl::OkStatus();
}

const std::string* Runner::EmployerFor(const std::string& region, int pick, const std::string* avoid) const {
  std::vector<const std::string*> ids;
  for (size_t i = 0; i < world_.employers.size(); ++i) {
    if (world_.employers[i].region_code == region && !employer_ids_[i].empty() &&
        (avoid == nullptr || employer_ids_[i] != *avoid)) {
      ids.push_back(&employer_ids_[i]);
    }
  }
  if (ids.empty()) return nullptr;
  return ids[static_cast<size_t>(pick) % ids.size()];
}

const std::string* Runner::JobOfferFor(const std::string& employer_id, const std::string& track) const {
  auto it = offer_ids_.find(employer_id + "/" + track);
  return it == offer_ids_.end() ? nullptr : &it->second;
}

absl::Status Runner::RunJourney(const JourneyPlan& p) {
  if (p.cohort < 0 || p.cohort >= static_cast<int>(cohorts_.size())) return absl::OkStatus();
  const Cohort& cohort = cohorts_[p.cohort];
  const absl::CivilDay today = options_.today;
  auto rid = [&](const std::string& step) { return absl::StrCat(p.request_prefix, "-", step); };

  // 1. Application.
  ev1::SubmitApplicationRequest submit;
  submit.set_request_id(rid("apply"));
  submit.set_cohort_id(cohort.cohort_id);
  auto* cand = submit.mutable_candidate();
  cand->set_given_name(p.candidate.given_name);
  cand->set_family_name(p.candidate.family_name);
  cand->set_national_id(p.candidate.national_id);
  const absl::CivilDay birthday(today.year() - p.candidate.age, today.month(), today.day());
  *cand->mutable_birth_date() = ToDate(birthday - p.candidate.birth_days_back);
  cand->set_phone(p.candidate.phone);
  cand->set_email(p.candidate.email);
  submit.set_gender(p.candidate.gender);
  submit.set_education_level(p.candidate.education);
  submit.set_residence_province_code(p.candidate.residence_province);
  ev1::SubmitApplicationResponse submitted;
  {
    absl::Status st = Call(&p, "apply", [&](grpc::ClientContext* c) { return stubs_.enrollment->SubmitApplication(c, submit, &submitted); });
    if (!st.ok()) return st;
  }
  tally_.Add("applied");
  const std::string app_id = submitted.application().application_id();
  const std::string trainee_id = submitted.application().trainee_id();

  // 2. Admission.
  if (p.admission == Admission::kReject) {
    ev1::RejectApplicationRequest req;
    req.set_request_id(rid("reject"));
    req.set_application_id(app_id);
    req.set_reason_code(cv1::REJECTION_REASON_ELIGIBILITY_NOT_MET);
    req.set_reason("profil ne correspondant pas aux prérequis du parcours");
    ev1::RejectApplicationResponse resp;
    absl::Status st = Call(&p, "reject", [&](grpc::ClientContext* c) { return stubs_.enrollment->RejectApplication(c, req, &resp); });
    if (st.ok()) tally_.Add("rejected");
    return st;
  }
  if (p.admission == Admission::kWaitlist) {
    ev1::WaitlistApplicationRequest req;
    req.set_request_id(rid("waitlist"));
    req.set_application_id(app_id);
    ev1::WaitlistApplicationResponse resp;
    absl::Status st = Call(&p, "waitlist", [&](grpc::ClientContext* c) { return stubs_.enrollment->WaitlistApplication(c, req, &resp); });
    if (st.ok()) tally_.Add("waitlisted");
    return st;
  }
  {
    ev1::AdmitApplicationRequest req;
    req.set_request_id(rid("admit"));
    req.set_application_id(app_id);
    ev1::AdmitApplicationResponse resp;
    absl::Status st = Call(&p, "admit", [&](grpc::ClientContext* c) { return stubs_.enrollment->AdmitApplication(c, req, &resp); });
    if (!st.ok()) return st;
    if (resp.application().status() == ev1::APPLICATION_STATUS_WAITLISTED) {
      tally_.Add("waitlisted_cohort_full");
      return absl::OkStatus();
    }
    tally_.Add("admitted");
  }
  if (p.declines) {
    ev1::DeclineAdmissionRequest req;
    req.set_request_id(rid("decline"));
    req.set_application_id(app_id);
    req.set_reason_code(cv1::DECLINE_REASON_OTHER_TRAINING);
    req.set_reason("a choisi une autre formation");
    ev1::DeclineAdmissionResponse resp;
    absl::Status st = Call(&p, "decline", [&](grpc::ClientContext* c) { return stubs_.enrollment->DeclineAdmission(c, req, &resp); });
    if (st.ok()) tally_.Add("declined");
    return st;
  }
  {
    ev1::ConfirmEnrolmentRequest req;
    req.set_request_id(rid("enrol"));
    req.set_application_id(app_id);
    ev1::ConfirmEnrolmentResponse resp;
    absl::Status st = Call(&p, "enrol", [&](grpc::ClientContext* c) { return stubs_.enrollment->ConfirmEnrolment(c, req, &resp); });
    if (!st.ok()) return st;
    tally_.Add("enrolled");
  }
  if (p.withdraws) {
    ev1::WithdrawEnrolmentRequest req;
    req.set_request_id(rid("withdraw"));
    req.set_application_id(app_id);
    req.set_reason_code(cv1::WITHDRAWAL_REASON_PERSONAL_OR_FAMILY);
    req.set_reason("contraintes personnelles");
    ev1::WithdrawEnrolmentResponse resp;
    absl::Status st = Call(&p, "withdraw", [&](grpc::ClientContext* c) { return stubs_.enrollment->WithdrawEnrolment(c, req, &resp); });
    if (st.ok()) tally_.Add("withdrawn");
    return st;
  }

  // 3. Training, module by module, on the cohort's calendar; nothing after
  // today is recorded (running cohorts stop there).
  const std::vector<ModuleSpec>& modules = curricula_[p.track_id];
  const int m_count = static_cast<int>(modules.size());
  if (m_count == 0) return absl::OkStatus();
  const int days = static_cast<int>(cohort.end - cohort.start) + 1;
  const int span = std::max(3, days / m_count);
  bool exited = false;
  bool completed = false;
  bool dropped = false;
  absl::CivilDay exit_day = today;
  bool training_over = true;  // false when stopped by today
  bool required_failed = false;
  const int dropout_module = std::min(p.dropout_slot, m_count - 1);
  for (int k = 0; k < m_count && !exited; ++k) {
    if (stop_->load()) return absl::CancelledError("stopping");
    const ModuleSpec& m = modules[k];
    const ModulePlan& slot = p.modules[k % kMaxModules];
    const absl::CivilDay win_start = cohort.start + k * span;
    const absl::CivilDay win_end = (k == m_count - 1) ? cohort.end : win_start + (span - 1);
    const int gap = std::max(1, (span - 2) / kSessionsPerModule);
    for (int s = 0; s < static_cast<int>(slot.marks.size()); ++s) {
      const absl::CivilDay day = std::min(win_start + s * gap, win_end);
      if (day > today) {
        training_over = false;
        break;
      }
      pgv1::RecordAttendanceRequest req;
      req.set_request_id(rid(absl::StrCat("att-", k, "-", s)));
      req.set_cohort_id(cohort.cohort_id);
      req.set_module_id(m.module_id);
      *req.mutable_session_date() = ToDate(day);
      auto* e = req.add_entries();
      e->set_trainee_id(trainee_id);
      e->set_mark(slot.marks[s]);
      pgv1::RecordAttendanceResponse resp;
      absl::Status st = Call(&p, "attendance", [&](grpc::ClientContext* c) { return stubs_.progress->RecordAttendance(c, req, &resp); });
      if (!st.ok()) return st;
      tally_.Add("attendance_marks");
    }
    if (!training_over) break;
    if (p.drops_out && k == dropout_module) {
      const absl::CivilDay day = win_start + 1;
      if (day > today) {
        training_over = false;
        break;
      }
      pgv1::RecordDropOutRequest req;
      req.set_request_id(rid("dropout"));
      req.set_cohort_id(cohort.cohort_id);
      req.set_trainee_id(trainee_id);
      req.set_reason_code(p.dropout_reason_code);
      req.set_reason(p.dropout_reason);
      *req.mutable_exit_date() = ToDate(day);
      pgv1::RecordDropOutResponse resp;
      absl::Status st = Call(&p, "dropout", [&](grpc::ClientContext* c) { return stubs_.progress->RecordDropOut(c, req, &resp); });
      if (!st.ok()) return st;
      tally_.Add("dropped_out");
      exited = dropped = true;
      exit_day = day;
      break;
    }
    // Assessment, and a retake when failed.
    bool passed = false;
    for (int attempt = 1; attempt <= 2 && !passed; ++attempt) {
      const absl::CivilDay day = attempt == 1 ? std::max(win_start, win_end - 1) : win_end;
      if (day > today) {
        training_over = false;
        break;
      }
      const bool pass = attempt == 1 ? slot.pass_first : slot.pass_retake;
      const double score =
          pass ? std::min(m.max_score, HalfPoints(m.pass_mark + slot.score_draw * (m.max_score - m.pass_mark)))
               : std::max(0.0, std::min(m.pass_mark - 0.5, HalfPoints(slot.score_draw * m.pass_mark * 0.95)));
      pgv1::RecordAssessmentRequest req;
      req.set_request_id(rid(absl::StrCat("assess-", k, "-", attempt)));
      req.set_cohort_id(cohort.cohort_id);
      req.set_trainee_id(trainee_id);
      req.set_module_id(m.module_id);
      req.set_score(score);
      *req.mutable_assessed_on() = ToDate(day);
      pgv1::RecordAssessmentResponse resp;
      absl::Status st = Call(&p, "assessment", [&](grpc::ClientContext* c) { return stubs_.progress->RecordAssessment(c, req, &resp); });
      if (!st.ok()) return st;
      tally_.Add("assessments");
      passed = resp.passed();
      if (resp.progress().state() == evt::TRAINING_STATE_COMPLETED) {
        exited = completed = true;
        exit_day = resp.progress().has_exit_date() ? FromDate(resp.progress().exit_date()) : day;
      }
    }
    if (!training_over) break;
    if (!passed && m.required) required_failed = true;
  }
  if (!exited && training_over && cohort.end <= today) {
    // The cohort ended without a completion: a drop-out on the last day.
    pgv1::RecordDropOutRequest req;
    req.set_request_id(rid("dropout"));
    req.set_cohort_id(cohort.cohort_id);
    req.set_trainee_id(trainee_id);
    req.set_reason_code(required_failed ? cv1::DROP_OUT_REASON_ACADEMIC_DIFFICULTY
                                        : cv1::DROP_OUT_REASON_OTHER);
    req.set_reason(required_failed ? "modules obligatoires non validés" : "formation non achevée");
    *req.mutable_exit_date() = ToDate(cohort.end);
    pgv1::RecordDropOutResponse resp;
    absl::Status st = Call(&p, "dropout", [&](grpc::ClientContext* c) { return stubs_.progress->RecordDropOut(c, req, &resp); });
    if (!st.ok()) return st;
    tally_.Add("dropped_out");
    exited = dropped = true;
    exit_day = cohort.end;
  }
  if (!exited) {
    tally_.Add("in_training");
    return absl::OkStatus();
  }
  if (completed) {
    tally_.Add("completed");
    if (p.certified) {
      pgv1::IssueCertificateRequest req;
      req.set_request_id(rid("certificate"));
      req.set_cohort_id(cohort.cohort_id);
      req.set_trainee_id(trainee_id);
      pgv1::IssueCertificateResponse resp;
      absl::Status st = Call(&p, "certificate", [&](grpc::ClientContext* c) { return stubs_.progress->IssueCertificate(c, req, &resp); });
      if (!st.ok()) return st;
      tally_.Add("certified");
    }
  }

  // 4. After exit: job search, offer, placement, verification, follow-ups.
  if (!completed && !p.placed) return absl::OkStatus();
  {
    plv1::StartJobSearchRequest req;
    req.set_request_id(rid("jobsearch"));
    req.set_trainee_id(trainee_id);
    plv1::StartJobSearchResponse resp;
    absl::Status st = Call(&p, "jobsearch", [&](grpc::ClientContext* c) { return stubs_.placement->StartJobSearch(c, req, &resp); });
    if (!st.ok() && !absl::IsAlreadyExists(st)) return st;
    tally_.Add("job_seeking");
  }
  if (!p.placed) return absl::OkStatus();
  const absl::CivilDay start = exit_day + p.days_to_job;
  if (start > today) {
    tally_.Add("still_seeking");
    return absl::OkStatus();
  }
  const bool with_employer = p.placement_type != evt::PLACEMENT_TYPE_SELF_EMPLOYED &&
                             p.placement_type != evt::PLACEMENT_TYPE_FURTHER_STUDY;
  const std::string* employer = with_employer ? EmployerFor(p.region_code, p.employer_pick, nullptr) : nullptr;
  if (with_employer && employer == nullptr) return absl::OkStatus();
  const std::string* job_offer = employer == nullptr ? nullptr : JobOfferFor(*employer, p.track_id);
  if (p.offer_first && employer != nullptr) {
    plv1::RecordOfferRequest req;
    req.set_request_id(rid("offer"));
    req.set_trainee_id(trainee_id);
    req.set_employer_id(*employer);
    if (job_offer != nullptr) req.set_job_offer_id(*job_offer);
    *req.mutable_offered_on() = ToDate(std::max(exit_day, start - p.offer_lead_days));
    plv1::RecordOfferResponse resp;
    absl::Status st = Call(&p, "offer", [&](grpc::ClientContext* c) { return stubs_.placement->RecordOffer(c, req, &resp); });
    if (!st.ok()) return st;
    tally_.Add("offers");
  }
  std::string placement_id;
  {
    plv1::RecordPlacementRequest req;
    req.set_request_id(rid("placement"));
    req.set_trainee_id(trainee_id);
    req.set_type(p.placement_type);
    if (employer != nullptr) req.set_employer_id(*employer);
    if (job_offer != nullptr && offer_types_[*employer + "/" + p.track_id] == p.placement_type) {
      req.set_job_offer_id(*job_offer);
    }
    *req.mutable_start_date() = ToDate(start);
    req.set_salary_band(p.salary);
    req.set_verification(evt::VERIFICATION_SOURCE_SELF_REPORT);
    plv1::RecordPlacementResponse resp;
    absl::Status st = Call(&p, "placement", [&](grpc::ClientContext* c) { return stubs_.placement->RecordPlacement(c, req, &resp); });
    if (!st.ok()) return st;
    tally_.Add("placed");
    placement_id = resp.placement().placement_id();
  }
  if (p.verified) {
    plv1::VerifyPlacementRequest req;
    req.set_request_id(rid("verify"));
    req.set_placement_id(placement_id);
    req.set_verification(p.verify_source);
    plv1::VerifyPlacementResponse resp;
    absl::Status st = Call(&p, "verify", [&](grpc::ClientContext* c) { return stubs_.placement->VerifyPlacement(c, req, &resp); });
    if (!st.ok()) return st;
    tally_.Add("verified");
  }
  for (int i = 0; i < 3; ++i) {
    const absl::CivilDay due = AddMonths(exit_day, kFollowUpMonths[i]);
    if (due > today) break;
    if (due < start) continue;  // not scheduled: placed after that date
    if (!p.follow_up_done[i]) {
      tally_.Add("follow_ups_left_due");
      continue;
    }
    plv1::RecordFollowUpRequest req;
    req.set_request_id(rid(absl::StrCat("followup-", kFollowUpMonths[i])));
    req.set_trainee_id(trainee_id);
    req.set_months_after_exit(kFollowUpMonths[i]);
    req.set_outcome(p.follow_ups[i]);
    if (p.follow_ups[i] == evt::FOLLOW_UP_OUTCOME_EMPLOYED_OTHER_EMPLOYER) {
      if (const std::string* other = EmployerFor(p.region_code, p.other_employer_pick, employer)) {
        req.set_employer_id(*other);
      }
    }
    plv1::RecordFollowUpResponse resp;
    absl::Status st = Call(&p, "followup", [&](grpc::ClientContext* c) { return stubs_.placement->RecordFollowUp(c, req, &resp); });
    if (!st.ok()) return st;
    tally_.Add("follow_ups");
  }
  return absl::OkStatus();
}

absl::Status Runner::Run() {
  const int workers = options_.deterministic ? 1 : std::max(1, options_.concurrency);
  std::atomic<int> next{0};
  std::atomic<int> done{0};
  const absl::Time t0 = absl::Now();
  std::mutex log_mu;
  int last_decile = 0;
  auto worker = [&] {
    for (;;) {
      if (stop_->load()) return;
      if (consecutive_unavailable_.load() >= 5) return;
      const int i = next.fetch_add(1);
      if (i >= options_.journeys) return;
      if (options_.speed > 0) {
        const absl::Time due = t0 + absl::Seconds(i / options_.speed);
        while (absl::Now() < due && !stop_->load()) absl::SleepFor(std::min(absl::Milliseconds(100), due - absl::Now()));
      }
      const JourneyPlan plan = MakeJourneyPlan(config_, options_.seed, world_, regions_, tracks_, i);
      absl::Status st = RunJourney(plan);
      if (!st.ok() && !absl::IsCancelled(st)) tally_.Add("journeys_aborted");
      const int n = ++done;
      tally_.Add("journeys");
      std::lock_guard<std::mutex> lock(log_mu);
      const int decile = n * 10 / std::max(1, options_.journeys);
      if (decile > last_decile) {
        last_decile = decile;
        log::Event(log::Level::kInfo, "progress",
                   {{"journeys_done", n},
                    {"journeys", options_.journeys},
                    {"applied", tally_.Get("applied")},
                    {"enrolled", tally_.Get("enrolled")},
                    {"completed", tally_.Get("completed")},
                    {"placed", tally_.Get("placed")},
                    {"errors", tally_.Get("errors")}});
      }
    }
  };
  std::vector<std::thread> threads;
  for (int w = 0; w < workers; ++w) threads.emplace_back(worker);
  for (auto& t : threads) t.join();
  if (consecutive_unavailable_.load() >= 5) {
    return absl::UnavailableError("the services stopped answering");
  }
  return absl::OkStatus();
}

}  // namespace jit::simulator
