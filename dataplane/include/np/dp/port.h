// Ports: DPDK ethdevs created from a PortSpec (a vdev for vhost-user, af-packet, tap,
// virtio-user, ring and null; a probed device for pci), configured with one rx queue per
// `queues` and one tx queue per worker where the device has them.
//
// Thread: control only.
#pragma once

#include <rte_ether.h>
#include <rte_mempool.h>
#include <rte_spinlock.h>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "np/dp/status.h"

namespace np::dp {

enum class PortKind { kVhostUser, kAfPacket, kTap, kPci, kVirtioUser, kRing, kNull };

// Anti-spoofing (port_security.h): the port accepts only frames from Ethernet source `mac`
// and, for IPv4 and ARP, from a sender address in `ips`.
struct PortSecuritySpec {
  rte_ether_addr mac{};
  std::vector<uint32_t> ips;  // Host byte order; 1..kMaxSecurityIps.
};

struct PortSpec {
  std::string name;
  PortKind kind = PortKind::kNull;
  std::string socket;   // vhost-user
  bool client = false;  // vhost-user: we connect (and reconnect) to the pod's socket
  std::string iface;    // af-packet, tap
  std::string device;   // pci
  std::string path;     // virtio-user
  uint16_t queues = 1;
  std::optional<rte_ether_addr> mac;
  std::optional<uint16_t> mtu;
  // Not a device setting: published to the workers, changed without reopening the port.
  std::optional<PortSecuritySpec> security;
};

inline constexpr uint16_t kMaxQueues = 16;
inline constexpr uint16_t kRxDescriptors = 1024;
inline constexpr uint16_t kTxDescriptors = 1024;

struct Port {
  PortSpec spec;
  uint16_t id = 0;     // DPDK port id.
  std::string device;  // The DPDK device name, for removal.
  uint16_t n_rxq = 1;
  uint16_t n_txq = 1;
  // Workers share a tx queue only when the device has fewer than there are workers.
  bool tx_shared = false;
  rte_spinlock_t tx_locks[kMaxQueues];
};

// Creates, configures and starts the device of `spec`; `workers` sets the tx queues wanted.
DpStatus open_port(const PortSpec& spec, unsigned workers, rte_mempool* pool, Port& out);
// Stops and removes the device (for vhost-user server mode, this removes the socket).
void close_port(Port& port);
// Descriptors a port of `spec` can hold, for sizing the mbuf pool.
unsigned port_mbuf_demand(const PortSpec& spec, unsigned workers);

}  // namespace np::dp
