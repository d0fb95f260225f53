#include "np/dp/l2_bridge.h"

#include <rte_ether.h>

namespace np::dp {
namespace {

bool is_bad_source(const rte_ether_addr& mac) {
  return rte_is_multicast_ether_addr(&mac) || rte_is_zero_ether_addr(&mac);
}

}  // namespace

void L2Bridge::process(WorkerCtx& ctx, uint16_t in_port, rte_mbuf** pkts,
                       uint16_t n) const noexcept {
  const L2Config& config = *config_.read();
  const uint16_t domain_index = config.port_domain[in_port];
  if (domain_index == kNoDomain) {
    for (uint16_t i = 0; i < n; ++i) ctx.drop(pkts[i], in_port, DropReason::kNoBridgeDomain);
    return;
  }
  const BridgeDomain& domain = config.domains[domain_index];

  // Pass 1: validate headers and build the keys of one bulk lookup: destinations in
  // keys[0, k), sources in keys[k, 2k).
  rte_mbuf* valid[kMaxBurst];
  MacKey keys[2 * kMaxBurst];
  MacEntry* entries[2 * kMaxBurst];
  uint16_t k = 0;
  for (uint16_t i = 0; i < n; ++i) {
    rte_mbuf* m = pkts[i];
    if (m->pkt_len < sizeof(rte_ether_hdr)) {
      ctx.drop(m, in_port, DropReason::kRunt);
      continue;
    }
    if (m->data_len < sizeof(rte_ether_hdr)) {
      ctx.drop(m, in_port, DropReason::kTruncatedHeader);
      continue;
    }
    const auto* eth = rte_pktmbuf_mtod(m, const rte_ether_hdr*);
    if (is_bad_source(eth->src_addr)) {
      ctx.drop(m, in_port, DropReason::kBadSourceMac);
      continue;
    }
    valid[k++] = m;
  }
  for (uint16_t i = 0; i < k; ++i) {
    const auto* eth = rte_pktmbuf_mtod(valid[i], const rte_ether_hdr*);
    keys[i] = make_mac_key_unsafe(domain_index, &eth->dst_addr);
    keys[k + i] = make_mac_key_unsafe(domain_index, &eth->src_addr);
  }
  if (k == 0) return;
  macs_.lookup_bulk(keys, 2 * k, entries);

  // Pass 2: learn the source, then forward.
  const uint32_t now_s = ctx.shared.now_s.load(std::memory_order_relaxed);
  MacKey last_reported = ~MacKey{0};
  for (uint16_t i = 0; i < k; ++i) {
    rte_mbuf* m = valid[i];
    if (MacEntry* src = entries[k + i]) {
      if (src->port.load(std::memory_order_relaxed) != in_port) {
        if (src->is_static.load(std::memory_order_relaxed)) {
          ctx.drop(m, in_port, DropReason::kStaticMacMoved);
          continue;
        }
        if (domain.learning && keys[k + i] != last_reported) {
          if (!ctx.learn.push({keys[k + i], in_port})) ctx.counters.learn_events_dropped.add(1);
          last_reported = keys[k + i];
        }
      } else if (src->last_seen_s.load(std::memory_order_relaxed) != now_s) {
        // Written at most once a second per entry, so the line stays shared between workers.
        src->last_seen_s.store(now_s, std::memory_order_relaxed);
      }
    } else if (domain.learning && keys[k + i] != last_reported) {
      if (!ctx.learn.push({keys[k + i], in_port})) ctx.counters.learn_events_dropped.add(1);
      last_reported = keys[k + i];
    }

    const auto* eth = rte_pktmbuf_mtod(m, const rte_ether_hdr*);
    if (rte_is_multicast_ether_addr(&eth->dst_addr)) {
      flood(ctx, domain, in_port, m);
    } else if (MacEntry* dst = entries[i]) {
      uint16_t out = dst->port.load(std::memory_order_relaxed);
      if (out == in_port) {
        ctx.drop(m, in_port, DropReason::kSamePort);
      } else if (!ctx.shared.link_up[out].load(std::memory_order_relaxed)) {
        ctx.drop(m, out, DropReason::kLinkDown);
      } else {
        ctx.enqueue_tx(out, m);
      }
    } else if (domain.flood) {
      flood(ctx, domain, in_port, m);
    } else {
      ctx.drop(m, in_port, DropReason::kUnknownUnicast);
    }
  }
}

void L2Bridge::flood(WorkerCtx& ctx, const BridgeDomain& domain, uint16_t in_port,
                     rte_mbuf* m) const {
  uint16_t targets[kMaxPorts];
  uint16_t n_targets = 0;
  for (uint16_t j = 0; j < domain.n_members; ++j) {
    uint16_t port = domain.members[j];
    if (port != in_port && ctx.shared.link_up[port].load(std::memory_order_relaxed))
      targets[n_targets++] = port;
  }
  if (n_targets == 0) {
    ctx.drop(m, in_port, DropReason::kNoFloodMembers);
    return;
  }
  // Every egress shares the one mbuf; each transmit (or drop) releases one reference.
  if (n_targets > 1) rte_mbuf_refcnt_update(m, static_cast<int16_t>(n_targets - 1));
  for (uint16_t j = 0; j < n_targets; ++j) ctx.enqueue_tx(targets[j], m);
}

}  // namespace np::dp
