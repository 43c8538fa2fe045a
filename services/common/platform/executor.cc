#include "platform/executor.h"

#include "base/logging.h"

namespace ibm::platform {

Executor::Executor(int workers, int max_queued) : max_queued_(max_queued) {
  for (int i = 0; i < workers; ++i) workers_.emplace_back([this] { Work(); });
}

Executor::~Executor() { Stop(); }

bool Executor::TrySubmit(std::function<void()> task) {
  absl::MutexLock lock(&mu_);
  if (stopping_ || static_cast<int>(queue_.size()) >= max_queued_) return false;
  queue_.push_back(std::move(task));
  return true;
}

void Executor::Stop() {
  {
    absl::MutexLock lock(&mu_);
    if (stopping_) return;
    stopping_ = true;
  }
  for (auto& t : workers_) t.join();
}

int Executor::queued() const {
  absl::MutexLock lock(&mu_);
  return static_cast<int>(queue_.size());
}

void Executor::Work() {
  while (true) {
    std::function<void()> task;
    {
      absl::MutexLock lock(&mu_);
      auto ready = [this]()
                       ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) { return stopping_ || !queue_.empty(); };
      mu_.Await(absl::Condition(&ready));
      if (queue_.empty()) return;  // stopping, and nothing left to run
      task = std::move(queue_.front());
      queue_.pop_front();
    }
    // A task must not take a worker (or the process) down with it; the call runner already
    // turns a handler's exception into INTERNAL, this is the last line of defence.
    try {
      task();
    } catch (...) {
      Log(LogLevel::kError, "uncaught exception in an executor task");
    }
  }
}

}  // namespace ibm::platform
