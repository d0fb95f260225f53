#include "api_convert.h"

#include <rte_ether.h>

#include <cstring>

#include "np/control/mac_address.h"

namespace np::control {
namespace v1 = nodeplane::v1;
namespace {

struct TypeName {
  v1::PortType proto;
  PortType model;
};
constexpr TypeName kPortTypes[] = {
    {v1::PORT_TYPE_VHOST_USER, PortType::kVhostUser},
    {v1::PORT_TYPE_AF_PACKET, PortType::kAfPacket},
    {v1::PORT_TYPE_TAP, PortType::kTap},
    {v1::PORT_TYPE_PCI, PortType::kPci},
    {v1::PORT_TYPE_VIRTIO_USER, PortType::kVirtioUser},
    {v1::PORT_TYPE_RING, PortType::kRing},
    {v1::PORT_TYPE_NULL, PortType::kNull},
};

}  // namespace

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
  for (const TypeName& t : kPortTypes)
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
  for (const TypeName& t : kPortTypes)
    if (t.model == in.type) out.set_type(t.proto);
  out.set_socket(in.socket);
  out.set_client(in.client);
  out.set_iface(in.iface);
  out.set_device(in.device);
  out.set_path(in.path);
  out.set_queues(in.queues);
  if (in.mac) out.set_mac(format_mac(*in.mac));
  if (in.mtu) out.set_mtu(*in.mtu);
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
  MacAddress mac;
  std::memcpy(mac.data(), in.mac.addr_bytes, mac.size());
  out.set_bridge_domain(in.domain_id);
  out.set_mac(format_mac(mac));
  out.set_port(in.port);
  out.set_static_(in.is_static);
  out.set_idle_s(in.idle_s);
}

}  // namespace np::control
