// Test helper for the page check (page_check.py): produces well-formed
// journeys (enrollment, progress and placement events, as the services would
// publish them) for trainees [from, to) spread over every region (the last
// region gets two trainees only, a small count).
//
//   aggregator_produce_journeys <bootstrap> <from> <to>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "libs/geo/geo.h"
#include "libs/kafka/producer.h"
#include "libs/kafka/topics.h"
#include "services/aggregator/events/testing/lifecycle_events.h"

int main(int argc, char** argv) {
  if (argc != 4) {
    std::fprintf(stderr, "usage: %s BOOTSTRAP FROM TO\n", argv[0]);
    return 2;
  }
  using namespace jit::aggregator::testing;  // NOLINT
  namespace kafka = jit::kafka;
  const int from = std::atoi(argv[2]), to = std::atoi(argv[3]);
  const auto& regions = jit::geo::Atlas::Get().regions();
  std::vector<kafka::Message> records;
  std::vector<Trainee> trainees;
  for (int i = from; i < to; ++i) {
    // Every region, but the last one keeps only two trainees (its others go
    // to the one before): a small count the public page must show as "<5".
    const size_t index = i % regions.size() == regions.size() - 1 && i >= 24
                             ? regions.size() - 2
                             : i % regions.size();
    const std::string& region = regions[index].code;
    const auto provinces = jit::geo::Atlas::Get().ProvincesOf(region);
    Trainee t{absl::StrCat("page-", i), absl::StrCat("coh-", region), provinces[0]->code,
              i % 2 ? "cybersecurity" : "digital-marketing",
              i % 3 ? jobintech::common::v1::GENDER_FEMALE : jobintech::common::v1::GENDER_MALE};
    const absl::Time t0 = absl::Now() - absl::Hours(24 * (60 + i % 30));
    trainees.push_back(t);
    records.push_back(ToRecord(Submitted(t, 1, t0), kafka::kEnrollmentTopic));
    records.push_back(ToRecord(Admitted(t, 2, t0 + absl::Hours(24)), kafka::kEnrollmentTopic));
    records.push_back(ToRecord(Confirmed(t, 3, t0 + absl::Hours(48)), kafka::kEnrollmentTopic));
    records.push_back(ToRecord(Started(t, 1, t0 + absl::Hours(72)), kafka::kProgressTopic));
    if (i % 4 == 0) {
      const absl::Time exit = t0 + absl::Hours(24 * 40);
      records.push_back(ToRecord(Completed(t, 2, exit), kafka::kProgressTopic));
      records.push_back(ToRecord(Placed(t, 1, exit + absl::Hours(24 * 10), exit,
                                        exit + absl::Hours(24 * 10)),
                                 kafka::kPlacementTopic));
    }
  }
  // The catalogue of these journeys' tracks and cohorts, first (the
  // aggregator counts a journey once both are catalogued).
  std::vector<kafka::Message> catalogue =
      CatalogueRecords(trainees, absl::Now() - absl::Hours(24 * 100));
  records.insert(records.begin(), catalogue.begin(), catalogue.end());
  auto producer = kafka::Producer::Create({.bootstrap_servers = argv[1],
                                           .client_id = "page-check",
                                           .properties = {}});
  if (!producer.ok()) {
    std::fprintf(stderr, "%s\n", producer.status().ToString().c_str());
    return 1;
  }
  for (const absl::Status& s : (*producer)->ProduceAndWait(records, absl::Seconds(20))) {
    if (!s.ok()) {
      std::fprintf(stderr, "%s\n", s.ToString().c_str());
      return 1;
    }
  }
  std::printf("produced %zu records\n", records.size());
  return 0;
}
