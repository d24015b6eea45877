// Prometheus metrics of a bounded executor (libs/executor), one set of series
// per executor, labelled executor="<name>" (the service's name):
//
//   jit_executor_threads{executor}               gauge: worker threads
//   jit_executor_queue_capacity{executor}        gauge: tasks that may wait
//   jit_executor_queue_depth{executor}           gauge: tasks waiting now
//   jit_executor_busy_threads{executor}          gauge: workers running a task
//   jit_executor_rejected_total{executor,reason} counter: tasks refused at
//       submission, reason "queue_full" (answered RESOURCE_EXHAUSTED) or
//       "shutdown"
//   jit_executor_skipped_total{executor,reason}  counter: accepted tasks
//       whose caller had gone before a worker reached them, reason
//       "deadline_exceeded" or "cancelled" (their work never ran)
//   jit_executor_completed_total{executor}       counter: tasks run
//   jit_executor_queue_wait_seconds{executor}    histogram: submission to
//       start (or skip), 0.1 ms .. 10 s
//
// Alert on rejected_total rising (overload) and on queue_depth staying near
// queue_capacity. The executor feeds this; services do not call it.
//
// Thread safety: all methods are thread-safe.
#ifndef JIT_LIBS_METRICS_EXECUTOR_METRICS_H_
#define JIT_LIBS_METRICS_EXECUTOR_METRICS_H_

#include <string>

#include "prometheus/counter.h"
#include "prometheus/gauge.h"
#include "prometheus/histogram.h"
#include "prometheus/registry.h"

namespace jit::metrics {

class ExecutorMetrics {
 public:
  // Registers (or joins) the families in `registry`, which must outlive this
  // object, with executor="<name>".
  ExecutorMetrics(prometheus::Registry& registry, const std::string& name,
                  int threads, int queue_capacity);
  ExecutorMetrics(const ExecutorMetrics&) = delete;
  ExecutorMetrics& operator=(const ExecutorMetrics&) = delete;

  void SetQueueDepth(int depth) { queue_depth_.Set(depth); }
  void SetBusyThreads(int busy) { busy_threads_.Set(busy); }
  void RejectedQueueFull() { rejected_full_.Increment(); }
  void RejectedShutdown() { rejected_shutdown_.Increment(); }
  void SkippedDeadline() { skipped_deadline_.Increment(); }
  void SkippedCancelled() { skipped_cancelled_.Increment(); }
  void Completed() { completed_.Increment(); }
  void QueueWait(double seconds) { queue_wait_.Observe(seconds); }

 private:
  prometheus::Gauge& queue_depth_;
  prometheus::Gauge& busy_threads_;
  prometheus::Counter& rejected_full_;
  prometheus::Counter& rejected_shutdown_;
  prometheus::Counter& skipped_deadline_;
  prometheus::Counter& skipped_cancelled_;
  prometheus::Counter& completed_;
  prometheus::Histogram& queue_wait_;
};

}  // namespace jit::metrics

#endif  // JIT_LIBS_METRICS_EXECUTOR_METRICS_H_
