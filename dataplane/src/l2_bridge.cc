#include "np/dp/l2_bridge.h"

#include <rte_arp.h>
#include <rte_ether.h>
#include <rte_prefetch.h>

namespace np::dp {
namespace {

constexpr MacKey kMacBits = (MacKey{1} << 48) - 1;
// The group bit is the least significant bit of the first octet, bit 40 of a key.
constexpr MacKey kGroupBit = MacKey{1} << 40;
constexpr unsigned kPrefetchAhead = 4;

bool is_group(MacKey key) { return (key & kGroupBit) != 0; }
// Multicast, broadcast or all-zero: never a frame's sender.
bool is_bad_source(MacKey key) { return is_group(key) || (key & kMacBits) == 0; }

}  // namespace

inline L2Bridge::Verdict L2Bridge::decide(WorkerCtx& ctx, const BridgeDomain& domain,
                                          uint16_t in_port, MacKey src_key, MacEntry* src,
                                          MacKey dst_key, MacEntry* dst, uint32_t now_s,
                                          MacKey& last_reported) {
  if (src == nullptr) {
    if (domain.learning) report_source(ctx, src_key, in_port, last_reported);
  } else if (src->port.load(std::memory_order_relaxed) != in_port) {
    // A static MAC seen on another port is a spoof, not a move.
    if (src->is_static.load(std::memory_order_relaxed))
      return {Verdict::kDrop, kNoPort, DropReason::kStaticMacMoved};
    if (domain.learning) report_source(ctx, src_key, in_port, last_reported);
  } else if (src->last_seen_s.load(std::memory_order_relaxed) != now_s) {
    // Written at most once a second per entry, so the line stays shared between workers.
    src->last_seen_s.store(now_s, std::memory_order_relaxed);
  }

  if (dst_key == domain.gateway_key) return {Verdict::kRoute, 0, DropReason::kCount};
  if (is_group(dst_key)) return {Verdict::kFlood, 0, DropReason::kCount};
  if (dst == nullptr) {
    if (domain.flood) return {Verdict::kFlood, 0, DropReason::kCount};
    return {Verdict::kDrop, kNoPort, DropReason::kUnknownUnicast};
  }
  const uint16_t out = dst->port.load(std::memory_order_relaxed);
  if (out == in_port) return {Verdict::kDrop, kNoPort, DropReason::kSamePort};
  if (is_remote_port(out)) {
    if (is_remote_port(in_port)) return {Verdict::kDrop, kNoPort, DropReason::kSplitHorizon};
    return {Verdict::kEncap, out, DropReason::kCount};
  }
  if (!ctx.shared.link_up[out].load(std::memory_order_relaxed))
    return {Verdict::kDrop, out, DropReason::kLinkDown};
  return {Verdict::kForward, out, DropReason::kCount};
}

void L2Bridge::process(WorkerCtx& ctx, const L2Config& config, uint16_t in_port, rte_mbuf** pkts,
                       uint16_t n) const noexcept {
  const uint16_t domain_index = config.port_domain[in_port];
  if (domain_index == kNoDomain) {
    for (uint16_t i = 0; i < n; ++i) ctx.drop(pkts[i], in_port, DropReason::kNoBridgeDomain);
    return;
  }
  switch_frames(ctx, config, domain_index, in_port, pkts, n);
}

void L2Bridge::process_tunnel(WorkerCtx& ctx, const L2Config& config) const noexcept {
  TunnelInput& in = ctx.from_tunnel;
  // Runs of frames from one remote into one domain go through the switch together. (The
  // pipeline has taken the L3 VNI frames out.)
  for (uint16_t first = 0, last; first < in.count; first = last) {
    last = first + 1;
    while (last < in.count && in.domains[last] == in.domains[first] &&
           in.remote_ports[last] == in.remote_ports[first])
      ++last;
    switch_frames(ctx, config, in.domains[first], in.remote_ports[first], &in.pkts[first],
                  static_cast<uint16_t>(last - first));
  }
  in.count = 0;
}

void L2Bridge::switch_frames(WorkerCtx& ctx, const L2Config& config, uint16_t domain_index,
                             uint16_t in_port, rte_mbuf** pkts, uint16_t n) const noexcept {
  const BridgeDomain& domain = config.domains[domain_index];

  // Pass 1: validate headers, keep the good frames in `valid`, and cut them into runs of
  // one conversation (same source and destination MAC): a run is looked up and decided
  // once. On a pod's port a whole burst is often one run.
  rte_mbuf* valid[kMaxBurst];
  MacKey run_dst[kMaxBurst], run_src[kMaxBurst];
  uint16_t run_end[kMaxBurst];  // Run r holds valid[run_end[r - 1], run_end[r]).
  uint16_t k = 0, n_runs = 0;
  for (uint16_t i = 0; i < n; ++i) {
    if (i + kPrefetchAhead < n) rte_prefetch0(rte_pktmbuf_mtod(pkts[i + kPrefetchAhead], void*));
    rte_mbuf* m = pkts[i];
    if (m->pkt_len < sizeof(rte_ether_hdr)) {
      ctx.drop(m, m->port, DropReason::kRunt);
      continue;
    }
    if (m->data_len < sizeof(rte_ether_hdr)) {
      ctx.drop(m, m->port, DropReason::kTruncatedHeader);
      continue;
    }
    const auto* eth = rte_pktmbuf_mtod(m, const rte_ether_hdr*);
    const MacKey src = make_mac_key_unsafe(domain_index, &eth->src_addr);
    if (is_bad_source(src)) {
      ctx.drop(m, m->port, DropReason::kBadSourceMac);
      continue;
    }
    const MacKey dst = make_mac_key_unsafe(domain_index, &eth->dst_addr);
    if (n_runs == 0 || src != run_src[n_runs - 1] || dst != run_dst[n_runs - 1]) {
      run_src[n_runs] = src;
      run_dst[n_runs] = dst;
      ++n_runs;
    }
    valid[k++] = m;
    run_end[n_runs - 1] = k;
  }
  if (n_runs == 0) return;
  uint32_t dst_hashes[kMaxBurst], src_hashes[kMaxBurst];
  MacEntry* dst_entries[kMaxBurst];
  MacEntry* src_entries[kMaxBurst];
  macs_.prefetch_bulk(run_dst, n_runs, dst_hashes);
  macs_.prefetch_bulk(run_src, n_runs, src_hashes);
  macs_.find_bulk(run_dst, dst_hashes, n_runs, dst_entries);
  macs_.find_bulk(run_src, src_hashes, n_runs, src_entries);

  // Pass 2: per run, learn the source, decide, and apply the verdict to its frames.
  const uint32_t now_s = ctx.shared.now_s.load(std::memory_order_relaxed);
  MacKey last_reported = ~MacKey{0};  // One learning event per source and burst.
  uint16_t first = 0;
  for (uint16_t r = 0; r < n_runs; first = run_end[r++]) {
    const Verdict v = decide(ctx, domain, in_port, run_src[r], src_entries[r], run_dst[r],
                             dst_entries[r], now_s, last_reported);
    switch (v.kind) {
      case Verdict::kForward:
        ctx.enqueue_tx_bulk(v.port, &valid[first], static_cast<uint16_t>(run_end[r] - first));
        break;
      case Verdict::kFlood:
        if (domain.gateway != kNoIface)
          flood_or_divert_arp(ctx, config, domain, in_port, &valid[first],
                              static_cast<uint16_t>(run_end[r] - first));
        else
          flood(ctx, config, domain, in_port, &valid[first],
                static_cast<uint16_t>(run_end[r] - first));
        break;
      case Verdict::kRoute:
        for (uint16_t i = first; i < run_end[r]; ++i) to_router(ctx, domain, valid[i]);
        break;
      case Verdict::kEncap:
        for (uint16_t i = first; i < run_end[r]; ++i)
          to_tunnel(ctx, config, domain, v.port, valid[i]);
        break;
      case Verdict::kDrop:
        for (uint16_t i = first; i < run_end[r]; ++i)
          ctx.drop(valid[i], v.port == kNoPort ? valid[i]->port : v.port, v.reason);
        break;
    }
  }
}

void L2Bridge::report_source(WorkerCtx& ctx, MacKey key, uint16_t in_port, MacKey& last_reported) {
  if (key == last_reported) return;
  last_reported = key;
  // A full queue loses the event, never blocks: the source is reported again next time.
  if (!ctx.learn.push({key, in_port})) ctx.counters.learn_events_dropped.add(1);
}

void L2Bridge::flood(WorkerCtx& ctx, const L2Config& config, const BridgeDomain& domain,
                     uint16_t in_port, rte_mbuf** pkts, uint16_t n) {
  uint16_t targets[kMaxPorts];
  uint16_t n_targets = 0;
  for (uint16_t j = 0; j < domain.n_members; ++j) {
    const uint16_t port = domain.members[j];
    if (port != in_port && ctx.shared.link_up[port].load(std::memory_order_relaxed))
      targets[n_targets++] = port;
  }
  // Split horizon: what came from a tunnel never goes back into one.
  const bool to_remotes = !is_remote_port(in_port) && !domain.flood_remotes.empty();
  for (uint16_t i = 0; i < n; ++i) {
    rte_mbuf* m = pkts[i];
    // Each remote gets its own copy: encapsulation writes in front of the frame.
    if (to_remotes)
      for (const uint16_t remote : domain.flood_remotes) {
        rte_mbuf* copy = rte_pktmbuf_copy(m, m->pool, 0, UINT32_MAX);
        if (copy == nullptr) {
          ctx.counters.ports[m->port].drops[static_cast<unsigned>(DropReason::kTxFull)].add(1);
          continue;
        }
        copy->port = m->port;
        to_tunnel(ctx, config, domain, kRemotePortBase + remote, copy);
      }
    if (n_targets == 0) {
      if (to_remotes)
        rte_pktmbuf_free(m);  // Sent to the remotes only.
      else
        ctx.drop(m, m->port, DropReason::kNoFloodMembers);
      continue;
    }
    // Every local egress shares the one mbuf; each transmit (or drop) releases a reference.
    if (n_targets > 1) rte_mbuf_refcnt_update(m, static_cast<int16_t>(n_targets - 1));
    for (uint16_t j = 0; j < n_targets; ++j) ctx.enqueue_tx(targets[j], m);
  }
}

void L2Bridge::to_tunnel(WorkerCtx& ctx, const L2Config& config, const BridgeDomain& domain,
                         uint16_t remote_port, rte_mbuf* m) {
  TunnelOutput& out = ctx.to_tunnel;
  if (out.count == kTxBufferSize) {
    ctx.drop(m, m->port, DropReason::kTxFull);
    return;
  }
  out.pkts[out.count] = m;
  out.remotes[out.count] = config.vxlan.remotes[remote_port - kRemotePortBase];
  out.vnis[out.count] = domain.vni;
  out.slots[out.count++] = domain.vni_slot;
}

void L2Bridge::to_router(WorkerCtx& ctx, const BridgeDomain& domain, rte_mbuf* m) {
  RouterInput& in = ctx.to_router;
  in.ifaces[in.count] = domain.gateway;
  in.pkts[in.count++] = m;
}

void L2Bridge::flood_or_divert_arp(WorkerCtx& ctx, const L2Config& config,
                                   const BridgeDomain& domain, uint16_t in_port, rte_mbuf** pkts,
                                   uint16_t n) {
  rte_mbuf* flooded[kMaxBurst];
  uint16_t n_flooded = 0;
  for (uint16_t i = 0; i < n; ++i) {
    rte_mbuf* m = pkts[i];
    const auto* eth = rte_pktmbuf_mtod(m, const rte_ether_hdr*);
    if (eth->ether_type == rte_cpu_to_be_16(RTE_ETHER_TYPE_ARP) &&
        m->data_len >= sizeof(rte_ether_hdr) + sizeof(rte_arp_hdr)) {
      const rte_arp_ipv4& arp = reinterpret_cast<const rte_arp_hdr*>(eth + 1)->arp_data;
      if (arp.arp_tip == domain.gateway_ip) {
        to_router(ctx, domain, m);
        continue;
      }
      if (arp.arp_tip == arp.arp_sip) {
        // The router only reads a gratuitous ARP, so it can share the flooded mbuf.
        rte_mbuf_refcnt_update(m, 1);
        to_router(ctx, domain, m);
      }
    }
    flooded[n_flooded++] = m;
  }
  flood(ctx, config, domain, in_port, flooded, n_flooded);
}

void L2Bridge::output(WorkerCtx& ctx, const L2Config& config) const noexcept {
  BridgeOutput& out = ctx.to_bridge;
  MacKey keys[kMaxBurst];
  uint32_t hashes[kMaxBurst];
  MacEntry* entries[kMaxBurst];
  for (uint16_t i = 0; i < out.count; ++i)
    keys[i] = make_mac_key_unsafe(out.domains[i],
                                  &rte_pktmbuf_mtod(out.pkts[i], rte_ether_hdr*)->dst_addr);
  macs_.prefetch_bulk(keys, out.count, hashes);
  macs_.find_bulk(keys, hashes, out.count, entries);
  for (uint16_t i = 0; i < out.count; ++i) {
    rte_mbuf* m = out.pkts[i];
    const BridgeDomain& domain = config.domains[out.domains[i]];
    if (entries[i] == nullptr || is_group(keys[i])) {
      if (is_group(keys[i]) || domain.flood)
        flood(ctx, config, domain, kNoPort, &m, 1);
      else
        ctx.drop(m, m->port, DropReason::kUnknownUnicast);
      continue;
    }
    const uint16_t port = entries[i]->port.load(std::memory_order_relaxed);
    if (is_remote_port(port)) {
      to_tunnel(ctx, config, domain, port, m);
      continue;
    }
    if (!ctx.shared.link_up[port].load(std::memory_order_relaxed))
      ctx.drop(m, m->port, DropReason::kLinkDown);
    else
      ctx.enqueue_tx(port, m);
  }
  out.count = 0;
}

}  // namespace np::dp
