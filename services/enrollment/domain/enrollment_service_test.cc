// Behaviour of the enrollment domain core, on the in-memory repository with
// a fake clock (2025-10-15) and a fake CIN hasher: hermetic, no sleeps.
#include "services/enrollment/domain/enrollment_service.h"

#include <algorithm>
#include <functional>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <variant>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/str_format.h"
#include "absl/time/civil_time.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "libs/clock/clock.h"
#include "libs/status/field_violations.h"
#include "libs/status/status_macros.h"
#include "services/enrollment/domain/events.h"
#include "services/enrollment/domain/testing/fake_cin_hasher.h"
#include "services/enrollment/domain/testing/in_memory_repository.h"

namespace jit::enrollment {
namespace {

namespace cmn = ::jobintech::common::v1;

using ::jobintech::common::v1::AGE_BAND_18_20;
using ::jobintech::common::v1::AGE_BAND_25_29;
using ::jobintech::common::v1::AGE_BAND_30_35;
using ::jobintech::common::v1::EDUCATION_LEVEL_BAC_PLUS_2;
using ::jobintech::common::v1::EDUCATION_LEVEL_UNSPECIFIED;
using ::jobintech::common::v1::GENDER_FEMALE;
using ::jobintech::common::v1::GENDER_UNSPECIFIED;
using ::testing::ElementsAre;
using ::testing::ElementsAreArray;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Not;
using ::testing::UnorderedElementsAreArray;
using S = ApplicationStatus;

constexpr char kTraceparent[] =
    "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";

std::vector<std::string> ViolatedFields(const absl::Status& s) {
  std::vector<std::string> fields;
  for (const auto& v : status::GetFieldViolations(s)) fields.push_back(v.field);
  return fields;
}

MATCHER_P(StatusIs, code, "") { return arg.status().code() == code; }
MATCHER_P(CodeIs, code, "") { return arg.code() == code; }

// Every string a DomainEvent carries, for the personal-data leak check.
std::vector<std::string> EventStrings(const DomainEvent& e) {
  std::vector<std::string> out = {
      e.trainee_id,
      e.aggregate_id,
      e.request_id,
      e.traceparent,
      e.application_id,
      e.cohort_id,
      e.dimensions.residence_province_code,
      e.dimensions.residence_region_code,
      e.dimensions.training_province_code,
      e.dimensions.training_region_code,
      e.dimensions.track_id,
      e.dimensions.cohort_id,
      e.dimensions.centre_id,
      std::string(EventType(e.kind)),
  };
  if (e.cohort.has_value()) {
    for (const std::string* s :
         {&e.cohort->cohort_id, &e.cohort->name, &e.cohort->track_id,
          &e.cohort->centre_id, &e.cohort->province_code,
          &e.cohort->region_code}) {
      out.push_back(*s);
    }
    out.push_back(absl::FormatCivilTime(e.cohort->start_date));
    out.push_back(absl::FormatCivilTime(e.cohort->end_date));
  }
  if (e.track.has_value()) {
    out.push_back(e.track->track_id);
    out.push_back(e.track->name_fr);
    out.push_back(e.track->name_ar);
  }
  return out;
}

class EnrollmentServiceTest : public ::testing::Test {
 protected:
  EnrollmentServiceTest() { UseRules(EnrollmentRules{}); }

  void UseRules(EnrollmentRules rules) {
    service_ =
        std::make_unique<EnrollmentService>(&repo_, &clock_, &hasher_, rules);
  }
  EnrollmentService& svc() { return *service_; }

  // The value of a result expected to be OK (a failure, not a crash, if not).
  template <typename T>
  static T Must(absl::StatusOr<T> r) {
    EXPECT_TRUE(r.ok()) << r.status();
    return r.ok() ? *std::move(r) : T{};
  }

  RequestContext Ctx() {
    return RequestContext{.request_id = absl::StrCat("req-", ++next_request_),
                          .traceparent = kTraceparent};
  }

  std::string MakeCentre(const std::string& province = "MA-FQH") {
    const auto centre = Must(
        svc().CreateCentre(Ctx(), NewCentre{.name = "Centre Fquih Ben Salah",
                                            .operator_name = "Operator",
                                            .province_code = province}));
    return centre.centre_id;
  }

  NewCohort CohortInput(int32_t capacity, CohortStatus status) {
    return NewCohort{.name = "Cohorte 1",
                     .track_id = "cybersecurity",
                     .centre_id = MakeCentre(),
                     .capacity = capacity,
                     .start_date = absl::CivilDay(2025, 11, 3),
                     .end_date = absl::CivilDay(2026, 5, 29),
                     .status = status};
  }

  std::string MakeCohort(int32_t capacity = 30,
                         CohortStatus status = CohortStatus::kOpen) {
    auto cohort = svc().CreateCohort(Ctx(), CohortInput(capacity, status));
    EXPECT_TRUE(cohort.ok()) << cohort.status();
    return cohort->cohort.cohort_id;
  }

  // The i-th distinct applicant, born on 2000-05-17 (25 on the clock's day).
  static NewApplication Applicant(const std::string& cohort_id, int i) {
    return NewApplication{
        .cohort_id = cohort_id,
        .candidate =
            CandidateInput{
                .given_name = absl::StrCat("Salma", i),
                .family_name = absl::StrCat("Bennani", i),
                .national_id = absl::StrFormat("BK%06d", 100000 + i),
                .birth_date = absl::CivilDay(2000, 5, 17),
                .phone = absl::StrFormat("06 %02d %02d %02d %02d", 10 + i % 90,
                                         34, 56, 78 - i % 70),
                .email = absl::StrCat("salma", i, "@Example.MA")},
        .gender = GENDER_FEMALE,
        .education_level = EDUCATION_LEVEL_BAC_PLUS_2,
        .residence_province_code = "MA-RAB"};
  }

  ApplicationView Submit(const std::string& cohort_id, int i) {
    auto app = svc().SubmitApplication(Ctx(), Applicant(cohort_id, i));
    EXPECT_TRUE(app.ok()) << app.status();
    return *app;
  }

  // Drives a fresh application of applicant `i` into `status` along legal
  // moves.
  ApplicationView InStatus(const std::string& cohort_id, int i, S status) {
    ApplicationView v = Submit(cohort_id, i);
    const std::string id = v.application.application_id;
    auto step = [&](absl::StatusOr<ApplicationView> r) {
      EXPECT_TRUE(r.ok()) << r.status();
      if (r.ok()) v = *r;
    };
    switch (status) {
      case S::kApplied:
        break;
      case S::kAdmitted:
        step(svc().Admit(Ctx(), id));
        break;
      case S::kWaitlisted:
        step(svc().Waitlist(Ctx(), id));
        break;
      case S::kRejected:
        step(svc().Reject(Ctx(), id, cmn::REJECTION_REASON_INCOMPLETE_FILE, "incomplete file"));
        break;
      case S::kEnrolled:
        step(svc().Admit(Ctx(), id));
        step(svc().ConfirmEnrolment(Ctx(), id));
        break;
      case S::kDeclined:
        step(svc().Admit(Ctx(), id));
        step(svc().DeclineAdmission(Ctx(), id, cmn::DECLINE_REASON_OTHER, "moved abroad"));
        break;
      case S::kWithdrawn:
        step(svc().Admit(Ctx(), id));
        step(svc().ConfirmEnrolment(Ctx(), id));
        step(svc().WithdrawEnrolment(Ctx(), id, cmn::WITHDRAWAL_REASON_FOUND_JOB, "found a job"));
        break;
    }
    EXPECT_EQ(v.application.status, status);
    return v;
  }

  S StatusOf(const std::string& application_id) {
    auto v = svc().GetApplication(application_id);
    EXPECT_TRUE(v.ok()) << v.status();
    return v->application.status;
  }

  std::vector<DomainEvent> EventsOf(const std::string& trainee_id) {
    std::vector<DomainEvent> out;
    for (const auto& e : repo_.published()) {
      if (e.trainee_id == trainee_id) out.push_back(e);
    }
    return out;
  }

  FakeClock clock_;  // 2025-10-15 00:00 UTC
  testing::InMemoryEnrollmentRepository repo_;
  testing::FakeCinHasher hasher_;
  std::unique_ptr<EnrollmentService> service_;
  int next_request_ = 0;
};

// ------------------------------------------------------------ names

TEST(EnrollmentNamesTest, EventTypesAreStable) {
  EXPECT_EQ(EventType(EventKind::kApplicationSubmitted),
            "enrollment.application.submitted");
  EXPECT_EQ(EventType(EventKind::kApplicationAdmitted),
            "enrollment.application.admitted");
  EXPECT_EQ(EventType(EventKind::kApplicationWaitlisted),
            "enrollment.application.waitlisted");
  EXPECT_EQ(EventType(EventKind::kApplicationRejected),
            "enrollment.application.rejected");
  EXPECT_EQ(EventType(EventKind::kEnrolmentConfirmed),
            "enrollment.enrolment.confirmed");
  EXPECT_EQ(EventType(EventKind::kAdmissionDeclined),
            "enrollment.admission.declined");
  EXPECT_EQ(EventType(EventKind::kEnrolmentWithdrawn),
            "enrollment.enrolment.withdrawn");
  EXPECT_EQ(EventType(EventKind::kCohortOpened), "enrollment.cohort.opened");
  EXPECT_EQ(EventType(EventKind::kCohortChanged), "enrollment.cohort.changed");
  EXPECT_EQ(EventType(EventKind::kTrackAdded), "enrollment.track.added");
  EXPECT_EQ(EventType(EventKind::kProgrammeTargetChanged),
            "enrollment.programme.target_changed");
}

TEST(EnrollmentNamesTest, TransitionEventKinds) {
  EXPECT_EQ(TransitionEventKind(S::kApplied), EventKind::kApplicationSubmitted);
  EXPECT_EQ(TransitionEventKind(S::kAdmitted), EventKind::kApplicationAdmitted);
  EXPECT_EQ(TransitionEventKind(S::kWaitlisted),
            EventKind::kApplicationWaitlisted);
  EXPECT_EQ(TransitionEventKind(S::kRejected), EventKind::kApplicationRejected);
  EXPECT_EQ(TransitionEventKind(S::kEnrolled), EventKind::kEnrolmentConfirmed);
  EXPECT_EQ(TransitionEventKind(S::kDeclined), EventKind::kAdmissionDeclined);
  EXPECT_EQ(TransitionEventKind(S::kWithdrawn), EventKind::kEnrolmentWithdrawn);
}

TEST(EnrollmentNamesTest, StatusNames) {
  EXPECT_EQ(StatusName(S::kWaitlisted), "WAITLISTED");
  EXPECT_EQ(StatusName(S::kWithdrawn), "WITHDRAWN");
  EXPECT_EQ(StatusName(CohortStatus::kOpen), "OPEN");
  EXPECT_EQ(StatusName(CohortStatus::kClosed), "CLOSED");
}

// ------------------------------------------------------------ lifecycle

enum class Op { kAdmit, kWaitlist, kReject, kConfirm, kDecline, kWithdraw };

S TargetOf(Op op) {
  switch (op) {
    case Op::kAdmit:
      return S::kAdmitted;
    case Op::kWaitlist:
      return S::kWaitlisted;
    case Op::kReject:
      return S::kRejected;
    case Op::kConfirm:
      return S::kEnrolled;
    case Op::kDecline:
      return S::kDeclined;
    case Op::kWithdraw:
      return S::kWithdrawn;
  }
  return S::kApplied;
}

// The lifecycle of ARCHITECTURE.md, written out independently of the code.
bool Legal(S from, S to) {
  static const std::set<std::pair<S, S>> kLegal = {
      {S::kApplied, S::kAdmitted},    {S::kApplied, S::kWaitlisted},
      {S::kApplied, S::kRejected},    {S::kWaitlisted, S::kAdmitted},
      {S::kWaitlisted, S::kRejected}, {S::kAdmitted, S::kEnrolled},
      {S::kAdmitted, S::kDeclined},   {S::kEnrolled, S::kWithdrawn},
  };
  return kLegal.contains({from, to});
}

constexpr S kAllStatuses[] = {S::kApplied,  S::kAdmitted, S::kWaitlisted,
                              S::kRejected, S::kEnrolled, S::kDeclined,
                              S::kWithdrawn};
constexpr Op kAllOps[] = {Op::kAdmit,   Op::kWaitlist, Op::kReject,
                          Op::kConfirm, Op::kDecline,  Op::kWithdraw};

class TransitionTest : public EnrollmentServiceTest,
                       public ::testing::WithParamInterface<std::tuple<S, Op>> {
 protected:
  absl::StatusOr<ApplicationView> Run(Op op, const std::string& id) {
    switch (op) {
      case Op::kAdmit:
        return svc().Admit(Ctx(), id);
      case Op::kWaitlist:
        return svc().Waitlist(Ctx(), id);
      case Op::kReject:
        return svc().Reject(Ctx(), id, cmn::REJECTION_REASON_INCOMPLETE_FILE, "not eligible for this track");
      case Op::kConfirm:
        return svc().ConfirmEnrolment(Ctx(), id);
      case Op::kDecline:
        return svc().DeclineAdmission(Ctx(), id, cmn::DECLINE_REASON_OTHER, "");
      case Op::kWithdraw:
        return svc().WithdrawEnrolment(Ctx(), id, cmn::WITHDRAWAL_REASON_FOUND_JOB, "found a job");
    }
    return absl::InternalError("unreachable");
  }
};

TEST_P(TransitionTest, LegalMovesSucceedAndIllegalOnesAreRefused) {
  const auto [from, op] = GetParam();
  const S to = TargetOf(op);
  const std::string cohort = MakeCohort(/*capacity=*/10);
  const ApplicationView start = InStatus(cohort, 1, from);
  const std::string id = start.application.application_id;
  const size_t events_before = repo_.published().size();

  auto result = Run(op, id);

  if (Legal(from, to)) {
    ASSERT_TRUE(result.ok()) << result.status();
    EXPECT_EQ(result->application.status, to);
    EXPECT_EQ(StatusOf(id), to);
    const auto events = repo_.published();
    ASSERT_EQ(events.size(), events_before + 1);
    const DomainEvent& e = events.back();
    EXPECT_EQ(e.kind, TransitionEventKind(to));
    EXPECT_EQ(e.previous_status, from);
    EXPECT_EQ(e.new_status, to);
    EXPECT_EQ(e.application_id, id);
    EXPECT_EQ(e.trainee_id, start.application.trainee_id);
    EXPECT_EQ(e.sequence, static_cast<int64_t>(EventsOf(e.trainee_id).size()));
  } else {
    EXPECT_EQ(result.status().code(), absl::StatusCode::kFailedPrecondition)
        << result.status();
    EXPECT_THAT(
        std::string(result.status().message()),
        HasSubstr(absl::StrCat(StatusName(from), " -> ", StatusName(to))));
    EXPECT_EQ(StatusOf(id), from);
    EXPECT_EQ(repo_.published().size(), events_before);
  }
}

INSTANTIATE_TEST_SUITE_P(
    AllPairs, TransitionTest,
    ::testing::Combine(::testing::ValuesIn(kAllStatuses),
                       ::testing::ValuesIn(kAllOps)),
    [](const ::testing::TestParamInfo<std::tuple<S, Op>>& info) {
      return absl::StrCat(StatusName(std::get<0>(info.param)), "_to_",
                          StatusName(TargetOf(std::get<1>(info.param))));
    });

TEST_F(EnrollmentServiceTest, IllegalMoveMessageNamesFromAndRequiredStatus) {
  const std::string cohort = MakeCohort();
  const auto app = InStatus(cohort, 1, S::kWaitlisted);
  auto r = svc().ConfirmEnrolment(Ctx(), app.application.application_id);
  EXPECT_EQ(r.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(std::string(r.status().message()),
              HasSubstr("cannot confirm enrolment of an application that is "
                        "WAITLISTED"));
  EXPECT_THAT(std::string(r.status().message()),
              HasSubstr("it must be ADMITTED"));
}

TEST_F(EnrollmentServiceTest, UnknownApplicationIsNotFoundNamingTheId) {
  auto r = svc().Admit(Ctx(), "app_nope");
  EXPECT_EQ(r.status().code(), absl::StatusCode::kNotFound);
  EXPECT_THAT(std::string(r.status().message()), HasSubstr("app_nope"));
  EXPECT_EQ(svc().GetApplication("app_nope").status().code(),
            absl::StatusCode::kNotFound);
}

TEST_F(EnrollmentServiceTest, ReasonCodesAreRequiredAndNotesOptionalButBounded) {
  const std::string cohort = MakeCohort();
  const auto a = Submit(cohort, 1);
  const std::string id = a.application.application_id;
  EXPECT_THAT(
      ViolatedFields(
          svc().Reject(Ctx(), id, cmn::REJECTION_REASON_UNSPECIFIED, "  ").status()),
      ElementsAre("reason_code"));
  EXPECT_THAT(ViolatedFields(svc()
                                 .Reject(Ctx(), id,
                                         static_cast<cmn::RejectionReason>(999),
                                         "x")
                                 .status()),
              ElementsAre("reason_code"));
  EXPECT_THAT(ViolatedFields(svc()
                                 .Reject(Ctx(), id, cmn::REJECTION_REASON_OTHER,
                                         std::string(501, 'x'))
                                 .status()),
              ElementsAre("reason"));
  ASSERT_TRUE(svc().Admit(Ctx(), id).ok());
  EXPECT_THAT(
      ViolatedFields(
          svc().DeclineAdmission(Ctx(), id, cmn::DECLINE_REASON_UNSPECIFIED, "")
              .status()),
      ElementsAre("reason_code"));
  auto declined =
      svc().DeclineAdmission(Ctx(), id, cmn::DECLINE_REASON_FOUND_JOB, "");
  ASSERT_TRUE(declined.ok()) << declined.status();
  EXPECT_EQ(declined->application.reason, "");
  EXPECT_EQ(declined->application.reason_code, cmn::DECLINE_REASON_FOUND_JOB);

  const auto b = InStatus(cohort, 2, S::kEnrolled);
  EXPECT_THAT(ViolatedFields(svc()
                                 .WithdrawEnrolment(
                                     Ctx(), b.application.application_id,
                                     cmn::WITHDRAWAL_REASON_UNSPECIFIED, "")
                                 .status()),
              ElementsAre("reason_code"));
  auto withdrawn = svc().WithdrawEnrolment(
      Ctx(), b.application.application_id, cmn::WITHDRAWAL_REASON_RELOCATION,
      "  moved to Tangier ");
  ASSERT_TRUE(withdrawn.ok());
  EXPECT_EQ(withdrawn->application.reason, "moved to Tangier");
  EXPECT_EQ(withdrawn->application.reason_code,
            cmn::WITHDRAWAL_REASON_RELOCATION);
  // The event carries the code; the note stays in the store.
  EXPECT_EQ(repo_.published().back().reason_code,
            cmn::WITHDRAWAL_REASON_RELOCATION);
  auto stored = svc().GetApplication(b.application.application_id);
  ASSERT_TRUE(stored.ok());
  EXPECT_EQ(stored->application.reason, "moved to Tangier");
}

// ------------------------------------------------------------ capacity

TEST_F(EnrollmentServiceTest, FullCohortWaitlistsApplicantOnAdmit) {
  const std::string cohort = MakeCohort(/*capacity=*/2);
  std::vector<std::string> ids;
  for (int i = 0; i < 3; ++i)
    ids.push_back(Submit(cohort, i).application.application_id);
  ASSERT_EQ(Must(svc().Admit(Ctx(), ids[0])).application.status, S::kAdmitted);
  ASSERT_EQ(Must(svc().Admit(Ctx(), ids[1])).application.status, S::kAdmitted);

  auto third = svc().Admit(Ctx(), ids[2]);
  ASSERT_TRUE(third.ok()) << third.status();
  EXPECT_EQ(third->application.status, S::kWaitlisted);
  EXPECT_GT(third->application.waitlist_rank, 0);
  EXPECT_EQ(third->waitlist_position, 1);
  const DomainEvent e = repo_.published().back();
  EXPECT_EQ(e.kind, EventKind::kApplicationWaitlisted);
  EXPECT_EQ(e.previous_status, S::kApplied);
  EXPECT_EQ(e.new_status, S::kWaitlisted);

  const auto view = Must(svc().GetCohort(cohort));
  EXPECT_EQ(view.seats.held(), 2);
  EXPECT_EQ(view.seats.waitlisted, 1);
}

TEST_F(EnrollmentServiceTest,
       AdmittingAWaitlistedApplicationToAFullCohortFails) {
  const std::string cohort = MakeCohort(/*capacity=*/1);
  const auto a = InStatus(cohort, 1, S::kAdmitted);
  const auto b = InStatus(cohort, 2, S::kWaitlisted);
  const size_t before = repo_.published().size();
  auto r = svc().Admit(Ctx(), b.application.application_id);
  EXPECT_EQ(r.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(std::string(r.status().message()), HasSubstr("full"));
  EXPECT_EQ(StatusOf(b.application.application_id), S::kWaitlisted);
  EXPECT_EQ(repo_.published().size(), before);
}

TEST_F(EnrollmentServiceTest, NeverMoreSeatsHeldThanCapacity) {
  const std::string cohort = MakeCohort(/*capacity=*/5);
  std::vector<std::string> ids;
  for (int i = 0; i < 20; ++i)
    ids.push_back(Submit(cohort, i).application.application_id);
  int admitted = 0;
  int waitlisted = 0;
  for (int i = 0; i < 20; ++i) {
    auto r = svc().Admit(Ctx(), ids[i]);
    ASSERT_TRUE(r.ok()) << r.status();
    if (r->application.status == S::kAdmitted) ++admitted;
    if (r->application.status == S::kWaitlisted) {
      ++waitlisted;
      EXPECT_EQ(r->waitlist_position, waitlisted);
    }
  }
  EXPECT_EQ(admitted, 5);
  EXPECT_EQ(waitlisted, 15);
  for (int i = 0; i < 5; ++i) {
    ASSERT_TRUE(svc().ConfirmEnrolment(Ctx(), ids[i]).ok());
  }
  const auto view = Must(svc().GetCohort(cohort));
  EXPECT_EQ(view.seats.enrolled, 5);
  EXPECT_EQ(view.seats.held(), 5);
  EXPECT_EQ(view.seats.waitlisted, 15);
}

TEST_F(EnrollmentServiceTest, ConcurrentAdmissionsNeverOverfillACohort) {
  const std::string cohort = MakeCohort(/*capacity=*/10);
  std::vector<std::string> ids;
  for (int i = 0; i < 40; ++i)
    ids.push_back(Submit(cohort, i).application.application_id);
  std::vector<std::thread> threads;
  std::vector<RequestContext> ctxs;
  for (int i = 0; i < 40; ++i) ctxs.push_back(Ctx());
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = t; i < 40; i += 4) {
        EXPECT_TRUE(svc().Admit(ctxs[i], ids[i]).ok());
      }
    });
  }
  for (auto& th : threads) th.join();
  const auto view = Must(svc().GetCohort(cohort));
  EXPECT_EQ(view.seats.held(), 10);
  EXPECT_EQ(view.seats.waitlisted, 30);
}

TEST_F(EnrollmentServiceTest, FreedSeatLetsTheFirstWaitlistedIn) {
  const std::string cohort = MakeCohort(/*capacity=*/1);
  const auto holder = InStatus(cohort, 0, S::kAdmitted);
  // Waitlisted through a full admit, then explicitly: rank order is b, c.
  const auto b = Submit(cohort, 1);
  const auto c = Submit(cohort, 2);
  ASSERT_EQ(
      Must(svc().Admit(Ctx(), b.application.application_id)).application.status,
      S::kWaitlisted);
  ASSERT_TRUE(svc().Waitlist(Ctx(), c.application.application_id).ok());
  EXPECT_EQ(Must(svc().GetApplication(c.application.application_id))
                .waitlist_position,
            2);

  // Full: nobody can be admitted from the waitlist.
  EXPECT_EQ(svc().AdmitFromWaitlist(Ctx(), cohort).status().code(),
            absl::StatusCode::kFailedPrecondition);

  ASSERT_TRUE(
      svc()
          .DeclineAdmission(Ctx(), holder.application.application_id, cmn::DECLINE_REASON_OTHER, "moved")
          .ok());
  auto admitted = svc().AdmitFromWaitlist(Ctx(), cohort);
  ASSERT_TRUE(admitted.ok()) << admitted.status();
  EXPECT_EQ(admitted->application.application_id, b.application.application_id);
  EXPECT_EQ(admitted->application.status, S::kAdmitted);
  EXPECT_EQ(admitted->application.waitlist_rank, 0);
  EXPECT_EQ(admitted->waitlist_position, 0);
  const DomainEvent e = repo_.published().back();
  EXPECT_EQ(e.kind, EventKind::kApplicationAdmitted);
  EXPECT_EQ(e.previous_status, S::kWaitlisted);
  EXPECT_EQ(Must(svc().GetApplication(c.application.application_id))
                .waitlist_position,
            1);
}

TEST_F(EnrollmentServiceTest, WithdrawalFreesASeatForTheWaitlist) {
  const std::string cohort = MakeCohort(/*capacity=*/1);
  const auto holder = InStatus(cohort, 0, S::kEnrolled);
  const auto waiting = InStatus(cohort, 1, S::kWaitlisted);
  ASSERT_TRUE(
      svc()
          .WithdrawEnrolment(Ctx(), holder.application.application_id, cmn::WITHDRAWAL_REASON_FOUND_JOB, "health")
          .ok());
  auto admitted = svc().AdmitFromWaitlist(Ctx(), cohort);
  ASSERT_TRUE(admitted.ok()) << admitted.status();
  EXPECT_EQ(admitted->application.application_id,
            waiting.application.application_id);
}

TEST_F(EnrollmentServiceTest, WaitlistOrderFollowsRankNotSubmission) {
  const std::string cohort = MakeCohort(/*capacity=*/1);
  const auto first_submitted = Submit(cohort, 1);
  const auto second_submitted = Submit(cohort, 2);
  ASSERT_TRUE(
      svc().Waitlist(Ctx(), second_submitted.application.application_id).ok());
  ASSERT_TRUE(
      svc().Waitlist(Ctx(), first_submitted.application.application_id).ok());
  auto admitted = svc().AdmitFromWaitlist(Ctx(), cohort);
  ASSERT_TRUE(admitted.ok());
  EXPECT_EQ(admitted->application.application_id,
            second_submitted.application.application_id);
}

TEST_F(EnrollmentServiceTest, AdmitFromWaitlistWithNobodyWaitingIsNotFound) {
  const std::string cohort = MakeCohort(/*capacity=*/3);
  auto r = svc().AdmitFromWaitlist(Ctx(), cohort);
  EXPECT_EQ(r.status().code(), absl::StatusCode::kNotFound);
  EXPECT_THAT(std::string(r.status().message()), HasSubstr(cohort));
  EXPECT_EQ(svc().AdmitFromWaitlist(Ctx(), "coh_nope").status().code(),
            absl::StatusCode::kNotFound);
}

TEST_F(EnrollmentServiceTest, CapacityCannotGoBelowSeatsHeld) {
  const std::string cohort = MakeCohort(/*capacity=*/3);
  InStatus(cohort, 1, S::kAdmitted);
  InStatus(cohort, 2, S::kEnrolled);
  InStatus(cohort, 3, S::kWaitlisted);
  auto below = svc().UpdateCohort(Ctx(), cohort,
                                  CohortUpdate{.capacity = 1, .status = {}});
  EXPECT_EQ(below.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(std::string(below.status().message()), HasSubstr("2 seats"));
  EXPECT_THAT(ViolatedFields(
                  svc()
                      .UpdateCohort(Ctx(), cohort,
                                    CohortUpdate{.capacity = 0, .status = {}})
                      .status()),
              ElementsAre("capacity"));
  auto exact = svc().UpdateCohort(Ctx(), cohort,
                                  CohortUpdate{.capacity = 2, .status = {}});
  ASSERT_TRUE(exact.ok()) << exact.status();
  EXPECT_EQ(exact->cohort.capacity, 2);
  EXPECT_EQ(exact->seats.held(), 2);
  EXPECT_EQ(exact->seats.waitlisted, 1);
}

TEST_F(EnrollmentServiceTest, AdmissionsNeedAnOpenOrRunningCohort) {
  const std::string cohort = MakeCohort(/*capacity=*/5);
  const auto applied = InStatus(cohort, 1, S::kApplied);
  const auto admitted = InStatus(cohort, 2, S::kAdmitted);
  InStatus(cohort, 3, S::kWaitlisted);

  ASSERT_TRUE(
      svc()
          .UpdateCohort(Ctx(), cohort,
                        {.capacity = {}, .status = CohortStatus::kRunning})
          .ok());
  EXPECT_TRUE(
      svc().ConfirmEnrolment(Ctx(), admitted.application.application_id).ok());

  ASSERT_TRUE(
      svc()
          .UpdateCohort(Ctx(), cohort,
                        {.capacity = {}, .status = CohortStatus::kClosed})
          .ok());
  auto r = svc().Admit(Ctx(), applied.application.application_id);
  EXPECT_EQ(r.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(std::string(r.status().message()), HasSubstr("CLOSED"));
  EXPECT_EQ(svc().AdmitFromWaitlist(Ctx(), cohort).status().code(),
            absl::StatusCode::kFailedPrecondition);
  // Rejections remain possible.
  EXPECT_TRUE(
      svc()
          .Reject(Ctx(), applied.application.application_id, cmn::REJECTION_REASON_INCOMPLETE_FILE, "cohort closed")
          .ok());
}

// ------------------------------------------------------------ cohorts

TEST_F(EnrollmentServiceTest, CohortStatusMovesForwardOnly) {
  const std::string cohort = MakeCohort(10, CohortStatus::kPlanned);
  const CohortStatus order[] = {CohortStatus::kPlanned, CohortStatus::kOpen,
                                CohortStatus::kRunning, CohortStatus::kClosed};
  for (int i = 1; i < 4; ++i) {
    ASSERT_TRUE(
        svc()
            .UpdateCohort(Ctx(), cohort, {.capacity = {}, .status = order[i]})
            .ok());
    for (int back = 0; back < i; ++back) {
      auto r = svc().UpdateCohort(Ctx(), cohort,
                                  {.capacity = {}, .status = order[back]});
      EXPECT_EQ(r.status().code(), absl::StatusCode::kFailedPrecondition)
          << StatusName(order[i]) << " -> " << StatusName(order[back]);
      EXPECT_THAT(std::string(r.status().message()),
                  HasSubstr(absl::StrCat(StatusName(order[i]), " back to ",
                                         StatusName(order[back]))));
    }
  }
  EXPECT_EQ(Must(svc().GetCohort(cohort)).cohort.status, CohortStatus::kClosed);
}

TEST_F(EnrollmentServiceTest, CohortStatusMaySkipForward) {
  const std::string cohort = MakeCohort(10, CohortStatus::kPlanned);
  auto r = svc().UpdateCohort(
      Ctx(), cohort, {.capacity = {}, .status = CohortStatus::kRunning});
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->cohort.status, CohortStatus::kRunning);
}

TEST_F(EnrollmentServiceTest, CohortEventsCarryPreviousValuesAndSequence) {
  const std::string centre = MakeCentre("MA-CAS");
  const auto created = Must(svc().CreateCohort(
      Ctx(), NewCohort{.name = "Casa 1",
                       .track_id = "digital-marketing",
                       .centre_id = centre,
                       .capacity = 20,
                       .start_date = absl::CivilDay(2025, 11, 3),
                       .end_date = absl::CivilDay(2026, 5, 29),
                       .status = std::nullopt}));
  const Cohort& c = created.cohort;
  EXPECT_EQ(c.status, CohortStatus::kPlanned);
  EXPECT_EQ(c.province_code, "MA-CAS");
  EXPECT_EQ(c.region_code, "MA-06");
  EXPECT_EQ(c.event_sequence, 1);
  DomainEvent opened = repo_.published().back();
  EXPECT_EQ(opened.kind, EventKind::kCohortOpened);
  EXPECT_EQ(opened.aggregate_id, c.cohort_id);
  EXPECT_EQ(opened.trainee_id, "");
  EXPECT_EQ(opened.sequence, 1);
  ASSERT_TRUE(opened.cohort.has_value());
  EXPECT_EQ(opened.cohort->capacity, 20);

  auto changed = svc().UpdateCohort(
      Ctx(), c.cohort_id, {.capacity = 25, .status = CohortStatus::kOpen});
  ASSERT_TRUE(changed.ok());
  const DomainEvent e = repo_.published().back();
  EXPECT_EQ(e.kind, EventKind::kCohortChanged);
  EXPECT_EQ(e.aggregate_id, c.cohort_id);
  EXPECT_EQ(e.sequence, 2);
  EXPECT_EQ(e.previous_capacity, 20);
  EXPECT_EQ(e.previous_cohort_status, CohortStatus::kPlanned);
  EXPECT_EQ(e.cohort->capacity, 25);
  EXPECT_EQ(e.cohort->status, CohortStatus::kOpen);
  EXPECT_EQ(e.request_id, "req-" + std::to_string(next_request_));
  EXPECT_EQ(e.traceparent, kTraceparent);
  EXPECT_EQ(Must(svc().GetCohort(c.cohort_id)).cohort.event_sequence, 2);

  // A no-op update changes nothing and publishes nothing.
  const size_t before = repo_.published().size();
  auto same = svc().UpdateCohort(
      Ctx(), c.cohort_id, {.capacity = 25, .status = CohortStatus::kOpen});
  ASSERT_TRUE(same.ok());
  EXPECT_EQ(repo_.published().size(), before);
}

TEST_F(EnrollmentServiceTest, CohortValidationNamesEveryBadField) {
  NewCohort bad{.name = "",
                .track_id = "",
                .centre_id = "",
                .capacity = 0,
                .start_date = absl::CivilDay(2026, 1, 10),
                .end_date = absl::CivilDay(2026, 1, 9),
                .status = std::nullopt};
  auto r = svc().CreateCohort(RequestContext{}, bad);
  EXPECT_EQ(r.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(ViolatedFields(r.status()),
              UnorderedElementsAreArray({"request_id", "name", "track_id",
                                         "centre_id", "capacity", "end_date"}));
  NewCohort no_dates = CohortInput(10, CohortStatus::kOpen);
  no_dates.start_date.reset();
  no_dates.end_date.reset();
  EXPECT_THAT(ViolatedFields(svc().CreateCohort(Ctx(), no_dates).status()),
              ElementsAre("start_date", "end_date"));
  NewCohort same_day = CohortInput(10, CohortStatus::kOpen);
  same_day.end_date = same_day.start_date;
  EXPECT_TRUE(svc().CreateCohort(Ctx(), same_day).ok());
}

TEST_F(EnrollmentServiceTest, CohortWithUnknownTrackOrCentreIsNotFound) {
  NewCohort input = CohortInput(10, CohortStatus::kOpen);
  input.track_id = "underwater-basket-weaving";
  auto r = svc().CreateCohort(Ctx(), input);
  EXPECT_EQ(r.status().code(), absl::StatusCode::kNotFound);
  EXPECT_THAT(std::string(r.status().message()),
              HasSubstr("underwater-basket-weaving"));
  input = CohortInput(10, CohortStatus::kOpen);
  input.centre_id = "ctr_nope";
  r = svc().CreateCohort(Ctx(), input);
  EXPECT_EQ(r.status().code(), absl::StatusCode::kNotFound);
  EXPECT_THAT(std::string(r.status().message()), HasSubstr("ctr_nope"));
  EXPECT_EQ(svc().GetCohort("coh_nope").status().code(),
            absl::StatusCode::kNotFound);
  EXPECT_EQ(svc()
                .UpdateCohort(Ctx(), "coh_nope", {.capacity = 3, .status = {}})
                .status()
                .code(),
            absl::StatusCode::kNotFound);
}

// ------------------------------------------------------------ catalogue

TEST_F(EnrollmentServiceTest, CentreRegionFollowsProvince) {
  auto centre = svc().CreateCentre(Ctx(), {.name = " Centre Tanger ",
                                           .operator_name = "OFPPT",
                                           .province_code = "MA-TNG"});
  ASSERT_TRUE(centre.ok()) << centre.status();
  EXPECT_EQ(centre->region_code, "MA-01");
  EXPECT_EQ(centre->name, "Centre Tanger");
  EXPECT_THAT(centre->centre_id, ::testing::StartsWith("ctr_"));
  EXPECT_EQ(Must(svc().GetCentre(centre->centre_id)).province_code, "MA-TNG");
  EXPECT_EQ(svc().GetCentre("ctr_nope").status().code(),
            absl::StatusCode::kNotFound);
}

TEST_F(EnrollmentServiceTest, CentreValidationNamesFields) {
  auto r = svc().CreateCentre(
      Ctx(), {.name = "", .operator_name = "", .province_code = "MA-XXX"});
  EXPECT_THAT(ViolatedFields(r.status()),
              ElementsAre("name", "operator_name", "province_code"));
  EXPECT_THAT(std::string(r.status().message()), HasSubstr("MA-XXX"));
}

TEST_F(EnrollmentServiceTest, ProgrammeTargetIsEditableWithAnEvent) {
  auto p = svc().GetProgramme();
  ASSERT_TRUE(p.ok());
  EXPECT_EQ(p->national_target, 15000);
  auto updated = svc().UpdateProgramme(Ctx(), 20000, std::nullopt);
  ASSERT_TRUE(updated.ok()) << updated.status();
  EXPECT_EQ(updated->national_target, 20000);
  EXPECT_EQ(updated->update_time, clock_.Now());
  const DomainEvent e = repo_.published().back();
  EXPECT_EQ(e.kind, EventKind::kProgrammeTargetChanged);
  EXPECT_EQ(e.aggregate_id, kProgrammeAggregateId);
  EXPECT_EQ(e.sequence, 1);
  EXPECT_EQ(e.previous_target, 15000);
  EXPECT_EQ(e.national_target, 20000);

  // Same target, new name: no target event.
  const size_t before = repo_.published().size();
  updated = svc().UpdateProgramme(Ctx(), 20000, std::string("JobInTech 2"));
  ASSERT_TRUE(updated.ok());
  EXPECT_EQ(updated->name, "JobInTech 2");
  EXPECT_EQ(repo_.published().size(), before);
  ASSERT_TRUE(svc().UpdateProgramme(Ctx(), 21000, std::nullopt).ok());
  EXPECT_EQ(repo_.published().back().sequence, 2);

  EXPECT_THAT(
      ViolatedFields(svc().UpdateProgramme(Ctx(), 0, std::string("")).status()),
      ElementsAre("national_target", "name"));
  EXPECT_THAT(
      ViolatedFields(
          svc().UpdateProgramme(Ctx(), 10'000'001, std::nullopt).status()),
      ElementsAre("national_target"));
}

TEST_F(EnrollmentServiceTest, TracksCanBeAdded) {
  const auto t =
      Must(svc().CreateTrack(Ctx(), Track{.track_id = "digital-health",
                                          .name_fr = "Santé digitale",
                                          .name_ar = "الصحة الرقمية",
                                          .create_time = absl::UnixEpoch()}));
  EXPECT_EQ(t.create_time, clock_.Now());
  const DomainEvent e = repo_.published().back();
  EXPECT_EQ(e.kind, EventKind::kTrackAdded);
  EXPECT_EQ(e.aggregate_id, "digital-health");
  EXPECT_EQ(e.sequence, 1);
  ASSERT_TRUE(e.track.has_value());
  EXPECT_EQ(e.track->name_fr, "Santé digitale");
  auto tracks = svc().ListTracks();
  ASSERT_TRUE(tracks.ok());
  EXPECT_EQ(tracks->size(), 4u);

  EXPECT_EQ(svc()
                .CreateTrack(Ctx(), Track{.track_id = "cybersecurity",
                                          .name_fr = "x",
                                          .name_ar = "y",
                                          .create_time = absl::UnixEpoch()})
                .status()
                .code(),
            absl::StatusCode::kAlreadyExists);
  EXPECT_THAT(ViolatedFields(svc()
                                 .CreateTrack(Ctx(), Track{.track_id = "Bad Id",
                                                           .name_fr = "",
                                                           .name_ar = "",
                                                           .create_time = {}})
                                 .status()),
              ElementsAre("track.track_id", "track.name_fr", "track.name_ar"));
}

// ------------------------------------------------------------ applications

TEST_F(EnrollmentServiceTest, SubmitNormalizesPersonalDataAndSetsDimensions) {
  const std::string cohort = MakeCohort();
  NewApplication in = Applicant(cohort, 7);
  in.candidate.national_id = " bk 12 34 5 ";
  in.candidate.phone = "+212 6 61-23.45.67";
  in.candidate.email = "Salma@Example.MA";
  auto r = svc().SubmitApplication(Ctx(), in);
  ASSERT_TRUE(r.ok()) << r.status();
  const Application& a = r->application;
  EXPECT_THAT(a.application_id, ::testing::StartsWith("app_"));
  EXPECT_THAT(a.trainee_id, ::testing::StartsWith("trn_"));
  EXPECT_EQ(a.status, S::kApplied);
  EXPECT_EQ(a.submit_time, clock_.Now());
  ASSERT_TRUE(r->personal_data.has_value());
  EXPECT_EQ(r->personal_data->national_id, "BK12345");
  EXPECT_EQ(r->personal_data->phone, "+212661234567");
  EXPECT_EQ(r->personal_data->email, "Salma@example.ma");
  EXPECT_EQ(r->personal_data->given_name, "Salma7");
  const Dimensions& d = a.dimensions;
  EXPECT_EQ(d.gender, GENDER_FEMALE);
  EXPECT_EQ(d.age_band, AGE_BAND_25_29);
  EXPECT_EQ(d.education_level, EDUCATION_LEVEL_BAC_PLUS_2);
  EXPECT_EQ(d.residence_province_code, "MA-RAB");
  EXPECT_EQ(d.residence_region_code, "MA-04");
  EXPECT_EQ(d.training_province_code, "MA-FQH");
  EXPECT_EQ(d.training_region_code, "MA-05");
  EXPECT_EQ(d.track_id, "cybersecurity");
  EXPECT_EQ(d.cohort_id, cohort);
  EXPECT_EQ(d.centre_id, Must(svc().GetCohort(cohort)).cohort.centre_id);
}

TEST_F(EnrollmentServiceTest, EachBadApplicationFieldIsNamed) {
  const std::string cohort = MakeCohort();
  struct Case {
    const char* field;
    void (*spoil)(NewApplication&);
  };
  const Case cases[] = {
      {"cohort_id", [](NewApplication& a) { a.cohort_id = ""; }},
      {"candidate.given_name",
       [](NewApplication& a) { a.candidate.given_name = " "; }},
      {"candidate.family_name",
       [](NewApplication& a) {
         a.candidate.family_name = std::string(101, 'x');
       }},
      {"candidate.national_id",
       [](NewApplication& a) { a.candidate.national_id = "123ABC"; }},
      {"candidate.birth_date",
       [](NewApplication& a) { a.candidate.birth_date.reset(); }},
      {"candidate.birth_date",
       [](NewApplication& a) {
         a.candidate.birth_date = absl::CivilDay(2030, 1, 1);
       }},
      {"candidate.phone",
       [](NewApplication& a) { a.candidate.phone = "+33 6 12 34 56 78"; }},
      {"candidate.email",
       [](NewApplication& a) { a.candidate.email = "salma.example.ma"; }},
      {"gender", [](NewApplication& a) { a.gender = GENDER_UNSPECIFIED; }},
      {"gender",
       [](NewApplication& a) {
         a.gender = static_cast<::jobintech::common::v1::Gender>(9);
       }},
      {"education_level",
       [](NewApplication& a) {
         a.education_level = EDUCATION_LEVEL_UNSPECIFIED;
       }},
      {"residence_province_code",
       [](NewApplication& a) { a.residence_province_code = "MA-XYZ"; }},
      {"residence_province_code",
       [](NewApplication& a) { a.residence_province_code = ""; }},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.field);
    NewApplication in = Applicant(cohort, 1);
    c.spoil(in);
    auto r = svc().SubmitApplication(Ctx(), in);
    EXPECT_EQ(r.status().code(), absl::StatusCode::kInvalidArgument);
    EXPECT_THAT(ViolatedFields(r.status()), ElementsAre(c.field));
  }
  EXPECT_EQ(repo_.published().size(), 1u);  // only the cohort's
}

TEST_F(EnrollmentServiceTest, AllBadApplicationFieldsAreReportedAtOnce) {
  NewApplication in;
  in.candidate.national_id = "bad";
  in.candidate.phone = "123";
  in.candidate.email = "@";
  in.residence_province_code = "XX";
  auto r = svc().SubmitApplication(RequestContext{}, in);
  EXPECT_EQ(r.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(ViolatedFields(r.status()),
              ElementsAreArray({"request_id", "cohort_id",
                                "candidate.given_name", "candidate.family_name",
                                "candidate.national_id", "candidate.birth_date",
                                "candidate.phone", "candidate.email", "gender",
                                "education_level", "residence_province_code"}));
  // Nothing personal is echoed back.
  EXPECT_THAT(std::string(r.status().message()), Not(HasSubstr("bad")));
}

TEST_F(EnrollmentServiceTest, UnknownCohortIsNotFound) {
  auto r = svc().SubmitApplication(Ctx(), Applicant("coh_nope", 1));
  EXPECT_EQ(r.status().code(), absl::StatusCode::kNotFound);
  EXPECT_THAT(std::string(r.status().message()), HasSubstr("coh_nope"));
}

TEST_F(EnrollmentServiceTest, ApplicationsAreRefusedUnlessCohortIsOpen) {
  for (CohortStatus s : {CohortStatus::kPlanned, CohortStatus::kRunning,
                         CohortStatus::kClosed}) {
    SCOPED_TRACE(StatusName(s));
    const std::string cohort = MakeCohort(10, s);
    auto r = svc().SubmitApplication(Ctx(), Applicant(cohort, 1));
    EXPECT_EQ(r.status().code(), absl::StatusCode::kFailedPrecondition);
    EXPECT_THAT(std::string(r.status().message()), HasSubstr(StatusName(s)));
  }
  EXPECT_TRUE(svc().SubmitApplication(Ctx(), Applicant(MakeCohort(), 1)).ok());
}

// ------------------------------------------------------------ eligibility

TEST_F(EnrollmentServiceTest, EligibleAgesAreInclusive) {
  const std::string cohort = MakeCohort();
  struct Case {
    absl::CivilDay birth;
    bool ok;
    const char* age;
  };
  // The clock's day is 2025-10-15.
  const Case cases[] = {
      {absl::CivilDay(2007, 10, 15), true, "18"},   // 18 today
      {absl::CivilDay(2007, 10, 16), false, "17"},  // 18 tomorrow
      {absl::CivilDay(1989, 10, 16), true, "35"},   // 36 tomorrow
      {absl::CivilDay(1989, 10, 15), false, "36"},  // 36 today
  };
  int i = 0;
  for (const Case& c : cases) {
    SCOPED_TRACE(absl::FormatCivilTime(c.birth));
    NewApplication in = Applicant(cohort, ++i);
    in.candidate.birth_date = c.birth;
    auto r = svc().SubmitApplication(Ctx(), in);
    if (c.ok) {
      EXPECT_TRUE(r.ok()) << r.status();
    } else {
      EXPECT_EQ(r.status().code(), absl::StatusCode::kFailedPrecondition);
      EXPECT_THAT(std::string(r.status().message()),
                  HasSubstr(absl::StrCat("is ", c.age, " years old")));
      EXPECT_THAT(std::string(r.status().message()), HasSubstr("18 to 35"));
    }
  }
}

TEST_F(EnrollmentServiceTest, AgeBandIsTakenOnTheDayOfApplication) {
  const std::string cohort = MakeCohort();
  NewApplication young = Applicant(cohort, 1);
  young.candidate.birth_date = absl::CivilDay(2007, 10, 15);
  EXPECT_EQ(Must(svc().SubmitApplication(Ctx(), young))
                .application.dimensions.age_band,
            AGE_BAND_18_20);
  NewApplication older = Applicant(cohort, 2);
  older.candidate.birth_date = absl::CivilDay(1989, 10, 16);
  EXPECT_EQ(Must(svc().SubmitApplication(Ctx(), older))
                .application.dimensions.age_band,
            AGE_BAND_30_35);
}

TEST_F(EnrollmentServiceTest, EligibilityRangeIsConfigurable) {
  UseRules(EnrollmentRules{.min_age = 16,
                           .max_age = 40,
                           .default_page_size = 50,
                           .max_page_size = 500});
  const std::string cohort = MakeCohort();
  NewApplication seventeen = Applicant(cohort, 1);
  seventeen.candidate.birth_date = absl::CivilDay(2008, 1, 1);
  EXPECT_TRUE(svc().SubmitApplication(Ctx(), seventeen).ok());
  NewApplication forty = Applicant(cohort, 2);
  forty.candidate.birth_date = absl::CivilDay(1985, 1, 1);
  EXPECT_TRUE(svc().SubmitApplication(Ctx(), forty).ok());
  NewApplication forty_one = Applicant(cohort, 3);
  forty_one.candidate.birth_date = absl::CivilDay(1984, 1, 1);
  auto r = svc().SubmitApplication(Ctx(), forty_one);
  EXPECT_EQ(r.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(std::string(r.status().message()), HasSubstr("16 to 40"));
}

// ------------------------------------------------------------ duplicates

TEST_F(EnrollmentServiceTest, SameCinDifferentlyFormattedIsADuplicate) {
  const std::string cohort = MakeCohort();
  const std::string other_cohort = MakeCohort();
  NewApplication first = Applicant(cohort, 1);
  first.candidate.national_id = "BK123456";
  ASSERT_TRUE(svc().SubmitApplication(Ctx(), first).ok());

  NewApplication again = Applicant(other_cohort, 2);  // other name, phone...
  again.candidate.national_id = " bk 123 456";
  const size_t before = repo_.published().size();
  auto r = svc().SubmitApplication(Ctx(), again);
  EXPECT_EQ(r.status().code(), absl::StatusCode::kAlreadyExists);
  EXPECT_THAT(std::string(r.status().message()), Not(HasSubstr("123456")));
  EXPECT_THAT(std::string(r.status().message()), Not(HasSubstr("BK")));
  EXPECT_EQ(repo_.published().size(), before);
}

TEST_F(EnrollmentServiceTest, EveryActiveStatusBlocksASecondApplication) {
  const std::string cohort = MakeCohort();
  int i = 0;
  for (S s : {S::kApplied, S::kAdmitted, S::kWaitlisted, S::kEnrolled}) {
    SCOPED_TRACE(StatusName(s));
    InStatus(cohort, ++i, s);
    auto r = svc().SubmitApplication(Ctx(), Applicant(cohort, i));
    EXPECT_EQ(r.status().code(), absl::StatusCode::kAlreadyExists);
  }
}

TEST_F(EnrollmentServiceTest,
       ReapplicationAfterAClosedApplicationKeepsTraineeId) {
  const std::string cohort = MakeCohort();
  int i = 0;
  for (S s : {S::kRejected, S::kDeclined, S::kWithdrawn}) {
    SCOPED_TRACE(StatusName(s));
    const ApplicationView first = InStatus(cohort, ++i, s);
    NewApplication again = Applicant(cohort, i);
    again.candidate.phone = "0700000000";
    // An application does not change the stored data: refused, nothing
    // written.
    const size_t events = repo_.published().size();
    auto refused = svc().SubmitApplication(Ctx(), again);
    EXPECT_EQ(refused.status().code(), absl::StatusCode::kFailedPrecondition);
    EXPECT_THAT(std::string(refused.status().message()),
                HasSubstr("UpdateCandidateContact"));
    EXPECT_EQ(repo_.published().size(), events);
    EXPECT_EQ(svc()
                  .GetApplication(first.application.application_id)
                  ->personal_data->phone,
              first.personal_data->phone);
    // Changed explicitly, the application goes through.
    ASSERT_TRUE(svc()
                    .UpdateCandidateContact(
                        Ctx(), first.application.trainee_id,
                        {.phone = again.candidate.phone,
                         .email = again.candidate.email})
                    .ok());
    auto r = svc().SubmitApplication(Ctx(), again);
    ASSERT_TRUE(r.ok()) << r.status();
    EXPECT_EQ(r->application.trainee_id, first.application.trainee_id);
    EXPECT_NE(r->application.application_id, first.application.application_id);
    // The person's data is refreshed, for both applications.
    EXPECT_EQ(r->personal_data->phone, "+212700000000");
    EXPECT_EQ(svc()
                  .GetApplication(first.application.application_id)
                  ->personal_data->phone,
              "+212700000000");
    // The trainee's sequence continues.
    const auto events_of = EventsOf(first.application.trainee_id);
    EXPECT_EQ(events_of.back().kind, EventKind::kApplicationSubmitted);
    EXPECT_EQ(events_of.back().sequence, static_cast<int64_t>(events_of.size()));
  }
}

TEST_F(EnrollmentServiceTest, ReapplyingWithOtherPersonalDataChangesNothing) {
  const std::string cohort = MakeCohort();
  const ApplicationView first = InStatus(cohort, 1, S::kRejected);
  const int64_t mutations = repo_.mutation_count();
  for (auto change : std::vector<std::function<void(CandidateInput&)>>{
           [](CandidateInput& c) { c.given_name = "Autre"; },
           [](CandidateInput& c) { c.family_name = "Autre"; },
           [](CandidateInput& c) { c.birth_date = absl::CivilDay(2001, 1, 1); },
           [](CandidateInput& c) { c.email = "other@example.ma"; },
           [](CandidateInput& c) { c.phone = "0611111111"; }}) {
    NewApplication again = Applicant(cohort, 1);
    change(again.candidate);
    auto r = svc().SubmitApplication(Ctx(), again);
    EXPECT_EQ(r.status().code(), absl::StatusCode::kFailedPrecondition);
    // The refusal repeats none of the stored values.
    for (const std::string& stored :
         {first.personal_data->given_name, first.personal_data->phone,
          first.personal_data->email, first.application.application_id}) {
      EXPECT_THAT(std::string(r.status().message()), Not(HasSubstr(stored)));
    }
  }
  EXPECT_EQ(repo_.mutation_count(), mutations);
  EXPECT_EQ(Must(svc().GetApplication(first.application.application_id))
                .personal_data,
            first.personal_data);
  // The same data, differently written, is the same person: accepted.
  NewApplication same = Applicant(cohort, 1);
  same.candidate.national_id = absl::AsciiStrToLower(same.candidate.national_id);
  same.candidate.email = "salma1@example.ma";  // the domain's case differs
  auto ok = svc().SubmitApplication(Ctx(), same);
  ASSERT_TRUE(ok.ok()) << ok.status();
  EXPECT_EQ(ok->application.trainee_id, first.application.trainee_id);
}

TEST_F(EnrollmentServiceTest, ADuplicateOutOfScopeNamesNoApplication) {
  const std::string here = MakeCohort();  // region MA-05
  NewCohort there_input = CohortInput(30, CohortStatus::kOpen);
  there_input.centre_id = MakeCentre("MA-CAS");  // region MA-06
  const std::string there = Must(svc().CreateCohort(Ctx(), there_input)).cohort.cohort_id;
  const ApplicationView theirs = InStatus(there, 1, S::kAdmitted);
  const std::string id = theirs.application.application_id;

  // A coordinator of MA-05 submits the same person to a cohort of MA-05.
  RequestContext limited = Ctx();
  limited.scope = command::Scope::Limited({"MA-05"}, {});
  const size_t events = repo_.published().size();
  auto r = svc().SubmitApplication(limited, Applicant(here, 1));
  EXPECT_EQ(r.status().code(), absl::StatusCode::kAlreadyExists);
  EXPECT_EQ(r.status().message(),
            "a candidate with this national ID already has an active application");
  EXPECT_THAT(std::string(r.status().message()), Not(HasSubstr(id)));
  EXPECT_THAT(std::string(r.status().message()), Not(HasSubstr("ADMITTED")));
  EXPECT_EQ(repo_.published().size(), events);

  // Whoever may read it is told which application it is.
  RequestContext regional = Ctx();
  regional.scope = command::Scope::Limited({"MA-06"}, {});
  NewApplication there_again = Applicant(there, 1);
  auto named = svc().SubmitApplication(regional, there_again);
  EXPECT_EQ(named.status().code(), absl::StatusCode::kAlreadyExists);
  EXPECT_THAT(std::string(named.status().message()), HasSubstr(id));
  EXPECT_THAT(std::string(named.status().message()), HasSubstr("ADMITTED"));
  auto national = svc().SubmitApplication(Ctx(), Applicant(here, 1));
  EXPECT_THAT(std::string(national.status().message()), HasSubstr(id));
}

// ------------------------------------------------------------ contact data

TEST_F(EnrollmentServiceTest, ContactDataChangesOnlyThroughTheExplicitUpdateInScope) {
  const std::string here = MakeCohort();  // region MA-05
  NewCohort there_input = CohortInput(30, CohortStatus::kOpen);
  there_input.centre_id = MakeCentre("MA-CAS");  // region MA-06
  const std::string there = Must(svc().CreateCohort(Ctx(), there_input)).cohort.cohort_id;
  const ApplicationView mine = Submit(here, 1);
  const ApplicationView theirs = Submit(there, 2);
  const std::string trainee = mine.application.trainee_id;
  const size_t events = repo_.published().size();

  RequestContext ma05 = Ctx();
  ma05.scope = command::Scope::Limited({"MA-05"}, {});
  auto updated = svc().UpdateCandidateContact(
      ma05, trainee, {.phone = "07 12 34 56 78", .email = "New@Mail.MA"});
  ASSERT_TRUE(updated.ok()) << updated.status();
  EXPECT_EQ(updated->trainee_id, trainee);
  EXPECT_EQ(updated->personal_data->phone, "+212712345678");
  EXPECT_EQ(updated->personal_data->email, "New@mail.ma");
  EXPECT_EQ(updated->personal_data->given_name, mine.personal_data->given_name);
  EXPECT_EQ(updated->update_time, clock_.Now());
  EXPECT_EQ(Must(svc().GetApplication(mine.application.application_id))
                .personal_data->phone,
            "+212712345678");
  // No event: events never carry personal data.
  EXPECT_EQ(repo_.published().size(), events);
  // A replay answers the current data and changes nothing.
  auto replay = svc().UpdateCandidateContact(ma05, trainee,
                                             {.phone = "0712345678", .email = "new@mail.ma"});
  ASSERT_TRUE(replay.ok()) << replay.status();
  EXPECT_EQ(replay->personal_data->phone, "+212712345678");

  // Out of scope: exactly like an unknown trainee, and nothing changes.
  RequestContext out = Ctx();
  out.scope = command::Scope::Limited({"MA-05"}, {});
  const absl::Status hidden =
      svc()
          .UpdateCandidateContact(out, theirs.application.trainee_id,
                                  {.phone = "0611111111", .email = "x@mail.ma"})
          .status();
  const absl::Status missing =
      svc()
          .UpdateCandidateContact(Ctx(), "trn_nope",
                                  {.phone = "0611111111", .email = "x@mail.ma"})
          .status();
  EXPECT_EQ(hidden.code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(missing.code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(std::string(hidden.message()),
            absl::StrReplaceAll(std::string(missing.message()),
                                {{"trn_nope", theirs.application.trainee_id}}));
  EXPECT_EQ(Must(svc().GetApplication(theirs.application.application_id)).personal_data,
            theirs.personal_data);

  // Every field is validated, all at once.
  EXPECT_THAT(ViolatedFields(svc()
                                 .UpdateCandidateContact(Ctx(), "", {.phone = "12", .email = "x"})
                                 .status()),
              ElementsAre("trainee_id", "phone", "email"));

  // Once erased, the data cannot come back.
  ASSERT_TRUE(svc().EraseCandidate(Ctx(), trainee).ok());
  const absl::Status erased =
      svc()
          .UpdateCandidateContact(Ctx(), trainee,
                                  {.phone = "0611111111", .email = "x@mail.ma"})
          .status();
  EXPECT_EQ(erased.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_FALSE(Must(svc().GetApplication(mine.application.application_id))
                   .personal_data.has_value());
}

// ------------------------------------------------------------ idempotency

TEST_F(EnrollmentServiceTest,
       RepeatedSubmitReturnsFirstAnswerAndPublishesOnce) {
  const std::string cohort = MakeCohort();
  const RequestContext ctx = Ctx();
  auto first = svc().SubmitApplication(ctx, Applicant(cohort, 1));
  ASSERT_TRUE(first.ok());
  const size_t events = repo_.published().size();
  const int64_t mutations = repo_.mutation_count();
  clock_.Advance(absl::Hours(1));
  auto second = svc().SubmitApplication(ctx, Applicant(cohort, 1));
  ASSERT_TRUE(second.ok()) << second.status();
  EXPECT_EQ(second->application.application_id,
            first->application.application_id);
  EXPECT_EQ(second->application.submit_time, first->application.submit_time);
  EXPECT_EQ(second->personal_data->national_id,
            first->personal_data->national_id);
  EXPECT_EQ(repo_.published().size(), events);
  EXPECT_EQ(repo_.mutation_count(), mutations);  // a replay writes nothing
  const auto list =
      Must(svc().ListApplications(ApplicationFilter{}, PageQuery{}));
  EXPECT_EQ(list.items.size(), 1u);
}

TEST_F(EnrollmentServiceTest,
       RepeatedAdmitReturnsFirstAnswerEvenAfterLaterMoves) {
  const std::string cohort = MakeCohort();
  const std::string id = Submit(cohort, 1).application.application_id;
  const RequestContext admit = Ctx();
  ASSERT_TRUE(svc().Admit(admit, id).ok());
  const size_t events = repo_.published().size();
  auto again = svc().Admit(admit, id);
  ASSERT_TRUE(again.ok()) << again.status();
  EXPECT_EQ(again->application.status, S::kAdmitted);
  EXPECT_EQ(repo_.published().size(), events);
  ASSERT_TRUE(svc().ConfirmEnrolment(Ctx(), id).ok());
  again = svc().Admit(admit, id);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->application.status, S::kAdmitted);
}

TEST_F(EnrollmentServiceTest, RepeatedWaitlistingShowsTheCurrentPosition) {
  const std::string cohort = MakeCohort(1);
  const auto a = InStatus(cohort, 1, S::kWaitlisted);
  const RequestContext ctx = Ctx();
  auto b = svc().Waitlist(ctx, Submit(cohort, 2).application.application_id);
  ASSERT_TRUE(b.ok());
  EXPECT_EQ(b->waitlist_position, 2);
  ASSERT_TRUE(svc().Reject(Ctx(), a.application.application_id, cmn::REJECTION_REASON_INCOMPLETE_FILE, "late").ok());
  EXPECT_EQ(Must(svc().Waitlist(ctx, b->application.application_id))
                .waitlist_position,
            1);
}

TEST_F(EnrollmentServiceTest, RepeatedCreateCohortRecountsSeats) {
  const RequestContext ctx = Ctx();
  auto first = svc().CreateCohort(ctx, CohortInput(5, CohortStatus::kOpen));
  ASSERT_TRUE(first.ok());
  const std::string cohort = first->cohort.cohort_id;
  InStatus(cohort, 1, S::kAdmitted);
  auto again = svc().CreateCohort(ctx, CohortInput(5, CohortStatus::kOpen));
  ASSERT_TRUE(again.ok()) << again.status();
  EXPECT_EQ(again->cohort.cohort_id, cohort);
  EXPECT_EQ(again->seats.held(), 1);
  int opened = 0;
  for (const auto& e : repo_.published()) {
    if (e.kind == EventKind::kCohortOpened && e.aggregate_id == cohort)
      ++opened;
  }
  EXPECT_EQ(opened, 1);
}

TEST_F(EnrollmentServiceTest, ReusedRequestIdForAnotherOperationIsRefused) {
  const std::string cohort = MakeCohort();
  const RequestContext ctx = Ctx();
  const auto app = svc().SubmitApplication(ctx, Applicant(cohort, 1));
  ASSERT_TRUE(app.ok());
  auto r = svc().Admit(ctx, app->application.application_id);
  EXPECT_EQ(r.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(ViolatedFields(r.status()), ElementsAre("request_id"));
  EXPECT_THAT(std::string(r.status().message()),
              HasSubstr("already used for SubmitApplication"));
  EXPECT_EQ(StatusOf(app->application.application_id), S::kApplied);
}

TEST_F(EnrollmentServiceTest, AFailedRequestDoesNotConsumeItsRequestId) {
  const std::string cohort = MakeCohort(10, CohortStatus::kPlanned);
  const RequestContext ctx = Ctx();
  EXPECT_EQ(svc().SubmitApplication(ctx, Applicant(cohort, 1)).status().code(),
            absl::StatusCode::kFailedPrecondition);
  ASSERT_TRUE(svc()
                  .UpdateCohort(Ctx(), cohort,
                                {.capacity = {}, .status = CohortStatus::kOpen})
                  .ok());
  EXPECT_TRUE(svc().SubmitApplication(ctx, Applicant(cohort, 1)).ok());
}

TEST_F(EnrollmentServiceTest, MissingOrMalformedRequestIdIsRefused) {
  const std::string cohort = MakeCohort();
  for (const std::string& id :
       {std::string(""), std::string(129, 'r'), std::string("caf\xc3\xa9")}) {
    auto r = svc().SubmitApplication(
        RequestContext{.request_id = id, .traceparent = ""},
        Applicant(cohort, 1));
    EXPECT_THAT(ViolatedFields(r.status()), ElementsAre("request_id"));
  }
}

TEST_F(EnrollmentServiceTest, NothingIsWrittenWhenTheTransactionFails) {
  const std::string cohort = MakeCohort();
  const size_t events = repo_.published().size();
  repo_.FailNextCommit(absl::UnavailableError("database is locked"));
  const RequestContext ctx = Ctx();
  EXPECT_EQ(svc().SubmitApplication(ctx, Applicant(cohort, 1)).status().code(),
            absl::StatusCode::kUnavailable);
  EXPECT_EQ(repo_.published().size(), events);
  EXPECT_TRUE(Must(svc().ListApplications({}, {})).items.empty());
  // Neither the candidate nor the request id were kept.
  auto retry = svc().SubmitApplication(ctx, Applicant(cohort, 1));
  ASSERT_TRUE(retry.ok()) << retry.status();
  EXPECT_EQ(EventsOf(retry->application.trainee_id).front().sequence, 1);
}

// ------------------------------------------------------------ events

TEST_F(EnrollmentServiceTest, TraineeEventsAreNumberedPerTrainee) {
  const std::string cohort = MakeCohort();
  const auto a = InStatus(cohort, 1, S::kEnrolled);
  const auto b = InStatus(cohort, 2, S::kAdmitted);
  const auto ea = EventsOf(a.application.trainee_id);
  const auto eb = EventsOf(b.application.trainee_id);
  ASSERT_EQ(ea.size(), 3u);
  ASSERT_EQ(eb.size(), 2u);
  EXPECT_EQ(ea[0].sequence, 1);
  EXPECT_EQ(ea[1].sequence, 2);
  EXPECT_EQ(ea[2].sequence, 3);
  EXPECT_EQ(eb[0].sequence, 1);
  EXPECT_EQ(eb[1].sequence, 2);
  EXPECT_EQ(ea[0].kind, EventKind::kApplicationSubmitted);
  EXPECT_FALSE(ea[0].previous_status.has_value());
  EXPECT_EQ(ea[0].new_status, S::kApplied);
  EXPECT_EQ(ea[1].kind, EventKind::kApplicationAdmitted);
  EXPECT_EQ(ea[1].previous_status, S::kApplied);
  EXPECT_EQ(ea[1].new_status, S::kAdmitted);
  EXPECT_EQ(ea[2].kind, EventKind::kEnrolmentConfirmed);
  EXPECT_EQ(ea[2].previous_status, S::kAdmitted);
  EXPECT_EQ(ea[2].new_status, S::kEnrolled);
  for (const auto& e : ea) {
    EXPECT_EQ(e.aggregate_id, "");
    EXPECT_EQ(e.application_id, a.application.application_id);
    EXPECT_EQ(e.cohort_id, cohort);
    EXPECT_EQ(e.traceparent, kTraceparent);
    EXPECT_THAT(e.request_id, ::testing::StartsWith("req-"));
    EXPECT_EQ(e.occurred_at, clock_.Now());
    EXPECT_EQ(e.dimensions.gender, GENDER_FEMALE);
    EXPECT_EQ(e.dimensions.age_band, AGE_BAND_25_29);
    EXPECT_EQ(e.dimensions.education_level, EDUCATION_LEVEL_BAC_PLUS_2);
    EXPECT_EQ(e.dimensions.residence_province_code, "MA-RAB");
    EXPECT_EQ(e.dimensions.residence_region_code, "MA-04");
    EXPECT_EQ(e.dimensions.training_province_code, "MA-FQH");
    EXPECT_EQ(e.dimensions.training_region_code, "MA-05");
    EXPECT_EQ(e.dimensions.track_id, "cybersecurity");
    EXPECT_EQ(e.dimensions.cohort_id, cohort);
    EXPECT_FALSE(e.dimensions.centre_id.empty());
  }
}

TEST_F(EnrollmentServiceTest, EventsCarryNoPersonalData) {
  const std::string cohort = MakeCohort(/*capacity=*/2);
  std::vector<NewApplication> people;
  std::vector<std::string> ids;
  for (int i = 0; i < 6; ++i) {
    people.push_back(Applicant(cohort, i));
    auto r = svc().SubmitApplication(Ctx(), people.back());
    ASSERT_TRUE(r.ok()) << r.status();
    ids.push_back(r->application.application_id);
  }
  ASSERT_TRUE(svc().Admit(Ctx(), ids[0]).ok());
  ASSERT_TRUE(svc().ConfirmEnrolment(Ctx(), ids[0]).ok());
  ASSERT_TRUE(svc().WithdrawEnrolment(Ctx(), ids[0], cmn::WITHDRAWAL_REASON_FOUND_JOB, "found a job").ok());
  ASSERT_TRUE(svc().Admit(Ctx(), ids[1]).ok());
  ASSERT_TRUE(svc().DeclineAdmission(Ctx(), ids[1], cmn::DECLINE_REASON_OTHER, "moved").ok());
  ASSERT_TRUE(svc().Reject(Ctx(), ids[2], cmn::REJECTION_REASON_INCOMPLETE_FILE, "incomplete file").ok());
  ASSERT_TRUE(svc().Admit(Ctx(), ids[3]).ok());
  ASSERT_TRUE(svc().Admit(Ctx(), ids[4]).ok());
  ASSERT_EQ(Must(svc().Admit(Ctx(), ids[5])).application.status,
            S::kWaitlisted);

  std::vector<std::string> personal;
  for (size_t i = 0; i < people.size(); ++i) {
    const CandidateInput& in = people[i].candidate;
    const auto view = svc().GetApplication(ids[i]);
    ASSERT_TRUE(view.ok() && view->personal_data.has_value());
    const PersonalData& pd = *view->personal_data;
    for (const std::string& s :
         {in.given_name, in.family_name, in.national_id, in.phone, in.email,
          pd.national_id, pd.phone, pd.email,
          absl::FormatCivilTime(pd.birth_date)}) {
      personal.push_back(s);
    }
    personal.push_back(pd.phone.substr(4));  // the 9-digit subscriber number
  }
  const auto events = repo_.published();
  ASSERT_GE(events.size(), 15u);
  for (const DomainEvent& e : events) {
    for (const std::string& field : EventStrings(e)) {
      for (const std::string& pd : personal) {
        EXPECT_THAT(field, Not(HasSubstr(pd)))
            << EventType(e.kind) << " leaks personal data";
      }
    }
  }
}

// ------------------------------------------------------------ erasure

TEST_F(EnrollmentServiceTest, ErasureRemovesPersonalDataAndKeepsHistory) {
  const std::string cohort = MakeCohort();
  const RequestContext submit = Ctx();
  auto app = svc().SubmitApplication(submit, Applicant(cohort, 1));
  ASSERT_TRUE(app.ok());
  const std::string trainee = app->application.trainee_id;
  const std::string id = app->application.application_id;
  ASSERT_TRUE(svc().Admit(Ctx(), id).ok());
  const size_t events = repo_.published().size();

  clock_.Advance(absl::Hours(2));
  auto erased = svc().EraseCandidate(Ctx(), trainee);
  ASSERT_TRUE(erased.ok()) << erased.status();
  EXPECT_EQ(erased->trainee_id, trainee);
  EXPECT_EQ(erased->erase_time, clock_.Now());
  EXPECT_EQ(repo_.published().size(), events);

  auto view = svc().GetApplication(id);
  ASSERT_TRUE(view.ok());
  EXPECT_FALSE(view->personal_data.has_value());
  EXPECT_EQ(view->application.status, S::kAdmitted);
  const auto list = Must(svc().ListApplications({}, {}));
  EXPECT_FALSE(list.items[0].personal_data.has_value());

  // The pseudonymous history remains usable.
  auto record = svc().LookupTrainee(trainee, cohort);
  ASSERT_TRUE(record.ok()) << record.status();
  EXPECT_EQ(record->application.application_id, id);
  EXPECT_TRUE(svc().ConfirmEnrolment(Ctx(), id).ok());
  EXPECT_EQ(EventsOf(trainee).back().sequence, 3);

  // A replay of the earlier submission shows no personal data.
  auto replay = svc().SubmitApplication(submit, Applicant(cohort, 1));
  ASSERT_TRUE(replay.ok()) << replay.status();
  EXPECT_EQ(replay->application.application_id, id);
  EXPECT_FALSE(replay->personal_data.has_value());

  // Erasing again (new request) is idempotent: the first erase time.
  clock_.Advance(absl::Hours(1));
  auto again = svc().EraseCandidate(Ctx(), trainee);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->erase_time, erased->erase_time);
}

TEST_F(EnrollmentServiceTest, ErasurePurgesNotesAndStoredAnswersOfTheTraineeOnly) {
  const std::string cohort = MakeCohort();
  const RequestContext submit = Ctx();
  const ApplicationView app = Must(svc().SubmitApplication(submit, Applicant(cohort, 1)));
  const std::string trainee = app.application.trainee_id;
  const std::string id = app.application.application_id;
  const RequestContext reject = Ctx();
  ASSERT_TRUE(svc().Reject(reject, id, cmn::REJECTION_REASON_OTHER, "Note about Salma1: moved to Agadir").ok());
  const RequestContext contact = Ctx();
  ASSERT_TRUE(svc()
                  .UpdateCandidateContact(contact, trainee,
                                          {.phone = "0612345678", .email = "s1@mail.ma"})
                  .ok());
  // Someone else's note stays.
  const ApplicationView other = Submit(cohort, 2);
  const RequestContext reject_other = Ctx();
  ASSERT_TRUE(svc().Reject(reject_other, other.application.application_id, cmn::REJECTION_REASON_OTHER, "Kept note").ok());

  const int64_t flushes = repo_.flush_erasure_count();
  ASSERT_TRUE(svc().EraseCandidate(Ctx(), trainee).ok());
  EXPECT_EQ(repo_.flush_erasure_count(), flushes + 1);
  EXPECT_THAT(repo_.EventNotesErased(), ElementsAre(trainee));

  // The live note is gone; the status stays.
  const ApplicationView after = Must(svc().GetApplication(id));
  EXPECT_EQ(after.application.reason, "");
  EXPECT_EQ(after.application.status, S::kRejected);
  EXPECT_FALSE(after.personal_data.has_value());
  EXPECT_EQ(Must(svc().GetApplication(other.application.application_id)).application.reason,
            "Kept note");

  // The stored answers of the trainee's requests are scrubbed and lose their
  // digest; a replay answers them without personal data or note.
  for (const RequestContext& ctx : {submit, reject, contact}) {
    SCOPED_TRACE(ctx.request_id);
    std::optional<StoredRequest> stored;
    ASSERT_TRUE(repo_
                    .Read([&](EnrollmentStore& store) -> absl::Status {
                      ASSIGN_OR_RETURN(stored, store.FindRequest(ctx.request_id));
                      return absl::OkStatus();
                    })
                    .ok());
    ASSERT_TRUE(stored.has_value());
    EXPECT_TRUE(stored->erase_time.has_value());
    EXPECT_EQ(stored->fingerprint, "");
    if (const auto* a = std::get_if<Application>(&stored->response)) {
      EXPECT_EQ(a->reason, "");
    }
  }
  auto replay = svc().Reject(reject, id, cmn::REJECTION_REASON_OTHER, "Note about Salma1: moved to Agadir");
  ASSERT_TRUE(replay.ok()) << replay.status();
  EXPECT_EQ(replay->application.reason, "");
  EXPECT_FALSE(replay->personal_data.has_value());
  auto contact_replay = svc().UpdateCandidateContact(
      contact, trainee, {.phone = "0612345678", .email = "s1@mail.ma"});
  ASSERT_TRUE(contact_replay.ok()) << contact_replay.status();
  EXPECT_FALSE(contact_replay->personal_data.has_value());
  // The other trainee's answer is untouched.
  auto other_replay = svc().Reject(reject_other, other.application.application_id, cmn::REJECTION_REASON_OTHER, "Kept note");
  ASSERT_TRUE(other_replay.ok());
  EXPECT_EQ(other_replay->application.reason, "Kept note");

}

TEST_F(EnrollmentServiceTest, ErasingAgainPurgesNotesWrittenSince) {
  const std::string cohort = MakeCohort();
  const ApplicationView app = InStatus(cohort, 1, S::kEnrolled);
  const std::string trainee = app.application.trainee_id;
  const EraseResult first = Must(svc().EraseCandidate(Ctx(), trainee));
  // The pseudonymous history continues, notes included.
  ASSERT_TRUE(svc()
                  .WithdrawEnrolment(Ctx(), app.application.application_id,
                                     cmn::WITHDRAWAL_REASON_OTHER, "Left for a job at Salma1's uncle's")
                  .ok());
  clock_.Advance(absl::Hours(1));
  const EraseResult again = Must(svc().EraseCandidate(Ctx(), trainee));
  EXPECT_EQ(again.erase_time, first.erase_time);
  EXPECT_EQ(Must(svc().GetApplication(app.application.application_id)).application.reason, "");
  EXPECT_EQ(Must(svc().GetApplication(app.application.application_id)).application.status,
            S::kWithdrawn);
}

TEST_F(EnrollmentServiceTest, AfterErasureTheCinNoLongerLinksToTheTrainee) {
  const std::string cohort = MakeCohort();
  const auto first = InStatus(cohort, 1, S::kRejected);
  ASSERT_TRUE(svc().EraseCandidate(Ctx(), first.application.trainee_id).ok());
  auto again = svc().SubmitApplication(Ctx(), Applicant(cohort, 1));
  ASSERT_TRUE(again.ok()) << again.status();
  EXPECT_NE(again->application.trainee_id, first.application.trainee_id);
}

TEST_F(EnrollmentServiceTest, ErasingAnUnknownTraineeIsNotFound) {
  auto r = svc().EraseCandidate(Ctx(), "trn_nope");
  EXPECT_EQ(r.status().code(), absl::StatusCode::kNotFound);
  EXPECT_THAT(std::string(r.status().message()), HasSubstr("trn_nope"));
  EXPECT_THAT(ViolatedFields(svc().EraseCandidate(Ctx(), "").status()),
              ElementsAre("trainee_id"));
}

// ------------------------------------------------------------ lookup

TEST_F(EnrollmentServiceTest, LookupTraineeWithAndWithoutCohort) {
  const std::string cohort_a = MakeCohort();
  const std::string cohort_b = MakeCohort();
  const auto first = InStatus(cohort_a, 1, S::kRejected);
  auto second = svc().SubmitApplication(Ctx(), Applicant(cohort_b, 1));
  ASSERT_TRUE(second.ok());
  const std::string trainee = first.application.trainee_id;
  ASSERT_EQ(second->application.trainee_id, trainee);

  auto latest = svc().LookupTrainee(trainee, "");
  ASSERT_TRUE(latest.ok()) << latest.status();
  EXPECT_EQ(latest->trainee_id, trainee);
  EXPECT_EQ(latest->application.cohort_id, cohort_b);
  EXPECT_EQ(latest->application.status, S::kApplied);
  EXPECT_EQ(latest->cohort_start_date, absl::CivilDay(2025, 11, 3));
  EXPECT_EQ(latest->cohort_end_date, absl::CivilDay(2026, 5, 29));
  EXPECT_EQ(latest->application.dimensions.cohort_id, cohort_b);

  auto in_a = svc().LookupTrainee(trainee, cohort_a);
  ASSERT_TRUE(in_a.ok());
  EXPECT_EQ(in_a->application.status, S::kRejected);

  const std::string cohort_c = MakeCohort();
  auto none = svc().LookupTrainee(trainee, cohort_c);
  EXPECT_EQ(none.status().code(), absl::StatusCode::kNotFound);
  EXPECT_THAT(std::string(none.status().message()), HasSubstr(cohort_c));
  EXPECT_EQ(svc().LookupTrainee("trn_nope", "").status().code(),
            absl::StatusCode::kNotFound);
  EXPECT_THAT(ViolatedFields(svc().LookupTrainee("", "").status()),
              ElementsAre("trainee_id"));
}

// ------------------------------------------------------------ listing

TEST_F(EnrollmentServiceTest, ApplicationsPageAcrossSeveralPages) {
  const std::string cohort = MakeCohort();
  const std::string other = MakeCohort();
  std::set<std::string> expected;
  for (int i = 0; i < 7; ++i) {
    expected.insert(Submit(cohort, i).application.application_id);
  }
  Submit(other, 100);
  std::set<std::string> seen;
  PageQuery page{.limit = 3, .after_key = ""};
  std::vector<size_t> sizes;
  for (int guard = 0; guard < 10; ++guard) {
    const auto p =
        Must(svc().ListApplications(ApplicationFilter{.cohort_id = cohort,
                                                      .status = {},
                                                      .region_code = "",
                                                      .province_code = ""},
                                    page));
    sizes.push_back(p.items.size());
    for (const auto& v : p.items) {
      EXPECT_TRUE(seen.insert(v.application.application_id).second);
      EXPECT_TRUE(v.personal_data.has_value());
    }
    if (p.next_after_key.empty()) break;
    page.after_key = p.next_after_key;
  }
  EXPECT_THAT(sizes, ElementsAre(3u, 3u, 1u));
  EXPECT_EQ(seen, expected);
}

TEST_F(EnrollmentServiceTest, ApplicationFiltersByStatusAndPlace) {
  const std::string cohort = MakeCohort();
  InStatus(cohort, 1, S::kAdmitted);
  InStatus(cohort, 2, S::kApplied);
  InStatus(cohort, 3, S::kAdmitted);
  const auto admitted = Must(svc().ListApplications({.cohort_id = "",
                                                     .status = S::kAdmitted,
                                                     .region_code = "MA-05",
                                                     .province_code = "MA-FQH"},
                                                    {}));
  EXPECT_EQ(admitted.items.size(), 2u);
  const auto elsewhere = Must(svc().ListApplications({.cohort_id = "",
                                                      .status = {},
                                                      .region_code = "MA-06",
                                                      .province_code = ""},
                                                     {}));
  EXPECT_THAT(elsewhere.items, IsEmpty());
  EXPECT_THAT(ViolatedFields(svc()
                                 .ListApplications({.cohort_id = "",
                                                    .status = {},
                                                    .region_code = "MA-99",
                                                    .province_code = "MA-ZZZ"},
                                                   {})
                                 .status()),
              ElementsAre("region_code", "province_code"));
}

TEST_F(EnrollmentServiceTest, PageSizeDefaultsAndIsClamped) {
  UseRules(EnrollmentRules{.min_age = 18,
                           .max_age = 35,
                           .default_page_size = 2,
                           .max_page_size = 4});
  for (int i = 0; i < 6; ++i) MakeCentre(i % 2 == 0 ? "MA-RAB" : "MA-CAS");
  const auto by_default =
      Must(svc().ListCentres({}, {.limit = 0, .after_key = ""}));
  EXPECT_EQ(by_default.items.size(), 2u);
  EXPECT_FALSE(by_default.next_after_key.empty());
  const auto clamped =
      Must(svc().ListCentres({}, {.limit = 100, .after_key = ""}));
  EXPECT_EQ(clamped.items.size(), 4u);
  const auto rabat =
      Must(svc().ListCentres({.region_code = "MA-04", .province_code = ""},
                             {.limit = 100, .after_key = ""}));
  EXPECT_EQ(rabat.items.size(), 3u);
  EXPECT_EQ(rabat.next_after_key, "");
}

TEST_F(EnrollmentServiceTest, CohortsListWithSeatsAndFilters) {
  const std::string open = MakeCohort(5, CohortStatus::kOpen);
  MakeCohort(5, CohortStatus::kPlanned);
  InStatus(open, 1, S::kAdmitted);
  const auto list = Must(svc().ListCohorts({.track_id = "cybersecurity",
                                            .centre_id = "",
                                            .region_code = "MA-05",
                                            .province_code = "",
                                            .status = CohortStatus::kOpen},
                                           {}));
  ASSERT_EQ(list.items.size(), 1u);
  EXPECT_EQ(list.items[0].cohort.cohort_id, open);
  EXPECT_EQ(list.items[0].seats.admitted, 1);
  const auto all = Must(svc().ListCohorts({}, {}));
  EXPECT_EQ(all.items.size(), 2u);
}


// Row scoping: a regional coordinator of MA-05 (Béni Mellal-Khénifra) sees
// and changes only the applications of cohorts in MA-05; an application of
// MA-06 (Casablanca-Settat) is reported exactly like a missing one.
TEST_F(EnrollmentServiceTest, ALimitedScopeSeesAndChangesOnlyItsRowsAndOthersLookMissing) {
  const std::string here = MakeCohort();  // a centre in MA-FQH, region MA-05
  NewCohort there_input = CohortInput(30, CohortStatus::kOpen);
  there_input.centre_id = MakeCentre("MA-CAS");  // region MA-06
  const std::string there = Must(svc().CreateCohort(Ctx(), there_input)).cohort.cohort_id;
  const std::string mine = Submit(here, 1).application.application_id;
  const std::string theirs = Submit(there, 2).application.application_id;

  const command::Scope ma05 = command::Scope::Limited({"MA-05"}, {});
  ApplicationFilter filter;
  filter.scope = ma05;
  const auto listed = Must(svc().ListApplications(filter, PageQuery{.limit = 50}));
  ASSERT_EQ(listed.items.size(), 1u);
  EXPECT_EQ(listed.items[0].application.application_id, mine);
  // Asking for the other region by filter does not widen the scope.
  filter.region_code = "MA-06";
  EXPECT_TRUE(Must(svc().ListApplications(filter, PageQuery{.limit = 50})).items.empty());

  EXPECT_TRUE(svc().GetApplication(mine, ma05).ok());
  const absl::Status out_of_scope = svc().GetApplication(theirs, ma05).status();
  const absl::Status missing = svc().GetApplication("app_does_not_exist", ma05).status();
  EXPECT_EQ(out_of_scope.code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(missing.code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(std::string(out_of_scope.message()),
            absl::StrReplaceAll(std::string(missing.message()), {{"app_does_not_exist", theirs}}));

  // Changes: out of scope is NOT_FOUND and changes nothing.
  RequestContext limited = Ctx();
  limited.scope = ma05;
  EXPECT_EQ(svc().Admit(limited, theirs).status().code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(Must(svc().GetApplication(theirs)).application.status, S::kApplied);
  RequestContext limited2 = Ctx();
  limited2.scope = ma05;
  EXPECT_EQ(Must(svc().Admit(limited2, mine)).application.status, S::kAdmitted);
  // Submitting to a cohort out of scope: the cohort looks missing.
  RequestContext limited3 = Ctx();
  limited3.scope = ma05;
  EXPECT_EQ(svc().SubmitApplication(limited3, Applicant(there, 3)).status().code(),
            absl::StatusCode::kNotFound);
  // A centre in another region cannot be created.
  RequestContext limited4 = Ctx();
  limited4.scope = ma05;
  EXPECT_EQ(svc()
                .CreateCentre(limited4, NewCentre{.name = "Centre Casablanca",
                                                  .operator_name = "Operator",
                                                  .province_code = "MA-CAS"})
                .status()
                .code(),
            absl::StatusCode::kPermissionDenied);
  // Nor a cohort in a centre of another region: centres are catalogue, so the
  // refusal says so rather than pretend the centre is missing.
  RequestContext limited5 = Ctx();
  limited5.scope = ma05;
  NewCohort elsewhere = CohortInput(10, CohortStatus::kOpen);
  elsewhere.centre_id = there_input.centre_id;
  const absl::Status cohort_there = svc().CreateCohort(limited5, elsewhere).status();
  EXPECT_EQ(cohort_there.code(), absl::StatusCode::kPermissionDenied);
  EXPECT_THAT(std::string(cohort_there.message()), HasSubstr("missing permission 'cohorts.write'"));
  // Centre staff see their centre's rows only; an empty limited scope sees nothing.
  const std::string there_centre = there_input.centre_id;
  ApplicationFilter staff;
  staff.scope = command::Scope::Limited({}, {there_centre});
  const auto staff_rows = Must(svc().ListApplications(staff, PageQuery{.limit = 50}));
  ASSERT_EQ(staff_rows.items.size(), 1u);
  EXPECT_EQ(staff_rows.items[0].application.application_id, theirs);
  ApplicationFilter nobody;
  nobody.scope = command::Scope::Limited({}, {});
  EXPECT_TRUE(Must(svc().ListApplications(nobody, PageQuery{.limit = 50})).items.empty());
  // Lookups by trainee follow the same rule.
  const std::string their_trainee = Must(svc().GetApplication(theirs)).application.trainee_id;
  EXPECT_EQ(svc().LookupTrainee(their_trainee, "", ma05).status().code(),
            absl::StatusCode::kNotFound);
  EXPECT_TRUE(svc().LookupTrainee(their_trainee, "").ok());
}

}  // namespace
}  // namespace jit::enrollment
