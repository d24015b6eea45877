#include "services/aggregator/api/views.h"

#include "absl/strings/str_cat.h"
#include "libs/geo/geo.h"
#include "libs/protoconv/common.h"
#include "libs/status/field_violations.h"
#include "libs/status/status_macros.h"

namespace jit::aggregator::api {
namespace {

ViewOptions WithPlan(ViewOptions options, const PublicPlan* plan) {
  options.plan = plan;
  return options;
}

namespace common = ::jobintech::common::v1;

void SetTime(google::protobuf::Timestamp* ts, absl::Time t) {
  if (t == absl::InfinitePast()) return;
  *ts = protoconv::ToProtoTime(t);
}

pb::LocalizedText Text(const LocalText& t) {
  pb::LocalizedText out;
  out.set_fr(t.fr);
  out.set_ar(t.ar);
  return out;
}

common::Date ToDate(Day day) { return protoconv::ToProtoDate(ToCivil(day)); }

std::vector<const MetricDefinition*> KeyMetrics() {
  std::vector<const MetricDefinition*> out;
  for (const std::string& id : KeyFigureIds()) out.push_back(FindMetric(id));
  return out;
}

}  // namespace

pb::MetricDefinition ToProto(const MetricDefinition& m) {
  pb::MetricDefinition out;
  out.set_metric_id(m.id);
  out.set_version(m.version);
  *out.mutable_title() = Text(m.title);
  *out.mutable_description() = Text(m.description);
  switch (m.kind) {
    case MetricKind::kCurrent: out.set_kind(pb::METRIC_KIND_CURRENT); break;
    case MetricKind::kCumulative: out.set_kind(pb::METRIC_KIND_CUMULATIVE); break;
    case MetricKind::kRatio: out.set_kind(pb::METRIC_KIND_RATIO); break;
    case MetricKind::kMedian: out.set_kind(pb::METRIC_KIND_MEDIAN); break;
  }
  switch (m.unit) {
    case MetricUnit::kTrainees: out.set_unit(pb::METRIC_UNIT_TRAINEES); break;
    case MetricUnit::kRatio: out.set_unit(pb::METRIC_UNIT_RATIO); break;
    case MetricUnit::kDays: out.set_unit(pb::METRIC_UNIT_DAYS); break;
  }
  *out.mutable_numerator() = Text(m.numerator);
  *out.mutable_denominator() = Text(m.denominator);
  *out.mutable_exclusions() = Text(m.exclusions);
  *out.mutable_time_window() = Text(m.time_window);
  *out.mutable_series_date() = Text(m.series_date);
  out.set_provisional(m.provisional);
  out.set_key_figure(m.key_figure);
  return out;
}

pb::Figure ToProto(const FigureValue& f) {
  pb::Figure out;
  out.set_metric_id(f.metric->id);
  out.set_metric_version(f.metric->version);
  switch (f.state) {
    case FigureValue::State::kValue: out.set_state(pb::FIGURE_STATE_VALUE); break;
    case FigureValue::State::kSuppressed: out.set_state(pb::FIGURE_STATE_SUPPRESSED); break;
    case FigureValue::State::kMasked: out.set_state(pb::FIGURE_STATE_MASKED); break;
    case FigureValue::State::kNoData: out.set_state(pb::FIGURE_STATE_NO_DATA); break;
  }
  out.set_value(f.value);
  out.set_numerator(f.numerator);
  out.set_denominator(f.denominator);
  out.set_provisional(f.metric->provisional);
  out.set_display(f.display);
  return out;
}

pb::Freshness FreshnessOf(const IngestStats& stats, int64_t held_events) {
  pb::Freshness out;
  int64_t total = 0;
  for (const auto& [topic, t] : stats.topics) {
    pb::TopicFreshness* tf = out.add_topics();
    tf->set_topic(topic);
    if (t.last_event_unix > 0) tf->mutable_last_event_time()->set_seconds(t.last_event_unix);
    SetTime(tf->mutable_last_read_time(), t.last_read);
    int64_t lag = 0;
    for (const auto& [p, ps] : t.partitions) {
      pb::PartitionLag* pl = tf->add_partitions();
      pl->set_partition(p);
      pl->set_next_offset(ps.next_offset);
      pl->set_high_watermark(ps.high_watermark);
      const int64_t l = ps.high_watermark < 0 ? 0 : std::max<int64_t>(0, ps.high_watermark - ps.next_offset);
      pl->set_lag(l);
      lag += l;
    }
    tf->set_lag(lag);
    tf->set_events_applied(t.applied);
    tf->set_duplicates(t.duplicates);
    tf->set_dead_letters(t.dead_letters);
    total += lag;
  }
  out.set_total_lag(total);
  out.set_held_events(held_events);
  SetTime(out.mutable_checkpoint_time(), stats.checkpoint_time);
  SetTime(out.mutable_lag_measured_time(), stats.lag_measured);
  return out;
}

absl::StatusOr<std::pair<Query, ViewOptions>> DashboardViews::Resolve(
    const pb::Scope& scope, const pb::Filters& filters, pb::Visibility visibility) const {
  Query q;
  status::FieldViolations v;
  switch (scope.level()) {
    case pb::SCOPE_LEVEL_UNSPECIFIED:
    case pb::SCOPE_LEVEL_NATIONAL: q.level = Level::kNational; break;
    case pb::SCOPE_LEVEL_REGION: q.level = Level::kRegion; break;
    case pb::SCOPE_LEVEL_PROVINCE: q.level = Level::kProvince; break;
    default: v.Add("scope.level", "unknown scope level"); break;
  }
  q.region_code = scope.region_code();
  q.province_code = scope.province_code();
  q.track_id = filters.track_id();
  q.cohort_id = filters.cohort_id();
  switch (filters.gender()) {
    case common::GENDER_UNSPECIFIED: break;
    case common::GENDER_FEMALE: q.gender = Gender::kFemale; break;
    case common::GENDER_MALE: q.gender = Gender::kMale; break;
    default: v.Add("filters.gender", "unknown gender"); break;
  }
  ViewOptions options;
  switch (visibility) {
    case pb::VISIBILITY_UNSPECIFIED:
    case pb::VISIBILITY_PUBLIC: options.public_view = true; break;
    case pb::VISIBILITY_INTERNAL:
      if (config_.public_only) {
        v.Add("visibility", "internal views are disabled on this server (--public_only)");
      }
      options.public_view = false;
      break;
    default: v.Add("visibility", "unknown visibility"); break;
  }
  if (options.public_view && !q.cohort_id.empty()) {
    v.Add("filters.cohort_id",
          "cohorts are not published on public views (a cohort is one class in one place); "
          "use an internal view");
  }
  if (v.empty()) {
    absl::Status s = NormalizeQuery(q);
    if (!s.ok()) {
      for (const auto& fv : status::GetFieldViolations(s)) v.Add(fv.field, fv.description);
    }
  }
  RETURN_IF_ERROR(v.ToStatus());
  options.threshold = config_.suppression_threshold;
  options.today = DayOf(config_.clock->Now(), config_.zone);
  return std::make_pair(q, options);
}

absl::StatusOr<pb::Summary> DashboardViews::Summary(const pb::Scope& scope,
                                                    const pb::Filters& filters,
                                                    pb::Visibility visibility) const {
  ASSIGN_OR_RETURN(auto resolved, Resolve(scope, filters, visibility));
  const auto& [q, options] = resolved;
  pb::Summary out;
  *out.mutable_scope() = scope;
  if (out.scope().level() == pb::SCOPE_LEVEL_UNSPECIFIED) {
    out.mutable_scope()->set_level(pb::SCOPE_LEVEL_NATIONAL);
  }
  if (q.level == Level::kProvince) out.mutable_scope()->set_region_code(q.region_code);
  *out.mutable_filters() = filters;
  out.set_visibility(options.public_view ? pb::VISIBILITY_PUBLIC : pb::VISIBILITY_INTERNAL);
  out.set_suppression_threshold(options.public_view ? options.threshold : 0);
  SetTime(out.mutable_as_of(), config_.clock->Now());
  state_->Read([&](const Fold& fold, const IngestStats& stats) {
    const auto plan = PlanFor(fold, options);
    for (const FigureValue& f : Summarize(fold, q, WithPlan(options, plan.get()))) {
      *out.add_figures() = ToProto(f);
    }
    out.set_state_version(fold.version());
    *out.mutable_freshness() = FreshnessOf(stats, fold.held_events());
    return 0;
  });
  return out;
}

absl::StatusOr<pb::ListRegionsResponse> DashboardViews::ListRegions(
    const pb::ListRegionsRequest& req) const {
  ASSIGN_OR_RETURN(auto resolved, Resolve(pb::Scope(), req.filters(), req.visibility()));
  const auto& [national, options] = resolved;
  const geo::Atlas& atlas = geo::Atlas::Get();
  std::vector<Query> rows;
  for (const geo::Region& r : atlas.regions()) {
    Query q = national;
    q.level = Level::kRegion;
    q.region_code = r.code;
    rows.push_back(q);
  }
  rows.push_back(national);
  const auto metrics = KeyMetrics();
  pb::ListRegionsResponse out;
  for (const MetricDefinition* m : metrics) out.add_metric_ids(m->id);
  out.set_suppression_threshold(options.public_view ? options.threshold : 0);
  SetTime(out.mutable_as_of(), config_.clock->Now());
  state_->Read([&](const Fold& fold, const IngestStats& stats) {
    const auto plan = PlanFor(fold, options);
    const auto table = Table(fold, rows, metrics, WithPlan(options, plan.get()));
    for (size_t i = 0; i < rows.size(); ++i) {
      pb::RegionRow* row = i < atlas.regions().size() ? out.add_regions() : out.mutable_national();
      if (i < atlas.regions().size()) {
        row->set_region_code(atlas.regions()[i].code);
        row->set_name_fr(atlas.regions()[i].name);
        row->set_name_ar(atlas.regions()[i].name_ar);
      } else {
        row->set_region_code("MA");
        row->set_name_fr("Maroc");
        row->set_name_ar("المغرب");
      }
      for (const FigureValue& f : table[i]) *row->add_figures() = ToProto(f);
    }
    out.set_state_version(fold.version());
    *out.mutable_freshness() = FreshnessOf(stats, fold.held_events());
    return 0;
  });
  return out;
}

absl::StatusOr<pb::GetProvinceTableResponse> DashboardViews::GetProvinceTable(
    const pb::GetProvinceTableRequest& req) const {
  pb::Scope scope;
  if (!req.region_code().empty()) {
    scope.set_level(pb::SCOPE_LEVEL_REGION);
    scope.set_region_code(req.region_code());
  }
  auto resolved = Resolve(scope, req.filters(), req.visibility());
  if (!resolved.ok()) {
    // The request's own field is region_code, not scope.region_code.
    status::FieldViolations v;
    for (const auto& fv : status::GetFieldViolations(resolved.status())) {
      v.Add(fv.field == "scope.region_code" ? "region_code" : fv.field, fv.description);
    }
    return v.empty() ? resolved.status() : v.ToStatus();
  }
  const auto& [total_query, options] = *resolved;
  const geo::Atlas& atlas = geo::Atlas::Get();
  std::vector<const geo::Province*> provinces;
  if (req.region_code().empty()) {
    for (const geo::Province& p : atlas.provinces()) provinces.push_back(&p);
  } else {
    provinces = atlas.ProvincesOf(req.region_code());
  }
  std::sort(provinces.begin(), provinces.end(),
            [](const geo::Province* a, const geo::Province* b) { return a->code < b->code; });
  std::vector<Query> rows;
  for (const geo::Province* p : provinces) {
    Query q = total_query;
    q.level = Level::kProvince;
    q.province_code = p->code;
    q.region_code = p->region_code;
    rows.push_back(q);
  }
  rows.push_back(total_query);
  const auto metrics = KeyMetrics();
  pb::GetProvinceTableResponse out;
  for (const MetricDefinition* m : metrics) out.add_metric_ids(m->id);
  out.set_suppression_threshold(options.public_view ? options.threshold : 0);
  SetTime(out.mutable_as_of(), config_.clock->Now());
  state_->Read([&](const Fold& fold, const IngestStats& stats) {
    const auto plan = PlanFor(fold, options);
    const auto table = Table(fold, rows, metrics, WithPlan(options, plan.get()));
    for (size_t i = 0; i < rows.size(); ++i) {
      pb::ProvinceRow* row = i < provinces.size() ? out.add_provinces() : out.mutable_total();
      if (i < provinces.size()) {
        row->set_province_code(provinces[i]->code);
        row->set_region_code(provinces[i]->region_code);
        row->set_name(provinces[i]->name);
      } else if (!req.region_code().empty()) {
        const geo::Region* r = atlas.FindRegion(req.region_code());
        row->set_region_code(req.region_code());
        row->set_name(r != nullptr ? r->name : req.region_code());
      } else {
        row->set_region_code("MA");
        row->set_name("Maroc");
      }
      for (const FigureValue& f : table[i]) *row->add_figures() = ToProto(f);
    }
    out.set_state_version(fold.version());
    *out.mutable_freshness() = FreshnessOf(stats, fold.held_events());
    return 0;
  });
  return out;
}

absl::StatusOr<pb::GetTimeSeriesResponse> DashboardViews::GetTimeSeries(
    const pb::GetTimeSeriesRequest& req) const {
  status::FieldViolations v;
  const MetricDefinition* metric = FindMetric(req.metric_id());
  if (metric == nullptr) {
    v.Add("metric_id", req.metric_id().empty()
                           ? "is required"
                           : absl::StrCat("unknown metric '", req.metric_id(),
                                          "' (see ListMetricDefinitions)"));
  }
  auto resolved = Resolve(req.scope(), req.filters(), req.visibility());
  if (!resolved.ok()) {
    for (const auto& fv : status::GetFieldViolations(resolved.status())) {
      v.Add(fv.field, fv.description);
    }
  }
  const Day today = DayOf(config_.clock->Now(), config_.zone);
  auto date_of = [&](const common::Date& d, const char* field, Day fallback) -> Day {
    if (!req.has_start_date() && std::string(field) == "start_date") return fallback;
    if (!req.has_end_date() && std::string(field) == "end_date") return fallback;
    std::optional<Day> day = DayFromCivil(d.year(), d.month(), d.day());
    if (!day.has_value()) {
      v.Add(field, "is not a valid date");
      return fallback;
    }
    return *day;
  };
  if (resolved.ok() && resolved->second.public_view) {
    // Public series are protected day by day on the geography only.
    const Query& q = resolved->first;
    const char* why = "public series are published by geography only; use an internal view";
    if (!q.track_id.empty()) v.Add("filters.track_id", why);
    if (q.gender.has_value()) v.Add("filters.gender", why);
    if (metric != nullptr && metric->formula == Formula::kWomenShare) {
      v.Add("metric_id", "the women's share is not published as a public series");
    }
  }
  const Day end = date_of(req.end_date(), "end_date", today);
  const Day start = date_of(req.start_date(), "start_date", end - 89);
  if (start > end) v.Add("start_date", "must not be after end_date");
  if (end - start + 1 > 3660) v.Add("start_date", "the range is limited to 3660 days");
  RETURN_IF_ERROR(v.ToStatus());
  const auto& [q, options] = *resolved;
  pb::GetTimeSeriesResponse out;
  out.set_metric_id(metric->id);
  out.set_metric_version(metric->version);
  out.set_suppression_threshold(options.public_view ? options.threshold : 0);
  SetTime(out.mutable_as_of(), config_.clock->Now());
  state_->Read([&](const Fold& fold, const IngestStats&) {
    const auto plan = PlanFor(fold, options);
    for (const SeriesPoint& p :
         Series(fold, *metric, q, start, end, WithPlan(options, plan.get()))) {
      pb::TimeSeriesPoint* point = out.add_points();
      *point->mutable_date() = ToDate(p.day);
      *point->mutable_figure() = ToProto(p.figure);
    }
    out.set_state_version(fold.version());
    return 0;
  });
  return out;
}

std::shared_ptr<const PublicPlan> DashboardViews::PlanFor(const Fold& fold,
                                                         const ViewOptions& options) const {
  if (!options.public_view) return nullptr;
  absl::MutexLock lock(&plan_mu_);
  if (plan_ == nullptr || plan_version_ != fold.version()) {
    plan_ = std::make_shared<const PublicPlan>(PublicPlan::Build(fold, options.threshold));
    plan_version_ = fold.version();
  }
  return plan_;
}

pb::ListMetricDefinitionsResponse DashboardViews::ListMetricDefinitions() const {
  pb::ListMetricDefinitionsResponse out;
  for (const MetricDefinition& m : Metrics()) *out.add_metrics() = ToProto(m);
  return out;
}

pb::Freshness DashboardViews::Freshness() const {
  return state_->Read([](const Fold& fold, const IngestStats& stats) {
    return FreshnessOf(stats, fold.held_events());
  });
}

}  // namespace jit::aggregator::api
