#include "libs/log/trace.h"

#include <cstdint>
#include <cstring>
#include <random>
#include <string>
#include <utility>

#include "absl/strings/str_cat.h"

namespace jit::log {
namespace {

struct CurrentTrace {
  char id[32];
  bool set = false;
};

thread_local CurrentTrace current_trace;

bool IsLowerHex(absl::string_view s) {
  for (char c : s) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  }
  return true;
}

bool AllZero(absl::string_view s) {
  return s.find_first_not_of('0') == absl::string_view::npos;
}

std::string RandomHex(int bytes) {
  static constexpr char kHex[] = "0123456789abcdef";
  thread_local std::mt19937_64 rng{std::random_device{}()};
  std::string out;
  out.reserve(bytes * 2);
  while (static_cast<int>(out.size()) < bytes * 2) {
    uint64_t word = rng();
    for (int i = 0; i < 16 && static_cast<int>(out.size()) < bytes * 2; ++i) {
      out.push_back(kHex[word & 0xf]);
      word >>= 4;
    }
  }
  return out;
}

}  // namespace

bool IsValidTraceId(absl::string_view trace_id) {
  return trace_id.size() == 32 && IsLowerHex(trace_id) && !AllZero(trace_id);
}

absl::StatusOr<Traceparent> ParseTraceparent(absl::string_view tp) {
  // version "-" trace-id "-" parent-id "-" flags
  // 2       1   32       1   16        1   2     = 55
  if (tp.size() < 55 || tp[2] != '-' || tp[35] != '-' || tp[52] != '-') {
    return absl::InvalidArgumentError(
        absl::StrCat("\"", tp, "\" is not version-traceid-parentid-flags"));
  }
  Traceparent out{.version = std::string(tp.substr(0, 2)),
                  .trace_id = std::string(tp.substr(3, 32)),
                  .parent_id = std::string(tp.substr(36, 16)),
                  .flags = std::string(tp.substr(53, 2))};
  if (!IsLowerHex(out.version) || out.version == "ff") {
    return absl::InvalidArgumentError(
        absl::StrCat("bad version \"", out.version, "\""));
  }
  // Version 00 has exactly these fields; later versions may append "-...".
  if (out.version == "00" ? tp.size() != 55
                          : (tp.size() > 55 && tp[55] != '-')) {
    return absl::InvalidArgumentError(
        absl::StrCat("unexpected trailing data in \"", tp, "\""));
  }
  if (!IsValidTraceId(out.trace_id)) {
    return absl::InvalidArgumentError(
        absl::StrCat("trace id \"", out.trace_id,
                     "\" must be 32 lowercase hex digits, not all zero"));
  }
  if (!IsLowerHex(out.parent_id) || AllZero(out.parent_id)) {
    return absl::InvalidArgumentError(
        absl::StrCat("parent id \"", out.parent_id,
                     "\" must be 16 lowercase hex digits, not all zero"));
  }
  if (!IsLowerHex(out.flags)) {
    return absl::InvalidArgumentError(
        absl::StrCat("bad flags \"", out.flags, "\""));
  }
  return out;
}

bool IsValidTraceparent(absl::string_view traceparent) {
  return ParseTraceparent(traceparent).ok();
}

std::string TraceIdFromTraceparent(absl::string_view traceparent) {
  absl::StatusOr<Traceparent> parsed = ParseTraceparent(traceparent);
  return parsed.ok() ? std::move(parsed->trace_id) : std::string();
}

std::string NewTraceId() {
  std::string id;
  do {
    id = RandomHex(16);
  } while (AllZero(id));
  return id;
}

std::string MakeTraceparent(absl::string_view trace_id) {
  if (!IsValidTraceId(trace_id)) return "";
  std::string parent;
  do {
    parent = RandomHex(8);
  } while (AllZero(parent));
  std::string out = "00-";
  out.append(trace_id.data(), trace_id.size());
  out += "-" + parent + "-01";
  return out;
}

absl::string_view CurrentTraceId() {
  if (!current_trace.set) return "";
  return absl::string_view(current_trace.id, sizeof(current_trace.id));
}

void SetCurrentTraceId(absl::string_view trace_id) {
  if (IsValidTraceId(trace_id)) {
    std::memcpy(current_trace.id, trace_id.data(), sizeof(current_trace.id));
    current_trace.set = true;
  } else {
    current_trace.set = false;
  }
}

TraceScope::TraceScope(absl::string_view trace_id)
    : had_previous_(current_trace.set) {
  std::memcpy(previous_, current_trace.id, sizeof(previous_));
  SetCurrentTraceId(trace_id);
}

TraceScope::~TraceScope() {
  std::memcpy(current_trace.id, previous_, sizeof(previous_));
  current_trace.set = had_previous_;
}

}  // namespace jit::log
