// Per-worker counters. Each worker writes only its own; the control thread reads them all
// and sums (reads may be a few packets stale, never torn).
//
// Thread: written by one worker, read by any.
#pragma once

#include <atomic>
#include <cstdint>

#include "np/dp/drop_reason.h"
#include "np/dp/l3_spec.h"
#include "np/dp/limits.h"
#include "np/dp/service_spec.h"
#include "np/dp/vxlan_spec.h"

namespace np::dp {

// A counter with one writer: a relaxed load+store compiles to a plain add, and readers on
// other threads still see whole values.
class Counter {
 public:
  void add(uint64_t n) {
    value_.store(value_.load(std::memory_order_relaxed) + n, std::memory_order_relaxed);
  }
  uint64_t get() const { return value_.load(std::memory_order_relaxed); }

 private:
  std::atomic<uint64_t> value_{0};
};

struct PortCounters {
  Counter rx_pkts, rx_bytes, tx_pkts, tx_bytes;
  Counter drops[kDropReasonCount];
};

inline constexpr unsigned kVniCounterSlots = 256;   // VNIs with their own counters.
inline constexpr unsigned kMaxServiceSlots = 1024;  // Services with their own counters.
inline constexpr unsigned kMaxBackendSlots = 8192;  // Backends with their own counters.

inline constexpr unsigned kPollSizeBuckets = 9;  // 0, 1, 2-3, ..., 64-127, 128+

inline unsigned poll_size_bucket(uint32_t packets) {
  const unsigned width = packets == 0 ? 0 : 32 - static_cast<unsigned>(__builtin_clz(packets));
  return width < kPollSizeBuckets ? width : kPollSizeBuckets - 1;
}

struct L3Counters {
  Counter icmp_sent[kIcmpKindCount];
  Counter icmp_rate_limited;
  Counter arp_replies_sent;
  Counter punt_queue_drops;
};

struct VniCounters {
  Counter encap, decap;
  Counter drops[kVxlanDropCount];
};

struct ServiceCounters {
  Counter packets, new_flows;
};

struct WorkerCounters {
  Counter polls;       // Loop iterations.
  Counter busy_polls;  // Iterations that received at least one packet.
  Counter rx_pkts;
  Counter busy_cycles;           // TSC cycles spent in busy iterations (rx, process, tx).
  Counter idle_cycles;           // TSC cycles spent in empty iterations, sleeps included.
  Counter learn_events_dropped;  // Learning events lost to a full queue.
  // Polls by packets received: bucket 0 counts empty polls, bucket b >= 1 polls that got
  // [2^(b-1), 2^b) packets; the last bucket takes everything above.
  Counter poll_sizes[kPollSizeBuckets];
  L3Counters l3;
  Counter vxlan_drops[kVxlanDropCount];  // Decapsulation drops before a VNI is known.
  VniCounters vnis[kVniCounterSlots];
  // Services: by service slot and backend slot (service_table.h), drops by reason.
  ServiceCounters services[kMaxServiceSlots];
  ServiceCounters backends[kMaxBackendSlots];
  Counter nat_drops[kNatDropCount];
  Counter flows_created;
  alignas(64) PortCounters ports[kMaxPorts];
};

}  // namespace np::dp
