// The IPv4 stage: frames addressed to an interface's MAC (a routed port's, or a bridge
// domain's gateway) are validated, answered (ARP, ICMP echo) when they are for us, or
// looked up in the FIB, TTL-decremented (RFC 1624 checksum update) and rewritten for their
// next hop. Packets whose neighbor is unknown go to the control thread, which ARPs for it.
//
// IP options are neither interpreted nor changed: such packets are forwarded as they are.
// Fragments are forwarded untouched (never reassembled); nothing is fragmented here: a
// packet above the egress MTU is dropped, with ICMP "fragmentation needed" when DF is set.
//
// Thread: process, output: workers; construction: control.
#pragma once

#include <rte_mbuf.h>

#include "np/dp/fib.h"
#include "np/dp/l2_config.h"
#include "np/dp/service_stage.h"
#include "np/dp/worker_ctx.h"
#include "np/vxlan/vxlan.h"

namespace np::dp {

class Router {
 public:
  // `services`: the service stage, run on routed packets while the config has services.
  Router(const Fib& fib, uint64_t tsc_hz, const ServiceStage* services = nullptr)
      : fib_(fib), tsc_per_icmp_(tsc_hz / kIcmpPerSecond), services_(services) {}

  // Takes ownership of n <= kMaxBurst frames received on interface `iface`.
  void process(WorkerCtx& ctx, const L2Config& config, uint16_t iface, rte_mbuf** pkts,
               uint16_t n) const noexcept;

  // Sends a finished frame out of interface `iface`: a routed port's tx buffer, or the
  // bridge for a gateway interface.
  static void output(WorkerCtx& ctx, const L3Interface& out, rte_mbuf* m);

  // Encapsulates the frames in ctx.to_tunnel and routes the outer packets to their VTEPs.
  void send_tunnelled(WorkerCtx& ctx, const L2Config& config) const noexcept;

 private:
  // Sends an answer (ARP reply, ICMP) back where `m` came from: on a gateway interface,
  // straight to the port it arrived on, with no MAC lookup or flood; from an L3 VNI, into
  // the tunnel.
  void reply(WorkerCtx& ctx, const L3Interface& in, rte_mbuf* m) const;
  // An answer to a packet that came out of an L3 VNI goes back to the VTEP that routes its
  // destination (the sender's node), as the kernel's vxlan device answers; without such a
  // route it is dropped (no_route).
  void reply_into_tunnel(WorkerCtx& ctx, rte_mbuf* m) const;

  void arp_input(WorkerCtx& ctx, const L3Interface& in, uint16_t iface, rte_mbuf* m) const;
  void local_input(WorkerCtx& ctx, const L2Config& config, const L3Interface& in,
                   rte_mbuf* m) const;
  // VXLAN to our VTEP: checked, decapsulated, and queued in ctx.from_tunnel. `marked`: the
  // VNI an rte_flow rule marked it with, if any.
  static void vxlan_input(WorkerCtx& ctx, const L2Config& config, rte_mbuf* m, uint16_t ihl,
                          const VniEntry* marked = nullptr);
  // Encapsulates n frames for one VTEP and VNI and routes them to it.
  void send_run(WorkerCtx& ctx, const L2Config& config, rte_mbuf** pkts, uint16_t n,
                const vxlan::Outer& outer, VniCounters& counters) const;
  // Answers m with an ICMP error out of `in` (rate permitting), else drops it; the drop is
  // counted with `reason` either way.
  void icmp_error(WorkerCtx& ctx, const L3Interface& in, rte_mbuf* m, IcmpKind kind,
                  DropReason reason, uint16_t mtu = 0) const;
  bool take_icmp_token(WorkerCtx& ctx) const;

  // Runs the service stage on n validated packets; answers or drops what it refuses and
  // compacts the rest. Returns how many go on.
  uint16_t serve(WorkerCtx& ctx, const L2Config& config, const L3Interface& in, rte_mbuf** pkts,
                 uint16_t n) const;

  const Fib& fib_;
  const uint64_t tsc_per_icmp_;
  const ServiceStage* const services_;
};

}  // namespace np::dp
