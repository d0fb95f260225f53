// The L2 bridging stage: validate the Ethernet header, learn the source, forward by
// destination MAC within the ingress port's bridge domain or flood (split horizon: never
// back to the ingress port). Floods share the mbuf by reference count, no copies. Frames
// to the domain's gateway MAC, and ARP for its address, go to the router (ctx.to_router);
// the router's frames out of a gateway come back through output().
//
// Thread: process() on workers; construction on control.
#pragma once

#include <rte_mbuf.h>

#include "np/dp/l2_config.h"
#include "np/dp/mac_table.h"
#include "np/dp/worker_ctx.h"

namespace np::dp {

class L2Bridge {
 public:
  explicit L2Bridge(const MacTable& macs) : macs_(macs) {}

  // Takes ownership of n <= kMaxBurst packets received on `in_port`: each ends in a tx
  // buffer of ctx, in ctx.to_router, or is dropped with a reason.
  void process(WorkerCtx& ctx, const L2Config& config, uint16_t in_port, rte_mbuf** pkts,
               uint16_t n) const noexcept;
  // Switches the frames in ctx.from_tunnel (decapsulated from L2 VNIs) in their domains,
  // from their remotes' virtual ports: learned behind them, never flooded to a tunnel.
  void process_tunnel(WorkerCtx& ctx, const L2Config& config) const noexcept;
  // Switches the frames in ctx.to_bridge (sent by gateway interfaces) in their domains:
  // to the port that learned the destination, else flooded to every member.
  void output(WorkerCtx& ctx, const L2Config& config) const noexcept;

 private:
  // What happens to every frame of a run.
  struct Verdict {
    enum Kind : uint8_t { kForward, kFlood, kRoute, kEncap, kDrop } kind;
    // kForward: the egress; kEncap: the remote's virtual port; kDrop: the port the drop is
    // counted on (kNoPort: each frame's own).
    uint16_t port;
    DropReason reason;  // kDrop only.
  };
  // Learns from the run's source and decides where its frames go.
  [[gnu::always_inline]] static inline Verdict decide(WorkerCtx& ctx, const BridgeDomain& domain,
                                                      uint16_t in_port, MacKey src_key,
                                                      MacEntry* src, MacKey dst_key, MacEntry* dst,
                                                      uint32_t now_s, MacKey& last_reported);
  static void report_source(WorkerCtx& ctx, MacKey key, uint16_t in_port, MacKey& last_reported);
  // Frames of one domain from `in_port` (a port, a remote's virtual port, or kNoPort for
  // a gateway's frames): looked up, learned, forwarded, flooded, routed or tunnelled.
  void switch_frames(WorkerCtx& ctx, const L2Config& config, uint16_t domain_index,
                     uint16_t in_port, rte_mbuf** pkts, uint16_t n) const noexcept;
  // To every member but `in_port`, and copies to the domain's remote VTEPs unless the
  // frames came from one (split horizon).
  static void flood(WorkerCtx& ctx, const L2Config& config, const BridgeDomain& domain,
                    uint16_t in_port, rte_mbuf** pkts, uint16_t n);
  static void to_tunnel(WorkerCtx& ctx, const L2Config& config, const BridgeDomain& domain,
                        uint16_t remote_port, rte_mbuf* m);
  // Floods, except ARP that the domain's gateway must see: a request for its address goes
  // to the router only; a gratuitous ARP goes to both.
  static void flood_or_divert_arp(WorkerCtx& ctx, const L2Config& config,
                                  const BridgeDomain& domain, uint16_t in_port, rte_mbuf** pkts,
                                  uint16_t n);
  static void to_router(WorkerCtx& ctx, const BridgeDomain& domain, rte_mbuf* m);

  const MacTable& macs_;
};

}  // namespace np::dp
