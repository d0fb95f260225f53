// Services (DNAT load balancing over a connection table) as the control plane hands them to
// the data plane, and what the data plane reports about them.
//
// Thread: control only (plain values).
#pragma once

#include <netinet/in.h>

#include <array>
#include <cstdint>
#include <string>
#include <vector>

namespace np::dp {

struct BackendSpec {
  uint32_t ip = 0;  // Host byte order; a unicast address.
  uint16_t port = 0;
  uint32_t weight = 1;  // 1..1000 (np::nat::kMaxBackendWeight).
};

struct ServiceSpec {
  std::string name;
  uint32_t vip = 0;  // Host byte order.
  uint16_t port = 0;
  uint8_t protocol = IPPROTO_TCP;  // IPPROTO_TCP or IPPROTO_UDP.
  uint16_t node_port = 0;          // 0: none; else in the node-port range.
  bool client_ip_affinity = false;
  uint32_t affinity_timeout_s = 10800;  // Kubernetes' default (3 hours).
  std::vector<BackendSpec> backends;    // None: new flows are refused (TCP RST, ICMP).
};

// Idle timeouts of tracked connections, by state.
struct ConntrackTimeouts {
  uint32_t tcp_syn_s = 30;            // Until the backend answers the SYN.
  uint32_t tcp_established_s = 7200;  // Idle established connection.
  uint32_t tcp_closing_s = 10;        // After a FIN or RST.
  uint32_t udp_s = 30;
};

struct ServicesSpec {
  std::vector<ServiceSpec> services;
  ConntrackTimeouts timeouts;
  uint16_t node_port_min = 30000, node_port_max = 32767;
  uint32_t maglev_size = 65537;  // Prime.
};

// Why a packet of a service or tracked flow was dropped.
enum class NatDrop : uint8_t {
  kTableFull,      // New flow, connection table full: established flows are never evicted.
  kNoBackend,      // New flow to a service without backends (answered with RST / ICMP).
  kTruncated,      // TCP/UDP header missing or cut short.
  kSnatExhausted,  // No free source port for a flow that needs SNAT.
  kCount,
};
inline constexpr unsigned kNatDropCount = static_cast<unsigned>(NatDrop::kCount);
const char* nat_drop_name(NatDrop drop);

struct BackendStats {
  BackendSpec backend;
  uint64_t packets = 0;    // Forward direction, DNATed to this backend.
  uint64_t new_flows = 0;  // Connections assigned to it.
};
struct ServiceStats {
  std::string name;
  uint64_t packets = 0, new_flows = 0;
  std::vector<BackendStats> backends;
};
struct ConntrackStats {
  uint32_t flows = 0, max_flows = 0;
  uint64_t created = 0, expired = 0;
  uint64_t ended_backend_removed = 0;  // Flows ended because their backend went away.
  std::array<uint64_t, kNatDropCount> drops{};
};
struct ServicesStats {
  std::vector<ServiceStats> services;
  ConntrackStats conntrack;
};

// One tracked connection, for listings.
struct ConnectionRow {
  uint8_t protocol = 0;
  uint32_t client_ip = 0;
  uint16_t client_port = 0;
  uint32_t vip = 0;  // The address and port the client used (VIP or node address).
  uint16_t vip_port = 0;
  uint32_t backend_ip = 0;
  uint16_t backend_port = 0;
  std::string state;  // syn, established, closing, udp.
  uint32_t idle_s = 0;
  std::string service;
};

}  // namespace np::dp
