#include "services/placement/domain/testing/in_memory_repository.h"

#include <algorithm>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "libs/status/status_macros.h"

namespace jit::placement::testing {

using command::testing::Paged;

struct InMemoryPlacementState {
  template <typename T>
  struct Row {
    T value;
    int64_t insert_order = 0;
  };

  command::testing::InMemoryRequests<ResponseSnapshot> requests;
  std::map<std::string, Employer> employers;
  std::map<std::string, JobOffer> job_offers;
  std::map<std::string, Trainee> trainees;
  std::map<std::string, Row<Offer>> offers;
  std::map<std::string, Row<Placement>> placements;
  std::map<std::pair<std::string, int32_t>, FollowUp> follow_ups;
  int64_t next_insert_order = 1;
};

namespace {

absl::Status NotFound(absl::string_view what, absl::string_view id) {
  return absl::NotFoundError(absl::StrCat(what, " '", id, "' not found"));
}

absl::Status AlreadyExists(absl::string_view what, absl::string_view id) {
  return absl::AlreadyExistsError(
      absl::StrCat(what, " '", id, "' already exists"));
}

template <typename V>
std::optional<V> FindIn(const std::map<std::string, V>& rows,
                        const std::string& key) {
  auto it = rows.find(key);
  if (it == rows.end()) return std::nullopt;
  return it->second;
}

}  // namespace

class InMemoryPlacementRepository::Store final
    : public command::testing::InMemoryStore<
          PlacementStore, InMemoryPlacementState, DomainEvent> {
 public:
  using InMemoryStore::InMemoryStore;

  // Employers.
  absl::StatusOr<std::optional<Employer>> FindEmployer(
      const std::string& employer_id) override {
    return FindIn(state_->employers, employer_id);
  }
  absl::StatusOr<std::optional<Employer>> FindEmployerByIce(
      const std::string& ice) override {
    for (const auto& [id, e] : state_->employers) {
      if (e.ice == ice) return std::optional<Employer>(e);
    }
    return std::optional<Employer>();
  }
  absl::Status InsertEmployer(const Employer& employer) override {
    RETURN_IF_ERROR(Mutation());
    if (state_->employers.contains(employer.employer_id)) {
      return AlreadyExists("employer", employer.employer_id);
    }
    RETURN_IF_ERROR(CheckIceFree(employer));
    state_->employers[employer.employer_id] = employer;
    return absl::OkStatus();
  }
  absl::Status UpdateEmployer(const Employer& employer) override {
    RETURN_IF_ERROR(Mutation());
    auto it = state_->employers.find(employer.employer_id);
    if (it == state_->employers.end()) {
      return NotFound("employer", employer.employer_id);
    }
    RETURN_IF_ERROR(CheckIceFree(employer));
    it->second = employer;
    return absl::OkStatus();
  }
  absl::StatusOr<Page<Employer>> ListEmployers(const EmployerFilter& filter,
                                               const PageQuery& page) override {
    return Paged(
        state_->employers, page,
        [&](const Employer& e) {
          return (filter.sector.empty() || e.sector == filter.sector) &&
                 (filter.region_code.empty() ||
                  e.region_code == filter.region_code) &&
                 (filter.province_code.empty() ||
                  e.province_code == filter.province_code) &&
                 (!filter.partner.has_value() || e.partner == *filter.partner);
        },
        [](const Employer& e) { return e; });
  }

  // Job offers.
  absl::StatusOr<std::optional<JobOffer>> FindJobOffer(
      const std::string& job_offer_id) override {
    return FindIn(state_->job_offers, job_offer_id);
  }
  absl::Status InsertJobOffer(const JobOffer& offer) override {
    RETURN_IF_ERROR(Mutation());
    if (!state_->employers.contains(offer.employer_id)) {
      return absl::FailedPreconditionError(absl::StrCat(
          "job offer '", offer.job_offer_id, "' refers to unknown employer '",
          offer.employer_id, "'"));
    }
    if (!state_->job_offers.emplace(offer.job_offer_id, offer).second) {
      return AlreadyExists("job offer", offer.job_offer_id);
    }
    return absl::OkStatus();
  }
  absl::Status UpdateJobOffer(const JobOffer& offer) override {
    RETURN_IF_ERROR(Mutation());
    auto it = state_->job_offers.find(offer.job_offer_id);
    if (it == state_->job_offers.end()) {
      return NotFound("job offer", offer.job_offer_id);
    }
    it->second = offer;
    return absl::OkStatus();
  }
  absl::StatusOr<Page<JobOffer>> ListJobOffers(const JobOfferFilter& filter,
                                               const PageQuery& page) override {
    return Paged(
        state_->job_offers, page,
        [&](const JobOffer& o) {
          return (filter.employer_id.empty() ||
                  o.employer_id == filter.employer_id) &&
                 (filter.track_id.empty() || o.track_id == filter.track_id) &&
                 (filter.region_code.empty() ||
                  o.region_code == filter.region_code) &&
                 (filter.province_code.empty() ||
                  o.province_code == filter.province_code) &&
                 (!filter.open.has_value() || o.open == *filter.open);
        },
        [](const JobOffer& o) { return o; });
  }

  // Trainees.
  absl::StatusOr<std::optional<Trainee>> FindTrainee(
      const std::string& trainee_id) override {
    return FindIn(state_->trainees, trainee_id);
  }
  absl::Status InsertTrainee(const Trainee& trainee) override {
    RETURN_IF_ERROR(Mutation());
    if (!state_->trainees.emplace(trainee.trainee_id, trainee).second) {
      return AlreadyExists("trainee", trainee.trainee_id);
    }
    return absl::OkStatus();
  }
  absl::Status UpdateTrainee(const Trainee& trainee) override {
    RETURN_IF_ERROR(Mutation());
    auto it = state_->trainees.find(trainee.trainee_id);
    if (it == state_->trainees.end()) {
      return NotFound("trainee", trainee.trainee_id);
    }
    it->second = trainee;
    return absl::OkStatus();
  }

  // Offers.
  absl::Status InsertOffer(const Offer& offer) override {
    RETURN_IF_ERROR(Mutation());
    if (state_->offers.contains(offer.offer_id)) {
      return AlreadyExists("offer", offer.offer_id);
    }
    state_->offers[offer.offer_id] = {offer, state_->next_insert_order++};
    return absl::OkStatus();
  }
  absl::StatusOr<std::vector<Offer>> OffersOfTrainee(
      const std::string& trainee_id) override {
    return InInsertOrder(state_->offers, trainee_id);
  }

  // Placements.
  absl::StatusOr<std::optional<Placement>> FindPlacement(
      const std::string& placement_id) override {
    auto it = state_->placements.find(placement_id);
    if (it == state_->placements.end()) return std::optional<Placement>();
    return std::optional<Placement>(it->second.value);
  }
  absl::Status InsertPlacement(const Placement& placement) override {
    RETURN_IF_ERROR(Mutation());
    if (state_->placements.contains(placement.placement_id)) {
      return AlreadyExists("placement", placement.placement_id);
    }
    state_->placements[placement.placement_id] = {placement,
                                                  state_->next_insert_order++};
    return absl::OkStatus();
  }
  absl::Status UpdatePlacement(const Placement& placement) override {
    RETURN_IF_ERROR(Mutation());
    auto it = state_->placements.find(placement.placement_id);
    if (it == state_->placements.end()) {
      return NotFound("placement", placement.placement_id);
    }
    it->second.value = placement;
    return absl::OkStatus();
  }
  absl::StatusOr<std::vector<Placement>> PlacementsOfTrainee(
      const std::string& trainee_id) override {
    return InInsertOrder(state_->placements, trainee_id);
  }
  absl::StatusOr<std::vector<StoredRequest>> StoredRequestsMentioning(
      const std::string& trainee_id) override {
    return state_->requests.All();
  }
  absl::Status ReplaceStoredResponse(const std::string& request_id,
                                     const ResponseSnapshot& response) override {
    RETURN_IF_ERROR(Mutation());
    return state_->requests.ReplaceResponse(request_id, response);
  }
  absl::StatusOr<Page<Placement>> ListPlacements(
      const PlacementFilter& filter, const PageQuery& page) override {
    return Paged(
        state_->placements, page,
        [&](const Placement& p) {
          return (filter.employer_id.empty() ||
                  p.employer_id == filter.employer_id) &&
                 (!filter.active.has_value() || p.active() == *filter.active) &&
                 (!filter.verified.has_value() ||
                  p.verified() == *filter.verified);
        },
        [](const State::Row<Placement>& row) { return row.value; });
  }

  // Follow-ups.
  absl::StatusOr<std::optional<FollowUp>> FindFollowUp(
      const std::string& trainee_id, int32_t months) override {
    auto it = state_->follow_ups.find({trainee_id, months});
    if (it == state_->follow_ups.end()) return std::optional<FollowUp>();
    return std::optional<FollowUp>(it->second);
  }
  absl::Status InsertFollowUp(const FollowUp& f) override {
    RETURN_IF_ERROR(Mutation());
    if (!state_->follow_ups.emplace(std::make_pair(f.trainee_id, f.months), f)
             .second) {
      return AlreadyExists(
          "follow-up", absl::StrCat(f.trainee_id, "/+", f.months, " months"));
    }
    return absl::OkStatus();
  }
  absl::Status UpdateFollowUp(const FollowUp& f) override {
    RETURN_IF_ERROR(Mutation());
    auto it = state_->follow_ups.find({f.trainee_id, f.months});
    if (it == state_->follow_ups.end()) {
      return NotFound("follow-up",
                      absl::StrCat(f.trainee_id, "/+", f.months, " months"));
    }
    it->second = f;
    return absl::OkStatus();
  }
  absl::StatusOr<std::vector<FollowUp>> FollowUpsOfTrainee(
      const std::string& trainee_id) override {
    std::vector<FollowUp> out;
    for (const auto& [key, f] : state_->follow_ups) {
      if (key.first == trainee_id) out.push_back(f);  // map order: by months
    }
    return out;
  }
  absl::StatusOr<Page<FollowUp>> ListDueFollowUps(
      absl::CivilDay as_of, const FollowUpFilter& filter,
      const PageQuery& page) override {
    std::map<std::string, FollowUp> due;
    for (const auto& [key, f] : state_->follow_ups) {
      if (f.recorded() || f.due_date > as_of) continue;
      if (!filter.region_code.empty()) {
        auto t = state_->trainees.find(f.trainee_id);
        if (t == state_->trainees.end() ||
            t->second.dimensions.training_region_code != filter.region_code) {
          continue;
        }
      }
      due[FollowUpKey(f)] = f;
    }
    return Paged(
        due, page, [](const FollowUp&) { return true; },
        [](const FollowUp& f) { return f; });
  }

 private:
  using State = InMemoryPlacementState;

  template <typename T>
  static std::vector<T> InInsertOrder(
      const std::map<std::string, State::Row<T>>& rows,
      const std::string& trainee_id) {
    std::vector<const State::Row<T>*> picked;
    for (const auto& [id, row] : rows) {
      if (row.value.trainee_id == trainee_id) picked.push_back(&row);
    }
    std::sort(picked.begin(), picked.end(), [](const auto* a, const auto* b) {
      return a->insert_order < b->insert_order;
    });
    std::vector<T> out;
    for (const auto* row : picked) out.push_back(row->value);
    return out;
  }

  absl::Status CheckIceFree(const Employer& employer) const {
    for (const auto& [id, e] : state_->employers) {
      if (id != employer.employer_id && e.ice == employer.ice) {
        return absl::AlreadyExistsError(absl::StrCat(
            "an employer with ICE ", employer.ice, " already exists"));
      }
    }
    return absl::OkStatus();
  }
};

InMemoryPlacementRepository::InMemoryPlacementRepository()
    : InMemoryTransactions(std::make_unique<InMemoryPlacementState>()) {}

InMemoryPlacementRepository::~InMemoryPlacementRepository() = default;

absl::Status InMemoryPlacementRepository::Write(
    absl::FunctionRef<absl::Status(PlacementStore&)> fn) {
  return WriteWith<Store>(fn);
}

absl::Status InMemoryPlacementRepository::Read(
    absl::FunctionRef<absl::Status(PlacementStore&)> fn) {
  return ReadWith<Store>(fn);
}

}  // namespace jit::placement::testing
