// A poll-mode worker: on its lcore, it polls the rx queues it owns, runs the pipeline on
// each burst, sends what the control thread queued for it, flushes the tx buffers, reports an RCU
// quiescent state once per loop, and backs off adaptively when idle (sleeps after many empty polls,
// growing to a cap).
//
// Thread: run() on the worker's lcore; plan() publish and counters reads on control.
#pragma once

#include <rte_spinlock.h>

#include <array>
#include <atomic>
#include <memory>
#include <vector>

#include "np/dp/pipeline.h"
#include "np/dp/published.h"
#include "np/dp/rcu.h"
#include "np/dp/worker_ctx.h"

namespace np::dp {

struct RxQueueRef {
  uint16_t port;
  uint16_t queue;
};

// Which queues a worker polls and which tx queue it uses per port.
struct WorkerPlan {
  WorkerPlan() {
    txq.fill(0);
    tx_lock.fill(nullptr);
  }
  std::vector<RxQueueRef> rx;
  std::array<uint16_t, kMaxPorts> txq;
  std::array<rte_spinlock_t*, kMaxPorts> tx_lock;  // Set only where the queue is shared.
};

class Worker {
 public:
  Worker(unsigned index, unsigned lcore, Rcu& rcu, const SharedState& shared,
         const Pipeline& pipeline, unsigned idle_sleep_max_us);

  // The poll loop; returns when `stop` becomes true.
  void run(const std::atomic<bool>& stop);

  unsigned index() const { return ctx_.index; }
  unsigned lcore() const { return lcore_; }
  WorkerCtx& ctx() { return ctx_; }
  const WorkerCounters& counters() const { return ctx_.counters; }
  Published<WorkerPlan>& plan() { return plan_; }

 private:
  void flush_tx(const WorkerPlan& plan);
  // Sleeps (growing sleep_us to the cap), counts the time since `start` as idle, and
  // returns the TSC after waking.
  uint64_t idle_back_off(unsigned& sleep_us, uint64_t start);

  unsigned lcore_;
  Rcu& rcu_;
  const Pipeline& pipeline_;
  unsigned idle_sleep_max_us_;
  Published<WorkerPlan> plan_;
  WorkerCtx ctx_;
};

}  // namespace np::dp
