// What workers read of the services: VIPs and node ports to services, each with its
// backends and Maglev table, and the connection timeouts. Built by the control thread and
// published whole with the config snapshot (never changed in place).
//
// Thread: built on the control thread; read by workers.
#pragma once

#include <rte_byteorder.h>

#include <algorithm>
#include <cstdint>
#include <vector>

#include "np/dp/counters.h"
#include "np/nat/conntrack.h"

namespace np::dp {

// An affinity record's key: the client's address to the VIP and port, this protocol number.
inline constexpr uint8_t kAffinityProto = 0xfe;

struct NatBackend {
  rte_be32_t ip = 0;
  rte_be16_t port = 0;
  uint16_t slot = 0;  // Its counters; flows name their backend by it.
};

struct NatService {
  uint16_t slot = 0;  // Its counters; flows name their service by it.
  rte_be32_t vip = 0;
  rte_be16_t port = 0;
  uint8_t proto = 0;
  rte_be16_t node_port = 0;  // 0: none.
  bool affinity = false;
  uint64_t affinity_tsc = 0;
  std::vector<NatBackend> backends;
  std::vector<uint16_t> maglev;  // Entries index `backends`; empty without backends.
};

struct ServiceTable {
  std::vector<NatService> services;
  // (address or 0 for node ports, port, protocol) packed, sorted, to an index of services.
  std::vector<std::pair<uint64_t, uint16_t>> by_vip, by_node_port;
  nat::FlowTimeouts timeouts;

  static uint64_t pack(rte_be32_t ip, rte_be16_t port, uint8_t proto) {
    return uint64_t{rte_be_to_cpu_32(ip)} << 24 | uint64_t{rte_be_to_cpu_16(port)} << 8 | proto;
  }
  static const NatService* find(const std::vector<std::pair<uint64_t, uint16_t>>& index,
                                const std::vector<NatService>& services, uint64_t key) {
    auto it = std::lower_bound(index.begin(), index.end(), std::make_pair(key, uint16_t{0}));
    return it != index.end() && it->first == key ? &services[it->second] : nullptr;
  }
  const NatService* find_vip(rte_be32_t ip, rte_be16_t port, uint8_t proto) const {
    return find(by_vip, services, pack(ip, port, proto));
  }
  const NatService* find_node_port(rte_be16_t port, uint8_t proto) const {
    return find(by_node_port, services, pack(0, port, proto));
  }
};

}  // namespace np::dp
