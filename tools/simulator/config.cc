#include "tools/simulator/config.h"

#include <string>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"

namespace jit::simulator {
namespace {

// Regional and track differences of the default world: population weights
// (2024 census, millions), placement markets, women's share per track.
constexpr char kProfile[] = R"(
MA-01.weight = 4.0
MA-02.weight = 2.3
MA-03.weight = 4.5
MA-04.weight = 5.1
MA-05.weight = 2.5
MA-06.weight = 7.7
MA-07.weight = 4.9
MA-08.weight = 1.7
MA-09.weight = 3.0
MA-10.weight = 0.45
MA-11.weight = 0.45
MA-12.weight = 0.2
MA-06.placement = 0.78
MA-04.placement = 0.74
MA-01.placement = 0.70
MA-08.placement = 0.48
MA-10.placement = 0.45
MA-11.placement = 0.50
MA-12.placement = 0.52
MA-08.dropout = 0.16
MA-10.dropout = 0.15
MA-06.days_to_job = 60
MA-08.days_to_job = 120
cybersecurity.weight = 1.2
cybersecurity.women_share = 0.30
cybersecurity.pass = 0.80
digital-marketing.women_share = 0.58
digital-management.women_share = 0.45
MA-06/cybersecurity.placement = 0.85
)";

bool ValidScope(absl::string_view scope) {
  if (scope.empty()) return true;
  for (absl::string_view part : absl::StrSplit(scope, '/')) {
    if (part.empty()) return false;
    for (char c : part) {
      if (!(absl::ascii_isalnum(static_cast<unsigned char>(c)) || c == '-')) return false;
    }
  }
  return true;
}

bool IsRegionCode(absl::string_view s) { return s.size() == 5 && absl::StartsWith(s, "MA-") &&
                                                absl::ascii_isdigit(static_cast<unsigned char>(s[3])); }

}  // namespace

const std::vector<std::string>& RateNames() {
  static const auto* const kNames = new std::vector<std::string>{
      "weight", "capacity", "women_share", "reject", "waitlist", "decline", "withdraw", "dropout",
      "attendance", "excused", "pass", "retake_pass", "certify", "placement", "dropout_placement",
      "days_to_job", "offer_first", "internship", "fixed_term", "self_employed", "further_study",
      "verify", "reach", "retention", "followup_done"};
  return *kNames;
}

double* RateField(Rates& r, absl::string_view name) {
  double* const fields[] = {&r.weight,      &r.capacity,   &r.women_share,  &r.reject,
                            &r.waitlist,    &r.decline,    &r.withdraw,     &r.dropout,
                            &r.attendance,  &r.excused,    &r.pass,         &r.retake_pass,
                            &r.certify,     &r.placement,  &r.dropout_placement, &r.days_to_job,
                            &r.offer_first, &r.internship, &r.fixed_term,   &r.self_employed,
                            &r.further_study, &r.verify,   &r.reach,        &r.retention,
                            &r.followup_done};
  const auto& names = RateNames();
  for (size_t i = 0; i < names.size(); ++i) {
    if (names[i] == name) return fields[i];
  }
  return nullptr;
}

SimConfig SimConfig::Defaults() {
  SimConfig c;
  absl::Status st = c.ApplyText(kProfile, "built-in profile");
  (void)st;  // the built-in profile is tested
  return c;
}

absl::Status SimConfig::Apply(absl::string_view key, absl::string_view value) {
  key = absl::StripAsciiWhitespace(key);
  value = absl::StripAsciiWhitespace(value);
  std::string scope;
  std::string name(key);
  if (size_t dot = key.rfind('.'); dot != absl::string_view::npos) {
    scope = std::string(key.substr(0, dot));
    name = std::string(key.substr(dot + 1));
  }
  Rates probe;
  if (RateField(probe, name) == nullptr) {
    return absl::InvalidArgumentError(absl::StrCat("unknown knob '", name, "' in '", key, "'"));
  }
  if (!ValidScope(scope)) {
    return absl::InvalidArgumentError(absl::StrCat("bad scope '", scope, "' in '", key, "'"));
  }
  double v = 0;
  if (!absl::SimpleAtod(value, &v) || v < 0) {
    return absl::InvalidArgumentError(absl::StrCat("'", key, "': '", value, "' is not a number >= 0"));
  }
  const bool probability = name != "weight" && name != "capacity" && name != "days_to_job";
  if (probability && v > 1) {
    return absl::InvalidArgumentError(absl::StrCat("'", key, "': a probability must be in [0, 1]"));
  }
  if (name == "capacity" && (v < 1 || v > 10000)) {
    return absl::InvalidArgumentError(absl::StrCat("'", key, "': capacity must be 1-10000"));
  }
  overrides_[scope][name] = v;
  return absl::OkStatus();
}

absl::Status SimConfig::ApplyText(absl::string_view text, absl::string_view source) {
  for (absl::string_view line : absl::StrSplit(text, absl::ByAnyChar("\n,"))) {
    if (size_t hash = line.find('#'); hash != absl::string_view::npos) line = line.substr(0, hash);
    line = absl::StripAsciiWhitespace(line);
    if (line.empty()) continue;
    const size_t eq = line.find('=');
    if (eq == absl::string_view::npos) {
      return absl::InvalidArgumentError(absl::StrCat(source, ": '", line, "': expected KEY = VALUE"));
    }
    absl::Status st = Apply(line.substr(0, eq), line.substr(eq + 1));
    if (!st.ok()) return absl::InvalidArgumentError(absl::StrCat(source, ": ", st.message()));
  }
  return absl::OkStatus();
}

Rates SimConfig::Resolve(absl::string_view region, absl::string_view track) const {
  Rates r;
  const std::string scopes[] = {"", std::string(region), std::string(track),
                                absl::StrCat(region, "/", track)};
  for (const std::string& scope : scopes) {
    auto it = overrides_.find(scope);
    if (it == overrides_.end()) continue;
    for (const auto& [name, value] : it->second) *RateField(r, name) = value;
  }
  return r;
}

double SimConfig::RegionWeight(absl::string_view region) const {
  auto it = overrides_.find(std::string(region));
  if (it != overrides_.end()) {
    if (auto w = it->second.find("weight"); w != it->second.end()) return w->second;
  }
  return 1.0;
}

double SimConfig::TrackWeight(absl::string_view track) const {
  if (IsRegionCode(track)) return 1.0;
  auto it = overrides_.find(std::string(track));
  if (it != overrides_.end()) {
    if (auto w = it->second.find("weight"); w != it->second.end()) return w->second;
  }
  return 1.0;
}

std::string SimConfig::Describe() const {
  std::string out;
  for (const auto& [scope, values] : overrides_) {
    for (const auto& [name, value] : values) {
      absl::StrAppend(&out, scope.empty() ? "" : scope + ".", name, " = ", value, "\n");
    }
  }
  return out;
}

}  // namespace jit::simulator
