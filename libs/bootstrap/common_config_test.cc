#include "libs/bootstrap/common_config.h"

#include <string>
#include <vector>

#include "absl/synchronization/blocking_counter.h"
#include "absl/synchronization/notification.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "libs/clock/clock.h"
#include "libs/config/config.h"
#include "prometheus/registry.h"

namespace jit::bootstrap {
namespace {

using ::testing::HasSubstr;
using ::testing::IsEmpty;

const ServiceIdentity kPlacement{.name = "placement",
                                 .binary = "jit-placement",
                                 .usage = "",
                                 .env_prefix = "JIT_PLACEMENT_",
                                 .grpc_port = 50053,
                                 .admin_port = 9103,
                                 .db_file = "placement.db"};

// A valid configuration (the defaults need a Kafka address).
CommonConfig Valid() {
  CommonConfig c = CommonConfig::Defaults(kPlacement);
  c.kafka_bootstrap_file = "data/kafka.bootstrap";
  return c;
}

std::vector<std::string> Problems(const CommonConfig& c) {
  config::Validator v;
  c.Validate(v);
  return v.problems();
}

TEST(CommonConfigTest, DefaultsAreTheServicesOwn) {
  const CommonConfig c = CommonConfig::Defaults(kPlacement);
  EXPECT_EQ(c.grpc_address, "0.0.0.0:50053");
  EXPECT_EQ(c.admin_address, "0.0.0.0:9103");
  EXPECT_EQ(c.db_path, "data/placement.db");
  EXPECT_EQ(c.sqlite_synchronous, "full");
  EXPECT_EQ(c.log_level, "info");
  EXPECT_EQ(c.unready_grace, absl::Seconds(2));
  EXPECT_EQ(c.drain_timeout, absl::Seconds(10));
  EXPECT_EQ(c.Database().synchronous, storage::Synchronous::kFull);
  EXPECT_EQ(c.Database().path, "data/placement.db");
}

TEST(CommonConfigTest, ValidDefaultsPlusAKafkaAddressPass) {
  EXPECT_THAT(Problems(Valid()), IsEmpty());
  CommonConfig c = Valid();
  c.kafka_bootstrap_file = "";
  c.kafka_bootstrap = "127.0.0.1:9092";
  EXPECT_THAT(Problems(c), IsEmpty());
}

TEST(CommonConfigTest, EveryBadSettingIsReportedNamingItsFlag) {
  CommonConfig c = Valid();
  c.grpc_address = "no-port";
  c.admin_address = "127.0.0.1:70000";
  c.db_path = "";
  c.sqlite_synchronous = "off";
  c.kafka_bootstrap_file = "";
  c.unready_grace = absl::Seconds(-1);
  c.drain_timeout = absl::Hours(1);
  const std::vector<std::string> problems = Problems(c);
  ASSERT_EQ(problems.size(), 7u) << ::testing::PrintToString(problems);
  EXPECT_THAT(problems[0], HasSubstr("--grpc_address"));
  EXPECT_THAT(problems[1], HasSubstr("--admin_address"));
  EXPECT_THAT(problems[2], HasSubstr("--db_path"));
  EXPECT_THAT(problems[3], HasSubstr("--sqlite_synchronous"));
  EXPECT_THAT(problems[3], HasSubstr("must be full or normal"));
  EXPECT_THAT(problems[4], HasSubstr("set --kafka_bootstrap or"));
  EXPECT_THAT(problems[5], HasSubstr("--unready_grace"));
  EXPECT_THAT(problems[6], HasSubstr("--drain_timeout"));
}

TEST(CommonConfigTest, ExecutorDefaultsAndBounds) {
  const CommonConfig d = CommonConfig::Defaults(kPlacement);
  EXPECT_EQ(d.executor_threads, 16);
  EXPECT_EQ(d.executor_queue_capacity, 256);
  EXPECT_EQ(d.executor_retry_after, absl::Milliseconds(250));

  CommonConfig c = Valid();
  c.executor_threads = 1;
  c.executor_queue_capacity = 0;  // no waiting at all is allowed
  c.executor_retry_after = absl::ZeroDuration();
  EXPECT_THAT(Problems(c), IsEmpty());

  c.executor_threads = 0;
  c.executor_queue_capacity = -1;
  c.executor_retry_after = absl::Minutes(2);
  const std::vector<std::string> problems = Problems(c);
  ASSERT_EQ(problems.size(), 3u) << ::testing::PrintToString(problems);
  EXPECT_THAT(problems[0], HasSubstr("--executor_threads"));
  EXPECT_THAT(problems[1], HasSubstr("--executor_queue_capacity"));
  EXPECT_THAT(problems[2], HasSubstr("--executor_retry_after"));
  c.executor_threads = 1025;
  c.executor_queue_capacity = 1'000'001;
  c.executor_retry_after = absl::Milliseconds(-1);
  EXPECT_EQ(Problems(c).size(), 3u);
}

TEST(CommonConfigTest, ExecutorOptionsComeFromTheSettings) {
  CommonConfig c = Valid();
  c.executor_threads = 3;
  c.executor_queue_capacity = 7;
  c.executor_retry_after = absl::Milliseconds(40);
  FakeClock clock;
  prometheus::Registry registry;
  const executor::ExecutorOptions o = c.Executor("placement", &clock, &registry);
  EXPECT_EQ(o.name, "placement");
  EXPECT_EQ(o.threads, 3);
  EXPECT_EQ(o.queue_capacity, 7);
  EXPECT_EQ(o.retry_after, absl::Milliseconds(40));
  EXPECT_EQ(o.clock, &clock);
  EXPECT_EQ(o.registry, &registry);

  // Started as configured: three run at once, seven wait, the next is
  // refused.
  auto executor = StartExecutor(kPlacement, c, &clock, &registry);
  absl::Notification release;
  absl::BlockingCounter started(3);
  for (int i = 0; i < 3; ++i) {
    ASSERT_TRUE(executor
                    ->Submit({.body =
                                  [&](absl::Status) {
                                    started.DecrementCount();
                                    release.WaitForNotification();
                                  }})
                    .ok());
  }
  started.Wait();
  for (int i = 0; i < 7; ++i) {
    ASSERT_TRUE(executor->Submit({.body = [](absl::Status) {}}).ok());
  }
  EXPECT_EQ(executor->Submit({.body = [](absl::Status) {}}).code(),
            absl::StatusCode::kResourceExhausted);
  release.Notify();
  executor->Shutdown();
}

TEST(CommonConfigTest, NormalSynchronousIsTheFasterLevel) {
  CommonConfig c = Valid();
  c.sqlite_synchronous = "normal";
  EXPECT_THAT(Problems(c), IsEmpty());
  EXPECT_EQ(c.Database().synchronous, storage::Synchronous::kNormal);
}

TEST(IdempotencyConfigTest, BoundsAreChecked) {
  config::Validator ok;
  IdempotencyConfig{}.Validate(ok);
  EXPECT_THAT(ok.problems(), IsEmpty());
  IdempotencyConfig kept_forever{.retention = absl::ZeroDuration(),
                                 .prune_interval = absl::Hours(1)};
  config::Validator forever;
  kept_forever.Validate(forever);
  EXPECT_THAT(forever.problems(), IsEmpty());

  IdempotencyConfig bad{.retention = absl::Seconds(-1),
                        .prune_interval = absl::Milliseconds(1)};
  config::Validator v;
  bad.Validate(v);
  ASSERT_EQ(v.problems().size(), 2u);
  EXPECT_THAT(v.problems()[0], HasSubstr("--idempotency_retention"));
  EXPECT_THAT(v.problems()[1], HasSubstr("--idempotency_prune_interval"));
}

}  // namespace
}  // namespace jit::bootstrap
