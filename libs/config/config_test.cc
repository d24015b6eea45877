#include "libs/config/config.h"

#include <unistd.h>

#include <cstdint>
#include <cstdlib>
#include <string>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/flags/reflection.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

ABSL_FLAG(int32_t, test_port, 8080, "a port");
ABSL_FLAG(std::string, test_name, "default-name", "a name");
ABSL_FLAG(std::string, db_password, "hunter2", "a secret");
ABSL_FLAG(int32_t, api_key_id, 0, "a secret number");
ABSL_FLAG(bool, test_verbose, false, "a bool");
ABSL_FLAG(absl::Duration, test_drain, absl::Seconds(10), "a duration");

namespace jit::config {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Not;

constexpr char kPrefix[] = "JITTEST_";

ProgramInfo TestProgram() {
  return {.name = "jit-test",
          .usage = "Test program.",
          .version = "1.2.3 (abc)",
          .env_prefix = kPrefix};
}

// Holds argv storage for ParseFlags.
class Args {
 public:
  Args(std::initializer_list<std::string> args) : storage_(args) {
    storage_.insert(storage_.begin(), "jit-test");
    for (auto& s : storage_) ptrs_.push_back(s.data());
    ptrs_.push_back(nullptr);
  }
  int argc() const { return static_cast<int>(storage_.size()); }
  char** argv() { return ptrs_.data(); }

 private:
  std::vector<std::string> storage_;
  std::vector<char*> ptrs_;
};

class ConfigTest : public ::testing::Test {
 protected:
  void TearDown() override {
    for (const char* var :
         {"JITTEST_TEST_PORT", "JITTEST_TEST_NAME", "JITTEST_DB_PASSWORD",
          "JITTEST_TEST_VERBOSE", "JITTEST_TEST_DRAIN"}) {
      unsetenv(var);
    }
  }
  absl::FlagSaver saver_;  // restores every flag after each test
};

TEST(EnvVarNameTest, UpperSnakeCaseWithPrefix) {
  EXPECT_EQ(EnvVarName("JIT_ENROLLMENT_", "grpc_port"),
            "JIT_ENROLLMENT_GRPC_PORT");
  EXPECT_EQ(EnvVarName("P_", "a-b.c"), "P_A_B_C");
}

TEST(IsSecretFlagTest, MatchesSecretKeyPasswordToken) {
  EXPECT_TRUE(IsSecretFlag("db_password"));
  EXPECT_TRUE(IsSecretFlag("pseudonym_KEY_file"));
  EXPECT_TRUE(IsSecretFlag("client_secret"));
  EXPECT_TRUE(IsSecretFlag("api_token"));
  EXPECT_FALSE(IsSecretFlag("grpc_port"));
  EXPECT_FALSE(IsSecretFlag("keepalive_time"));
}

TEST(IsProgramFlagTest, AbslOwnFlagsAreNotProgramFlags) {
  ASSERT_NE(absl::FindCommandLineFlag("flagfile"), nullptr);
  EXPECT_FALSE(IsProgramFlag(*absl::FindCommandLineFlag("flagfile")));
  EXPECT_FALSE(IsProgramFlag(*absl::FindCommandLineFlag("undefok")));
  EXPECT_TRUE(IsProgramFlag(*absl::FindCommandLineFlag("test_port")));
}

TEST_F(ConfigTest, DefaultsApplyWithoutEnvOrCommandLine) {
  Args args({});
  EXPECT_THAT(ParseFlags(args.argc(), args.argv(), TestProgram()), IsEmpty());
  EXPECT_EQ(absl::GetFlag(FLAGS_test_port), 8080);
  EXPECT_EQ(absl::GetFlag(FLAGS_test_name), "default-name");
}

TEST_F(ConfigTest, EnvironmentFillsFlagsNotOnCommandLine) {
  setenv("JITTEST_TEST_PORT", "9090", 1);
  setenv("JITTEST_TEST_VERBOSE", "true", 1);
  setenv("JITTEST_TEST_DRAIN", "2s", 1);
  Args args({"positional"});
  EXPECT_THAT(ParseFlags(args.argc(), args.argv(), TestProgram()),
              ElementsAre("positional"));
  EXPECT_EQ(absl::GetFlag(FLAGS_test_port), 9090);
  EXPECT_TRUE(absl::GetFlag(FLAGS_test_verbose));
  EXPECT_EQ(absl::GetFlag(FLAGS_test_drain), absl::Seconds(2));
  EXPECT_EQ(absl::GetFlag(FLAGS_test_name), "default-name");
}

TEST_F(ConfigTest, CommandLineOverridesEnvironment) {
  setenv("JITTEST_TEST_PORT", "9090", 1);
  setenv("JITTEST_TEST_NAME", "from-env", 1);
  Args args({"--test_port=7070"});
  ParseFlags(args.argc(), args.argv(), TestProgram());
  EXPECT_EQ(absl::GetFlag(FLAGS_test_port), 7070);
  EXPECT_EQ(absl::GetFlag(FLAGS_test_name), "from-env");
}

TEST_F(ConfigTest, BadEnvValueIgnoredWhenCommandLineSetsTheFlag) {
  setenv("JITTEST_TEST_PORT", "not-a-number", 1);
  Args args({"--test_port", "7071"});
  ParseFlags(args.argc(), args.argv(), TestProgram());
  EXPECT_EQ(absl::GetFlag(FLAGS_test_port), 7071);
}

TEST_F(ConfigTest, ApplyEnvFallbacksReportsEveryBadValueAndKeepsGoodOnes) {
  setenv("JITTEST_TEST_PORT", "abc", 1);
  setenv("JITTEST_TEST_VERBOSE", "maybe", 1);
  setenv("JITTEST_TEST_NAME", "good", 1);
  absl::Status s =
      ApplyEnvFallbacks(kPrefix, [](absl::string_view) { return false; });
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(s.message()),
              HasSubstr("JITTEST_TEST_PORT=abc for flag --test_port"));
  EXPECT_THAT(std::string(s.message()),
              HasSubstr("JITTEST_TEST_VERBOSE=maybe for flag --test_verbose"));
  EXPECT_EQ(absl::GetFlag(FLAGS_test_port), 8080);  // unchanged
  EXPECT_EQ(absl::GetFlag(FLAGS_test_name), "good");
}

TEST_F(ConfigTest, BadSecretEnvValueIsRedactedInTheError) {
  setenv("JITTEST_API_KEY_ID", "topsecret", 1);
  absl::Status s =
      ApplyEnvFallbacks(kPrefix, [](absl::string_view) { return false; });
  unsetenv("JITTEST_API_KEY_ID");
  EXPECT_THAT(std::string(s.message()),
              HasSubstr("JITTEST_API_KEY_ID=<redacted> for flag --api_key_id"));
  EXPECT_THAT(std::string(s.message()), Not(HasSubstr("topsecret")));
}

TEST_F(ConfigTest, SecretFromEnvIsAppliedButNeverDescribed) {
  setenv("JITTEST_DB_PASSWORD", "s3cr3t", 1);
  EXPECT_TRUE(
      ApplyEnvFallbacks(kPrefix, [](absl::string_view) { return false; }).ok());
  EXPECT_EQ(absl::GetFlag(FLAGS_db_password), "s3cr3t");
  EXPECT_THAT(Describe(), Not(HasSubstr("s3cr3t")));
}

TEST_F(ConfigTest, EmptyPrefixDisablesFallbacks) {
  setenv("TEST_PORT", "1234", 1);
  EXPECT_TRUE(
      ApplyEnvFallbacks("", [](absl::string_view) { return false; }).ok());
  EXPECT_EQ(absl::GetFlag(FLAGS_test_port), 8080);
  unsetenv("TEST_PORT");
}

TEST_F(ConfigTest, BadEnvValueExitsWithCode2NamingVariableAndFlag) {
  setenv("JITTEST_TEST_PORT", "eighty", 1);
  Args args({});
  EXPECT_EXIT(ParseFlags(args.argc(), args.argv(), TestProgram()),
              ::testing::ExitedWithCode(kConfigErrorExitCode),
              "config error: environment variable JITTEST_TEST_PORT=eighty "
              "for flag --test_port");
}

TEST_F(ConfigTest, VersionFlagPrintsVersionAndExitsZero) {
  Args args({"--version"});
  EXPECT_EXIT(
      {
        dup2(STDERR_FILENO, STDOUT_FILENO);  // absl prints to stdout
        ParseFlags(args.argc(), args.argv(), TestProgram());
      },
      ::testing::ExitedWithCode(0), "jit-test 1.2.3 \\(abc\\)");
}

TEST_F(ConfigTest, HelpListsProgramFlagsAndEnvironmentHint) {
  Args args({"--help"});
  EXPECT_EXIT(
      {
        dup2(STDERR_FILENO, STDOUT_FILENO);
        ParseFlags(args.argc(), args.argv(), TestProgram());
      },
      ::testing::ExitedWithCode(1),
      "jit-test: Test program\\.(.|\n)*JITTEST_<FLAG_NAME>(.|\n)*--test_port");
}

TEST_F(ConfigTest, DescribeRedactsSecretsAndShowsSources) {
  setenv("JITTEST_TEST_NAME", "with space", 1);
  Args args({"--test_port=7000"});
  ParseFlags(args.argc(), args.argv(), TestProgram());
  const std::string d = Describe();
  EXPECT_THAT(d, HasSubstr("db_password=<redacted>"));
  EXPECT_THAT(d, Not(HasSubstr("hunter2")));
  EXPECT_THAT(d, HasSubstr("test_port=7000"));
  EXPECT_THAT(d, HasSubstr("test_name=\"with space\""));
  EXPECT_THAT(d, Not(HasSubstr("flagfile")));  // absl's own flags left out

  for (const FlagSetting& s : EffectiveConfig()) {
    if (s.name == "test_port") {
      EXPECT_EQ(s.source, "command line");
    } else if (s.name == "test_name") {
      EXPECT_EQ(s.source, "env");
    } else if (s.name == "test_verbose") {
      EXPECT_EQ(s.source, "default");
    }
  }
}

TEST(ValidatorTest, ValidConfigIsOk) {
  Validator v;
  v.Port("p", 50051)
      .HostPort("listen", "0.0.0.0:0")
      .HostPort("listen6", "[::]:50051")
      .NonEmpty("dir", "/data")
      .Range("workers", 4, 1, 64)
      .Range("ratio", 0.5, 0.0, 1.0)
      .Range("drain", absl::Seconds(10), absl::ZeroDuration(), absl::Minutes(5))
      .Require(true, "x", "never");
  EXPECT_TRUE(v.ok());
  EXPECT_TRUE(v.ToStatus().ok());
}

TEST(ValidatorTest, CollectsEveryProblemWithFlagAndValue) {
  Validator v;
  v.Port("grpc_port", 0)
      .Port("admin_port", 70000)
      .HostPort("listen", "localhost")
      .HostPort("listen2", "::1:80")
      .HostPort("listen3", "host:-1")
      .NonEmpty("data_dir", "")
      .Range("workers", int64_t{0}, 1, 64)
      .Range("drain", absl::Minutes(10), absl::ZeroDuration(),
             absl::Minutes(5));
  EXPECT_THAT(
      v.problems(),
      ElementsAre("--grpc_port=0: must be a port between 1 and 65535",
                  "--admin_port=70000: must be a port between 1 and 65535",
                  HasSubstr("--listen=localhost: must be host:port"),
                  HasSubstr("--listen2=::1:80: must be host:port"),
                  HasSubstr("--listen3=host:-1: must be host:port"),
                  "--data_dir=\"\": must not be empty",
                  "--workers=0: must be between 1 and 64",
                  "--drain=10m: must be between 0 and 5m"));
  EXPECT_EQ(v.ToStatus().code(), absl::StatusCode::kInvalidArgument);
}

TEST(ValidatorTest, RequireShowsRegisteredFlagValueRedactingSecrets) {
  absl::FlagSaver saver;
  absl::SetFlag(&FLAGS_test_port, 5);
  Validator v;
  v.Require(false, "test_port", "must differ from --admin_port")
      .Require(false, "db_password", "too short")
      .Require(false, "not_a_flag", "is wrong");
  EXPECT_THAT(v.problems(),
              ElementsAre("--test_port=5: must differ from --admin_port",
                          "--db_password=<redacted>: too short",
                          "--not_a_flag: is wrong"));
}

TEST(ValidatorTest, ExitIfInvalidPrintsEveryProblemAndExits2) {
  Validator v;
  v.Port("grpc_port", 0).NonEmpty("data_dir", "");
  EXPECT_EXIT(ExitIfInvalid(v), ::testing::ExitedWithCode(kConfigErrorExitCode),
              "config error: --grpc_port=0: must be a port between 1 and "
              "65535\nconfig error: --data_dir=\"\": must not be empty");
}

TEST(ValidatorTest, ExitIfInvalidReturnsWhenValid) {
  Validator v;
  v.Port("grpc_port", 1);
  ExitIfInvalid(v);
  SUCCEED();
}

}  // namespace
}  // namespace jit::config
