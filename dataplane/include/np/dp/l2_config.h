// Bridge-domain, IPv4-interface, VXLAN and port-security settings as workers see them: an
// immutable snapshot published through Published<L2Config> whenever a domain, its members, an
// interface, a tunnel or a port's security change (one snapshot, so they always agree).
//
// Thread: built by control; read by workers (once per burst) and control.
#pragma once

#include <rte_ether.h>

#include <algorithm>
#include <array>
#include <cstdint>
#include <cstring>
#include <memory>
#include <vector>

#include "np/dp/counters.h"
#include "np/dp/service_table.h"

namespace np::dp {

inline constexpr uint16_t kNoDomain = 0xffff;
inline constexpr uint16_t kNoIface = 0xffff;
inline constexpr uint16_t kNoPort = 0xffff;
inline constexpr uint16_t kDefaultMtu = 1500;
// MAC entries behind a VXLAN tunnel carry a virtual port: this base + the remote VTEP's
// index in VxlanConfig::remotes. Virtual ports index no per-port array.
inline constexpr uint16_t kRemotePortBase = 0x4000;
inline constexpr uint16_t kMaxRemotes = 4096;

inline constexpr uint16_t kNoSecurity = 0xffff;
inline constexpr unsigned kMaxSecurityIps = 8;

// A port's anti-spoofing rules (port_security.h): the only Ethernet source it may send from,
// and the IPv4 sender addresses of its IPv4 and ARP frames.
struct PortSecurity {
  // The MAC as the first 6 bytes of an 8-byte word read from a frame's source address, and
  // the mask of those bytes: one load and compare per frame.
  uint64_t source = 0;
  uint64_t source_mask = 0;
  rte_ether_addr mac{};
  uint8_t n_ips = 0;
  rte_be32_t ips[kMaxSecurityIps] = {};

  void set_mac(const rte_ether_addr& address) {
    mac = address;
    const uint8_t ones[8] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0, 0};
    uint8_t bytes[8] = {};
    std::memcpy(bytes, address.addr_bytes, sizeof(address.addr_bytes));
    std::memcpy(&source, bytes, sizeof(source));
    std::memcpy(&source_mask, ones, sizeof(source_mask));
  }
};

inline bool is_remote_port(uint16_t port) {
  return port >= kRemotePortBase && port < kRemotePortBase + kMaxRemotes;
}

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
  // The L2 VNI extending the domain (0 = none), its counter slot, and the remote VTEPs
  // (indices in VxlanConfig::remotes) that get its floods.
  uint32_t vni = 0;
  uint16_t vni_slot = 0;
  std::vector<uint16_t> flood_remotes;
};

struct VniEntry {
  uint32_t vni;
  uint16_t domain;  // An L2 VNI's domain index; kNoDomain for an L3 VNI.
  uint16_t slot;    // Its counters.
  bool operator<(uint32_t v) const { return vni < v; }
};

struct RemoteEntry {
  rte_be32_t ip;
  uint16_t index;
  bool operator<(rte_be32_t v) const { return ip < v; }
};

struct VxlanConfig {
  bool enabled = false;
  rte_be32_t local_ip = 0;
  rte_be16_t port = 0;
  rte_ether_addr mac{};             // Our VTEP's inner MAC (L3 VNIs).
  uint16_t mtu = kDefaultMtu;       // Of the interface holding local_ip (the uplink).
  uint16_t iface = kNoIface;        // The interface L3-VNI frames are routed as coming in on.
  std::vector<VniEntry> vnis;       // Sorted by VNI.
  std::vector<rte_be32_t> remotes;  // By remote index (stable for the daemon's lifetime).
  std::vector<RemoteEntry> remote_lookup;  // Sorted by address.
  std::vector<uint16_t> vni_of_slot;       // Index in vnis of each counter slot's VNI, or kNoVni.

  static constexpr uint16_t kNoVni = 0xffff;

  const VniEntry* find_vni(uint32_t vni) const {
    auto it = std::lower_bound(vnis.begin(), vnis.end(), vni);
    return it != vnis.end() && it->vni == vni ? &*it : nullptr;
  }
  // The VNI an rte_flow rule marked a packet with (mark = counter slot + 1), or nullptr
  // when the mark names no current VNI.
  const VniEntry* marked_vni(uint32_t mark) const {
    if (mark == 0 || mark > vni_of_slot.size()) return nullptr;
    const uint16_t index = vni_of_slot[mark - 1];
    return index == kNoVni ? nullptr : &vnis[index];
  }
  // The virtual port of remote VTEP `ip`, or kNoPort.
  uint16_t remote_port(rte_be32_t ip) const {
    auto it = std::lower_bound(remote_lookup.begin(), remote_lookup.end(), ip);
    return it != remote_lookup.end() && it->ip == ip ? kRemotePortBase + it->index : kNoPort;
  }
};

// An IPv4 interface: a routed port, or the gateway of a bridge domain.
struct L3Interface {
  rte_be32_t ip = 0;
  uint8_t prefix_len = 0;
  rte_ether_addr mac{};
  uint16_t port = kNoPort;      // The routed port, or
  uint16_t domain = kNoDomain;  // the index of the domain it is the gateway of.
  uint16_t mtu = kDefaultMtu;
  bool tunnel = false;  // The L3 VNIs' interface (VxlanConfig::iface): answers go into tunnels.

  // Whether `addr` (host byte order) is in the interface's subnet.
  bool holds(uint32_t addr) const {
    return ((addr ^ rte_be_to_cpu_32(ip)) & prefix_mask(prefix_len)) == 0;
  }
};

struct L2Config {
  L2Config() {
    port_domain.fill(kNoDomain);
    port_iface.fill(kNoIface);
    port_security.fill(kNoSecurity);
  }
  // Domain index of each port (kNoDomain if none). The index keys the MAC table.
  std::array<uint16_t, kMaxPorts> port_domain;
  // Interface of each routed port (kNoIface if none); a port is routed or bridged.
  std::array<uint16_t, kMaxPorts> port_iface;
  // Index in `securities` of each port's anti-spoofing rules (kNoSecurity if none).
  std::array<uint16_t, kMaxPorts> port_security;
  std::vector<PortSecurity> securities;
  std::vector<BridgeDomain> domains;  // By domain index.
  std::vector<L3Interface> ifaces;    // By interface index.
  VxlanConfig vxlan;
  std::shared_ptr<const ServiceTable> services;  // Null: no services.

  // Whether `port` (real, or a remote VTEP's virtual port) belongs to domain `domain`.
  bool port_in_domain(uint16_t port, uint16_t domain) const {
    if (is_remote_port(port))
      return domain < domains.size() && domains[domain].vni != 0 &&
             static_cast<size_t>(port - kRemotePortBase) < vxlan.remotes.size();
    return port < kMaxPorts && port_domain[port] == domain;
  }
};

}  // namespace np::dp
