// The desired state of a node as the config file gives it (SPEC.md, "Configuration").
//
// Thread: built and read by the control thread only. The loader fills these structs from
// YAML and validates them whole; the apply step turns them into data-plane tables.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "np/control/status.h"

namespace np::control {

// Where a value came from in the config file, for error messages (1-based; 0 = unknown).
struct SourceMark {
  int line = 0;
  int column = 0;
};

using MacAddress = std::array<uint8_t, 6>;

struct DpdkConfig {
  std::vector<unsigned> lcores = {0, 1};  // The first is the main (control) lcore.
  std::vector<unsigned> workers = {1};    // Lcores that poll ports; a subset of lcores.
  unsigned memory_mb = 256;
  std::string file_prefix = "nodeplane";
  bool huge = true;
  std::vector<std::string> extra_args;
  // Longest sleep of an idle worker's adaptive back-off; 0 polls without ever sleeping.
  unsigned idle_sleep_max_us = 200;
  SourceMark mark;
};

enum class PortType { kVhostUser, kAfPacket, kTap, kPci, kVirtioUser, kRing, kNull };

// Anti-spoofing of a port: it accepts only frames from Ethernet source `mac` and, for IPv4
// and ARP, from a sender address in `ips` (ARP probes from 0.0.0.0 too); the data plane
// drops every other frame from it.
struct PortSecurityConfig {
  MacAddress mac{};
  std::vector<uint32_t> ips;  // Host byte order; 1..kMaxPortSecurityIps unicast addresses.
  bool operator==(const PortSecurityConfig& o) const { return mac == o.mac && ips == o.ips; }
  bool operator!=(const PortSecurityConfig& o) const { return !(*this == o); }
};

// Who made the port (nodeplane-cni): stored, persisted and listed, never interpreted.
struct PortAttachmentConfig {
  std::string network;
  std::string container_id;
  std::string ifname;
  bool operator==(const PortAttachmentConfig& o) const {
    return network == o.network && container_id == o.container_id && ifname == o.ifname;
  }
};

struct PortConfig {
  std::string name;
  PortType type = PortType::kNull;
  std::string socket;   // vhost-user
  bool client = false;  // vhost-user: connect (and reconnect) to the pod's server socket
  std::string iface;    // af-packet, tap
  std::string device;   // pci
  std::string path;     // virtio-user
  unsigned queues = 1;
  std::optional<MacAddress> mac;
  std::optional<unsigned> mtu;
  // Neither reopens the port when it changes: security is republished to the workers, the
  // attachment only recorded.
  std::optional<PortSecurityConfig> security;
  std::optional<PortAttachmentConfig> attachment;  // Unset when every field is empty.
  SourceMark mark;
};

struct StaticMacConfig {
  MacAddress mac{};
  std::string port;
  SourceMark mark;
};

struct BridgeDomainConfig {
  uint32_t id = 0;
  std::vector<std::string> ports;
  bool learning = true;
  uint32_t aging_s = 300;  // 0 disables aging.
  bool flood = true;       // Flood unknown unicast (broadcast and multicast always flood).
  uint32_t max_macs = 0;   // 0 = the table's capacity is the only limit.
  std::vector<StaticMacConfig> static_macs;
  SourceMark mark;
};

// An IPv4 interface (SPEC.md, "interfaces"): a routed port, or the gateway (IRB/BVI) of a
// bridge domain. Addresses are host byte order.
struct InterfaceConfig {
  std::string name;
  std::string port;            // A routed port, or
  uint32_t bridge_domain = 0;  // the bridge domain it is the gateway of (0 = none).
  uint32_t ip = 0;             // The interface's address; its subnet is connected.
  uint8_t prefix_len = 0;
  std::optional<MacAddress> mac;  // Default: the data plane's choice (the port's MAC).
  SourceMark mark;
};

// A flannel-style next hop: the inner frame goes to the remote VTEP's MAC `mac` inside VNI
// `vni` (an L3 VNI: one no tunnel uses), outer destination `remote`.
struct VxlanNextHopConfig {
  uint32_t remote = 0;
  uint32_t vni = 0;
  MacAddress mac{};
  bool operator==(const VxlanNextHopConfig& o) const {
    return remote == o.remote && vni == o.vni && mac == o.mac;
  }
};

// One path of a route: a gateway `via` (resolved by ARP), straight out of `interface`, or
// into a VXLAN tunnel (`vxlan`). Exactly one of the three is set.
struct NextHopConfig {
  uint32_t via = 0;  // 0 = none.
  std::string interface;
  SourceMark mark;
  // Initialized, so that {via, interface, mark} initializers need not name it.
  std::optional<VxlanNextHopConfig> vxlan = std::nullopt;
};

struct RouteConfig {
  uint32_t prefix = 0;  // Host bits clear (validation refuses others).
  uint8_t prefix_len = 0;
  std::vector<NextHopConfig> next_hops;  // More than one: ECMP.
  SourceMark mark;
};

// A static ARP entry.
struct NeighborConfig {
  uint32_t ip = 0;
  MacAddress mac{};
  std::string interface;
  SourceMark mark;
};

// An L2 VNI: extends bridge domain `bridge_domain` to the remote VTEPs `remotes`, which get
// its broadcast, multicast and unknown unicast (head-end replication).
struct VxlanTunnelConfig {
  uint32_t vni = 0;
  uint32_t bridge_domain = 0;
  std::vector<uint32_t> remotes;
  SourceMark mark;
};

// A MAC pinned behind remote VTEP `remote` in L2 VNI `vni`.
struct VxlanStaticMacConfig {
  uint32_t vni = 0;
  MacAddress mac{};
  uint32_t remote = 0;
  SourceMark mark;
};

inline constexpr uint32_t kVxlanDefaultUdpPort = 4789;

// Our VTEP (SPEC.md, "vxlan"). Off while `local_ip` is 0 (no `vxlan` section).
struct VxlanConfig {
  uint32_t local_ip = 0;                 // One of our interfaces' addresses.
  uint32_t port = kVxlanDefaultUdpPort;  // UDP destination port (wide, so that validation
                                         // can name a value out of range).
  std::optional<MacAddress> mac;  // Our VTEP's inner MAC (L3 VNIs); default: the data plane's.
  std::vector<VxlanTunnelConfig> tunnels;
  std::vector<VxlanStaticMacConfig> static_macs;
  SourceMark mark;           // The section.
  SourceMark local_ip_mark;  // Its `local_ip` value.
};

// Services (SPEC.md, "services"): DNAT load balancing of `vip:port/protocol` (and of
// `node_port` on every node address) over the backends, by Maglev consistent hashing.

enum class ServiceProtocol { kTcp, kUdp };
enum class ServiceAffinity { kNone, kClientIp };

inline constexpr uint32_t kDefaultAffinityTimeoutS = 10800;  // Kubernetes' default (3 hours).
inline constexpr uint32_t kDefaultNodePortMin = 30000;
inline constexpr uint32_t kDefaultNodePortMax = 32767;

// Numbers are wide (uint32_t) so that validation can name a value out of range.
struct BackendConfig {
  uint32_t ip = 0;  // Host byte order.
  uint32_t port = 0;
  uint32_t weight = 1;
  SourceMark mark;
};

struct ServiceConfig {
  std::string name;  // A Kubernetes name (DNS label), unique.
  uint32_t vip = 0;  // Host byte order.
  uint32_t port = 0;
  ServiceProtocol protocol = ServiceProtocol::kTcp;
  uint32_t node_port = 0;  // 0 = none.
  ServiceAffinity affinity = ServiceAffinity::kNone;
  // Given only with client_ip affinity; unset means kDefaultAffinityTimeoutS.
  std::optional<uint32_t> affinity_timeout_s = std::nullopt;
  std::vector<BackendConfig> backends;  // Empty: new flows are refused (RST, ICMP).
  SourceMark mark;                      // The entry.
  SourceMark vip_mark;                  // Its `vip` value.
  SourceMark node_port_mark;            // Its `node_port` value.
};

// The connection table: its size (fixed at start) and idle timeouts by state.
struct ConntrackConfig {
  uint32_t max_flows = 262144;
  uint32_t tcp_syn_s = 30;
  uint32_t tcp_established_s = 7200;
  uint32_t tcp_closing_s = 10;
  uint32_t udp_s = 30;
  SourceMark mark;
};

struct Config {
  std::string file;  // The file it was loaded from, for messages.
  std::string node_name;
  DpdkConfig dpdk;
  std::string api_listen = "unix:///run/nodeplane/api.sock";
  std::string metrics_listen = "127.0.0.1:9469";
  std::string state_dir = "/var/lib/nodeplane";
  std::vector<PortConfig> ports;
  std::vector<BridgeDomainConfig> bridge_domains;
  std::vector<InterfaceConfig> interfaces;
  std::vector<RouteConfig> routes;
  std::vector<NeighborConfig> neighbors;
  VxlanConfig vxlan;
  ConntrackConfig conntrack;
  uint32_t node_port_min = kDefaultNodePortMin;  // node_port_range "MIN-MAX".
  uint32_t node_port_max = kDefaultNodePortMax;
  SourceMark node_port_range_mark;
  std::vector<ServiceConfig> services;
};

// Human-readable name of a port type as written in the config ("vhost-user", ...).
const char* port_type_name(PortType type);
// "tcp" or "udp"; "none" or "client_ip".
const char* protocol_name(ServiceProtocol protocol);
const char* affinity_name(ServiceAffinity affinity);

}  // namespace np::control
