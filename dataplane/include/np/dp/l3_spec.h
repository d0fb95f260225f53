// What the control side asks of the IPv4 layer: interfaces, routes and static neighbors as
// whole lists (the data plane applies the difference), and the rows and counters it reports.
// Addresses are host byte order.
//
// Thread: control only.
#pragma once

#include <rte_ether.h>

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "np/dp/vxlan_spec.h"

namespace np::dp {

struct Ipv4Prefix {
  uint32_t addr = 0;  // Host bits clear.
  uint8_t len = 0;
  bool operator<(const Ipv4Prefix& o) const { return addr != o.addr ? addr < o.addr : len < o.len; }
  bool operator==(const Ipv4Prefix& o) const { return addr == o.addr && len == o.len; }
  bool contains(uint32_t ip) const { return len == 0 || ((ip ^ addr) >> (32 - len)) == 0; }
};

inline uint32_t prefix_mask(uint8_t len) { return len == 0 ? 0 : ~uint32_t{0} << (32 - len); }

// "A.B.C.D" and "A.B.C.D/LEN", for messages and listings.
std::string format_ipv4(uint32_t addr);
std::string format_prefix(Ipv4Prefix prefix);

// A routed port (`port`) or the gateway interface of a bridge domain (`bridge_domain`).
struct InterfaceSpec {
  std::string name;
  std::string port;            // Set for a routed port, or
  uint32_t bridge_domain = 0;  // the bridge domain's id (when `port` is empty).
  uint32_t ip = 0;             // The interface's address; its subnet is a connected route.
  uint8_t prefix_len = 0;
  std::optional<rte_ether_addr> mac;  // Default: the port's MAC; for a gateway, one derived
                                      // from the interface name (locally administered).
};

// One path of a route: through a gateway (`via`, resolved by ARP on the interface whose
// subnet holds it), straight out of `interface` (connected: ARP for the destination), or
// into a VXLAN tunnel (`vxlan`, flannel-style).
struct NextHopSpec {
  uint32_t via = 0;       // 0 = none.
  std::string interface;  // Empty = the one whose subnet holds `via`.
  std::optional<VxlanNextHopSpec> vxlan = std::nullopt;
};

struct RouteSpec {
  Ipv4Prefix prefix;
  std::vector<NextHopSpec> next_hops;  // More than one: ECMP by flow hash.
};

struct NeighborSpec {
  uint32_t ip = 0;
  rte_ether_addr mac{};
  std::string interface;
};

struct L3Spec {
  std::vector<InterfaceSpec> interfaces;
  std::vector<RouteSpec> routes;
  std::vector<NeighborSpec> neighbors;  // Static ARP entries.
  VxlanSpec vxlan;                      // Applied with the routes that use it.
};

struct InterfaceRow {
  std::string name;
  std::string port;  // Empty for a gateway interface.
  uint32_t bridge_domain = 0;
  uint32_t ip = 0;
  uint8_t prefix_len = 0;
  rte_ether_addr mac{};
};

enum class NeighborState : uint8_t { kIncomplete, kReachable, kProbing, kStatic };
const char* neighbor_state_name(NeighborState state);

struct NeighborRow {
  uint32_t ip = 0;
  rte_ether_addr mac{};  // Zero while incomplete.
  std::string interface;
  NeighborState state = NeighborState::kIncomplete;
  uint32_t age_s = 0;  // Seconds since last confirmed (learned entries).
};

// ICMP messages the router sends, by kind (metric label = name).
enum class IcmpKind : uint8_t {
  kEchoReply,
  kTimeExceeded,
  kNetUnreachable,
  kHostUnreachable,
  kPortUnreachable,
  kFragmentationNeeded,
  kCount,
};
inline constexpr unsigned kIcmpKindCount = static_cast<unsigned>(IcmpKind::kCount);
const char* icmp_kind_name(IcmpKind kind);

struct L3Stats {
  uint32_t routes = 0;     // Configured routes (connected and host routes not counted).
  uint32_t neighbors = 0;  // Entries in every state.
  uint64_t arp_requests_sent = 0, arp_replies_sent = 0;
  uint64_t arp_misses = 0;         // Packets that waited for a neighbor's resolution.
  uint64_t arp_queue_drops = 0;    // Dropped: the neighbor's queue was full.
  uint64_t arp_failed_drops = 0;   // Dropped: the neighbor never answered.
  uint64_t punt_queue_drops = 0;   // Lost between a worker and the control thread.
  uint64_t icmp_rate_limited = 0;  // ICMP errors not sent (per-worker rate limit).
  std::array<uint64_t, kIcmpKindCount> icmp_sent{};
};

}  // namespace np::dp
