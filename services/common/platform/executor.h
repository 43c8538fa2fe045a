#pragma once

#include <deque>
#include <functional>
#include <thread>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"

namespace ibm::platform {

// A fixed pool of worker threads with a bounded queue: blocking work (SQL) runs here, never
// on gRPC's own threads. When the queue is full, TrySubmit says no at once, so an overloaded
// server answers RESOURCE_EXHAUSTED quickly instead of letting calls pile up.
class Executor {
 public:
  Executor(int workers, int max_queued);
  ~Executor();  // finishes queued work, then joins

  // False (and `task` not run) when the queue is full or the executor stopped.
  bool TrySubmit(std::function<void()> task);
  // Runs what is queued, then stops the workers. Idempotent.
  void Stop();

  int queued() const;
  int max_queued() const { return max_queued_; }

 private:
  void Work();

  const int max_queued_;
  mutable absl::Mutex mu_;
  std::deque<std::function<void()>> queue_ ABSL_GUARDED_BY(mu_);
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  std::vector<std::thread> workers_;
};

}  // namespace ibm::platform
