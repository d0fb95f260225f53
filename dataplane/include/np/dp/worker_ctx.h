// What one worker carries through its stages: its counters, its learning queue, and its
// per-port transmit buffers (filled by stages, flushed once per received burst).
//
// Thread: owned by one worker; control reads the counters and drains the learning queue.
#pragma once

#include <rte_mbuf.h>

#include <array>
#include <atomic>
#include <cstdint>
#include <cstring>

#include "np/dp/counters.h"
#include "np/dp/learn_queue.h"
#include "np/dp/limits.h"

namespace np::dp {

// Facts every worker reads and the control thread writes.
struct SharedState {
  std::atomic<uint8_t> link_up[kMaxPorts] = {};
  std::atomic<uint32_t> now_s{0};  // Coarse clock for MAC aging.
};

struct TxBuffer {
  uint16_t count = 0;
  rte_mbuf* pkts[kMaxBurst];
};

struct WorkerCtx {
  explicit WorkerCtx(unsigned index, const SharedState& shared) : index(index), shared(shared) {}

  // Queues one packet for `port`. A burst sends each packet at most once per port, so a
  // buffer never holds more than kMaxBurst between flushes.
  void enqueue_tx(uint16_t port, rte_mbuf* m) {
    TxBuffer& buf = tx[port];
    if (buf.count == 0) dirty_ports[n_dirty++] = port;
    buf.pkts[buf.count++] = m;
  }
  void enqueue_tx_bulk(uint16_t port, rte_mbuf* const* pkts, uint16_t n) {
    TxBuffer& buf = tx[port];
    if (buf.count == 0) dirty_ports[n_dirty++] = port;
    std::memcpy(&buf.pkts[buf.count], pkts, n * sizeof(*pkts));
    buf.count = static_cast<uint16_t>(buf.count + n);
  }
  void drop(rte_mbuf* m, uint16_t port, DropReason reason) {
    rte_pktmbuf_free(m);
    counters.ports[port].drops[static_cast<unsigned>(reason)].add(1);
  }

  const unsigned index;
  const SharedState& shared;
  WorkerCounters counters;
  LearnQueue learn;
  std::array<TxBuffer, kMaxPorts> tx;
  uint16_t dirty_ports[kMaxPorts];
  uint16_t n_dirty = 0;
};

}  // namespace np::dp
