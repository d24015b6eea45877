// The contract every EnrollmentRepository must honour (repository.h), as a
// value-parameterized gtest suite. A store's test instantiates it with a
// factory that returns a fresh, empty (seeded) repository per test:
//
//   INSTANTIATE_TEST_SUITE_P(
//       Stores, EnrollmentRepositoryContractTest,
//       ::testing::Values(storage::testing::SqliteFileParam<...>(...),
//                         storage::testing::InMemoryParam<...>()),
//       RepositoryContractParamName);
//
// (libs/storage/testing/repository_contract.h: the parameter, the SQLite
// temporary-file and in-memory implementations, written once.)
//
// Include this header from exactly one .cc file per test binary (it defines
// the tests). Covered: seed rows; insert/find/update/list of every entity
// with ALREADY_EXISTS and NOT_FOUND; cin_hash uniqueness and its release on
// erasure; keyset paging; filters; seat counts; waitlist order, positions and
// ranks; aggregate sequences; exact round trip of every idempotency snapshot
// variant; all-or-nothing writes (events included); read transactions
// refusing every mutation.
#ifndef JIT_SERVICES_ENROLLMENT_STORAGE_REPOSITORY_CONTRACT_TEST_H_
#define JIT_SERVICES_ENROLLMENT_STORAGE_REPOSITORY_CONTRACT_TEST_H_

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <ostream>
#include <string>
#include <type_traits>
#include <utility>
#include <variant>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "libs/status/status_macros.h"
#include "libs/storage/testing/repository_contract.h"
#include "services/enrollment/domain/events.h"
#include "services/enrollment/domain/model.h"
#include "services/enrollment/domain/repository.h"
#include "services/enrollment/storage/repository_test_values.h"

namespace jit::enrollment::testing {

// One implementation under test: name, factory of fresh repositories (the
// seed rows only), and the keys of what it published; without
// published_keys the checks on published events are skipped
// (libs/storage/testing/repository_contract.h).
using RepositoryContractParam =
    storage::testing::ContractParam<EnrollmentRepository>;
inline constexpr auto& RepositoryContractParamName =
    storage::testing::ContractParamName<EnrollmentRepository>;

// ---------------------------------------------------------------------------
// The suite.

class EnrollmentRepositoryContractTest
    : public ::testing::TestWithParam<RepositoryContractParam> {
 protected:
  void SetUp() override {
    repo_ = GetParam().factory();
    ASSERT_NE(repo_, nullptr);
  }

  absl::Status Write(absl::FunctionRef<absl::Status(EnrollmentStore&)> fn) {
    return repo_->Write(fn);
  }
  absl::Status Read(absl::FunctionRef<absl::Status(EnrollmentStore&)> fn) {
    return repo_->Read(fn);
  }

  // Runs one read-only call and returns its value (failing the test on an
  // error).
  template <typename F>
  auto ReadValue(F f) ->
      typename std::invoke_result_t<F, EnrollmentStore&>::value_type {
    using T = typename std::invoke_result_t<F, EnrollmentStore&>::value_type;
    T out{};
    absl::Status s = Read([&](EnrollmentStore& store) -> absl::Status {
      ASSIGN_OR_RETURN(out, f(store));
      return absl::OkStatus();
    });
    EXPECT_TRUE(s.ok()) << s;
    return out;
  }

  // Writes rows in one transaction, failing the test on an error.
  void MustWrite(absl::FunctionRef<absl::Status(EnrollmentStore&)> fn) {
    absl::Status s = Write(fn);
    ASSERT_TRUE(s.ok()) << s;
  }

  bool CanSeePublished() const {
    return static_cast<bool>(GetParam().published_keys);
  }
  std::vector<std::string> PublishedKeys() {
    return GetParam().published_keys(*repo_);
  }

  // Two regions, three centres, four cohorts:
  //   ctr_a MA-CAS/MA-06: coh_a1 (cybersecurity, OPEN), coh_a2
  //     (digital-marketing, PLANNED)
  //   ctr_b MA-RAB/MA-04: coh_b1 (cybersecurity, OPEN)
  //   ctr_c MA-SAL/MA-04: coh_c1 (digital-management, RUNNING)
  void AddCatalogue() {
    centre_a_ = ContractCentre("ctr_a", "MA-CAS", "MA-06");
    centre_b_ = ContractCentre("ctr_b", "MA-RAB", "MA-04");
    centre_c_ = ContractCentre("ctr_c", "MA-SAL", "MA-04");
    cohort_a1_ = ContractCohort("coh_a1", centre_a_, "cybersecurity");
    cohort_a2_ = ContractCohort("coh_a2", centre_a_, "digital-marketing",
                                CohortStatus::kPlanned);
    cohort_b1_ = ContractCohort("coh_b1", centre_b_, "cybersecurity");
    cohort_c1_ = ContractCohort("coh_c1", centre_c_, "digital-management",
                                CohortStatus::kRunning);
    MustWrite([&](EnrollmentStore& s) -> absl::Status {
      for (const Centre* c : {&centre_a_, &centre_b_, &centre_c_}) {
        RETURN_IF_ERROR(s.InsertCentre(*c));
      }
      for (const Cohort* c :
           {&cohort_a1_, &cohort_a2_, &cohort_b1_, &cohort_c1_}) {
        RETURN_IF_ERROR(s.InsertCohort(*c));
      }
      return absl::OkStatus();
    });
  }

  // Inserts the application and, first, a candidate for its trainee.
  absl::Status AddApplication(const Application& a) {
    return Write([&](EnrollmentStore& s) -> absl::Status {
      ASSIGN_OR_RETURN(std::optional<Candidate> existing,
                       s.FindCandidate(a.trainee_id));
      if (!existing.has_value()) {
        RETURN_IF_ERROR(s.InsertCandidate(
            ContractCandidate(a.trainee_id, "hash-" + a.trainee_id)));
      }
      return s.InsertApplication(a);
    });
  }

  std::vector<std::string> ApplicationIds(const ApplicationFilter& filter) {
    std::vector<std::string> ids;
    PageQuery page{.limit = 100, .after_key = ""};
    Page<Application> p = ReadValue(
        [&](EnrollmentStore& s) { return s.ListApplications(filter, page); });
    for (const Application& a : p.items) ids.push_back(a.application_id);
    EXPECT_EQ(p.next_after_key, "");
    return ids;
  }

  std::vector<std::string> CohortIds(const CohortFilter& filter) {
    std::vector<std::string> ids;
    PageQuery page{.limit = 100, .after_key = ""};
    Page<Cohort> p = ReadValue(
        [&](EnrollmentStore& s) { return s.ListCohorts(filter, page); });
    for (const Cohort& c : p.items) ids.push_back(c.cohort_id);
    EXPECT_EQ(p.next_after_key, "");
    return ids;
  }

  std::vector<std::string> CentreIds(const CentreFilter& filter) {
    std::vector<std::string> ids;
    PageQuery page{.limit = 100, .after_key = ""};
    Page<Centre> p = ReadValue(
        [&](EnrollmentStore& s) { return s.ListCentres(filter, page); });
    for (const Centre& c : p.items) ids.push_back(c.centre_id);
    EXPECT_EQ(p.next_after_key, "");
    return ids;
  }

  std::unique_ptr<EnrollmentRepository> repo_;
  Centre centre_a_, centre_b_, centre_c_;
  Cohort cohort_a1_, cohort_a2_, cohort_b1_, cohort_c1_;
};

using ::testing::ElementsAre;
using ::testing::IsEmpty;

// --- Seeds -----------------------------------------------------------------

TEST_P(EnrollmentRepositoryContractTest, SeedsProgrammeAndLaunchTracks) {
  Programme p = ReadValue([](EnrollmentStore& s) { return s.GetProgramme(); });
  Programme expected;
  expected.name = "JobInTech";
  expected.national_target = 15000;
  expected.update_time = absl::UnixEpoch();
  EXPECT_EQ(Describe(p), Describe(expected));

  std::vector<Track> tracks =
      ReadValue([](EnrollmentStore& s) { return s.ListTracks(); });
  EXPECT_EQ(Describe(tracks),
            Describe(std::vector<Track>{{.track_id = "cybersecurity",
                                         .name_fr = "Cybersécurité",
                                         .name_ar = "الأمن السيبراني",
                                         .create_time = absl::UnixEpoch()},
                                        {.track_id = "digital-management",
                                         .name_fr = "Management digital",
                                         .name_ar = "التدبير الرقمي",
                                         .create_time = absl::UnixEpoch()},
                                        {.track_id = "digital-marketing",
                                         .name_fr = "Marketing digital",
                                         .name_ar = "التسويق الرقمي",
                                         .create_time = absl::UnixEpoch()}}));
}

TEST_P(EnrollmentRepositoryContractTest, StartsWithoutCentresCohortsOrPeople) {
  EXPECT_THAT(CentreIds({}), IsEmpty());
  EXPECT_THAT(CohortIds({}), IsEmpty());
  EXPECT_THAT(ApplicationIds({}), IsEmpty());
}

// --- Programme and sequences ----------------------------------------------

TEST_P(EnrollmentRepositoryContractTest, UpdatesProgramme) {
  Programme p;
  p.name = "JobInTech 2030";
  p.national_target = 20000;
  p.update_time = ContractTime(10);
  MustWrite([&](EnrollmentStore& s) { return s.UpdateProgramme(p); });
  EXPECT_EQ(
      Describe(ReadValue([](EnrollmentStore& s) { return s.GetProgramme(); })),
      Describe(p));
}

TEST_P(EnrollmentRepositoryContractTest, AggregateSequencesCountPerAggregate) {
  std::vector<int64_t> got;
  for (const char* id : {"programme", "programme", "digital-health",
                         "programme", "digital-health"}) {
    MustWrite([&](EnrollmentStore& s) -> absl::Status {
      ASSIGN_OR_RETURN(int64_t n, s.NextAggregateSequence(id));
      got.push_back(n);
      return absl::OkStatus();
    });
  }
  EXPECT_THAT(got, ElementsAre(1, 2, 1, 3, 2));
  // Several in one transaction.
  MustWrite([&](EnrollmentStore& s) -> absl::Status {
    ASSIGN_OR_RETURN(int64_t a, s.NextAggregateSequence("programme"));
    ASSIGN_OR_RETURN(int64_t b, s.NextAggregateSequence("programme"));
    EXPECT_EQ(a, 4);
    EXPECT_EQ(b, 5);
    return absl::OkStatus();
  });
}

// --- Tracks ----------------------------------------------------------------

TEST_P(EnrollmentRepositoryContractTest, InsertsFindsAndListsTracks) {
  Track t{.track_id = "digital-health",
          .name_fr = "Santé digitale",
          .name_ar = "الصحة الرقمية",
          .create_time = ContractTime(1)};
  MustWrite([&](EnrollmentStore& s) { return s.InsertTrack(t); });
  EXPECT_EQ(Describe(ReadValue([](EnrollmentStore& s) {
              return s.FindTrack("digital-health");
            })),
            Describe(std::optional<Track>(t)));
  EXPECT_FALSE(ReadValue([](EnrollmentStore& s) {
                 return s.FindTrack("nursing");
               }).has_value());
  std::vector<Track> tracks =
      ReadValue([](EnrollmentStore& s) { return s.ListTracks(); });
  std::vector<std::string> ids;
  for (const Track& x : tracks) ids.push_back(x.track_id);
  EXPECT_THAT(ids, ElementsAre("cybersecurity", "digital-health",
                               "digital-management", "digital-marketing"));
}

TEST_P(EnrollmentRepositoryContractTest, DuplicateTrackIsAlreadyExists) {
  Track seeded{.track_id = "cybersecurity",
               .name_fr = "x",
               .name_ar = "y",
               .create_time = ContractTime(1)};
  EXPECT_EQ(
      Write([&](EnrollmentStore& s) { return s.InsertTrack(seeded); }).code(),
      absl::StatusCode::kAlreadyExists);
  EXPECT_EQ(ReadValue([](EnrollmentStore& s) {
              return s.FindTrack("cybersecurity");
            })->name_fr,
            "Cybersécurité");
}

// --- Centres ---------------------------------------------------------------

TEST_P(EnrollmentRepositoryContractTest, InsertsAndFindsCentres) {
  Centre c = ContractCentre("ctr_1", "MA-FQH", "MA-05");
  MustWrite([&](EnrollmentStore& s) { return s.InsertCentre(c); });
  EXPECT_EQ(Describe(ReadValue(
                [](EnrollmentStore& s) { return s.FindCentre("ctr_1"); })),
            Describe(std::optional<Centre>(c)));
  EXPECT_FALSE(ReadValue([](EnrollmentStore& s) {
                 return s.FindCentre("ctr_2");
               }).has_value());
  Centre dup = ContractCentre("ctr_1", "MA-CAS", "MA-06");
  EXPECT_EQ(
      Write([&](EnrollmentStore& s) { return s.InsertCentre(dup); }).code(),
      absl::StatusCode::kAlreadyExists);
  EXPECT_EQ(ReadValue([](EnrollmentStore& s) {
              return s.FindCentre("ctr_1");
            })->province_code,
            "MA-FQH");
}

TEST_P(EnrollmentRepositoryContractTest, FiltersCentresByRegionAndProvince) {
  AddCatalogue();
  EXPECT_THAT(CentreIds({}), ElementsAre("ctr_a", "ctr_b", "ctr_c"));
  EXPECT_THAT(CentreIds({.region_code = "MA-04", .province_code = ""}),
              ElementsAre("ctr_b", "ctr_c"));
  EXPECT_THAT(CentreIds({.region_code = "", .province_code = "MA-SAL"}),
              ElementsAre("ctr_c"));
  EXPECT_THAT(CentreIds({.region_code = "MA-06", .province_code = "MA-SAL"}),
              IsEmpty());
  EXPECT_THAT(CentreIds({.region_code = "MA-12", .province_code = ""}),
              IsEmpty());
}

TEST_P(EnrollmentRepositoryContractTest, PagesCentresByKey) {
  MustWrite([&](EnrollmentStore& s) -> absl::Status {
    // Inserted out of key order; listed in key order.
    for (const char* id :
         {"ctr_5", "ctr_2", "ctr_7", "ctr_1", "ctr_4", "ctr_3", "ctr_6"}) {
      RETURN_IF_ERROR(s.InsertCentre(ContractCentre(id, "MA-CAS", "MA-06")));
    }
    return absl::OkStatus();
  });
  std::vector<std::vector<std::string>> pages;
  std::vector<std::string> keys;
  PageQuery q{.limit = 3, .after_key = ""};
  for (int i = 0; i < 5; ++i) {
    Page<Centre> p =
        ReadValue([&](EnrollmentStore& s) { return s.ListCentres({}, q); });
    std::vector<std::string> ids;
    for (const Centre& c : p.items) ids.push_back(c.centre_id);
    pages.push_back(ids);
    keys.push_back(p.next_after_key);
    if (p.next_after_key.empty()) break;
    q.after_key = p.next_after_key;
  }
  ASSERT_EQ(pages.size(), 3u);
  EXPECT_THAT(pages[0], ElementsAre("ctr_1", "ctr_2", "ctr_3"));
  EXPECT_THAT(pages[1], ElementsAre("ctr_4", "ctr_5", "ctr_6"));
  EXPECT_THAT(pages[2], ElementsAre("ctr_7"));
  EXPECT_THAT(keys, ElementsAre("ctr_3", "ctr_6", ""));
}

TEST_P(EnrollmentRepositoryContractTest, LastFullPageHasNoNextKey) {
  MustWrite([&](EnrollmentStore& s) -> absl::Status {
    for (const char* id : {"ctr_1", "ctr_2", "ctr_3", "ctr_4"}) {
      RETURN_IF_ERROR(s.InsertCentre(ContractCentre(id, "MA-CAS", "MA-06")));
    }
    return absl::OkStatus();
  });
  PageQuery q{.limit = 2, .after_key = "ctr_2"};
  Page<Centre> p =
      ReadValue([&](EnrollmentStore& s) { return s.ListCentres({}, q); });
  ASSERT_EQ(p.items.size(), 2u);
  EXPECT_EQ(p.items[1].centre_id, "ctr_4");
  EXPECT_EQ(p.next_after_key, "");
  // A key between rows, or past the end.
  q.after_key = "ctr_1x";
  p = ReadValue([&](EnrollmentStore& s) { return s.ListCentres({}, q); });
  ASSERT_EQ(p.items.size(), 2u);
  EXPECT_EQ(p.items[0].centre_id, "ctr_2");
  EXPECT_EQ(p.next_after_key, "ctr_3");
  q.after_key = "ctr_9";
  p = ReadValue([&](EnrollmentStore& s) { return s.ListCentres({}, q); });
  EXPECT_THAT(p.items, IsEmpty());
  EXPECT_EQ(p.next_after_key, "");
}

// --- Cohorts ---------------------------------------------------------------

TEST_P(EnrollmentRepositoryContractTest, InsertsFindsAndUpdatesCohorts) {
  AddCatalogue();
  EXPECT_EQ(Describe(ReadValue(
                [](EnrollmentStore& s) { return s.FindCohort("coh_a1"); })),
            Describe(std::optional<Cohort>(cohort_a1_)));
  EXPECT_FALSE(ReadValue([](EnrollmentStore& s) {
                 return s.FindCohort("coh_zz");
               }).has_value());

  Cohort changed = cohort_a1_;
  changed.capacity = 45;
  changed.status = CohortStatus::kRunning;
  changed.event_sequence = 2;
  changed.update_time = ContractTime(20);
  MustWrite([&](EnrollmentStore& s) { return s.UpdateCohort(changed); });
  EXPECT_EQ(Describe(ReadValue(
                [](EnrollmentStore& s) { return s.FindCohort("coh_a1"); })),
            Describe(std::optional<Cohort>(changed)));

  EXPECT_EQ(Write([&](EnrollmentStore& s) {
              return s.InsertCohort(cohort_a1_);
            }).code(),
            absl::StatusCode::kAlreadyExists);
  Cohort missing = ContractCohort("coh_zz", centre_a_, "cybersecurity");
  EXPECT_EQ(
      Write([&](EnrollmentStore& s) { return s.UpdateCohort(missing); }).code(),
      absl::StatusCode::kNotFound);
  EXPECT_FALSE(ReadValue([](EnrollmentStore& s) {
                 return s.FindCohort("coh_zz");
               }).has_value());
}

TEST_P(EnrollmentRepositoryContractTest, FiltersCohorts) {
  AddCatalogue();
  EXPECT_THAT(CohortIds({}),
              ElementsAre("coh_a1", "coh_a2", "coh_b1", "coh_c1"));
  CohortFilter f;
  f.track_id = "cybersecurity";
  EXPECT_THAT(CohortIds(f), ElementsAre("coh_a1", "coh_b1"));
  f = {};
  f.centre_id = "ctr_a";
  EXPECT_THAT(CohortIds(f), ElementsAre("coh_a1", "coh_a2"));
  f = {};
  f.region_code = "MA-04";
  EXPECT_THAT(CohortIds(f), ElementsAre("coh_b1", "coh_c1"));
  f = {};
  f.province_code = "MA-SAL";
  EXPECT_THAT(CohortIds(f), ElementsAre("coh_c1"));
  f = {};
  f.status = CohortStatus::kOpen;
  EXPECT_THAT(CohortIds(f), ElementsAre("coh_a1", "coh_b1"));
  f.region_code = "MA-06";
  EXPECT_THAT(CohortIds(f), ElementsAre("coh_a1"));
  f.status = CohortStatus::kClosed;
  EXPECT_THAT(CohortIds(f), IsEmpty());
}

TEST_P(EnrollmentRepositoryContractTest, PagesCohortsWithAFilter) {
  AddCatalogue();
  CohortFilter f;
  f.centre_id = "ctr_a";
  PageQuery q{.limit = 1, .after_key = ""};
  Page<Cohort> p1 =
      ReadValue([&](EnrollmentStore& s) { return s.ListCohorts(f, q); });
  ASSERT_EQ(p1.items.size(), 1u);
  EXPECT_EQ(p1.items[0].cohort_id, "coh_a1");
  EXPECT_EQ(p1.next_after_key, "coh_a1");
  q.after_key = p1.next_after_key;
  Page<Cohort> p2 =
      ReadValue([&](EnrollmentStore& s) { return s.ListCohorts(f, q); });
  ASSERT_EQ(p2.items.size(), 1u);
  EXPECT_EQ(p2.items[0].cohort_id, "coh_a2");
  EXPECT_EQ(p2.next_after_key, "");  // coh_b1 does not match the filter
}

// --- Candidates ------------------------------------------------------------

TEST_P(EnrollmentRepositoryContractTest, InsertsFindsAndUpdatesCandidates) {
  Candidate c = ContractCandidate("trn_1", "hash-1");
  MustWrite([&](EnrollmentStore& s) { return s.InsertCandidate(c); });
  EXPECT_EQ(Describe(ReadValue(
                [](EnrollmentStore& s) { return s.FindCandidate("trn_1"); })),
            Describe(std::optional<Candidate>(c)));
  EXPECT_EQ(Describe(ReadValue([](EnrollmentStore& s) {
              return s.FindCandidateByCinHash("hash-1");
            })),
            Describe(std::optional<Candidate>(c)));
  EXPECT_FALSE(ReadValue([](EnrollmentStore& s) {
                 return s.FindCandidate("trn_2");
               }).has_value());
  EXPECT_FALSE(ReadValue([](EnrollmentStore& s) {
                 return s.FindCandidateByCinHash("hash-2");
               }).has_value());

  c.event_sequence = 4;
  c.personal_data->phone = "+212700000000";
  MustWrite([&](EnrollmentStore& s) { return s.UpdateCandidate(c); });
  EXPECT_EQ(Describe(ReadValue(
                [](EnrollmentStore& s) { return s.FindCandidate("trn_1"); })),
            Describe(std::optional<Candidate>(c)));

  Candidate dup = ContractCandidate("trn_1", "hash-9");
  EXPECT_EQ(
      Write([&](EnrollmentStore& s) { return s.InsertCandidate(dup); }).code(),
      absl::StatusCode::kAlreadyExists);
  Candidate missing = ContractCandidate("trn_2", "hash-2");
  EXPECT_EQ(Write([&](EnrollmentStore& s) {
              return s.UpdateCandidate(missing);
            }).code(),
            absl::StatusCode::kNotFound);
  EXPECT_FALSE(ReadValue([](EnrollmentStore& s) {
                 return s.FindCandidate("trn_2");
               }).has_value());
}

TEST_P(EnrollmentRepositoryContractTest, CinHashIsUniqueAmongCandidates) {
  MustWrite([&](EnrollmentStore& s) {
    return s.InsertCandidate(ContractCandidate("trn_1", "hash-1"));
  });
  MustWrite([&](EnrollmentStore& s) {
    return s.InsertCandidate(ContractCandidate("trn_2", "hash-2"));
  });
  EXPECT_EQ(Write([&](EnrollmentStore& s) {
              return s.InsertCandidate(ContractCandidate("trn_3", "hash-1"));
            }).code(),
            absl::StatusCode::kAlreadyExists);
  EXPECT_FALSE(ReadValue([](EnrollmentStore& s) {
                 return s.FindCandidate("trn_3");
               }).has_value());
  // Taking another candidate's hash by update.
  EXPECT_EQ(Write([&](EnrollmentStore& s) {
              return s.UpdateCandidate(ContractCandidate("trn_2", "hash-1"));
            }).code(),
            absl::StatusCode::kAlreadyExists);
  EXPECT_EQ(ReadValue([](EnrollmentStore& s) {
              return s.FindCandidate("trn_2");
            })->cin_hash,
            "hash-2");
}

TEST_P(EnrollmentRepositoryContractTest, ErasureClearsPersonalDataAndHash) {
  MustWrite([&](EnrollmentStore& s) {
    return s.InsertCandidate(ContractCandidate("trn_1", "hash-1"));
  });
  Candidate erased = ContractCandidate("trn_1", "");
  erased.personal_data.reset();
  erased.erase_time = ContractTime(30);
  erased.event_sequence = 3;
  MustWrite([&](EnrollmentStore& s) { return s.UpdateCandidate(erased); });

  std::optional<Candidate> got =
      ReadValue([](EnrollmentStore& s) { return s.FindCandidate("trn_1"); });
  EXPECT_EQ(Describe(got), Describe(std::optional<Candidate>(erased)));
  EXPECT_FALSE(ReadValue([](EnrollmentStore& s) {
                 return s.FindCandidateByCinHash("hash-1");
               }).has_value());
  EXPECT_FALSE(ReadValue([](EnrollmentStore& s) {
                 return s.FindCandidateByCinHash("");
               }).has_value());
  // The hash is free again, and several erased candidates coexist.
  MustWrite([&](EnrollmentStore& s) {
    return s.InsertCandidate(ContractCandidate("trn_2", "hash-1"));
  });
  Candidate erased2 = ContractCandidate("trn_3", "");
  erased2.personal_data.reset();
  erased2.erase_time = ContractTime(31);
  MustWrite([&](EnrollmentStore& s) { return s.InsertCandidate(erased2); });
  EXPECT_EQ(ReadValue([](EnrollmentStore& s) {
              return s.FindCandidateByCinHash("hash-1");
            })->trainee_id,
            "trn_2");
}

// --- Applications ----------------------------------------------------------

TEST_P(EnrollmentRepositoryContractTest, InsertsFindsAndUpdatesApplications) {
  AddCatalogue();
  Application a = ContractApplication("app_1", "trn_1", cohort_a1_);
  a.reason = "";
  ASSERT_TRUE(AddApplication(a).ok());
  EXPECT_EQ(Describe(ReadValue(
                [](EnrollmentStore& s) { return s.FindApplication("app_1"); })),
            Describe(std::optional<Application>(a)));
  EXPECT_FALSE(ReadValue([](EnrollmentStore& s) {
                 return s.FindApplication("app_2");
               }).has_value());

  a.status = ApplicationStatus::kRejected;
  a.reason = "dossier incomplet — ملف غير مكتمل";
  a.reason_code = ::jobintech::common::v1::REJECTION_REASON_INCOMPLETE_FILE;
  a.update_time = ContractTime(40);
  MustWrite([&](EnrollmentStore& s) { return s.UpdateApplication(a); });
  EXPECT_EQ(Describe(ReadValue(
                [](EnrollmentStore& s) { return s.FindApplication("app_1"); })),
            Describe(std::optional<Application>(a)));

  EXPECT_EQ(AddApplication(a).code(), absl::StatusCode::kAlreadyExists);
  Application missing = ContractApplication("app_2", "trn_1", cohort_a1_);
  EXPECT_EQ(Write([&](EnrollmentStore& s) {
              return s.UpdateApplication(missing);
            }).code(),
            absl::StatusCode::kNotFound);
}

TEST_P(EnrollmentRepositoryContractTest,
       ListsApplicationsOfTraineeOldestFirst) {
  AddCatalogue();
  ASSERT_TRUE(AddApplication(ContractApplication("app_z", "trn_1", cohort_a1_,
                                                 ApplicationStatus::kDeclined))
                  .ok());
  ASSERT_TRUE(
      AddApplication(ContractApplication("app_m", "trn_2", cohort_a1_)).ok());
  ASSERT_TRUE(
      AddApplication(ContractApplication("app_a", "trn_1", cohort_b1_)).ok());
  std::vector<Application> apps = ReadValue(
      [](EnrollmentStore& s) { return s.ApplicationsOfTrainee("trn_1"); });
  ASSERT_EQ(apps.size(), 2u);
  EXPECT_EQ(apps[0].application_id, "app_z");
  EXPECT_EQ(apps[1].application_id, "app_a");
  EXPECT_THAT(ReadValue([](EnrollmentStore& s) {
                return s.ApplicationsOfTrainee("trn_9");
              }),
              IsEmpty());
}

TEST_P(EnrollmentRepositoryContractTest, FiltersApplications) {
  AddCatalogue();
  using S = ApplicationStatus;
  for (const Application& a :
       {ContractApplication("app_1", "trn_1", cohort_a1_, S::kApplied),
        ContractApplication("app_2", "trn_2", cohort_a1_, S::kAdmitted),
        ContractApplication("app_3", "trn_3", cohort_b1_, S::kApplied),
        ContractApplication("app_4", "trn_4", cohort_c1_, S::kEnrolled),
        ContractApplication("app_5", "trn_5", cohort_a2_, S::kApplied)}) {
    ASSERT_TRUE(AddApplication(a).ok());
  }
  EXPECT_THAT(ApplicationIds({}),
              ElementsAre("app_1", "app_2", "app_3", "app_4", "app_5"));
  ApplicationFilter f;
  f.cohort_id = "coh_a1";
  EXPECT_THAT(ApplicationIds(f), ElementsAre("app_1", "app_2"));
  f.status = S::kAdmitted;
  EXPECT_THAT(ApplicationIds(f), ElementsAre("app_2"));
  f = {};
  f.status = S::kApplied;
  EXPECT_THAT(ApplicationIds(f), ElementsAre("app_1", "app_3", "app_5"));
  f = {};
  f.region_code = "MA-04";  // centres b and c
  EXPECT_THAT(ApplicationIds(f), ElementsAre("app_3", "app_4"));
  f.province_code = "MA-SAL";
  EXPECT_THAT(ApplicationIds(f), ElementsAre("app_4"));
  f = {};
  f.province_code = "MA-CAS";
  f.status = S::kApplied;
  EXPECT_THAT(ApplicationIds(f), ElementsAre("app_1", "app_5"));
  f.cohort_id = "coh_b1";
  EXPECT_THAT(ApplicationIds(f), IsEmpty());
}

TEST_P(EnrollmentRepositoryContractTest, ListsOnlyTheApplicationsInScope) {
  AddCatalogue();
  using S = ApplicationStatus;
  for (const Application& a :
       {ContractApplication("app_1", "trn_1", cohort_a1_, S::kApplied),
        ContractApplication("app_2", "trn_2", cohort_a1_, S::kAdmitted),
        ContractApplication("app_3", "trn_3", cohort_b1_, S::kApplied),
        ContractApplication("app_4", "trn_4", cohort_c1_, S::kEnrolled),
        ContractApplication("app_5", "trn_5", cohort_a2_, S::kApplied)}) {
    ASSERT_TRUE(AddApplication(a).ok());
  }
  ApplicationFilter f;
  f.scope = command::Scope::Limited({"MA-04"}, {});  // centres b and c
  EXPECT_THAT(ApplicationIds(f), ElementsAre("app_3", "app_4"));
  f.scope = command::Scope::Limited({}, {"ctr_a"});
  EXPECT_THAT(ApplicationIds(f), ElementsAre("app_1", "app_2", "app_5"));
  f.scope = command::Scope::Limited({"MA-04"}, {"ctr_a"});
  EXPECT_THAT(ApplicationIds(f),
              ElementsAre("app_1", "app_2", "app_3", "app_4", "app_5"));
  f.scope = command::Scope::Limited({"MA-05", "MA-04"}, {});
  f.status = S::kApplied;
  EXPECT_THAT(ApplicationIds(f), ElementsAre("app_3"));
  f = {};
  f.region_code = "MA-06";  // a filter outside the scope finds nothing
  f.scope = command::Scope::Limited({"MA-04"}, {});
  EXPECT_THAT(ApplicationIds(f), IsEmpty());
  f = {};
  f.scope = command::Scope::Limited({}, {});
  EXPECT_THAT(ApplicationIds(f), IsEmpty());
}

TEST_P(EnrollmentRepositoryContractTest, PagesApplicationsInThreePages) {
  AddCatalogue();
  for (int i = 1; i <= 8; ++i) {
    ASSERT_TRUE(
        AddApplication(ContractApplication(absl::StrCat("app_", i),
                                           absl::StrCat("trn_", i), cohort_a1_))
            .ok());
  }
  // One of another cohort, in the middle of the key range.
  ASSERT_TRUE(
      AddApplication(ContractApplication("app_45", "trn_45", cohort_b1_)).ok());
  ApplicationFilter f;
  f.cohort_id = "coh_a1";
  PageQuery q{.limit = 3, .after_key = ""};
  std::vector<std::string> seen;
  std::vector<std::string> keys;
  for (int i = 0; i < 5; ++i) {
    Page<Application> p =
        ReadValue([&](EnrollmentStore& s) { return s.ListApplications(f, q); });
    for (const Application& a : p.items) seen.push_back(a.application_id);
    keys.push_back(p.next_after_key);
    if (p.next_after_key.empty()) break;
    q.after_key = p.next_after_key;
  }
  EXPECT_THAT(seen, ElementsAre("app_1", "app_2", "app_3", "app_4", "app_5",
                                "app_6", "app_7", "app_8"));
  EXPECT_THAT(keys, ElementsAre("app_3", "app_6", ""));
}

// --- Seats and waitlist ----------------------------------------------------

TEST_P(EnrollmentRepositoryContractTest, CountsSeatsOfACohort) {
  AddCatalogue();
  using S = ApplicationStatus;
  int n = 0;
  for (S status : {S::kApplied, S::kAdmitted, S::kAdmitted, S::kEnrolled,
                   S::kWaitlisted, S::kWaitlisted, S::kWaitlisted, S::kRejected,
                   S::kDeclined, S::kWithdrawn}) {
    ++n;
    ASSERT_TRUE(AddApplication(ContractApplication(absl::StrCat("app_", n),
                                                   absl::StrCat("trn_", n),
                                                   cohort_a1_, status, n))
                    .ok());
  }
  ASSERT_TRUE(AddApplication(ContractApplication("app_x", "trn_x", cohort_b1_,
                                                 S::kEnrolled))
                  .ok());
  SeatCounts seats =
      ReadValue([](EnrollmentStore& s) { return s.CountSeats("coh_a1"); });
  EXPECT_EQ(seats.admitted, 2);
  EXPECT_EQ(seats.enrolled, 1);
  EXPECT_EQ(seats.waitlisted, 3);
  EXPECT_EQ(seats.held(), 3);
  SeatCounts empty =
      ReadValue([](EnrollmentStore& s) { return s.CountSeats("coh_c1"); });
  EXPECT_EQ(empty.admitted + empty.enrolled + empty.waitlisted, 0);
}

TEST_P(EnrollmentRepositoryContractTest, WaitlistIsOrderedByRankThenId) {
  AddCatalogue();
  using S = ApplicationStatus;
  EXPECT_FALSE(ReadValue([](EnrollmentStore& s) {
                 return s.FirstWaitlisted("coh_a1");
               }).has_value());
  // Inserted out of order; app_b and app_c share a rank (id breaks ties).
  ASSERT_TRUE(AddApplication(ContractApplication("app_d", "trn_d", cohort_a1_,
                                                 S::kWaitlisted, 30))
                  .ok());
  ASSERT_TRUE(AddApplication(ContractApplication("app_c", "trn_c", cohort_a1_,
                                                 S::kWaitlisted, 20))
                  .ok());
  ASSERT_TRUE(AddApplication(ContractApplication("app_b", "trn_b", cohort_a1_,
                                                 S::kWaitlisted, 20))
                  .ok());
  ASSERT_TRUE(AddApplication(ContractApplication("app_a", "trn_a", cohort_a1_,
                                                 S::kApplied, 0))
                  .ok());
  // Lower rank, but another cohort.
  ASSERT_TRUE(AddApplication(ContractApplication("app_0", "trn_0", cohort_b1_,
                                                 S::kWaitlisted, 1))
                  .ok());
  // Lower rank, but no longer waiting.
  ASSERT_TRUE(AddApplication(ContractApplication("app_r", "trn_r", cohort_a1_,
                                                 S::kRejected, 5))
                  .ok());

  std::optional<Application> first =
      ReadValue([](EnrollmentStore& s) { return s.FirstWaitlisted("coh_a1"); });
  ASSERT_TRUE(first.has_value());
  EXPECT_EQ(first->application_id, "app_b");

  auto position = [&](const std::string& id) {
    return ReadValue([&](EnrollmentStore& s) -> absl::StatusOr<int32_t> {
      ASSIGN_OR_RETURN(std::optional<Application> a, s.FindApplication(id));
      if (!a.has_value()) return absl::NotFoundError(id);
      return s.WaitlistPosition(*a);
    });
  };
  EXPECT_EQ(position("app_b"), 1);
  EXPECT_EQ(position("app_c"), 2);
  EXPECT_EQ(position("app_d"), 3);
  EXPECT_EQ(position("app_a"), 0);  // not waitlisted
  EXPECT_EQ(position("app_r"), 0);
  EXPECT_EQ(position("app_0"), 1);

  // The first leaves the waitlist: everyone moves up.
  MustWrite([&](EnrollmentStore& s) -> absl::Status {
    Application b = *first;
    b.status = S::kAdmitted;
    b.waitlist_rank = 0;
    return s.UpdateApplication(b);
  });
  EXPECT_EQ(ReadValue([](EnrollmentStore& s) {
              return s.FirstWaitlisted("coh_a1");
            })->application_id,
            "app_c");
  EXPECT_EQ(position("app_c"), 1);
  EXPECT_EQ(position("app_d"), 2);
}

TEST_P(EnrollmentRepositoryContractTest, WaitlistRanksKeepIncreasing) {
  std::vector<int64_t> ranks;
  for (int i = 0; i < 3; ++i) {
    MustWrite([&](EnrollmentStore& s) -> absl::Status {
      ASSIGN_OR_RETURN(int64_t a, s.NextWaitlistRank());
      ASSIGN_OR_RETURN(int64_t b, s.NextWaitlistRank());
      ranks.push_back(a);
      ranks.push_back(b);
      return absl::OkStatus();
    });
  }
  ASSERT_EQ(ranks.size(), 6u);
  EXPECT_GT(ranks[0], 0);
  for (size_t i = 1; i < ranks.size(); ++i) {
    EXPECT_GT(ranks[i], ranks[i - 1]) << i;
  }
  // A rolled-back transaction may or may not consume ranks, but later ranks
  // still exceed every rank handed out before.
  int64_t rolled_back = 0;
  absl::Status s = Write([&](EnrollmentStore& store) -> absl::Status {
    ASSIGN_OR_RETURN(rolled_back, store.NextWaitlistRank());
    return absl::AbortedError("roll back");
  });
  EXPECT_EQ(s.code(), absl::StatusCode::kAborted);
  MustWrite([&](EnrollmentStore& store) -> absl::Status {
    ASSIGN_OR_RETURN(int64_t next, store.NextWaitlistRank());
    EXPECT_GT(next, ranks.back());
    return absl::OkStatus();
  });
}

// --- Idempotency -----------------------------------------------------------

TEST_P(EnrollmentRepositoryContractTest, StoresEveryResponseSnapshotExactly) {
  Programme programme;
  programme.name = "JobInTech";
  programme.national_target = 16000;
  programme.update_time = ContractTime(1);
  Track track{.track_id = "digital-health",
              .name_fr = "Santé digitale",
              .name_ar = "الصحة الرقمية",
              .create_time = ContractTime(2)};
  Centre centre = ContractCentre("ctr_1", "MA-FQH", "MA-05");
  Cohort cohort = ContractCohort("coh_1", centre, "cybersecurity",
                                 CohortStatus::kClosed, 50);
  cohort.start_date = absl::CivilDay(2024, 2, 29);
  cohort.end_date = absl::CivilDay(2025, 12, 31);
  Application application = ContractApplication(
      "app_1", "trn_1", cohort, ApplicationStatus::kWaitlisted, 42);
  application.reason = "liste d'attente \"A\" — قائمة";
  application.dimensions.gender = ::jobintech::common::v1::GENDER_MALE;
  application.dimensions.age_band = ::jobintech::common::v1::AGE_BAND_30_35;
  application.dimensions.education_level =
      ::jobintech::common::v1::EDUCATION_LEVEL_DOCTORATE;
  EraseResult erased{.trainee_id = "trn_1", .erase_time = ContractTime(3)};
  // Times before the epoch and defaults survive too.
  Track old{.track_id = "old",
            .name_fr = "",
            .name_ar = "",
            .create_time = absl::FromUnixMicros(-1'000'001)};

  std::vector<StoredRequest> requests = {
      {"req-programme", "UpdateProgramme", programme, ContractTime(10)},
      {"req-track", "CreateTrack", track, ContractTime(11)},
      {"req-centre", "CreateCentre", centre, ContractTime(12)},
      {"req-cohort", "UpdateCohort", cohort, ContractTime(13)},
      {"req-application", "WaitlistApplication", application, ContractTime(14)},
      {"req-erase", "EraseCandidate", erased, ContractTime(15)},
      {"req-default-cohort", "CreateCohort", Cohort{}, ContractTime(16)},
      {"req-old-track", "CreateTrack", old, ContractTime(17)},
  };
  MustWrite([&](EnrollmentStore& s) -> absl::Status {
    for (const StoredRequest& r : requests) RETURN_IF_ERROR(s.InsertRequest(r));
    return absl::OkStatus();
  });
  for (const StoredRequest& r : requests) {
    SCOPED_TRACE(r.request_id);
    std::optional<StoredRequest> got = ReadValue(
        [&](EnrollmentStore& s) { return s.FindRequest(r.request_id); });
    ASSERT_TRUE(got.has_value());
    EXPECT_EQ(got->response.index(), r.response.index());
    EXPECT_EQ(Describe(*got), Describe(r));
  }
  EXPECT_FALSE(ReadValue([](EnrollmentStore& s) {
                 return s.FindRequest("req-unknown");
               }).has_value());
}

TEST_P(EnrollmentRepositoryContractTest, DuplicateRequestIdIsAlreadyExists) {
  StoredRequest r{"req-1", "CreateCentre",
                  ContractCentre("ctr_1", "MA-FQH", "MA-05"), ContractTime(1)};
  MustWrite([&](EnrollmentStore& s) { return s.InsertRequest(r); });
  StoredRequest again{"req-1", "CreateTrack", Track{}, ContractTime(2)};
  EXPECT_EQ(
      Write([&](EnrollmentStore& s) { return s.InsertRequest(again); }).code(),
      absl::StatusCode::kAlreadyExists);
  EXPECT_EQ(ReadValue([](EnrollmentStore& s) {
              return s.FindRequest("req-1");
            })->operation,
            "CreateCentre");
}

TEST_P(EnrollmentRepositoryContractTest,
       ExpiredRequestsAreDeletedOldestFirstInBatches) {
  MustWrite([&](EnrollmentStore& s) -> absl::Status {
    for (int64_t i = 0; i < 5; ++i)
      RETURN_IF_ERROR(s.InsertRequest(StoredRequest{
          absl::StrCat("req-", i), "CreateTrack", Track{}, ContractTime(i)}));
    return absl::OkStatus();
  });
  auto prune = [&](int64_t before, int64_t limit) {
    int64_t deleted = -1;
    MustWrite([&](EnrollmentStore& s) -> absl::Status {
      absl::StatusOr<int64_t> n =
          s.DeleteRequestsBefore(ContractTime(before), limit);
      if (!n.ok()) return n.status();
      deleted = *n;
      return absl::OkStatus();
    });
    return deleted;
  };
  EXPECT_EQ(prune(3, 2), 2);  // req-0, req-1: the oldest first
  EXPECT_EQ(ReadValue([](EnrollmentStore& s) {
              return s.FindRequest("req-1");
            }).has_value(),
            false);
  EXPECT_EQ(ReadValue([](EnrollmentStore& s) {
              return s.FindRequest("req-2");
            }).has_value(),
            true);
  EXPECT_EQ(prune(3, 10), 1);  // req-2; req-3 is not older than the cut
  EXPECT_EQ(prune(3, 10), 0);
  for (const char* kept : {"req-3", "req-4"}) {
    EXPECT_TRUE(ReadValue([&](EnrollmentStore& s) {
                  return s.FindRequest(kept);
                }).has_value())
        << kept;
  }
}

// --- Transactions ----------------------------------------------------------

TEST_P(EnrollmentRepositoryContractTest, FailedWriteLeavesNothing) {
  AddCatalogue();
  const std::vector<std::string> published_before =
      CanSeePublished() ? PublishedKeys() : std::vector<std::string>();
  const Programme programme_before =
      ReadValue([](EnrollmentStore& s) { return s.GetProgramme(); });

  const absl::Status failure = absl::FailedPreconditionError("cohort is full");
  absl::Status s = Write([&](EnrollmentStore& store) -> absl::Status {
    RETURN_IF_ERROR(
        store.InsertCentre(ContractCentre("ctr_new", "MA-FQH", "MA-05")));
    RETURN_IF_ERROR(store.InsertTrack(Track{.track_id = "digital-health",
                                            .name_fr = "Santé digitale",
                                            .name_ar = "الصحة الرقمية",
                                            .create_time = ContractTime(1)}));
    RETURN_IF_ERROR(store.InsertCandidate(ContractCandidate("trn_1", "h1")));
    RETURN_IF_ERROR(store.InsertApplication(
        ContractApplication("app_1", "trn_1", cohort_a1_)));
    Cohort changed = cohort_a1_;
    changed.capacity = 1;
    RETURN_IF_ERROR(store.UpdateCohort(changed));
    Programme p = programme_before;
    p.national_target = 1;
    RETURN_IF_ERROR(store.UpdateProgramme(p));
    RETURN_IF_ERROR(store.NextAggregateSequence("programme").status());
    RETURN_IF_ERROR(store.InsertRequest(
        {"req-1", "SubmitApplication",
         ContractApplication("app_1", "trn_1", cohort_a1_), ContractTime(1)}));
    RETURN_IF_ERROR(store.Publish(ContractEvent("trn_1", 1)));
    return failure;
  });
  EXPECT_EQ(s, failure);  // returned unchanged

  EXPECT_FALSE(ReadValue([](EnrollmentStore& st) {
                 return st.FindCentre("ctr_new");
               }).has_value());
  EXPECT_FALSE(ReadValue([](EnrollmentStore& st) {
                 return st.FindTrack("digital-health");
               }).has_value());
  EXPECT_FALSE(ReadValue([](EnrollmentStore& st) {
                 return st.FindCandidate("trn_1");
               }).has_value());
  EXPECT_FALSE(ReadValue([](EnrollmentStore& st) {
                 return st.FindCandidateByCinHash("h1");
               }).has_value());
  EXPECT_FALSE(ReadValue([](EnrollmentStore& st) {
                 return st.FindApplication("app_1");
               }).has_value());
  EXPECT_FALSE(ReadValue([](EnrollmentStore& st) {
                 return st.FindRequest("req-1");
               }).has_value());
  EXPECT_EQ(ReadValue([](EnrollmentStore& st) {
              return st.FindCohort("coh_a1");
            })->capacity,
            cohort_a1_.capacity);
  EXPECT_EQ(Describe(ReadValue(
                [](EnrollmentStore& st) { return st.GetProgramme(); })),
            Describe(programme_before));
  MustWrite([&](EnrollmentStore& store) -> absl::Status {
    ASSIGN_OR_RETURN(int64_t n, store.NextAggregateSequence("programme"));
    EXPECT_EQ(n, 1);
    return absl::OkStatus();
  });
  if (CanSeePublished()) {
    EXPECT_EQ(PublishedKeys(), published_before);
  }
}

TEST_P(EnrollmentRepositoryContractTest,
       CommittedWritePublishesItsEventsInOrder) {
  if (!CanSeePublished()) GTEST_SKIP() << "no view of published events";
  const size_t before = PublishedKeys().size();
  MustWrite([&](EnrollmentStore& s) -> absl::Status {
    RETURN_IF_ERROR(s.Publish(ContractEvent("trn_b", 1)));
    RETURN_IF_ERROR(s.Publish(ContractEvent("trn_a", 1)));
    return s.Publish(ContractEvent("trn_b", 2));
  });
  MustWrite(
      [&](EnrollmentStore& s) { return s.Publish(ContractEvent("trn_a", 2)); });
  std::vector<std::string> keys = PublishedKeys();
  ASSERT_EQ(keys.size(), before + 4);
  EXPECT_THAT(std::vector<std::string>(keys.begin() + before, keys.end()),
              ElementsAre("trn_b", "trn_a", "trn_b", "trn_a"));
}

TEST_P(EnrollmentRepositoryContractTest, FailedInsertInsideWriteCanBeHandled) {
  // A store error inside the callback does not poison the transaction when
  // the callback handles it and goes on.
  MustWrite([&](EnrollmentStore& s) {
    return s.InsertCentre(ContractCentre("ctr_1", "MA-FQH", "MA-05"));
  });
  MustWrite([&](EnrollmentStore& s) -> absl::Status {
    absl::Status dup =
        s.InsertCentre(ContractCentre("ctr_1", "MA-CAS", "MA-06"));
    EXPECT_EQ(dup.code(), absl::StatusCode::kAlreadyExists);
    return s.InsertCentre(ContractCentre("ctr_2", "MA-CAS", "MA-06"));
  });
  EXPECT_TRUE(ReadValue([](EnrollmentStore& s) {
                return s.FindCentre("ctr_2");
              }).has_value());
  EXPECT_EQ(ReadValue([](EnrollmentStore& s) {
              return s.FindCentre("ctr_1");
            })->province_code,
            "MA-FQH");
}

TEST_P(EnrollmentRepositoryContractTest, ReadTransactionRefusesEveryMutation) {
  AddCatalogue();
  ASSERT_TRUE(
      AddApplication(ContractApplication("app_1", "trn_1", cohort_a1_)).ok());
  const size_t published_before =
      CanSeePublished() ? PublishedKeys().size() : 0;
  absl::Status s = Read([&](EnrollmentStore& store) -> absl::Status {
    const auto refused = [](const absl::Status& st) {
      return st.code() == absl::StatusCode::kFailedPrecondition;
    };
    EXPECT_TRUE(refused(store.InsertRequest(
        {"req-r", "CreateTrack", Track{}, ContractTime(1)})));
    EXPECT_TRUE(refused(store.UpdateProgramme(Programme{})));
    EXPECT_TRUE(refused(store.NextAggregateSequence("programme").status()));
    EXPECT_TRUE(refused(store.InsertTrack(Track{.track_id = "t-read",
                                                .name_fr = "",
                                                .name_ar = "",
                                                .create_time = {}})));
    EXPECT_TRUE(refused(
        store.InsertCentre(ContractCentre("ctr_r", "MA-FQH", "MA-05"))));
    EXPECT_TRUE(refused(store.InsertCohort(
        ContractCohort("coh_r", centre_a_, "cybersecurity"))));
    EXPECT_TRUE(refused(store.UpdateCohort(cohort_a1_)));
    EXPECT_TRUE(
        refused(store.InsertCandidate(ContractCandidate("trn_r", "hr"))));
    EXPECT_TRUE(
        refused(store.UpdateCandidate(ContractCandidate("trn_1", "x"))));
    EXPECT_TRUE(refused(store.InsertApplication(
        ContractApplication("app_r", "trn_1", cohort_a1_))));
    EXPECT_TRUE(refused(store.UpdateApplication(
        ContractApplication("app_1", "trn_1", cohort_a1_))));
    EXPECT_TRUE(refused(store.NextWaitlistRank().status()));
    EXPECT_TRUE(refused(store.Publish(ContractEvent("trn_1", 2))));
    // Reads work.
    ASSIGN_OR_RETURN(std::optional<Application> a,
                     store.FindApplication("app_1"));
    EXPECT_TRUE(a.has_value());
    return absl::OkStatus();
  });
  EXPECT_TRUE(s.ok()) << s;
  EXPECT_FALSE(ReadValue([](EnrollmentStore& st) {
                 return st.FindRequest("req-r");
               }).has_value());
  EXPECT_FALSE(ReadValue([](EnrollmentStore& st) {
                 return st.FindTrack("t-read");
               }).has_value());
  EXPECT_EQ(ReadValue([](EnrollmentStore& st) {
              return st.FindCandidate("trn_1");
            })->cin_hash,
            "hash-trn_1");
  if (CanSeePublished()) {
    EXPECT_EQ(PublishedKeys().size(), published_before);
  }
}

TEST_P(EnrollmentRepositoryContractTest, ReadReturnsTheCallbackError) {
  const absl::Status failure = absl::NotFoundError("no such cohort");
  EXPECT_EQ(Read([&](EnrollmentStore&) { return failure; }), failure);
}

GTEST_ALLOW_UNINSTANTIATED_PARAMETERIZED_TEST(EnrollmentRepositoryContractTest);

}  // namespace jit::enrollment::testing

#endif  // JIT_SERVICES_ENROLLMENT_STORAGE_REPOSITORY_CONTRACT_TEST_H_
