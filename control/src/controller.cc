#include "np/control/controller.h"

#include <algorithm>
#include <cstdio>
#include <utility>
#include <vector>

#include "np/control/apply.h"
#include "np/control/config_rules.h"
#include "np/control/config_validate.h"
#include "np/control/state_file.h"

namespace np::control {
namespace {

// Whether the data plane can keep the port open: every setting of its device is the same
// (security is republished on its own; the attachment is not the data plane's).
bool same_port(const PortConfig& a, const PortConfig& b) {
  return a.name == b.name && a.type == b.type && a.socket == b.socket && a.client == b.client &&
         a.iface == b.iface && a.device == b.device && a.path == b.path && a.queues == b.queues &&
         a.mac == b.mac && a.mtu == b.mtu;
}

const PortConfig* find_port(const Config& config, const std::string& name) {
  for (const PortConfig& p : config.ports)
    if (p.name == name) return &p;
  return nullptr;
}

// Replaces the element `same` finds with `value`, or appends `value` (create or replace).
template <typename T, typename Same>
void replace_or_append(std::vector<T>& items, const T& value, Same same) {
  auto it = std::find_if(items.begin(), items.end(), same);
  if (it != items.end())
    *it = value;
  else
    items.push_back(value);
}

// Removes the elements `match` finds; returns whether there were any.
template <typename T, typename Match>
bool erase_matching(std::vector<T>& items, Match match) {
  const size_t before = items.size();
  items.erase(std::remove_if(items.begin(), items.end(), match), items.end());
  return items.size() != before;
}

// Ports of `from` that `to` lacks or has with other settings: they are closed.
std::vector<PortConfig> ports_leaving(const Config& from, const Config& to) {
  std::vector<PortConfig> out;
  for (const PortConfig& p : from.ports) {
    const PortConfig* q = find_port(to, p.name);
    if (q == nullptr || !same_port(p, *q)) out.push_back(p);
  }
  return out;
}

// The bridge domains of `config` without `ports`.
std::vector<dp::BridgeDomainSpec> domains_without(const Config& config,
                                                  const std::vector<PortConfig>& ports) {
  std::vector<dp::BridgeDomainSpec> specs = domain_specs(config);
  auto leaving = [&](const std::string& name) {
    return std::any_of(ports.begin(), ports.end(),
                       [&](const PortConfig& p) { return p.name == name; });
  };
  for (dp::BridgeDomainSpec& spec : specs) {
    erase_matching(spec.ports, leaving);
    erase_matching(spec.static_macs, [&](const dp::StaticMac& s) { return leaving(s.port); });
  }
  return specs;
}

bool same_interface(const InterfaceConfig& a, const InterfaceConfig& b) {
  return a.name == b.name && a.port == b.port && a.bridge_domain == b.bridge_domain &&
         a.ip == b.ip && a.prefix_len == b.prefix_len && a.mac == b.mac;
}

bool same_route(const RouteConfig& a, const RouteConfig& b) {
  return a.prefix == b.prefix && a.prefix_len == b.prefix_len &&
         std::equal(a.next_hops.begin(), a.next_hops.end(), b.next_hops.begin(), b.next_hops.end(),
                    [](const NextHopConfig& x, const NextHopConfig& y) {
                      return x.via == y.via && x.interface == y.interface && x.vxlan == y.vxlan;
                    });
}

bool same_neighbor(const NeighborConfig& a, const NeighborConfig& b) {
  return a.ip == b.ip && a.mac == b.mac && a.interface == b.interface;
}

bool same_tunnel(const VxlanTunnelConfig& a, const VxlanTunnelConfig& b) {
  return a.vni == b.vni && a.bridge_domain == b.bridge_domain && a.remotes == b.remotes;
}

bool same_vxlan_static_mac(const VxlanStaticMacConfig& a, const VxlanStaticMacConfig& b) {
  return a.vni == b.vni && a.mac == b.mac && a.remote == b.remote;
}

bool same_vxlan(const VxlanConfig& a, const VxlanConfig& b) {
  return a.local_ip == b.local_ip && a.port == b.port && a.mac == b.mac &&
         std::equal(a.tunnels.begin(), a.tunnels.end(), b.tunnels.begin(), b.tunnels.end(),
                    same_tunnel) &&
         std::equal(a.static_macs.begin(), a.static_macs.end(), b.static_macs.begin(),
                    b.static_macs.end(), same_vxlan_static_mac);
}

// Whether the data plane would be given the same interfaces, routes, neighbors and VXLAN.
bool same_l3(const Config& a, const Config& b) {
  return std::equal(a.interfaces.begin(), a.interfaces.end(), b.interfaces.begin(),
                    b.interfaces.end(), same_interface) &&
         std::equal(a.routes.begin(), a.routes.end(), b.routes.begin(), b.routes.end(),
                    same_route) &&
         std::equal(a.neighbors.begin(), a.neighbors.end(), b.neighbors.begin(), b.neighbors.end(),
                    same_neighbor) &&
         same_vxlan(a.vxlan, b.vxlan);
}

bool same_backend(const BackendConfig& a, const BackendConfig& b) {
  return a.ip == b.ip && a.port == b.port && a.weight == b.weight;
}

bool same_service(const ServiceConfig& a, const ServiceConfig& b) {
  return a.name == b.name && a.vip == b.vip && a.port == b.port && a.protocol == b.protocol &&
         a.node_port == b.node_port && a.affinity == b.affinity &&
         a.affinity_timeout_s == b.affinity_timeout_s &&
         std::equal(a.backends.begin(), a.backends.end(), b.backends.begin(), b.backends.end(),
                    same_backend);
}

// Whether the data plane would be given the same services, timeouts and node port range.
bool same_services(const Config& a, const Config& b) {
  const ConntrackConfig &x = a.conntrack, &y = b.conntrack;
  return x.tcp_syn_s == y.tcp_syn_s && x.tcp_established_s == y.tcp_established_s &&
         x.tcp_closing_s == y.tcp_closing_s && x.udp_s == y.udp_s &&
         a.node_port_min == b.node_port_min && a.node_port_max == b.node_port_max &&
         std::equal(a.services.begin(), a.services.end(), b.services.begin(), b.services.end(),
                    same_service);
}

// The L3 part of `to` that the data plane can take while it still has the ports and domains
// of `from`: the interfaces whose port or domain is there before and after the change (a
// port reopened with new settings is not, nor one still bridged in `from`), the routes with
// their next hops through those interfaces, and their neighbors; the VTEP if its address is
// on one of those interfaces, with the L2 VNIs whose bridge domain is in `from` (and their
// static MACs) and the routes into VXLAN.
Config l3_during_change(const Config& from, const Config& to,
                        const std::vector<PortConfig>& leaving) {
  auto stays = [&](const InterfaceConfig& i) {
    if (i.port.empty())
      return std::any_of(from.bridge_domains.begin(), from.bridge_domains.end(),
                         [&](const BridgeDomainConfig& d) { return d.id == i.bridge_domain; });
    const bool reopened = std::any_of(leaving.begin(), leaving.end(),
                                      [&](const PortConfig& p) { return p.name == i.port; });
    const bool bridged =
        std::any_of(from.bridge_domains.begin(), from.bridge_domains.end(),
                    [&](const BridgeDomainConfig& d) { return contains(d.ports, i.port); });
    return find_port(from, i.port) != nullptr && !reopened && !bridged;
  };
  Config out;
  for (const InterfaceConfig& i : to.interfaces)
    if (stays(i)) out.interfaces.push_back(i);
  auto kept = [&](const std::string& name) {
    return std::any_of(out.interfaces.begin(), out.interfaces.end(),
                       [&](const InterfaceConfig& i) { return i.name == name; });
  };
  const bool vtep =
      std::any_of(out.interfaces.begin(), out.interfaces.end(),
                  [&](const InterfaceConfig& i) { return i.ip == to.vxlan.local_ip; });
  if (vtep && to.vxlan.local_ip != 0) {
    out.vxlan = to.vxlan;
    erase_matching(out.vxlan.tunnels, [&](const VxlanTunnelConfig& t) {
      return std::none_of(from.bridge_domains.begin(), from.bridge_domains.end(),
                          [&](const BridgeDomainConfig& d) { return d.id == t.bridge_domain; });
    });
    erase_matching(out.vxlan.static_macs, [&](const VxlanStaticMacConfig& m) {
      return std::none_of(out.vxlan.tunnels.begin(), out.vxlan.tunnels.end(),
                          [&](const VxlanTunnelConfig& t) { return t.vni == m.vni; });
    });
  }
  auto reachable = [&](const NextHopConfig& hop) {
    if (hop.vxlan) return out.vxlan.local_ip != 0;
    if (!hop.interface.empty()) return kept(hop.interface);
    return std::any_of(out.interfaces.begin(), out.interfaces.end(), [&](const InterfaceConfig& i) {
      return in_subnet(i.ip, i.prefix_len, hop.via);
    });
  };
  for (RouteConfig r : to.routes) {
    erase_matching(r.next_hops, [&](const NextHopConfig& hop) { return !reachable(hop); });
    if (!r.next_hops.empty()) out.routes.push_back(std::move(r));
  }
  for (const NeighborConfig& n : to.neighbors)
    if (kept(n.interface)) out.neighbors.push_back(n);
  return out;
}

// Moves the data plane from `from` to `to` (both valid). The data plane refuses an interface
// whose port or domain is missing, and a port or domain removed under an interface, so:
// (1) L3 goes to the part of `to` that the ports and domains of `from` can carry (interfaces
// on what is about to go are removed, new ones on what stays added); (2) ports leaving are
// taken out of their domains and closed, new ports opened (with their security), the new
// security of ports kept open published, the domains of `to` published; (3) L3 goes to
// `to`; (4) the services go to `to` (they depend on no port or interface). Each security,
// L3 and services step is skipped when it changes nothing, unless `force` (after a failure,
// when what the data plane holds is not known). Workers keep forwarding throughout; only
// the ports that change are touched.
dp::DpStatus apply_diff(dp::Dataplane& dataplane, const Config& from, const Config& to,
                        bool force = false) {
  const std::vector<PortConfig> leaving = ports_leaving(from, to);
  const std::vector<PortConfig> arriving = ports_leaving(to, from);
  const bool force_l3 = force && (has_l3(from) || has_l3(to));
  const bool force_services = force && (has_services(from) || has_services(to));
  const Config* l3_now = &from;
  const Config during = l3_during_change(from, to, leaving);
  if (force_l3 || !same_l3(during, from)) {
    if (dp::DpStatus st = dataplane.set_l3(l3_spec(during)); !st.ok()) return st;
    l3_now = &during;
  }
  if (!leaving.empty()) {
    if (dp::DpStatus st = dataplane.set_bridge_domains(domains_without(from, leaving)); !st.ok())
      return st;
    for (const PortConfig& p : leaving) dataplane.remove_port(p.name);
  }
  for (const PortConfig& p : arriving)
    if (dp::DpStatus st = dataplane.add_port(port_spec(p)); !st.ok()) return st;
  // Ports kept open with new security get it before any joins a domain below.
  for (const PortConfig& p : to.ports) {
    const PortConfig* before = find_port(from, p.name);
    if (before == nullptr || !same_port(*before, p) || (!force && before->security == p.security))
      continue;
    if (dp::DpStatus st = dataplane.set_port_security(p.name, port_security_spec(p)); !st.ok())
      return st;
  }
  if (dp::DpStatus st = dataplane.set_bridge_domains(domain_specs(to)); !st.ok()) return st;
  if (force_l3 || !same_l3(to, *l3_now))
    if (dp::DpStatus st = dataplane.set_l3(l3_spec(to)); !st.ok()) return st;
  if (force_services || !same_services(to, from)) return dataplane.set_services(services_spec(to));
  return {};
}

// Puts the data plane back to `state` after a failed change. It was running before, so this
// only fails if the machine changed under us (an interface removed); then say so loudly.
void roll_back(dp::Dataplane& dataplane, const Config& failed, const Config& state) {
  if (dp::DpStatus st = apply_diff(dataplane, failed, state, true); !st.ok())
    fprintf(stderr, "nodeplane: could not restore the previous state: %s\n", st.message().c_str());
}

// The interface on routed port `port`, or nullptr.
const InterfaceConfig* interface_on_port(const Config& config, const std::string& port) {
  for (const InterfaceConfig& i : config.interfaces)
    if (!i.port.empty() && i.port == port) return &i;
  return nullptr;
}

// The L2 VNI of bridge domain `id`, or nullptr.
const VxlanTunnelConfig* tunnel_of_domain(const Config& config, uint32_t id) {
  for (const VxlanTunnelConfig& t : config.vxlan.tunnels)
    if (t.bridge_domain == id) return &t;
  return nullptr;
}

// The gateway interface of bridge domain `id`, or nullptr.
const InterfaceConfig* interface_of_domain(const Config& config, uint32_t id) {
  for (const InterfaceConfig& i : config.interfaces)
    if (i.port.empty() && i.bridge_domain == id) return &i;
  return nullptr;
}

}  // namespace

Controller::Controller(dp::Dataplane& dataplane, Config current)
    : dataplane_(dataplane), state_(std::move(current)) {}

Status Controller::commit(Config desired) {
  if (desired.conntrack.max_flows != state_.conntrack.max_flows)
    return {StatusCode::kFailedPrecondition,
            "conntrack: max_flows: the connection table's size is fixed at start (" +
                std::to_string(state_.conntrack.max_flows) +
                "); change it in the config file and restart"};
  if (Status st = validate_config(desired); !st.is_ok()) return st;
  if (dp::DpStatus st = apply_diff(dataplane_, state_, desired); !st.ok()) {
    // A device refused (an interface that does not exist, a socket path in use): go back.
    roll_back(dataplane_, desired, state_);
    return {StatusCode::kFailedPrecondition, st.message()};
  }
  if (Status st = save_state(desired); !st.is_ok()) {
    roll_back(dataplane_, desired, state_);
    return st;
  }
  state_ = std::move(desired);
  return Status::ok();
}

Status Controller::add_port(const PortConfig& port, uint32_t bridge_domain) {
  Config desired = state_;
  replace_or_append(desired.ports, port, [&](const PortConfig& p) { return p.name == port.name; });
  if (bridge_domain != 0) {
    auto domain = std::find_if(desired.bridge_domains.begin(), desired.bridge_domains.end(),
                               [&](const BridgeDomainConfig& d) { return d.id == bridge_domain; });
    if (domain == desired.bridge_domains.end())
      return {StatusCode::kNotFound,
              "bridge_domain: " + std::to_string(bridge_domain) + " does not exist"};
    for (BridgeDomainConfig& d : desired.bridge_domains) {
      if (d.id == bridge_domain) continue;
      erase_matching(d.ports, [&](const std::string& p) { return p == port.name; });
      erase_matching(d.static_macs, [&](const StaticMacConfig& s) { return s.port == port.name; });
    }
    if (!contains(domain->ports, port.name)) domain->ports.push_back(port.name);
  }
  return commit(std::move(desired));
}

Status Controller::delete_port(const std::string& name, bool& deleted) {
  deleted = false;
  if (const InterfaceConfig* i = interface_on_port(state_, name))
    return {StatusCode::kFailedPrecondition, "port '" + name + "': interface '" + i->name +
                                                 "' is on it (delete the interface first)"};
  Config desired = state_;
  deleted = erase_matching(desired.ports, [&](const PortConfig& p) { return p.name == name; });
  if (!deleted) return Status::ok();
  for (BridgeDomainConfig& d : desired.bridge_domains) {
    erase_matching(d.ports, [&](const std::string& p) { return p == name; });
    erase_matching(d.static_macs, [&](const StaticMacConfig& s) { return s.port == name; });
  }
  return commit(std::move(desired));
}

Status Controller::add_bridge_domain(const BridgeDomainConfig& domain) {
  Config desired = state_;
  replace_or_append(desired.bridge_domains, domain,
                    [&](const BridgeDomainConfig& d) { return d.id == domain.id; });
  return commit(std::move(desired));
}

Status Controller::delete_bridge_domain(uint32_t id, bool& deleted) {
  deleted = false;
  if (const InterfaceConfig* i = interface_of_domain(state_, id))
    return {StatusCode::kFailedPrecondition, "bridge domain " + std::to_string(id) +
                                                 ": interface '" + i->name +
                                                 "' is its gateway (delete the interface first)"};
  if (const VxlanTunnelConfig* t = tunnel_of_domain(state_, id))
    return {StatusCode::kFailedPrecondition, "bridge domain " + std::to_string(id) +
                                                 ": VXLAN VNI " + std::to_string(t->vni) +
                                                 " extends it (delete the tunnel first)"};
  Config desired = state_;
  deleted = erase_matching(desired.bridge_domains,
                           [&](const BridgeDomainConfig& d) { return d.id == id; });
  return deleted ? commit(std::move(desired)) : Status::ok();
}

Status Controller::add_static_mac(uint32_t domain_id, const StaticMacConfig& mac) {
  Config desired = state_;
  auto domain = std::find_if(desired.bridge_domains.begin(), desired.bridge_domains.end(),
                             [&](const BridgeDomainConfig& d) { return d.id == domain_id; });
  if (domain == desired.bridge_domains.end())
    return {StatusCode::kNotFound,
            "bridge_domain: " + std::to_string(domain_id) + " does not exist"};
  replace_or_append(domain->static_macs, mac,
                    [&](const StaticMacConfig& s) { return s.mac == mac.mac; });
  return commit(std::move(desired));
}

Status Controller::delete_static_mac(uint32_t domain_id, const MacAddress& mac, bool& deleted) {
  Config desired = state_;
  deleted = false;
  for (BridgeDomainConfig& d : desired.bridge_domains)
    if (d.id == domain_id)
      deleted =
          erase_matching(d.static_macs, [&](const StaticMacConfig& s) { return s.mac == mac; });
  return deleted ? commit(std::move(desired)) : Status::ok();
}

Status Controller::add_interface(const InterfaceConfig& interface) {
  Config desired = state_;
  replace_or_append(desired.interfaces, interface,
                    [&](const InterfaceConfig& i) { return i.name == interface.name; });
  return commit(std::move(desired));
}

Status Controller::delete_interface(const std::string& name, bool& deleted) {
  deleted = false;
  auto it = std::find_if(state_.interfaces.begin(), state_.interfaces.end(),
                         [&](const InterfaceConfig& i) { return i.name == name; });
  if (it == state_.interfaces.end()) return Status::ok();
  if (state_.vxlan.local_ip != 0 && state_.vxlan.local_ip == it->ip)
    return {StatusCode::kFailedPrecondition,
            "interface '" + name + "': its address " + format_ipv4(it->ip) +
                " is vxlan.local_ip (change the VXLAN settings first)"};
  for (const RouteConfig& r : state_.routes)
    for (const NextHopConfig& hop : r.next_hops)
      if (hop.interface == name || (hop.via != 0 && in_subnet(it->ip, it->prefix_len, hop.via)))
        return {StatusCode::kFailedPrecondition,
                "interface '" + name + "': route " + format_prefix(r.prefix, r.prefix_len) +
                    " goes through it (delete or change the route first)"};
  Config desired = state_;
  erase_matching(desired.interfaces, [&](const InterfaceConfig& i) { return i.name == name; });
  erase_matching(desired.neighbors, [&](const NeighborConfig& n) { return n.interface == name; });
  deleted = true;
  return commit(std::move(desired));
}

Status Controller::add_route(const RouteConfig& route) {
  Config desired = state_;
  replace_or_append(desired.routes, route, [&](const RouteConfig& r) {
    return r.prefix == route.prefix && r.prefix_len == route.prefix_len;
  });
  return commit(std::move(desired));
}

Status Controller::delete_route(uint32_t prefix, uint8_t prefix_len, bool& deleted) {
  Config desired = state_;
  deleted = erase_matching(desired.routes, [&](const RouteConfig& r) {
    return r.prefix == prefix && r.prefix_len == prefix_len;
  });
  return deleted ? commit(std::move(desired)) : Status::ok();
}

Status Controller::add_neighbor(const NeighborConfig& neighbor) {
  Config desired = state_;
  replace_or_append(desired.neighbors, neighbor, [&](const NeighborConfig& n) {
    return n.ip == neighbor.ip && n.interface == neighbor.interface;
  });
  return commit(std::move(desired));
}

Status Controller::set_vxlan(const VxlanConfig& settings) {
  Config desired = state_;
  desired.vxlan.local_ip = settings.local_ip;
  desired.vxlan.port = settings.port;
  desired.vxlan.mac = settings.mac;
  desired.vxlan.mark = {};
  desired.vxlan.local_ip_mark = {};
  return commit(std::move(desired));
}

Status Controller::add_vxlan_tunnel(const VxlanTunnelConfig& tunnel) {
  Config desired = state_;
  replace_or_append(desired.vxlan.tunnels, tunnel,
                    [&](const VxlanTunnelConfig& t) { return t.vni == tunnel.vni; });
  return commit(std::move(desired));
}

Status Controller::delete_vxlan_tunnel(uint32_t vni, bool& deleted) {
  Config desired = state_;
  deleted = erase_matching(desired.vxlan.tunnels,
                           [&](const VxlanTunnelConfig& t) { return t.vni == vni; });
  if (!deleted) return Status::ok();
  erase_matching(desired.vxlan.static_macs,
                 [&](const VxlanStaticMacConfig& m) { return m.vni == vni; });
  return commit(std::move(desired));
}

Status Controller::add_vxlan_static_mac(const VxlanStaticMacConfig& mac) {
  Config desired = state_;
  replace_or_append(desired.vxlan.static_macs, mac, [&](const VxlanStaticMacConfig& m) {
    return m.vni == mac.vni && m.mac == mac.mac;
  });
  return commit(std::move(desired));
}

Status Controller::delete_vxlan_static_mac(uint32_t vni, const MacAddress& mac, bool& deleted) {
  Config desired = state_;
  deleted = erase_matching(desired.vxlan.static_macs, [&](const VxlanStaticMacConfig& m) {
    return m.vni == vni && m.mac == mac;
  });
  return deleted ? commit(std::move(desired)) : Status::ok();
}

Status Controller::add_service(const ServiceConfig& service) {
  Config desired = state_;
  replace_or_append(desired.services, service,
                    [&](const ServiceConfig& s) { return s.name == service.name; });
  return commit(std::move(desired));
}

Status Controller::delete_service(const std::string& name, bool& deleted) {
  Config desired = state_;
  deleted =
      erase_matching(desired.services, [&](const ServiceConfig& s) { return s.name == name; });
  return deleted ? commit(std::move(desired)) : Status::ok();
}

Status Controller::delete_neighbor(uint32_t ip, const std::string& interface, bool& deleted) {
  Config desired = state_;
  deleted = erase_matching(desired.neighbors, [&](const NeighborConfig& n) {
    return n.ip == ip && (interface.empty() || n.interface == interface);
  });
  return deleted ? commit(std::move(desired)) : Status::ok();
}

}  // namespace np::control
