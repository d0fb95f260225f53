#include "np/control/control_queue.h"

namespace np::control {

bool ControlQueue::run(std::function<void()> fn) {
  auto task = std::make_shared<Task>();
  task->fn = std::move(fn);
  std::unique_lock<std::mutex> lock(mutex_);
  if (closed_) return false;
  pending_.push_back(task);
  done_.wait(lock, [&] { return task->done; });
  return task->ran;
}

void ControlQueue::drain() {
  std::deque<std::shared_ptr<Task>> batch;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    batch.swap(pending_);
  }
  if (batch.empty()) return;
  for (const auto& task : batch) {
    task->fn();
    task->ran = true;
  }
  {
    std::lock_guard<std::mutex> lock(mutex_);
    for (const auto& task : batch) task->done = true;
  }
  done_.notify_all();
}

void ControlQueue::close() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    closed_ = true;
    for (const auto& task : pending_) task->done = true;
    pending_.clear();
  }
  done_.notify_all();
}

}  // namespace np::control
