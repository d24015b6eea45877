// Behaviour of the placement domain core, on the in-memory repository with a
// fake clock (2025-10-15) and fake peers: hermetic, no sleeps.
#include "services/placement/domain/placement_service.h"

#include <memory>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "absl/time/civil_time.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "libs/clock/clock.h"
#include "libs/status/field_violations.h"
#include "services/placement/domain/events.h"
#include "services/placement/domain/testing/fake_peers.h"
#include "services/placement/domain/testing/in_memory_repository.h"

namespace jit::placement {
namespace {

namespace cmn = ::jobintech::common::v1;

namespace ev = ::jobintech::events::v1;
using ::testing::ElementsAre;
using testing::FakeEnrollmentClient;
using testing::FakeProgressClient;
using ::testing::HasSubstr;
using testing::InMemoryPlacementRepository;
using ::testing::IsEmpty;
using testing::SampleDimensions;
using ::testing::UnorderedElementsAre;

constexpr char kTraceparent[] =
    "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";
// ICEs with valid control digits.
constexpr char kIceA[] = "001561191000066";
constexpr char kIceB[] = "002136093000040";
constexpr char kIceC[] = "000036794000036";

std::vector<std::string> ViolatedFields(const absl::Status& s) {
  std::vector<std::string> fields;
  for (const auto& v : status::GetFieldViolations(s)) fields.push_back(v.field);
  return fields;
}

absl::Time At(absl::CivilDay day) {
  return absl::FromCivil(day, absl::UTCTimeZone());
}

class PlacementServiceTest : public ::testing::Test {
 protected:
  PlacementServiceTest() {
    service_ = std::make_unique<PlacementService>(&repo_, &clock_, &progress_,
                                                  &enrollment_);
  }
  PlacementService& svc() { return *service_; }

  template <typename T>
  static T Must(absl::StatusOr<T> r) {
    EXPECT_TRUE(r.ok()) << r.status();
    return r.ok() ? *std::move(r) : T{};
  }

  RequestContext Ctx() {
    RequestContext ctx;
    ctx.request_id = absl::StrCat("req-", ++next_request_);
    ctx.traceparent = kTraceparent;
    return ctx;
  }
  RequestContext Ctx(std::string id) {
    RequestContext ctx;
    ctx.request_id = std::move(id);
    ctx.traceparent = kTraceparent;
    return ctx;
  }

  static NewEmployer EmployerInput(const std::string& ice = kIceA,
                                   const std::string& province = "MA-CAS") {
    NewEmployer e;
    e.name = "Atlas Cyber Services";
    e.ice = ice;
    e.sector = "it-services";
    e.province_code = province;
    e.partner = true;
    return e;
  }
  std::string MakeEmployer(const std::string& ice = kIceA,
                           const std::string& province = "MA-CAS") {
    return Must(svc().RegisterEmployer(Ctx(), EmployerInput(ice, province)))
        .employer_id;
  }

  NewJobOffer JobInput(const std::string& employer_id) {
    NewJobOffer o;
    o.employer_id = employer_id;
    o.title = "Analyste SOC junior";
    o.track_id = "cybersecurity";
    o.contract_type = ev::PLACEMENT_TYPE_SALARIED_PERMANENT;
    o.salary_band = ev::SALARY_BAND_5000_7999;
    o.openings = 3;
    return o;
  }

  // A trainee who completed the training on 2025-06-30.
  std::string Exited(const std::string& id = "trn_1",
                     absl::CivilDay exit = absl::CivilDay(2025, 6, 30)) {
    progress_.SetExited(id, ev::EXIT_KIND_COMPLETED, exit);
    return id;
  }

  NewPlacement PlacementInput(const std::string& trainee,
                              const std::string& employer,
                              absl::CivilDay start = absl::CivilDay(2025, 8,
                                                                    1)) {
    NewPlacement p;
    p.trainee_id = trainee;
    p.type = ev::PLACEMENT_TYPE_SALARIED_PERMANENT;
    p.employer_id = employer;
    p.start_date = start;
    p.salary_band = ev::SALARY_BAND_5000_7999;
    p.verification = ev::VERIFICATION_SOURCE_SELF_REPORT;
    return p;
  }

  NewFollowUp FollowUpInput(const std::string& trainee, int months,
                            FollowUpOutcome outcome) {
    NewFollowUp f;
    f.trainee_id = trainee;
    f.months_after_exit = months;
    f.outcome = outcome;
    return f;
  }

  std::vector<DomainEvent> EventsOf(const std::string& trainee_id) {
    std::vector<DomainEvent> out;
    for (const DomainEvent& e : repo_.published()) {
      if (e.trainee_id == trainee_id) out.push_back(e);
    }
    return out;
  }

  FakeClock clock_{At(absl::CivilDay(2025, 10, 15))};
  InMemoryPlacementRepository repo_;
  FakeProgressClient progress_;
  FakeEnrollmentClient enrollment_;
  std::unique_ptr<PlacementService> service_;
  int next_request_ = 0;
};

// ---------------------------------------------------------------- employers

TEST_F(PlacementServiceTest, RegisterEmployerDerivesRegionAndPublishes) {
  const Employer e =
      Must(svc().RegisterEmployer(Ctx(), EmployerInput(kIceA, "MA-FQH")));
  EXPECT_THAT(e.employer_id, HasSubstr("emp_"));
  EXPECT_EQ(e.region_code, "MA-05");
  EXPECT_EQ(e.ice, kIceA);
  EXPECT_TRUE(e.partner);
  const auto events = repo_.published();
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].kind, EventKind::kEmployerRegistered);
  EXPECT_EQ(events[0].aggregate_id, e.employer_id);
  EXPECT_TRUE(events[0].trainee_id.empty());
  EXPECT_EQ(events[0].sequence, 1);
  ASSERT_TRUE(events[0].employer.has_value());
  EXPECT_EQ(events[0].employer->sector, "it-services");
  EXPECT_EQ(events[0].traceparent, kTraceparent);
}

TEST_F(PlacementServiceTest, RegisterEmployerReportsEveryViolationAtOnce) {
  NewEmployer bad;
  bad.name = " ";
  bad.ice = "001561191000065";
  bad.sector = "IT Services";
  bad.province_code = "MA-XXX";
  RequestContext ctx = Ctx("");
  const auto r = svc().RegisterEmployer(ctx, bad);
  ASSERT_EQ(r.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(
      ViolatedFields(r.status()),
      ElementsAre("request_id", "name", "ice", "sector", "province_code"));
  EXPECT_EQ(repo_.commit_count(), 0);
}

TEST_F(PlacementServiceTest, SameIceTwiceIsAlreadyExists) {
  const std::string first = MakeEmployer(kIceA);
  NewEmployer again = EmployerInput("00 15 61 19 10 00 066");
  again.name = "Another name";
  const auto r = svc().RegisterEmployer(Ctx(), again);
  EXPECT_EQ(r.status().code(), absl::StatusCode::kAlreadyExists);
  EXPECT_THAT(std::string(r.status().message()), HasSubstr(first));
}

TEST_F(PlacementServiceTest, RepeatedRequestIdReplaysAndWritesNothing) {
  const Employer a = Must(svc().RegisterEmployer(Ctx("r1"), EmployerInput()));
  const Employer b = Must(svc().RegisterEmployer(Ctx("r1"), EmployerInput()));
  EXPECT_EQ(a, b);
  EXPECT_EQ(repo_.published().size(), 1u);
  EXPECT_EQ(
      Must(svc().ListEmployers(EmployerFilter{}, PageQuery{})).items.size(),
      1u);
  // The same id for another operation is refused.
  const auto other = svc().PostJobOffer(Ctx("r1"), JobInput(a.employer_id));
  EXPECT_EQ(other.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(ViolatedFields(other.status()), ElementsAre("request_id"));
}

TEST_F(PlacementServiceTest, ListEmployersFiltersAndPages) {
  const std::string cas = MakeEmployer(kIceA, "MA-CAS");
  const std::string fqh = MakeEmployer(kIceB, "MA-FQH");
  NewEmployer bank = EmployerInput(kIceC, "MA-RAB");
  bank.sector = "banking";
  bank.partner = false;
  const std::string rab = Must(svc().RegisterEmployer(Ctx(), bank)).employer_id;

  EmployerFilter by_region;
  by_region.region_code = "MA-05";
  auto page = Must(svc().ListEmployers(by_region, PageQuery{}));
  ASSERT_EQ(page.items.size(), 1u);
  EXPECT_EQ(page.items[0].employer_id, fqh);

  EmployerFilter partners;
  partners.partner = true;
  page = Must(svc().ListEmployers(partners, PageQuery{}));
  std::set<std::string> ids;
  for (const auto& e : page.items) ids.insert(e.employer_id);
  EXPECT_EQ(ids, (std::set<std::string>{cas, fqh}));

  EmployerFilter sector;
  sector.sector = "banking";
  page = Must(svc().ListEmployers(sector, PageQuery{}));
  ASSERT_EQ(page.items.size(), 1u);
  EXPECT_EQ(page.items[0].employer_id, rab);

  // Pages of two, then one.
  PageQuery q;
  q.limit = 2;
  page = Must(svc().ListEmployers(EmployerFilter{}, q));
  ASSERT_EQ(page.items.size(), 2u);
  ASSERT_FALSE(page.next_after_key.empty());
  q.after_key = page.next_after_key;
  auto rest = Must(svc().ListEmployers(EmployerFilter{}, q));
  EXPECT_EQ(rest.items.size(), 1u);
  EXPECT_TRUE(rest.next_after_key.empty());

  EmployerFilter bad;
  bad.province_code = "MA-ZZZ";
  EXPECT_THAT(ViolatedFields(svc().ListEmployers(bad, PageQuery{}).status()),
              ElementsAre("province_code"));
}

TEST_F(PlacementServiceTest, SetEmployerPartnerFlagsAndUnflags) {
  const std::string id = MakeEmployer();
  clock_.Advance(absl::Hours(1));
  const Employer off = Must(svc().SetEmployerPartner(Ctx(), id, false));
  EXPECT_FALSE(off.partner);
  EXPECT_GT(off.update_time, off.create_time);
  EXPECT_FALSE(Must(svc().GetEmployer(id)).partner);
  EXPECT_EQ(svc().SetEmployerPartner(Ctx(), "emp_nope", true).status().code(),
            absl::StatusCode::kNotFound);
}

// ---------------------------------------------------------------- job offers

TEST_F(PlacementServiceTest, PostJobOfferDefaultsToTheEmployersProvince) {
  const std::string employer = MakeEmployer(kIceA, "MA-FQH");
  const JobOffer o = Must(svc().PostJobOffer(Ctx(), JobInput(employer)));
  EXPECT_THAT(o.job_offer_id, HasSubstr("job_"));
  EXPECT_EQ(o.province_code, "MA-FQH");
  EXPECT_EQ(o.region_code, "MA-05");
  EXPECT_TRUE(o.open);
  const auto events = repo_.published();
  ASSERT_EQ(events.size(), 2u);
  EXPECT_EQ(events[1].kind, EventKind::kJobOfferPosted);
  EXPECT_EQ(events[1].aggregate_id, o.job_offer_id);
  EXPECT_EQ(events[1].sequence, 1);

  NewJobOffer elsewhere = JobInput(employer);
  elsewhere.province_code = "MA-TNG";
  EXPECT_EQ(Must(svc().PostJobOffer(Ctx(), elsewhere)).region_code, "MA-01");
}

TEST_F(PlacementServiceTest, PostJobOfferValidatesEveryField) {
  NewJobOffer bad;
  bad.employer_id = "";
  bad.title = "";
  bad.track_id = "Cyber";
  bad.province_code = "MA-QQQ";
  bad.contract_type = ev::PLACEMENT_TYPE_SELF_EMPLOYED;
  bad.salary_band = ev::SALARY_BAND_UNSPECIFIED;
  bad.openings = 0;
  EXPECT_THAT(ViolatedFields(svc().PostJobOffer(Ctx(), bad).status()),
              ElementsAre("employer_id", "title", "track_id", "province_code",
                          "contract_type", "salary_band", "openings"));
  EXPECT_EQ(svc().PostJobOffer(Ctx(), JobInput("emp_unknown")).status().code(),
            absl::StatusCode::kNotFound);
  EXPECT_THAT(repo_.published(), IsEmpty());
}

TEST_F(PlacementServiceTest, CloseJobOfferOnceAndListByOpenTrackRegion) {
  const std::string cas = MakeEmployer(kIceA, "MA-CAS");
  const std::string fqh = MakeEmployer(kIceB, "MA-FQH");
  const JobOffer a = Must(svc().PostJobOffer(Ctx(), JobInput(cas)));
  NewJobOffer marketing = JobInput(fqh);
  marketing.track_id = "digital-marketing";
  const JobOffer b = Must(svc().PostJobOffer(Ctx(), marketing));

  const JobOffer closed = Must(svc().CloseJobOffer(Ctx(), a.job_offer_id));
  EXPECT_FALSE(closed.open);
  EXPECT_TRUE(closed.close_time.has_value());
  EXPECT_EQ(svc().CloseJobOffer(Ctx(), a.job_offer_id).status().code(),
            absl::StatusCode::kFailedPrecondition);

  JobOfferFilter open;
  open.open = true;
  auto page = Must(svc().ListJobOffers(open, PageQuery{}));
  ASSERT_EQ(page.items.size(), 1u);
  EXPECT_EQ(page.items[0].job_offer_id, b.job_offer_id);

  JobOfferFilter track;
  track.track_id = "cybersecurity";
  page = Must(svc().ListJobOffers(track, PageQuery{}));
  ASSERT_EQ(page.items.size(), 1u);
  EXPECT_EQ(page.items[0].job_offer_id, a.job_offer_id);

  JobOfferFilter region;
  region.region_code = "MA-05";
  page = Must(svc().ListJobOffers(region, PageQuery{}));
  ASSERT_EQ(page.items.size(), 1u);
  EXPECT_EQ(page.items[0].job_offer_id, b.job_offer_id);
}

// ---------------------------------------------------------------- job search

TEST_F(PlacementServiceTest, PeerCallsGetTheCallersDeadline) {
  progress_.SetExited("trn_deadline", ev::EXIT_KIND_COMPLETED,
                      absl::CivilDay(2025, 6, 30));
  RequestContext ctx = Ctx();
  ctx.deadline = absl::FromUnixSeconds(1'900'000'000);
  Must(svc().StartJobSearch(ctx, "trn_deadline"));
  EXPECT_EQ(progress_.last_deadline(), ctx.deadline);
  EXPECT_EQ(progress_.last_traceparent(), kTraceparent);
}

TEST_F(PlacementServiceTest, StartJobSearchAfterExitCarriesDimensionsAndExit) {
  const std::string t = Exited();
  const TraineeResult r = Must(svc().StartJobSearch(Ctx(), t));
  EXPECT_EQ(r.trainee.state, ev::PLACEMENT_STATE_JOB_SEEKING);
  EXPECT_EQ(r.trainee.exit.kind, ev::EXIT_KIND_COMPLETED);
  EXPECT_EQ(r.trainee.exit.date, absl::CivilDay(2025, 6, 30));
  EXPECT_EQ(r.trainee.exit.cohort_id, "coh_1");
  EXPECT_EQ(r.trainee.dimensions, SampleDimensions());
  EXPECT_EQ(progress_.last_traceparent(), kTraceparent);
  EXPECT_EQ(progress_.last_deadline(), std::nullopt);  // the caller set none
  const auto events = EventsOf(t);
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].kind, EventKind::kJobSearchStarted);
  EXPECT_EQ(events[0].sequence, 1);
  EXPECT_EQ(events[0].previous_state, ev::PLACEMENT_STATE_UNSPECIFIED);
  EXPECT_EQ(events[0].new_state, ev::PLACEMENT_STATE_JOB_SEEKING);
  EXPECT_EQ(events[0].dimensions, SampleDimensions());
  EXPECT_EQ(events[0].exit, r.trainee.exit);
}

TEST_F(PlacementServiceTest, JobSearchBeforeExitIsRefusedAndWritesNothing) {
  progress_.SetInTraining("trn_active");
  const auto r = svc().StartJobSearch(Ctx(), "trn_active");
  EXPECT_EQ(r.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(std::string(r.status().message()), HasSubstr("ACTIVE"));
  EXPECT_EQ(repo_.commit_count(), 0);
  EXPECT_THAT(repo_.published(), IsEmpty());
}

TEST_F(PlacementServiceTest, PeerDownIsUnavailableAndWritesNothing) {
  const std::string t = Exited();
  progress_.SetDown(true);
  for (int i = 0; i < 2; ++i) {
    const RequestContext ctx = Ctx("start-1");
    const auto r = svc().StartJobSearch(ctx, t);
    EXPECT_EQ(r.status().code(), absl::StatusCode::kUnavailable);
    EXPECT_THAT(std::string(r.status().message()),
                HasSubstr("training-progress"));
  }
  const std::string employer = MakeEmployer();
  const int64_t commits = repo_.commit_count();
  EXPECT_EQ(
      svc().RecordPlacement(Ctx(), PlacementInput(t, employer)).status().code(),
      absl::StatusCode::kUnavailable);
  EXPECT_EQ(repo_.commit_count(), commits);
  EXPECT_EQ(svc().GetTrainee(t).status().code(), absl::StatusCode::kNotFound);
  EXPECT_THAT(EventsOf(t), IsEmpty());
  // Back up: the same request id now succeeds (a failed request stored
  // nothing).
  progress_.SetDown(false);
  EXPECT_TRUE(svc().StartJobSearch(Ctx("start-1"), t).ok());
}

TEST_F(PlacementServiceTest, ReplayAndKnownTraineeAskNoPeer) {
  const std::string t = Exited();
  const TraineeResult first = Must(svc().StartJobSearch(Ctx("s"), t));
  const int calls = progress_.calls();
  progress_.SetDown(true);
  EXPECT_EQ(Must(svc().StartJobSearch(Ctx("s"), t)), first);
  const auto again = svc().StartJobSearch(Ctx(), t);
  EXPECT_EQ(again.status().code(), absl::StatusCode::kAlreadyExists);
  const std::string employer = MakeEmployer();
  EXPECT_TRUE(svc().RecordPlacement(Ctx(), PlacementInput(t, employer)).ok());
  EXPECT_EQ(progress_.calls(), calls);
}

TEST_F(PlacementServiceTest, UnknownTraineeIsNotFound) {
  const auto r = svc().StartJobSearch(Ctx(), "trn_ghost");
  EXPECT_EQ(r.status().code(), absl::StatusCode::kNotFound);
  EXPECT_THAT(std::string(r.status().message()), HasSubstr("trn_ghost"));
}

TEST_F(PlacementServiceTest,
       WithdrawnBeforeAnyTrainingRecordExitsOnWithdrawal) {
  // Unknown to training progress; withdrawn in enrollment on 2025-09-01.
  enrollment_.Set("trn_w", "WITHDRAWN", absl::CivilDay(2025, 9, 1),
                  SampleDimensions("coh_9"));
  const TraineeResult r = Must(svc().StartJobSearch(Ctx(), "trn_w"));
  EXPECT_EQ(r.trainee.exit.kind, ev::EXIT_KIND_WITHDRAWN);
  EXPECT_EQ(r.trainee.exit.date, absl::CivilDay(2025, 9, 1));
  EXPECT_EQ(r.trainee.exit.cohort_id, "coh_9");
  EXPECT_EQ(r.trainee.dimensions.cohort_id, "coh_9");

  enrollment_.Set("trn_e", "ENROLLED", absl::CivilDay(2025, 9, 1));
  EXPECT_EQ(svc().StartJobSearch(Ctx(), "trn_e").status().code(),
            absl::StatusCode::kFailedPrecondition);
  enrollment_.SetDown(true);
  const auto down = svc().StartJobSearch(Ctx(), "trn_x");
  EXPECT_EQ(down.status().code(), absl::StatusCode::kUnavailable);
  EXPECT_THAT(std::string(down.status().message()), HasSubstr("enrollment"));
}

TEST_F(PlacementServiceTest, MissingDimensionsAreCompletedFromEnrollment) {
  progress_.SetExited("trn_d", ev::EXIT_KIND_DROPPED_OUT,
                      absl::CivilDay(2025, 7, 1), Dimensions{});
  enrollment_.Set("trn_d", "ENROLLED", absl::CivilDay(2025, 1, 1),
                  SampleDimensions("coh_7"));
  const TraineeResult r = Must(svc().StartJobSearch(Ctx(), "trn_d"));
  EXPECT_EQ(r.trainee.dimensions.cohort_id, "coh_7");
  EXPECT_EQ(r.trainee.exit.kind, ev::EXIT_KIND_DROPPED_OUT);
}

TEST_F(PlacementServiceTest, ExitInTheFutureIsRefused) {
  progress_.SetExited("trn_f", ev::EXIT_KIND_COMPLETED,
                      absl::CivilDay(2025, 12, 1));
  EXPECT_EQ(svc().StartJobSearch(Ctx(), "trn_f").status().code(),
            absl::StatusCode::kFailedPrecondition);
}

// ---------------------------------------------------------------- lifecycle

TEST_F(PlacementServiceTest, FullLifecycleMovesStatesAndNumbersEvents) {
  const std::string t = Exited();
  const std::string employer = MakeEmployer(kIceA, "MA-FQH");
  const std::string other = MakeEmployer(kIceB, "MA-CAS");
  const JobOffer job = Must(svc().PostJobOffer(Ctx(), JobInput(employer)));

  // The first offer starts the job search.
  NewOffer offer;
  offer.trainee_id = t;
  offer.job_offer_id = job.job_offer_id;
  offer.offered_on = absl::CivilDay(2025, 7, 15);
  const TraineeResult offered = Must(svc().RecordOffer(Ctx(), offer));
  EXPECT_EQ(offered.trainee.state, ev::PLACEMENT_STATE_OFFERED);
  ASSERT_TRUE(offered.offer.has_value());
  EXPECT_EQ(offered.offer->employer_id, employer);
  // A second offer keeps it OFFERED.
  NewOffer second;
  second.trainee_id = t;
  second.employer_id = other;
  second.offered_on = absl::CivilDay(2025, 7, 20);
  EXPECT_EQ(Must(svc().RecordOffer(Ctx(), second)).trainee.state,
            ev::PLACEMENT_STATE_OFFERED);

  NewPlacement p = PlacementInput(t, "");
  p.job_offer_id = job.job_offer_id;
  const TraineeResult placed = Must(svc().RecordPlacement(Ctx(), p));
  EXPECT_EQ(placed.trainee.state, ev::PLACEMENT_STATE_PLACED);
  ASSERT_TRUE(placed.placement.has_value());
  EXPECT_EQ(placed.placement->employer_id, employer);
  EXPECT_EQ(placed.trainee.current_placement_id,
            placed.placement->placement_id);
  EXPECT_EQ(placed.trainee.first_placement_date, absl::CivilDay(2025, 8, 1));
  const std::string pid = placed.placement->placement_id;

  const TraineeResult verified =
      Must(svc().VerifyPlacement(Ctx(), pid, ev::VERIFICATION_SOURCE_EMPLOYER));
  EXPECT_TRUE(verified.placement->verified());
  EXPECT_TRUE(verified.placement->verify_time.has_value());
  EXPECT_EQ(verified.trainee.state, ev::PLACEMENT_STATE_PLACED);

  const TraineeResult ended = Must(svc().EndPlacement(
      Ctx(), pid, absl::CivilDay(2025, 10, 1), cmn::PLACEMENT_END_REASON_TRIAL_PERIOD,
      "end of trial period"));
  EXPECT_EQ(ended.trainee.state, ev::PLACEMENT_STATE_ENDED);
  EXPECT_TRUE(ended.trainee.current_placement_id.empty());
  EXPECT_EQ(ended.placement->end_date, absl::CivilDay(2025, 10, 1));
  EXPECT_EQ(ended.placement->end_reason, "end of trial period");
  EXPECT_EQ(ended.placement->end_reason_code, cmn::PLACEMENT_END_REASON_TRIAL_PERIOD);
  // The event carries the code on the placement; the mapper publishes the
  // code only (event_mapper_test).

  // Looking again: placed with another employer.
  const TraineeResult again = Must(svc().RecordPlacement(
      Ctx(), PlacementInput(t, other, absl::CivilDay(2025, 10, 10))));
  EXPECT_EQ(again.trainee.state, ev::PLACEMENT_STATE_PLACED);
  // The schedule was fixed by the first placement.
  EXPECT_EQ(again.trainee.first_placement_date, absl::CivilDay(2025, 8, 1));

  const auto events = EventsOf(t);
  std::vector<EventKind> kinds;
  for (const auto& e : events) kinds.push_back(e.kind);
  EXPECT_THAT(
      kinds,
      ElementsAre(EventKind::kJobSearchStarted, EventKind::kOfferRecorded,
                  EventKind::kOfferRecorded, EventKind::kPlacementStarted,
                  EventKind::kPlacementVerified, EventKind::kPlacementEnded,
                  EventKind::kPlacementStarted));
  using S = PlacementState;
  const std::vector<std::pair<S, S>> moves = {
      {ev::PLACEMENT_STATE_UNSPECIFIED, ev::PLACEMENT_STATE_JOB_SEEKING},
      {ev::PLACEMENT_STATE_JOB_SEEKING, ev::PLACEMENT_STATE_OFFERED},
      {ev::PLACEMENT_STATE_OFFERED, ev::PLACEMENT_STATE_OFFERED},
      {ev::PLACEMENT_STATE_OFFERED, ev::PLACEMENT_STATE_PLACED},
      {ev::PLACEMENT_STATE_PLACED, ev::PLACEMENT_STATE_PLACED},
      {ev::PLACEMENT_STATE_PLACED, ev::PLACEMENT_STATE_ENDED},
      {ev::PLACEMENT_STATE_ENDED, ev::PLACEMENT_STATE_PLACED}};
  for (size_t i = 0; i < events.size(); ++i) {
    EXPECT_EQ(events[i].sequence, static_cast<int64_t>(i + 1));
    EXPECT_EQ(events[i].previous_state, moves[i].first) << i;
    EXPECT_EQ(events[i].new_state, moves[i].second) << i;
    EXPECT_EQ(events[i].dimensions, SampleDimensions()) << i;
    EXPECT_EQ(events[i].exit.date, absl::CivilDay(2025, 6, 30)) << i;
  }
  ASSERT_TRUE(events[3].employer.has_value());
  EXPECT_EQ(events[3].employer->region_code, "MA-05");
  EXPECT_EQ(events[4].previous_verification,
            ev::VERIFICATION_SOURCE_SELF_REPORT);

  const TraineeView view = Must(svc().GetTrainee(t));
  EXPECT_EQ(view.offers.size(), 2u);
  ASSERT_EQ(view.placements.size(), 2u);
  EXPECT_EQ(view.placements[0].placement_id, pid);
  EXPECT_EQ(view.follow_ups.size(), 3u);
}

TEST_F(PlacementServiceTest, PlacementBeforeExitIsFailedPrecondition) {
  progress_.SetInTraining("trn_in");
  const std::string employer = MakeEmployer();
  const int64_t commits = repo_.commit_count();
  const auto r =
      svc().RecordPlacement(Ctx(), PlacementInput("trn_in", employer));
  EXPECT_EQ(r.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(std::string(r.status().message()), HasSubstr("not exited"));
  EXPECT_EQ(repo_.commit_count(), commits);
}

TEST_F(PlacementServiceTest, StartDateBeforeExitOrInTheFutureIsInvalid) {
  const std::string t = Exited();
  const std::string employer = MakeEmployer();
  auto r = svc().RecordPlacement(
      Ctx(), PlacementInput(t, employer, absl::CivilDay(2025, 6, 29)));
  EXPECT_EQ(r.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(ViolatedFields(r.status()), ElementsAre("start_date"));
  EXPECT_THAT(std::string(r.status().message()), HasSubstr("2025-06-30"));
  // Nothing of the refused call stays: not even the job search.
  EXPECT_EQ(svc().GetTrainee(t).status().code(), absl::StatusCode::kNotFound);

  r = svc().RecordPlacement(
      Ctx(), PlacementInput(t, employer, absl::CivilDay(2025, 10, 16)));
  EXPECT_THAT(ViolatedFields(r.status()), ElementsAre("start_date"));
  // The exit day itself and today are fine.
  EXPECT_TRUE(
      svc()
          .RecordPlacement(
              Ctx(), PlacementInput(t, employer, absl::CivilDay(2025, 6, 30)))
          .ok());
}

TEST_F(PlacementServiceTest, PlacementFieldsFollowTheType) {
  NewPlacement self;
  self.trainee_id = "trn_1";
  self.type = ev::PLACEMENT_TYPE_SELF_EMPLOYED;
  self.employer_id = "emp_x";
  self.start_date = absl::CivilDay(2025, 8, 1);
  self.salary_band = ev::SALARY_BAND_UNSPECIFIED;
  self.verification = ev::VERIFICATION_SOURCE_UNSPECIFIED;
  EXPECT_THAT(ViolatedFields(svc().RecordPlacement(Ctx(), self).status()),
              ElementsAre("employer_id", "salary_band", "verification"));

  NewPlacement study = self;
  study.type = ev::PLACEMENT_TYPE_FURTHER_STUDY;
  study.employer_id = "";
  study.salary_band = ev::SALARY_BAND_3000_4999;
  study.verification = ev::VERIFICATION_SOURCE_SELF_REPORT;
  EXPECT_THAT(ViolatedFields(svc().RecordPlacement(Ctx(), study).status()),
              ElementsAre("salary_band"));

  NewPlacement salaried = self;
  salaried.type = ev::PLACEMENT_TYPE_INTERNSHIP;
  salaried.employer_id = "";
  salaried.salary_band = ev::SALARY_BAND_UNDER_3000;
  salaried.verification = ev::VERIFICATION_SOURCE_SELF_REPORT;
  salaried.start_date.reset();
  EXPECT_THAT(ViolatedFields(svc().RecordPlacement(Ctx(), salaried).status()),
              ElementsAre("employer_id", "start_date"));

  NewPlacement none = self;
  none.type = ev::PLACEMENT_TYPE_UNSPECIFIED;
  none.employer_id = "";
  none.salary_band = ev::SALARY_BAND_UNDISCLOSED;
  none.verification = ev::VERIFICATION_SOURCE_SELF_REPORT;
  EXPECT_THAT(ViolatedFields(svc().RecordPlacement(Ctx(), none).status()),
              ElementsAre("type"));

  // Further study and self-employment need no employer.
  const std::string t = Exited();
  study.trainee_id = t;
  study.salary_band = ev::SALARY_BAND_UNSPECIFIED;
  const TraineeResult r = Must(svc().RecordPlacement(Ctx(), study));
  EXPECT_TRUE(r.placement->employer_id.empty());
  const auto events = EventsOf(t);
  ASSERT_EQ(events.size(), 2u);
  EXPECT_FALSE(events[1].employer.has_value());
}

TEST_F(PlacementServiceTest, JobOfferAndEmployerMustAgree) {
  const std::string t = Exited();
  const std::string a = MakeEmployer(kIceA);
  const std::string b = MakeEmployer(kIceB);
  const JobOffer job = Must(svc().PostJobOffer(Ctx(), JobInput(a)));
  NewPlacement p = PlacementInput(t, b);
  p.job_offer_id = job.job_offer_id;
  EXPECT_THAT(ViolatedFields(svc().RecordPlacement(Ctx(), p).status()),
              ElementsAre("employer_id"));
  p.job_offer_id = "job_unknown";
  EXPECT_EQ(svc().RecordPlacement(Ctx(), p).status().code(),
            absl::StatusCode::kNotFound);
  EXPECT_EQ(svc()
                .RecordPlacement(Ctx(), PlacementInput(t, "emp_unknown"))
                .status()
                .code(),
            absl::StatusCode::kNotFound);
}

TEST_F(PlacementServiceTest, IllegalMovesNameBothStates) {
  const std::string t = Exited();
  const std::string employer = MakeEmployer();
  const std::string pid =
      Must(svc().RecordPlacement(Ctx(), PlacementInput(t, employer)))
          .placement->placement_id;
  auto r = svc().RecordPlacement(Ctx(), PlacementInput(t, employer));
  EXPECT_EQ(r.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(std::string(r.status().message()),
              HasSubstr("PLACED -> PLACED is not a legal transition"));
  EXPECT_THAT(std::string(r.status().message()), HasSubstr(pid));
  NewOffer offer;
  offer.trainee_id = t;
  offer.employer_id = employer;
  offer.offered_on = absl::CivilDay(2025, 9, 1);
  r = svc().RecordOffer(Ctx(), offer);
  EXPECT_EQ(r.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(std::string(r.status().message()),
              HasSubstr("PLACED -> OFFERED"));
}

TEST_F(PlacementServiceTest, OfferDateRules) {
  const std::string t = Exited();
  const std::string employer = MakeEmployer();
  NewOffer offer;
  offer.trainee_id = t;
  offer.employer_id = employer;
  offer.offered_on = absl::CivilDay(2025, 6, 1);
  EXPECT_THAT(ViolatedFields(svc().RecordOffer(Ctx(), offer).status()),
              ElementsAre("offered_on"));
  offer.offered_on = absl::CivilDay(2025, 11, 1);
  EXPECT_THAT(ViolatedFields(svc().RecordOffer(Ctx(), offer).status()),
              ElementsAre("offered_on"));
  offer.offered_on.reset();
  offer.employer_id.clear();
  EXPECT_THAT(ViolatedFields(svc().RecordOffer(Ctx(), offer).status()),
              ElementsAre("employer_id", "offered_on"));
}

TEST_F(PlacementServiceTest, VerifyRules) {
  const std::string t = Exited();
  const std::string employer = MakeEmployer();
  NewPlacement p = PlacementInput(t, employer);
  p.verification = ev::VERIFICATION_SOURCE_EMPLOYER;
  const TraineeResult placed = Must(svc().RecordPlacement(Ctx(), p));
  EXPECT_TRUE(placed.placement->verify_time.has_value());
  const std::string pid = placed.placement->placement_id;
  EXPECT_THAT(
      ViolatedFields(
          svc()
              .VerifyPlacement(Ctx(), pid, ev::VERIFICATION_SOURCE_SELF_REPORT)
              .status()),
      ElementsAre("verification"));
  EXPECT_EQ(svc()
                .VerifyPlacement(Ctx(), pid, ev::VERIFICATION_SOURCE_EMPLOYER)
                .status()
                .code(),
            absl::StatusCode::kFailedPrecondition);
  EXPECT_TRUE(
      svc()
          .VerifyPlacement(Ctx(), pid, ev::VERIFICATION_SOURCE_SOCIAL_SECURITY)
          .ok());
  EXPECT_EQ(
      svc()
          .VerifyPlacement(Ctx(), "plc_nope", ev::VERIFICATION_SOURCE_EMPLOYER)
          .status()
          .code(),
      absl::StatusCode::kNotFound);
}

TEST_F(PlacementServiceTest, EndRules) {
  const std::string t = Exited();
  const std::string employer = MakeEmployer();
  const std::string pid =
      Must(svc().RecordPlacement(Ctx(), PlacementInput(t, employer)))
          .placement->placement_id;
  EXPECT_THAT(ViolatedFields(svc()
                                 .EndPlacement(Ctx(), pid, absl::CivilDay(2025, 12, 1),
                                               cmn::PLACEMENT_END_REASON_UNSPECIFIED, "")
                                 .status()),
              ElementsAre("reason_code", "end_date"));
  EXPECT_THAT(ViolatedFields(svc()
                                 .EndPlacement(Ctx(), pid, std::nullopt,
                                               cmn::PLACEMENT_END_REASON_OTHER,
                                               std::string(501, 'x'))
                                 .status()),
              ElementsAre("reason"));
  EXPECT_THAT(ViolatedFields(svc()
                                 .EndPlacement(Ctx(), pid,
                                               absl::CivilDay(2025, 7, 31),
                                               cmn::PLACEMENT_END_REASON_OTHER, "x")
                                 .status()),
              ElementsAre("end_date"));
  // Without a date: today.
  const TraineeResult ended =
      Must(svc().EndPlacement(Ctx(), pid, std::nullopt, cmn::PLACEMENT_END_REASON_OTHER, "company closed"));
  EXPECT_EQ(ended.placement->end_date, absl::CivilDay(2025, 10, 15));
  EXPECT_EQ(
      svc().EndPlacement(Ctx(), pid, std::nullopt, cmn::PLACEMENT_END_REASON_OTHER, "again").status().code(),
      absl::StatusCode::kFailedPrecondition);
  // A new placement may not start before the previous one ended.
  EXPECT_THAT(
      ViolatedFields(svc()
                         .RecordPlacement(
                             Ctx(), PlacementInput(t, employer,
                                                   absl::CivilDay(2025, 10, 1)))
                         .status()),
      ElementsAre("start_date"));
}

TEST_F(PlacementServiceTest, FailedCommitLeavesNoTraceAndTheIdMayBeRetried) {
  const std::string t = Exited();
  repo_.FailNextCommit(absl::UnavailableError("disk on fire"));
  EXPECT_EQ(svc().StartJobSearch(Ctx("s1"), t).status().code(),
            absl::StatusCode::kUnavailable);
  EXPECT_THAT(repo_.published(), IsEmpty());
  EXPECT_TRUE(svc().StartJobSearch(Ctx("s1"), t).ok());
  EXPECT_EQ(EventsOf(t).size(), 1u);
}

// ---------------------------------------------------------------- follow-ups

TEST_F(PlacementServiceTest, FollowUpScheduleComesDueWithTheClock) {
  // Exit 2025-06-30, placed 2025-08-01: due 2025-09-30, 2025-12-30,
  // 2026-06-30.
  const std::string t = Exited();
  const std::string employer = MakeEmployer();
  const std::string pid =
      Must(svc().RecordPlacement(Ctx(), PlacementInput(t, employer)))
          .placement->placement_id;
  const TraineeView view = Must(svc().GetTrainee(t));
  ASSERT_EQ(view.follow_ups.size(), 3u);
  EXPECT_EQ(view.follow_ups[0].due_date, absl::CivilDay(2025, 9, 30));
  EXPECT_EQ(view.follow_ups[1].due_date, absl::CivilDay(2025, 12, 30));
  EXPECT_EQ(view.follow_ups[2].due_date, absl::CivilDay(2026, 6, 30));

  auto months_due = [&] {
    std::vector<int> out;
    for (const auto& d :
         Must(svc().ListDueFollowUps(FollowUpFilter{}, PageQuery{})).items) {
      out.push_back(d.follow_up.months);
    }
    return out;
  };
  EXPECT_THAT(months_due(), ElementsAre(3));  // 2025-10-15
  clock_.Set(At(absl::CivilDay(2025, 12, 29)));
  EXPECT_THAT(months_due(), ElementsAre(3));
  clock_.Set(At(absl::CivilDay(2025, 12, 30)));
  EXPECT_THAT(months_due(), ElementsAre(3, 6));

  const TraineeResult r = Must(svc().RecordFollowUp(
      Ctx(),
      FollowUpInput(t, 3, ev::FOLLOW_UP_OUTCOME_EMPLOYED_SAME_EMPLOYER)));
  ASSERT_TRUE(r.follow_up.has_value());
  EXPECT_TRUE(r.follow_up->recorded());
  EXPECT_EQ(r.follow_up->placement_id, pid);
  EXPECT_EQ(r.follow_up->employer_id, employer);
  EXPECT_EQ(r.follow_up->recorded_on, absl::CivilDay(2025, 12, 30));
  EXPECT_THAT(months_due(), ElementsAre(6));

  // Twice is ALREADY_EXISTS; +12 is not due yet.
  EXPECT_EQ(
      svc()
          .RecordFollowUp(
              Ctx(), FollowUpInput(t, 3, ev::FOLLOW_UP_OUTCOME_NOT_EMPLOYED))
          .status()
          .code(),
      absl::StatusCode::kAlreadyExists);
  const auto early = svc().RecordFollowUp(
      Ctx(), FollowUpInput(t, 12, ev::FOLLOW_UP_OUTCOME_NOT_EMPLOYED));
  EXPECT_EQ(early.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(std::string(early.status().message()), HasSubstr("2026-06-30"));

  const auto events = EventsOf(t);
  ASSERT_EQ(events.back().kind, EventKind::kFollowUpRecorded);
  EXPECT_EQ(events.back().previous_state, ev::PLACEMENT_STATE_PLACED);
  EXPECT_EQ(events.back().new_state, ev::PLACEMENT_STATE_PLACED);
  EXPECT_EQ(events.back().follow_up->months, 3);
}

TEST_F(
    PlacementServiceTest,
    FollowUpOfATraineeNeverPlacedIsFailedPreconditionAndOfAnUnknownOneNotFound) {
  const std::string t = Exited();
  ASSERT_TRUE(svc().StartJobSearch(Ctx(), t).ok());
  const int calls = progress_.calls();
  auto r = svc().RecordFollowUp(
      Ctx(), FollowUpInput(t, 3, ev::FOLLOW_UP_OUTCOME_NOT_EMPLOYED));
  EXPECT_EQ(r.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(std::string(r.status().message()), HasSubstr("never placed"));
  r = svc().RecordFollowUp(
      Ctx(),
      FollowUpInput("trn_unknown", 3, ev::FOLLOW_UP_OUTCOME_UNREACHABLE));
  EXPECT_EQ(r.status().code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(
      r.status().message(),
      "trainee 'trn_unknown' has no placement record (no job search started)");
  EXPECT_EQ(progress_.calls(), calls);  // never asks a peer
  EXPECT_THAT(Must(svc().ListDueFollowUps(FollowUpFilter{}, PageQuery{})).items,
              IsEmpty());
}

TEST_F(PlacementServiceTest, LatePlacementSkipsFollowUpsAlreadyPast) {
  // Exit 2025-01-10, first placed 2025-05-01: the +3 date (2025-04-10) has
  // passed, +6 (2025-07-10) and +12 (2026-01-10) are scheduled.
  const std::string t = Exited("trn_late", absl::CivilDay(2025, 1, 10));
  const std::string employer = MakeEmployer();
  ASSERT_TRUE(
      svc()
          .RecordPlacement(
              Ctx(), PlacementInput(t, employer, absl::CivilDay(2025, 5, 1)))
          .ok());
  const TraineeView view = Must(svc().GetTrainee(t));
  ASSERT_EQ(view.follow_ups.size(), 2u);
  EXPECT_EQ(view.follow_ups[0].months, 6);
  EXPECT_EQ(view.follow_ups[1].months, 12);
  const auto r = svc().RecordFollowUp(
      Ctx(), FollowUpInput(t, 3, ev::FOLLOW_UP_OUTCOME_NOT_EMPLOYED));
  EXPECT_EQ(r.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(std::string(r.status().message()), HasSubstr("2025-04-10"));
}

TEST_F(PlacementServiceTest, FollowUpOutcomeEmployerRules) {
  const std::string t = Exited("trn_1", absl::CivilDay(2025, 1, 10));
  const std::string a = MakeEmployer(kIceA);
  const std::string b = MakeEmployer(kIceB);
  ASSERT_TRUE(svc()
                  .RecordPlacement(
                      Ctx(), PlacementInput(t, a, absl::CivilDay(2025, 2, 1)))
                  .ok());
  // +3 and +6 are due on 2025-10-15.
  NewFollowUp f = FollowUpInput(t, 3, ev::FOLLOW_UP_OUTCOME_NOT_EMPLOYED);
  f.employer_id = b;
  EXPECT_THAT(ViolatedFields(svc().RecordFollowUp(Ctx(), f).status()),
              ElementsAre("employer_id"));
  f.outcome = ev::FOLLOW_UP_OUTCOME_EMPLOYED_OTHER_EMPLOYER;
  f.employer_id = a;
  EXPECT_THAT(ViolatedFields(svc().RecordFollowUp(Ctx(), f).status()),
              ElementsAre("employer_id"));
  f.employer_id = "emp_unknown";
  EXPECT_EQ(svc().RecordFollowUp(Ctx(), f).status().code(),
            absl::StatusCode::kNotFound);
  f.employer_id = b;
  EXPECT_EQ(Must(svc().RecordFollowUp(Ctx(), f)).follow_up->employer_id, b);
  NewFollowUp g = FollowUpInput(t, 6, ev::FOLLOW_UP_OUTCOME_UNREACHABLE);
  EXPECT_TRUE(
      Must(svc().RecordFollowUp(Ctx(), g)).follow_up->employer_id.empty());
  NewFollowUp bad = FollowUpInput(t, 5, ev::FOLLOW_UP_OUTCOME_UNSPECIFIED);
  EXPECT_THAT(ViolatedFields(svc().RecordFollowUp(Ctx(), bad).status()),
              ElementsAre("months_after_exit", "outcome"));
}

TEST_F(PlacementServiceTest, DueFollowUpsAreOrderedPagedAndFilteredByRegion) {
  const std::string employer = MakeEmployer();
  Dimensions tanger = SampleDimensions();
  tanger.training_province_code = "MA-TNG";
  tanger.training_region_code = "MA-01";
  progress_.SetExited("trn_b", ev::EXIT_KIND_COMPLETED,
                      absl::CivilDay(2025, 3, 1));
  progress_.SetExited("trn_a", ev::EXIT_KIND_COMPLETED,
                      absl::CivilDay(2025, 3, 1), tanger);
  progress_.SetExited("trn_c", ev::EXIT_KIND_DROPPED_OUT,
                      absl::CivilDay(2025, 2, 1));
  for (const char* t : {"trn_a", "trn_b", "trn_c"}) {
    ASSERT_TRUE(
        svc()
            .RecordPlacement(
                Ctx(), PlacementInput(t, employer, absl::CivilDay(2025, 3, 15)))
            .ok());
  }
  // Due on 2025-10-15: trn_c +3 (05-01), trn_a +3, trn_b +3 (06-01),
  // trn_c +6 (08-01), trn_a +6, trn_b +6 (09-01).
  std::vector<std::string> seen;
  PageQuery q;
  q.limit = 4;
  while (true) {
    auto page = Must(svc().ListDueFollowUps(FollowUpFilter{}, q));
    for (const auto& d : page.items) {
      seen.push_back(
          absl::StrCat(d.follow_up.trainee_id, "+", d.follow_up.months));
      EXPECT_EQ(d.trainee.trainee_id, d.follow_up.trainee_id);
    }
    if (page.next_after_key.empty()) break;
    q.after_key = page.next_after_key;
  }
  EXPECT_THAT(seen, ElementsAre("trn_c+3", "trn_a+3", "trn_b+3", "trn_c+6",
                                "trn_a+6", "trn_b+6"));
  FollowUpFilter region;
  region.region_code = "MA-01";
  auto page = Must(svc().ListDueFollowUps(region, PageQuery{}));
  ASSERT_EQ(page.items.size(), 2u);
  EXPECT_EQ(page.items[0].follow_up.trainee_id, "trn_a");
  region.region_code = "MA-99";
  EXPECT_EQ(svc().ListDueFollowUps(region, PageQuery{}).status().code(),
            absl::StatusCode::kInvalidArgument);
}

TEST_F(PlacementServiceTest, ListPlacementsByEmployerActiveAndVerified) {
  const std::string a = MakeEmployer(kIceA);
  const std::string b = MakeEmployer(kIceB);
  for (const char* t : {"trn_1", "trn_2", "trn_3"}) Exited(t);
  const std::string p1 =
      Must(svc().RecordPlacement(Ctx(), PlacementInput("trn_1", a)))
          .placement->placement_id;
  const std::string p2 =
      Must(svc().RecordPlacement(Ctx(), PlacementInput("trn_2", a)))
          .placement->placement_id;
  const std::string p3 =
      Must(svc().RecordPlacement(Ctx(), PlacementInput("trn_3", b)))
          .placement->placement_id;
  ASSERT_TRUE(
      svc().VerifyPlacement(Ctx(), p1, ev::VERIFICATION_SOURCE_EMPLOYER).ok());
  ASSERT_TRUE(svc().EndPlacement(Ctx(), p2, std::nullopt, cmn::PLACEMENT_END_REASON_OTHER, "resigned").ok());
  auto ids = [&](const PlacementFilter& f) {
    std::set<std::string> out;
    for (const auto& p : Must(svc().ListPlacements(f, PageQuery{})).items) {
      out.insert(p.placement_id);
    }
    return out;
  };
  PlacementFilter f;
  f.employer_id = a;
  EXPECT_EQ(ids(f), (std::set<std::string>{p1, p2}));
  f.active = true;
  EXPECT_EQ(ids(f), (std::set<std::string>{p1}));
  PlacementFilter unverified;
  unverified.verified = false;
  EXPECT_EQ(ids(unverified), (std::set<std::string>{p2, p3}));
}

TEST_F(PlacementServiceTest, ConcurrentTraineesGetTheirOwnSequences) {
  constexpr int kTrainees = 40;
  for (int i = 0; i < kTrainees; ++i) Exited(absl::StrCat("trn_", i));
  const std::string employer = MakeEmployer();
  std::vector<std::thread> threads;
  for (int w = 0; w < 4; ++w) {
    threads.emplace_back([&, w] {
      for (int i = w; i < kTrainees; i += 4) {
        const std::string t = absl::StrCat("trn_", i);
        RequestContext a;
        a.request_id = absl::StrCat("start-", t);
        EXPECT_TRUE(svc().StartJobSearch(a, t).ok());
        RequestContext b;
        b.request_id = absl::StrCat("place-", t);
        EXPECT_TRUE(svc().RecordPlacement(b, PlacementInput(t, employer)).ok());
      }
    });
  }
  for (auto& th : threads) th.join();
  for (int i = 0; i < kTrainees; ++i) {
    const auto events = EventsOf(absl::StrCat("trn_", i));
    ASSERT_EQ(events.size(), 2u);
    EXPECT_EQ(events[0].sequence, 1);
    EXPECT_EQ(events[1].sequence, 2);
  }
}

// Row scoping: a placement officer of MA-01 (Tanger) neither reads nor
// changes the placements of a trainee trained elsewhere; out of scope reads
// exactly like missing, and lists leave it out.
TEST_F(PlacementServiceTest,
       ALimitedScopeReadsAndChangesOnlyItsTraineesPlacements) {
  const std::string employer = MakeEmployer();
  Dimensions tanger = SampleDimensions();
  tanger.training_province_code = "MA-TNG";
  tanger.training_region_code = "MA-01";
  progress_.SetExited("trn_t", ev::EXIT_KIND_COMPLETED,
                      absl::CivilDay(2025, 3, 1), tanger);
  progress_.SetExited("trn_o", ev::EXIT_KIND_COMPLETED,
                      absl::CivilDay(2025, 3, 1));
  const std::string mine =
      Must(svc().RecordPlacement(Ctx(), PlacementInput("trn_t", employer)))
          .placement->placement_id;
  const std::string theirs =
      Must(svc().RecordPlacement(Ctx(), PlacementInput("trn_o", employer)))
          .placement->placement_id;
  const command::Scope ma01 = command::Scope::Limited({"MA-01"}, {});

  EXPECT_TRUE(svc().GetPlacement(mine, ma01).ok());
  const absl::Status out_of_scope = svc().GetPlacement(theirs, ma01).status();
  EXPECT_EQ(out_of_scope.code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(
      std::string(out_of_scope.message()),
      absl::StrReplaceAll(
          std::string(svc().GetPlacement("plc_none", ma01).status().message()),
          {{"plc_none", theirs}}));
  EXPECT_EQ(svc().GetTrainee("trn_o", ma01).status().code(),
            absl::StatusCode::kNotFound);
  EXPECT_TRUE(svc().GetTrainee("trn_t", ma01).ok());
  const auto listed =
      Must(svc().ListPlacements(PlacementFilter{}, PageQuery{}, ma01));
  ASSERT_EQ(listed.items.size(), 1u);
  EXPECT_EQ(listed.items[0].placement_id, mine);

  RequestContext limited = Ctx();
  limited.scope = ma01;
  EXPECT_EQ(svc().EndPlacement(limited, theirs, std::nullopt, cmn::PLACEMENT_END_REASON_OTHER, "contract ended").status().code(),
            absl::StatusCode::kNotFound);
  EXPECT_TRUE(Must(svc().GetPlacement(theirs)).active());  // unchanged
  // A follow-up of a trainee out of scope: missing, before any date check.
  RequestContext limited5 = Ctx();
  limited5.scope = ma01;
  const absl::Status follow_up =
      svc()
          .RecordFollowUp(
              limited5,
              FollowUpInput("trn_o", 3, ev::FOLLOW_UP_OUTCOME_UNREACHABLE))
          .status();
  EXPECT_EQ(follow_up.code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(follow_up.message(),
            "trainee 'trn_o' has no placement record (no job search started)");
  // A trainee the peers know but out of scope cannot be started either.
  progress_.SetExited("trn_n", ev::EXIT_KIND_COMPLETED,
                      absl::CivilDay(2025, 3, 1));
  RequestContext limited2 = Ctx();
  limited2.scope = ma01;
  const absl::Status known_elsewhere =
      svc().StartJobSearch(limited2, "trn_n").status();
  EXPECT_EQ(known_elsewhere.code(), absl::StatusCode::kNotFound);
  // Word for word what an id nobody knows gets, whether the trainee has a
  // record here (trn_o) or only at the peers (trn_n).
  RequestContext limited3 = Ctx();
  limited3.scope = ma01;
  const absl::Status unknown =
      svc().StartJobSearch(limited3, "trn_nobody").status();
  ASSERT_EQ(unknown.code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(std::string(known_elsewhere.message()),
            absl::StrReplaceAll(std::string(unknown.message()),
                                {{"trn_nobody", "trn_n"}}));
  RequestContext limited4 = Ctx();
  limited4.scope = ma01;
  const absl::Status recorded_elsewhere =
      svc()
          .RecordPlacement(limited4, PlacementInput("trn_o", employer))
          .status();
  EXPECT_EQ(std::string(recorded_elsewhere.message()),
            absl::StrReplaceAll(std::string(unknown.message()),
                                {{"trn_nobody", "trn_o"}}));
}

TEST_F(PlacementServiceTest, EraseTraineeNotesClearsEndNotesInRowsAndAnswers) {
  const std::string t = Exited();
  const std::string employer = MakeEmployer();
  const std::string pid =
      Must(svc().RecordPlacement(Ctx(), PlacementInput(t, employer)))
          .placement->placement_id;
  const RequestContext end = Ctx();
  Must(svc().EndPlacement(end, pid, std::nullopt,
                          cmn::PLACEMENT_END_REASON_DISMISSED,
                          "note naming the manager"));
  const size_t events = repo_.published().size();

  const NotesErasure erased = Must(svc().EraseTraineeNotes(Ctx(), t));
  EXPECT_EQ(erased.notes_erased, 2);  // the placement and the stored answer
  const Placement p = Must(svc().GetPlacement(pid));
  EXPECT_EQ(p.end_reason, "");
  EXPECT_EQ(p.end_reason_code, cmn::PLACEMENT_END_REASON_DISMISSED);
  const TraineeResult replay =
      Must(svc().EndPlacement(end, pid, std::nullopt,
                              cmn::PLACEMENT_END_REASON_DISMISSED,
                              "note naming the manager"));
  EXPECT_EQ(replay.placement->end_reason, "");
  EXPECT_EQ(replay.placement->end_reason_code,
            cmn::PLACEMENT_END_REASON_DISMISSED);
  EXPECT_EQ(repo_.published().size(), events);
  EXPECT_EQ(Must(svc().EraseTraineeNotes(Ctx(), t)).notes_erased, 0);
  EXPECT_EQ(Must(svc().EraseTraineeNotes(Ctx(), "trn_nobody")).notes_erased, 0);
  EXPECT_THAT(ViolatedFields(svc().EraseTraineeNotes(Ctx(), "").status()),
              ElementsAre("trainee_id"));
}

}  // namespace
}  // namespace jit::placement
