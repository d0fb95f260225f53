#include "np/control/apply.h"

#include <netinet/in.h>

#include <algorithm>
#include <cstring>

#include "np/control/config_rules.h"
#include "np/nat/maglev.h"

namespace np::control {
namespace {

static_assert(kMaxBackendWeight == nat::kMaxBackendWeight, "the data plane's backend weights");

dp::PortKind port_kind(PortType type) {
  switch (type) {
    case PortType::kVhostUser:
      return dp::PortKind::kVhostUser;
    case PortType::kAfPacket:
      return dp::PortKind::kAfPacket;
    case PortType::kTap:
      return dp::PortKind::kTap;
    case PortType::kPci:
      return dp::PortKind::kPci;
    case PortType::kVirtioUser:
      return dp::PortKind::kVirtioUser;
    case PortType::kRing:
      return dp::PortKind::kRing;
    case PortType::kNull:
      break;
  }
  return dp::PortKind::kNull;
}

rte_ether_addr to_ether(const MacAddress& mac) {
  rte_ether_addr out;
  std::memcpy(out.addr_bytes, mac.data(), mac.size());
  return out;
}

}  // namespace

dp::PortSpec port_spec(const PortConfig& p) {
  dp::PortSpec spec;
  spec.name = p.name;
  spec.kind = port_kind(p.type);
  spec.socket = p.socket;
  spec.client = p.client;
  spec.iface = p.iface;
  spec.device = p.device;
  spec.path = p.path;
  spec.queues = static_cast<uint16_t>(p.queues);
  if (p.mac) spec.mac = to_ether(*p.mac);
  if (p.mtu) spec.mtu = static_cast<uint16_t>(*p.mtu);
  spec.security = port_security_spec(p);
  return spec;
}

std::optional<dp::PortSecuritySpec> port_security_spec(const PortConfig& p) {
  if (!p.security) return std::nullopt;
  return dp::PortSecuritySpec{to_ether(p.security->mac), p.security->ips};
}

dp::BridgeDomainSpec domain_spec(const BridgeDomainConfig& b) {
  dp::BridgeDomainSpec spec;
  spec.id = b.id;
  spec.ports = b.ports;
  spec.learning = b.learning;
  spec.flood = b.flood;
  spec.aging_s = b.aging_s;
  spec.max_macs = b.max_macs;
  for (const StaticMacConfig& s : b.static_macs)
    spec.static_macs.push_back({to_ether(s.mac), s.port});
  return spec;
}

std::vector<dp::BridgeDomainSpec> domain_specs(const Config& config) {
  std::vector<dp::BridgeDomainSpec> specs;
  for (const BridgeDomainConfig& b : config.bridge_domains) specs.push_back(domain_spec(b));
  return specs;
}

dp::InterfaceSpec interface_spec(const InterfaceConfig& i) {
  dp::InterfaceSpec spec;
  spec.name = i.name;
  spec.port = i.port;
  spec.bridge_domain = i.port.empty() ? i.bridge_domain : 0;
  spec.ip = i.ip;
  spec.prefix_len = i.prefix_len;
  if (i.mac) spec.mac = to_ether(*i.mac);
  return spec;
}

dp::RouteSpec route_spec(const RouteConfig& r) {
  dp::RouteSpec spec;
  spec.prefix = {r.prefix, r.prefix_len};
  for (const NextHopConfig& hop : r.next_hops) {
    dp::NextHopSpec h;
    h.via = hop.via;
    h.interface = hop.interface;
    if (hop.vxlan)
      h.vxlan = dp::VxlanNextHopSpec{hop.vxlan->remote, hop.vxlan->vni, to_ether(hop.vxlan->mac)};
    spec.next_hops.push_back(std::move(h));
  }
  return spec;
}

dp::NeighborSpec neighbor_spec(const NeighborConfig& n) {
  dp::NeighborSpec spec;
  spec.ip = n.ip;
  spec.mac = to_ether(n.mac);
  spec.interface = n.interface;
  return spec;
}

dp::VxlanSpec vxlan_spec(const VxlanConfig& v) {
  dp::VxlanSpec spec;
  spec.local_ip = v.local_ip;
  spec.port = static_cast<uint16_t>(v.port);
  if (v.mac) spec.mac = to_ether(*v.mac);
  for (const VxlanTunnelConfig& t : v.tunnels)
    spec.tunnels.push_back({t.vni, t.bridge_domain, t.remotes});
  for (const VxlanStaticMacConfig& m : v.static_macs)
    spec.static_macs.push_back({m.vni, to_ether(m.mac), m.remote});
  return spec;
}

dp::L3Spec l3_spec(const Config& config) {
  dp::L3Spec spec;
  for (const InterfaceConfig& i : config.interfaces) spec.interfaces.push_back(interface_spec(i));
  for (const RouteConfig& r : config.routes) spec.routes.push_back(route_spec(r));
  for (const NeighborConfig& n : config.neighbors) spec.neighbors.push_back(neighbor_spec(n));
  spec.vxlan = vxlan_spec(config.vxlan);
  return spec;
}

bool has_l3(const Config& config) {
  return !config.interfaces.empty() || !config.routes.empty() || !config.neighbors.empty() ||
         config.vxlan.local_ip != 0 || !config.vxlan.tunnels.empty();
}

dp::ServicesSpec services_spec(const Config& config) {
  dp::ServicesSpec spec;
  for (const ServiceConfig& s : config.services) {
    dp::ServiceSpec out;
    out.name = s.name;
    out.vip = s.vip;
    out.port = static_cast<uint16_t>(s.port);
    out.protocol = s.protocol == ServiceProtocol::kUdp ? IPPROTO_UDP : IPPROTO_TCP;
    out.node_port = static_cast<uint16_t>(s.node_port);
    out.client_ip_affinity = s.affinity == ServiceAffinity::kClientIp;
    out.affinity_timeout_s = s.affinity_timeout_s.value_or(kDefaultAffinityTimeoutS);
    for (const BackendConfig& b : s.backends)
      out.backends.push_back({b.ip, static_cast<uint16_t>(b.port), b.weight});
    spec.services.push_back(std::move(out));
  }
  const ConntrackConfig& c = config.conntrack;
  spec.timeouts = {c.tcp_syn_s, c.tcp_established_s, c.tcp_closing_s, c.udp_s};
  spec.node_port_min = static_cast<uint16_t>(config.node_port_min);
  spec.node_port_max = static_cast<uint16_t>(config.node_port_max);
  return spec;
}

bool has_services(const Config& config) {
  const ConntrackConfig& c = config.conntrack;
  const ConntrackConfig d;
  return !config.services.empty() || c.tcp_syn_s != d.tcp_syn_s ||
         c.tcp_established_s != d.tcp_established_s || c.tcp_closing_s != d.tcp_closing_s ||
         c.udp_s != d.udp_s || config.node_port_min != kDefaultNodePortMin ||
         config.node_port_max != kDefaultNodePortMax;
}

dp::EalOptions eal_options(const Config& config) {
  dp::EalOptions eal;
  eal.lcores = config.dpdk.lcores;
  eal.memory_mb = config.dpdk.memory_mb;
  eal.file_prefix = config.dpdk.file_prefix;
  eal.huge = config.dpdk.huge;
  eal.extra_args = config.dpdk.extra_args;
  for (const PortConfig& p : config.ports)
    if (p.type == PortType::kPci) eal.pci_devices.push_back(p.device);
  return eal;
}

dp::DataplaneOptions dataplane_options(const Config& config) {
  dp::DataplaneOptions options;
  options.worker_lcores = config.dpdk.workers;
  options.idle_sleep_max_us = config.dpdk.idle_sleep_max_us;
  const auto workers = static_cast<unsigned>(config.dpdk.workers.size());
  // Room for every descriptor, each worker's buffers and caches, and ports added later.
  unsigned demand = 8192 + workers * 2 * 256;
  for (const PortConfig& p : config.ports) demand += dp::port_mbuf_demand(port_spec(p), workers);
  unsigned pool = 1;
  while (pool <= demand) pool <<= 1;
  options.mbuf_count = pool - 1;  // 2^n - 1 is the mempool's most efficient size.
  uint64_t macs = 65536;
  for (const BridgeDomainConfig& b : config.bridge_domains) macs += b.max_macs;
  options.mac_table_capacity = static_cast<uint32_t>(std::min<uint64_t>(macs, 1u << 24));
  options.conntrack_max_flows = config.conntrack.max_flows;
  return options;
}

Status apply_config(const Config& config, dp::Dataplane& dataplane) {
  for (const PortConfig& p : config.ports) {
    dp::DpStatus st = dataplane.add_port(port_spec(p));
    if (!st.ok())
      return internal_error(config.file + ":" + std::to_string(p.mark.line) + ":" +
                            std::to_string(p.mark.column) + ": " + st.message());
  }
  dp::DpStatus st = dataplane.set_bridge_domains(domain_specs(config));
  if (!st.ok()) return internal_error(config.file + ": " + st.message());
  // The data plane starts with no L3; an L2-only config leaves it so.
  if (has_l3(config) && !(st = dataplane.set_l3(l3_spec(config))).ok())
    return internal_error(config.file + ": " + st.message());
  // Likewise without services: the data plane starts with none and the default timeouts.
  if (has_services(config) && !(st = dataplane.set_services(services_spec(config))).ok())
    return internal_error(config.file + ": " + st.message());
  return Status::ok();
}

}  // namespace np::control
