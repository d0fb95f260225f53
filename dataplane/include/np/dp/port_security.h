// Anti-spoofing at ingress: on a port with security rules (a pod's port), every frame must
// come from the port's MAC and, for IPv4 and ARP, from one of its IPv4 addresses. It runs
// first in the pipeline, before the bridged/routed split, and only for ports with rules.
//
//   Ethernet source != the port's MAC                       -> spoofed_mac
//   IPv4 (untagged) whose source is not one of the port's    -> spoofed_ip
//   ARP whose sender MAC is not the port's, or whose sender
//     IP is neither one of the port's nor 0.0.0.0 (a probe)  -> spoofed_ip
//   any other ethertype: 802.1Q/802.1ad-tagged, IPv6, ...    -> spoofed_ip
//   too short to check: runt, truncated_header, ip_truncated, arp_malformed (also ARP that
//     is not Ethernet/IPv4)
// Other ethertypes are refused because nodeplane forwards IPv4 only and a pod sends its
// traffic untagged: a tag or another protocol would carry addresses the filter cannot check.
//
// Thread: process() on workers (reads the L2Config snapshot of the burst, writes only the
// worker's counters); construction anywhere.
#pragma once

#include <rte_mbuf.h>

#include <cstdint>

#include "np/dp/drop_reason.h"
#include "np/dp/l2_config.h"
#include "np/dp/worker_ctx.h"

namespace np::dp {

class PortSecurityFilter {
 public:
  // Keeps the frames of a burst received on `in_port` that `rules` allow, in their order, at
  // the front of `pkts`; drops the others with their reason (counted on `in_port`). Returns
  // how many are kept.
  static uint16_t process(WorkerCtx& ctx, const PortSecurity& rules, uint16_t in_port,
                          rte_mbuf** pkts, uint16_t n) noexcept;
};

}  // namespace np::dp
