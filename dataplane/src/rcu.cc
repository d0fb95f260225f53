#include "np/dp/rcu.h"

#include <rte_malloc.h>

#include <stdexcept>

namespace np::dp {

Rcu::Rcu(unsigned max_readers) {
  size_t size = rte_rcu_qsbr_get_memsize(max_readers);
  qsbr_ = static_cast<rte_rcu_qsbr*>(rte_zmalloc("np_rcu", size, RTE_CACHE_LINE_SIZE));
  if (qsbr_ == nullptr || rte_rcu_qsbr_init(qsbr_, max_readers) != 0)
    throw std::runtime_error("cannot allocate the RCU state (out of DPDK memory?)");
}

Rcu::~Rcu() {
  drain();
  rte_free(qsbr_);
}

void Rcu::retire(std::function<void()> free_fn) {
  retired_.push_back({rte_rcu_qsbr_start(qsbr_), std::move(free_fn)});
}

size_t Rcu::reclaim() {
  // Tokens grow monotonically, so the oldest retirements become safe first.
  while (!retired_.empty() && rte_rcu_qsbr_check(qsbr_, retired_.front().token, false) == 1) {
    retired_.front().free_fn();
    retired_.pop_front();
  }
  return retired_.size();
}

void Rcu::drain() {
  if (retired_.empty()) return;
  rte_rcu_qsbr_check(qsbr_, retired_.back().token, true);
  reclaim();
}

void Rcu::reader_register(unsigned id) { rte_rcu_qsbr_thread_register(qsbr_, id); }
void Rcu::reader_unregister(unsigned id) { rte_rcu_qsbr_thread_unregister(qsbr_, id); }

}  // namespace np::dp
