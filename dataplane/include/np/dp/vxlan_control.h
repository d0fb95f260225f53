// The control thread's side of VXLAN: checks the VTEP, tunnels and vxlan next hops against
// the interfaces and domains, gives every remote VTEP a stable index (its virtual port)
// and every VNI a counter slot, and writes what workers need into the config snapshot. It
// also asks each routed port, through rte_flow, to classify VXLAN to our VTEP in hardware,
// and remembers the answer (the software path runs either way).
//
// Thread: control only.
#pragma once

#include <rte_flow.h>

#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "np/dp/l2_config.h"
#include "np/dp/l3_control.h"
#include "np/dp/l3_spec.h"
#include "np/dp/mac_table.h"
#include "np/dp/status.h"

namespace np::dp {

class VxlanControl {
 public:
  VxlanControl() = default;
  ~VxlanControl();
  VxlanControl(const VxlanControl&) = delete;
  VxlanControl& operator=(const VxlanControl&) = delete;

  // Checks `spec` and the routes' vxlan next hops; on success `spec` becomes current.
  // `domains` maps bridge-domain ids to indices.
  DpStatus set(const VxlanSpec& spec, const std::vector<RouteSpec>& routes,
               const std::vector<std::optional<ResolvedInterface>>& ifaces,
               const std::map<uint32_t, uint16_t>& domains);

  bool enabled() const { return spec_.local_ip != 0; }
  bool uses_domain(uint32_t bd_id) const;
  const rte_ether_addr& mac() const { return mac_; }
  uint16_t vni_slot(uint32_t vni) const;
  // The routes' next hops through tunnels, resolved (remote, VNI, slot, MAC).
  ResolvedNextHop next_hop(const VxlanNextHopSpec& hop) const;

  // Writes config.vxlan and each tunnelled domain's VNI, slot and flood list; appends the
  // interface L3-VNI frames are routed as coming in on.
  void annotate(L2Config& config, const std::map<uint32_t, uint16_t>& domains) const;
  // Static remote MACs as MAC-table keys and virtual ports.
  std::map<MacKey, uint16_t> static_macs(const std::map<uint32_t, uint16_t>& domains) const;

  // Installs (or removes, when off) the rte_flow rules on each routed port: a rule per VNI
  // that marks its packets with the VNI's slot + 1 where the PMD can, else one rule that
  // steers all VXLAN to our VTEP, else none (software).
  void program_ports(const std::vector<std::pair<uint16_t, std::string>>& routed_ports);
  std::vector<VxlanPortOffload> offload() const;

  // Per-VNI rows (counters left zero) with their slots, and the domain ids of L2 VNIs.
  std::vector<std::pair<VxlanVniStats, uint16_t>> vni_rows() const;

 private:
  uint16_t remote_index(uint32_t ip);

  VxlanSpec spec_;
  rte_ether_addr mac_{};
  std::map<uint32_t, uint16_t> remote_index_;  // Stable for the daemon's lifetime.
  std::set<uint32_t> active_remotes_;          // In a flood list or behind a static MAC.
  std::map<uint32_t, uint16_t> vni_slot_;      // Stable for the daemon's lifetime.
  std::set<uint32_t> l3_vnis_;
  struct PortRule {
    uint16_t port;
    std::string name;
    std::vector<rte_flow*> flows;  // One per VNI when marked, else one for all.
    bool marked = false;
    std::string reason;
  };
  void remove_rules();
  std::vector<PortRule> rules_;
};

}  // namespace np::dp
