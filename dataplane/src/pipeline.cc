#include "np/dp/pipeline.h"

#include <algorithm>

namespace np::dp {

unsigned Pipeline::inject(WorkerCtx& ctx) const noexcept {
  InjectItem items[kMaxBurst];
  const unsigned n = static_cast<unsigned>(ctx.inject.pop(items, kMaxBurst));
  if (n == 0) return 0;
  const L2Config& config = *config_.read();
  for (unsigned i = 0; i < n; ++i) {
    rte_mbuf* m = items[i].m;
    // An interface removed since the frame was queued: nowhere to send it.
    if (items[i].iface >= config.ifaces.size()) {
      rte_pktmbuf_free(m);
      continue;
    }
    Router::output(ctx, config.ifaces[items[i].iface], m);
  }
  finish(ctx, config);
  return n;
}

void Pipeline::finish(WorkerCtx& ctx, const L2Config& config) const noexcept {
  // Each round moves every packet at least one stage on; a packet crosses a stage a
  // bounded number of times (the VTEP is never ourselves), so a few rounds empty them all.
  constexpr int kMaxRounds = 4;
  for (int round = 0; round < kMaxRounds; ++round) {
    if (ctx.to_router.count != 0) route_from_bridge(ctx, config);
    if (ctx.from_tunnel.count != 0) deliver_decapsulated(ctx, config);
    if (ctx.to_tunnel.count != 0) router_.send_tunnelled(ctx, config);
    if (ctx.to_bridge.count != 0) bridge_.output(ctx, config);
    if (ctx.to_router.count == 0 && ctx.from_tunnel.count == 0 && ctx.to_tunnel.count == 0) return;
  }
}

void Pipeline::route_from_bridge(WorkerCtx& ctx, const L2Config& config) const noexcept {
  RouterInput& in = ctx.to_router;
  rte_mbuf* pkts[kMaxBurst];
  const uint16_t n = in.count;
  uint16_t ifaces[kMaxBurst];
  std::copy(in.pkts, in.pkts + n, pkts);
  std::copy(in.ifaces, in.ifaces + n, ifaces);
  in.count = 0;  // The router may hand frames back (a gateway's domain) while it works.
  for (uint16_t first = 0, last; first < n; first = last) {
    last = first + 1;
    while (last < n && ifaces[last] == ifaces[first]) ++last;
    router_.process(ctx, config, ifaces[first], &pkts[first], static_cast<uint16_t>(last - first));
  }
}

void Pipeline::deliver_decapsulated(WorkerCtx& ctx, const L2Config& config) const noexcept {
  TunnelInput& in = ctx.from_tunnel;
  rte_mbuf* routed[kMaxBurst];
  uint16_t n_routed = 0, kept = 0;
  for (uint16_t i = 0; i < in.count; ++i) {
    if (in.domains[i] == kNoDomain) {
      routed[n_routed++] = in.pkts[i];
      continue;
    }
    in.pkts[kept] = in.pkts[i];
    in.domains[kept] = in.domains[i];
    in.remote_ports[kept++] = in.remote_ports[i];
  }
  in.count = kept;
  if (kept != 0) bridge_.process_tunnel(ctx, config);
  if (n_routed != 0) router_.process(ctx, config, config.vxlan.iface, routed, n_routed);
}

}  // namespace np::dp
