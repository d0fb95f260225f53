// The service stage of the IPv4 path (before the route lookup): packets of tracked
// connections are translated (DNAT of the client's packets to the backend, reverse NAT of
// the backend's answers to the VIP, SNAT where the answer would otherwise not come back
// through us); the first packet to a service's VIP:port (or a node port on one of our
// addresses) picks a backend with Maglev (or the client's affinity) and creates the
// connection, both directions, in the shared table.
//
// ICMP errors about translated packets are translated too: those that pass through us and
// those our router makes itself about a packet after translating it.
//
// SNAT, to the ingress interface's address and a port of the worker's own range: when the
// client and the backend are in the same subnet of the interface the packet came in on
// (hairpin: a backend reaching its own service, or any pod of that subnet), and for node
// ports when the backend is not in a subnet of ours.
//
// Thread: process: workers; translate_icmp_error: workers and control.
#pragma once

#include <rte_mbuf.h>

#include "np/dp/l2_config.h"
#include "np/dp/worker_ctx.h"
#include "np/nat/conntrack.h"

namespace np::dp {

enum class ServiceVerdict : uint8_t {
  kPass,    // Not a service packet, or translated: route it on.
  kReject,  // A new flow to a service without backends: answer (TCP RST, ICMP unreachable).
  kDrop,    // Dropped here (freed, counted).
};

class ServiceStage {
 public:
  explicit ServiceStage(nat::Conntrack* conntrack) : conntrack_(conntrack) {}

  // For n <= kMaxBurst validated IPv4 packets that came in on `in`: translates in place and
  // sets verdicts[i].
  void process(WorkerCtx& ctx, const L2Config& config, const L3Interface& in, rte_mbuf** pkts,
               uint16_t n, ServiceVerdict* verdicts) const noexcept;

  // Translates an ICMP error (unreachable, time exceeded, parameter problem) about a
  // translated packet, one passing through (from process()) or one we made ourselves about a
  // packet after translating it: the quoted packet back to what its sender sent (the client's
  // to the VIP; the backend's to the client or our SNAT address), the error to that sender,
  // from the VIP (or SNAT address) when the other end sent it. The quote's checksums patched
  // (RFC 1624), the ICMP checksum recomputed. Untouched when no connection matches the quote.
  // Thread: workers; control (host unreachable after ARP failed): lookups are lock-free
  // reads, and the control thread is the one that frees flows.
  void translate_icmp_error(rte_mbuf* m) const;

 private:
  // A new connection's service, backend and reply key, chosen before it is made.
  struct FlowChoice {
    uint16_t service_slot, backend_slot;
    nat::FlowKey reply;
  };
  // The backend of a new connection to `service` (affinity, Maglev) and its reply key (with
  // SNAT where needed): kPass, or why the packet cannot have one.
  ServiceVerdict choose(WorkerCtx& ctx, const L2Config& config, const L3Interface& in,
                        const NatService& service, const nat::FlowKey& key,
                        FlowChoice& choice) const;
  // Makes the connection and translates its first packet (kDrop when the table is full).
  ServiceVerdict make_flow(WorkerCtx& ctx, const nat::FlowKey& key, const FlowChoice& choice,
                           rte_mbuf* m) const;
  // A source port for SNAT to `addr` from the worker's range whose reply key is free.
  bool snat_port(WorkerCtx& ctx, nat::FlowKey& reply) const;

  nat::Conntrack* const conntrack_;
};

// Turns a TCP segment into the RST that refuses it (RFC 793), from `our_mac`; false when the
// segment is too short to answer.
bool make_tcp_reset(rte_mbuf* m, const rte_ether_addr& our_mac);

}  // namespace np::dp
