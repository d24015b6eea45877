// An in-memory Publisher for tests: records every batch, can be told to fail
// whole calls or chosen messages, and can hold calls to test shutdown.
//
//   FakePublisher pub;
//   pub.FailMessages([](const OutboxMessage& m) { return m.payload == "A2"; });
//   relay->RunOnce();
//   EXPECT_THAT(Payloads(pub.published()), ElementsAre("A1", "B1"));
//
// Thread-safe.
#ifndef JIT_LIBS_OUTBOX_TESTING_FAKE_PUBLISHER_H_
#define JIT_LIBS_OUTBOX_TESTING_FAKE_PUBLISHER_H_

#include <cstddef>
#include <functional>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "libs/outbox/message.h"
#include "libs/outbox/publisher.h"

namespace jit::outbox::testing {

class FakePublisher final : public Publisher {
 public:
  using Predicate = std::function<bool(const OutboxMessage&)>;

  std::vector<absl::Status> PublishBatch(
      const std::vector<OutboxMessage>& batch) override;

  // The next `n` calls fail every message with `status`.
  void FailNextCalls(int n, absl::Status status = absl::UnavailableError(
                                "injected: broker unavailable"));
  // Messages matching `predicate` fail with `status`, the first `times`
  // times they are seen (times < 0: always).
  void FailMessages(Predicate predicate, int times = 1,
                    absl::Status status = absl::UnavailableError(
                        "injected: message delivery failed"));
  // Convenience: fail the message whose payload is `payload`.
  void FailPayload(std::string payload, int times = 1);
  // The next call returns one status fewer than messages (contract breach).
  void ReturnWrongStatusCountOnce();

  // While held, PublishBatch blocks (after recording the call) until
  // ReleaseCalls().
  void HoldCalls();
  void ReleaseCalls();

  // Wait (real time) until at least `n` calls were made / `n` messages were
  // delivered. False on timeout.
  bool WaitForCalls(int n, absl::Duration timeout) const;
  bool WaitForPublished(size_t n, absl::Duration timeout) const;

  // Messages reported delivered, in delivery order (repeats included).
  std::vector<OutboxMessage> published() const;
  // Every batch received, failed or not.
  std::vector<std::vector<OutboxMessage>> calls() const;
  int call_count() const;
  void ClearRecords();

 private:
  struct MessageFailure {
    Predicate predicate;
    int remaining;  // < 0: forever
    absl::Status status;
  };

  mutable absl::Mutex mu_;
  std::vector<std::vector<OutboxMessage>> calls_ ABSL_GUARDED_BY(mu_);
  std::vector<OutboxMessage> published_ ABSL_GUARDED_BY(mu_);
  int fail_calls_ ABSL_GUARDED_BY(mu_) = 0;
  absl::Status fail_calls_status_ ABSL_GUARDED_BY(mu_);
  std::vector<MessageFailure> message_failures_ ABSL_GUARDED_BY(mu_);
  bool wrong_count_once_ ABSL_GUARDED_BY(mu_) = false;
  bool held_ ABSL_GUARDED_BY(mu_) = false;
};

// The payloads of `messages`, for compact assertions.
std::vector<std::string> Payloads(const std::vector<OutboxMessage>& messages);

}  // namespace jit::outbox::testing

#endif  // JIT_LIBS_OUTBOX_TESTING_FAKE_PUBLISHER_H_
