// Page tokens of the List* RPCs, the same for every service: opaque to
// clients, the web-safe base64 of "v1:" + the last key of the previous page.
//
//   response.mutable_page()->set_next_page_token(
//       protoconv::EncodePageToken(page.next_after_key));
//   ASSIGN_OR_RETURN(protoconv::PageCursor cursor,
//                    protoconv::ParsePageRequest(request.page()));
//
// Pure functions, thread-safe.
#ifndef JIT_LIBS_PROTOCONV_PAGE_TOKEN_H_
#define JIT_LIBS_PROTOCONV_PAGE_TOKEN_H_

#include <cstdint>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "jobintech/common/v1/common.pb.h"

namespace jit::protoconv {

// "" for an empty key (no next page).
std::string EncodePageToken(absl::string_view after_key);

// The key a token encodes; "" for the empty token (first page).
// INVALID_ARGUMENT with a violation on `page.page_token` when the token is not
// one EncodePageToken made.
absl::StatusOr<std::string> DecodePageToken(absl::string_view token);

// What a common.v1.PageRequest asks for. The limit is the requested page
// size as sent (0: the service's default); the services clamp it.
struct PageCursor {
  int32_t limit = 0;
  std::string after_key;
};

// INVALID_ARGUMENT with a violation on `page.page_size` when negative, on
// `page.page_token` when the token is not ours.
absl::StatusOr<PageCursor> ParsePageRequest(
    const ::jobintech::common::v1::PageRequest& page);

}  // namespace jit::protoconv

#endif  // JIT_LIBS_PROTOCONV_PAGE_TOKEN_H_
