// What one worker carries through its stages: its counters, its queues to and from the
// control thread, the bursts handed from one stage to the next, and its per-port transmit
// buffers (filled by stages, flushed once per received burst).
//
// Thread: owned by one worker; control reads the counters and drains the learning queue.
#pragma once

#include <rte_mbuf.h>

#include <array>
#include <atomic>
#include <cstdint>
#include <cstring>

#include "np/dp/counters.h"
#include "np/dp/l3_events.h"
#include "np/dp/learn_queue.h"
#include "np/dp/limits.h"

namespace np::dp {

// Facts every worker reads and the control thread writes.
struct SharedState {
  std::atomic<uint8_t> link_up[kMaxPorts] = {};
  std::atomic<uint32_t> now_s{0};  // Coarse clock for MAC aging.
};

// Room for a burst and its copies to remote VTEPs (head-end replication).
inline constexpr uint16_t kTxBufferSize = 4 * kMaxBurst;

struct TxBuffer {
  uint16_t count = 0;
  rte_mbuf* pkts[kTxBufferSize];
};

// Frames the bridge hands the router, each with the gateway interface it was sent to.
struct RouterInput {
  uint16_t count = 0;
  uint16_t ifaces[kMaxBurst];
  rte_mbuf* pkts[kMaxBurst];
};

// Frames the router sends out of gateway interfaces: switched in each one's domain.
struct BridgeOutput {
  uint16_t count = 0;
  uint16_t domains[kMaxBurst];
  rte_mbuf* pkts[kMaxBurst];
};

// Frames the bridge or the router send into VXLAN: each to a remote VTEP in a VNI.
struct TunnelOutput {
  uint16_t count = 0;
  rte_mbuf* pkts[kTxBufferSize];
  rte_be32_t remotes[kTxBufferSize];
  uint32_t vnis[kTxBufferSize];
  uint16_t slots[kTxBufferSize];  // The VNI's counters.
};

// Frames decapsulated by the router: for a domain (L2 VNI) from a remote's virtual port,
// or (domain kNoDomain) to be routed (L3 VNI).
struct TunnelInput {
  uint16_t count = 0;
  rte_mbuf* pkts[kMaxBurst];
  uint16_t domains[kMaxBurst];
  uint16_t remote_ports[kMaxBurst];
};

// ICMP errors a worker may send: a token bucket of kIcmpBurst refilled at kIcmpPerSecond.
inline constexpr uint32_t kIcmpPerSecond = 1000;
inline constexpr uint32_t kIcmpBurst = 50;
struct IcmpBudget {
  uint64_t refilled_tsc = 0;
  uint32_t tokens = kIcmpBurst;
};

struct WorkerCtx {
  explicit WorkerCtx(unsigned index, const SharedState& shared) : index(index), shared(shared) {}

  // Queues one packet for `port`. A burst sends each packet at most once per port, so a
  // buffer never holds more than kMaxBurst between flushes.
  // Queues one packet for `port`; a full buffer (copies to many remote VTEPs) drops it.
  void enqueue_tx(uint16_t port, rte_mbuf* m) {
    TxBuffer& buf = tx[port];
    if (buf.count == 0) dirty_ports[n_dirty++] = port;
    if (buf.count == kTxBufferSize) {
      drop(m, port, DropReason::kTxFull);
      return;
    }
    buf.pkts[buf.count++] = m;
  }
  // For n <= kMaxBurst packets of one received burst.
  void enqueue_tx_bulk(uint16_t port, rte_mbuf* const* pkts, uint16_t n) {
    TxBuffer& buf = tx[port];
    if (buf.count == 0) dirty_ports[n_dirty++] = port;
    if (buf.count + n > kTxBufferSize) {
      for (uint16_t i = 0; i < n; ++i) enqueue_tx(port, pkts[i]);
      return;
    }
    std::memcpy(&buf.pkts[buf.count], pkts, n * sizeof(*pkts));
    buf.count = static_cast<uint16_t>(buf.count + n);
  }
  void drop(rte_mbuf* m, uint16_t port, DropReason reason) {
    rte_pktmbuf_free(m);
    counters.ports[port].drops[static_cast<unsigned>(reason)].add(1);
  }

  const unsigned index;
  const SharedState& shared;
  uint64_t now_tsc = 0;  // Read once per poll loop.
  WorkerCounters counters;
  LearnQueue learn;
  PuntQueue punt;
  InjectQueue inject;
  RouterInput to_router;
  BridgeOutput to_bridge;
  TunnelOutput to_tunnel;
  TunnelInput from_tunnel;
  IcmpBudget icmp_budget;
  uint16_t snat_next = 0;  // The next SNAT port to try, within the worker's range.
  std::array<TxBuffer, kMaxPorts> tx;
  uint16_t dirty_ports[kMaxPorts];
  uint16_t n_dirty = 0;
};

}  // namespace np::dp
