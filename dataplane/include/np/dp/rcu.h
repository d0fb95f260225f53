// Quiescent-state-based reclamation (DPDK rte_rcu_qsbr) for everything workers read without
// locks. Workers report a quiescent state once per loop; memory a worker may still see is
// freed only after every registered worker has reported one since it was retired.
//
// Thread: construct, retire, reclaim: control only. reader_*: the worker that owns the id.
#pragma once

#include <rte_rcu_qsbr.h>

#include <cstdint>
#include <deque>
#include <functional>

namespace np::dp {

class Rcu {
 public:
  explicit Rcu(unsigned max_readers);
  ~Rcu();
  Rcu(const Rcu&) = delete;
  Rcu& operator=(const Rcu&) = delete;

  rte_rcu_qsbr* qsbr() { return qsbr_; }

  // Runs `free_fn` once no reader can still hold what it frees.
  void retire(std::function<void()> free_fn);
  // Frees what has become safe; returns how many retirements are still waiting.
  size_t reclaim();
  // Waits for a grace period and frees everything (shutdown, tests).
  void drain();

  void reader_register(unsigned id);
  void reader_unregister(unsigned id);
  void reader_online(unsigned id) { rte_rcu_qsbr_thread_online(qsbr_, id); }
  void reader_offline(unsigned id) { rte_rcu_qsbr_thread_offline(qsbr_, id); }
  void reader_quiescent(unsigned id) { rte_rcu_qsbr_quiescent(qsbr_, id); }

 private:
  struct Retired {
    uint64_t token;
    std::function<void()> free_fn;
  };
  rte_rcu_qsbr* qsbr_ = nullptr;
  std::deque<Retired> retired_;
};

}  // namespace np::dp
