// The command table is consistent: unique paths, help for every command,
// no flag clash, and every operator action the CLI promises is there.
#include <set>
#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tools/jitctl/commands.h"

namespace jit::jitctl {
namespace {

TEST(CommandsTest, TableIsConsistent) {
  std::set<std::string> paths;
  for (const Command& c : AllCommands()) {
    EXPECT_TRUE(paths.insert(c.path).second) << "duplicate command " << c.path;
    EXPECT_FALSE(c.summary.empty()) << c.path;
    EXPECT_NE(c.run, nullptr) << c.path;
    EXPECT_LE(c.min_args, c.max_args) << c.path;
    EXPECT_EQ(c.args.empty(), c.max_args == 0) << c.path;
    std::set<std::string> flags = {"enrollment", "progress", "placement", "aggregator",
                                   "output",     "timeout",  "retries",   "help"};
    if (c.mutating) {
      EXPECT_TRUE(flags.insert("request-id").second) << c.path;
    }
    for (const FlagSpec& f : c.flags) {
      EXPECT_TRUE(flags.insert(f.name).second) << c.path << ": flag --" << f.name << " clashes";
      EXPECT_FALSE(f.help.empty()) << c.path << " --" << f.name;
      EXPECT_EQ(f.value_name.empty(), f.kind == FlagKind::kBool) << c.path << " --" << f.name;
    }
  }
}

TEST(CommandsTest, EveryPromisedActionExists) {
  std::set<std::string> paths;
  for (const Command& c : AllCommands()) paths.insert(c.path);
  for (const char* p :
       {"cohort create", "cohort list", "cohort show", "centre create", "centre list", "application submit",
        "application list", "application admit", "application waitlist", "application reject",
        "application enrol", "application confirm", "application withdraw", "attendance record",
        "assessment record", "dropout", "certificate issue", "employer register", "offer post",
        "placement record", "followups due", "dashboard national", "dashboard region", "dashboard export",
        "import applications", "import attendance"}) {
    EXPECT_TRUE(paths.count(p)) << "missing command: " << p;
  }
}

TEST(CommandsTest, TransitionsWithAReasonTakeARequiredCodeAndAnOptionalNote) {
  std::set<std::string> with_code;
  for (const Command& c : AllCommands()) {
    bool code = false, note = false;
    for (const FlagSpec& f : c.flags) {
      if (f.name == "reason-code") code = f.kind == FlagKind::kRequired;
      if (f.name == "reason") note = f.kind == FlagKind::kValue;
    }
    if (code) with_code.insert(c.path);
    EXPECT_EQ(code, note) << c.path << ": a reason code goes with an optional note";
  }
  EXPECT_EQ(with_code, (std::set<std::string>{"application reject", "application decline",
                                              "application withdraw", "dropout",
                                              "certificate revoke", "placement end"}));
}

}  // namespace
}  // namespace jit::jitctl
