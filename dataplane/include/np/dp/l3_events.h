// What workers and the control thread hand each other for IPv4: workers report neighbors
// they hear from and packets waiting for ARP resolution (one spsc queue per worker, drained
// by control); control hands workers packets to send (ARP requests, packets released by a
// resolution, ICMP host unreachable) through one spsc queue per worker the other way.
//
// Thread: PuntQueue: push by its worker, pop by control. InjectQueue: the reverse.
#pragma once

#include <rte_ether.h>
#include <rte_mbuf.h>

#include <boost/lockfree/spsc_queue.hpp>
#include <cstdint>

namespace np::dp {

struct PuntEvent {
  enum Kind : uint8_t {
    kNeighborSeen,  // ARP from `ip`/`mac` on `iface`: learn or refresh it.
    kResolve,       // `m` (TTL already decremented) waits for `ip`'s MAC on `iface`.
  };
  Kind kind;
  uint16_t iface;
  uint16_t in_iface;  // kResolve: where `m` came in (for ICMP host unreachable).
  uint32_t ip;        // Host byte order.
  rte_ether_addr mac;
  rte_mbuf* m;
};

struct InjectItem {
  rte_mbuf* m;     // A finished frame.
  uint16_t iface;  // Sent out of this interface (flooded in its domain if broadcast).
};

using PuntQueue = boost::lockfree::spsc_queue<PuntEvent, boost::lockfree::capacity<1024>>;
using InjectQueue = boost::lockfree::spsc_queue<InjectItem, boost::lockfree::capacity<1024>>;

}  // namespace np::dp
