#include "libs/geo/geo.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "libs/status/field_violations.h"

namespace jit::geo {

// Defined in the generated geo_data.cc (the TSV embedded at build time).
extern const char kAdminDivisionsTsv[];

const Atlas& Atlas::Get() {
  static const Atlas* const kAtlas = [] {
    absl::StatusOr<Atlas> atlas = Parse(kAdminDivisionsTsv);
    // The table is part of the binary and covered by tests; failing here is a
    // build defect, not a runtime condition.
    if (!atlas.ok()) std::abort();
    return new Atlas(*std::move(atlas));
  }();
  return *kAtlas;
}

absl::StatusOr<Atlas> Atlas::Parse(absl::string_view tsv) {
  Atlas atlas;
  int line_no = 0;
  for (absl::string_view line : absl::StrSplit(tsv, '\n')) {
    ++line_no;
    line = absl::StripTrailingAsciiWhitespace(line);
    if (line.empty() || line_no == 1) continue;  // header
    std::vector<std::string> cols = absl::StrSplit(line, '\t');
    if (cols.size() < 4) {
      return absl::InvalidArgumentError(
          absl::StrCat("line ", line_no, ": expected at least 4 columns"));
    }
    const std::string& code = cols[0];
    if (!absl::StartsWith(code, "MA-") || code.size() < 5) {
      return absl::InvalidArgumentError(
          absl::StrCat("line ", line_no, ": bad code '", code, "'"));
    }
    if (cols[1] == "region") {
      if (atlas.region_index_.contains(code)) {
        return absl::InvalidArgumentError(
            absl::StrCat("line ", line_no, ": duplicate region ", code));
      }
      atlas.region_index_[code] = atlas.regions_.size();
      atlas.regions_.push_back(
          {code, cols[3], cols.size() > 4 ? cols[4] : std::string()});
    } else if (cols[1] == "province" || cols[1] == "prefecture") {
      if (atlas.province_index_.contains(code)) {
        return absl::InvalidArgumentError(
            absl::StrCat("line ", line_no, ": duplicate province ", code));
      }
      atlas.province_index_[code] = atlas.provinces_.size();
      atlas.provinces_.push_back({code,
                                  cols[1] == "province"
                                      ? DivisionKind::kProvince
                                      : DivisionKind::kPrefecture,
                                  cols[2], cols[3]});
    } else {
      return absl::InvalidArgumentError(
          absl::StrCat("line ", line_no, ": unknown kind '", cols[1], "'"));
    }
  }
  for (const Province& p : atlas.provinces_) {
    if (!atlas.region_index_.contains(p.region_code)) {
      return absl::InvalidArgumentError(absl::StrCat(
          "province ", p.code, " names unknown region '", p.region_code, "'"));
    }
  }
  return atlas;
}

const Region* Atlas::FindRegion(absl::string_view code) const {
  auto it = region_index_.find(code);
  return it == region_index_.end() ? nullptr : &regions_[it->second];
}

const Province* Atlas::FindProvince(absl::string_view code) const {
  auto it = province_index_.find(code);
  return it == province_index_.end() ? nullptr : &provinces_[it->second];
}

std::vector<const Province*> Atlas::ProvincesOf(
    absl::string_view region_code) const {
  std::vector<const Province*> out;
  for (const Province& p : provinces_) {
    if (p.region_code == region_code) out.push_back(&p);
  }
  return out;
}

absl::StatusOr<std::string> Atlas::RegionOfProvince(
    absl::string_view code) const {
  const Province* p = FindProvince(code);
  if (p == nullptr) {
    return absl::NotFoundError(absl::StrCat("unknown province '", code, "'"));
  }
  return p->region_code;
}

absl::Status Atlas::ValidateRegion(absl::string_view field,
                                   absl::string_view code) const {
  if (code.empty()) return status::InvalidField(std::string(field), "is required");
  if (FindRegion(code) != nullptr) return absl::OkStatus();
  return status::InvalidField(
      std::string(field),
      absl::StrCat("unknown region '", code,
                   "' (expected an ISO 3166-2:MA region code, MA-01..MA-12)"));
}

absl::Status Atlas::ValidateProvince(absl::string_view field,
                                     absl::string_view code) const {
  if (code.empty()) return status::InvalidField(std::string(field), "is required");
  if (FindProvince(code) != nullptr) return absl::OkStatus();
  return status::InvalidField(
      std::string(field),
      absl::StrCat("unknown province '", code,
                   "' (expected an ISO 3166-2:MA prefecture or province code "
                   "such as MA-FQH)"));
}

}  // namespace jit::geo
