// Work handed to the control thread (the single writer of every table) by other threads:
// gRPC handlers, the metrics server. The control loop drains the queue every millisecond.
//
// Thread: run(): any thread but the control thread. drain(): control only.
#pragma once

#include <condition_variable>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>

namespace np::control {

class ControlQueue {
 public:
  // Runs `fn` on the control thread and returns true when it has run; false if the queue
  // was closed first (the daemon is stopping) and `fn` will never run.
  bool run(std::function<void()> fn);
  // Runs everything queued so far.
  void drain();
  // Fails every queued and future run(). The control loop calls it when it stops.
  void close();

 private:
  struct Task {
    std::function<void()> fn;
    bool done = false;
    bool ran = false;
  };
  std::mutex mutex_;
  std::condition_variable done_;
  std::deque<std::shared_ptr<Task>> pending_;
  bool closed_ = false;
};

}  // namespace np::control
