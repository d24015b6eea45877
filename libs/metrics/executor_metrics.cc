#include "libs/metrics/executor_metrics.h"

#include "prometheus/family.h"

namespace jit::metrics {
namespace {

// Each family's name is spelled out in a Build*().Name("...") call: the
// monitoring check (deploy/tests/monitoring) finds exported names that way.
prometheus::Family<prometheus::Gauge>& ThreadsFamily(prometheus::Registry& r) {
  return prometheus::BuildGauge()
      .Name("jit_executor_threads")
      .Help("Worker threads of the executor")
      .Register(r);
}
prometheus::Family<prometheus::Gauge>& QueueCapacityFamily(prometheus::Registry& r) {
  return prometheus::BuildGauge()
      .Name("jit_executor_queue_capacity")
      .Help("Tasks that may wait for a worker")
      .Register(r);
}
prometheus::Family<prometheus::Gauge>& QueueDepthFamily(prometheus::Registry& r) {
  return prometheus::BuildGauge()
      .Name("jit_executor_queue_depth")
      .Help("Tasks waiting for a worker")
      .Register(r);
}
prometheus::Family<prometheus::Gauge>& BusyThreadsFamily(prometheus::Registry& r) {
  return prometheus::BuildGauge()
      .Name("jit_executor_busy_threads")
      .Help("Workers running a task")
      .Register(r);
}
prometheus::Family<prometheus::Counter>& RejectedFamily(prometheus::Registry& r) {
  return prometheus::BuildCounter()
      .Name("jit_executor_rejected_total")
      .Help("Tasks refused at submission (queue_full: answered "
            "RESOURCE_EXHAUSTED; shutdown)")
      .Register(r);
}
prometheus::Family<prometheus::Counter>& SkippedFamily(prometheus::Registry& r) {
  return prometheus::BuildCounter()
      .Name("jit_executor_skipped_total")
      .Help("Accepted tasks not run because their caller had gone")
      .Register(r);
}
prometheus::Family<prometheus::Counter>& CompletedFamily(prometheus::Registry& r) {
  return prometheus::BuildCounter()
      .Name("jit_executor_completed_total")
      .Help("Tasks run")
      .Register(r);
}
prometheus::Family<prometheus::Histogram>& QueueWaitFamily(prometheus::Registry& r) {
  return prometheus::BuildHistogram()
      .Name("jit_executor_queue_wait_seconds")
      .Help("Time from submission to start (or skip)")
      .Register(r);
}

}  // namespace

ExecutorMetrics::ExecutorMetrics(prometheus::Registry& registry,
                                 const std::string& name, int threads,
                                 int queue_capacity)
    : queue_depth_(QueueDepthFamily(registry).Add({{"executor", name}})),
      busy_threads_(BusyThreadsFamily(registry).Add({{"executor", name}})),
      rejected_full_(
          RejectedFamily(registry).Add({{"executor", name}, {"reason", "queue_full"}})),
      rejected_shutdown_(
          RejectedFamily(registry).Add({{"executor", name}, {"reason", "shutdown"}})),
      skipped_deadline_(SkippedFamily(registry).Add(
          {{"executor", name}, {"reason", "deadline_exceeded"}})),
      skipped_cancelled_(
          SkippedFamily(registry).Add({{"executor", name}, {"reason", "cancelled"}})),
      completed_(CompletedFamily(registry).Add({{"executor", name}})),
      queue_wait_(QueueWaitFamily(registry).Add(
          {{"executor", name}},
          prometheus::Histogram::BucketBoundaries{0.0001, 0.0005, 0.001, 0.005,
                                                  0.01, 0.05, 0.1, 0.5, 1, 5,
                                                  10})) {
  ThreadsFamily(registry).Add({{"executor", name}}).Set(threads);
  QueueCapacityFamily(registry).Add({{"executor", name}}).Set(queue_capacity);
}

}  // namespace jit::metrics
