#include "np/dp/vxlan_control.h"

#include <rte_byteorder.h>

#include <algorithm>
#include <cstdio>

#include "np/dp/ipv4.h"
#include "np/vxlan/flow.h"

namespace np::dp {
namespace {

bool is_our_address(uint32_t ip, const std::vector<std::optional<ResolvedInterface>>& ifaces) {
  return std::any_of(ifaces.begin(), ifaces.end(),
                     [ip](const auto& i) { return i && rte_be_to_cpu_32(i->data.ip) == ip; });
}

}  // namespace

VxlanControl::~VxlanControl() { remove_rules(); }

void VxlanControl::remove_rules() {
  for (const PortRule& r : rules_)
    for (rte_flow* flow : r.flows) vxlan::destroy_vtep_rule(r.port, flow);
  rules_.clear();
}

DpStatus VxlanControl::set(const VxlanSpec& spec, const std::vector<RouteSpec>& routes,
                           const std::vector<std::optional<ResolvedInterface>>& ifaces,
                           const std::map<uint32_t, uint16_t>& domains) {
  const bool on = spec.local_ip != 0;
  if (on && !is_our_address(spec.local_ip, ifaces))
    return DpStatus::error("vxlan.local_ip " + format_ipv4(spec.local_ip) +
                           " is not an interface address");
  if (on && spec.port == 0) return DpStatus::error("vxlan.port must be 1-65535");
  std::set<uint32_t> vnis, bound;
  std::set<uint32_t> remotes;
  for (const VxlanTunnelSpec& t : spec.tunnels) {
    const std::string what = "vxlan tunnel " + std::to_string(t.vni) + ": ";
    if (!on) return DpStatus::error(what + "vxlan.local_ip is not set");
    if (t.vni == 0 || t.vni > kVxlanMaxVni)
      return DpStatus::error(what + "VNI must be 1-" + std::to_string(kVxlanMaxVni));
    if (!vnis.insert(t.vni).second) return DpStatus::error(what + "duplicate VNI");
    if (domains.count(t.bridge_domain) == 0)
      return DpStatus::error(what + "bridge domain " + std::to_string(t.bridge_domain) +
                             " does not exist");
    if (!bound.insert(t.bridge_domain).second)
      return DpStatus::error(what + "bridge domain " + std::to_string(t.bridge_domain) +
                             " already has a VNI");
    for (uint32_t r : t.remotes) {
      if (!is_unicast_ipv4(r) || is_our_address(r, ifaces))
        return DpStatus::error(what + "remote " + format_ipv4(r) + " is not a remote VTEP");
      remotes.insert(r);
    }
  }
  for (const VxlanStaticMac& s : spec.static_macs) {
    if (vnis.count(s.vni) == 0)
      return DpStatus::error("vxlan static MAC: VNI " + std::to_string(s.vni) +
                             " is not an L2 VNI");
    if (!is_unicast_ipv4(s.remote) || is_our_address(s.remote, ifaces))
      return DpStatus::error("vxlan static MAC: remote " + format_ipv4(s.remote) +
                             " is not a remote VTEP");
    remotes.insert(s.remote);
  }
  std::set<uint32_t> l3_vnis;
  for (const RouteSpec& r : routes)
    for (const NextHopSpec& h : r.next_hops) {
      if (!h.vxlan) continue;
      const std::string what = "route " + format_prefix(r.prefix) + ": vxlan: ";
      if (!on) return DpStatus::error(what + "vxlan.local_ip is not set");
      if (h.vxlan->vni == 0 || h.vxlan->vni > kVxlanMaxVni)
        return DpStatus::error(what + "VNI must be 1-" + std::to_string(kVxlanMaxVni));
      if (vnis.count(h.vxlan->vni) != 0)
        return DpStatus::error(what + "VNI " + std::to_string(h.vxlan->vni) +
                               " is an L2 VNI (bridge domain)");
      if (!is_unicast_ipv4(h.vxlan->remote) || is_our_address(h.vxlan->remote, ifaces))
        return DpStatus::error(what + "remote " + format_ipv4(h.vxlan->remote) +
                               " is not a remote VTEP");
      l3_vnis.insert(h.vxlan->vni);
    }
  std::set<uint32_t> all_vnis = vnis;
  all_vnis.insert(l3_vnis.begin(), l3_vnis.end());
  size_t new_slots = 0;
  for (uint32_t v : all_vnis) new_slots += vni_slot_.count(v) == 0;
  if (vni_slot_.size() + new_slots > kVniCounterSlots)
    return DpStatus::error("vxlan: more than " + std::to_string(kVniCounterSlots) +
                           " VNIs over the daemon's lifetime");
  size_t new_remotes = 0;
  for (uint32_t r : remotes) new_remotes += remote_index_.count(r) == 0;
  if (remote_index_.size() + new_remotes > kMaxRemotes)
    return DpStatus::error("vxlan: more than " + std::to_string(kMaxRemotes) + " remote VTEPs");

  // Accepted: indices and slots are handed out for good.
  for (uint32_t r : remotes) remote_index(r);
  for (uint32_t v : all_vnis)
    if (vni_slot_.count(v) == 0) {
      const auto slot = static_cast<uint16_t>(vni_slot_.size());
      vni_slot_[v] = slot;
    }
  spec_ = spec;
  active_remotes_ = std::move(remotes);
  l3_vnis_ = std::move(l3_vnis);
  if (spec.mac) {
    mac_ = *spec.mac;
  } else {
    // Locally administered, from our VTEP address: stable across restarts.
    const uint32_t ip = spec.local_ip;
    mac_ = {{0x02, 0x76, static_cast<uint8_t>(ip >> 24), static_cast<uint8_t>(ip >> 16),
             static_cast<uint8_t>(ip >> 8), static_cast<uint8_t>(ip)}};
  }
  return {};
}

uint16_t VxlanControl::remote_index(uint32_t ip) {
  auto it = remote_index_.find(ip);
  if (it != remote_index_.end()) return it->second;
  const auto index = static_cast<uint16_t>(remote_index_.size());
  remote_index_[ip] = index;
  return index;
}

bool VxlanControl::uses_domain(uint32_t bd_id) const {
  return std::any_of(spec_.tunnels.begin(), spec_.tunnels.end(),
                     [bd_id](const VxlanTunnelSpec& t) { return t.bridge_domain == bd_id; });
}

uint16_t VxlanControl::vni_slot(uint32_t vni) const {
  auto it = vni_slot_.find(vni);
  return it != vni_slot_.end() ? it->second : 0;
}

ResolvedNextHop VxlanControl::next_hop(const VxlanNextHopSpec& hop) const {
  ResolvedNextHop r;
  r.vxlan_remote = hop.remote;
  r.vni = hop.vni;
  r.vni_slot = vni_slot(hop.vni);
  r.vxlan_mac = hop.mac;
  return r;
}

void VxlanControl::annotate(L2Config& config, const std::map<uint32_t, uint16_t>& domains) const {
  VxlanConfig& vx = config.vxlan;
  vx.enabled = enabled();
  if (!vx.enabled) return;
  vx.local_ip = rte_cpu_to_be_32(spec_.local_ip);
  vx.port = rte_cpu_to_be_16(spec_.port);
  vx.mac = mac_;
  for (const L3Interface& i : config.ifaces)
    if (i.ip == vx.local_ip) vx.mtu = i.mtu;
  vx.remotes.assign(remote_index_.size(), 0);
  for (const auto& [ip, index] : remote_index_) vx.remotes[index] = rte_cpu_to_be_32(ip);
  for (uint32_t ip : active_remotes_)
    vx.remote_lookup.push_back({rte_cpu_to_be_32(ip), remote_index_.at(ip)});
  std::sort(vx.remote_lookup.begin(), vx.remote_lookup.end(),
            [](const RemoteEntry& a, const RemoteEntry& b) { return a.ip < b.ip; });
  for (const VxlanTunnelSpec& t : spec_.tunnels) {
    const uint16_t index = domains.at(t.bridge_domain);
    BridgeDomain& d = config.domains[index];
    d.vni = t.vni;
    d.vni_slot = vni_slot(t.vni);
    for (uint32_t r : t.remotes) d.flood_remotes.push_back(remote_index_.at(r));
    vx.vnis.push_back({t.vni, index, d.vni_slot});
  }
  for (uint32_t v : l3_vnis_) vx.vnis.push_back({v, kNoDomain, vni_slot(v)});
  std::sort(vx.vnis.begin(), vx.vnis.end(),
            [](const VniEntry& a, const VniEntry& b) { return a.vni < b.vni; });
  vx.vni_of_slot.assign(vni_slot_.size(), VxlanConfig::kNoVni);
  for (size_t i = 0; i < vx.vnis.size(); ++i)
    vx.vni_of_slot[vx.vnis[i].slot] = static_cast<uint16_t>(i);
  // Decapsulated L3-VNI frames are routed as if they came in on this interface: our VTEP
  // address and MAC, no port; answers to them go back into a tunnel.
  L3Interface tunnel;
  tunnel.ip = vx.local_ip;
  tunnel.prefix_len = 32;
  tunnel.mac = mac_;
  tunnel.tunnel = true;
  vx.iface = static_cast<uint16_t>(config.ifaces.size());
  config.ifaces.push_back(tunnel);
}

std::map<MacKey, uint16_t> VxlanControl::static_macs(
    const std::map<uint32_t, uint16_t>& domains) const {
  std::map<MacKey, uint16_t> out;
  for (const VxlanStaticMac& s : spec_.static_macs)
    for (const VxlanTunnelSpec& t : spec_.tunnels)
      if (t.vni == s.vni)
        out[make_mac_key(domains.at(t.bridge_domain), s.mac)] =
            static_cast<uint16_t>(kRemotePortBase + remote_index_.at(s.remote));
  return out;
}

void VxlanControl::program_ports(const std::vector<std::pair<uint16_t, std::string>>& ports) {
  remove_rules();
  if (!enabled()) return;
  const rte_be32_t ip = rte_cpu_to_be_32(spec_.local_ip);
  const rte_be16_t udp_port = rte_cpu_to_be_16(spec_.port);
  std::vector<vxlan::VniMark> marks;
  for (const VxlanTunnelSpec& t : spec_.tunnels) marks.push_back({t.vni, vni_slot(t.vni) + 1u});
  for (uint32_t v : l3_vnis_) marks.push_back({v, vni_slot(v) + 1u});
  for (const auto& [port, name] : ports) {
    PortRule r{port, name, {}, false, ""};
    // Best: a rule per VNI that also marks its packets, so workers know the VNI. All or
    // none: a VNI without its rule would be steered by nothing.
    std::string why_not_marked;
    for (const vxlan::VniMark& mark : marks) {
      rte_flow* flow = vxlan::create_vtep_rule(port, ip, udp_port, &mark, why_not_marked);
      if (flow == nullptr) break;
      r.flows.push_back(flow);
    }
    r.marked = !marks.empty() && r.flows.size() == marks.size();
    if (!r.marked) {
      for (rte_flow* flow : r.flows) vxlan::destroy_vtep_rule(port, flow);
      r.flows.clear();
      std::string why_not;
      if (rte_flow* flow = vxlan::create_vtep_rule(port, ip, udp_port, nullptr, why_not))
        r.flows.push_back(flow);
      r.reason = (why_not_marked.empty() ? "" : "VNI marks: " + why_not_marked + "; ") +
                 (why_not.empty() ? "" : "steering: " + why_not);
    }
    if (r.flows.empty())
      fprintf(stderr, "nodeplane: port %s: VXLAN classification in software (%s)\n", name.c_str(),
              r.reason.c_str());
    else if (!r.marked)
      fprintf(stderr, "nodeplane: port %s: VXLAN steered by rte_flow, VNI found in software (%s)\n",
              name.c_str(), r.reason.c_str());
    rules_.push_back(std::move(r));
  }
}

std::vector<VxlanPortOffload> VxlanControl::offload() const {
  std::vector<VxlanPortOffload> out;
  for (const PortRule& r : rules_) out.push_back({r.name, !r.flows.empty(), r.marked, r.reason});
  return out;
}

std::vector<std::pair<VxlanVniStats, uint16_t>> VxlanControl::vni_rows() const {
  std::vector<std::pair<VxlanVniStats, uint16_t>> rows;
  for (const VxlanTunnelSpec& t : spec_.tunnels) {
    VxlanVniStats s;
    s.vni = t.vni;
    s.bridge_domain = t.bridge_domain;
    rows.push_back({s, vni_slot(t.vni)});
  }
  for (uint32_t v : l3_vnis_) {
    VxlanVniStats s;
    s.vni = v;
    rows.push_back({s, vni_slot(v)});
  }
  return rows;
}

}  // namespace np::dp
