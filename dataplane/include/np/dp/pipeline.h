// The stages a received burst runs through: on a port with security rules, anti-spoofing
// first drops what its pod may not send; then a routed port's frames go to the router, a
// bridged port's to the bridge. Then, until nothing is left: frames for a gateway go to
// the router; frames the router decapsulated go to the bridge (L2 VNI) or back to the
// router (L3 VNI); frames for a tunnel are encapsulated and routed to their VTEP; frames
// out of a gateway are switched in its domain. One configuration snapshot serves the whole
// burst, so the stages always agree on ports, interfaces and tunnels.
//
// Thread: process, inject: workers; construction: control.
#pragma once

#include <rte_mbuf.h>

#include "np/dp/l2_bridge.h"
#include "np/dp/l2_config.h"
#include "np/dp/port_security.h"
#include "np/dp/published.h"
#include "np/dp/router.h"
#include "np/dp/worker_ctx.h"

namespace np::dp {

class Pipeline {
 public:
  Pipeline(const Published<L2Config>& config, const L2Bridge& bridge, const Router& router)
      : config_(config), bridge_(bridge), router_(router) {}

  // Takes ownership of n <= kMaxBurst packets received on `in_port`.
  void process(WorkerCtx& ctx, uint16_t in_port, rte_mbuf** pkts, uint16_t n) const noexcept {
    const L2Config& config = *config_.read();
    // Anti-spoofing first, on pods' ports only: the others pay this load and branch.
    if (const uint16_t security = config.port_security[in_port]; security != kNoSecurity) {
      n = PortSecurityFilter::process(ctx, config.securities[security], in_port, pkts, n);
      if (n == 0) return;
    }
    const uint16_t iface = config.port_iface[in_port];
    if (iface != kNoIface)
      router_.process(ctx, config, iface, pkts, n);
    else
      bridge_.process(ctx, config, in_port, pkts, n);
    finish(ctx, config);
  }

  // Sends up to kMaxBurst frames the control thread queued for this worker; returns how
  // many it took.
  unsigned inject(WorkerCtx& ctx) const noexcept;

 private:
  void finish(WorkerCtx& ctx, const L2Config& config) const noexcept;
  // Routes ctx.to_router, in runs of one gateway interface.
  void route_from_bridge(WorkerCtx& ctx, const L2Config& config) const noexcept;
  // Takes the L3 VNI frames out of ctx.from_tunnel and routes them; the bridge gets the rest.
  void deliver_decapsulated(WorkerCtx& ctx, const L2Config& config) const noexcept;

  const Published<L2Config>& config_;
  const L2Bridge& bridge_;
  const Router& router_;
};

}  // namespace np::dp
