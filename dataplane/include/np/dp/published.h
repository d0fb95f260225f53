// An immutable object published to workers by one pointer swap; the object it replaces is
// freed after an RCU grace period. The one place that does "build aside, swap, retire".
//
// Thread: read(): any reader registered with the Rcu. publish(): control only.
#pragma once

#include <atomic>
#include <memory>

#include "np/dp/rcu.h"

namespace np::dp {

template <class T>
class Published {
 public:
  Published(Rcu& rcu, std::unique_ptr<T> initial) : rcu_(rcu), current_(initial.release()) {}
  ~Published() { delete current_.load(std::memory_order_relaxed); }
  Published(const Published&) = delete;
  Published& operator=(const Published&) = delete;

  const T* read() const { return current_.load(std::memory_order_acquire); }

  void publish(std::unique_ptr<T> next) {
    T* old = current_.exchange(next.release(), std::memory_order_acq_rel);
    rcu_.retire([old] { delete old; });
  }

 private:
  Rcu& rcu_;
  std::atomic<T*> current_;
};

}  // namespace np::dp
