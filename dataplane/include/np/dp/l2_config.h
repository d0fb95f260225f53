// Bridge-domain and IPv4-interface settings as workers see them: an immutable snapshot
// published through Published<L2Config> whenever a domain, its members or an interface
// change (one snapshot, so a domain and its gateway interface always agree).
//
// Thread: built by control; read by workers (once per burst) and control.
#pragma once

#include <rte_ether.h>

#include <array>
#include <cstdint>
#include <vector>

#include "np/dp/counters.h"

namespace np::dp {

inline constexpr uint16_t kNoDomain = 0xffff;
inline constexpr uint16_t kNoIface = 0xffff;
inline constexpr uint16_t kNoPort = 0xffff;
inline constexpr uint16_t kDefaultMtu = 1500;

struct BridgeDomain {
  uint32_t id = 0;  // The user's id (config, API).
  bool learning = true;
  bool flood = true;       // Flood unknown unicast; broadcast and multicast always flood.
  uint32_t aging_s = 300;  // 0 = entries never age.
  uint32_t max_macs = 0;   // 0 = no per-domain limit.
  uint16_t n_members = 0;
  std::array<uint16_t, kMaxPorts> members{};
  // The domain's gateway interface (IRB/BVI): frames to gateway_key (domain index + the
  // interface's MAC, a MacKey) are routed, ARP requests for gateway_ip are answered.
  uint16_t gateway = kNoIface;
  uint64_t gateway_key = ~uint64_t{0};
  rte_be32_t gateway_ip = 0;
};

// An IPv4 interface: a routed port, or the gateway of a bridge domain.
struct L3Interface {
  rte_be32_t ip = 0;
  uint8_t prefix_len = 0;
  rte_ether_addr mac{};
  uint16_t port = kNoPort;      // The routed port, or
  uint16_t domain = kNoDomain;  // the index of the domain it is the gateway of.
  uint16_t mtu = kDefaultMtu;
};

struct L2Config {
  L2Config() {
    port_domain.fill(kNoDomain);
    port_iface.fill(kNoIface);
  }
  // Domain index of each port (kNoDomain if none). The index keys the MAC table.
  std::array<uint16_t, kMaxPorts> port_domain;
  // Interface of each routed port (kNoIface if none); a port is routed or bridged.
  std::array<uint16_t, kMaxPorts> port_iface;
  std::vector<BridgeDomain> domains;  // By domain index.
  std::vector<L3Interface> ifaces;    // By interface index.
};

}  // namespace np::dp
