#include "np/dp/l2_bridge.h"

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

void L2Bridge::process(WorkerCtx& ctx, uint16_t in_port, rte_mbuf** pkts,
                       uint16_t n) const noexcept {
  const L2Config& config = *config_.read();
  const uint16_t domain_index = config.port_domain[in_port];
  if (domain_index == kNoDomain) {
    for (uint16_t i = 0; i < n; ++i) ctx.drop(pkts[i], in_port, DropReason::kNoBridgeDomain);
    return;
  }
  const BridgeDomain& domain = config.domains[domain_index];

  // Pass 1: validate headers and extract the keys: destinations in dst_keys, sources in
  // src_keys, for the k frames kept in `valid`.
  rte_mbuf* valid[kMaxBurst];
  MacKey dst_keys[kMaxBurst], src_keys[kMaxBurst];
  MacEntry* dst_entries[kMaxBurst];
  MacEntry* src_entries[kMaxBurst];
  uint16_t k = 0;
  for (uint16_t i = 0; i < n; ++i) {
    if (i + kPrefetchAhead < n) rte_prefetch0(rte_pktmbuf_mtod(pkts[i + kPrefetchAhead], void*));
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
    const MacKey src = make_mac_key_unsafe(domain_index, &eth->src_addr);
    if (is_bad_source(src)) {
      ctx.drop(m, in_port, DropReason::kBadSourceMac);
      continue;
    }
    src_keys[k] = src;
    dst_keys[k] = make_mac_key_unsafe(domain_index, &eth->dst_addr);
    valid[k++] = m;
  }
  if (k == 0) return;
  uint32_t dst_hashes[kMaxBurst], src_hashes[kMaxBurst];
  macs_.prefetch_bulk(dst_keys, k, dst_hashes);
  macs_.prefetch_bulk(src_keys, k, src_hashes);
  macs_.find_bulk(dst_keys, dst_hashes, k, dst_entries);
  macs_.find_bulk(src_keys, src_hashes, k, src_entries);

  // Pass 2: learn the source, then forward.
  const uint32_t now_s = ctx.shared.now_s.load(std::memory_order_relaxed);
  MacKey last_reported = ~MacKey{0};
  for (uint16_t i = 0; i < k; ++i) {
    rte_mbuf* m = valid[i];
    const MacKey src_key = src_keys[i];
    if (MacEntry* src = src_entries[i]) {
      if (src->port.load(std::memory_order_relaxed) != in_port) {
        if (src->is_static.load(std::memory_order_relaxed)) {
          ctx.drop(m, in_port, DropReason::kStaticMacMoved);
          continue;
        }
        if (domain.learning && src_key != last_reported)
          report_source(ctx, src_key, in_port, last_reported);
      } else if (src->last_seen_s.load(std::memory_order_relaxed) != now_s) {
        // Written at most once a second per entry, so the line stays shared between workers.
        src->last_seen_s.store(now_s, std::memory_order_relaxed);
      }
    } else if (domain.learning && src_key != last_reported) {
      report_source(ctx, src_key, in_port, last_reported);
    }

    if (is_group(dst_keys[i])) {
      flood(ctx, domain, in_port, m);
    } else if (MacEntry* dst = dst_entries[i]) {
      const uint16_t out = dst->port.load(std::memory_order_relaxed);
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

void L2Bridge::report_source(WorkerCtx& ctx, MacKey key, uint16_t in_port, MacKey& last_reported) {
  // A full queue loses the event, never blocks: the source is reported again next time.
  if (!ctx.learn.push({key, in_port})) ctx.counters.learn_events_dropped.add(1);
  last_reported = key;
}

void L2Bridge::flood(WorkerCtx& ctx, const BridgeDomain& domain, uint16_t in_port,
                     rte_mbuf* m) const {
  uint16_t targets[kMaxPorts];
  uint16_t n_targets = 0;
  for (uint16_t j = 0; j < domain.n_members; ++j) {
    const uint16_t port = domain.members[j];
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
