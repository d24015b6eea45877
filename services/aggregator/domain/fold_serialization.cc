// Fold serialization: the checkpoint's parts (header, journeys, sequences as
// CBOR), the whole-fold bytes and the canonical text used by golden tests and
// /debug/state. The fold's rules are in fold.cc.
#include <algorithm>
#include <stdexcept>
#include <utility>

#include "absl/strings/str_cat.h"
#include "nlohmann/json.hpp"
#include "services/aggregator/domain/fold.h"

namespace jit::aggregator {
namespace {

using Json = nlohmann::json;

}  // namespace

// --------------------------------------------------------- serialization

namespace {

Json DimsToJson(const Dimensions& d) {
  return Json::array({static_cast<int>(d.gender), d.region_code,
                      d.province_code, d.track_id, d.cohort_id});
}

Dimensions DimsFromJson(const Json& j) {
  Dimensions d;
  d.gender = static_cast<Gender>(j.at(0).get<int>());
  d.region_code = j.at(1).get<std::string>();
  d.province_code = j.at(2).get<std::string>();
  d.track_id = j.at(3).get<std::string>();
  d.cohort_id = j.at(4).get<std::string>();
  return d;
}

Json OptDay(const std::optional<Day>& d) {
  return d.has_value() ? Json(*d) : Json(nullptr);
}

std::optional<Day> OptDayFrom(const Json& j) {
  if (j.is_null()) return std::nullopt;
  return j.get<Day>();
}

Json StepsToJson(const std::map<int64_t, Step>& steps) {
  Json out = Json::array();
  for (const auto& [seq, s] : steps) {
    out.push_back(Json::array({seq, static_cast<int>(s.kind), s.day, s.date,
                               OptDay(s.completion_date)}));
  }
  return out;
}

std::map<int64_t, Step> StepsFromJson(const Json& j) {
  std::map<int64_t, Step> out;
  for (const Json& s : j) {
    out[s.at(0).get<int64_t>()] =
        Step{static_cast<EventKind>(s.at(1).get<int>()), s.at(2).get<Day>(),
             s.at(3).get<Day>(), OptDayFrom(s.at(4))};
  }
  return out;
}

Json JourneyToJson(const std::pair<std::string, std::string>& key,
                   const Journey& j) {
  Json jobs = Json::array();
  for (const auto& [id, f] : j.jobs) {
    jobs.push_back(
        Json::array({id, f.sequence, static_cast<int>(f.type), f.start}));
  }
  Json fus = Json::array();
  for (const auto& [months, f] : j.follow_ups) {
    fus.push_back(
        Json::array({months, f.sequence, static_cast<int>(f.outcome), f.date}));
  }
  return Json{
      {"t", key.first},
      {"c", key.second},
      {"enr", StepsToJson(j.enrollment)},
      {"dims", DimsToJson(j.dims)},
      {"prog", StepsToJson(j.progress)},
      {"fpd", OptDay(j.first_progress_day)},
      {"fad", OptDay(j.first_active_day)},
      {"exit", Json::array({j.exit_sequence, static_cast<int>(j.exit_kind),
                            OptDay(j.exit_date)})},
      {"jobs", jobs},
      {"fu", fus},
      {"n", j.events}};
}

Journey JourneyFromJson(const Json& o) {
  Journey j;
  j.enrollment = StepsFromJson(o.at("enr"));
  j.dims = DimsFromJson(o.at("dims"));
  j.progress = StepsFromJson(o.at("prog"));
  j.first_progress_day = OptDayFrom(o.at("fpd"));
  j.first_active_day = OptDayFrom(o.at("fad"));
  const Json& exit = o.at("exit");
  j.exit_sequence = exit.at(0).get<int64_t>();
  j.exit_kind = static_cast<ExitKind>(exit.at(1).get<int>());
  j.exit_date = OptDayFrom(exit.at(2));
  for (const Json& f : o.at("jobs")) {
    j.jobs[f.at(0).get<std::string>()] = JobFact{
        f.at(1).get<int64_t>(), static_cast<PlacementType>(f.at(2).get<int>()),
        f.at(3).get<Day>()};
  }
  for (const Json& f : o.at("fu")) {
    j.follow_ups[f.at(0).get<int>()] = FollowUpFact{
        f.at(1).get<int64_t>(),
        static_cast<FollowUpOutcome>(f.at(2).get<int>()), f.at(3).get<Day>()};
  }
  j.events = o.at("n").get<int64_t>();
  return j;
}

constexpr int kFormat = 1;

}  // namespace

namespace {

std::string Cbor(const Json& j) {
  const std::vector<uint8_t> cbor = Json::to_cbor(j);
  return std::string(cbor.begin(), cbor.end());
}

Json SequencesToJson(const std::string& key,
                     const std::array<SequenceSet, kStreamCount>& streams) {
  Json out = Json::array();
  for (const SequenceSet& s : streams)
    out.push_back(Json::array({s.watermark(), s.above()}));
  return Json::array({key, out});
}

std::array<SequenceSet, kStreamCount> SequencesFromJson(const Json& e) {
  std::array<SequenceSet, kStreamCount> streams;
  const Json& parts = e.at(1);
  for (int i = 0; i < kStreamCount; ++i) {
    streams[i] =
        SequenceSet::FromParts(parts.at(i).at(0).get<int64_t>(),
                               parts.at(i).at(1).get<std::set<int64_t>>());
  }
  return streams;
}

}  // namespace

std::string Fold::HeaderCbor() const {
  Json tracks = Json::array();
  for (const auto& [id, t] : tracks_)
    tracks.push_back(Json::array({id, t.name_fr, t.name_ar}));
  Json cohorts = Json::array();
  for (const auto& [id, c] : cohorts_) {
    cohorts.push_back(Json::array(
        {id, c.sequence, DimsToJson(c.location), c.name, c.capacity}));
  }
  return Cbor(Json{{"format", kFormat},
                   {"version", version_},
                   {"tracks", tracks},
                   {"cohorts", cohorts},
                   {"target", Json::array({target_sequence_, target_})}});
}

void Fold::LoadHeaderCbor(const std::string& cbor) {
  const Json root = Json::from_cbor(cbor.begin(), cbor.end());
  if (root.at("format").get<int>() != kFormat) {
    throw std::runtime_error(absl::StrCat(
        "checkpoint format ", root.at("format").dump(), " is not ", kFormat));
  }
  version_ = root.at("version").get<int64_t>();
  for (const Json& t : root.at("tracks")) {
    tracks_[t.at(0).get<std::string>()] =
        TrackInfo{t.at(1).get<std::string>(), t.at(2).get<std::string>()};
  }
  for (const Json& c : root.at("cohorts")) {
    cohorts_[c.at(0).get<std::string>()] =
        CohortInfo{c.at(1).get<int64_t>(), DimsFromJson(c.at(2)),
                   c.at(3).get<std::string>(), c.at(4).get<int64_t>()};
  }
  target_sequence_ = root.at("target").at(0).get<int64_t>();
  target_ = root.at("target").at(1).get<int64_t>();
}

FoldParts Fold::TakeChanges() {
  FoldParts parts;
  parts.header = HeaderCbor();
  parts.journeys.reserve(changed_journeys_.size());
  for (const auto& key : changed_journeys_) {
    parts.journeys.emplace_back(key,
                                Cbor(JourneyToJson(key, journeys_.at(key))));
  }
  parts.sequences.reserve(changed_sequences_.size());
  for (const std::string& key : changed_sequences_) {
    parts.sequences.emplace_back(
        key, Cbor(SequencesToJson(key, sequences_.at(key).streams)));
  }
  const size_t fresh =
      std::min<size_t>(static_cast<size_t>(new_event_ids_), id_order_.size());
  parts.event_ids.assign(id_order_.end() - static_cast<std::ptrdiff_t>(fresh),
                         id_order_.end());
  parts.event_ids_total = event_ids_total_;
  parts.event_ids_kept = static_cast<int64_t>(id_order_.size());
  changed_journeys_.clear();
  changed_sequences_.clear();
  new_event_ids_ = 0;
  return parts;
}

void Fold::MarkAllChanged() {
  for (const auto& [key, j] : journeys_) changed_journeys_.insert(key);
  for (const auto& [key, entry] : sequences_) changed_sequences_.insert(key);
  new_event_ids_ = static_cast<int64_t>(id_order_.size());
}

absl::StatusOr<Fold> Fold::FromParts(const FoldParts& parts,
                                     FoldOptions options) {
  Fold fold(std::move(options));
  try {
    fold.LoadHeaderCbor(parts.header);
    for (const auto& [key, body] : parts.journeys) {
      fold.journeys_[key] =
          JourneyFromJson(Json::from_cbor(body.begin(), body.end()));
    }
    for (const auto& [key, body] : parts.sequences) {
      fold.sequences_[key].streams =
          SequencesFromJson(Json::from_cbor(body.begin(), body.end()));
    }
  } catch (const std::exception& e) {
    return absl::DataLossError(
        absl::StrCat("corrupt checkpoint state: ", e.what()));
  }
  for (const std::string& id : parts.event_ids) fold.RememberEventId(id);
  fold.event_ids_total_ = parts.event_ids_total;
  fold.new_event_ids_ = 0;
  fold.changed_journeys_.clear();
  fold.changed_sequences_.clear();
  fold.RebuildCells();
  return fold;
}

std::string Fold::Serialize() const {
  Json journeys = Json::array();
  for (const auto& [key, j] : journeys_)
    journeys.push_back(JourneyToJson(key, j));
  Json seqs = Json::array();
  for (const auto& [key, entry] : sequences_) {
    Json streams = Json::array();
    for (const SequenceSet& s : entry.streams) {
      streams.push_back(Json::array({s.watermark(), s.above()}));
    }
    seqs.push_back(Json::array({key, streams}));
  }
  Json tracks = Json::array();
  for (const auto& [id, t] : tracks_)
    tracks.push_back(Json::array({id, t.name_fr, t.name_ar}));
  Json cohorts = Json::array();
  for (const auto& [id, c] : cohorts_) {
    cohorts.push_back(Json::array(
        {id, c.sequence, DimsToJson(c.location), c.name, c.capacity}));
  }
  Json root{{"format", kFormat},
            {"version", version_},
            {"journeys", journeys},
            {"sequences", seqs},
            {"event_ids", Json(std::vector<std::string>(id_order_.begin(),
                                                        id_order_.end()))},
            {"tracks", tracks},
            {"cohorts", cohorts},
            {"target", Json::array({target_sequence_, target_})}};
  const std::vector<uint8_t> cbor = Json::to_cbor(root);
  return std::string(cbor.begin(), cbor.end());
}

absl::StatusOr<Fold> Fold::Deserialize(const std::string& bytes,
                                       FoldOptions options) {
  Fold fold(std::move(options));
  try {
    const Json root = Json::from_cbor(bytes.begin(), bytes.end());
    if (root.at("format").get<int>() != kFormat) {
      return absl::FailedPreconditionError(absl::StrCat(
          "checkpoint format ", root.at("format").dump(), " is not ", kFormat));
    }
    fold.version_ = root.at("version").get<int64_t>();
    for (const Json& o : root.at("journeys")) {
      fold.journeys_[{o.at("t").get<std::string>(),
                      o.at("c").get<std::string>()}] = JourneyFromJson(o);
    }
    for (const Json& e : root.at("sequences")) {
      DedupeEntry entry;
      const Json& streams = e.at(1);
      for (int i = 0; i < kStreamCount; ++i) {
        entry.streams[i] = SequenceSet::FromParts(
            streams.at(i).at(0).get<int64_t>(),
            streams.at(i).at(1).get<std::set<int64_t>>());
      }
      fold.sequences_[e.at(0).get<std::string>()] = std::move(entry);
    }
    for (const Json& id : root.at("event_ids"))
      fold.RememberEventId(id.get<std::string>());
    for (const Json& t : root.at("tracks")) {
      fold.tracks_[t.at(0).get<std::string>()] =
          TrackInfo{t.at(1).get<std::string>(), t.at(2).get<std::string>()};
    }
    for (const Json& c : root.at("cohorts")) {
      fold.cohorts_[c.at(0).get<std::string>()] =
          CohortInfo{c.at(1).get<int64_t>(), DimsFromJson(c.at(2)),
                     c.at(3).get<std::string>(), c.at(4).get<int64_t>()};
    }
    fold.target_sequence_ = root.at("target").at(0).get<int64_t>();
    fold.target_ = root.at("target").at(1).get<int64_t>();
  } catch (const Json::exception& e) {
    return absl::DataLossError(
        absl::StrCat("corrupt checkpoint state: ", e.what()));
  }
  fold.RebuildCells();
  return fold;
}

std::string Fold::CanonicalText() const {
  Json journeys = Json::array();
  for (const auto& [key, j] : journeys_)
    journeys.push_back(JourneyToJson(key, j));
  Json cells = Json::array();
  for (const auto& [key, cell] : cells_) {
    Json counters = Json::array();
    for (const auto& [ck, series] : cell.counters) {
      Json days = Json::array();
      for (const auto& [d, v] : series.by_day)
        days.push_back(Json::array({FormatDay(d), v}));
      counters.push_back(
          Json::array({CounterName(ck.first), ck.second, series.total, days}));
    }
    cells.push_back(
        Json::array({key.region_code, key.province_code, key.track_id,
                     key.cohort_id, static_cast<int>(key.gender), counters}));
  }
  Json seqs = Json::array();
  for (const auto& [key, entry] : sequences_) {
    Json streams = Json::array();
    for (const SequenceSet& s : entry.streams) {
      streams.push_back(Json::array({s.watermark(), s.above()}));
    }
    seqs.push_back(Json::array({key, streams}));
  }
  Json tracks = Json::array();
  for (const auto& [id, t] : tracks_)
    tracks.push_back(Json::array({id, t.name_fr, t.name_ar}));
  Json cohorts = Json::array();
  for (const auto& [id, c] : cohorts_) {
    cohorts.push_back(Json::array(
        {id, c.sequence, DimsToJson(c.location), c.name, c.capacity}));
  }
  Json root{{"version", version_},
            {"held_events", held_events_},
            {"national_target", national_target()},
            {"cells", cells},
            {"journeys", journeys},
            {"sequences", seqs},
            {"tracks", tracks},
            {"cohorts", cohorts}};
  return root.dump(1);
}

}  // namespace jit::aggregator
