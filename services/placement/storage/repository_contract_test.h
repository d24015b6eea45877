// The contract every PlacementRepository must honour (repository.h), as a
// value-parameterized gtest suite. A store's test instantiates it with a
// factory that returns a fresh, empty repository per test:
//
//   INSTANTIATE_TEST_SUITE_P(
//       Stores, PlacementRepositoryContractTest,
//       ::testing::Values(storage::testing::SqliteFileParam<...>(...),
//                         storage::testing::InMemoryParam<...>()),
//       PlacementContractParamName);
//
// (libs/storage/testing/repository_contract.h: the parameter, the SQLite
// temporary-file and in-memory implementations, written once.)
//
// Include this header from exactly one .cc file per test binary (it defines
// the tests). Covered: insert/find/update/list of every entity with
// ALREADY_EXISTS and NOT_FOUND; ICE uniqueness; keyset paging and filters;
// offers and placements in insertion order; follow-ups by months and the due
// list (as-of day, recorded ones excluded, order, paging, region); exact
// round trip of every field and of every idempotency snapshot variant;
// all-or-nothing writes (events included); read transactions refusing every
// mutation.
#ifndef JIT_SERVICES_PLACEMENT_STORAGE_REPOSITORY_CONTRACT_TEST_H_
#define JIT_SERVICES_PLACEMENT_STORAGE_REPOSITORY_CONTRACT_TEST_H_

#include <functional>
#include <memory>
#include <optional>
#include <ostream>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "libs/status/status_macros.h"
#include "libs/storage/testing/repository_contract.h"
#include "services/placement/domain/events.h"
#include "services/placement/domain/model.h"
#include "services/placement/domain/repository.h"

namespace jit::placement::testing {

// One implementation under test: name, factory of fresh repositories, and
// the keys of what it published (libs/storage/testing/repository_contract.h).
using PlacementContractParam =
    storage::testing::ContractParam<PlacementRepository>;
inline constexpr auto& PlacementContractParamName =
    storage::testing::ContractParamName<PlacementRepository>;

namespace contract {

namespace ev = ::jobintech::events::v1;

// Whole microseconds: stores keep microseconds.
inline absl::Time T(int64_t seconds) {
  return absl::FromUnixMicros(seconds * 1'000'000 + 123'456);
}

inline Employer MakeEmployer(std::string id, std::string ice,
                             std::string province, std::string region,
                             std::string sector = "it-services",
                             bool partner = false) {
  Employer e;
  e.employer_id = std::move(id);
  e.name = "Employer " + e.employer_id + " — مقاولة";
  e.ice = std::move(ice);
  e.sector = std::move(sector);
  e.province_code = std::move(province);
  e.region_code = std::move(region);
  e.partner = partner;
  e.event_sequence = 1;
  e.create_time = T(1'760'000'000);
  e.update_time = T(1'760'000'100);
  return e;
}

inline JobOffer MakeJobOffer(std::string id, std::string employer,
                             std::string track, std::string province,
                             std::string region, bool open = true) {
  JobOffer o;
  o.job_offer_id = std::move(id);
  o.employer_id = std::move(employer);
  o.title = "Analyste SOC";
  o.track_id = std::move(track);
  o.province_code = std::move(province);
  o.region_code = std::move(region);
  o.contract_type = ev::PLACEMENT_TYPE_SALARIED_FIXED_TERM;
  o.salary_band = ev::SALARY_BAND_5000_7999;
  o.openings = 2;
  o.open = open;
  o.event_sequence = 1;
  o.create_time = T(1'760'000'000);
  o.update_time = T(1'760'000'000);
  if (!open) o.close_time = T(1'760'000'500);
  return o;
}

inline Trainee MakeTrainee(std::string id, std::string region = "MA-05") {
  Trainee t;
  t.trainee_id = std::move(id);
  t.state = ev::PLACEMENT_STATE_JOB_SEEKING;
  t.exit.kind = ev::EXIT_KIND_DROPPED_OUT;
  t.exit.date = absl::CivilDay(2025, 6, 30);
  t.exit.cohort_id = "coh_1";
  Dimensions& d = t.dimensions;
  d.gender = ::jobintech::common::v1::GENDER_FEMALE;
  d.age_band = ::jobintech::common::v1::AGE_BAND_25_29;
  d.education_level = ::jobintech::common::v1::EDUCATION_LEVEL_BAC_PLUS_5;
  d.residence_province_code = "MA-BEM";
  d.residence_region_code = "MA-05";
  d.training_province_code = "MA-FQH";
  d.training_region_code = std::move(region);
  d.track_id = "digital-marketing";
  d.cohort_id = "coh_1";
  d.centre_id = "ctr_1";
  t.event_sequence = 4;
  t.create_time = T(1'760'000'000);
  t.update_time = T(1'760'000'200);
  return t;
}

inline Placement MakePlacement(std::string id, std::string trainee,
                               std::string employer) {
  Placement p;
  p.placement_id = std::move(id);
  p.trainee_id = std::move(trainee);
  p.type = ev::PLACEMENT_TYPE_INTERNSHIP;
  p.employer_id = std::move(employer);
  p.job_offer_id = "job_1";
  p.start_date = absl::CivilDay(2025, 8, 1);
  p.salary_band = ev::SALARY_BAND_UNDER_3000;
  p.verification = ev::VERIFICATION_SOURCE_SELF_REPORT;
  p.create_time = T(1'760'000'000);
  p.update_time = T(1'760'000'000);
  return p;
}

inline FollowUp MakeFollowUp(std::string trainee, int32_t months,
                             absl::CivilDay due) {
  FollowUp f;
  f.trainee_id = std::move(trainee);
  f.months = months;
  f.due_date = due;
  return f;
}

inline DomainEvent MakeEvent(std::string trainee_id) {
  DomainEvent e;
  e.kind = EventKind::kJobSearchStarted;
  e.trainee_id = std::move(trainee_id);
  e.sequence = 1;
  e.occurred_at = T(1'760'000'000);
  e.exit.kind = ev::EXIT_KIND_COMPLETED;
  e.exit.date = absl::CivilDay(2025, 6, 30);
  e.new_state = ev::PLACEMENT_STATE_JOB_SEEKING;
  return e;
}

}  // namespace contract

class PlacementRepositoryContractTest
    : public ::testing::TestWithParam<PlacementContractParam> {
 protected:
  void SetUp() override {
    repo_ = GetParam().factory();
    ASSERT_NE(repo_, nullptr);
  }

  absl::Status Write(absl::FunctionRef<absl::Status(PlacementStore&)> fn) {
    return repo_->Write(fn);
  }
  void MustWrite(absl::FunctionRef<absl::Status(PlacementStore&)> fn) {
    absl::Status s = repo_->Write(fn);
    ASSERT_TRUE(s.ok()) << s;
  }
  template <typename F>
  auto ReadValue(F f) ->
      typename std::invoke_result_t<F, PlacementStore&>::value_type {
    using V = typename std::invoke_result_t<F, PlacementStore&>::value_type;
    V out{};
    absl::Status s = repo_->Read([&](PlacementStore& store) -> absl::Status {
      ASSIGN_OR_RETURN(out, f(store));
      return absl::OkStatus();
    });
    EXPECT_TRUE(s.ok()) << s;
    return out;
  }
  std::vector<std::string> PublishedKeys() {
    return GetParam().published_keys(*repo_);
  }

  std::unique_ptr<PlacementRepository> repo_;
};

using contract::MakeEmployer;
using contract::MakeEvent;
using contract::MakeFollowUp;
using contract::MakeJobOffer;
using contract::MakePlacement;
using contract::MakeTrainee;
using contract::T;
namespace cev = ::jobintech::events::v1;

template <typename T>
std::vector<std::string> IdsOf(const std::vector<T>& items,
                               std::string (*id)(const T&)) {
  std::vector<std::string> out;
  for (const T& item : items) out.push_back(id(item));
  return out;
}
inline std::string EmployerId(const Employer& e) { return e.employer_id; }
inline std::string JobOfferId(const JobOffer& o) { return o.job_offer_id; }
inline std::string PlacementId(const Placement& p) { return p.placement_id; }
inline std::string OfferId(const Offer& o) { return o.offer_id; }
inline std::string FollowUpName(const FollowUp& f) {
  return absl::StrCat(f.trainee_id, "+", f.months);
}

// ---------------------------------------------------------------- employers

TEST_P(PlacementRepositoryContractTest, EmployerRoundTripAndUniqueness) {
  const Employer a =
      MakeEmployer("emp_a", "001561191000066", "MA-CAS", "MA-06");
  MustWrite([&](PlacementStore& s) { return s.InsertEmployer(a); });
  EXPECT_EQ(
      ReadValue([&](PlacementStore& s) { return s.FindEmployer("emp_a"); }), a);
  EXPECT_EQ(ReadValue([&](PlacementStore& s) {
              return s.FindEmployerByIce("001561191000066");
            }),
            a);
  EXPECT_FALSE(ReadValue([&](PlacementStore& s) {
                 return s.FindEmployer("emp_none");
               }).has_value());

  Employer same_id =
      MakeEmployer("emp_a", "002136093000040", "MA-CAS", "MA-06");
  EXPECT_EQ(Write([&](PlacementStore& s) {
              return s.InsertEmployer(same_id);
            }).code(),
            absl::StatusCode::kAlreadyExists);
  Employer same_ice =
      MakeEmployer("emp_b", "001561191000066", "MA-RAB", "MA-04");
  EXPECT_EQ(Write([&](PlacementStore& s) {
              return s.InsertEmployer(same_ice);
            }).code(),
            absl::StatusCode::kAlreadyExists);

  Employer changed = a;
  changed.partner = true;
  changed.update_time = T(1'760'009'999);
  MustWrite([&](PlacementStore& s) { return s.UpdateEmployer(changed); });
  EXPECT_EQ(
      ReadValue([&](PlacementStore& s) { return s.FindEmployer("emp_a"); }),
      changed);
  EXPECT_EQ(Write([&](PlacementStore& s) {
              return s.UpdateEmployer(MakeEmployer(
                  "emp_none", "000036794000036", "MA-CAS", "MA-06"));
            }).code(),
            absl::StatusCode::kNotFound);
}

TEST_P(PlacementRepositoryContractTest, EmployersFilterAndPage) {
  MustWrite([&](PlacementStore& s) -> absl::Status {
    RETURN_IF_ERROR(s.InsertEmployer(MakeEmployer(
        "emp_1", "000000000000097", "MA-CAS", "MA-06", "banking")));
    RETURN_IF_ERROR(s.InsertEmployer(MakeEmployer(
        "emp_2", "000000000000194", "MA-FQH", "MA-05", "it-services", true)));
    RETURN_IF_ERROR(s.InsertEmployer(MakeEmployer(
        "emp_3", "000000000000291", "MA-CAS", "MA-06", "it-services", true)));
    return s.InsertEmployer(
        MakeEmployer("emp_4", "000000000000388", "MA-RAB", "MA-04", "banking"));
  });
  auto list = [&](const EmployerFilter& f, PageQuery q = PageQuery{}) {
    return ReadValue([&](PlacementStore& s) { return s.ListEmployers(f, q); });
  };
  EmployerFilter f;
  EXPECT_THAT(IdsOf(list(f).items, EmployerId),
              ::testing::ElementsAre("emp_1", "emp_2", "emp_3", "emp_4"));
  f.region_code = "MA-06";
  EXPECT_THAT(IdsOf(list(f).items, EmployerId),
              ::testing::ElementsAre("emp_1", "emp_3"));
  f.partner = true;
  EXPECT_THAT(IdsOf(list(f).items, EmployerId),
              ::testing::ElementsAre("emp_3"));
  EmployerFilter g;
  g.sector = "banking";
  g.province_code = "MA-RAB";
  EXPECT_THAT(IdsOf(list(g).items, EmployerId),
              ::testing::ElementsAre("emp_4"));
  EmployerFilter not_partner;
  not_partner.partner = false;
  EXPECT_THAT(IdsOf(list(not_partner).items, EmployerId),
              ::testing::ElementsAre("emp_1", "emp_4"));

  PageQuery q;
  q.limit = 2;
  auto first = list(EmployerFilter{}, q);
  EXPECT_THAT(IdsOf(first.items, EmployerId),
              ::testing::ElementsAre("emp_1", "emp_2"));
  EXPECT_EQ(first.next_after_key, "emp_2");
  q.after_key = first.next_after_key;
  auto second = list(EmployerFilter{}, q);
  EXPECT_THAT(IdsOf(second.items, EmployerId),
              ::testing::ElementsAre("emp_3", "emp_4"));
  EXPECT_EQ(second.next_after_key, "");  // exactly full, nothing follows
}

// ---------------------------------------------------------------- job offers

TEST_P(PlacementRepositoryContractTest, JobOffersRoundTripFilterAndReference) {
  const JobOffer closed =
      MakeJobOffer("job_1", "emp_a", "cybersecurity", "MA-CAS", "MA-06", false);
  const JobOffer open =
      MakeJobOffer("job_2", "emp_a", "digital-marketing", "MA-FQH", "MA-05");
  const JobOffer other =
      MakeJobOffer("job_3", "emp_b", "cybersecurity", "MA-FQH", "MA-05");
  MustWrite([&](PlacementStore& s) -> absl::Status {
    RETURN_IF_ERROR(s.InsertEmployer(
        MakeEmployer("emp_a", "000000000000097", "MA-CAS", "MA-06")));
    RETURN_IF_ERROR(s.InsertEmployer(
        MakeEmployer("emp_b", "000000000000194", "MA-CAS", "MA-06")));
    RETURN_IF_ERROR(s.InsertJobOffer(closed));
    RETURN_IF_ERROR(s.InsertJobOffer(open));
    return s.InsertJobOffer(other);
  });
  EXPECT_EQ(
      ReadValue([&](PlacementStore& s) { return s.FindJobOffer("job_1"); }),
      closed);
  EXPECT_EQ(
      ReadValue([&](PlacementStore& s) { return s.FindJobOffer("job_2"); }),
      open);
  auto list = [&](const JobOfferFilter& f) {
    return IdsOf(ReadValue([&](PlacementStore& s) {
                   return s.ListJobOffers(f, PageQuery{});
                 }).items,
                 JobOfferId);
  };
  JobOfferFilter f;
  f.open = true;
  EXPECT_THAT(list(f), ::testing::ElementsAre("job_2", "job_3"));
  f.track_id = "cybersecurity";
  EXPECT_THAT(list(f), ::testing::ElementsAre("job_3"));
  JobOfferFilter g;
  g.employer_id = "emp_a";
  g.region_code = "MA-06";
  EXPECT_THAT(list(g), ::testing::ElementsAre("job_1"));
  JobOfferFilter h;
  h.province_code = "MA-FQH";
  h.open = false;
  EXPECT_THAT(list(h), ::testing::IsEmpty());

  JobOffer reopened = closed;
  reopened.open = true;
  reopened.close_time.reset();
  MustWrite([&](PlacementStore& s) { return s.UpdateJobOffer(reopened); });
  EXPECT_EQ(
      ReadValue([&](PlacementStore& s) { return s.FindJobOffer("job_1"); }),
      reopened);
  EXPECT_EQ(
      Write([&](PlacementStore& s) { return s.InsertJobOffer(open); }).code(),
      absl::StatusCode::kAlreadyExists);
  EXPECT_EQ(Write([&](PlacementStore& s) {
              return s.UpdateJobOffer(
                  MakeJobOffer("job_9", "emp_a", "x", "MA-CAS", "MA-06"));
            }).code(),
            absl::StatusCode::kNotFound);
  // A job offer of an unknown employer never commits.
  EXPECT_EQ(Write([&](PlacementStore& s) {
              return s.InsertJobOffer(
                  MakeJobOffer("job_8", "emp_zz", "x", "MA-CAS", "MA-06"));
            }).code(),
            absl::StatusCode::kFailedPrecondition);
  EXPECT_FALSE(ReadValue([&](PlacementStore& s) {
                 return s.FindJobOffer("job_8");
               }).has_value());
}

// ---------------------------------------------------------------- trainees

TEST_P(PlacementRepositoryContractTest, TraineeRoundTripsEveryField) {
  Trainee t = MakeTrainee("trn_1");
  MustWrite([&](PlacementStore& s) { return s.InsertTrainee(t); });
  EXPECT_EQ(
      ReadValue([&](PlacementStore& s) { return s.FindTrainee("trn_1"); }), t);
  t.state = cev::PLACEMENT_STATE_PLACED;
  t.current_placement_id = "plc_1";
  t.first_placement_date = absl::CivilDay(2025, 8, 1);
  t.event_sequence = 5;
  t.update_time = T(1'760'100'000);
  MustWrite([&](PlacementStore& s) { return s.UpdateTrainee(t); });
  EXPECT_EQ(
      ReadValue([&](PlacementStore& s) { return s.FindTrainee("trn_1"); }), t);
  for (PlacementState st :
       {cev::PLACEMENT_STATE_OFFERED, cev::PLACEMENT_STATE_ENDED}) {
    t.state = st;
    MustWrite([&](PlacementStore& s) { return s.UpdateTrainee(t); });
    EXPECT_EQ(ReadValue([&](PlacementStore& s) {
                return s.FindTrainee("trn_1");
              })->state,
              st);
  }
  EXPECT_EQ(Write([&](PlacementStore& s) { return s.InsertTrainee(t); }).code(),
            absl::StatusCode::kAlreadyExists);
  EXPECT_EQ(Write([&](PlacementStore& s) {
              return s.UpdateTrainee(MakeTrainee("trn_none"));
            }).code(),
            absl::StatusCode::kNotFound);
}

TEST_P(PlacementRepositoryContractTest, OffersAndPlacementsKeepInsertionOrder) {
  MustWrite([&](PlacementStore& s) -> absl::Status {
    RETURN_IF_ERROR(s.InsertTrainee(MakeTrainee("trn_1")));
    RETURN_IF_ERROR(s.InsertTrainee(MakeTrainee("trn_2")));
    for (const char* id : {"ofr_z", "ofr_a", "ofr_m"}) {
      Offer o;
      o.offer_id = id;
      o.trainee_id = "trn_1";
      o.employer_id = "emp_1";
      o.offered_on = absl::CivilDay(2025, 7, 1);
      o.create_time = T(1'760'000'000);
      RETURN_IF_ERROR(s.InsertOffer(o));
    }
    Offer other;
    other.offer_id = "ofr_b";
    other.trainee_id = "trn_2";
    other.job_offer_id = "job_1";
    other.employer_id = "emp_2";
    other.offered_on = absl::CivilDay(2025, 7, 2);
    other.create_time = T(1'760'000'001);
    RETURN_IF_ERROR(s.InsertOffer(other));
    RETURN_IF_ERROR(
        s.InsertPlacement(MakePlacement("plc_z", "trn_1", "emp_1")));
    return s.InsertPlacement(MakePlacement("plc_a", "trn_1", ""));
  });
  const auto offers =
      ReadValue([&](PlacementStore& s) { return s.OffersOfTrainee("trn_1"); });
  EXPECT_THAT(IdsOf(offers, OfferId),
              ::testing::ElementsAre("ofr_z", "ofr_a", "ofr_m"));
  const auto other =
      ReadValue([&](PlacementStore& s) { return s.OffersOfTrainee("trn_2"); });
  ASSERT_EQ(other.size(), 1u);
  EXPECT_EQ(other[0].job_offer_id, "job_1");
  EXPECT_EQ(other[0].offered_on, absl::CivilDay(2025, 7, 2));
  EXPECT_EQ(other[0].create_time, T(1'760'000'001));
  EXPECT_THAT(IdsOf(ReadValue([&](PlacementStore& s) {
                      return s.PlacementsOfTrainee("trn_1");
                    }),
                    PlacementId),
              ::testing::ElementsAre("plc_z", "plc_a"));
  EXPECT_THAT(ReadValue([&](PlacementStore& s) {
                return s.PlacementsOfTrainee("trn_2");
              }),
              ::testing::IsEmpty());
  EXPECT_EQ(Write([&](PlacementStore& s) {
              return s.InsertPlacement(MakePlacement("plc_z", "trn_1", "x"));
            }).code(),
            absl::StatusCode::kAlreadyExists);
}

TEST_P(PlacementRepositoryContractTest, PlacementRoundTripAndFilters) {
  Placement p1 = MakePlacement("plc_1", "trn_1", "emp_a");
  Placement p2 = MakePlacement("plc_2", "trn_2", "emp_a");
  p2.verification = cev::VERIFICATION_SOURCE_SOCIAL_SECURITY;
  p2.verify_time = T(1'760'000'300);
  p2.end_date = absl::CivilDay(2025, 9, 30);
  p2.end_reason = "fin de stage\nnon renouvelé";
  p2.end_reason_code = ::jobintech::common::v1::PLACEMENT_END_REASON_CONTRACT_COMPLETED;
  Placement p3 = MakePlacement("plc_3", "trn_3", "emp_b");
  p3.verification = cev::VERIFICATION_SOURCE_EMPLOYER;
  p3.verify_time = T(1'760'000'400);
  MustWrite([&](PlacementStore& s) -> absl::Status {
    for (const char* t : {"trn_1", "trn_2", "trn_3"}) {
      RETURN_IF_ERROR(s.InsertTrainee(MakeTrainee(t)));
    }
    RETURN_IF_ERROR(s.InsertPlacement(p1));
    RETURN_IF_ERROR(s.InsertPlacement(p2));
    return s.InsertPlacement(p3);
  });
  EXPECT_EQ(
      ReadValue([&](PlacementStore& s) { return s.FindPlacement("plc_2"); }),
      p2);
  auto list = [&](const PlacementFilter& f) {
    return IdsOf(ReadValue([&](PlacementStore& s) {
                   return s.ListPlacements(f, PageQuery{});
                 }).items,
                 PlacementId);
  };
  PlacementFilter f;
  f.employer_id = "emp_a";
  EXPECT_THAT(list(f), ::testing::ElementsAre("plc_1", "plc_2"));
  f.active = true;
  EXPECT_THAT(list(f), ::testing::ElementsAre("plc_1"));
  PlacementFilter ended;
  ended.active = false;
  EXPECT_THAT(list(ended), ::testing::ElementsAre("plc_2"));
  PlacementFilter verified;
  verified.verified = true;
  EXPECT_THAT(list(verified), ::testing::ElementsAre("plc_2", "plc_3"));
  verified.verified = false;
  EXPECT_THAT(list(verified), ::testing::ElementsAre("plc_1"));

  p1.end_date = absl::CivilDay(2025, 10, 1);
  p1.end_reason = "resigned";
  p1.update_time = T(1'760'000'900);
  MustWrite([&](PlacementStore& s) { return s.UpdatePlacement(p1); });
  EXPECT_EQ(
      ReadValue([&](PlacementStore& s) { return s.FindPlacement("plc_1"); }),
      p1);
  EXPECT_EQ(Write([&](PlacementStore& s) {
              return s.UpdatePlacement(MakePlacement("plc_9", "trn_1", ""));
            }).code(),
            absl::StatusCode::kNotFound);
}

// ---------------------------------------------------------------- follow-ups

TEST_P(PlacementRepositoryContractTest, FollowUpsRoundTripAndDueList) {
  MustWrite([&](PlacementStore& s) -> absl::Status {
    RETURN_IF_ERROR(s.InsertTrainee(MakeTrainee("trn_b", "MA-05")));
    RETURN_IF_ERROR(s.InsertTrainee(MakeTrainee("trn_a", "MA-01")));
    RETURN_IF_ERROR(s.InsertFollowUp(
        MakeFollowUp("trn_b", 12, absl::CivilDay(2026, 6, 30))));
    RETURN_IF_ERROR(s.InsertFollowUp(
        MakeFollowUp("trn_b", 3, absl::CivilDay(2025, 9, 30))));
    RETURN_IF_ERROR(s.InsertFollowUp(
        MakeFollowUp("trn_b", 6, absl::CivilDay(2025, 12, 30))));
    RETURN_IF_ERROR(s.InsertFollowUp(
        MakeFollowUp("trn_a", 3, absl::CivilDay(2025, 9, 30))));
    return s.InsertFollowUp(
        MakeFollowUp("trn_a", 6, absl::CivilDay(2025, 12, 30)));
  });
  EXPECT_THAT(IdsOf(ReadValue([&](PlacementStore& s) {
                      return s.FollowUpsOfTrainee("trn_b");
                    }),
                    FollowUpName),
              ::testing::ElementsAre("trn_b+3", "trn_b+6", "trn_b+12"));
  EXPECT_EQ(Write([&](PlacementStore& s) {
              return s.InsertFollowUp(
                  MakeFollowUp("trn_b", 3, absl::CivilDay(2025, 9, 30)));
            }).code(),
            absl::StatusCode::kAlreadyExists);

  auto due = [&](absl::CivilDay as_of, const FollowUpFilter& f,
                 PageQuery q = PageQuery{}) {
    return ReadValue(
        [&](PlacementStore& s) { return s.ListDueFollowUps(as_of, f, q); });
  };
  EXPECT_THAT(due(absl::CivilDay(2025, 9, 29), FollowUpFilter{}).items,
              ::testing::IsEmpty());
  EXPECT_THAT(IdsOf(due(absl::CivilDay(2025, 9, 30), FollowUpFilter{}).items,
                    FollowUpName),
              ::testing::ElementsAre("trn_a+3", "trn_b+3"));
  EXPECT_THAT(
      IdsOf(due(absl::CivilDay(2026, 1, 1), FollowUpFilter{}).items,
            FollowUpName),
      ::testing::ElementsAre("trn_a+3", "trn_b+3", "trn_a+6", "trn_b+6"));
  FollowUpFilter region;
  region.region_code = "MA-05";
  EXPECT_THAT(
      IdsOf(due(absl::CivilDay(2026, 1, 1), region).items, FollowUpName),
      ::testing::ElementsAre("trn_b+3", "trn_b+6"));

  // Paging by the due key.
  PageQuery q;
  q.limit = 3;
  auto first = due(absl::CivilDay(2026, 12, 31), FollowUpFilter{}, q);
  EXPECT_THAT(IdsOf(first.items, FollowUpName),
              ::testing::ElementsAre("trn_a+3", "trn_b+3", "trn_a+6"));
  ASSERT_FALSE(first.next_after_key.empty());
  q.after_key = first.next_after_key;
  auto second = due(absl::CivilDay(2026, 12, 31), FollowUpFilter{}, q);
  EXPECT_THAT(IdsOf(second.items, FollowUpName),
              ::testing::ElementsAre("trn_b+6", "trn_b+12"));
  EXPECT_EQ(second.next_after_key, "");

  // A recorded follow-up leaves the due list and round-trips.
  FollowUp recorded = MakeFollowUp("trn_a", 3, absl::CivilDay(2025, 9, 30));
  recorded.outcome = cev::FOLLOW_UP_OUTCOME_EMPLOYED_OTHER_EMPLOYER;
  recorded.placement_id = "plc_1";
  recorded.employer_id = "emp_2";
  recorded.recorded_on = absl::CivilDay(2025, 10, 2);
  recorded.record_time = T(1'760'500'000);
  MustWrite([&](PlacementStore& s) { return s.UpdateFollowUp(recorded); });
  EXPECT_EQ(
      ReadValue([&](PlacementStore& s) { return s.FindFollowUp("trn_a", 3); }),
      recorded);
  EXPECT_FALSE(ReadValue([&](PlacementStore& s) {
                 return s.FindFollowUp("trn_a", 12);
               }).has_value());
  EXPECT_THAT(IdsOf(due(absl::CivilDay(2025, 9, 30), FollowUpFilter{}).items,
                    FollowUpName),
              ::testing::ElementsAre("trn_b+3"));
  EXPECT_EQ(Write([&](PlacementStore& s) {
              return s.UpdateFollowUp(
                  MakeFollowUp("trn_z", 3, absl::CivilDay(2025, 9, 30)));
            }).code(),
            absl::StatusCode::kNotFound);
}

// ---------------------------------------------------------------- requests

TEST_P(PlacementRepositoryContractTest, EverySnapshotVariantRoundTrips) {
  TraineeResult bare;
  bare.trainee = MakeTrainee("trn_1");
  TraineeResult full = bare;
  full.trainee.first_placement_date = absl::CivilDay(2025, 8, 1);
  Offer o;
  o.offer_id = "ofr_1";
  o.trainee_id = "trn_1";
  o.job_offer_id = "job_1";
  o.employer_id = "emp_1";
  o.offered_on = absl::CivilDay(2025, 7, 1);
  o.create_time = T(1'760'000'000);
  full.offer = o;
  Placement p = MakePlacement("plc_1", "trn_1", "emp_1");
  p.verify_time = T(1'760'000'050);
  p.end_date = absl::CivilDay(2025, 9, 1);
  p.end_reason = "رحيل";
  p.end_reason_code = ::jobintech::common::v1::PLACEMENT_END_REASON_RESIGNED;
  full.placement = p;
  FollowUp f = MakeFollowUp("trn_1", 6, absl::CivilDay(2025, 12, 30));
  f.outcome = cev::FOLLOW_UP_OUTCOME_UNREACHABLE;
  f.recorded_on = absl::CivilDay(2026, 1, 2);
  f.record_time = T(1'767'000'000);
  full.follow_up = f;
  const std::vector<ResponseSnapshot> snapshots = {
      MakeEmployer("emp_1", "001561191000066", "MA-CAS", "MA-06", "banking",
                   true),
      MakeJobOffer("job_1", "emp_1", "cybersecurity", "MA-CAS", "MA-06", false),
      bare, full};
  for (size_t i = 0; i < snapshots.size(); ++i) {
    StoredRequest r;
    r.request_id = absl::StrCat("req-", i);
    r.operation = "Op";
    r.response = snapshots[i];
    r.create_time = T(1'760'000'000 + static_cast<int64_t>(i));
    MustWrite([&](PlacementStore& s) { return s.InsertRequest(r); });
    const auto back = ReadValue(
        [&](PlacementStore& s) { return s.FindRequest(r.request_id); });
    ASSERT_TRUE(back.has_value()) << i;
    EXPECT_EQ(back->operation, "Op");
    EXPECT_EQ(back->create_time, r.create_time);
    EXPECT_TRUE(back->response == snapshots[i]) << i;
  }
  StoredRequest dup;
  dup.request_id = "req-0";
  dup.operation = "Other";
  dup.response = bare;
  EXPECT_EQ(
      Write([&](PlacementStore& s) { return s.InsertRequest(dup); }).code(),
      absl::StatusCode::kAlreadyExists);
  EXPECT_FALSE(ReadValue([&](PlacementStore& s) {
                 return s.FindRequest("req-none");
               }).has_value());
}

TEST_P(PlacementRepositoryContractTest, ErasureFindsAndRewritesATraineesAnswers) {
  TraineeResult one;
  one.trainee = MakeTrainee("trn_1");
  Placement p = MakePlacement("plc_1", "trn_1", "emp_1");
  p.end_date = absl::CivilDay(2025, 9, 1);
  p.end_reason = "a note";
  one.placement = p;
  TraineeResult two;
  two.trainee = MakeTrainee("trn_2");
  MustWrite([&](PlacementStore& s) -> absl::Status {
    RETURN_IF_ERROR(s.InsertRequest(StoredRequest{.request_id = "req-1",
                                                  .operation = "EndPlacement",
                                                  .response = one,
                                                  .create_time = T(1)}));
    return s.InsertRequest(StoredRequest{.request_id = "req-2",
                                         .operation = "StartJobSearch",
                                         .response = two,
                                         .create_time = T(2)});
  });
  // At least the trainee's answer (a store may return more).
  const std::vector<StoredRequest> found = ReadValue(
      [](PlacementStore& s) { return s.StoredRequestsMentioning("trn_1"); });
  bool has_one = false;
  for (const StoredRequest& r : found) has_one |= r.request_id == "req-1";
  EXPECT_TRUE(has_one);
  one.placement->end_reason.clear();
  const ResponseSnapshot replaced = one;
  MustWrite([&](PlacementStore& s) {
    return s.ReplaceStoredResponse("req-1", replaced);
  });
  const auto got =
      ReadValue([](PlacementStore& s) { return s.FindRequest("req-1"); });
  ASSERT_TRUE(got.has_value());
  EXPECT_TRUE(got->response == replaced);
  EXPECT_EQ(got->operation, "EndPlacement");
  EXPECT_EQ(Write([&](PlacementStore& s) {
              return s.ReplaceStoredResponse("req-none", replaced);
            }).code(),
            absl::StatusCode::kNotFound);
}

absl::Time RequestTime(int64_t i) { return T(1'760'000'000 + i); }
StoredRequest MakeRequest(int64_t i) {
  StoredRequest r;
  r.request_id = absl::StrCat("req-", i);
  r.operation = "Op";
  r.response = TraineeResult{};
  r.create_time = RequestTime(i);
  return r;
}

TEST_P(PlacementRepositoryContractTest,
       ExpiredRequestsAreDeletedOldestFirstInBatches) {
  MustWrite([&](PlacementStore& s) -> absl::Status {
    for (int64_t i = 0; i < 5; ++i)
      RETURN_IF_ERROR(s.InsertRequest(MakeRequest(i)));
    return absl::OkStatus();
  });
  auto prune = [&](int64_t before, int64_t limit) {
    int64_t deleted = -1;
    MustWrite([&](PlacementStore& s) -> absl::Status {
      absl::StatusOr<int64_t> n =
          s.DeleteRequestsBefore(RequestTime(before), limit);
      if (!n.ok()) return n.status();
      deleted = *n;
      return absl::OkStatus();
    });
    return deleted;
  };
  EXPECT_EQ(prune(3, 2), 2);  // req-0, req-1: the oldest first
  EXPECT_EQ(ReadValue([](PlacementStore& s) {
              return s.FindRequest("req-1");
            }).has_value(),
            false);
  EXPECT_EQ(ReadValue([](PlacementStore& s) {
              return s.FindRequest("req-2");
            }).has_value(),
            true);
  EXPECT_EQ(prune(3, 10), 1);  // req-2; req-3 is not older than the cut
  EXPECT_EQ(prune(3, 10), 0);
  for (const char* kept : {"req-3", "req-4"}) {
    EXPECT_TRUE(ReadValue([&](PlacementStore& s) {
                  return s.FindRequest(kept);
                }).has_value())
        << kept;
  }
}

// ---------------------------------------------------------------- transactions

TEST_P(PlacementRepositoryContractTest, FailedWriteLeavesNoRowsAndNoEvents) {
  MustWrite([&](PlacementStore& s) -> absl::Status {
    RETURN_IF_ERROR(s.InsertTrainee(MakeTrainee("trn_0")));
    return s.Publish(MakeEvent("trn_0"));
  });
  const absl::Status failed = Write([&](PlacementStore& s) -> absl::Status {
    RETURN_IF_ERROR(s.InsertTrainee(MakeTrainee("trn_1")));
    RETURN_IF_ERROR(s.InsertEmployer(
        MakeEmployer("emp_1", "001561191000066", "MA-CAS", "MA-06")));
    RETURN_IF_ERROR(s.Publish(MakeEvent("trn_1")));
    return absl::AbortedError("changed my mind");
  });
  EXPECT_EQ(failed.code(), absl::StatusCode::kAborted);
  EXPECT_FALSE(ReadValue([&](PlacementStore& s) {
                 return s.FindTrainee("trn_1");
               }).has_value());
  EXPECT_FALSE(ReadValue([&](PlacementStore& s) {
                 return s.FindEmployer("emp_1");
               }).has_value());
  EXPECT_THAT(PublishedKeys(), ::testing::ElementsAre("trn_0"));
  MustWrite([&](PlacementStore& s) -> absl::Status {
    RETURN_IF_ERROR(s.Publish(MakeEvent("trn_2")));
    DomainEvent employer;
    employer.kind = EventKind::kEmployerRegistered;
    employer.aggregate_id = "emp_9";
    employer.sequence = 1;
    employer.occurred_at = T(1'760'000'000);
    employer.employer =
        MakeEmployer("emp_9", "002136093000040", "MA-CAS", "MA-06");
    return s.Publish(employer);
  });
  EXPECT_THAT(PublishedKeys(),
              ::testing::ElementsAre("trn_0", "trn_2", "emp_9"));
}

TEST_P(PlacementRepositoryContractTest, ReadTransactionsRefuseEveryMutation) {
  const absl::Status s = repo_->Read([&](PlacementStore& s) -> absl::Status {
    const Employer e =
        MakeEmployer("emp_1", "001561191000066", "MA-CAS", "MA-06");
    std::vector<absl::Status> attempts = {
        s.InsertEmployer(e),
        s.UpdateEmployer(e),
        s.InsertJobOffer(
            MakeJobOffer("job_1", "emp_1", "x", "MA-CAS", "MA-06")),
        s.UpdateJobOffer(
            MakeJobOffer("job_1", "emp_1", "x", "MA-CAS", "MA-06")),
        s.InsertTrainee(MakeTrainee("trn_1")),
        s.UpdateTrainee(MakeTrainee("trn_1")),
        s.InsertOffer(Offer{}),
        s.InsertPlacement(MakePlacement("plc_1", "trn_1", "")),
        s.UpdatePlacement(MakePlacement("plc_1", "trn_1", "")),
        s.InsertFollowUp(MakeFollowUp("trn_1", 3, absl::CivilDay(2025, 9, 30))),
        s.UpdateFollowUp(MakeFollowUp("trn_1", 3, absl::CivilDay(2025, 9, 30))),
        s.InsertRequest(StoredRequest{}),
        s.Publish(MakeEvent("trn_1"))};
    for (size_t i = 0; i < attempts.size(); ++i) {
      EXPECT_EQ(attempts[i].code(), absl::StatusCode::kFailedPrecondition) << i;
    }
    return absl::OkStatus();
  });
  EXPECT_TRUE(s.ok()) << s;
}

TEST_P(PlacementRepositoryContractTest, NonPositivePageLimitIsRefused) {
  PageQuery q;
  q.limit = 0;
  const absl::Status s = repo_->Read([&](PlacementStore& store) {
    return store.ListEmployers(EmployerFilter{}, q).status();
  });
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
}

}  // namespace jit::placement::testing

#endif  // JIT_SERVICES_PLACEMENT_STORAGE_REPOSITORY_CONTRACT_TEST_H_
