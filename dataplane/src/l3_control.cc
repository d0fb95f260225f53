#include "np/dp/l3_control.h"

#include <rte_byteorder.h>

#include <cstdio>
#include <cstring>
#include <set>

#include "np/dp/icmp.h"
#include "np/dp/service_stage.h"

namespace np::dp {

L3Control::L3Control(Fib& fib, rte_mempool* pool, NeighborTimers timers,
                     const ServiceStage* services, std::function<bool(const InjectItem&)> send)
    : fib_(fib), pool_(pool), timers_(timers), services_(services), send_(std::move(send)) {}

L3Control::~L3Control() { release_packets(); }

void L3Control::release_packets() {
  for (auto& [_, n] : neighbors_) {
    for (const Waiting& w : n.waiting) rte_pktmbuf_free(w.m);
    n.waiting.clear();
  }
}

void L3Control::apply(const std::vector<std::optional<ResolvedInterface>>& ifaces,
                      const std::vector<ResolvedRoute>& routes,
                      const std::vector<ResolvedNeighbor>& static_neighbors, uint64_t now_ms,
                      const rte_ether_addr& vtep_mac) {
  ifaces_ = ifaces;
  vtep_mac_ = vtep_mac;

  // Neighbors: the static ones as given; none left on a removed interface or off-subnet.
  std::set<NeighborKey> statics;
  for (const ResolvedNeighbor& s : static_neighbors) {
    const NeighborKey key{s.iface, s.ip};
    statics.insert(key);
    Neighbor& n = neighbors_[key];
    n.mac = s.mac;
    n.known = true;
    n.is_static = true;
    n.requests = 0;
    release_waiting(n, key.first);
  }
  for (auto it = neighbors_.begin(); it != neighbors_.end();) {
    const auto& [iface, ip] = it->first;
    const bool iface_gone =
        iface >= ifaces_.size() || !ifaces_[iface] || !ifaces_[iface]->data.holds(ip);
    if (iface_gone || (it->second.is_static && statics.count(it->first) == 0)) {
      for (const Waiting& w : it->second.waiting) rte_pktmbuf_free(w.m);
      it = neighbors_.erase(it);
    } else {
      ++it;
    }
  }

  // The FIB as it should be: our addresses, connected subnets, routes, then host routes for
  // neighbors whose best route is their connected subnet.
  std::map<Ipv4Prefix, Installed> desired;
  for (uint16_t i = 0; i < ifaces_.size(); ++i) {
    if (!ifaces_[i]) continue;
    const L3Interface& d = ifaces_[i]->data;
    const uint32_t ip = rte_be_to_cpu_32(d.ip);
    desired[{ip, 32}] = {Source::kLocal, {{Hop::kLocal, i, 0}}};
    if (d.prefix_len < 32)
      desired.insert({{ip & prefix_mask(d.prefix_len), d.prefix_len},
                      {Source::kConnected, {{Hop::kConnected, i, 0}}}});
  }
  for (const ResolvedRoute& r : routes) {
    HopList hops;
    for (const ResolvedNextHop& h : r.next_hops) {
      if (h.vxlan_remote != 0) {
        uint64_t mac = 0;
        std::memcpy(&mac, &h.vxlan_mac, RTE_ETHER_ADDR_LEN);
        hops.push_back({Hop::kVxlan, 0, h.vxlan_remote, h.vni, h.vni_slot, mac});
      } else {
        hops.push_back(h.via != 0 ? Hop{Hop::kNeighbor, h.iface, h.via}
                                  : Hop{Hop::kConnected, h.iface, 0});
      }
    }
    desired.insert({r.prefix, {Source::kRoute, hops}});
  }
  for (const auto& [key, n] : neighbors_) {
    const Ipv4Prefix host{key.second, 32};
    if (n.known && desired.count(host) == 0 &&
        is_connected_destination(desired, key.first, key.second))
      desired[host] = {Source::kNeighborHost, {{Hop::kNeighbor, key.first, key.second}}};
  }
  install(desired);
  // Interfaces' MACs and neighbors may have changed under groups that stayed.
  for (const auto& [hops, group] : groups_) fib_.update_group(group.id, build_group(hops));
  routes_ = static_cast<uint32_t>(routes.size());

  // Gateways are resolved now rather than when the first packet waits for them.
  for (const auto& [prefix, entry] : installed_)
    for (const Hop& h : entry.hops)
      if (h.kind == Hop::kNeighbor && neighbors_.count({h.iface, h.ip}) == 0 &&
          neighbors_.size() < timers_.max_neighbors) {
        Neighbor& n = neighbors_[{h.iface, h.ip}];
        n.requests = 1;
        n.next_request_ms = now_ms + timers_.retry_ms;
        send_request({h.iface, h.ip}, n, false);
      }
}

void L3Control::install(const std::map<Ipv4Prefix, Installed>& desired) {
  for (auto it = installed_.begin(); it != installed_.end();) {
    if (desired.count(it->first) != 0) {
      ++it;
      continue;
    }
    fib_.remove(it->first);
    release_group(it->second.hops);
    it = installed_.erase(it);
  }
  for (const auto& [prefix, entry] : desired) {
    auto it = installed_.find(prefix);
    if (it != installed_.end() && it->second.hops == entry.hops) {
      it->second.source = entry.source;
      continue;
    }
    set_prefix(prefix, entry);
  }
}

void L3Control::set_prefix(Ipv4Prefix prefix, const Installed& entry) {
  const uint32_t id = acquire_group(entry.hops);
  if (id == kNoGroup) {
    fprintf(stderr, "nodeplane: no next-hop group left for a route; not installed\n");
    return;
  }
  if (DpStatus st = fib_.add(prefix, id); !st.ok()) {
    fprintf(stderr, "nodeplane: route not installed: %s\n", st.message().c_str());
    release_group(entry.hops);
    return;
  }
  auto it = installed_.find(prefix);
  if (it != installed_.end()) {
    release_group(it->second.hops);
    it->second = entry;
  } else {
    installed_.emplace(prefix, entry);
  }
}

void L3Control::unset_prefix(Ipv4Prefix prefix) {
  auto it = installed_.find(prefix);
  if (it == installed_.end()) return;
  fib_.remove(prefix);
  release_group(it->second.hops);
  installed_.erase(it);
}

uint32_t L3Control::acquire_group(const HopList& hops) {
  auto it = groups_.find(hops);
  if (it != groups_.end()) {
    ++it->second.refs;
    return it->second.id;
  }
  const uint32_t id = fib_.create_group(build_group(hops));
  if (id != kNoGroup) groups_.emplace(hops, Group{id, 1});
  return id;
}

void L3Control::release_group(const HopList& hops) {
  auto it = groups_.find(hops);
  if (it == groups_.end() || --it->second.refs != 0) return;
  fib_.destroy_group(it->second.id);
  groups_.erase(it);
}

NextHopGroup L3Control::build_group(const HopList& hops) const {
  NextHopGroup g;
  for (const Hop& h : hops) {
    if (g.n_paths == kMaxEcmpPaths) break;
    Path& p = g.paths[g.n_paths++];
    p.iface = h.iface;
    if (h.kind == Hop::kLocal) {
      p.kind = Path::kLocal;
      continue;
    }
    if (h.kind == Hop::kVxlan) {
      p.kind = Path::kVxlan;
      p.resolve_ip = h.ip;
      p.vni = h.vni;
      p.vni_slot = h.vni_slot;
      std::memcpy(&p.dst, &h.mac, RTE_ETHER_ADDR_LEN);
      p.src = vtep_mac_;
      continue;
    }
    p.kind = Path::kResolve;
    p.resolve_ip = h.ip;
    if (h.kind != Hop::kNeighbor) continue;
    auto n = neighbors_.find({h.iface, h.ip});
    if (n != neighbors_.end() && n->second.known && h.iface < ifaces_.size() && ifaces_[h.iface]) {
      p.kind = Path::kRewrite;
      p.dst = n->second.mac;
      p.src = ifaces_[h.iface]->data.mac;
    }
  }
  return g;
}

bool L3Control::is_connected_destination(const std::map<Ipv4Prefix, Installed>& table,
                                         uint16_t iface, uint32_t ip) {
  for (int len = 32; len >= 0; --len) {
    const auto l = static_cast<uint8_t>(len);
    auto it = table.find({ip & prefix_mask(l), l});
    if (it == table.end() || it->second.source == Source::kNeighborHost) continue;
    return it->second.source == Source::kConnected && it->second.hops[0].iface == iface;
  }
  return false;
}

void L3Control::neighbor_changed(const NeighborKey& key) {
  for (const auto& [hops, group] : groups_)
    for (const Hop& h : hops)
      if (h.kind == Hop::kNeighbor && h.iface == key.first && h.ip == key.second) {
        fib_.update_group(group.id, build_group(hops));
        break;
      }
  const Ipv4Prefix host{key.second, 32};
  auto n = neighbors_.find(key);
  const bool want = n != neighbors_.end() && n->second.known &&
                    is_connected_destination(installed_, key.first, key.second);
  auto it = installed_.find(host);
  if (want && it == installed_.end())
    set_prefix(host, {Source::kNeighborHost, {{Hop::kNeighbor, key.first, key.second}}});
  else if (!want && it != installed_.end() && it->second.source == Source::kNeighborHost)
    unset_prefix(host);
}

void L3Control::handle(const PuntEvent& event, uint64_t now_ms) {
  if (event.kind == PuntEvent::kNeighborSeen) {
    learn({event.iface, event.ip}, event.mac, now_ms);
    return;
  }
  resolve(event, now_ms);
}

void L3Control::learn(const NeighborKey& key, const rte_ether_addr& mac, uint64_t now_ms) {
  if (key.first >= ifaces_.size() || !ifaces_[key.first]) return;
  auto it = neighbors_.find(key);
  if (it == neighbors_.end()) {
    if (neighbors_.size() >= timers_.max_neighbors) return;
    it = neighbors_.emplace(key, Neighbor{}).first;
  }
  Neighbor& n = it->second;
  if (n.is_static) return;  // Configured entries are not overridden by what we hear.
  const bool changed = !n.known || !rte_is_same_ether_addr(&n.mac, &mac);
  n.mac = mac;
  n.known = true;
  n.confirmed_ms = now_ms;
  n.requests = 0;
  release_waiting(n, key.first);
  if (changed) neighbor_changed(key);
}

void L3Control::resolve(const PuntEvent& event, uint64_t now_ms) {
  ++counts_.arp_misses;
  const NeighborKey key{event.iface, event.ip};
  if (key.first >= ifaces_.size() || !ifaces_[key.first]) {
    rte_pktmbuf_free(event.m);
    return;
  }
  auto it = neighbors_.find(key);
  if (it == neighbors_.end()) {
    if (neighbors_.size() >= timers_.max_neighbors) {
      ++counts_.arp_queue_drops;
      rte_pktmbuf_free(event.m);
      return;
    }
    it = neighbors_.emplace(key, Neighbor{}).first;
    it->second.requests = 1;
    it->second.next_request_ms = now_ms + timers_.retry_ms;
    send_request(key, it->second, false);
  }
  Neighbor& n = it->second;
  if (n.waiting.size() >= timers_.queue_per_neighbor) {
    ++counts_.arp_queue_drops;
    rte_pktmbuf_free(event.m);
    return;
  }
  n.waiting.push_back({event.m, event.in_iface});
  // Resolved while the packet was on its way here: it goes at once.
  if (n.known) release_waiting(n, key.first);
}

void L3Control::release_waiting(Neighbor& n, uint16_t iface) {
  while (!n.waiting.empty()) {
    rte_mbuf* m = n.waiting.front().m;
    n.waiting.pop_front();
    auto* eth = rte_pktmbuf_mtod(m, rte_ether_hdr*);
    eth->dst_addr = n.mac;
    eth->src_addr = ifaces_[iface]->data.mac;
    send(m, iface);
  }
}

void L3Control::fail(const NeighborKey& key) {
  auto it = neighbors_.find(key);
  for (const Waiting& w : it->second.waiting) {
    ++counts_.arp_failed_drops;
    const bool in_ok = w.in_iface < ifaces_.size() && ifaces_[w.in_iface];
    if (in_ok && may_send_icmp_error(w.m) &&
        make_icmp_error(w.m, IcmpKind::kHostUnreachable, 0, ifaces_[w.in_iface]->data.ip,
                        ifaces_[w.in_iface]->data.mac)) {
      // The packet may have been translated (to a backend that does not answer ARP).
      if (services_ != nullptr) services_->translate_icmp_error(w.m);
      ++counts_.icmp_sent[static_cast<unsigned>(IcmpKind::kHostUnreachable)];
      send(w.m, w.in_iface);
    } else {
      rte_pktmbuf_free(w.m);
    }
  }
  neighbors_.erase(it);
  neighbor_changed(key);
}

void L3Control::tick(uint64_t now_ms) {
  std::vector<NeighborKey> failed;
  for (auto& [key, n] : neighbors_) {
    if (n.is_static) continue;
    const bool expired = n.known && now_ms >= n.confirmed_ms + uint64_t{timers_.reachable_s} * 1000;
    if (n.known && !expired) continue;
    if (now_ms < n.next_request_ms) continue;
    if (n.requests >= timers_.max_requests) {
      failed.push_back(key);
      continue;
    }
    ++n.requests;
    n.next_request_ms = now_ms + timers_.retry_ms;
    send_request(key, n, /*unicast=*/n.known);
  }
  for (const NeighborKey& key : failed) fail(key);
}

void L3Control::send_request(const NeighborKey& key, const Neighbor& n, bool unicast) {
  const ResolvedInterface& out = *ifaces_[key.first];
  rte_mbuf* m = rte_pktmbuf_alloc(pool_);
  if (m == nullptr) return;  // Tried again at the next retry.
  build_arp_request(m, out.data.ip, out.data.mac, rte_cpu_to_be_32(key.second),
                    unicast ? &n.mac : nullptr);
  ++counts_.arp_requests_sent;
  send(m, key.first);
}

void L3Control::send(rte_mbuf* m, uint16_t iface) {
  m->port = ifaces_[iface]->tx_port;
  if (!send_({m, iface})) {
    ++counts_.punt_queue_drops;
    rte_pktmbuf_free(m);
  }
}

std::vector<NeighborRow> L3Control::neighbors(uint64_t now_ms) const {
  std::vector<NeighborRow> rows;
  for (const auto& [key, n] : neighbors_) {
    NeighborRow row;
    row.ip = key.second;
    row.mac = n.mac;
    row.interface = ifaces_[key.first] ? ifaces_[key.first]->name : "?";
    row.state = n.is_static  ? NeighborState::kStatic
                : !n.known   ? NeighborState::kIncomplete
                : n.requests ? NeighborState::kProbing
                             : NeighborState::kReachable;
    if (n.known && !n.is_static)
      row.age_s = static_cast<uint32_t>((now_ms - n.confirmed_ms) / 1000);
    rows.push_back(row);
  }
  return rows;
}

L3Stats L3Control::stats() const {
  L3Stats s = counts_;
  s.routes = routes_;
  s.neighbors = static_cast<uint32_t>(neighbors_.size());
  return s;
}

}  // namespace np::dp
