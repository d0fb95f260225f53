#include "np/dp/router.h"

#include <rte_arp.h>
#include <rte_icmp.h>
#include <rte_ip.h>
#include <rte_prefetch.h>

#include <cstring>

#include "np/dp/icmp.h"
#include "np/dp/ipv4.h"
#include "np/vxlan/vxlan.h"

namespace np::dp {
namespace {

constexpr unsigned kPrefetchAhead = 4;
constexpr uint16_t kEthIpv4 = sizeof(rte_ether_hdr) + sizeof(rte_ipv4_hdr);

// Multicast or limited broadcast: not routed.
bool is_not_routable(uint32_t dst) { return dst == 0xffffffff || (dst >> 28) == 0xe; }

// Checks an IPv4 header against the frame; trims Ethernet padding. Returns kCount if good.
DropReason validate_ipv4(rte_mbuf* m) {
  if (m->data_len < kEthIpv4) return DropReason::kIpTruncated;
  const auto* ip = rte_pktmbuf_mtod_offset(m, const rte_ipv4_hdr*, sizeof(rte_ether_hdr));
  if ((ip->version_ihl >> 4) != 4) return DropReason::kIpBadVersion;
  const uint16_t ihl = rte_ipv4_hdr_len(ip);
  if (ihl < sizeof(rte_ipv4_hdr) || sizeof(rte_ether_hdr) + ihl > m->data_len)
    return DropReason::kIpBadHeaderLength;
  const uint16_t total = rte_be_to_cpu_16(ip->total_length);
  if (total < ihl || sizeof(rte_ether_hdr) + total > m->pkt_len)
    return DropReason::kIpBadTotalLength;
  if ((m->ol_flags & RTE_MBUF_F_RX_IP_CKSUM_MASK) != RTE_MBUF_F_RX_IP_CKSUM_GOOD &&
      !ipv4_checksum_ok(ip, ihl))
    return DropReason::kIpBadChecksum;
  const uint32_t excess = m->pkt_len - sizeof(rte_ether_hdr) - total;
  if (excess != 0) rte_pktmbuf_trim(m, static_cast<uint16_t>(excess));
  if (!is_unicast_ipv4(rte_be_to_cpu_32(ip->src_addr))) return DropReason::kIpBadSource;
  if (is_not_routable(rte_be_to_cpu_32(ip->dst_addr))) return DropReason::kIpNotRoutable;
  return DropReason::kCount;
}

// The path of m among its group's: the flow's by hash when there are several (ECMP).
const Path* select_path(const NextHopGroup& group, const rte_mbuf* m) {
  if (group.n_paths == 1) return &group.paths[0];
  const auto* ip = rte_pktmbuf_mtod_offset(m, const rte_ipv4_hdr*, sizeof(rte_ether_hdr));
  const uint16_t ihl = rte_ipv4_hdr_len(ip);
  const uint32_t hash = flow_hash(ip, reinterpret_cast<const uint8_t*>(ip) + ihl,
                                  m->data_len - sizeof(rte_ether_hdr) - ihl);
  return &group.paths[hash % group.n_paths];
}

// Whether a validated IPv4 packet is VXLAN: unfragmented UDP to the VXLAN port.
bool is_vxlan(const VxlanConfig& vx, const rte_mbuf* m, const rte_ipv4_hdr* ip) {
  if (!vx.enabled || ip->next_proto_id != IPPROTO_UDP || is_fragment(ip)) return false;
  const uint16_t ihl = rte_ipv4_hdr_len(ip);
  if (m->data_len < sizeof(rte_ether_hdr) + ihl + sizeof(rte_udp_hdr)) return false;
  const auto* udp =
      reinterpret_cast<const rte_udp_hdr*>(reinterpret_cast<const uint8_t*>(ip) + ihl);
  return udp->dst_port == vx.port;
}

// The VNI our per-VNI rte_flow rule marked m with, if the PMD marked it.
const VniEntry* marked_vni(const VxlanConfig& vx, const rte_mbuf* m) {
  return (m->ol_flags & RTE_MBUF_F_RX_FDIR_ID) ? vx.marked_vni(m->hash.fdir.hi) : nullptr;
}

// Queues m, its inner header rewritten for a kVxlan path, for encapsulation to the path's VTEP.
void to_tunnel(WorkerCtx& ctx, const Path& path, rte_mbuf* m) {
  TunnelOutput& t = ctx.to_tunnel;
  if (t.count == kTxBufferSize) {
    ctx.drop(m, m->port, DropReason::kTxFull);
    return;
  }
  std::memcpy(rte_pktmbuf_mtod(m, rte_ether_hdr*), &path.dst, 2 * RTE_ETHER_ADDR_LEN);
  t.pkts[t.count] = m;
  t.remotes[t.count] = rte_cpu_to_be_32(path.resolve_ip);
  t.vnis[t.count] = path.vni;
  t.slots[t.count++] = path.vni_slot;
}

}  // namespace

void Router::output(WorkerCtx& ctx, const L3Interface& out, rte_mbuf* m) {
  if (out.port != kNoPort) {
    if (!ctx.shared.link_up[out.port].load(std::memory_order_relaxed)) {
      ctx.drop(m, m->port, DropReason::kLinkDown);
      return;
    }
    ctx.enqueue_tx(out.port, m);
    return;
  }
  if (out.domain == kNoDomain) {  // An interface removed a moment ago.
    ctx.drop(m, m->port, DropReason::kNoRoute);
    return;
  }
  BridgeOutput& b = ctx.to_bridge;
  b.domains[b.count] = out.domain;
  b.pkts[b.count++] = m;
}

void Router::reply(WorkerCtx& ctx, const L3Interface& in, rte_mbuf* m) const {
  if (in.tunnel) {
    reply_into_tunnel(ctx, m);
    return;
  }
  if (in.port != kNoPort || m->port >= kMaxPorts) {
    output(ctx, in, m);
    return;
  }
  if (!ctx.shared.link_up[m->port].load(std::memory_order_relaxed)) {
    ctx.drop(m, m->port, DropReason::kLinkDown);
    return;
  }
  ctx.enqueue_tx(m->port, m);
}

void Router::process(WorkerCtx& ctx, const L2Config& config, uint16_t iface, rte_mbuf** pkts,
                     uint16_t n) const noexcept {
  const L3Interface& in = config.ifaces[iface];
  // Pass 1: ARP aside, validate, and gather the destinations for one bulk lookup.
  rte_mbuf* fwd[kMaxBurst];
  uint32_t dsts[kMaxBurst];
  uint16_t k = 0;
  for (uint16_t i = 0; i < n; ++i) {
    if (i + kPrefetchAhead < n) rte_prefetch0(rte_pktmbuf_mtod(pkts[i + kPrefetchAhead], void*));
    rte_mbuf* m = pkts[i];
    if (m->data_len < sizeof(rte_ether_hdr)) {
      ctx.drop(m, m->port, DropReason::kRunt);
      continue;
    }
    const auto* eth = rte_pktmbuf_mtod(m, const rte_ether_hdr*);
    const uint16_t type = eth->ether_type;
    const bool to_us = rte_is_same_ether_addr(&eth->dst_addr, &in.mac);
    // No ARP inside an L3 VNI: its neighbors are configured (flannel's model).
    if (type == rte_cpu_to_be_16(RTE_ETHER_TYPE_ARP) && !in.tunnel &&
        (to_us || rte_is_broadcast_ether_addr(&eth->dst_addr))) {
      arp_input(ctx, in, iface, m);
      continue;
    }
    // A routed port may hear frames for other stations (a shared segment, promiscuous mode).
    if (!to_us) {
      ctx.drop(m, m->port, DropReason::kNotOurMac);
      continue;
    }
    if (type != rte_cpu_to_be_16(RTE_ETHER_TYPE_IPV4)) {
      ctx.drop(m, m->port, DropReason::kNotIpv4);
      continue;
    }
    const DropReason bad = validate_ipv4(m);
    if (bad != DropReason::kCount) {
      ctx.drop(m, m->port, bad);
      continue;
    }
    const auto* ip = rte_pktmbuf_mtod_offset(m, const rte_ipv4_hdr*, sizeof(rte_ether_hdr));
    // VXLAN to our VTEP skips the route lookup: the VTEP address is always one of ours (as
    // VPP's ip4-vxlan-bypass).
    if (ip->dst_addr == config.vxlan.local_ip && is_vxlan(config.vxlan, m, ip)) {
      vxlan_input(ctx, config, m, rte_ipv4_hdr_len(ip), marked_vni(config.vxlan, m));
      continue;
    }
    fwd[k++] = m;
  }
  if (k != 0 && config.services != nullptr && services_ != nullptr)
    k = serve(ctx, config, in, fwd, k);
  if (k == 0) return;
  for (uint16_t j = 0; j < k; ++j) {
    const auto* ip = rte_pktmbuf_mtod_offset(fwd[j], const rte_ipv4_hdr*, sizeof(rte_ether_hdr));
    dsts[j] = rte_be_to_cpu_32(ip->dst_addr);
    fib_.prefetch(dsts[j]);
  }
  uint32_t groups[kMaxBurst];
  fib_.lookup_bulk(dsts, groups, k);

  // Pass 2: per packet, its path: us, or rewrite and out, or wait for ARP.
  for (uint16_t j = 0; j < k; ++j) {
    rte_mbuf* m = fwd[j];
    auto* eth = rte_pktmbuf_mtod(m, rte_ether_hdr*);
    auto* ip = reinterpret_cast<rte_ipv4_hdr*>(eth + 1);
    const NextHopGroup* group = groups[j] == kNoGroup ? nullptr : fib_.group(groups[j]);
    if (group == nullptr || group->n_paths == 0) {
      icmp_error(ctx, in, m, IcmpKind::kNetUnreachable, DropReason::kNoRoute);
      continue;
    }
    const Path* path = select_path(*group, m);
    if (path->kind == Path::kLocal) {
      local_input(ctx, config, in, m);
      continue;
    }
    if (ip->time_to_live <= 1) {
      icmp_error(ctx, in, m, IcmpKind::kTimeExceeded, DropReason::kTtlExpired);
      continue;
    }
    if (path->kind == Path::kVxlan) {
      // Routed traffic learns the tunnel's IP MTU (the uplink's less the 50 bytes VXLAN adds,
      // as the kernel's vxlan device); the outer packet's route and MTU are checked again
      // when it is sent.
      const uint16_t tunnel_mtu = static_cast<uint16_t>(config.vxlan.mtu - vxlan::kOuterLen);
      if (rte_be_to_cpu_16(ip->total_length) > tunnel_mtu) {
        ctx.counters.vnis[path->vni_slot].drops[static_cast<unsigned>(VxlanDrop::kMtuExceeded)].add(
            1);
        if (ip->fragment_offset & rte_cpu_to_be_16(RTE_IPV4_HDR_DF_FLAG))
          icmp_error(ctx, in, m, IcmpKind::kFragmentationNeeded, DropReason::kMtuExceeded,
                     tunnel_mtu);
        else
          ctx.drop(m, m->port, DropReason::kMtuExceeded);
        continue;
      }
      decrement_ttl(ip);
      to_tunnel(ctx, *path, m);
      continue;
    }
    const L3Interface& out = config.ifaces[path->iface];
    if (rte_be_to_cpu_16(ip->total_length) > out.mtu) {
      if (ip->fragment_offset & rte_cpu_to_be_16(RTE_IPV4_HDR_DF_FLAG))
        icmp_error(ctx, in, m, IcmpKind::kFragmentationNeeded, DropReason::kMtuExceeded, out.mtu);
      else
        ctx.drop(m, m->port, DropReason::kMtuExceeded);
      continue;
    }
    decrement_ttl(ip);
    if (path->kind == Path::kRewrite) {
      // dst and src sit together in Path as in the header: one 12-byte copy.
      std::memcpy(eth, &path->dst, 2 * RTE_ETHER_ADDR_LEN);
      output(ctx, out, m);
      continue;
    }
    const uint32_t target = path->resolve_ip != 0 ? path->resolve_ip : dsts[j];
    if (!ctx.punt.push({PuntEvent::kResolve, path->iface, iface, target, {}, m})) {
      ctx.counters.l3.punt_queue_drops.add(1);
      ctx.drop(m, m->port, DropReason::kPuntQueueFull);
    }
  }
}

void Router::reply_into_tunnel(WorkerCtx& ctx, rte_mbuf* m) const {
  const auto* ip = rte_pktmbuf_mtod_offset(m, const rte_ipv4_hdr*, sizeof(rte_ether_hdr));
  const uint32_t dst = rte_be_to_cpu_32(ip->dst_addr);
  uint32_t group_id = kNoGroup;
  fib_.lookup_bulk(&dst, &group_id, 1);
  const NextHopGroup* group = group_id == kNoGroup ? nullptr : fib_.group(group_id);
  const Path* path = group == nullptr || group->n_paths == 0 ? nullptr : select_path(*group, m);
  if (path == nullptr || path->kind != Path::kVxlan) {
    ctx.drop(m, m->port, DropReason::kNoRoute);
    return;
  }
  to_tunnel(ctx, *path, m);
}

uint16_t Router::serve(WorkerCtx& ctx, const L2Config& config, const L3Interface& in,
                       rte_mbuf** pkts, uint16_t n) const {
  ServiceVerdict verdicts[kMaxBurst];
  services_->process(ctx, config, in, pkts, n, verdicts);
  uint16_t kept = 0;
  for (uint16_t i = 0; i < n; ++i) {
    rte_mbuf* m = pkts[i];
    switch (verdicts[i]) {
      case ServiceVerdict::kPass:
        pkts[kept++] = m;
        break;
      case ServiceVerdict::kDrop:
        ctx.drop(m, m->port, DropReason::kService);
        break;
      case ServiceVerdict::kReject: {
        // A service without backends refuses like a host with nothing listening.
        const auto* ip = rte_pktmbuf_mtod_offset(m, const rte_ipv4_hdr*, sizeof(rte_ether_hdr));
        if (ip->next_proto_id == IPPROTO_TCP) {
          const uint16_t port = m->port;
          if (!make_tcp_reset(m, in.mac)) {
            ctx.drop(m, port, DropReason::kService);
            break;
          }
          ctx.counters.ports[port].drops[static_cast<unsigned>(DropReason::kService)].add(1);
          reply(ctx, in, m);
        } else {
          icmp_error(ctx, in, m, IcmpKind::kPortUnreachable, DropReason::kService);
        }
        break;
      }
    }
  }
  return kept;
}

void Router::arp_input(WorkerCtx& ctx, const L3Interface& in, uint16_t iface, rte_mbuf* m) const {
  if (m->data_len < sizeof(rte_ether_hdr) + sizeof(rte_arp_hdr)) {
    ctx.drop(m, m->port, DropReason::kArpMalformed);
    return;
  }
  const auto* arp = rte_pktmbuf_mtod_offset(m, const rte_arp_hdr*, sizeof(rte_ether_hdr));
  if (arp->arp_hardware != rte_cpu_to_be_16(RTE_ARP_HRD_ETHER) ||
      arp->arp_protocol != rte_cpu_to_be_16(RTE_ETHER_TYPE_IPV4) ||
      arp->arp_hlen != RTE_ETHER_ADDR_LEN || arp->arp_plen != sizeof(rte_be32_t)) {
    ctx.drop(m, m->port, DropReason::kArpMalformed);
    return;
  }
  const rte_arp_ipv4& data = arp->arp_data;
  const bool for_us = data.arp_tip == in.ip;
  const bool gratuitous = data.arp_tip == data.arp_sip;
  // Learn from requests and replies to us and from gratuitous ARP, when the sender is a
  // unicast address of the interface's subnet (a full queue loses the event, no more).
  if ((for_us || gratuitous) && data.arp_sip != 0 && data.arp_sip != in.ip &&
      in.holds(rte_be_to_cpu_32(data.arp_sip)) && rte_is_unicast_ether_addr(&data.arp_sha) &&
      !rte_is_zero_ether_addr(&data.arp_sha)) {
    const PuntEvent seen{PuntEvent::kNeighborSeen,       iface,        iface,
                         rte_be_to_cpu_32(data.arp_sip), data.arp_sha, nullptr};
    if (!ctx.punt.push(seen)) ctx.counters.l3.punt_queue_drops.add(1);
  }
  if (for_us && arp->arp_opcode == rte_cpu_to_be_16(RTE_ARP_OP_REQUEST)) {
    make_arp_reply(m, in.ip, in.mac);
    ctx.counters.l3.arp_replies_sent.add(1);
    reply(ctx, in, m);
    return;
  }
  if (for_us || gratuitous) {
    rte_pktmbuf_free(m);  // Consumed: it told us what it had to.
    return;
  }
  ctx.drop(m, m->port, DropReason::kArpNotForUs);
}

void Router::local_input(WorkerCtx& ctx, const L2Config& config, const L3Interface& in,
                         rte_mbuf* m) const {
  const auto* ip = rte_pktmbuf_mtod_offset(m, const rte_ipv4_hdr*, sizeof(rte_ether_hdr));
  const uint16_t ihl = rte_ipv4_hdr_len(ip);
  // To another of our addresses: refused as not_our_vtep, counted.
  if (is_vxlan(config.vxlan, m, ip)) {
    vxlan_input(ctx, config, m, ihl);
    return;
  }
  if (ip->next_proto_id == IPPROTO_ICMP && !is_fragment(ip)) {
    if (!is_valid_echo_request(m, ihl)) {
      ctx.drop(m, m->port, DropReason::kIcmpBadChecksum);
      return;
    }
    make_echo_reply(m, ihl, in.mac);
    ctx.counters.l3.icmp_sent[static_cast<unsigned>(IcmpKind::kEchoReply)].add(1);
    reply(ctx, in, m);
    return;
  }
  // UDP to us (a traceroute reaching one of our addresses) gets port unreachable.
  if (ip->next_proto_id == IPPROTO_UDP) {
    icmp_error(ctx, in, m, IcmpKind::kPortUnreachable, DropReason::kNoLocalService);
    return;
  }
  ctx.drop(m, m->port, DropReason::kNoLocalService);
}

void Router::vxlan_input(WorkerCtx& ctx, const L2Config& config, rte_mbuf* m, uint16_t ihl,
                         const VniEntry* marked) {
  const VxlanConfig& vx = config.vxlan;
  const auto* ip = rte_pktmbuf_mtod_offset(m, const rte_ipv4_hdr*, sizeof(rte_ether_hdr));
  const auto offset = static_cast<uint16_t>(sizeof(rte_ether_hdr) + ihl + sizeof(rte_udp_hdr));
  auto refuse = [&](VxlanDrop why, const VniEntry* vni) {
    Counter& c = vni != nullptr ? ctx.counters.vnis[vni->slot].drops[static_cast<unsigned>(why)]
                                : ctx.counters.vxlan_drops[static_cast<unsigned>(why)];
    c.add(1);
    ctx.drop(m, m->port, DropReason::kVxlanInvalid);
  };
  if (ip->dst_addr != vx.local_ip) return refuse(VxlanDrop::kNotOurVtep, nullptr);
  uint32_t vni = 0;
  if (const VxlanDrop bad = vxlan::parse(m, offset, vni); bad != VxlanDrop::kCount)
    return refuse(bad, nullptr);
  // The NIC's mark saves the search; the header still decides.
  const VniEntry* entry = marked != nullptr && marked->vni == vni ? marked : vx.find_vni(vni);
  if (entry == nullptr) return refuse(VxlanDrop::kUnknownVni, nullptr);
  uint16_t remote_port = kNoPort;
  if (entry->domain != kNoDomain) {
    remote_port = vx.remote_port(ip->src_addr);
    if (remote_port == kNoPort) return refuse(VxlanDrop::kUnknownRemote, entry);
  } else {
    const auto* inner =
        rte_pktmbuf_mtod_offset(m, const rte_ether_hdr*, offset + sizeof(rte_vxlan_hdr));
    if (!rte_is_same_ether_addr(&inner->dst_addr, &vx.mac))
      return refuse(VxlanDrop::kNotOurVtep, entry);
  }
  vxlan::decapsulate(m, offset);
  ctx.counters.vnis[entry->slot].decap.add(1);
  TunnelInput& in = ctx.from_tunnel;
  in.pkts[in.count] = m;
  in.domains[in.count] = entry->domain;
  in.remote_ports[in.count++] = remote_port;
}

void Router::send_tunnelled(WorkerCtx& ctx, const L2Config& config) const noexcept {
  TunnelOutput& t = ctx.to_tunnel;
  // Frames for one VTEP in one VNI come one after another (a bridge run, a route's
  // packets): their outer route is looked up once per run.
  for (uint16_t first = 0, last; first < t.count; first = last) {
    last = static_cast<uint16_t>(first + 1);
    while (last < t.count && t.remotes[last] == t.remotes[first] && t.vnis[last] == t.vnis[first])
      ++last;
    send_run(ctx, config, &t.pkts[first], static_cast<uint16_t>(last - first),
             {config.vxlan.local_ip, t.remotes[first], config.vxlan.port, t.vnis[first]},
             ctx.counters.vnis[t.slots[first]]);
  }
  t.count = 0;
}

void Router::send_run(WorkerCtx& ctx, const L2Config& config, rte_mbuf** pkts, uint16_t n,
                      const vxlan::Outer& outer, VniCounters& counters) const {
  auto refuse = [&](rte_mbuf* m, VxlanDrop why) {
    counters.drops[static_cast<unsigned>(why)].add(1);
    ctx.drop(m, m->port, DropReason::kVxlanEncap);
  };
  if (!config.vxlan.enabled) {  // Switched off since the frames were queued.
    for (uint16_t i = 0; i < n; ++i) refuse(pkts[i], VxlanDrop::kUnknownVni);
    return;
  }
  const uint32_t dst = rte_be_to_cpu_32(outer.dst_ip);
  uint32_t group_id = kNoGroup;
  fib_.lookup_bulk(&dst, &group_id, 1);
  const NextHopGroup* group = group_id == kNoGroup ? nullptr : fib_.group(group_id);
  uint64_t sent = 0;
  for (uint16_t i = 0; i < n; ++i) {
    rte_mbuf* m = pkts[i];
    if (group == nullptr || group->n_paths == 0) {
      refuse(m, VxlanDrop::kNoRouteToVtep);
      continue;
    }
    if (!vxlan::encapsulate(m, outer)) {
      refuse(m, VxlanDrop::kNoHeadroom);
      continue;
    }
    // Per packet: with ECMP in the underlay, the outer flow (its UDP source port) picks.
    const Path* path = select_path(*group, m);
    // A VTEP behind ourselves or behind another tunnel is a configuration loop.
    if (path->kind == Path::kLocal || path->kind == Path::kVxlan) {
      refuse(m, VxlanDrop::kNoRouteToVtep);
      continue;
    }
    const L3Interface& out = config.ifaces[path->iface];
    if (m->pkt_len - sizeof(rte_ether_hdr) > out.mtu) {
      refuse(m, VxlanDrop::kMtuExceeded);
      continue;
    }
    ++sent;
    if (path->kind == Path::kRewrite) {
      std::memcpy(rte_pktmbuf_mtod(m, rte_ether_hdr*), &path->dst, 2 * RTE_ETHER_ADDR_LEN);
      output(ctx, out, m);
      continue;
    }
    const uint32_t target = path->resolve_ip != 0 ? path->resolve_ip : dst;
    if (!ctx.punt.push({PuntEvent::kResolve, path->iface, kNoIface, target, {}, m})) {
      ctx.counters.l3.punt_queue_drops.add(1);
      ctx.drop(m, m->port, DropReason::kPuntQueueFull);
    }
  }
  counters.encap.add(sent);
}

bool Router::take_icmp_token(WorkerCtx& ctx) const {
  IcmpBudget& b = ctx.icmp_budget;
  const uint64_t elapsed = ctx.now_tsc - b.refilled_tsc;
  if (elapsed >= tsc_per_icmp_) {
    const uint64_t earned = tsc_per_icmp_ == 0 ? kIcmpBurst : elapsed / tsc_per_icmp_;
    if (b.tokens + earned >= kIcmpBurst) {
      b.tokens = kIcmpBurst;
      b.refilled_tsc = ctx.now_tsc;
    } else {
      b.tokens += static_cast<uint32_t>(earned);
      b.refilled_tsc += earned * tsc_per_icmp_;
    }
  }
  if (b.tokens == 0) return false;
  --b.tokens;
  return true;
}

void Router::icmp_error(WorkerCtx& ctx, const L3Interface& in, rte_mbuf* m, IcmpKind kind,
                        DropReason reason, uint16_t mtu) const {
  if (!may_send_icmp_error(m)) {
    ctx.drop(m, m->port, reason);
    return;
  }
  if (!take_icmp_token(ctx)) {
    ctx.counters.l3.icmp_rate_limited.add(1);
    ctx.drop(m, m->port, reason);
    return;
  }
  const uint16_t port = m->port;
  if (!make_icmp_error(m, kind, mtu, in.ip, in.mac)) {
    ctx.drop(m, port, reason);
    return;
  }
  // About a packet the service stage translated (no route, TTL or MTU after DNAT): to its
  // sender, quoting what it sent, or its stack cannot match the error to its socket.
  if (services_ != nullptr) services_->translate_icmp_error(m);
  // The offending packet is still dropped (and counted); its mbuf carries the answer.
  ctx.counters.ports[port].drops[static_cast<unsigned>(reason)].add(1);
  ctx.counters.l3.icmp_sent[static_cast<unsigned>(kind)].add(1);
  reply(ctx, in, m);
}

}  // namespace np::dp
