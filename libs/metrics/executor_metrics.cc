#include "libs/metrics/executor_metrics.h"

#include "prometheus/family.h"

namespace jit::metrics {
namespace {

prometheus::Gauge& GaugeOf(prometheus::Registry& registry, const char* name,
                           const char* help, const std::string& executor) {
  return prometheus::BuildGauge()
      .Name(name)
      .Help(help)
      .Register(registry)
      .Add({{"executor", executor}});
}

prometheus::Counter& CounterOf(prometheus::Registry& registry, const char* name,
                               const char* help, const std::string& executor,
                               const char* reason = nullptr) {
  auto& family =
      prometheus::BuildCounter().Name(name).Help(help).Register(registry);
  if (reason == nullptr) return family.Add({{"executor", executor}});
  return family.Add({{"executor", executor}, {"reason", reason}});
}

}  // namespace

ExecutorMetrics::ExecutorMetrics(prometheus::Registry& registry,
                                 const std::string& name, int threads,
                                 int queue_capacity)
    : queue_depth_(GaugeOf(registry, "jit_executor_queue_depth",
                           "Tasks waiting for a worker", name)),
      busy_threads_(GaugeOf(registry, "jit_executor_busy_threads",
                            "Workers running a task", name)),
      rejected_full_(CounterOf(registry, "jit_executor_rejected_total",
                               "Tasks refused at submission",
                               name, "queue_full")),
      rejected_shutdown_(CounterOf(registry, "jit_executor_rejected_total",
                                   "Tasks refused at submission", name,
                                   "shutdown")),
      skipped_deadline_(CounterOf(
          registry, "jit_executor_skipped_total",
          "Accepted tasks not run because their caller had gone", name,
          "deadline_exceeded")),
      skipped_cancelled_(CounterOf(
          registry, "jit_executor_skipped_total",
          "Accepted tasks not run because their caller had gone", name,
          "cancelled")),
      completed_(CounterOf(registry, "jit_executor_completed_total",
                           "Tasks run", name)),
      queue_wait_(prometheus::BuildHistogram()
                      .Name("jit_executor_queue_wait_seconds")
                      .Help("Time from submission to start (or skip)")
                      .Register(registry)
                      .Add({{"executor", name}},
                           prometheus::Histogram::BucketBoundaries{
                               0.0001, 0.0005, 0.001, 0.005, 0.01, 0.05, 0.1,
                               0.5, 1, 5, 10})) {
  GaugeOf(registry, "jit_executor_threads", "Worker threads", name)
      .Set(threads);
  GaugeOf(registry, "jit_executor_queue_capacity",
          "Tasks that may wait for a worker", name)
      .Set(queue_capacity);
}

}  // namespace jit::metrics
