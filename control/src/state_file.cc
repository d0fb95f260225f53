#include "np/control/state_file.h"

#include <fcntl.h>
#include <unistd.h>
#include <yaml-cpp/yaml.h>

#include <cerrno>
#include <cstring>
#include <filesystem>

#include "np/control/config_rules.h"
#include "np/control/mac_address.h"

namespace np::control {
namespace {

void emit_port(YAML::Emitter& out, const PortConfig& port) {
  out << YAML::BeginMap << YAML::Key << "name" << YAML::Value << port.name << YAML::Key << "type"
      << YAML::Value << port_type_name(port.type);
  if (!port.socket.empty()) out << YAML::Key << "socket" << YAML::Value << port.socket;
  if (port.client) out << YAML::Key << "client" << YAML::Value << true;
  if (!port.iface.empty()) out << YAML::Key << "iface" << YAML::Value << port.iface;
  if (!port.device.empty()) out << YAML::Key << "device" << YAML::Value << port.device;
  if (!port.path.empty()) out << YAML::Key << "path" << YAML::Value << port.path;
  out << YAML::Key << "queues" << YAML::Value << port.queues;
  if (port.mac) out << YAML::Key << "mac" << YAML::Value << format_mac(*port.mac);
  if (port.mtu) out << YAML::Key << "mtu" << YAML::Value << *port.mtu;
  if (port.security) {
    out << YAML::Key << "security" << YAML::Value << YAML::Flow << YAML::BeginMap << YAML::Key
        << "mac" << YAML::Value << format_mac(port.security->mac) << YAML::Key << "ips"
        << YAML::Value << YAML::Flow << YAML::BeginSeq;
    for (uint32_t ip : port.security->ips) out << format_ipv4(ip);
    out << YAML::EndSeq << YAML::EndMap;
  }
  if (port.attachment) {
    // Only the fields that are set: the loader refuses empty strings.
    const PortAttachmentConfig& a = *port.attachment;
    out << YAML::Key << "attachment" << YAML::Value << YAML::Flow << YAML::BeginMap;
    if (!a.network.empty()) out << YAML::Key << "network" << YAML::Value << a.network;
    if (!a.container_id.empty())
      out << YAML::Key << "container_id" << YAML::Value << a.container_id;
    if (!a.ifname.empty()) out << YAML::Key << "ifname" << YAML::Value << a.ifname;
    out << YAML::EndMap;
  }
  out << YAML::EndMap;
}

void emit_domain(YAML::Emitter& out, const BridgeDomainConfig& d) {
  out << YAML::BeginMap << YAML::Key << "id" << YAML::Value << d.id;
  out << YAML::Key << "ports" << YAML::Value << YAML::Flow << d.ports;
  out << YAML::Key << "learning" << YAML::Value << d.learning << YAML::Key << "aging_s"
      << YAML::Value << d.aging_s << YAML::Key << "flood" << YAML::Value << d.flood << YAML::Key
      << "max_macs" << YAML::Value << d.max_macs;
  if (!d.static_macs.empty()) {
    out << YAML::Key << "static_macs" << YAML::Value << YAML::BeginSeq;
    for (const StaticMacConfig& s : d.static_macs)
      out << YAML::Flow << YAML::BeginMap << YAML::Key << "mac" << YAML::Value << format_mac(s.mac)
          << YAML::Key << "port" << YAML::Value << s.port << YAML::EndMap;
    out << YAML::EndSeq;
  }
  out << YAML::EndMap;
}

void emit_interface(YAML::Emitter& out, const InterfaceConfig& i) {
  out << YAML::Flow << YAML::BeginMap << YAML::Key << "name" << YAML::Value << i.name;
  if (!i.port.empty())
    out << YAML::Key << "port" << YAML::Value << i.port;
  else
    out << YAML::Key << "bridge_domain" << YAML::Value << i.bridge_domain;
  out << YAML::Key << "ip" << YAML::Value << format_prefix(i.ip, i.prefix_len);
  if (i.mac) out << YAML::Key << "mac" << YAML::Value << format_mac(*i.mac);
  out << YAML::EndMap;
}

// A route's next hops are either gateways (`via`, a list when more than one), one interface
// or one VXLAN next hop; validation keeps them so.
void emit_route(YAML::Emitter& out, const RouteConfig& r) {
  out << YAML::Flow << YAML::BeginMap << YAML::Key << "prefix" << YAML::Value
      << format_prefix(r.prefix, r.prefix_len);
  if (r.next_hops.size() == 1 && r.next_hops[0].vxlan) {
    const VxlanNextHopConfig& v = *r.next_hops[0].vxlan;
    out << YAML::Key << "vxlan" << YAML::Value << YAML::Flow << YAML::BeginMap << YAML::Key
        << "remote" << YAML::Value << format_ipv4(v.remote) << YAML::Key << "vni" << YAML::Value
        << v.vni << YAML::Key << "mac" << YAML::Value << format_mac(v.mac) << YAML::EndMap;
  } else if (r.next_hops.size() == 1 && !r.next_hops[0].interface.empty()) {
    out << YAML::Key << "interface" << YAML::Value << r.next_hops[0].interface;
  } else if (r.next_hops.size() == 1) {
    out << YAML::Key << "via" << YAML::Value << format_ipv4(r.next_hops[0].via);
  } else {
    out << YAML::Key << "via" << YAML::Value << YAML::Flow << YAML::BeginSeq;
    for (const NextHopConfig& hop : r.next_hops) out << format_ipv4(hop.via);
    out << YAML::EndSeq;
  }
  out << YAML::EndMap;
}

void emit_neighbor(YAML::Emitter& out, const NeighborConfig& n) {
  out << YAML::Flow << YAML::BeginMap << YAML::Key << "ip" << YAML::Value << format_ipv4(n.ip)
      << YAML::Key << "mac" << YAML::Value << format_mac(n.mac) << YAML::Key << "interface"
      << YAML::Value << n.interface << YAML::EndMap;
}

void emit_vxlan(YAML::Emitter& out, const VxlanConfig& v) {
  out << YAML::BeginMap << YAML::Key << "local_ip" << YAML::Value << format_ipv4(v.local_ip)
      << YAML::Key << "port" << YAML::Value << v.port;
  if (v.mac) out << YAML::Key << "mac" << YAML::Value << format_mac(*v.mac);
  if (!v.tunnels.empty()) {
    out << YAML::Key << "tunnels" << YAML::Value << YAML::BeginSeq;
    for (const VxlanTunnelConfig& t : v.tunnels) {
      out << YAML::Flow << YAML::BeginMap << YAML::Key << "vni" << YAML::Value << t.vni << YAML::Key
          << "bridge_domain" << YAML::Value << t.bridge_domain << YAML::Key << "remotes"
          << YAML::Value << YAML::Flow << YAML::BeginSeq;
      for (uint32_t remote : t.remotes) out << format_ipv4(remote);
      out << YAML::EndSeq << YAML::EndMap;
    }
    out << YAML::EndSeq;
  }
  if (!v.static_macs.empty()) {
    out << YAML::Key << "static_macs" << YAML::Value << YAML::BeginSeq;
    for (const VxlanStaticMacConfig& m : v.static_macs)
      out << YAML::Flow << YAML::BeginMap << YAML::Key << "vni" << YAML::Value << m.vni << YAML::Key
          << "mac" << YAML::Value << format_mac(m.mac) << YAML::Key << "remote" << YAML::Value
          << format_ipv4(m.remote) << YAML::EndMap;
    out << YAML::EndSeq;
  }
  out << YAML::EndMap;
}

void emit_conntrack(YAML::Emitter& out, const ConntrackConfig& c) {
  out << YAML::BeginMap << YAML::Key << "max_flows" << YAML::Value << c.max_flows << YAML::Key
      << "tcp_syn_s" << YAML::Value << c.tcp_syn_s << YAML::Key << "tcp_established_s"
      << YAML::Value << c.tcp_established_s << YAML::Key << "tcp_closing_s" << YAML::Value
      << c.tcp_closing_s << YAML::Key << "udp_s" << YAML::Value << c.udp_s << YAML::EndMap;
}

void emit_service(YAML::Emitter& out, const ServiceConfig& s) {
  out << YAML::BeginMap << YAML::Key << "name" << YAML::Value << s.name << YAML::Key << "vip"
      << YAML::Value << format_ipv4(s.vip) << YAML::Key << "port" << YAML::Value << s.port
      << YAML::Key << "protocol" << YAML::Value << protocol_name(s.protocol);
  if (s.node_port != 0) out << YAML::Key << "node_port" << YAML::Value << s.node_port;
  out << YAML::Key << "affinity" << YAML::Value << affinity_name(s.affinity);
  if (s.affinity_timeout_s)
    out << YAML::Key << "affinity_timeout_s" << YAML::Value << *s.affinity_timeout_s;
  out << YAML::Key << "backends" << YAML::Value << YAML::BeginSeq;
  for (const BackendConfig& b : s.backends)
    out << YAML::Flow << YAML::BeginMap << YAML::Key << "ip" << YAML::Value << format_ipv4(b.ip)
        << YAML::Key << "port" << YAML::Value << b.port << YAML::Key << "weight" << YAML::Value
        << b.weight << YAML::EndMap;
  out << YAML::EndSeq << YAML::EndMap;
}

Status errno_status(const std::string& what) {
  return internal_error(what + ": " + std::strerror(errno));
}

}  // namespace

std::string state_file_path(const std::string& state_dir) { return state_dir + "/state.yaml"; }

std::string to_yaml(const Config& c) {
  YAML::Emitter out;
  out << YAML::Comment("nodeplane live state: written on every accepted change, read at start");
  out << YAML::BeginMap;
  if (!c.node_name.empty())
    out << YAML::Key << "node" << YAML::Value << YAML::BeginMap << YAML::Key << "name"
        << YAML::Value << c.node_name << YAML::EndMap;
  out << YAML::Key << "dpdk" << YAML::Value << YAML::BeginMap;
  out << YAML::Key << "lcores" << YAML::Value << YAML::Flow << c.dpdk.lcores;
  out << YAML::Key << "workers" << YAML::Value << YAML::Flow << c.dpdk.workers;
  out << YAML::Key << "memory_mb" << YAML::Value << c.dpdk.memory_mb;
  out << YAML::Key << "file_prefix" << YAML::Value << c.dpdk.file_prefix;
  out << YAML::Key << "huge" << YAML::Value << c.dpdk.huge;
  if (!c.dpdk.extra_args.empty())
    out << YAML::Key << "extra_args" << YAML::Value << YAML::Flow << c.dpdk.extra_args;
  out << YAML::Key << "idle_sleep_max_us" << YAML::Value << c.dpdk.idle_sleep_max_us;
  out << YAML::EndMap;
  out << YAML::Key << "api" << YAML::Value << YAML::BeginMap << YAML::Key << "listen" << YAML::Value
      << c.api_listen << YAML::EndMap;
  out << YAML::Key << "metrics" << YAML::Value << YAML::BeginMap << YAML::Key << "listen"
      << YAML::Value << c.metrics_listen << YAML::EndMap;
  out << YAML::Key << "state_dir" << YAML::Value << c.state_dir;
  out << YAML::Key << "ports" << YAML::Value << YAML::BeginSeq;
  for (const PortConfig& port : c.ports) emit_port(out, port);
  out << YAML::EndSeq;
  out << YAML::Key << "bridge_domains" << YAML::Value << YAML::BeginSeq;
  for (const BridgeDomainConfig& d : c.bridge_domains) emit_domain(out, d);
  out << YAML::EndSeq;
  if (!c.interfaces.empty()) {
    out << YAML::Key << "interfaces" << YAML::Value << YAML::BeginSeq;
    for (const InterfaceConfig& i : c.interfaces) emit_interface(out, i);
    out << YAML::EndSeq;
  }
  if (!c.routes.empty()) {
    out << YAML::Key << "routes" << YAML::Value << YAML::BeginSeq;
    for (const RouteConfig& r : c.routes) emit_route(out, r);
    out << YAML::EndSeq;
  }
  if (!c.neighbors.empty()) {
    out << YAML::Key << "neighbors" << YAML::Value << YAML::BeginSeq;
    for (const NeighborConfig& n : c.neighbors) emit_neighbor(out, n);
    out << YAML::EndSeq;
  }
  // Off (no local_ip) is the absence of the section; validation allows no tunnels then.
  if (c.vxlan.local_ip != 0) {
    out << YAML::Key << "vxlan" << YAML::Value;
    emit_vxlan(out, c.vxlan);
  }
  out << YAML::Key << "conntrack" << YAML::Value;
  emit_conntrack(out, c.conntrack);
  out << YAML::Key << "node_port_range" << YAML::Value
      << std::to_string(c.node_port_min) + "-" + std::to_string(c.node_port_max);
  if (!c.services.empty()) {
    out << YAML::Key << "services" << YAML::Value << YAML::BeginSeq;
    for (const ServiceConfig& s : c.services) emit_service(out, s);
    out << YAML::EndSeq;
  }
  out << YAML::EndMap;
  return std::string(out.c_str()) + "\n";
}

Status save_state(const Config& config) {
  std::error_code ec;
  std::filesystem::create_directories(config.state_dir, ec);
  if (ec) return internal_error("state_dir " + config.state_dir + ": " + ec.message());
  const std::string path = state_file_path(config.state_dir);
  const std::string tmp = path + ".tmp";
  const std::string text = to_yaml(config);
  const int fd = open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) return errno_status("cannot write " + tmp);
  const bool written =
      write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size()) && fsync(fd) == 0;
  const int saved_errno = errno;
  close(fd);
  if (!written) {
    errno = saved_errno;
    unlink(tmp.c_str());
    return errno_status("cannot write " + tmp);
  }
  if (rename(tmp.c_str(), path.c_str()) != 0) return errno_status("cannot replace " + path);
  // The rename itself is durable once the directory is synced.
  const int dir = open(config.state_dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dir >= 0) {
    fsync(dir);
    close(dir);
  }
  return Status::ok();
}

}  // namespace np::control
