#include "api_convert.h"

#include <netinet/in.h>
#include <rte_ether.h>

#include <algorithm>
#include <array>
#include <cstring>
#include <iterator>
#include <utility>
#include <vector>

#include "np/control/config_rules.h"
#include "np/control/mac_address.h"

namespace np::control {
namespace v1 = nodeplane::v1;
namespace {

struct TypeName {
  v1::PortType proto;
  PortType model;
};
constexpr TypeName kProtoPortTypes[] = {
    {v1::PORT_TYPE_VHOST_USER, PortType::kVhostUser},
    {v1::PORT_TYPE_AF_PACKET, PortType::kAfPacket},
    {v1::PORT_TYPE_TAP, PortType::kTap},
    {v1::PORT_TYPE_PCI, PortType::kPci},
    {v1::PORT_TYPE_VIRTIO_USER, PortType::kVirtioUser},
    {v1::PORT_TYPE_RING, PortType::kRing},
    {v1::PORT_TYPE_NULL, PortType::kNull},
};

MacAddress from_ether(const rte_ether_addr& ether) {
  MacAddress mac;
  std::memcpy(mac.data(), ether.addr_bytes, mac.size());
  return mac;
}

}  // namespace

Status parse_ipv4_field(const std::string& text, const std::string& field, uint32_t& out) {
  if (!parse_ipv4(text, out))
    return invalid_argument(field + ": '" + text + "' is not an IPv4 address (expected A.B.C.D)");
  return Status::ok();
}

namespace {

// Every address of a repeated field, appended to `out`; errors name "FIELD[k]".
Status parse_ipv4_list(const google::protobuf::RepeatedPtrField<std::string>& in,
                       const std::string& field, std::vector<uint32_t>& out) {
  for (int k = 0; k < in.size(); ++k) {
    uint32_t ip = 0;
    if (Status st = parse_ipv4_field(in.Get(k), field + "[" + std::to_string(k) + "]", ip);
        !st.is_ok())
      return st;
    out.push_back(ip);
  }
  return Status::ok();
}

}  // namespace

Status parse_prefix_field(const std::string& text, const std::string& field, uint8_t min_len,
                          bool network, uint32_t& addr, uint8_t& len) {
  if (std::string problem = parse_ipv4_prefix(text, min_len, addr, len); !problem.empty())
    return invalid_argument(field + ": " + problem);
  if (std::string problem = host_bits_problem(addr, len); network && !problem.empty())
    return invalid_argument(field + ": " + problem);
  return Status::ok();
}

Status from_proto(const v1::Interface& in, InterfaceConfig& out) {
  InterfaceConfig i;
  i.name = in.name();
  switch (in.attachment_case()) {
    case v1::Interface::kPort:
      i.port = in.port();
      break;
    case v1::Interface::kBridgeDomain:
      i.bridge_domain = in.bridge_domain();
      break;
    case v1::Interface::ATTACHMENT_NOT_SET:
      return invalid_argument("interface: one of port and bridge_domain is required");
  }
  if (Status st = parse_prefix_field(in.ip(), "interface.ip", 1, false, i.ip, i.prefix_len);
      !st.is_ok())
    return st;
  if (!in.mac().empty()) {
    MacAddress mac;
    if (Status st = parse_mac_field(in.mac(), "interface.mac", mac); !st.is_ok()) return st;
    i.mac = mac;
  }
  out = std::move(i);
  return Status::ok();
}

Status from_proto(const v1::Route& in, RouteConfig& out) {
  RouteConfig r;
  if (Status st = parse_prefix_field(in.prefix(), "route.prefix", 0, true, r.prefix, r.prefix_len);
      !st.is_ok())
    return st;
  if (in.next_hops_size() > static_cast<int>(kMaxNextHops))
    return invalid_argument("route.next_hops: at most " + std::to_string(kMaxNextHops) +
                            " (ECMP), got " + std::to_string(in.next_hops_size()));
  for (int k = 0; k < in.next_hops_size(); ++k) {
    const v1::NextHop& hop = in.next_hops(k);
    const std::string field = "route.next_hops[" + std::to_string(k) + "]";
    NextHopConfig h;
    switch (hop.kind_case()) {
      case v1::NextHop::kVia:
        if (Status st = parse_ipv4_field(hop.via(), field + ".via", h.via); !st.is_ok()) return st;
        if (h.via == 0) return invalid_argument(field + ".via: 0.0.0.0 is not a next hop");
        break;
      case v1::NextHop::kInterface:
        h.interface = hop.interface();
        if (h.interface.empty()) return invalid_argument(field + ".interface: must not be empty");
        break;
      case v1::NextHop::kVxlan: {
        const v1::VxlanNextHop& v = hop.vxlan();
        VxlanNextHopConfig x;
        if (Status st = parse_ipv4_field(v.remote(), field + ".vxlan.remote", x.remote);
            !st.is_ok())
          return st;
        x.vni = v.vni();
        if (Status st = parse_mac_field(v.mac(), field + ".vxlan.mac", x.mac); !st.is_ok())
          return st;
        h.vxlan = x;
        break;
      }
      case v1::NextHop::KIND_NOT_SET:
        return invalid_argument(field + ": one of via, interface and vxlan is required");
    }
    r.next_hops.push_back(std::move(h));
  }
  out = std::move(r);
  return Status::ok();
}

Status from_proto(const v1::Neighbor& in, NeighborConfig& out) {
  NeighborConfig n;
  if (Status st = parse_ipv4_field(in.ip(), "neighbor.ip", n.ip); !st.is_ok()) return st;
  if (Status st = parse_mac_field(in.mac(), "neighbor.mac", n.mac); !st.is_ok()) return st;
  n.interface = in.interface();
  if (n.interface.empty()) return invalid_argument("neighbor.interface: required");
  out = std::move(n);
  return Status::ok();
}

Status from_proto(const v1::Vxlan& in, VxlanConfig& out) {
  VxlanConfig v;
  if (!in.local_ip().empty())
    if (Status st = parse_ipv4_field(in.local_ip(), "vxlan.local_ip", v.local_ip); !st.is_ok())
      return st;
  v.port = in.port() == 0 ? kVxlanDefaultUdpPort : in.port();
  if (!in.mac().empty()) {
    MacAddress mac;
    if (Status st = parse_mac_field(in.mac(), "vxlan.mac", mac); !st.is_ok()) return st;
    v.mac = mac;
  }
  out = std::move(v);
  return Status::ok();
}

Status from_proto(const v1::VxlanTunnel& in, VxlanTunnelConfig& out) {
  if (in.remotes_size() > static_cast<int>(kMaxVxlanRemotes))
    return invalid_argument("tunnel.remotes: at most " + std::to_string(kMaxVxlanRemotes) +
                            ", got " + std::to_string(in.remotes_size()));
  VxlanTunnelConfig t;
  t.vni = in.vni();
  t.bridge_domain = in.bridge_domain();
  if (Status st = parse_ipv4_list(in.remotes(), "tunnel.remotes", t.remotes); !st.is_ok())
    return st;
  out = std::move(t);
  return Status::ok();
}

Status from_proto(const v1::VxlanStaticMac& in, VxlanStaticMacConfig& out) {
  VxlanStaticMacConfig m;
  m.vni = in.vni();
  if (Status st = parse_mac_field(in.mac(), "mac.mac", m.mac); !st.is_ok()) return st;
  if (Status st = parse_ipv4_field(in.remote(), "mac.remote", m.remote); !st.is_ok()) return st;
  out = m;
  return Status::ok();
}

Status parse_mac_field(const std::string& text, const std::string& field, MacAddress& out) {
  if (!parse_mac(text, out))
    return invalid_argument(field + ": '" + text +
                            "' is not a MAC address (expected xx:xx:xx:xx:xx:xx)");
  return Status::ok();
}

Status from_proto(const v1::Port& in, PortConfig& out) {
  PortConfig port;
  port.name = in.name();
  bool known = false;
  for (const TypeName& t : kProtoPortTypes)
    if (t.proto == in.type()) {
      port.type = t.model;
      known = true;
    }
  if (!known)
    return invalid_argument(
        "port.type: required (one of vhost-user, af-packet, tap, pci, virtio-user, ring, null)");
  port.socket = in.socket();
  port.client = in.client();
  port.iface = in.iface();
  port.device = in.device();
  port.path = in.path();
  port.queues = in.queues() == 0 ? 1 : in.queues();
  if (!in.mac().empty()) {
    MacAddress mac;
    if (Status st = parse_mac_field(in.mac(), "port.mac", mac); !st.is_ok()) return st;
    port.mac = mac;
  }
  if (in.mtu() != 0) port.mtu = in.mtu();
  if (in.has_security()) {
    const v1::PortSecurity& sec = in.security();
    PortSecurityConfig security;
    if (Status st = parse_mac_field(sec.mac(), "port.security.mac", security.mac); !st.is_ok())
      return st;
    // Past the limit, before parsing: the count is the first thing wrong.
    if (sec.ips_size() > static_cast<int>(kMaxPortSecurityIps))
      return invalid_argument("port.security.ips: 1 to " + std::to_string(kMaxPortSecurityIps) +
                              " addresses, got " + std::to_string(sec.ips_size()));
    if (Status st = parse_ipv4_list(sec.ips(), "port.security.ips", security.ips); !st.is_ok())
      return st;
    if (std::string problem = port_security_problem(security); !problem.empty())
      return invalid_argument("port.security." + problem);
    port.security = std::move(security);
  }
  if (in.has_attachment()) {
    const v1::PortAttachment& a = in.attachment();
    PortAttachmentConfig attachment{a.network(), a.container_id(), a.ifname()};
    if (std::string problem = port_attachment_problem(attachment); !problem.empty())
      return invalid_argument("port.attachment." + problem);
    // All empty is no attachment, as the state file has it.
    if (!(attachment == PortAttachmentConfig{})) port.attachment = std::move(attachment);
  }
  out = std::move(port);
  return Status::ok();
}

Status from_proto(const v1::StaticMac& in, const std::string& field, StaticMacConfig& out) {
  if (Status st = parse_mac_field(in.mac(), field + ".mac", out.mac); !st.is_ok()) return st;
  out.port = in.port();
  return Status::ok();
}

Status from_proto(const v1::BridgeDomain& in, BridgeDomainConfig& out) {
  if (in.ports_size() > kMaxListSize || in.static_macs_size() > kMaxListSize)
    return invalid_argument("bridge_domain: at most " + std::to_string(kMaxListSize) +
                            " ports and static MACs");
  BridgeDomainConfig d;
  d.id = in.id();
  d.ports.assign(in.ports().begin(), in.ports().end());
  if (in.has_learning()) d.learning = in.learning();
  if (in.has_aging_s()) d.aging_s = in.aging_s();
  if (in.has_flood()) d.flood = in.flood();
  d.max_macs = in.max_macs();
  for (int i = 0; i < in.static_macs_size(); ++i) {
    StaticMacConfig s;
    if (Status st = from_proto(in.static_macs(i),
                               "bridge_domain.static_macs[" + std::to_string(i) + "]", s);
        !st.is_ok())
      return st;
    d.static_macs.push_back(s);
  }
  out = std::move(d);
  return Status::ok();
}

void to_proto(const PortConfig& in, v1::Port& out) {
  out.set_name(in.name);
  for (const TypeName& t : kProtoPortTypes)
    if (t.model == in.type) out.set_type(t.proto);
  out.set_socket(in.socket);
  out.set_client(in.client);
  out.set_iface(in.iface);
  out.set_device(in.device);
  out.set_path(in.path);
  out.set_queues(in.queues);
  if (in.mac) out.set_mac(format_mac(*in.mac));
  if (in.mtu) out.set_mtu(*in.mtu);
  if (in.security) {
    v1::PortSecurity* sec = out.mutable_security();
    sec->set_mac(format_mac(in.security->mac));
    for (uint32_t ip : in.security->ips) sec->add_ips(format_ipv4(ip));
  }
  if (in.attachment) {
    v1::PortAttachment* a = out.mutable_attachment();
    a->set_network(in.attachment->network);
    a->set_container_id(in.attachment->container_id);
    a->set_ifname(in.attachment->ifname);
  }
}

void to_proto(const BridgeDomainConfig& in, v1::BridgeDomain& out) {
  out.set_id(in.id);
  for (const std::string& p : in.ports) out.add_ports(p);
  out.set_learning(in.learning);
  out.set_aging_s(in.aging_s);
  out.set_flood(in.flood);
  out.set_max_macs(in.max_macs);
  for (const StaticMacConfig& s : in.static_macs) {
    v1::StaticMac* m = out.add_static_macs();
    m->set_mac(format_mac(s.mac));
    m->set_port(s.port);
  }
}

void to_proto(const dp::PortStats& in, v1::PortCounters& out) {
  out.set_rx_packets(in.rx_pkts);
  out.set_rx_bytes(in.rx_bytes);
  out.set_tx_packets(in.tx_pkts);
  out.set_tx_bytes(in.tx_bytes);
  out.set_device_rx_errors(in.device_rx_errors);
  out.set_device_rx_missed(in.device_rx_missed);
  out.set_device_rx_nombuf(in.device_rx_nombuf);
  out.set_device_tx_errors(in.device_tx_errors);
  for (unsigned r = 0; r < dp::kDropReasonCount; ++r)
    (*out.mutable_drops())[dp::drop_reason_name(static_cast<dp::DropReason>(r))] = in.drops[r];
}

void to_proto(const dp::WorkerStats& in, v1::WorkerStats& out) {
  out.set_lcore(in.lcore);
  out.set_polls(in.polls);
  out.set_busy_polls(in.busy_polls);
  out.set_rx_packets(in.rx_pkts);
  out.set_busy_cycles(in.busy_cycles);
  out.set_idle_cycles(in.idle_cycles);
}

void to_proto(const dp::MacRow& in, v1::MacEntry& out) {
  out.set_bridge_domain(in.domain_id);
  out.set_mac(format_mac(from_ether(in.mac)));
  out.set_port(in.port);
  out.set_static_(in.is_static);
  out.set_idle_s(in.idle_s);
  if (in.remote_vtep != 0) out.set_remote_vtep(format_ipv4(in.remote_vtep));
}

void to_proto(const InterfaceConfig& in, v1::Interface& out) {
  out.set_name(in.name);
  if (!in.port.empty())
    out.set_port(in.port);
  else
    out.set_bridge_domain(in.bridge_domain);
  out.set_ip(format_prefix(in.ip, in.prefix_len));
  if (in.mac) out.set_mac(format_mac(*in.mac));
}

void to_proto(const RouteConfig& in, v1::Route& out) {
  out.set_prefix(format_prefix(in.prefix, in.prefix_len));
  for (const NextHopConfig& hop : in.next_hops) {
    v1::NextHop* h = out.add_next_hops();
    if (hop.vxlan) {
      v1::VxlanNextHop* v = h->mutable_vxlan();
      v->set_remote(format_ipv4(hop.vxlan->remote));
      v->set_vni(hop.vxlan->vni);
      v->set_mac(format_mac(hop.vxlan->mac));
    } else if (!hop.interface.empty()) {
      h->set_interface(hop.interface);
    } else {
      h->set_via(format_ipv4(hop.via));
    }
  }
}

void to_proto(const dp::NeighborRow& in, v1::Neighbor& out) {
  out.set_ip(format_ipv4(in.ip));
  const MacAddress mac = from_ether(in.mac);
  if (mac != MacAddress{}) out.set_mac(format_mac(mac));  // Empty while incomplete.
  out.set_interface(in.interface);
  out.set_static_(in.state == dp::NeighborState::kStatic);
  out.set_state(dp::neighbor_state_name(in.state));
  out.set_age_s(in.age_s);
}

void to_proto(const dp::L3Stats& in, v1::L3Stats& out) {
  out.set_routes(in.routes);
  out.set_neighbors(in.neighbors);
  out.set_arp_requests_sent(in.arp_requests_sent);
  out.set_arp_replies_sent(in.arp_replies_sent);
  out.set_arp_misses(in.arp_misses);
  out.set_arp_queue_drops(in.arp_queue_drops);
  out.set_arp_failed_drops(in.arp_failed_drops);
  out.set_punt_queue_drops(in.punt_queue_drops);
  out.set_icmp_rate_limited(in.icmp_rate_limited);
  for (unsigned k = 0; k < dp::kIcmpKindCount; ++k)
    (*out.mutable_icmp_sent())[dp::icmp_kind_name(static_cast<dp::IcmpKind>(k))] = in.icmp_sent[k];
}

}  // namespace np::control

namespace np::control {
namespace {

void set_drops(const std::array<uint64_t, dp::kVxlanDropCount>& drops,
               google::protobuf::Map<std::string, uint64_t>& out) {
  for (unsigned r = 0; r < dp::kVxlanDropCount; ++r)
    out[dp::vxlan_drop_name(static_cast<dp::VxlanDrop>(r))] = drops[r];
}

// The counters of `vni` in `stats`, or zeros.
void set_counters(uint32_t vni, const dp::VxlanStats& stats, v1::VxlanTunnel& out) {
  dp::VxlanVniStats counters;
  for (const dp::VxlanVniStats& s : stats.vnis)
    if (s.vni == vni) counters = s;
  out.set_encap_packets(counters.encap_pkts);
  out.set_decap_packets(counters.decap_pkts);
  set_drops(counters.drops, *out.mutable_drops());
}

}  // namespace

void to_proto(const VxlanConfig& in, v1::Vxlan& out) {
  if (in.local_ip != 0) out.set_local_ip(format_ipv4(in.local_ip));
  out.set_port(in.port);
  if (in.mac) out.set_mac(format_mac(*in.mac));
}

void to_proto(const VxlanTunnelConfig& in, v1::VxlanTunnel& out) {
  out.set_vni(in.vni);
  out.set_bridge_domain(in.bridge_domain);
  for (uint32_t remote : in.remotes) out.add_remotes(format_ipv4(remote));
}

void to_proto(const VxlanStaticMacConfig& in, v1::VxlanStaticMac& out) {
  out.set_vni(in.vni);
  out.set_mac(format_mac(in.mac));
  out.set_remote(format_ipv4(in.remote));
}

void to_proto(const dp::VxlanPortOffload& in, v1::VxlanPortOffload& out) {
  out.set_port(in.port);
  out.set_offloaded(in.offloaded);
  out.set_marked(in.marked);
  out.set_reason(in.reason);
}

void to_proto(const dp::VxlanVniStats& in, v1::VxlanVniCounters& out) {
  out.set_vni(in.vni);
  out.set_bridge_domain(in.bridge_domain);
  out.set_encap_packets(in.encap_pkts);
  out.set_decap_packets(in.decap_pkts);
  set_drops(in.drops, *out.mutable_drops());
}

void to_proto(const dp::VxlanStats& in, v1::VxlanStats& out) {
  for (const dp::VxlanVniStats& s : in.vnis) to_proto(s, *out.add_vnis());
  for (const dp::VxlanPortOffload& p : in.ports) to_proto(p, *out.add_offload());
  out.set_remote_macs(in.remote_macs);
}

void fill_vxlan_tunnels(const Config& config, const dp::VxlanStats& stats,
                        v1::ListVxlanTunnelsResponse& out) {
  to_proto(config.vxlan, *out.mutable_vxlan());
  for (const VxlanTunnelConfig& t : config.vxlan.tunnels) {
    v1::VxlanTunnel* row = out.add_tunnels();
    to_proto(t, *row);
    set_counters(t.vni, stats, *row);
  }
  // L3 VNIs in the order routes first use them, each with its distinct remote VTEPs.
  std::vector<std::pair<uint32_t, std::vector<uint32_t>>> l3;
  for (const RouteConfig& r : config.routes)
    for (const NextHopConfig& hop : r.next_hops) {
      if (!hop.vxlan) continue;
      auto it = std::find_if(l3.begin(), l3.end(),
                             [&](const auto& e) { return e.first == hop.vxlan->vni; });
      if (it == l3.end()) {
        l3.emplace_back(hop.vxlan->vni, std::vector<uint32_t>{});
        it = std::prev(l3.end());
      }
      if (!contains(it->second, hop.vxlan->remote)) it->second.push_back(hop.vxlan->remote);
    }
  for (const auto& [vni, remotes] : l3) {
    v1::VxlanTunnel* row = out.add_tunnels();
    row->set_vni(vni);
    for (uint32_t remote : remotes) row->add_remotes(format_ipv4(remote));
    set_counters(vni, stats, *row);
  }
  for (const VxlanStaticMacConfig& m : config.vxlan.static_macs)
    to_proto(m, *out.add_static_macs());
  for (const dp::VxlanPortOffload& p : stats.ports) to_proto(p, *out.add_offload());
  out.set_remote_macs(stats.remote_macs);
}

}  // namespace np::control

namespace np::control {
namespace {

std::string format_endpoint(uint32_t ip, uint32_t port) {
  return format_ipv4(ip) + ":" + std::to_string(port);
}

v1::Protocol proto_protocol(uint8_t protocol) {
  if (protocol == IPPROTO_TCP) return v1::PROTOCOL_TCP;
  if (protocol == IPPROTO_UDP) return v1::PROTOCOL_UDP;
  return v1::PROTOCOL_UNSPECIFIED;
}

}  // namespace

Status from_proto(const v1::Service& in, ServiceConfig& out) {
  ServiceConfig s;
  s.name = in.name();
  if (Status st = parse_ipv4_field(in.vip(), "service.vip", s.vip); !st.is_ok()) return st;
  s.port = in.port();
  switch (in.protocol()) {
    case v1::PROTOCOL_TCP:
      s.protocol = ServiceProtocol::kTcp;
      break;
    case v1::PROTOCOL_UDP:
      s.protocol = ServiceProtocol::kUdp;
      break;
    default:
      return invalid_argument("service.protocol: required (PROTOCOL_TCP or PROTOCOL_UDP), got " +
                              std::to_string(static_cast<int>(in.protocol())));
  }
  s.node_port = in.node_port();
  switch (in.affinity()) {
    case v1::AFFINITY_NONE:
      s.affinity = ServiceAffinity::kNone;
      break;
    case v1::AFFINITY_CLIENT_IP:
      s.affinity = ServiceAffinity::kClientIp;
      break;
    default:
      return invalid_argument("service.affinity: unknown value " +
                              std::to_string(static_cast<int>(in.affinity())) +
                              " (AFFINITY_NONE or AFFINITY_CLIENT_IP)");
  }
  if (in.affinity_timeout_s() != 0) s.affinity_timeout_s = in.affinity_timeout_s();
  if (in.backends_size() > static_cast<int>(kMaxServiceBackends))
    return invalid_argument("service.backends: at most " + std::to_string(kMaxServiceBackends) +
                            ", got " + std::to_string(in.backends_size()));
  for (int k = 0; k < in.backends_size(); ++k) {
    const v1::Backend& b = in.backends(k);
    BackendConfig backend;
    if (Status st =
            parse_ipv4_field(b.ip(), "service.backends[" + std::to_string(k) + "].ip", backend.ip);
        !st.is_ok())
      return st;
    backend.port = b.port();
    backend.weight = b.weight() == 0 ? 1 : b.weight();
    s.backends.push_back(backend);
  }
  out = std::move(s);
  return Status::ok();
}

void to_proto(const ServiceConfig& in, const dp::ServicesStats& stats, v1::Service& out) {
  out.set_name(in.name);
  out.set_vip(format_ipv4(in.vip));
  out.set_port(in.port);
  out.set_protocol(in.protocol == ServiceProtocol::kUdp ? v1::PROTOCOL_UDP : v1::PROTOCOL_TCP);
  out.set_node_port(in.node_port);
  out.set_affinity(in.affinity == ServiceAffinity::kClientIp ? v1::AFFINITY_CLIENT_IP
                                                             : v1::AFFINITY_NONE);
  if (in.affinity == ServiceAffinity::kClientIp)
    out.set_affinity_timeout_s(in.affinity_timeout_s.value_or(kDefaultAffinityTimeoutS));
  const dp::ServiceStats* counters = nullptr;
  for (const dp::ServiceStats& s : stats.services)
    if (s.name == in.name) counters = &s;
  if (counters != nullptr) {
    out.set_packets(counters->packets);
    out.set_new_flows(counters->new_flows);
  }
  for (const BackendConfig& b : in.backends) {
    v1::Backend* row = out.add_backends();
    row->set_ip(format_ipv4(b.ip));
    row->set_port(b.port);
    row->set_weight(b.weight);
    if (counters == nullptr) continue;
    for (const dp::BackendStats& c : counters->backends)
      if (c.backend.ip == b.ip && c.backend.port == b.port) {
        row->set_packets(c.packets);
        row->set_new_flows(c.new_flows);
      }
  }
}

void to_proto(const dp::ServicesStats& in, v1::ServicesStats& out) {
  for (const dp::ServiceStats& s : in.services) {
    v1::ServiceStats* row = out.add_services();
    row->set_name(s.name);
    row->set_packets(s.packets);
    row->set_new_flows(s.new_flows);
    for (const dp::BackendStats& b : s.backends) {
      v1::BackendStats* backend = row->add_backends();
      backend->set_backend(format_endpoint(b.backend.ip, b.backend.port));
      backend->set_weight(b.backend.weight);
      backend->set_packets(b.packets);
      backend->set_new_flows(b.new_flows);
    }
  }
  const dp::ConntrackStats& c = in.conntrack;
  v1::ConntrackStats* conntrack = out.mutable_conntrack();
  conntrack->set_flows(c.flows);
  conntrack->set_max_flows(c.max_flows);
  conntrack->set_created(c.created);
  conntrack->set_expired(c.expired);
  conntrack->set_ended_backend_removed(c.ended_backend_removed);
  for (unsigned r = 0; r < dp::kNatDropCount; ++r)
    (*conntrack->mutable_drops())[dp::nat_drop_name(static_cast<dp::NatDrop>(r))] = c.drops[r];
}

void to_proto(const dp::ConnectionRow& in, v1::Connection& out) {
  out.set_protocol(proto_protocol(in.protocol));
  out.set_client(format_endpoint(in.client_ip, in.client_port));
  out.set_vip(format_endpoint(in.vip, in.vip_port));
  out.set_backend(format_endpoint(in.backend_ip, in.backend_port));
  out.set_state(in.state);
  out.set_idle_s(in.idle_s);
  out.set_service(in.service);
}

}  // namespace np::control
