// Morocco's administrative divisions: the 12 regions and 75 prefectures and
// provinces with their ISO 3166-2:MA codes, from the checked table shipped in
// data/morocco-admin-divisions.tsv (2015 decree; Debian's iso-codes misplaces
// Nouaceur and Chtouka-Aït Baha, this table does not).
//
// The table is compiled into the binary, parsed once on first use and
// immutable afterwards: Atlas is safe to use from any thread.
#ifndef JIT_LIBS_GEO_GEO_H_
#define JIT_LIBS_GEO_GEO_H_

#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace jit::geo {

enum class DivisionKind { kRegion, kPrefecture, kProvince };

struct Region {
  std::string code;     // "MA-05"
  std::string name;     // "Béni Mellal-Khénifra"
  std::string name_ar;  // "بني ملال خنيفرة"
};

struct Province {
  std::string code;         // "MA-FQH"
  DivisionKind kind;        // kPrefecture or kProvince
  std::string region_code;  // "MA-05"
  std::string name;         // "Fquih Ben Salah"
};

class Atlas {
 public:
  // The atlas compiled into the binary.
  static const Atlas& Get();

  // Parses a table in the shipped TSV format (header line, then
  // code, kind, region, name, name_ar). Fails on malformed rows, duplicate
  // codes, or a province whose region is not in the table.
  static absl::StatusOr<Atlas> Parse(absl::string_view tsv);

  const std::vector<Region>& regions() const { return regions_; }
  const std::vector<Province>& provinces() const { return provinces_; }

  // nullptr when unknown. Codes are matched exactly ("MA-FQH").
  const Region* FindRegion(absl::string_view code) const;
  const Province* FindProvince(absl::string_view code) const;
  std::vector<const Province*> ProvincesOf(absl::string_view region_code) const;

  // The region of a province; NOT_FOUND for an unknown province.
  absl::StatusOr<std::string> RegionOfProvince(absl::string_view code) const;

  // INVALID_ARGUMENT naming `field` (e.g. "centre.province_code") when the
  // code is not a known region / province.
  absl::Status ValidateRegion(absl::string_view field,
                              absl::string_view code) const;
  absl::Status ValidateProvince(absl::string_view field,
                                absl::string_view code) const;

 private:
  std::vector<Region> regions_;
  std::vector<Province> provinces_;
  absl::flat_hash_map<std::string, size_t> region_index_;
  absl::flat_hash_map<std::string, size_t> province_index_;
};

}  // namespace jit::geo

#endif  // JIT_LIBS_GEO_GEO_H_
