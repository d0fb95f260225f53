#include "np/dp/port.h"

#include <net/if.h>
#include <rte_bus_vdev.h>
#include <rte_dev.h>
#include <rte_ethdev.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <filesystem>

namespace np::dp {
namespace {

const char* vdev_driver(PortKind kind) {
  switch (kind) {
    case PortKind::kVhostUser:
      return "net_vhost";
    case PortKind::kAfPacket:
      return "net_af_packet";
    case PortKind::kTap:
      return "net_tap";
    case PortKind::kVirtioUser:
      return "net_virtio_user";
    case PortKind::kRing:
      return "net_ring";
    case PortKind::kNull:
      return "net_null";
    case PortKind::kPci:
      break;
  }
  return nullptr;
}

std::string vdev_args(const PortSpec& spec) {
  const std::string queues = std::to_string(spec.queues);
  switch (spec.kind) {
    case PortKind::kVhostUser:
      return "iface=" + spec.socket + ",queues=" + queues + (spec.client ? ",client=1" : "");
    case PortKind::kAfPacket:
      return "iface=" + spec.iface + ",qpairs=" + queues;
    case PortKind::kTap:
      return "iface=" + spec.iface;
    case PortKind::kVirtioUser:
      return "path=" + spec.path + ",queues=" + queues;
    case PortKind::kRing:
    case PortKind::kNull:
    case PortKind::kPci:
      break;
  }
  return "";
}

// A vhost-user server socket left behind by a crash would make bind() fail; a file that is
// not a socket is the user's and is never removed.
DpStatus prepare_vhost_socket(const PortSpec& spec) {
  std::filesystem::path path(spec.socket);
  std::error_code ec;
  if (spec.client) return {};
  std::filesystem::create_directories(path.parent_path(), ec);
  if (ec)
    return DpStatus::error("port '" + spec.name + "': cannot create " +
                           path.parent_path().string() + ": " + ec.message());
  struct stat st;
  if (lstat(spec.socket.c_str(), &st) == 0) {
    if (!S_ISSOCK(st.st_mode))
      return DpStatus::error("port '" + spec.name + "': " + spec.socket +
                             " exists and is not a socket");
    unlink(spec.socket.c_str());
  }
  return {};
}

DpStatus create_device(const PortSpec& spec, std::string& device) {
  static unsigned next_vdev = 0;
  if (spec.kind == PortKind::kPci) {
    device = spec.device;
    int rc = rte_dev_probe(device.c_str());
    if (rc < 0 && rc != -EEXIST)
      return DpStatus::from_errno("port '" + spec.name + "': probe " + device, rc);
    return {};
  }
  if (spec.kind == PortKind::kAfPacket && if_nametoindex(spec.iface.c_str()) == 0)
    return DpStatus::error("port '" + spec.name + "': interface '" + spec.iface +
                           "' does not exist");
  if (spec.kind == PortKind::kVhostUser) {
    DpStatus st = prepare_vhost_socket(spec);
    if (!st.ok()) return st;
  }
  device = std::string(vdev_driver(spec.kind)) + std::to_string(next_vdev++);
  int rc = rte_vdev_init(device.c_str(), vdev_args(spec).c_str());
  if (rc < 0)
    return DpStatus::from_errno(
        "port '" + spec.name + "': create " + device + " (" + vdev_args(spec) + ")", rc);
  return {};
}

void remove_device(const PortSpec& spec, const std::string& device) {
  if (spec.kind == PortKind::kPci)
    rte_eal_hotplug_remove("pci", device.c_str());
  else
    rte_vdev_uninit(device.c_str());
}

DpStatus configure(const PortSpec& spec, unsigned workers, rte_mempool* pool, Port& port) {
  const std::string what = "port '" + spec.name + "': ";
  rte_eth_dev_info info;
  int rc = rte_eth_dev_info_get(port.id, &info);
  if (rc != 0) return DpStatus::from_errno(what + "device info", rc);
  if (spec.queues > info.max_rx_queues)
    return DpStatus::error(what + "queues: the device has at most " +
                           std::to_string(info.max_rx_queues));
  port.n_rxq = spec.queues;
  // Queue-pair devices want as many tx queues as rx queues (tap insists; a virtio peer
  // enables only the pairs it negotiated); others get one tx queue per worker.
  const bool pairs = spec.kind == PortKind::kVhostUser || spec.kind == PortKind::kVirtioUser ||
                     spec.kind == PortKind::kTap;
  const unsigned wanted_txq =
      pairs ? spec.queues : std::min<unsigned>(std::max(workers, 1u), info.max_tx_queues);
  port.n_txq = static_cast<uint16_t>(std::min<unsigned>(wanted_txq, kMaxQueues));
  port.tx_shared = port.n_txq < workers;
  for (auto& lock : port.tx_locks) rte_spinlock_init(&lock);

  rte_eth_conf conf{};
  if (port.n_rxq > 1) {
    conf.rxmode.mq_mode = RTE_ETH_MQ_RX_RSS;
    conf.rx_adv_conf.rss_conf.rss_hf = RTE_ETH_RSS_IP & info.flow_type_rss_offloads;
  }
  if ((rc = rte_eth_dev_configure(port.id, port.n_rxq, port.n_txq, &conf)) != 0)
    return DpStatus::from_errno(what + "configure", rc);
  uint16_t n_rxd = kRxDescriptors, n_txd = kTxDescriptors;
  rte_eth_dev_adjust_nb_rx_tx_desc(port.id, &n_rxd, &n_txd);
  const int socket = rte_eth_dev_socket_id(port.id);
  for (uint16_t q = 0; q < port.n_rxq; ++q)
    if ((rc = rte_eth_rx_queue_setup(port.id, q, n_rxd, socket, nullptr, pool)) != 0)
      return DpStatus::from_errno(what + "rx queue setup", rc);
  for (uint16_t q = 0; q < port.n_txq; ++q)
    if ((rc = rte_eth_tx_queue_setup(port.id, q, n_txd, socket, nullptr)) != 0)
      return DpStatus::from_errno(what + "tx queue setup", rc);
  if (spec.mac) {
    rte_ether_addr mac = *spec.mac;
    if ((rc = rte_eth_dev_default_mac_addr_set(port.id, &mac)) != 0)
      return DpStatus::from_errno(what + "set mac", rc);
  }
  if (spec.mtu && (rc = rte_eth_dev_set_mtu(port.id, *spec.mtu)) != 0)
    return DpStatus::from_errno(what + "set mtu", rc);
  if ((rc = rte_eth_dev_start(port.id)) != 0) return DpStatus::from_errno(what + "start", rc);
  // A bridge port must see every frame; devices without the notion (vhost) say ENOTSUP.
  rte_eth_promiscuous_enable(port.id);
  rte_eth_allmulticast_enable(port.id);
  return {};
}

}  // namespace

DpStatus open_port(const PortSpec& spec, unsigned workers, rte_mempool* pool, Port& out) {
  out.spec = spec;
  DpStatus st = create_device(spec, out.device);
  if (!st.ok()) return st;
  if (rte_eth_dev_get_port_by_name(out.device.c_str(), &out.id) != 0) {
    remove_device(spec, out.device);
    return DpStatus::error("port '" + spec.name + "': device " + out.device + " has no ethdev");
  }
  st = configure(spec, workers, pool, out);
  if (!st.ok()) close_port(out);
  return st;
}

void close_port(Port& port) {
  rte_eth_dev_stop(port.id);
  rte_eth_dev_close(port.id);
  remove_device(port.spec, port.device);
}

unsigned port_mbuf_demand(const PortSpec& spec, unsigned workers) {
  return spec.queues * kRxDescriptors + std::max(workers, 1u) * kTxDescriptors;
}

}  // namespace np::dp
