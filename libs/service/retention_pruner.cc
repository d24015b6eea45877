#include "libs/service/retention_pruner.h"

#include "libs/log/log.h"

namespace jit::service {

std::unique_ptr<RetentionPruner> RetentionPruner::Start(Options options, PruneFn prune) {
  std::unique_ptr<RetentionPruner> pruner(new RetentionPruner(std::move(options), std::move(prune)));
  pruner->thread_ = std::thread([p = pruner.get()] { p->Loop(); });
  return pruner;
}

RetentionPruner::~RetentionPruner() {
  stop_.Notify();
  if (thread_.joinable()) thread_.join();
}

absl::StatusOr<int64_t> RetentionPruner::RunOnce() {
  const absl::Time before = options_.clock->Now() - options_.retention;
  int64_t total = 0;
  while (!stop_.HasBeenNotified()) {
    absl::StatusOr<int64_t> deleted = prune_(before, options_.batch);
    if (!deleted.ok()) return deleted.status();
    total += *deleted;
    if (*deleted < options_.batch) break;
  }
  return total;
}

void RetentionPruner::Loop() {
  while (!stop_.WaitForNotificationWithTimeout(options_.interval)) {
    absl::StatusOr<int64_t> deleted = RunOnce();
    if (!deleted.ok()) {
      log::Event(log::Level::kWarn, "pruning failed; retried at the next interval",
                 {{"what", options_.what}, {"error", deleted.status().ToString()}});
    } else if (*deleted > 0) {
      log::Event(log::Level::kInfo, "pruned expired rows",
                 {{"what", options_.what},
                  {"deleted", *deleted},
                  {"retention_h", absl::ToInt64Hours(options_.retention)}});
    }
  }
}

}  // namespace jit::service
