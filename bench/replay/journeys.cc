// jit-bench-journeys: produces realistic trainee journeys into the lifecycle
// topics, as the three services' outbox relays would publish them, for the
// aggregator benchmarks (fold rate, scale, watch fan-out).
//
// Each trainee (cohort = region x track x wave, province of the region,
// gender) goes through: application; admission (or waitlist / rejection);
// enrolment confirmed (or admission declined); training started; attendance
// records and module assessments (passes, some fails and retakes);
// completion + certificate, or drop-out / withdrawal; for most completers a
// job search, an offer, a placement and follow-ups at +6 and +12 months.
// Every draw depends on (--seed, trainee index) only.
//
//   jit-bench-journeys --bootstrap=HOST:PORT --events=1000000 [--first_trainee=0]
//       [--rate=0 --duration=0s]
//
// Without --rate it produces whole journeys until at least --events records
// are acknowledged, then checks through the watermarks that the broker kept
// every record (the mock cluster silently drops old data beyond 5 MiB per
// partition) and prints one JSON line: {"events":..,"trainees":..,
// "next_trainee":..,"bytes":..,"seconds":..}. With --rate it paces the
// records at that many per second for --duration (watch fan-out workload).
#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "jobintech/events/v1/lifecycle_event.pb.h"
#include "libs/clock/clock.h"
#include "libs/events/envelope.h"
#include "libs/geo/geo.h"
#include "libs/kafka/consumer.h"
#include "libs/kafka/producer.h"
#include "libs/kafka/topics.h"

ABSL_FLAG(std::string, bootstrap, "", "Kafka bootstrap servers");
ABSL_FLAG(int64_t, events, 100000, "records to produce (whole journeys, at least this many)");
ABSL_FLAG(int64_t, first_trainee, 0, "index of the first trainee (to append to a topic set)");
ABSL_FLAG(uint64_t, seed, 8, "seed of the journeys");
ABSL_FLAG(std::string, prefix, "bt", "trainee id prefix");
ABSL_FLAG(double, rate, 0, "records per second; 0 = as fast as possible");
ABSL_FLAG(absl::Duration, duration, absl::ZeroDuration(), "with --rate: how long to produce");
ABSL_FLAG(std::string, compression, "lz4", "producer compression.type");
ABSL_FLAG(bool, check_retention, true, "check that the broker kept every record");

namespace jit::bench {
namespace {

namespace pb = ::jobintech::events::v1;
namespace common = ::jobintech::common::v1;
using pb::LifecycleEvent;

constexpr const char* kTracks[] = {"cybersecurity", "digital-marketing", "data-analytics",
                                   "web-development", "cloud-devops", "ui-ux-design"};
constexpr int kWaves = 4;
constexpr int kModules = 5;

// SplitMix64: a deterministic stream of draws per trainee.
class Rng {
 public:
  explicit Rng(uint64_t seed) : s_(seed) {}
  uint64_t Next() {
    uint64_t z = (s_ += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
  }
  // True with probability p.
  bool Chance(double p) { return static_cast<double>(Next() >> 11) * 0x1.0p-53 < p; }
  int Below(int n) { return static_cast<int>(Next() % static_cast<uint64_t>(n)); }

 private:
  uint64_t s_;
};

struct Person {
  std::string id;
  std::string cohort;
  std::string province;
  std::string track;
  common::Gender gender;
};

void SetDate(common::Date* d, absl::Time t) {
  const absl::CivilDay c = absl::ToCivilDay(t, absl::UTCTimeZone());
  d->set_year(static_cast<int32_t>(c.year()));
  d->set_month(c.month());
  d->set_day(c.day());
}

// Builds one trainee's records in the order the services would publish them.
class JourneyWriter {
 public:
  explicit JourneyWriter(std::vector<kafka::Message>* out) : out_(out) {}

  // The catalogue the enrollment service publishes before any application:
  // every track, and every cohort (region x track x wave) the journeys use.
  // The aggregator counts a journey once its track and cohort are known.
  void WriteCatalogue() {
    const absl::Time at = absl::Now() - absl::Hours(24 * 700);
    clock_.Set(at);
    for (const char* track : kTracks) {
      LifecycleEvent e;
      events::StampMetadata(e, "enrollment.track.added", "jobintech/enrollment", clock_);
      e.mutable_metadata()->set_aggregate_id(track);
      e.mutable_metadata()->set_sequence(1);
      e.mutable_track_added()->set_track_id(track);
      e.mutable_track_added()->set_name_fr(track);
      Emit(e, kafka::kEnrollmentTopic);
    }
    for (const auto& region : geo::Atlas::Get().regions()) {
      const auto provinces = geo::Atlas::Get().ProvincesOf(region.code);
      for (const char* track : kTracks) {
        for (int wave = 0; wave < kWaves; ++wave) {
          const std::string cohort = absl::StrCat("coh-", region.code, "-", track, "-w", wave);
          LifecycleEvent e;
          events::StampMetadata(e, "enrollment.cohort.opened", "jobintech/enrollment", clock_);
          e.mutable_metadata()->set_aggregate_id(cohort);
          e.mutable_metadata()->set_sequence(1);
          pb::CohortSnapshot* c = e.mutable_cohort_opened()->mutable_cohort();
          c->set_cohort_id(cohort);
          c->set_name(cohort);
          c->set_track_id(track);
          c->mutable_location()->set_province_code(provinces[0]->code);
          c->set_capacity(1000);
          Emit(e, kafka::kEnrollmentTopic);
        }
      }
    }
  }

  void Write(int64_t index, uint64_t seed, const std::string& prefix) {
    Rng rng(seed * 0x100000001B3ull + static_cast<uint64_t>(index));
    const auto& atlas = geo::Atlas::Get();
    const auto& region = atlas.regions()[static_cast<size_t>(index) % atlas.regions().size()];
    const auto provinces = atlas.ProvincesOf(region.code);
    const int track = rng.Below(6);
    const int wave = rng.Below(kWaves);
    Person p{absl::StrCat(prefix, "-", index),
             absl::StrCat("coh-", region.code, "-", kTracks[track], "-w", wave),
             provinces[static_cast<size_t>(rng.Below(static_cast<int>(provinces.size())))]->code,
             kTracks[track],
             rng.Chance(0.03)   ? common::GENDER_UNSPECIFIED
             : rng.Chance(0.45) ? common::GENDER_FEMALE
                                : common::GENDER_MALE};
    p_ = &p;
    enrollment_seq_ = progress_seq_ = placement_seq_ = 0;
    // Waves start 60..600 days ago; training lasts ~120 days.
    absl::Time t = absl::Now() - absl::Hours(24 * (600 - 150 * wave + rng.Below(20)));
    const std::string app = "app-" + p.id;

    auto e = Base("enrollment.application.submitted", kEnrollment, t);
    auto* sub = e.mutable_application_submitted();
    sub->set_application_id(app);
    sub->set_cohort_id(p.cohort);
    sub->set_new_state(pb::APPLICATION_STATE_APPLIED);
    Emit(e, kafka::kEnrollmentTopic);

    t += absl::Hours(24 * (3 + rng.Below(10)));
    if (rng.Chance(0.15)) {
      Transition("enrollment.application.rejected", t, pb::APPLICATION_STATE_APPLIED,
                 pb::APPLICATION_STATE_REJECTED);
      return;
    }
    if (rng.Chance(0.10)) {
      Transition("enrollment.application.waitlisted", t, pb::APPLICATION_STATE_APPLIED,
                 pb::APPLICATION_STATE_WAITLISTED);
      t += absl::Hours(24 * 7);
      if (rng.Chance(0.5)) return;  // stays on the list
    }
    Transition("enrollment.application.admitted", t, pb::APPLICATION_STATE_APPLIED,
               pb::APPLICATION_STATE_ADMITTED);
    t += absl::Hours(24 * (2 + rng.Below(5)));
    if (rng.Chance(0.08)) {
      Transition("enrollment.admission.declined", t, pb::APPLICATION_STATE_ADMITTED,
                 pb::APPLICATION_STATE_DECLINED);
      return;
    }
    Transition("enrollment.enrolment.confirmed", t, pb::APPLICATION_STATE_ADMITTED,
               pb::APPLICATION_STATE_ENROLLED);

    t += absl::Hours(24 * 7);
    auto s = Base("progress.training.started", kProgress, t);
    auto* started = s.mutable_training_started();
    started->set_cohort_id(p.cohort);
    started->set_previous_state(pb::TRAINING_STATE_ENROLLED);
    started->set_new_state(pb::TRAINING_STATE_ACTIVE);
    SetDate(started->mutable_effective_date(), t);
    Emit(s, kafka::kProgressTopic);

    // One attendance record per session (weekly summary sessions here),
    // one or two assessments per module.
    const bool drops = rng.Chance(0.12);
    const bool withdraws = !drops && rng.Chance(0.05);
    const int modules_done = drops || withdraws ? 1 + rng.Below(kModules - 1) : kModules;
    int present = 0, recorded = 0, passed = 0;
    for (int m = 0; m < modules_done; ++m) {
      const std::string module = absl::StrCat("mod-", kTracks[track], "-", m + 1);
      for (int session = 0; session < 2; ++session) {
        t += absl::Hours(24 * 7);
        const bool here = rng.Chance(0.9);
        present += here;
        ++recorded;
        auto a = Base("progress.attendance.recorded", kProgress, t);
        auto* at = a.mutable_attendance_recorded();
        at->set_cohort_id(p.cohort);
        at->set_module_id(module);
        SetDate(at->mutable_session_date(), t);
        at->set_mark(here ? pb::ATTENDANCE_MARK_PRESENT : pb::ATTENDANCE_MARK_UNEXCUSED_ABSENCE);
        at->set_attendance_rate(static_cast<double>(present) / recorded);
        at->set_state(pb::TRAINING_STATE_ACTIVE);
        Emit(a, kafka::kProgressTopic);
      }
      const bool fail_first = rng.Chance(0.15);
      for (int attempt = 1; attempt <= (fail_first ? 2 : 1); ++attempt) {
        t += absl::Hours(24 * 3);
        const bool pass = !(fail_first && attempt == 1);
        passed += pass;
        auto a = Base(pass ? "progress.module.passed" : "progress.module.failed", kProgress, t);
        auto* ma = pass ? a.mutable_module_passed() : a.mutable_module_failed();
        ma->set_cohort_id(p.cohort);
        ma->set_module_id(module);
        ma->set_score(pass ? 12 + rng.Below(8) : 5 + rng.Below(5));
        ma->set_max_score(20);
        ma->set_pass_mark(10);
        ma->set_required(true);
        ma->set_attempt(attempt);
        SetDate(ma->mutable_assessed_on(), t);
        ma->set_required_passed_ratio(static_cast<double>(passed) / kModules);
        ma->set_state(pb::TRAINING_STATE_ACTIVE);
        Emit(a, kafka::kProgressTopic);
      }
    }
    t += absl::Hours(24 * 2);
    if (drops || withdraws) {
      auto x = Base(drops ? "progress.training.dropped_out" : "progress.training.withdrawn",
                    kProgress, t);
      auto* ex = drops ? x.mutable_dropped_out() : x.mutable_training_withdrawn();
      ex->set_cohort_id(p.cohort);
      ex->set_previous_state(pb::TRAINING_STATE_ACTIVE);
      ex->set_new_state(drops ? pb::TRAINING_STATE_DROPPED_OUT
                              : pb::TRAINING_STATE_WITHDRAWN);
      if (drops) ex->set_drop_out_reason(jobintech::common::v1::DROP_OUT_REASON_ABSENTEEISM);
      SetDate(ex->mutable_exit_date(), t);
      Emit(x, kafka::kProgressTopic);
      return;
    }
    const absl::Time completed = t;
    auto c = Base("progress.training.completed", kProgress, t);
    auto* done = c.mutable_training_completed();
    done->set_cohort_id(p.cohort);
    done->set_previous_state(pb::TRAINING_STATE_ACTIVE);
    done->set_new_state(pb::TRAINING_STATE_COMPLETED);
    SetDate(done->mutable_effective_date(), t);
    Emit(c, kafka::kProgressTopic);
    t += absl::Hours(24 * 5);
    auto ci = Base("progress.certificate.issued", kProgress, t);
    auto* cert = ci.mutable_certificate_issued();
    cert->set_cohort_id(p.cohort);
    cert->set_certificate_id("cert-" + p.id);
    cert->set_previous_state(pb::TRAINING_STATE_COMPLETED);
    cert->set_new_state(pb::TRAINING_STATE_CERTIFIED);
    SetDate(cert->mutable_issued_on(), t);
    SetDate(cert->mutable_completion_date(), completed);
    Emit(ci, kafka::kProgressTopic);

    if (!rng.Chance(0.8)) return;  // no job search recorded
    auto exit = [&](pb::TraineeExit* x) {
      x->set_kind(pb::EXIT_KIND_COMPLETED);
      x->set_cohort_id(p.cohort);
      SetDate(x->mutable_exit_date(), completed);
    };
    auto js = Base("placement.job_search.started", kPlacement, t);
    exit(js.mutable_job_search_started()->mutable_exit());
    js.mutable_job_search_started()->set_new_state(pb::PLACEMENT_STATE_JOB_SEEKING);
    Emit(js, kafka::kPlacementTopic);
    if (!rng.Chance(0.75)) return;
    t += absl::Hours(24 * (10 + rng.Below(80)));
    auto of = Base("placement.offer.recorded", kPlacement, t);
    auto* offer = of.mutable_offer_recorded();
    exit(offer->mutable_exit());
    offer->set_offer_id("off-" + p.id);
    offer->set_employer_id(absl::StrCat("emp-", region.code, "-", rng.Below(40)));
    SetDate(offer->mutable_offered_on(), t);
    offer->set_previous_state(pb::PLACEMENT_STATE_JOB_SEEKING);
    offer->set_new_state(pb::PLACEMENT_STATE_OFFERED);
    Emit(of, kafka::kPlacementTopic);
    t += absl::Hours(24 * 14);
    auto ps = Base("placement.placement.started", kPlacement, t);
    auto* placed = ps.mutable_placement_started();
    exit(placed->mutable_exit());
    placed->set_placement_id("plc-" + p.id);
    placed->set_type(rng.Chance(0.1) ? pb::PLACEMENT_TYPE_INTERNSHIP
                                     : pb::PLACEMENT_TYPE_SALARIED_PERMANENT);
    placed->set_employer_id(offer->employer_id());
    placed->set_employer_sector("ICT");
    SetDate(placed->mutable_start_date(), t);
    placed->set_salary_band(pb::SALARY_BAND_5000_7999);
    placed->set_verification(pb::VERIFICATION_SOURCE_EMPLOYER);
    placed->set_days_from_exit(static_cast<int32_t>((t - completed) / absl::Hours(24)));
    placed->set_previous_state(pb::PLACEMENT_STATE_OFFERED);
    placed->set_new_state(pb::PLACEMENT_STATE_PLACED);
    Emit(ps, kafka::kPlacementTopic);
    for (int months : {6, 12}) {
      const absl::Time at = completed + absl::Hours(24 * 30 * months + 24 * 3);
      if (at > absl::Now()) break;
      auto fu = Base("placement.follow_up.recorded", kPlacement, at);
      auto* f = fu.mutable_follow_up_recorded();
      exit(f->mutable_exit());
      f->set_months_after_exit(months);
      f->set_outcome(rng.Chance(0.7) ? pb::FOLLOW_UP_OUTCOME_EMPLOYED_SAME_EMPLOYER
                                     : pb::FOLLOW_UP_OUTCOME_EMPLOYED_OTHER_EMPLOYER);
      f->set_placement_id("plc-" + p.id);
      SetDate(f->mutable_recorded_on(), at);
      f->set_previous_state(pb::PLACEMENT_STATE_PLACED);
      f->set_new_state(pb::PLACEMENT_STATE_PLACED);
      Emit(fu, kafka::kPlacementTopic);
    }
  }

 private:
  enum Service { kEnrollment, kProgress, kPlacement };

  LifecycleEvent Base(const char* type, Service service, absl::Time at) {
    static constexpr const char* kSources[] = {"jobintech/enrollment",
                                               "jobintech/training-progress",
                                               "jobintech/placement"};
    int64_t* seq[] = {&enrollment_seq_, &progress_seq_, &placement_seq_};
    LifecycleEvent e;
    clock_.Set(at);
    events::StampMetadata(e, type, kSources[service], clock_);
    auto* md = e.mutable_metadata();
    md->set_trainee_id(p_->id);
    md->set_sequence(++*seq[service]);
    auto* d = md->mutable_dimensions();
    d->set_gender(p_->gender);
    d->mutable_training_location()->set_province_code(p_->province);
    d->set_track_id(p_->track);
    d->set_cohort_id(p_->cohort);
    return e;
  }

  // Emits an enrollment transition event.
  void Transition(const char* type, absl::Time t, pb::ApplicationState from,
                             pb::ApplicationState to) {
    last_ = Base(type, kEnrollment, t);
    pb::ApplicationTransition* tr = nullptr;
    switch (to) {
      case pb::APPLICATION_STATE_REJECTED: tr = last_.mutable_application_rejected(); break;
      case pb::APPLICATION_STATE_WAITLISTED: tr = last_.mutable_application_waitlisted(); break;
      case pb::APPLICATION_STATE_ADMITTED: tr = last_.mutable_application_admitted(); break;
      case pb::APPLICATION_STATE_DECLINED: tr = last_.mutable_admission_declined(); break;
      default: tr = last_.mutable_enrolment_confirmed(); break;
    }
    tr->set_application_id("app-" + p_->id);
    tr->set_cohort_id(p_->cohort);
    tr->set_previous_state(from);
    tr->set_new_state(to);
    Emit(last_, kafka::kEnrollmentTopic);
  }

  void Emit(const LifecycleEvent& e, const char* topic) {
    absl::StatusOr<outbox::OutboxMessage> row = events::ToOutboxMessage(e, topic, "");
    if (!row.ok()) {
      std::fprintf(stderr, "jit-bench-journeys: %s\n", row.status().ToString().c_str());
      std::exit(1);
    }
    out_->push_back(kafka::Message{row->topic, row->key, row->payload, row->headers});
  }

  std::vector<kafka::Message>* out_;
  const Person* p_ = nullptr;
  FakeClock clock_;
  LifecycleEvent last_;
  int64_t enrollment_seq_ = 0, progress_seq_ = 0, placement_seq_ = 0;
};

int Run() {
  const std::string bootstrap = absl::GetFlag(FLAGS_bootstrap);
  if (bootstrap.empty()) {
    std::fprintf(stderr, "jit-bench-journeys: --bootstrap is required\n");
    return 2;
  }
  auto producer = kafka::Producer::Create(
      {.bootstrap_servers = bootstrap,
       .client_id = "jit-bench-journeys",
       .properties = {{"compression.type", absl::GetFlag(FLAGS_compression)},
                      {"linger.ms", "20"},
                      {"batch.num.messages", "10000"},
                      {"queue.buffering.max.messages", "1000000"}}});
  if (!producer.ok()) {
    std::fprintf(stderr, "jit-bench-journeys: %s\n", producer.status().ToString().c_str());
    return 1;
  }
  const double rate = absl::GetFlag(FLAGS_rate);
  const int64_t target = absl::GetFlag(FLAGS_events);
  const uint64_t seed = absl::GetFlag(FLAGS_seed);
  const std::string prefix = absl::GetFlag(FLAGS_prefix);
  int64_t trainee = absl::GetFlag(FLAGS_first_trainee);
  const int64_t first = trainee;
  int64_t produced = 0, bytes = 0;
  const absl::Time start = absl::Now();
  const absl::Time stop_at = start + absl::GetFlag(FLAGS_duration);
  std::vector<kafka::Message> chunk;
  JourneyWriter writer(&chunk);
  // The first call on a topic set publishes the catalogue first.
  if (first == 0) writer.WriteCatalogue();
  const size_t chunk_size = rate > 0 ? std::max<size_t>(1, static_cast<size_t>(rate / 100))
                                     : 50000;
  while (rate > 0 ? absl::Now() < stop_at : produced < target) {
    const size_t want =
        rate > 0 ? chunk_size : std::min(chunk_size, static_cast<size_t>(target - produced));
    while (chunk.size() < want) writer.Write(trainee++, seed, prefix);
    if (rate > 0) {
      // Open loop: chunk k may not start before start + k * chunk / rate.
      const absl::Time due = start + absl::Seconds(static_cast<double>(produced) / rate);
      const absl::Time now = absl::Now();
      if (due > now) absl::SleepFor(due - now);
    }
    for (const absl::Status& s : (*producer)->ProduceAndWait(chunk, absl::Seconds(60))) {
      if (!s.ok()) {
        std::fprintf(stderr, "jit-bench-journeys: %s\n", s.ToString().c_str());
        return 1;
      }
    }
    produced += static_cast<int64_t>(chunk.size());
    for (const auto& m : chunk) bytes += static_cast<int64_t>(m.value.size() + m.key.size());
    chunk.clear();
  }
  const double seconds = absl::ToDoubleSeconds(absl::Now() - start);
  if (rate == 0 && absl::GetFlag(FLAGS_check_retention)) {
    // Every record produced so far (this and earlier calls) must still be
    // there: low watermark 0 everywhere.
    auto consumer = kafka::Consumer::Create({.bootstrap_servers = bootstrap,
                                             .group_id = "",
                                             .client_id = "jit-bench-journeys-check",
                                             .auto_offset_reset = "earliest",
                                             .properties = {}});
    if (!consumer.ok()) return 1;
    int64_t kept = 0;
    for (const std::string& topic : kafka::LifecycleTopics()) {
      auto count = (*consumer)->PartitionCount(topic);
      if (!count.ok()) return 1;
      for (int p = 0; p < *count; ++p) {
        auto marks = (*consumer)->WatermarkOffsets(topic, p);
        if (!marks.ok()) return 1;
        if (marks->first != 0) {
          std::fprintf(stderr,
                       "jit-bench-journeys: the broker dropped old records of %s/%d (low "
                       "watermark %lld): use more partitions\n",
                       topic.c_str(), p, static_cast<long long>(marks->first));
          return 1;
        }
        kept += marks->second;
      }
    }
    std::fprintf(stderr, "jit-bench-journeys: %lld records in the topics\n",
                 static_cast<long long>(kept));
  }
  std::printf(
      "{\"events\":%lld,\"trainees\":%lld,\"next_trainee\":%lld,\"bytes\":%lld,"
      "\"seconds\":%.3f}\n",
      static_cast<long long>(produced), static_cast<long long>(trainee - first),
      static_cast<long long>(trainee), static_cast<long long>(bytes), seconds);
  return 0;
}

}  // namespace
}  // namespace jit::bench

int main(int argc, char** argv) {
  absl::ParseCommandLine(argc, argv);
  return jit::bench::Run();
}
