#include "libs/protoconv/page_token.h"

#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "libs/status/field_violations.h"
#include "libs/status/status_macros.h"

namespace jit::protoconv {
namespace {

constexpr absl::string_view kPrefix = "v1:";

}  // namespace

std::string EncodePageToken(absl::string_view after_key) {
  if (after_key.empty()) return "";
  return absl::WebSafeBase64Escape(absl::StrCat(kPrefix, after_key));
}

absl::StatusOr<std::string> DecodePageToken(absl::string_view token) {
  if (token.empty()) return std::string();
  std::string raw;
  if (!absl::WebSafeBase64Unescape(token, &raw) ||
      !absl::StartsWith(raw, kPrefix) || raw.size() == kPrefix.size()) {
    return status::InvalidField(
        "page.page_token",
        "not a page token from this service (use next_page_token)");
  }
  return raw.substr(kPrefix.size());
}

absl::StatusOr<PageCursor> ParsePageRequest(
    const ::jobintech::common::v1::PageRequest& page) {
  if (page.page_size() < 0) {
    return status::InvalidField("page.page_size", "must not be negative");
  }
  PageCursor cursor;
  cursor.limit = page.page_size();
  ASSIGN_OR_RETURN(cursor.after_key, DecodePageToken(page.page_token()));
  return cursor;
}

}  // namespace jit::protoconv
