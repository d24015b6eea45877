#include "services/aggregator/events/event_adapter.h"

#include "absl/strings/str_cat.h"
#include "libs/geo/geo.h"
#include "libs/kafka/topics.h"
#include "libs/protoconv/common.h"

namespace jit::aggregator {
namespace {

namespace pb = ::jobintech::events::v1;
namespace common = ::jobintech::common::v1;
using Body = pb::LifecycleEvent::BodyCase;

absl::Status Invalid(absl::string_view why) { return absl::InvalidArgumentError(why); }

std::optional<EventKind> KindOf(Body body) {
  switch (body) {
    case Body::kApplicationSubmitted: return EventKind::kApplicationSubmitted;
    case Body::kApplicationAdmitted: return EventKind::kApplicationAdmitted;
    case Body::kApplicationWaitlisted: return EventKind::kApplicationWaitlisted;
    case Body::kApplicationRejected: return EventKind::kApplicationRejected;
    case Body::kEnrolmentConfirmed: return EventKind::kEnrolmentConfirmed;
    case Body::kAdmissionDeclined: return EventKind::kAdmissionDeclined;
    case Body::kEnrolmentWithdrawn: return EventKind::kEnrolmentWithdrawn;
    case Body::kCohortOpened: return EventKind::kCohortOpened;
    case Body::kCohortChanged: return EventKind::kCohortChanged;
    case Body::kTrackAdded: return EventKind::kTrackAdded;
    case Body::kProgrammeTargetChanged: return EventKind::kProgrammeTargetChanged;
    case Body::kTrainingStarted: return EventKind::kTrainingStarted;
    case Body::kAttendanceRecorded: return EventKind::kAttendanceRecorded;
    case Body::kModulePassed: return EventKind::kModulePassed;
    case Body::kModuleFailed: return EventKind::kModuleFailed;
    case Body::kTraineeAtRisk: return EventKind::kTraineeAtRisk;
    case Body::kTrainingCompleted: return EventKind::kTrainingCompleted;
    case Body::kDroppedOut: return EventKind::kDroppedOut;
    case Body::kTrainingWithdrawn: return EventKind::kTrainingWithdrawn;
    case Body::kCertificateIssued: return EventKind::kCertificateIssued;
    case Body::kCertificateRevoked: return EventKind::kCertificateRevoked;
    case Body::kJobSearchStarted: return EventKind::kJobSearchStarted;
    case Body::kOfferRecorded: return EventKind::kOfferRecorded;
    case Body::kPlacementStarted: return EventKind::kPlacementStarted;
    case Body::kPlacementVerified: return EventKind::kPlacementVerified;
    case Body::kPlacementEnded: return EventKind::kPlacementEnded;
    case Body::kFollowUpRecorded: return EventKind::kFollowUpRecorded;
    case Body::kEmployerRegistered: return EventKind::kEmployerRegistered;
    case Body::kJobOfferPosted: return EventKind::kJobOfferPosted;
    case Body::BODY_NOT_SET: return std::nullopt;
  }
  return std::nullopt;
}

// A set date must be a valid calendar date; an unset one (all zero) is
// nullopt.
absl::StatusOr<std::optional<Day>> DateOf(const common::Date& d, absl::string_view field) {
  if (d.year() == 0 && d.month() == 0 && d.day() == 0) return std::optional<Day>();
  std::optional<Day> day = DayFromCivil(d.year(), d.month(), d.day());
  if (!day.has_value()) {
    return Invalid(absl::StrCat(field, ": ", d.year(), "-", d.month(), "-", d.day(),
                                " is not a valid date"));
  }
  return day;
}

absl::StatusOr<Day> RequiredDate(const common::Date& d, absl::string_view field) {
  absl::StatusOr<std::optional<Day>> day = DateOf(d, field);
  if (!day.ok()) return day.status();
  if (!day->has_value()) return Invalid(absl::StrCat(field, ": is required"));
  return **day;
}

Gender GenderOf(common::Gender g) {
  switch (g) {
    case common::GENDER_FEMALE: return Gender::kFemale;
    case common::GENDER_MALE: return Gender::kMale;
    default: return Gender::kUnspecified;
  }
}

// Region and province of a location, validated and completed.
absl::Status ResolveLocation(const common::Location& loc, absl::string_view field,
                             std::string* region, std::string* province) {
  const geo::Atlas& atlas = geo::Atlas::Get();
  *region = loc.region_code();
  *province = loc.province_code();
  if (!province->empty()) {
    const geo::Province* p = atlas.FindProvince(*province);
    if (p == nullptr) {
      return Invalid(absl::StrCat(field, ".province_code: unknown province '", *province, "'"));
    }
    if (!region->empty() && *region != p->region_code) {
      return Invalid(absl::StrCat(field, ".region_code: province ", *province, " is in ",
                                  p->region_code, ", not ", *region));
    }
    *region = p->region_code;
    return absl::OkStatus();
  }
  if (region->empty()) {
    return Invalid(absl::StrCat(field, ": region_code or province_code is required"));
  }
  if (atlas.FindRegion(*region) == nullptr) {
    return Invalid(absl::StrCat(field, ".region_code: unknown region '", *region, "'"));
  }
  return absl::OkStatus();
}

bool ShowsActive(pb::TrainingState s) {
  return s == pb::TRAINING_STATE_ACTIVE || s == pb::TRAINING_STATE_COMPLETED ||
         s == pb::TRAINING_STATE_CERTIFIED;
}

absl::Status ApplyExit(const pb::TraineeExit& exit, Event& e) {
  switch (exit.kind()) {
    case pb::EXIT_KIND_COMPLETED: e.exit_kind = ExitKind::kCompleted; break;
    case pb::EXIT_KIND_DROPPED_OUT: e.exit_kind = ExitKind::kDroppedOut; break;
    case pb::EXIT_KIND_WITHDRAWN: e.exit_kind = ExitKind::kWithdrawn; break;
    default: e.exit_kind = ExitKind::kUnspecified; break;
  }
  auto date = DateOf(exit.exit_date(), "exit.exit_date");
  if (!date.ok()) return date.status();
  if (e.exit_kind != ExitKind::kUnspecified && !date->has_value()) {
    return Invalid("exit.exit_date: is required with an exit kind");
  }
  if (date->has_value()) {
    e.exit_date = **date;
    e.has_exit_date = true;
  }
  if (e.cohort_id.empty()) e.cohort_id = exit.cohort_id();
  return absl::OkStatus();
}

constexpr size_t kMaxIdBytes = 64;
constexpr size_t kMaxNameBytes = 400;  // the services allow 100 characters
constexpr int64_t kMaxCount = 10'000'000;

// Empty (absent) or 1-64 characters of [A-Za-z0-9._:-].
absl::Status CheckId(absl::string_view field, absl::string_view id) {
  if (id.size() > kMaxIdBytes) {
    return Invalid(absl::StrCat(field, ": longer than ", kMaxIdBytes, " bytes"));
  }
  for (char c : id) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    c == '.' || c == '_' || c == ':' || c == '-';
    if (!ok) return Invalid(absl::StrCat(field, ": only letters, digits and . _ : - are allowed"));
  }
  return absl::OkStatus();
}

absl::Status CheckDay(absl::string_view field, Day day, Day first, Day last) {
  if (day < first || day > last) {
    return Invalid(absl::StrCat(field, ": ", FormatDay(day), " is outside ", FormatDay(first),
                                " .. ", FormatDay(last)));
  }
  return absl::OkStatus();
}

absl::Status CheckBounds(const Event& e, absl::Time now, const absl::TimeZone& zone) {
  for (const auto& [field, id] :
       {std::pair<absl::string_view, absl::string_view>{"metadata.trainee_id", e.trainee_id},
        {"metadata.aggregate_id", e.aggregate_id},
        {"cohort_id", e.cohort_id},
        {"metadata.dimensions.track_id", e.dims.track_id},
        {"metadata.dimensions.cohort_id", e.dims.cohort_id},
        {"cohort.cohort_id", e.cohort.cohort_id},
        {"cohort.track_id", e.cohort.track_id},
        {"placement_id", e.placement_id}}) {
    if (absl::Status s = CheckId(field, id); !s.ok()) return s;
  }
  if (e.name_fr.size() > kMaxNameBytes || e.name_ar.size() > kMaxNameBytes) {
    return Invalid(absl::StrCat("name: longer than ", kMaxNameBytes, " bytes"));
  }
  if (e.capacity < 0 || e.capacity > kMaxCount) return Invalid("capacity: out of range");
  if (e.national_target > kMaxCount) return Invalid("national_target: out of range");
  if (e.kind == EventKind::kFollowUpRecorded && e.months_after_exit != 3 &&
      e.months_after_exit != 6 && e.months_after_exit != 12) {
    return Invalid(absl::StrCat("months_after_exit: ", e.months_after_exit,
                                " is not 3, 6 or 12"));
  }
  const Day first = *DayFromCivil(2015, 1, 1);
  const Day last = now == absl::InfiniteFuture() ? *DayFromCivil(9999, 12, 31)
                                                 : DayOf(now + absl::Hours(24), zone);
  if (absl::Status s = CheckDay("metadata.occurred_at", e.day, first, last); !s.ok()) return s;
  if (absl::Status s = CheckDay("date", e.date, first, last); !s.ok()) return s;
  if (e.has_exit_date) {
    if (absl::Status s = CheckDay("exit_date", e.exit_date, first, last); !s.ok()) return s;
  }
  return absl::OkStatus();
}

}  // namespace

absl::TimeZone ProgrammeTimeZone() {
  absl::TimeZone tz;
  if (absl::LoadTimeZone("Africa/Casablanca", &tz)) return tz;
  return absl::FixedTimeZone(3600);
}

std::optional<Stream> StreamOfTopic(absl::string_view topic) {
  if (topic == kafka::kEnrollmentTopic) return Stream::kEnrollment;
  if (topic == kafka::kProgressTopic) return Stream::kProgress;
  if (topic == kafka::kPlacementTopic) return Stream::kPlacement;
  return std::nullopt;
}

absl::StatusOr<Event> ToFoldEvent(const pb::LifecycleEvent& in, absl::string_view topic,
                                  const absl::TimeZone& zone, absl::Time now) {
  const std::optional<EventKind> kind = KindOf(in.body_case());
  if (!kind.has_value()) return Invalid("body: unknown or missing event body");
  const std::optional<Stream> topic_stream = StreamOfTopic(topic);
  if (topic_stream.has_value() && *topic_stream != StreamOf(*kind)) {
    return Invalid(absl::StrCat("body ", KindName(*kind), " belongs to the ",
                                StreamName(StreamOf(*kind)), " service, not on topic ", topic));
  }
  const pb::EventMetadata& md = in.metadata();
  Event e;
  e.event_id = md.event_id();
  e.kind = *kind;
  e.trainee_id = md.trainee_id();
  e.aggregate_id = md.aggregate_id();
  e.sequence = md.sequence();
  const absl::Time at = protoconv::FromProtoTime(md.occurred_at());
  e.occurred_unix = md.occurred_at().seconds();
  e.day = DayOf(at, zone);
  e.date = e.day;
  if (IsTraineeEvent(e.kind)) {
    if (e.trainee_id.empty()) {
      return Invalid(absl::StrCat("metadata.trainee_id: required for ", KindName(e.kind)));
    }
  } else if (e.aggregate_id.empty()) {
    return Invalid(absl::StrCat("metadata.aggregate_id: required for ", KindName(e.kind)));
  }
  const common::TraineeDimensions& dims = md.dimensions();
  e.dims.gender = GenderOf(dims.gender());
  e.dims.track_id = dims.track_id();
  e.dims.cohort_id = dims.cohort_id();

  auto set_date = [&](const common::Date& d, absl::string_view field) -> absl::Status {
    auto day = DateOf(d, field);
    if (!day.ok()) return day.status();
    if (day->has_value()) e.date = **day;
    return absl::OkStatus();
  };
  absl::Status s;
  switch (in.body_case()) {
    case Body::kApplicationSubmitted:
      e.cohort_id = in.application_submitted().cohort_id();
      break;
    case Body::kApplicationAdmitted: e.cohort_id = in.application_admitted().cohort_id(); break;
    case Body::kApplicationWaitlisted: e.cohort_id = in.application_waitlisted().cohort_id(); break;
    case Body::kApplicationRejected: e.cohort_id = in.application_rejected().cohort_id(); break;
    case Body::kEnrolmentConfirmed: e.cohort_id = in.enrolment_confirmed().cohort_id(); break;
    case Body::kAdmissionDeclined: e.cohort_id = in.admission_declined().cohort_id(); break;
    case Body::kEnrolmentWithdrawn: e.cohort_id = in.enrolment_withdrawn().cohort_id(); break;
    case Body::kCohortOpened:
    case Body::kCohortChanged: {
      const pb::CohortSnapshot& c = in.has_cohort_opened() ? in.cohort_opened().cohort()
                                                           : in.cohort_changed().cohort();
      e.cohort.cohort_id = c.cohort_id();
      e.cohort.track_id = c.track_id();
      e.name_fr = c.name();
      e.capacity = c.capacity();
      if (c.has_location()) {
        s = ResolveLocation(c.location(), "cohort.location", &e.cohort.region_code,
                            &e.cohort.province_code);
      }
      break;
    }
    case Body::kTrackAdded:
      e.name_fr = in.track_added().name_fr();
      e.name_ar = in.track_added().name_ar();
      break;
    case Body::kProgrammeTargetChanged:
      e.national_target = in.programme_target_changed().national_target();
      if (e.national_target <= 0) s = Invalid("national_target: must be positive");
      break;
    case Body::kTrainingStarted:
      e.cohort_id = in.training_started().cohort_id();
      s = set_date(in.training_started().effective_date(), "effective_date");
      break;
    case Body::kTrainingCompleted:
      e.cohort_id = in.training_completed().cohort_id();
      s = set_date(in.training_completed().effective_date(), "effective_date");
      break;
    case Body::kAttendanceRecorded: {
      const pb::AttendanceRecorded& a = in.attendance_recorded();
      e.cohort_id = a.cohort_id();
      s = set_date(a.session_date(), "session_date");
      e.implies_started =
          a.mark() == pb::ATTENDANCE_MARK_PRESENT || ShowsActive(a.state());
      break;
    }
    case Body::kModulePassed:
    case Body::kModuleFailed: {
      const pb::ModuleAssessed& m =
          in.has_module_passed() ? in.module_passed() : in.module_failed();
      e.cohort_id = m.cohort_id();
      s = set_date(m.assessed_on(), "assessed_on");
      e.implies_started = ShowsActive(m.state());
      break;
    }
    case Body::kTraineeAtRisk: e.cohort_id = in.trainee_at_risk().cohort_id(); break;
    case Body::kDroppedOut:
    case Body::kTrainingWithdrawn: {
      const pb::TrainingExited& x =
          in.has_dropped_out() ? in.dropped_out() : in.training_withdrawn();
      e.cohort_id = x.cohort_id();
      s = set_date(x.exit_date(), "exit_date");
      break;
    }
    case Body::kCertificateIssued: {
      const pb::CertificateIssued& c = in.certificate_issued();
      e.cohort_id = c.cohort_id();
      s = set_date(c.issued_on(), "issued_on");
      if (s.ok()) {
        auto completion = DateOf(c.completion_date(), "completion_date");
        if (!completion.ok()) {
          s = completion.status();
        } else if (completion->has_value()) {
          e.exit_date = **completion;
          e.has_exit_date = true;
        }
      }
      break;
    }
    case Body::kCertificateRevoked: e.cohort_id = in.certificate_revoked().cohort_id(); break;
    case Body::kJobSearchStarted: s = ApplyExit(in.job_search_started().exit(), e); break;
    case Body::kOfferRecorded: s = ApplyExit(in.offer_recorded().exit(), e); break;
    case Body::kPlacementStarted: {
      const pb::PlacementStarted& p = in.placement_started();
      s = ApplyExit(p.exit(), e);
      if (!s.ok()) break;
      if (p.placement_id().empty()) {
        s = Invalid("placement_id: is required");
        break;
      }
      e.placement_id = p.placement_id();
      e.placement_type = p.type() >= 0 && p.type() <= 5 ? static_cast<PlacementType>(p.type())
                                                         : PlacementType::kUnspecified;
      auto start = RequiredDate(p.start_date(), "start_date");
      if (!start.ok()) {
        s = start.status();
      } else {
        e.date = *start;
      }
      break;
    }
    case Body::kPlacementVerified: s = ApplyExit(in.placement_verified().exit(), e); break;
    case Body::kPlacementEnded: {
      s = ApplyExit(in.placement_ended().exit(), e);
      if (s.ok()) s = set_date(in.placement_ended().end_date(), "end_date");
      break;
    }
    case Body::kFollowUpRecorded: {
      const pb::FollowUpRecorded& f = in.follow_up_recorded();
      s = ApplyExit(f.exit(), e);
      if (s.ok()) s = set_date(f.recorded_on(), "recorded_on");
      e.months_after_exit = f.months_after_exit();
      e.outcome = f.outcome() >= 0 && f.outcome() <= 4 ? static_cast<FollowUpOutcome>(f.outcome())
                                                       : FollowUpOutcome::kUnspecified;
      break;
    }
    case Body::kEmployerRegistered:
    case Body::kJobOfferPosted:
    case Body::BODY_NOT_SET:
      break;
  }
  if (!s.ok()) return s;

  if (IsTraineeEvent(e.kind)) {
    if (e.cohort_id.empty()) e.cohort_id = e.dims.cohort_id;
    if (e.cohort_id.empty()) {
      return Invalid(absl::StrCat(KindName(e.kind),
                                  ": no cohort id (body, exit or metadata.dimensions)"));
    }
    if (StreamOf(e.kind) == Stream::kEnrollment) {
      absl::Status loc = ResolveLocation(dims.training_location(),
                                         "metadata.dimensions.training_location",
                                         &e.dims.region_code, &e.dims.province_code);
      if (!loc.ok()) return loc;
    } else if (dims.has_training_location()) {
      // Informative only (the enrollment events decide the cell); keep
      // what is valid.
      std::string region, province;
      if (ResolveLocation(dims.training_location(), "", &region, &province).ok()) {
        e.dims.region_code = region;
        e.dims.province_code = province;
      }
    }
  }
  if (absl::Status b = CheckBounds(e, now, zone); !b.ok()) return b;
  return e;
}

}  // namespace jit::aggregator
