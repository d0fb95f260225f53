// rte_flow rules that classify VXLAN to our VTEP in the NIC: eth / ipv4 dst = our VTEP /
// udp dst = the VXLAN port [/ vxlan vni = V -> mark] -> queue 0. Where the PMD validates and
// creates the rules, the NIC steers (and marks) tunnel traffic; where it refuses, the
// caller keeps the software path and reports the PMD's reason.
//
// Thread: control only.
#pragma once

#include <rte_byteorder.h>
#include <rte_flow.h>

#include <string>

namespace np::vxlan {

// A VNI and the MARK id its rule sets, for PMDs that match the VXLAN header and mark.
struct VniMark {
  uint32_t vni;
  uint32_t mark;
};

// The rule on `port` (with `vni`: for that VNI only, marking), or nullptr with `reason` set
// ("validate: ..." or "create: ...").
rte_flow* create_vtep_rule(uint16_t port, rte_be32_t local_ip, rte_be16_t udp_port,
                           const VniMark* vni, std::string& reason);
// Whether the rule's pattern and actions pass rte_flow_validate on `port`.
bool validate_vtep_rule(uint16_t port, rte_be32_t local_ip, rte_be16_t udp_port, const VniMark* vni,
                        std::string& reason);
void destroy_vtep_rule(uint16_t port, rte_flow* flow);

}  // namespace np::vxlan
