#include "tools/jitctl/import_journal.h"

#include <sys/stat.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tools/jitctl/import_rows.h"

namespace jit::jitctl {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

constexpr char kKey[] = "0123456789abcdef0123456789abcdef";
constexpr char kAddress[] = "127.0.0.1:50051";

class JournalTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/jitctl-journal-XXXXXX";
    ASSERT_NE(::mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
    path_ = dir_ + "/state/import-journal.tsv";
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  std::string Content() const {
    std::ifstream in(path_);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
  }
  std::string dir_;
  std::string path_;
};

TEST_F(JournalTest, RemembersAcknowledgedIdsAcrossRunsInAPrivateFile) {
  const std::string id = DeriveRequestId(ImportKind::kApplications, "row", kKey);
  {
    Journal journal(path_, kKey);
    EXPECT_FALSE(journal.Contains(kAddress, id));
    journal.Add(kAddress, id, "app_1");
    EXPECT_TRUE(journal.Contains(kAddress, id));
  }
  Journal reopened(path_, kKey);
  EXPECT_TRUE(reopened.Contains(kAddress, id));
  EXPECT_FALSE(reopened.Contains("127.0.0.1:1", id));  // per service address
  struct stat st;
  ASSERT_EQ(::stat(path_.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600);
}

// A journal of jitctl before keyed ids: its plain row hashes are rewritten
// under the key, and the rows are still recognized.
TEST_F(JournalTest, AnOldJournalIsRekeyedAndStillRecognizesItsRows) {
  const std::string v1 = LegacyRequestId(ImportKind::kApplications, "row");
  std::filesystem::create_directories(dir_ + "/state");
  { std::ofstream(path_) << kAddress << "\t" << v1 << "\tapp_1\n"; }
  Journal journal(path_, kKey);
  EXPECT_TRUE(journal.ContainsLegacy(kAddress, v1));
  EXPECT_FALSE(journal.ContainsLegacy(kAddress, LegacyRequestId(ImportKind::kApplications, "other")));
  EXPECT_FALSE(journal.Contains(kAddress, v1));
  const std::string content = Content();
  EXPECT_THAT(content, Not(HasSubstr(v1)));
  EXPECT_THAT(content, HasSubstr(MigrateJournalId(v1, kKey)));
  EXPECT_THAT(content, HasSubstr("\tapp_1"));
  // Read again: nothing left to migrate, the row still known.
  Journal again(path_, kKey);
  EXPECT_TRUE(again.ContainsLegacy(kAddress, v1));
  EXPECT_EQ(Content(), content);
}

TEST_F(JournalTest, NoPathKeepsNothingOnDisk) {
  Journal journal("", kKey);
  journal.Add(kAddress, "imp-app-v2-x", "app_1");
  EXPECT_TRUE(journal.Contains(kAddress, "imp-app-v2-x"));
  EXPECT_FALSE(std::filesystem::exists(path_));
}

}  // namespace
}  // namespace jit::jitctl
