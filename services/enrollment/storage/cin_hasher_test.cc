#include "services/enrollment/storage/cin_hasher.h"

#include <memory>
#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "libs/status/field_violations.h"

namespace jit::enrollment {
namespace {

using ::testing::ElementsAre;
using ::testing::MatchesRegex;

std::unique_ptr<HmacCinHasher> MustCreate(const std::string& key) {
  absl::StatusOr<std::unique_ptr<HmacCinHasher>> h = HmacCinHasher::Create(key);
  EXPECT_TRUE(h.ok()) << h.status();
  return h.ok() ? std::move(*h) : nullptr;
}

// RFC 4231 (HMAC-SHA-256 test vectors), the cases with keys of 16 bytes or
// more.
TEST(HmacCinHasherTest, MatchesRfc4231TestCase1) {
  auto h = MustCreate(std::string(20, '\x0b'));
  ASSERT_NE(h, nullptr);
  EXPECT_EQ(h->Hash("Hi There"),
            "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7");
}

TEST(HmacCinHasherTest, MatchesRfc4231TestCase3) {
  auto h = MustCreate(std::string(20, '\xaa'));
  ASSERT_NE(h, nullptr);
  EXPECT_EQ(h->Hash(std::string(50, '\xdd')),
            "773ea91e36800e46854db8ebd09181a72959098b3ef8c122d9635514ced565fe");
}

TEST(HmacCinHasherTest, MatchesRfc4231TestCase6LongKey) {
  auto h = MustCreate(std::string(131, '\xaa'));
  ASSERT_NE(h, nullptr);
  EXPECT_EQ(h->Hash("Test Using Larger Than Block-Size Key - Hash Key First"),
            "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54");
}

TEST(HmacCinHasherTest, RefusesShortKeysNamingTheField) {
  for (const std::string& key :
       {std::string(), std::string("Jefe"), std::string(15, 'k')}) {
    absl::StatusOr<std::unique_ptr<HmacCinHasher>> h =
        HmacCinHasher::Create(key);
    EXPECT_EQ(h.status().code(), absl::StatusCode::kInvalidArgument);
    std::vector<std::string> fields;
    for (const auto& v : status::GetFieldViolations(h.status())) {
      fields.push_back(v.field);
    }
    EXPECT_THAT(fields, ElementsAre("cin_hash_key"));
  }
  EXPECT_TRUE(HmacCinHasher::Create(std::string(16, 'k')).ok());
}

TEST(HmacCinHasherTest, IsStableKeyedAndHex) {
  auto a = MustCreate("0123456789abcdef-key-A");
  auto a2 = MustCreate("0123456789abcdef-key-A");
  auto b = MustCreate("0123456789abcdef-key-B");
  ASSERT_NE(a, nullptr);
  ASSERT_NE(a2, nullptr);
  ASSERT_NE(b, nullptr);
  EXPECT_EQ(a->Hash("AB123456"), a2->Hash("AB123456"));
  EXPECT_NE(a->Hash("AB123456"), b->Hash("AB123456"));
  EXPECT_NE(a->Hash("AB123456"), a->Hash("AB123457"));
  EXPECT_THAT(a->Hash("AB123456"), MatchesRegex("[0-9a-f]{64}"));
  // The hash does not contain the CIN.
  EXPECT_EQ(a->Hash("AB123456").find("AB123456"), std::string::npos);
}

TEST(HmacCinHasherTest, KeyMayHoldAnyBytes) {
  std::string key(32, '\0');
  key[5] = '\xff';
  auto h = MustCreate(key);
  ASSERT_NE(h, nullptr);
  EXPECT_NE(h->Hash("AB123456"),
            MustCreate(std::string(32, '\0'))->Hash("AB123456"));
}

}  // namespace
}  // namespace jit::enrollment
