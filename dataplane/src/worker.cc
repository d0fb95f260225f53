#include "np/dp/worker.h"

#include <rte_cycles.h>
#include <rte_ethdev.h>

#include <time.h>

namespace np::dp {
namespace {

// Empty polls in a row before the first sleep: long enough that a worker under load
// never sleeps between bursts, short enough (~tens of microseconds) to idle quickly.
constexpr unsigned kEmptyPollsBeforeSleep = 512;

}  // namespace

Worker::Worker(unsigned index, unsigned lcore, Rcu& rcu, const SharedState& shared,
               const Pipeline& pipeline, unsigned idle_sleep_max_us)
    : lcore_(lcore),
      rcu_(rcu),
      pipeline_(pipeline),
      idle_sleep_max_us_(idle_sleep_max_us),
      plan_(rcu, std::make_unique<WorkerPlan>()),
      ctx_(index, shared) {}

void Worker::run(const std::atomic<bool>& stop) {
  const unsigned id = ctx_.index;
  rcu_.reader_register(id);
  rcu_.reader_online(id);
  WorkerCounters& c = ctx_.counters;
  unsigned empty_polls = 0;
  unsigned sleep_us = 0;
  // One TSC read per loop: the end of one poll is the start of the next (rdtsc is costly
  // under some hypervisors).
  uint64_t start = rte_rdtsc();
  while (!stop.load(std::memory_order_relaxed)) {
    const WorkerPlan& plan = *plan_.read();
    ctx_.now_tsc = start;
    uint32_t received = 0;
    for (const RxQueueRef& q : plan.rx) {
      rte_mbuf* pkts[kMaxBurst];
      const uint16_t n = rte_eth_rx_burst(q.port, q.queue, pkts, kMaxBurst);
      if (n == 0) continue;
      uint64_t bytes = 0;
      for (uint16_t i = 0; i < n; ++i) {
        bytes += pkts[i]->pkt_len;
        pkts[i]->port = q.port;  // Drops are counted on m->port, whatever the PMD wrote.
      }
      c.ports[q.port].rx_pkts.add(n);
      c.ports[q.port].rx_bytes.add(bytes);
      received += n;
      pipeline_.process(ctx_, q.port, pkts, n);
      flush_tx(plan);
    }
    // Frames from the control thread count as work: no back-off while they come.
    const bool injected = pipeline_.inject(ctx_) != 0;
    if (injected) flush_tx(plan);
    rcu_.reader_quiescent(id);
    c.polls.add(1);
    const uint64_t end = rte_rdtsc();
    c.poll_sizes[poll_size_bucket(received)].add(1);
    if (received != 0 || injected) {
      c.busy_polls.add(1);
      c.rx_pkts.add(received);
      c.busy_cycles.add(end - start);
      empty_polls = 0;
      sleep_us = 0;
    } else {
      c.idle_cycles.add(end - start);
    }
    start = end;
    if (idle_sleep_max_us_ != 0 && received == 0 && !injected &&
        ++empty_polls >= kEmptyPollsBeforeSleep)
      start = idle_back_off(sleep_us, start);
  }
  rcu_.reader_offline(id);
  rcu_.reader_unregister(id);
}

uint64_t Worker::idle_back_off(unsigned& sleep_us, uint64_t start) {
  // Offline while asleep, so a grace period never waits for a sleeping worker.
  rcu_.reader_offline(ctx_.index);
  sleep_us = sleep_us == 0 ? 1 : std::min(sleep_us * 2, idle_sleep_max_us_);
  timespec ts{0, static_cast<long>(sleep_us) * 1000};
  nanosleep(&ts, nullptr);
  rcu_.reader_online(ctx_.index);
  const uint64_t end = rte_rdtsc();
  ctx_.counters.idle_cycles.add(end - start);
  return end;
}

void Worker::flush_tx(const WorkerPlan& plan) {
  for (uint16_t d = 0; d < ctx_.n_dirty; ++d) {
    const uint16_t port = ctx_.dirty_ports[d];
    TxBuffer& buf = ctx_.tx[port];
    uint64_t bytes = 0;
    for (uint16_t i = 0; i < buf.count; ++i) bytes += buf.pkts[i]->pkt_len;
    rte_spinlock_t* lock = plan.tx_lock[port];
    if (lock != nullptr) rte_spinlock_lock(lock);
    const uint16_t sent = rte_eth_tx_burst(port, plan.txq[port], buf.pkts, buf.count);
    if (lock != nullptr) rte_spinlock_unlock(lock);
    for (uint16_t i = sent; i < buf.count; ++i) {
      bytes -= buf.pkts[i]->pkt_len;
      ctx_.drop(buf.pkts[i], port, DropReason::kTxFull);
    }
    PortCounters& pc = ctx_.counters.ports[port];
    pc.tx_pkts.add(sent);
    pc.tx_bytes.add(bytes);
    buf.count = 0;
  }
  ctx_.n_dirty = 0;
}

}  // namespace np::dp
