#include "libs/ids/ids.h"

#include <set>

#include "gtest/gtest.h"

namespace jit::ids {
namespace {

TEST(IdsTest, UuidV4IsCanonicalAndVersioned) {
  std::string id = NewUuidV4();
  ASSERT_TRUE(IsUuid(id)) << id;
  EXPECT_EQ(id[14], '4');
  EXPECT_TRUE(id[19] == '8' || id[19] == '9' || id[19] == 'a' || id[19] == 'b');
}

TEST(IdsTest, UuidsDoNotRepeat) {
  std::set<std::string> seen;
  for (int i = 0; i < 10000; ++i) seen.insert(NewUuidV4());
  EXPECT_EQ(seen.size(), 10000u);
}

TEST(IdsTest, UuidV7CarriesTheClockMillisecondsAndSortsByTime) {
  FakeClock clock(absl::FromUnixMillis(0x0123456789ab));
  std::string a = NewUuidV7(clock);
  ASSERT_TRUE(IsUuid(a));
  EXPECT_EQ(a.substr(0, 13), "01234567-89ab");
  EXPECT_EQ(a[14], '7');
  clock.Advance(absl::Milliseconds(1));
  std::string b = NewUuidV7(clock);
  EXPECT_LT(a, b);
}

TEST(IdsTest, IsUuidRejectsMalformedStrings) {
  EXPECT_FALSE(IsUuid(""));
  EXPECT_FALSE(IsUuid("0123456789ab-cdef-0123-456789abcdef0"));
  EXPECT_FALSE(IsUuid("g1234567-89ab-cdef-0123-456789abcdef"));
  EXPECT_FALSE(IsUuid("0123456789abcdef0123456789abcdef"));
  EXPECT_TRUE(IsUuid("01234567-89AB-CDEF-0123-456789ABCDEF"));
}

TEST(IdsTest, OpaqueIdsArePrefixedAndUnique) {
  std::set<std::string> seen;
  for (int i = 0; i < 1000; ++i) {
    std::string id = NewOpaqueId("trn");
    ASSERT_EQ(id.size(), 4u + 26u) << id;
    EXPECT_EQ(id.substr(0, 4), "trn_");
    seen.insert(id);
  }
  EXPECT_EQ(seen.size(), 1000u);
}

}  // namespace
}  // namespace jit::ids
