// The in-memory fake keeps the repository contract the domain relies on.
#include "services/enrollment/domain/testing/in_memory_repository.h"

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "libs/status/status_macros.h"

namespace jit::enrollment::testing {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;

Centre MakeCentre(std::string id, std::string province, std::string region) {
  Centre c;
  c.centre_id = std::move(id);
  c.name = "Centre";
  c.operator_name = "Operator";
  c.province_code = std::move(province);
  c.region_code = std::move(region);
  return c;
}

std::vector<std::string> Ids(const std::vector<Centre>& centres) {
  std::vector<std::string> out;
  for (const auto& c : centres) out.push_back(c.centre_id);
  return out;
}

TEST(InMemoryEnrollmentRepositoryTest, IsSeededWithProgrammeAndLaunchTracks) {
  InMemoryEnrollmentRepository repo;
  ASSERT_TRUE(
      repo.Read([](EnrollmentStore& store) -> absl::Status {
            ASSIGN_OR_RETURN(Programme p, store.GetProgramme());
            EXPECT_EQ(p.name, "JobInTech");
            EXPECT_EQ(p.national_target, 15000);
            ASSIGN_OR_RETURN(std::vector<Track> tracks, store.ListTracks());
            EXPECT_EQ(tracks.size(), 3u);
            std::vector<std::string> ids;
            for (const auto& t : tracks) ids.push_back(t.track_id);
            EXPECT_THAT(ids, ElementsAre("cybersecurity", "digital-management",
                                         "digital-marketing"));
            EXPECT_EQ(tracks[0].name_fr, "Cybersécurité");
            EXPECT_EQ(tracks[0].name_ar, "الأمن السيبراني");
            return absl::OkStatus();
          })
          .ok());
}

TEST(InMemoryEnrollmentRepositoryTest, FailedWriteLeavesNoTrace) {
  InMemoryEnrollmentRepository repo;
  const absl::Status s = repo.Write([](EnrollmentStore& store) -> absl::Status {
    RETURN_IF_ERROR(store.InsertCentre(MakeCentre("ctr_1", "MA-RAB", "MA-04")));
    RETURN_IF_ERROR(store.Publish(DomainEvent{}));
    return absl::AbortedError("changed my mind");
  });
  EXPECT_EQ(s.code(), absl::StatusCode::kAborted);
  EXPECT_THAT(repo.published(), IsEmpty());
  EXPECT_EQ(repo.commit_count(), 0);
  ASSERT_TRUE(repo.Read([](EnrollmentStore& store) -> absl::Status {
                    ASSIGN_OR_RETURN(auto c, store.FindCentre("ctr_1"));
                    EXPECT_FALSE(c.has_value());
                    return absl::OkStatus();
                  })
                  .ok());
}

TEST(InMemoryEnrollmentRepositoryTest, FailedCommitLeavesNoTrace) {
  InMemoryEnrollmentRepository repo;
  repo.FailNextCommit(absl::UnavailableError("disk on fire"));
  EXPECT_EQ(
      repo.Write([](EnrollmentStore& store) {
            return store.InsertCentre(MakeCentre("ctr_1", "MA-RAB", "MA-04"));
          })
          .code(),
      absl::StatusCode::kUnavailable);
  // The fault is one-shot.
  EXPECT_TRUE(repo.Write([](EnrollmentStore& store) {
                    return store.InsertCentre(
                        MakeCentre("ctr_1", "MA-RAB", "MA-04"));
                  })
                  .ok());
  EXPECT_EQ(repo.commit_count(), 1);
}

TEST(InMemoryEnrollmentRepositoryTest, ReadRefusesMutations) {
  InMemoryEnrollmentRepository repo;
  ASSERT_TRUE(
      repo.Read([](EnrollmentStore& store) -> absl::Status {
            EXPECT_EQ(
                store.InsertCentre(MakeCentre("c", "MA-RAB", "MA-04")).code(),
                absl::StatusCode::kFailedPrecondition);
            EXPECT_EQ(store.Publish(DomainEvent{}).code(),
                      absl::StatusCode::kFailedPrecondition);
            EXPECT_EQ(store.NextWaitlistRank().status().code(),
                      absl::StatusCode::kFailedPrecondition);
            EXPECT_EQ(store.UpdateProgramme(Programme{}).code(),
                      absl::StatusCode::kFailedPrecondition);
            return absl::OkStatus();
          })
          .ok());
}

TEST(InMemoryEnrollmentRepositoryTest, DuplicateInsertsAndMissingUpdates) {
  InMemoryEnrollmentRepository repo;
  ASSERT_TRUE(
      repo.Write([](EnrollmentStore& store) -> absl::Status {
            Candidate a;
            a.trainee_id = "trn_a";
            a.cin_hash = "h1";
            RETURN_IF_ERROR(store.InsertCandidate(a));
            EXPECT_EQ(store.InsertCandidate(a).code(),
                      absl::StatusCode::kAlreadyExists);
            Candidate b;
            b.trainee_id = "trn_b";
            b.cin_hash = "h1";
            EXPECT_EQ(store.InsertCandidate(b).code(),
                      absl::StatusCode::kAlreadyExists);
            b.cin_hash = "";
            RETURN_IF_ERROR(store.InsertCandidate(b));
            b.cin_hash = "h1";
            EXPECT_EQ(store.UpdateCandidate(b).code(),
                      absl::StatusCode::kAlreadyExists);
            Candidate missing;
            missing.trainee_id = "trn_missing";
            EXPECT_EQ(store.UpdateCandidate(missing).code(),
                      absl::StatusCode::kNotFound);
            Cohort cohort;
            cohort.cohort_id = "coh_missing";
            EXPECT_EQ(store.UpdateCohort(cohort).code(),
                      absl::StatusCode::kNotFound);
            Application app;
            app.application_id = "app_missing";
            EXPECT_EQ(store.UpdateApplication(app).code(),
                      absl::StatusCode::kNotFound);
            Track track;
            track.track_id = "cybersecurity";
            EXPECT_EQ(store.InsertTrack(track).code(),
                      absl::StatusCode::kAlreadyExists);
            StoredRequest r;
            r.request_id = "r1";
            r.operation = "CreateCentre";
            RETURN_IF_ERROR(store.InsertRequest(r));
            EXPECT_EQ(store.InsertRequest(r).code(),
                      absl::StatusCode::kAlreadyExists);
            ASSIGN_OR_RETURN(auto found, store.FindCandidateByCinHash("h1"));
            EXPECT_EQ(found->trainee_id, "trn_a");
            ASSIGN_OR_RETURN(auto none, store.FindCandidateByCinHash(""));
            EXPECT_FALSE(none.has_value());
            return absl::OkStatus();
          })
          .ok());
}

TEST(InMemoryEnrollmentRepositoryTest, KeysetPagingWithFilters) {
  InMemoryEnrollmentRepository repo;
  ASSERT_TRUE(
      repo.Write([](EnrollmentStore& store) -> absl::Status {
            for (int i = 0; i < 5; ++i) {
              RETURN_IF_ERROR(store.InsertCentre(
                  MakeCentre(absl::StrCat("ctr_", i), "MA-RAB", "MA-04")));
            }
            return store.InsertCentre(MakeCentre("ctr_9", "MA-CAS", "MA-06"));
          })
          .ok());
  ASSERT_TRUE(
      repo.Read([](EnrollmentStore& store) -> absl::Status {
            CentreFilter rabat{.region_code = "MA-04", .province_code = ""};
            ASSIGN_OR_RETURN(
                Page<Centre> p1,
                store.ListCentres(rabat, {.limit = 2, .after_key = ""}));
            EXPECT_THAT(Ids(p1.items), ElementsAre("ctr_0", "ctr_1"));
            EXPECT_EQ(p1.next_after_key, "ctr_1");
            ASSIGN_OR_RETURN(
                Page<Centre> p2,
                store.ListCentres(rabat, {.limit = 2, .after_key = "ctr_1"}));
            EXPECT_THAT(Ids(p2.items), ElementsAre("ctr_2", "ctr_3"));
            EXPECT_EQ(p2.next_after_key, "ctr_3");
            ASSIGN_OR_RETURN(
                Page<Centre> p3,
                store.ListCentres(rabat, {.limit = 2, .after_key = "ctr_3"}));
            // ctr_9 does not match the filter, so nothing follows.
            EXPECT_THAT(Ids(p3.items), ElementsAre("ctr_4"));
            EXPECT_EQ(p3.next_after_key, "");
            ASSIGN_OR_RETURN(Page<Centre> exact,
                             store.ListCentres(CentreFilter{},
                                               {.limit = 6, .after_key = ""}));
            EXPECT_EQ(exact.items.size(), 6u);
            EXPECT_EQ(exact.next_after_key, "");
            return absl::OkStatus();
          })
          .ok());
}

TEST(InMemoryEnrollmentRepositoryTest, WaitlistOrderAndPositions) {
  InMemoryEnrollmentRepository repo;
  ASSERT_TRUE(
      repo.Write([](EnrollmentStore& store) -> absl::Status {
            int64_t ranks[3];
            for (int i = 0; i < 3; ++i) {
              ASSIGN_OR_RETURN(ranks[i], store.NextWaitlistRank());
            }
            EXPECT_LT(ranks[0], ranks[1]);
            EXPECT_LT(ranks[1], ranks[2]);
            // Inserted out of rank order.
            const int order[] = {2, 0, 1};
            for (int i : order) {
              Application a;
              a.application_id = absl::StrCat("app_", i);
              a.trainee_id = "trn_x";
              a.cohort_id = "coh_1";
              a.status = ApplicationStatus::kWaitlisted;
              a.waitlist_rank = ranks[i];
              RETURN_IF_ERROR(store.InsertApplication(a));
            }
            ASSIGN_OR_RETURN(auto first, store.FirstWaitlisted("coh_1"));
            EXPECT_EQ(first->application_id, "app_0");
            ASSIGN_OR_RETURN(auto last, store.FindApplication("app_2"));
            ASSIGN_OR_RETURN(int32_t pos, store.WaitlistPosition(*last));
            EXPECT_EQ(pos, 3);
            ASSIGN_OR_RETURN(auto apps, store.ApplicationsOfTrainee("trn_x"));
            std::vector<std::string> ids;
            for (const auto& a : apps) ids.push_back(a.application_id);
            EXPECT_THAT(ids, ElementsAre("app_2", "app_0", "app_1"));
            ASSIGN_OR_RETURN(SeatCounts seats, store.CountSeats("coh_1"));
            EXPECT_EQ(seats.waitlisted, 3);
            EXPECT_EQ(seats.held(), 0);
            ASSIGN_OR_RETURN(auto nobody, store.FirstWaitlisted("coh_2"));
            EXPECT_FALSE(nobody.has_value());
            return absl::OkStatus();
          })
          .ok());
}

TEST(InMemoryEnrollmentRepositoryTest, AggregateSequencesCountPerAggregate) {
  InMemoryEnrollmentRepository repo;
  ASSERT_TRUE(
      repo.Write([](EnrollmentStore& store) -> absl::Status {
            ASSIGN_OR_RETURN(int64_t a1, store.NextAggregateSequence("a"));
            ASSIGN_OR_RETURN(int64_t a2, store.NextAggregateSequence("a"));
            ASSIGN_OR_RETURN(int64_t b1, store.NextAggregateSequence("b"));
            EXPECT_EQ(a1, 1);
            EXPECT_EQ(a2, 2);
            EXPECT_EQ(b1, 1);
            return absl::OkStatus();
          })
          .ok());
}

}  // namespace
}  // namespace jit::enrollment::testing
