#include "libs/protoconv/page_token.h"

#include "absl/strings/escaping.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "libs/status/field_violations.h"

namespace jit::protoconv {
namespace {

using ::jobintech::common::v1::PageRequest;

std::string FieldOf(const absl::Status& s) {
  const auto violations = status::GetFieldViolations(s);
  return violations.size() == 1 ? violations[0].field : "";
}

TEST(PageTokenTest, RoundTripsKeysAndIsOpaque) {
  for (const char* key : {"coh_1", "2025-09-01|app_9", "a/b+c=d", "\xd8\xa7"}) {
    const std::string token = EncodePageToken(key);
    EXPECT_NE(token, key);
    EXPECT_EQ(token.find_first_of("+/"), std::string::npos) << token;
    absl::StatusOr<std::string> back = DecodePageToken(token);
    ASSERT_TRUE(back.ok()) << back.status();
    EXPECT_EQ(*back, key);
  }
}

TEST(PageTokenTest, EmptyKeyIsNoTokenAndNoTokenIsTheFirstPage) {
  EXPECT_EQ(EncodePageToken(""), "");
  absl::StatusOr<std::string> first = DecodePageToken("");
  ASSERT_TRUE(first.ok());
  EXPECT_EQ(*first, "");
}

TEST(PageTokenTest, ForeignTokensAreInvalidOnPageToken) {
  for (const std::string& token :
       {std::string("not base64!"), absl::WebSafeBase64Escape("v2:coh_1"),
        absl::WebSafeBase64Escape("v1:"), absl::WebSafeBase64Escape("coh_1")}) {
    SCOPED_TRACE(token);
    absl::StatusOr<std::string> key = DecodePageToken(token);
    EXPECT_EQ(key.status().code(), absl::StatusCode::kInvalidArgument);
    EXPECT_EQ(FieldOf(key.status()), "page.page_token");
  }
}

TEST(PageTokenTest, ParsePageRequestGivesSizeAndKey) {
  PageRequest page;
  page.set_page_size(25);
  page.set_page_token(EncodePageToken("coh_7"));
  absl::StatusOr<PageCursor> cursor = ParsePageRequest(page);
  ASSERT_TRUE(cursor.ok()) << cursor.status();
  EXPECT_EQ(cursor->limit, 25);
  EXPECT_EQ(cursor->after_key, "coh_7");

  absl::StatusOr<PageCursor> first = ParsePageRequest(PageRequest());
  ASSERT_TRUE(first.ok());
  EXPECT_EQ(first->limit, 0);
  EXPECT_EQ(first->after_key, "");
}

TEST(PageTokenTest, NegativeSizeIsInvalidOnPageSize) {
  PageRequest page;
  page.set_page_size(-1);
  absl::StatusOr<PageCursor> cursor = ParsePageRequest(page);
  EXPECT_EQ(cursor.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(FieldOf(cursor.status()), "page.page_size");

  page.set_page_size(10);
  page.set_page_token("garbage?");
  EXPECT_EQ(FieldOf(ParsePageRequest(page).status()), "page.page_token");
}

}  // namespace
}  // namespace jit::protoconv
