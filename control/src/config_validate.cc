#include "np/control/config_validate.h"

#include <algorithm>
#include <map>
#include <set>
#include <string>
#include <utility>

#include "np/control/config_rules.h"
#include "np/control/mac_address.h"

namespace np::control {
namespace {

bool is_unicast(const MacAddress& mac) { return is_unicast_mac(mac); }

Status port_error(const PortConfig& port, const std::string& message) {
  return invalid_argument("port '" + port.name + "': " + message);
}

// The value of the key a port type takes, by the key's name.
bool port_has_value(const PortConfig& port, std::string_view key) {
  if (key == "socket") return !port.socket.empty();
  if (key == "client") return port.client;
  if (key == "iface") return !port.iface.empty();
  if (key == "device") return !port.device.empty();
  if (key == "path") return !port.path.empty();
  return false;
}

Status validate_port(const PortConfig& port) {
  if (!is_port_name(port.name))
    return invalid_argument("port: name: '" + port.name + "' is not 1-" +
                            std::to_string(kMaxPortNameSize) + " characters of A-Z a-z 0-9 _ . -");
  for (const char* key : {"socket", "client", "iface", "device", "path"})
    if (port_has_value(port, key) && !port_type_has_key(port.type, key))
      return port_error(
          port, std::string(key) + ": not valid for " + port_type_name(port.type) + " ports");
  if (const char* required = port_type_required_key(port.type);
      required && !port_has_value(port, required))
    return port_error(
        port, std::string(required) + ": required for " + port_type_name(port.type) + " ports");
  if (!port.socket.empty() && !is_unix_socket_path(port.socket))
    return port_error(port, "socket: '" + port.socket + "' is not an absolute path of at most " +
                                std::to_string(kMaxUnixPathSize) + " bytes");
  if (!port.iface.empty() && !is_iface_name(port.iface))
    return port_error(port, "iface: '" + port.iface + "' is not a valid interface name");
  if (!port.device.empty() && !is_pci_address(port.device))
    return port_error(port, "device: '" + port.device + "' is not a PCI address");
  if (!port.path.empty() && port.path.front() != '/')
    return port_error(port, "path: '" + port.path + "' is not an absolute path");
  if (port.queues < 1 || port.queues > kMaxQueues)
    return port_error(port, "queues: must be 1.." + std::to_string(kMaxQueues) + ", got " +
                                std::to_string(port.queues));
  if (port.mtu && (*port.mtu < kMinMtu || *port.mtu > kMaxMtu))
    return port_error(port, "mtu: must be " + std::to_string(kMinMtu) + ".." +
                                std::to_string(kMaxMtu) + ", got " + std::to_string(*port.mtu));
  if (port.mac && !is_unicast(*port.mac))
    return port_error(port, "mac: " + format_mac(*port.mac) + " is not a unicast address");
  if (port.security)
    if (std::string problem = port_security_problem(*port.security); !problem.empty())
      return port_error(port, "security." + problem);
  if (port.attachment)
    if (std::string problem = port_attachment_problem(*port.attachment); !problem.empty())
      return port_error(port, "attachment." + problem);
  return Status::ok();
}

Status validate_domain(const BridgeDomainConfig& domain, const std::set<std::string>& port_names,
                       std::map<std::string, uint32_t>& port_domain) {
  const std::string what = "bridge domain " + std::to_string(domain.id) + ": ";
  if (domain.id < 1 || domain.id > kMaxBridgeDomainId)
    return invalid_argument("bridge domain: id: must be 1.." + std::to_string(kMaxBridgeDomainId) +
                            ", got " + std::to_string(domain.id));
  for (const std::string& port : domain.ports) {
    if (!port_names.count(port))
      return {StatusCode::kNotFound, what + "ports: port '" + port + "' does not exist"};
    auto [it, fresh] = port_domain.emplace(port, domain.id);
    if (!fresh)
      return {StatusCode::kFailedPrecondition, what + "ports: port '" + port +
                                                   "' is already in bridge domain " +
                                                   std::to_string(it->second)};
  }
  if (domain.aging_s != 0 && (domain.aging_s < kMinAgingS || domain.aging_s > kMaxAgingS))
    return invalid_argument(what + "aging_s: must be 0 or " + std::to_string(kMinAgingS) + ".." +
                            std::to_string(kMaxAgingS) + ", got " + std::to_string(domain.aging_s));
  if (domain.max_macs > kMaxMacLimit)
    return invalid_argument(what + "max_macs: must be at most " + std::to_string(kMaxMacLimit));
  std::set<MacAddress> statics;
  for (const StaticMacConfig& s : domain.static_macs) {
    const std::string mac = format_mac(s.mac);
    if (!is_unicast(s.mac))
      return invalid_argument(what + "static_macs: " + mac + " is not a unicast address");
    if (!statics.insert(s.mac).second)
      return invalid_argument(what + "static_macs: " + mac + " is listed twice");
    if (std::find(domain.ports.begin(), domain.ports.end(), s.port) == domain.ports.end())
      return {StatusCode::kFailedPrecondition,
              what + "static_macs: " + mac + ": port '" + s.port + "' is not a member"};
  }
  return Status::ok();
}

// Checks L3 entries in order; each failure records the mark of the entry at fault.
class L3Validator {
 public:
  L3Validator(const Config& config, SourceMark* where) : config_(config), where_(where) {}

  Status run() {
    for (const InterfaceConfig& i : config_.interfaces)
      if (Status st = check_interface(i); !st.is_ok()) return at(i.mark, st);
    if (Status st = check_vxlan(); !st.is_ok()) return st;
    std::set<std::pair<uint32_t, uint8_t>> prefixes;
    for (const RouteConfig& r : config_.routes) {
      if (Status st = check_route(r); !st.is_ok()) return at(r.mark, st);
      if (!prefixes.insert({r.prefix, r.prefix_len}).second)
        return at(r.mark, invalid_argument(route_name(r) + ": prefix: listed twice"));
      for (const NextHopConfig& hop : r.next_hops)
        if (Status st = check_next_hop(r, hop); !st.is_ok())
          return at(hop.mark.line ? hop.mark : r.mark, st);
    }
    std::set<std::pair<std::string, uint32_t>> neighbors;
    for (const NeighborConfig& n : config_.neighbors) {
      if (Status st = check_neighbor(n); !st.is_ok()) return at(n.mark, st);
      if (!neighbors.insert({n.interface, n.ip}).second)
        return at(n.mark, invalid_argument(neighbor_name(n) + ": listed twice on interface '" +
                                           n.interface + "'"));
    }
    return Status::ok();
  }

 private:
  Status at(const SourceMark& mark, Status st) {
    if (where_ != nullptr) *where_ = mark;
    return st;
  }

  static std::string route_name(const RouteConfig& r) {
    return "route " + format_prefix(r.prefix, r.prefix_len);
  }
  static std::string neighbor_name(const NeighborConfig& n) {
    return "neighbor " + format_ipv4(n.ip);
  }
  static std::string tunnel_name(const VxlanTunnelConfig& t) {
    return "vxlan tunnel " + std::to_string(t.vni);
  }

  // The interface whose address is `ip`, or nullptr.
  const InterfaceConfig* interface_with_address(uint32_t ip) const {
    for (const InterfaceConfig& i : config_.interfaces)
      if (i.ip == ip) return &i;
    return nullptr;
  }

  const VxlanTunnelConfig* find_tunnel(uint32_t vni) const {
    for (const VxlanTunnelConfig& t : config_.vxlan.tunnels)
      if (t.vni == vni) return &t;
    return nullptr;
  }

  // A remote VTEP's address: a unicast host address that is not one of ours.
  Status check_remote(uint32_t remote, const std::string& what) const {
    if (!is_host_address(remote))
      return invalid_argument(what + format_ipv4(remote) + " is not a unicast host address");
    if (const InterfaceConfig* i = interface_with_address(remote))
      return invalid_argument(what + format_ipv4(remote) + " is our own address (interface '" +
                              i->name + "')");
    return Status::ok();
  }

  // The VTEP, its L2 VNIs and their static MACs.
  Status check_vxlan() {
    const VxlanConfig& v = config_.vxlan;
    if (v.local_ip == 0) {
      if (!v.tunnels.empty())
        return at(v.tunnels.front().mark,
                  {StatusCode::kFailedPrecondition,
                   tunnel_name(v.tunnels.front()) +
                       ": vxlan.local_ip: not set (set the VTEP address first)"});
      if (!v.static_macs.empty())
        return at(v.static_macs.front().mark,
                  {StatusCode::kFailedPrecondition,
                   "vxlan static MAC " + format_mac(v.static_macs.front().mac) +
                       ": vxlan.local_ip: not set (set the VTEP address first)"});
      return Status::ok();
    }
    const SourceMark& ip_mark = v.local_ip_mark.line ? v.local_ip_mark : v.mark;
    if (!is_host_address(v.local_ip))
      return at(ip_mark, invalid_argument("vxlan: local_ip: " + format_ipv4(v.local_ip) +
                                          " is not a unicast host address"));
    if (interface_with_address(v.local_ip) == nullptr)
      return at(ip_mark,
                {StatusCode::kFailedPrecondition,
                 "vxlan: local_ip: " + format_ipv4(v.local_ip) + " is not an interface address"});
    if (v.port < 1 || v.port > kMaxTcpPort)
      return at(v.mark, invalid_argument("vxlan: port: " + std::to_string(v.port) +
                                         " out of range 1-" + std::to_string(kMaxTcpPort)));
    if (v.mac && !is_unicast(*v.mac))
      return at(v.mark, invalid_argument("vxlan: mac: " + format_mac(*v.mac) +
                                         " is not a unicast address"));
    std::map<uint32_t, uint32_t> vni_of_domain;
    for (const VxlanTunnelConfig& t : v.tunnels)
      if (Status st = check_tunnel(t, vni_of_domain); !st.is_ok()) return at(t.mark, st);
    std::set<std::pair<uint32_t, MacAddress>> statics;
    for (const VxlanStaticMacConfig& m : v.static_macs) {
      Status st = check_vxlan_static_mac(m);
      if (st.is_ok() && !statics.insert({m.vni, m.mac}).second)
        st = invalid_argument("vxlan static MAC " + format_mac(m.mac) + ": listed twice in VNI " +
                              std::to_string(m.vni));
      if (!st.is_ok()) return at(m.mark, st);
    }
    return Status::ok();
  }

  Status check_tunnel(const VxlanTunnelConfig& t, std::map<uint32_t, uint32_t>& vni_of_domain) {
    if (t.vni < 1 || t.vni > kMaxVni)
      return invalid_argument("vxlan tunnel: vni: must be 1.." + std::to_string(kMaxVni) +
                              ", got " + std::to_string(t.vni));
    const std::string what = tunnel_name(t) + ": ";
    if (find_tunnel(t.vni) != &t) return invalid_argument(what + "vni: listed twice");
    if (t.bridge_domain == 0)
      return invalid_argument(what +
                              "bridge_domain: required (an L3 VNI needs no tunnel: routes "
                              "name it)");
    const std::string domain = "bridge domain " + std::to_string(t.bridge_domain);
    const bool exists =
        std::any_of(config_.bridge_domains.begin(), config_.bridge_domains.end(),
                    [&](const BridgeDomainConfig& d) { return d.id == t.bridge_domain; });
    if (!exists)
      return {StatusCode::kNotFound, what + "bridge_domain: " + domain + " does not exist"};
    auto [it, fresh] = vni_of_domain.emplace(t.bridge_domain, t.vni);
    if (!fresh)
      return {StatusCode::kFailedPrecondition,
              what + "bridge_domain: " + domain + " already has VNI " + std::to_string(it->second)};
    if (t.remotes.size() > kMaxVxlanRemotes)
      return invalid_argument(what + "remotes: at most " + std::to_string(kMaxVxlanRemotes) +
                              ", got " + std::to_string(t.remotes.size()));
    for (size_t k = 0; k < t.remotes.size(); ++k) {
      if (Status st = check_remote(t.remotes[k], what + "remotes: "); !st.is_ok()) return st;
      for (size_t j = 0; j < k; ++j)
        if (t.remotes[j] == t.remotes[k])
          return invalid_argument(what + "remotes: " + format_ipv4(t.remotes[k]) +
                                  " is listed twice");
    }
    return Status::ok();
  }

  Status check_vxlan_static_mac(const VxlanStaticMacConfig& m) const {
    const std::string what = "vxlan static MAC " + format_mac(m.mac) + ": ";
    if (!is_unicast(m.mac)) return invalid_argument(what + "mac: not a unicast address");
    const VxlanTunnelConfig* t = find_tunnel(m.vni);
    if (t == nullptr)
      return {StatusCode::kNotFound,
              what + "vni: VNI " + std::to_string(m.vni) + " is not an L2 VNI (no tunnel)"};
    if (Status st = check_remote(m.remote, what + "remote: "); !st.is_ok()) return st;
    for (const BridgeDomainConfig& d : config_.bridge_domains)
      if (d.id == t->bridge_domain)
        for (const StaticMacConfig& s : d.static_macs)
          if (s.mac == m.mac)
            return {StatusCode::kFailedPrecondition,
                    what + "mac: is a static MAC of bridge domain " + std::to_string(d.id) +
                        " on port '" + s.port + "'"};
    return Status::ok();
  }

  const InterfaceConfig* find_interface(const std::string& name) const {
    for (const InterfaceConfig& i : config_.interfaces)
      if (i.name == name) return &i;
    return nullptr;
  }

  // The interface whose subnet holds `ip` (subnets do not overlap once interfaces pass).
  const InterfaceConfig* interface_on(uint32_t ip) const {
    for (const InterfaceConfig& i : config_.interfaces)
      if (in_subnet(i.ip, i.prefix_len, ip)) return &i;
    return nullptr;
  }

  Status check_interface(const InterfaceConfig& i) {
    if (!is_port_name(i.name))
      return invalid_argument("interface: name: '" + i.name + "' is not 1-" +
                              std::to_string(kMaxPortNameSize) +
                              " characters of A-Z a-z 0-9 _ . -");
    const std::string what = "interface '" + i.name + "': ";
    if (!names_.insert(i.name).second)
      return invalid_argument(what + "name: an interface of that name exists");
    if (i.port.empty() == (i.bridge_domain == 0))
      return invalid_argument(what + "exactly one of port and bridge_domain is required");
    if (Status st = check_attachment(i, what); !st.is_ok()) return st;
    if (i.prefix_len < 1 || i.prefix_len > 32)
      return invalid_argument(what + "ip: prefix length " + std::to_string(i.prefix_len) +
                              " out of range 1-32");
    const std::string address = format_prefix(i.ip, i.prefix_len);
    if (!is_host_address(i.ip))
      return invalid_argument(what + "ip: " + format_ipv4(i.ip) + " is not a host address");
    if (const char* kind = reserved_address_kind(i.ip, i.prefix_len))
      return invalid_argument(what + "ip: " + format_ipv4(i.ip) + " is the " + kind +
                              " address of " +
                              format_prefix(i.ip & ipv4_mask(i.prefix_len), i.prefix_len));
    if (i.mac && !is_unicast(*i.mac))
      return invalid_argument(what + "mac: " + format_mac(*i.mac) + " is not a unicast address");
    for (const InterfaceConfig& other : config_.interfaces) {
      if (&other == &i) break;
      if (subnets_overlap(i.ip, i.prefix_len, other.ip, other.prefix_len))
        return invalid_argument(what + "ip: " + address + " overlaps interface '" + other.name +
                                "' (" + format_prefix(other.ip, other.prefix_len) + ")");
    }
    return Status::ok();
  }

  Status check_attachment(const InterfaceConfig& i, const std::string& what) {
    if (!i.port.empty()) {
      const bool exists = std::any_of(config_.ports.begin(), config_.ports.end(),
                                      [&](const PortConfig& p) { return p.name == i.port; });
      if (!exists)
        return {StatusCode::kNotFound, what + "port: port '" + i.port + "' does not exist"};
      for (const BridgeDomainConfig& d : config_.bridge_domains)
        if (contains(d.ports, i.port))
          return {StatusCode::kFailedPrecondition,
                  what + "port: port '" + i.port + "' is in bridge domain " + std::to_string(d.id) +
                      "; a routed port cannot be bridged (give the domain an interface instead)"};
      auto [it, fresh] = port_owner_.emplace(i.port, i.name);
      if (!fresh)
        return {StatusCode::kFailedPrecondition,
                what + "port: port '" + i.port + "' already has interface '" + it->second + "'"};
      return Status::ok();
    }
    const bool exists =
        std::any_of(config_.bridge_domains.begin(), config_.bridge_domains.end(),
                    [&](const BridgeDomainConfig& d) { return d.id == i.bridge_domain; });
    const std::string domain = "bridge domain " + std::to_string(i.bridge_domain);
    if (!exists)
      return {StatusCode::kNotFound, what + "bridge_domain: " + domain + " does not exist"};
    auto [it, fresh] = domain_owner_.emplace(i.bridge_domain, i.name);
    if (!fresh)
      return {StatusCode::kFailedPrecondition,
              what + "bridge_domain: " + domain + " already has interface '" + it->second + "'"};
    return Status::ok();
  }

  Status check_route(const RouteConfig& r) const {
    if (r.prefix_len > 32)
      return invalid_argument("route: prefix: prefix length " + std::to_string(r.prefix_len) +
                              " out of range 0-32");
    if (std::string problem = host_bits_problem(r.prefix, r.prefix_len); !problem.empty())
      return invalid_argument("route: prefix: " + problem);
    const std::string what = route_name(r) + ": ";
    for (const InterfaceConfig& i : config_.interfaces)
      if (i.prefix_len == r.prefix_len && in_subnet(i.ip, i.prefix_len, r.prefix))
        return invalid_argument(what + "prefix: is the subnet of interface '" + i.name +
                                "' (a connected route)");
    if (r.next_hops.empty()) return invalid_argument(what + "next_hops: at least one is required");
    if (r.next_hops.size() > kMaxNextHops)
      return invalid_argument(what + "next_hops: at most " + std::to_string(kMaxNextHops) +
                              " (ECMP), got " + std::to_string(r.next_hops.size()));
    for (size_t k = 0; k < r.next_hops.size(); ++k) {
      const NextHopConfig& hop = r.next_hops[k];
      const int kinds = (hop.via != 0) + !hop.interface.empty() + hop.vxlan.has_value();
      if (kinds != 1)
        return invalid_argument(what + "next_hops[" + std::to_string(k) +
                                "]: exactly one of via, interface and vxlan is required");
      if (hop.vxlan && r.next_hops.size() > 1)
        return invalid_argument(what +
                                "next_hops: a route through a VXLAN tunnel has no other next "
                                "hop");
      if (!hop.interface.empty() && r.next_hops.size() > 1)
        return invalid_argument(what +
                                "next_hops: a route through an interface has no other "
                                "next hop");
      for (size_t j = 0; j < k; ++j)
        if (r.next_hops[j].via != 0 && r.next_hops[j].via == hop.via)
          return invalid_argument(what + "via: next hop " + format_ipv4(hop.via) +
                                  " is listed twice");
    }
    return Status::ok();
  }

  Status check_next_hop(const RouteConfig& r, const NextHopConfig& hop) const {
    const std::string what = route_name(r) + ": ";
    if (hop.vxlan) return check_vxlan_next_hop(*hop.vxlan, what);
    if (!hop.interface.empty()) {
      if (find_interface(hop.interface) == nullptr)
        return {StatusCode::kNotFound,
                what + "interface: interface '" + hop.interface + "' does not exist"};
      return Status::ok();
    }
    const std::string via = format_ipv4(hop.via);
    const InterfaceConfig* on = interface_on(hop.via);
    if (on == nullptr)
      return {StatusCode::kFailedPrecondition,
              what + "via: next hop " + via + " is not on any interface's subnet"};
    if (on->ip == hop.via)
      return invalid_argument(what + "via: next hop " + via + " is the address of interface '" +
                              on->name + "'");
    if (const char* kind = reserved_address_kind(hop.via, on->prefix_len))
      return invalid_argument(what + "via: next hop " + via + " is the " + kind +
                              " address of interface '" + on->name + "'");
    return Status::ok();
  }

  // A flannel-style next hop: through our VTEP, into an L3 VNI, to a remote VTEP.
  Status check_vxlan_next_hop(const VxlanNextHopConfig& v, const std::string& what) const {
    if (v.vni < 1 || v.vni > kMaxVni)
      return invalid_argument(what + "vxlan.vni: must be 1.." + std::to_string(kMaxVni) + ", got " +
                              std::to_string(v.vni));
    if (Status st = check_remote(v.remote, what + "vxlan.remote: "); !st.is_ok()) return st;
    if (!is_unicast(v.mac))
      return invalid_argument(what + "vxlan.mac: " + format_mac(v.mac) +
                              " is not a unicast address");
    if (config_.vxlan.local_ip == 0)
      return {StatusCode::kFailedPrecondition,
              what + "vxlan: VXLAN is not configured (vxlan.local_ip is not set)"};
    if (const VxlanTunnelConfig* t = find_tunnel(v.vni))
      return {StatusCode::kFailedPrecondition, what + "vxlan.vni: VNI " + std::to_string(v.vni) +
                                                   " is the L2 VNI of bridge domain " +
                                                   std::to_string(t->bridge_domain) +
                                                   " (a route needs an L3 VNI)"};
    return Status::ok();
  }

  Status check_neighbor(const NeighborConfig& n) const {
    const std::string what = neighbor_name(n) + ": ";
    const InterfaceConfig* i = find_interface(n.interface);
    if (i == nullptr)
      return {StatusCode::kNotFound,
              what + "interface: interface '" + n.interface + "' does not exist"};
    if (!in_subnet(i->ip, i->prefix_len, n.ip))
      return {StatusCode::kFailedPrecondition, what + "ip: not in the subnet of interface '" +
                                                   i->name + "' (" +
                                                   format_prefix(i->ip, i->prefix_len) + ")"};
    if (n.ip == i->ip)
      return invalid_argument(what + "ip: is the address of interface '" + i->name + "'");
    if (const char* kind = reserved_address_kind(n.ip, i->prefix_len))
      return invalid_argument(what + "ip: is the " + kind + " address of interface '" + i->name +
                              "'");
    if (!is_unicast(n.mac))
      return invalid_argument(what + "mac: " + format_mac(n.mac) + " is not a unicast address");
    return Status::ok();
  }

  const Config& config_;
  SourceMark* where_;
  std::set<std::string> names_;
  std::map<std::string, std::string> port_owner_;
  std::map<uint32_t, std::string> domain_owner_;
};

// A mark if it is known, else the fallback.
const SourceMark& mark_or(const SourceMark& mark, const SourceMark& fallback) {
  return mark.line != 0 ? mark : fallback;
}

std::string range_text(uint64_t min, uint64_t max) {
  return std::to_string(min) + ".." + std::to_string(max);
}

std::string endpoint(uint32_t ip, uint32_t port) {
  return format_ipv4(ip) + ":" + std::to_string(port);
}

// Checks the conntrack settings, the node port range and each service in order; each
// failure records the mark of the entry (or value) at fault.
class ServicesValidator {
 public:
  ServicesValidator(const Config& config, SourceMark* where) : config_(config), where_(where) {}

  Status run() {
    if (Status st = check_conntrack(); !st.is_ok()) return at(config_.conntrack.mark, st);
    if (Status st = check_node_port_range(); !st.is_ok())
      return at(config_.node_port_range_mark, st);
    for (const ServiceConfig& s : config_.services)
      if (Status st = check_service(s); !st.is_ok()) return st;
    return Status::ok();
  }

 private:
  Status at(const SourceMark& mark, Status st) {
    if (where_ != nullptr) *where_ = mark;
    return st;
  }

  Status check_conntrack() const {
    const ConntrackConfig& c = config_.conntrack;
    if (c.max_flows < kMinConntrackFlows || c.max_flows > kMaxConntrackFlows)
      return invalid_argument("conntrack: max_flows: must be " +
                              range_text(kMinConntrackFlows, kMaxConntrackFlows) + ", got " +
                              std::to_string(c.max_flows));
    const std::pair<const char*, uint32_t> timeouts[] = {{"tcp_syn_s", c.tcp_syn_s},
                                                         {"tcp_established_s", c.tcp_established_s},
                                                         {"tcp_closing_s", c.tcp_closing_s},
                                                         {"udp_s", c.udp_s}};
    for (const auto& [key, value] : timeouts)
      if (value < kMinConntrackTimeoutS || value > kMaxConntrackTimeoutS)
        return invalid_argument(std::string("conntrack: ") + key + ": must be " +
                                range_text(kMinConntrackTimeoutS, kMaxConntrackTimeoutS) +
                                ", got " + std::to_string(value));
    return Status::ok();
  }

  Status check_node_port_range() const {
    const std::string range =
        std::to_string(config_.node_port_min) + "-" + std::to_string(config_.node_port_max);
    if (config_.node_port_min < 1 || config_.node_port_max > kMaxTcpPort)
      return invalid_argument("node_port_range: " + range + ": ports must be " +
                              range_text(1, kMaxTcpPort));
    if (config_.node_port_min > config_.node_port_max)
      return invalid_argument("node_port_range: " + range + ": MIN is greater than MAX");
    return Status::ok();
  }

  // The interface whose address is `ip`, or nullptr.
  const InterfaceConfig* interface_with_address(uint32_t ip) const {
    for (const InterfaceConfig& i : config_.interfaces)
      if (i.ip == ip) return &i;
    return nullptr;
  }

  Status check_service(const ServiceConfig& s) {
    if (!is_service_name(s.name))
      return at(s.mark,
                invalid_argument("service: name: '" + s.name + "' is not a Kubernetes name (1-" +
                                 std::to_string(kMaxServiceNameSize) +
                                 " of a-z 0-9 -, starting and ending with a letter or "
                                 "digit)"));
    const std::string what = "service '" + s.name + "': ";
    if (!names_.insert(s.name).second)
      return at(s.mark, invalid_argument(what + "name: listed twice"));
    const SourceMark& vip_mark = mark_or(s.vip_mark, s.mark);
    const std::string vip = format_ipv4(s.vip);
    if (!is_host_address(s.vip))
      return at(vip_mark,
                invalid_argument(what + "vip: " + vip + " is not a unicast host address"));
    if (const InterfaceConfig* i = interface_with_address(s.vip))
      return at(vip_mark, invalid_argument(what + "vip: " + vip +
                                           " is our own address (interface '" + i->name + "')"));
    if (config_.vxlan.local_ip != 0 && s.vip == config_.vxlan.local_ip)
      return at(vip_mark,
                invalid_argument(what + "vip: " + vip + " is our VTEP address (vxlan.local_ip)"));
    if (s.port < 1 || s.port > kMaxTcpPort)
      return at(s.mark, invalid_argument(what + "port: must be " + range_text(1, kMaxTcpPort) +
                                         ", got " + std::to_string(s.port)));
    const std::string proto = protocol_name(s.protocol);
    const std::string key = endpoint(s.vip, s.port) + "/" + proto;
    if (auto [it, fresh] = vips_.emplace(key, s.name); !fresh)
      return at(vip_mark,
                {StatusCode::kFailedPrecondition,
                 what + "vip: " + key + " is already used by service '" + it->second + "'"});
    if (s.node_port != 0) {
      const SourceMark& mark = mark_or(s.node_port_mark, s.mark);
      if (s.node_port < config_.node_port_min || s.node_port > config_.node_port_max)
        return at(mark, invalid_argument(what + "node_port: " + std::to_string(s.node_port) +
                                         " is out of node_port_range " +
                                         std::to_string(config_.node_port_min) + "-" +
                                         std::to_string(config_.node_port_max)));
      const std::string node_port = std::to_string(s.node_port) + "/" + proto;
      if (auto [it, fresh] = node_ports_.emplace(node_port, s.name); !fresh)
        return at(mark, {StatusCode::kFailedPrecondition, what + "node_port: " + node_port +
                                                              " is already used by service '" +
                                                              it->second + "'"});
    }
    if (s.affinity_timeout_s) {
      if (s.affinity != ServiceAffinity::kClientIp)
        return at(s.mark, invalid_argument(what + "affinity_timeout_s: only with affinity "
                                                  "client_ip"));
      if (*s.affinity_timeout_s < kMinAffinityTimeoutS ||
          *s.affinity_timeout_s > kMaxAffinityTimeoutS)
        return at(s.mark, invalid_argument(what + "affinity_timeout_s: must be " +
                                           range_text(kMinAffinityTimeoutS, kMaxAffinityTimeoutS) +
                                           ", got " + std::to_string(*s.affinity_timeout_s)));
    }
    if (s.backends.size() > kMaxServiceBackends)
      return at(s.mark,
                invalid_argument(what + "backends: at most " + std::to_string(kMaxServiceBackends) +
                                 ", got " + std::to_string(s.backends.size())));
    std::set<std::pair<uint32_t, uint32_t>> endpoints;
    for (size_t k = 0; k < s.backends.size(); ++k) {
      const BackendConfig& b = s.backends[k];
      const std::string field = what + "backends[" + std::to_string(k) + "]";
      const SourceMark& mark = mark_or(b.mark, s.mark);
      if (!is_host_address(b.ip))
        return at(mark, invalid_argument(field + ".ip: " + format_ipv4(b.ip) +
                                         " is not a unicast host address"));
      if (b.port < 1 || b.port > kMaxTcpPort)
        return at(mark, invalid_argument(field + ".port: must be " + range_text(1, kMaxTcpPort) +
                                         ", got " + std::to_string(b.port)));
      if (b.weight < 1 || b.weight > kMaxBackendWeight)
        return at(mark,
                  invalid_argument(field + ".weight: must be " + range_text(1, kMaxBackendWeight) +
                                   ", got " + std::to_string(b.weight)));
      if (!endpoints.insert({b.ip, b.port}).second)
        return at(mark,
                  invalid_argument(field + ": " + endpoint(b.ip, b.port) + " is listed twice"));
    }
    return Status::ok();
  }

  const Config& config_;
  SourceMark* where_;
  std::set<std::string> names_;
  std::map<std::string, std::string> vips_;        // "IP:PORT/PROTO" -> service.
  std::map<std::string, std::string> node_ports_;  // "PORT/PROTO" -> service.
};

}  // namespace

Status validate_l3(const Config& config, SourceMark* where) {
  return L3Validator(config, where).run();
}

Status validate_services(const Config& config, SourceMark* where) {
  return ServicesValidator(config, where).run();
}

Status validate_config(const Config& config) {
  if (config.ports.size() > kMaxPorts) return {StatusCode::kResourceExhausted, too_many_ports()};
  std::set<std::string> names, sockets, ifaces;
  for (const PortConfig& port : config.ports) {
    if (Status st = validate_port(port); !st.is_ok()) return st;
    if (!names.insert(port.name).second)
      return port_error(port, "name: a port of that name exists");
    if (!port.socket.empty() && !sockets.insert(port.socket).second)
      return port_error(port, "socket: " + port.socket + " is used by another port");
    if (!port.iface.empty() && !ifaces.insert(port.iface).second)
      return port_error(port, "iface: " + port.iface + " is used by another port");
  }
  std::set<uint32_t> ids;
  std::map<std::string, uint32_t> port_domain;
  for (const BridgeDomainConfig& domain : config.bridge_domains) {
    if (Status st = validate_domain(domain, names, port_domain); !st.is_ok()) return st;
    if (!ids.insert(domain.id).second)
      return invalid_argument("bridge domain " + std::to_string(domain.id) + ": id: listed twice");
  }
  if (Status st = validate_l3(config); !st.is_ok()) return st;
  return validate_services(config);
}

}  // namespace np::control
