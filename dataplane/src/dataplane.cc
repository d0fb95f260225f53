#include "np/dp/dataplane.h"

#include <rte_cycles.h>
#include <rte_ethdev.h>
#include <rte_launch.h>
#include <rte_mbuf.h>

#include <time.h>
#include <functional>
#include <set>
#include <stdexcept>

namespace np::dp {
namespace {

constexpr unsigned kMempoolCache = 256;

rte_mempool* create_pool(unsigned n) {
  rte_mempool* pool =
      rte_pktmbuf_pool_create("np_mbufs", n, kMempoolCache, 0, RTE_MBUF_DEFAULT_BUF_SIZE,
                              static_cast<int>(rte_socket_id()));
  if (pool == nullptr)
    throw std::runtime_error("cannot allocate " + std::to_string(n) +
                             " mbufs: " + rte_strerror(rte_errno) +
                             " (raise dpdk.memory_mb or reserve more hugepages)");
  return pool;
}

DpStatus check_security(const std::string& port, const PortSecuritySpec& spec) {
  const std::string what = "port '" + port + "': security: ";
  if (!rte_is_unicast_ether_addr(&spec.mac) || rte_is_zero_ether_addr(&spec.mac))
    return DpStatus::error(what + "mac is not a unicast address");
  if (spec.ips.empty() || spec.ips.size() > kMaxSecurityIps)
    return DpStatus::error(what + "1 to " + std::to_string(kMaxSecurityIps) + " addresses, got " +
                           std::to_string(spec.ips.size()));
  return {};
}

int worker_main(void* arg) {
  auto* launch = static_cast<std::pair<Worker*, const std::atomic<bool>*>*>(arg);
  launch->first->run(*launch->second);
  delete launch;
  return 0;
}

}  // namespace

Dataplane::Dataplane(const DataplaneOptions& options)
    : options_(options),
      pool_(create_pool(options.mbuf_count)),
      rcu_(static_cast<unsigned>(std::max<size_t>(options.worker_lcores.size(), 1))),
      macs_("np_macs", options.mac_table_capacity, rcu_),
      l2_(rcu_, std::make_unique<L2Config>()),
      fib_("np_fib", options.max_routes, options.route_tbl8_groups, options.max_next_hop_groups,
           rcu_),
      services_("np_svc", options.conntrack_max_flows, rcu_, rte_get_tsc_hz()),
      service_stage_(&services_.conntrack()),
      bridge_(macs_),
      router_(fib_, rte_get_tsc_hz(), &service_stage_),
      pipeline_(l2_, bridge_, router_),
      ports_(kMaxPorts),
      l3_(fib_, pool_, options.neighbor_timers, &service_stage_,
          [this](const InjectItem& item) {
            // The first worker sends what the control thread has to send.
            return !workers_.empty() && workers_[0]->ctx().inject.push(item);
          }),
      tsc_hz_(rte_get_tsc_hz()) {
  for (unsigned i = 0; i < options.worker_lcores.size(); ++i)
    workers_.push_back(std::make_unique<Worker>(i, options.worker_lcores[i], rcu_, shared_,
                                                pipeline_, options.idle_sleep_max_us));
}

Dataplane::~Dataplane() {
  shutdown();
  // Frames queued for workers that will not run again.
  for (auto& worker : workers_) {
    InjectItem item;
    while (worker->ctx().inject.pop(item)) rte_pktmbuf_free(item.m);
    PuntEvent ev;
    while (worker->ctx().punt.pop(ev))
      if (ev.m != nullptr) rte_pktmbuf_free(ev.m);
  }
  l3_.release_packets();
  workers_.clear();
  rcu_.drain();
  rte_mempool_free(pool_);
}

int Dataplane::find_port(const std::string& name) const {
  for (size_t id = 0; id < ports_.size(); ++id)
    if (ports_[id] && ports_[id]->spec.name == name) return static_cast<int>(id);
  return -1;
}

DpStatus Dataplane::add_port(const PortSpec& spec) {
  if (find_port(spec.name) >= 0) return DpStatus::error("port '" + spec.name + "' already exists");
  if (spec.security)
    if (DpStatus st = check_security(spec.name, *spec.security); !st.ok()) return st;
  auto port = std::make_unique<Port>();
  DpStatus st = open_port(spec, static_cast<unsigned>(workers_.size()), pool_, *port);
  if (!st.ok()) return st;
  const uint16_t id = port->id;
  ports_[id] = std::move(port);
  // The rules go out before the plans that poll the port: a worker that sees the port in its
  // plan then reads a snapshot that has them.
  if (spec.security) publish_config(domain_specs_, ifaces_);
  publish_worker_plans();
  return {};
}

DpStatus Dataplane::set_port_security(const std::string& name,
                                      const std::optional<PortSecuritySpec>& security) {
  const int id = find_port(name);
  if (id < 0) return DpStatus::error("port '" + name + "' does not exist");
  if (security)
    if (DpStatus st = check_security(name, *security); !st.ok()) return st;
  ports_[id]->spec.security = security;
  publish_config(domain_specs_, ifaces_);
  return {};
}

std::optional<PortSecuritySpec> Dataplane::port_security(const std::string& name) const {
  const int id = find_port(name);
  const L2Config& config = *l2_.read();
  if (id < 0 || config.port_security[id] == kNoSecurity) return std::nullopt;
  const PortSecurity& rules = config.securities[config.port_security[id]];
  PortSecuritySpec spec;
  spec.mac = rules.mac;
  for (uint8_t k = 0; k < rules.n_ips; ++k) spec.ips.push_back(rte_be_to_cpu_32(rules.ips[k]));
  return spec;
}

bool Dataplane::remove_port(const std::string& name) {
  const int id = find_port(name);
  if (id < 0) return false;
  if (const std::string user = interface_using(id, 0); !user.empty()) {
    fprintf(stderr, "nodeplane: port %s not removed: interface %s uses it\n", name.c_str(),
            user.c_str());
    return false;
  }
  std::unique_ptr<Port> port = std::move(ports_[id]);
  shared_.link_up[id].store(0, std::memory_order_relaxed);
  // Its rules go too, so that a port opened later under the same id starts without them.
  if (l2_.read()->port_security[id] != kNoSecurity) publish_config(domain_specs_, ifaces_);
  publish_worker_plans();
  // After a grace period no worker polls the port or holds its packets in a tx buffer.
  rcu_.drain();
  close_port(*port);
  return true;
}

void Dataplane::publish_worker_plans() {
  if (workers_.empty()) return;
  std::vector<std::unique_ptr<WorkerPlan>> plans;
  for (size_t w = 0; w < workers_.size(); ++w) plans.push_back(std::make_unique<WorkerPlan>());
  size_t next = 0;  // Round-robin (port, queue) pairs over the workers.
  for (const auto& port : ports_) {
    if (!port) continue;
    for (uint16_t q = 0; q < port->n_rxq; ++q)
      plans[next++ % plans.size()]->rx.push_back({port->id, q});
    for (size_t w = 0; w < plans.size(); ++w) {
      const uint16_t txq = static_cast<uint16_t>(w % port->n_txq);
      plans[w]->txq[port->id] = txq;
      plans[w]->tx_lock[port->id] = port->tx_shared ? &port->tx_locks[txq] : nullptr;
    }
  }
  for (size_t w = 0; w < workers_.size(); ++w) workers_[w]->plan().publish(std::move(plans[w]));
}

uint16_t Dataplane::domain_index(uint32_t id) {
  auto it = domain_index_.find(id);
  if (it != domain_index_.end()) return it->second;
  std::set<uint16_t> used;
  for (const auto& [_, index] : domain_index_) used.insert(index);
  uint16_t index = 0;
  while (used.count(index)) ++index;
  domain_index_[id] = index;
  return index;
}

DpStatus Dataplane::set_bridge_domains(const std::vector<BridgeDomainSpec>& specs) {
  // Validate everything before changing anything.
  std::set<uint32_t> ids;
  std::set<int> bound;
  for (const BridgeDomainSpec& spec : specs) {
    const std::string what = "bridge domain " + std::to_string(spec.id) + ": ";
    if (!ids.insert(spec.id).second) return DpStatus::error(what + "duplicate id");
    for (const std::string& name : spec.ports) {
      int id = find_port(name);
      if (id < 0) return DpStatus::error(what + "port '" + name + "' does not exist");
      if (!bound.insert(id).second)
        return DpStatus::error(what + "port '" + name + "' is already in a bridge domain");
    }
    for (const StaticMac& s : spec.static_macs) {
      int id = find_port(s.port);
      if (id < 0 || std::find(spec.ports.begin(), spec.ports.end(), s.port) == spec.ports.end())
        return DpStatus::error(what + "static MAC port '" + s.port + "' is not a member");
    }
  }
  for (const auto& [id, _] : domain_index_)
    if (ids.count(id) == 0 && vxlan_.uses_domain(id))
      return DpStatus::error("bridge domain " + std::to_string(id) + " is used by a VXLAN tunnel");
  for (const auto& ifc : ifaces_) {
    if (!ifc) continue;
    if (ifc->port_name.empty() && ids.count(ifc->bridge_domain) == 0)
      return DpStatus::error("bridge domain " + std::to_string(ifc->bridge_domain) +
                             " is used by interface '" + ifc->name + "'");
    if (!ifc->port_name.empty() && bound.count(find_port(ifc->port_name)))
      return DpStatus::error("port '" + ifc->port_name + "' is routed by interface '" + ifc->name +
                             "'; it cannot join a bridge domain");
  }
  // Forget the indices of removed domains (and their MACs) before allocating new ones.
  for (auto it = domain_index_.begin(); it != domain_index_.end();) {
    if (ids.count(it->first)) {
      ++it;
      continue;
    }
    macs_.flush(it->second);
    it = domain_index_.erase(it);
  }
  domain_specs_ = specs;
  // Gateways follow their domain's (possibly new) index.
  std::vector<std::optional<ResolvedInterface>> ifaces = ifaces_;
  for (auto& ifc : ifaces)
    if (ifc && ifc->port_name.empty()) ifc->data.domain = domain_index(ifc->bridge_domain);
  publish_config(specs, ifaces);
  ifaces_ = std::move(ifaces);
  const L2Config& config = *l2_.read();
  // Entries that no longer belong: learned on a port that left the domain, or static and no
  // longer configured. Static MACs that stay are updated in place, never missing a moment.
  std::set<MacKey> statics;
  for (const auto& [key, _] : vxlan_statics_) statics.insert(key);
  for (const BridgeDomainSpec& spec : specs)
    for (const StaticMac& s : spec.static_macs)
      statics.insert(make_mac_key(domain_index(spec.id), s.mac));
  macs_.remove_if([&](MacKey key, const MacEntry& entry) {
    if (entry.is_static.load(std::memory_order_relaxed)) return statics.count(key) == 0;
    return !config.port_in_domain(entry.port.load(std::memory_order_relaxed), mac_key_domain(key));
  });
  for (const BridgeDomainSpec& spec : specs)
    for (const StaticMac& s : spec.static_macs) {
      DpStatus st = macs_.add_static(make_mac_key(domain_index(spec.id), s.mac),
                                     static_cast<uint16_t>(find_port(s.port)));
      if (!st.ok()) return st;
    }
  return {};
}

void Dataplane::publish_config(const std::vector<BridgeDomainSpec>& specs,
                               const std::vector<std::optional<ResolvedInterface>>& ifaces) {
  auto next = std::make_unique<L2Config>();
  for (const BridgeDomainSpec& spec : specs) {
    const uint16_t index = domain_index(spec.id);
    if (next->domains.size() <= index) next->domains.resize(index + 1);
    BridgeDomain& d = next->domains[index];
    d.id = spec.id;
    d.learning = spec.learning;
    d.flood = spec.flood;
    d.aging_s = spec.aging_s;
    d.max_macs = spec.max_macs;
    for (const std::string& name : spec.ports) {
      const auto id = static_cast<uint16_t>(find_port(name));
      d.members[d.n_members++] = id;
      next->port_domain[id] = index;
    }
  }
  next->ifaces.resize(ifaces.size());
  for (uint16_t i = 0; i < ifaces.size(); ++i) {
    if (!ifaces[i]) continue;  // A free index: port and domain stay unset.
    const L3Interface& data = ifaces[i]->data;
    next->ifaces[i] = data;
    if (data.port != kNoPort) next->port_iface[data.port] = i;
    if (data.domain != kNoDomain) {
      BridgeDomain& d = next->domains[data.domain];
      d.gateway = i;
      d.gateway_key = make_mac_key(data.domain, data.mac);
      d.gateway_ip = data.ip;
    }
  }
  for (const auto& port : ports_) {
    if (!port || !port->spec.security) continue;
    const PortSecuritySpec& spec = *port->spec.security;
    PortSecurity rules;
    rules.set_mac(spec.mac);
    for (uint32_t ip : spec.ips) rules.ips[rules.n_ips++] = rte_cpu_to_be_32(ip);
    next->port_security[port->id] = static_cast<uint16_t>(next->securities.size());
    next->securities.push_back(rules);
  }
  vxlan_.annotate(*next, domain_index_);
  next->services = services_.table();
  if (learn_stats_.size() < next->domains.size()) learn_stats_.resize(next->domains.size());
  l2_.publish(std::move(next));
}

std::string Dataplane::interface_using(int port, uint32_t domain_id) const {
  for (const auto& ifc : ifaces_)
    if (ifc && ((port >= 0 && ifc->data.port == port) ||
                (domain_id != 0 && ifc->port_name.empty() && ifc->bridge_domain == domain_id)))
      return ifc->name;
  return "";
}

DpStatus Dataplane::resolve_interfaces(const L3Spec& spec,
                                       std::vector<std::optional<ResolvedInterface>>& out) {
  std::map<std::string, uint16_t> kept;  // Name -> index, for names that stay.
  for (uint16_t i = 0; i < ifaces_.size(); ++i)
    if (ifaces_[i]) kept[ifaces_[i]->name] = i;
  std::set<std::string> names;
  std::set<int> ports;
  std::set<uint32_t> domains;
  std::vector<std::pair<uint16_t, ResolvedInterface>> resolved;
  for (const InterfaceSpec& is : spec.interfaces) {
    const std::string what = "interface '" + is.name + "': ";
    if (!names.insert(is.name).second) return DpStatus::error(what + "duplicate name");
    if (is.prefix_len < 1 || is.prefix_len > 32)
      return DpStatus::error(what + "prefix length must be 1-32");
    ResolvedInterface r;
    r.name = is.name;
    r.data.ip = rte_cpu_to_be_32(is.ip);
    r.data.prefix_len = is.prefix_len;
    if (!is.port.empty()) {
      const int id = find_port(is.port);
      if (id < 0) return DpStatus::error(what + "port '" + is.port + "' does not exist");
      if (l2_.read()->port_domain[id] != kNoDomain)
        return DpStatus::error(what + "port '" + is.port + "' is in a bridge domain");
      if (!ports.insert(id).second)
        return DpStatus::error(what + "port '" + is.port + "' already has an interface");
      r.port_name = is.port;
      r.data.port = static_cast<uint16_t>(id);
      r.tx_port = r.data.port;
      rte_eth_macaddr_get(r.data.port, &r.data.mac);
      uint16_t mtu = kDefaultMtu;
      if (rte_eth_dev_get_mtu(r.data.port, &mtu) == 0) r.data.mtu = mtu;
    } else {
      auto index = domain_index_.find(is.bridge_domain);
      if (index == domain_index_.end())
        return DpStatus::error(what + "bridge domain " + std::to_string(is.bridge_domain) +
                               " does not exist");
      if (!domains.insert(is.bridge_domain).second)
        return DpStatus::error(what + "bridge domain " + std::to_string(is.bridge_domain) +
                               " already has a gateway interface");
      r.bridge_domain = is.bridge_domain;
      r.data.domain = index->second;
      const BridgeDomain& d = l2_.read()->domains[index->second];
      r.tx_port = d.n_members != 0 ? d.members[0] : 0;
      // Locally administered, derived from the name: stable across restarts.
      const size_t h = std::hash<std::string>{}(is.name);
      r.data.mac = {{0x02, static_cast<uint8_t>(h), static_cast<uint8_t>(h >> 8),
                     static_cast<uint8_t>(h >> 16), static_cast<uint8_t>(h >> 24),
                     static_cast<uint8_t>(h >> 32)}};
    }
    if (is.mac) r.data.mac = *is.mac;
    for (const auto& [_, other] : resolved) {
      const uint8_t len = std::min(other.data.prefix_len, is.prefix_len);
      if (((rte_be_to_cpu_32(other.data.ip) ^ is.ip) & prefix_mask(len)) == 0)
        return DpStatus::error(what + "subnet overlaps interface '" + other.name + "'");
    }
    auto k = kept.find(is.name);
    resolved.push_back({k != kept.end() ? k->second : kNoIface, std::move(r)});
  }
  // Indices: a name keeps its own; new names take the lowest free ones.
  out.clear();
  std::set<uint16_t> used;
  for (const auto& [index, _] : resolved)
    if (index != kNoIface) used.insert(index);
  uint16_t next_free = 0;
  for (auto& [index, r] : resolved) {
    if (index == kNoIface) {
      while (used.count(next_free)) ++next_free;
      index = next_free++;
    }
    if (out.size() <= index) out.resize(index + 1);
    out[index] = std::move(r);
  }
  return {};
}

DpStatus Dataplane::set_l3(const L3Spec& spec) {
  std::vector<std::optional<ResolvedInterface>> ifaces;
  if (DpStatus st = resolve_interfaces(spec, ifaces); !st.ok()) return st;
  auto find_iface = [&](const std::string& name) -> int {
    for (size_t i = 0; i < ifaces.size(); ++i)
      if (ifaces[i] && ifaces[i]->name == name) return static_cast<int>(i);
    return -1;
  };
  // The interface whose subnet holds `ip`.
  auto on_link = [&](uint32_t ip) -> int {
    for (size_t i = 0; i < ifaces.size(); ++i)
      if (ifaces[i] && ifaces[i]->data.holds(ip)) return static_cast<int>(i);
    return -1;
  };
  std::vector<ResolvedRoute> routes;
  std::set<Ipv4Prefix> prefixes;
  for (const RouteSpec& rs : spec.routes) {
    const std::string what = "route " + format_prefix(rs.prefix) + ": ";
    if (rs.prefix.len > 32 || (rs.prefix.addr & ~prefix_mask(rs.prefix.len)) != 0)
      return DpStatus::error(what + "host bits set");
    if (!prefixes.insert(rs.prefix).second) return DpStatus::error(what + "duplicate prefix");
    if (rs.next_hops.empty() || rs.next_hops.size() > kMaxEcmpPaths)
      return DpStatus::error(what + "needs 1-" + std::to_string(kMaxEcmpPaths) + " next hops");
    ResolvedRoute r{rs.prefix, {}};
    for (const NextHopSpec& nh : rs.next_hops) {
      if (nh.vxlan) continue;  // Checked and resolved with the VXLAN settings below.
      const int i = nh.interface.empty() ? on_link(nh.via) : find_iface(nh.interface);
      if (i < 0)
        return DpStatus::error(
            what + (nh.interface.empty()
                        ? "next hop " + format_ipv4(nh.via) + " is not on any interface's subnet"
                        : "interface '" + nh.interface + "' does not exist"));
      r.next_hops.push_back({static_cast<uint16_t>(i), nh.via});
    }
    routes.push_back(std::move(r));
  }
  std::vector<ResolvedNeighbor> neighbors;
  for (const NeighborSpec& ns : spec.neighbors) {
    const int i = find_iface(ns.interface);
    if (i < 0 || on_link(ns.ip) != i)
      return DpStatus::error("neighbor " + format_ipv4(ns.ip) +
                             ": not on the subnet of interface '" + ns.interface + "'");
    neighbors.push_back({static_cast<uint16_t>(i), ns.ip, ns.mac});
  }
  // Last check, first change: VXLAN (its remotes and VNIs are numbered once accepted).
  if (DpStatus st = vxlan_.set(spec.vxlan, spec.routes, ifaces, domain_index_); !st.ok()) return st;
  for (size_t r = 0; r < routes.size(); ++r)
    for (const NextHopSpec& nh : spec.routes[r].next_hops)
      if (nh.vxlan) routes[r].next_hops.push_back(vxlan_.next_hop(*nh.vxlan));
  // Workers learn of new interfaces before any route can lead to them.
  publish_config(domain_specs_, ifaces);
  ifaces_ = std::move(ifaces);
  l3_.apply(ifaces_, routes, neighbors, now_ms(), vxlan_.mac());
  sync_vxlan_macs_and_rules();
  return {};
}

void Dataplane::sync_vxlan_macs_and_rules() {
  const L2Config& config = *l2_.read();
  std::set<uint16_t> active;
  for (const RemoteEntry& r : config.vxlan.remote_lookup) active.insert(r.index);
  const std::map<MacKey, uint16_t> statics = vxlan_.static_macs(domain_index_);
  macs_.remove_if([&](MacKey key, const MacEntry& entry) {
    const uint16_t port = entry.port.load(std::memory_order_relaxed);
    if (!is_remote_port(port)) return false;
    if (entry.is_static.load(std::memory_order_relaxed)) return statics.count(key) == 0;
    return !config.port_in_domain(port, mac_key_domain(key)) ||
           active.count(static_cast<uint16_t>(port - kRemotePortBase)) == 0;
  });
  for (const auto& [key, port] : statics)
    if (DpStatus st = macs_.add_static(key, port); !st.ok())
      fprintf(stderr, "nodeplane: static remote MAC not added: %s\n", st.message().c_str());
  vxlan_statics_ = statics;
  std::vector<std::pair<uint16_t, std::string>> routed;
  for (const auto& ifc : ifaces_)
    if (ifc && ifc->data.port != kNoPort) routed.push_back({ifc->data.port, ifc->port_name});
  vxlan_.program_ports(routed);
}

std::vector<InterfaceRow> Dataplane::list_interfaces() const {
  std::vector<InterfaceRow> rows;
  for (const auto& ifc : ifaces_)
    if (ifc)
      rows.push_back({ifc->name, ifc->port_name, ifc->bridge_domain, rte_be_to_cpu_32(ifc->data.ip),
                      ifc->data.prefix_len, ifc->data.mac});
  return rows;
}

std::vector<NeighborRow> Dataplane::list_neighbors() const { return l3_.neighbors(now_ms()); }

DpStatus Dataplane::start() {
  for (auto& worker : workers_) {
    auto* launch = new std::pair<Worker*, const std::atomic<bool>*>(worker.get(), &workers_stop_);
    int rc = rte_eal_remote_launch(worker_main, launch, worker->lcore());
    if (rc != 0) {
      delete launch;
      return DpStatus::from_errno("launch worker on lcore " + std::to_string(worker->lcore()), rc);
    }
  }
  started_ = true;
  poll_links();
  return {};
}

void Dataplane::drain_learn_queues() {
  const L2Config& config = *l2_.read();
  const uint32_t now_s = shared_.now_s.load(std::memory_order_relaxed);
  for (auto& worker : workers_) {
    LearnEvent ev;
    while (worker->ctx().learn.pop(ev)) {
      const uint16_t domain = mac_key_domain(ev.key);
      switch (macs_.learn(ev.key, ev.port, now_s, config)) {
        case LearnResult::kAdded:
          ++learn_stats_[domain].learned;
          break;
        case LearnResult::kMoved:
          ++learn_stats_[domain].moved;
          break;
        case LearnResult::kDomainLimit:
          ++learn_stats_[domain].limit_reached;
          break;
        case LearnResult::kTableFull:
          ++learn_stats_[domain].table_full;
          break;
        case LearnResult::kUnchanged:
        case LearnResult::kStaticKept:
        case LearnResult::kStale:
          break;
      }
    }
  }
}

void Dataplane::drain_punt_queues() {
  const uint64_t now = now_ms();
  for (auto& worker : workers_) {
    PuntEvent ev;
    while (worker->ctx().punt.pop(ev)) l3_.handle(ev, now);
  }
}

void Dataplane::poll_links() {
  for (const auto& port : ports_) {
    if (!port) continue;
    rte_eth_link link{};
    rte_eth_link_get_nowait(port->id, &link);
    const uint8_t up = link.link_status == RTE_ETH_LINK_UP ? 1 : 0;
    if (shared_.link_up[port->id].exchange(up, std::memory_order_relaxed) != up)
      fprintf(stderr, "nodeplane: port %s link %s\n", port->spec.name.c_str(), up ? "up" : "down");
  }
}

void Dataplane::control_step() {
  const uint64_t now = rte_rdtsc();
  shared_.now_s.store(static_cast<uint32_t>(now / tsc_hz_), std::memory_order_relaxed);
  drain_learn_queues();
  drain_punt_queues();
  if (now - last_neighbor_tick_ >= tsc_hz_ / 10) {
    last_neighbor_tick_ = now;
    l3_.tick(now_ms());
  }
  if (now - last_link_poll_ >= tsc_hz_ / 10) {
    last_link_poll_ = now;
    poll_links();
  }
  services_.tick(now);
  if (now - last_aging_ >= tsc_hz_) {
    last_aging_ = now;
    macs_.age(shared_.now_s.load(std::memory_order_relaxed), *l2_.read());
  }
  rcu_.reclaim();
}

void Dataplane::run(const std::atomic<bool>& stop, unsigned stats_interval_s, FILE* stats_out,
                    const std::function<void()>& each_tick) {
  uint64_t last_stats = rte_rdtsc();
  while (!stop.load(std::memory_order_relaxed)) {
    control_step();
    if (each_tick) each_tick();
    if (stats_interval_s != 0 && rte_rdtsc() - last_stats >= stats_interval_s * tsc_hz_) {
      last_stats = rte_rdtsc();
      print_stats(stats_out);
    }
    timespec ts{0, 1000 * 1000};  // The control loop wakes every millisecond.
    nanosleep(&ts, nullptr);
  }
}

void Dataplane::stop_workers() {
  if (!started_) return;
  workers_stop_.store(true, std::memory_order_relaxed);
  rte_eal_mp_wait_lcore();
  started_ = false;
}

void Dataplane::shutdown() {
  stop_workers();
  for (auto& port : ports_) {
    if (!port) continue;
    close_port(*port);
    port.reset();
  }
}

std::vector<const WorkerCounters*> Dataplane::worker_counters() const {
  std::vector<const WorkerCounters*> out;
  for (const auto& worker : workers_) out.push_back(&worker->counters());
  return out;
}

DpStatus Dataplane::set_services(const ServicesSpec& spec) {
  std::vector<uint32_t> ours;
  for (const auto& i : ifaces_)
    if (i) ours.push_back(rte_be_to_cpu_32(i->data.ip));
  if (DpStatus st = services_.set(spec, ours, worker_counters()); !st.ok()) return st;
  publish_config(domain_specs_, ifaces_);
  return {};
}

std::vector<ConnectionRow> Dataplane::list_connections(const std::string& service,
                                                       uint32_t limit) const {
  return services_.connections(service, limit, rte_rdtsc());
}

DataplaneStats Dataplane::stats() const {
  DataplaneStats out;
  out.tsc_hz = tsc_hz_;
  const L2Config& config = *l2_.read();
  for (const auto& port : ports_) {
    if (!port) continue;
    PortStats p;
    p.name = port->spec.name;
    p.device = port->device;
    p.id = port->id;
    p.link_up = shared_.link_up[port->id].load(std::memory_order_relaxed) != 0;
    if (const uint16_t domain = config.port_domain[port->id]; domain != kNoDomain)
      p.bridge_domain = config.domains[domain].id;
    rte_eth_stats device{};
    if (rte_eth_stats_get(port->id, &device) == 0) {
      p.device_rx_errors = device.ierrors;
      p.device_rx_missed = device.imissed;
      p.device_rx_nombuf = device.rx_nombuf;
      p.device_tx_errors = device.oerrors;
    }
    for (const auto& worker : workers_) {
      const PortCounters& c = worker->counters().ports[port->id];
      p.rx_pkts += c.rx_pkts.get();
      p.rx_bytes += c.rx_bytes.get();
      p.tx_pkts += c.tx_pkts.get();
      p.tx_bytes += c.tx_bytes.get();
      for (unsigned r = 0; r < kDropReasonCount; ++r) p.drops[r] += c.drops[r].get();
    }
    out.ports.push_back(std::move(p));
  }
  for (const auto& worker : workers_) {
    const WorkerCounters& c = worker->counters();
    WorkerStats w;
    w.lcore = worker->lcore();
    w.polls = c.polls.get();
    w.busy_polls = c.busy_polls.get();
    w.rx_pkts = c.rx_pkts.get();
    w.busy_cycles = c.busy_cycles.get();
    w.idle_cycles = c.idle_cycles.get();
    w.learn_events_dropped = c.learn_events_dropped.get();
    for (unsigned b = 0; b < kPollSizeBuckets; ++b) w.poll_sizes[b] = c.poll_sizes[b].get();
    out.workers.push_back(w);
  }
  for (const auto& [id, index] : domain_index_) {
    const LearnStats& s = learn_stats_[index];
    out.domains.push_back({id, macs_.domain_size(index), config.domains[index].max_macs, s.learned,
                           s.moved, s.limit_reached, s.table_full});
  }
  out.macs = macs_.size();
  out.mac_capacity = macs_.capacity();
  out.l3 = l3_.stats();
  for (auto& [row, slot] : vxlan_.vni_rows()) {
    for (const auto& worker : workers_) {
      const VniCounters& c = worker->counters().vnis[slot];
      row.encap_pkts += c.encap.get();
      row.decap_pkts += c.decap.get();
      for (unsigned r = 0; r < kVxlanDropCount; ++r) row.drops[r] += c.drops[r].get();
    }
    out.vxlan.vnis.push_back(row);
  }
  if (vxlan_.enabled()) {
    VxlanVniStats unattributed;  // VNI 0: dropped before a VNI was known.
    for (const auto& worker : workers_)
      for (unsigned r = 0; r < kVxlanDropCount; ++r)
        unattributed.drops[r] += worker->counters().vxlan_drops[r].get();
    out.vxlan.vnis.push_back(unattributed);
  }
  out.vxlan.ports = vxlan_.offload();
  out.services = services_.stats(worker_counters());
  macs_.for_each([&](MacKey, const MacEntry& entry) {
    out.vxlan.remote_macs += is_remote_port(entry.port.load(std::memory_order_relaxed));
  });
  for (const auto& worker : workers_) {
    const L3Counters& c = worker->counters().l3;
    for (unsigned k = 0; k < kIcmpKindCount; ++k) out.l3.icmp_sent[k] += c.icmp_sent[k].get();
    out.l3.icmp_rate_limited += c.icmp_rate_limited.get();
    out.l3.arp_replies_sent += c.arp_replies_sent.get();
    out.l3.punt_queue_drops += c.punt_queue_drops.get();
  }
  return out;
}

std::vector<MacRow> Dataplane::list_macs(uint32_t domain_id) const {
  // One pass over the table, whatever the number of domains.
  std::map<uint16_t, uint32_t> wanted;  // Domain index -> id.
  for (const auto& [id, index] : domain_index_)
    if (domain_id == 0 || id == domain_id) wanted[index] = id;
  std::vector<MacRow> rows;
  const uint32_t now_s = shared_.now_s.load(std::memory_order_relaxed);
  const L2Config& config = *l2_.read();
  macs_.for_each([&](MacKey key, const MacEntry& entry) {
    const auto domain = wanted.find(mac_key_domain(key));
    if (domain == wanted.end()) return;
    const uint16_t port = entry.port.load(std::memory_order_relaxed);
    const bool is_static = entry.is_static.load(std::memory_order_relaxed);
    const bool remote = is_remote_port(port);
    const uint16_t index = static_cast<uint16_t>(port - kRemotePortBase);
    rows.push_back(
        {domain->second, mac_key_address(key),
         remote ? "" : (port < kMaxPorts && ports_[port] ? ports_[port]->spec.name : "?"),
         is_static, is_static ? 0 : now_s - entry.last_seen_s.load(std::memory_order_relaxed),
         remote && index < config.vxlan.remotes.size()
             ? rte_be_to_cpu_32(config.vxlan.remotes[index])
             : 0});
  });
  return rows;
}

void Dataplane::print_stats(FILE* out) const {
  const DataplaneStats s = stats();
  for (const PortStats& p : s.ports) {
    uint64_t total_drops = 0;
    for (uint64_t d : p.drops) total_drops += d;
    fprintf(out, "port %s link=%s rx_pkts=%lu rx_bytes=%lu tx_pkts=%lu tx_bytes=%lu drops=%lu",
            p.name.c_str(), p.link_up ? "up" : "down", p.rx_pkts, p.rx_bytes, p.tx_pkts, p.tx_bytes,
            total_drops);
    for (unsigned r = 0; r < kDropReasonCount; ++r)
      if (p.drops[r] != 0)
        fprintf(out, " drop_%s=%lu", drop_reason_name(static_cast<DropReason>(r)), p.drops[r]);
    fputc('\n', out);
  }
  for (const WorkerStats& w : s.workers)
    fprintf(out,
            "worker lcore=%u polls=%lu busy_polls=%lu rx_pkts=%lu busy_cycles=%lu idle_cycles=%lu "
            "learn_events_dropped=%lu\n",
            w.lcore, w.polls, w.busy_polls, w.rx_pkts, w.busy_cycles, w.idle_cycles,
            w.learn_events_dropped);
  for (const DomainStats& d : s.domains)
    fprintf(out, "bd %u macs=%u learned=%lu moved=%lu limit_reached=%lu table_full=%lu\n", d.id,
            d.macs, d.learned, d.moved, d.limit_reached, d.table_full);
  const L3Stats& l3 = s.l3;
  fprintf(out,
          "ipv4 routes=%u neighbors=%u arp_requests=%lu arp_replies=%lu arp_misses=%lu "
          "arp_queue_drops=%lu arp_failed_drops=%lu icmp_rate_limited=%lu",
          l3.routes, l3.neighbors, l3.arp_requests_sent, l3.arp_replies_sent, l3.arp_misses,
          l3.arp_queue_drops, l3.arp_failed_drops, l3.icmp_rate_limited);
  for (unsigned k = 0; k < kIcmpKindCount; ++k)
    if (l3.icmp_sent[k] != 0)
      fprintf(out, " icmp_%s=%lu", icmp_kind_name(static_cast<IcmpKind>(k)), l3.icmp_sent[k]);
  fputc('\n', out);
  fflush(out);
}

}  // namespace np::dp
