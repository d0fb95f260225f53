#include "np/dp/service_stage.h"

#include <rte_hash_crc.h>
#include <rte_ip.h>
#include <rte_tcp.h>
#include <rte_udp.h>

#include "np/dp/ipv4.h"
#include "np/nat/maglev.h"
#include "np/nat/nat.h"

namespace np::dp {
namespace {

constexpr uint8_t kTcpFin = 0x01, kTcpSyn = 0x02, kTcpRst = 0x04, kTcpAck = 0x10;
// SNAT source ports: 1024-65535 in 16 ranges, a worker (by index) takes one.
constexpr uint16_t kSnatFirstPort = 1024;
constexpr uint16_t kSnatPortsPerRange = 4032;
constexpr unsigned kSnatTries = 64;

uint16_t l4_header_len(uint8_t proto) {
  return proto == IPPROTO_TCP ? sizeof(rte_tcp_hdr) : sizeof(rte_udp_hdr);
}

bool is_our_address(const L2Config& config, rte_be32_t ip) {
  for (const L3Interface& i : config.ifaces)
    if (i.ip == ip) return true;
  return false;
}

// A pod of ours: in the subnet of a bridge domain's gateway interface.
bool is_local_pod(const L2Config& config, uint32_t addr) {
  for (const L3Interface& i : config.ifaces)
    if (i.domain != kNoDomain && i.holds(addr)) return true;
  return false;
}

// The packet leaves translated: client -> backend (and from our SNAT address), or
// backend -> client (from the VIP).
__attribute__((always_inline)) inline void translate(rte_ipv4_hdr* ip, uint8_t* l4,
                                                     const nat::Flow& flow, nat::Direction dir) {
  const bool snat =
      flow.reply.dst_ip != flow.forward.src_ip || flow.reply.dst_port != flow.forward.src_port;
  if (dir == nat::Direction::kForward) {
    nat::rewrite_dst(ip, l4, flow.reply.src_ip, flow.reply.src_port);
    if (snat) nat::rewrite_src(ip, l4, flow.reply.dst_ip, flow.reply.dst_port);
  } else {
    nat::rewrite_src(ip, l4, flow.forward.dst_ip, flow.forward.dst_port);
    if (snat) nat::rewrite_dst(ip, l4, flow.forward.src_ip, flow.forward.src_port);
  }
}

// TCP: a FIN or RST closes; the backend's first answer establishes.
void track_state(nat::Flow& flow, nat::Direction dir, const uint8_t* l4, uint8_t proto) {
  if (proto != IPPROTO_TCP) return;
  const uint8_t flags = reinterpret_cast<const rte_tcp_hdr*>(l4)->tcp_flags;
  const nat::FlowState state = flow.get_state();
  nat::FlowState next = state;
  if (flags & (kTcpFin | kTcpRst))
    next = nat::FlowState::kClosing;
  else if (state == nat::FlowState::kSyn && dir == nat::Direction::kReply)
    next = nat::FlowState::kEstablished;
  else if (state == nat::FlowState::kClosing && dir == nat::Direction::kForward &&
           (flags & (kTcpSyn | kTcpAck)) == kTcpSyn)
    next = nat::FlowState::kSyn;  // The client opens the same 5-tuple again.
  if (next != state) flow.state.store(static_cast<uint8_t>(next), std::memory_order_relaxed);
}

}  // namespace

bool make_tcp_reset(rte_mbuf* m, const rte_ether_addr& our_mac) {
  auto* eth = rte_pktmbuf_mtod(m, rte_ether_hdr*);
  auto* ip = reinterpret_cast<rte_ipv4_hdr*>(eth + 1);
  const uint16_t ihl = rte_ipv4_hdr_len(ip);
  auto* tcp = reinterpret_cast<rte_tcp_hdr*>(reinterpret_cast<uint8_t*>(ip) + ihl);
  const uint16_t tcp_len = static_cast<uint16_t>(rte_be_to_cpu_16(ip->total_length) - ihl);
  // A RST is never answered (two refusing ends would answer each other for ever).
  if (m->nb_segs != 1 || tcp_len < sizeof(rte_tcp_hdr) || (tcp->tcp_flags & kTcpRst)) return false;
  const bool acked = (tcp->tcp_flags & kTcpAck) != 0;
  const uint32_t their_ack = rte_be_to_cpu_32(tcp->recv_ack);
  const uint16_t payload = static_cast<uint16_t>(tcp_len - (tcp->data_off >> 4) * 4);
  // RFC 793, reset generation: acknowledge everything the segment occupied.
  const uint32_t ack = rte_be_to_cpu_32(tcp->sent_seq) + payload +
                       ((tcp->tcp_flags & kTcpSyn) ? 1 : 0) + ((tcp->tcp_flags & kTcpFin) ? 1 : 0);
  rte_ether_addr peer = eth->src_addr;
  eth->dst_addr = peer;
  eth->src_addr = our_mac;
  const rte_be32_t client = ip->src_addr;
  ip->src_addr = ip->dst_addr;
  ip->dst_addr = client;
  const rte_be16_t client_port = tcp->src_port;
  tcp->src_port = tcp->dst_port;
  tcp->dst_port = client_port;
  // RFC 793: to a segment with ACK, <SEQ=SEG.ACK><CTL=RST>; else <SEQ=0><ACK=...><CTL=RST,ACK>.
  tcp->sent_seq = rte_cpu_to_be_32(acked ? their_ack : 0);
  tcp->recv_ack = acked ? 0 : rte_cpu_to_be_32(ack);
  tcp->data_off = static_cast<uint8_t>((sizeof(rte_tcp_hdr) / 4) << 4);
  tcp->tcp_flags = acked ? kTcpRst : kTcpRst | kTcpAck;
  tcp->rx_win = 0;
  tcp->tcp_urp = 0;
  ip->total_length = rte_cpu_to_be_16(static_cast<uint16_t>(ihl + sizeof(rte_tcp_hdr)));
  ip->time_to_live = kDefaultTtl;
  ip->packet_id = 0;
  ip->hdr_checksum = 0;
  ip->hdr_checksum = rte_ipv4_cksum(ip);
  tcp->cksum = 0;
  tcp->cksum = rte_ipv4_udptcp_cksum(ip, tcp);
  rte_pktmbuf_trim(m, static_cast<uint16_t>(m->pkt_len - (sizeof(*eth) + ihl + sizeof(*tcp))));
  return true;
}

void ServiceStage::process(WorkerCtx& ctx, const L2Config& config, const L3Interface& in,
                           rte_mbuf** pkts, uint16_t n, ServiceVerdict* verdicts) const noexcept {
  nat::FlowKey keys[kMaxBurst];
  const nat::FlowKey* key_ptrs[kMaxBurst];
  uint16_t of[kMaxBurst];
  uint16_t k = 0;
  for (uint16_t i = 0; i < n; ++i) {
    verdicts[i] = ServiceVerdict::kPass;
    rte_mbuf* m = pkts[i];
    const auto* ip = rte_pktmbuf_mtod_offset(m, const rte_ipv4_hdr*, sizeof(rte_ether_hdr));
    const uint8_t proto = ip->next_proto_id;
    if (proto == IPPROTO_ICMP && !is_fragment(ip)) {
      translate_icmp_error(m);
      continue;
    }
    // Fragments pass untranslated: only the first one would carry the ports.
    if ((proto != IPPROTO_TCP && proto != IPPROTO_UDP) || is_fragment(ip)) continue;
    const uint16_t ihl = rte_ipv4_hdr_len(ip);
    const auto* ports =
        reinterpret_cast<const rte_be16_t*>(reinterpret_cast<const uint8_t*>(ip) + ihl);
    if (m->data_len < sizeof(rte_ether_hdr) + ihl + l4_header_len(proto)) {
      const ServiceTable* table = config.services.get();
      // Short of its header: not ours to judge, unless it claims to be for a service.
      if (table != nullptr && m->data_len >= sizeof(rte_ether_hdr) + ihl + 4 &&
          table->find_vip(ip->dst_addr, ports[1], proto) != nullptr) {
        ctx.counters.nat_drops[static_cast<unsigned>(NatDrop::kTruncated)].add(1);
        verdicts[i] = ServiceVerdict::kDrop;
      }
      continue;
    }
    keys[k] = {ip->src_addr, ip->dst_addr, ports[0], ports[1], proto, {0, 0, 0}};
    key_ptrs[k] = &keys[k];
    of[k++] = i;
  }
  if (k == 0) return;
  nat::Flow* flows[kMaxBurst];
  nat::Direction dirs[kMaxBurst];
  conntrack_->lookup_bulk(key_ptrs, k, flows, dirs);
  const ServiceTable* table = config.services.get();
  // New connections are chosen first and made after, so that the buckets of their reply
  // keys (in a large table, each a miss to DRAM) are fetched together.
  FlowChoice choices[kMaxBurst];
  uint16_t chosen[kMaxBurst];  // Indices into keys.
  uint16_t c = 0;
  for (uint16_t j = 0; j < k; ++j) {
    rte_mbuf* m = pkts[of[j]];
    auto* ip = rte_pktmbuf_mtod_offset(m, rte_ipv4_hdr*, sizeof(rte_ether_hdr));
    uint8_t* l4 = reinterpret_cast<uint8_t*>(ip) + rte_ipv4_hdr_len(ip);
    if (nat::Flow* flow = flows[j]; flow != nullptr && !flow->affinity) {
      track_state(*flow, dirs[j], l4, keys[j].proto);
      flow->last_seen_tsc.store(ctx.now_tsc, std::memory_order_relaxed);
      if (dirs[j] == nat::Direction::kForward) {
        ctx.counters.services[flow->service_slot].packets.add(1);
        ctx.counters.backends[flow->backend_slot].packets.add(1);
      }
      translate(ip, l4, *flow, dirs[j]);
      continue;
    }
    if (table == nullptr) continue;
    const NatService* service = table->find_vip(keys[j].dst_ip, keys[j].dst_port, keys[j].proto);
    if (service == nullptr && !table->by_node_port.empty()) {
      const NatService* s = table->find_node_port(keys[j].dst_port, keys[j].proto);
      if (s != nullptr && is_our_address(config, keys[j].dst_ip)) service = s;
    }
    if (service == nullptr) continue;
    verdicts[of[j]] = choose(ctx, config, in, *service, keys[j], choices[c]);
    if (verdicts[of[j]] == ServiceVerdict::kPass) {
      conntrack_->prefetch(choices[c].reply);
      chosen[c++] = j;
    }
  }
  for (uint16_t q = 0; q < c; ++q) {
    const uint16_t j = chosen[q];
    verdicts[of[j]] = make_flow(ctx, keys[j], choices[q], pkts[of[j]]);
  }
}

ServiceVerdict ServiceStage::choose(WorkerCtx& ctx, const L2Config& config, const L3Interface& in,
                                    const NatService& service, const nat::FlowKey& key,
                                    FlowChoice& choice) const {
  if (service.maglev.empty()) {
    ctx.counters.nat_drops[static_cast<unsigned>(NatDrop::kNoBackend)].add(1);
    return ServiceVerdict::kReject;
  }
  const NatBackend* backend = nullptr;
  if (service.affinity) {
    // The client's earlier choice while its record lives and its backend is still there;
    // else Maglev on the client's address alone, remembered.
    const nat::FlowKey sticky{key.src_ip, key.dst_ip, 0, key.dst_port, kAffinityProto, {0, 0, 0}};
    nat::Direction dir;
    if (nat::Flow* record = conntrack_->lookup(sticky, dir)) {
      for (const NatBackend& b : service.backends)
        if (b.slot == record->backend_slot) backend = &b;
      if (backend != nullptr) record->last_seen_tsc.store(ctx.now_tsc, std::memory_order_relaxed);
    }
    if (backend == nullptr) {
      backend =
          &service.backends[nat::maglev_lookup(service.maglev, rte_hash_crc_4byte(key.src_ip, 0))];
      conntrack_->create(sticky, nullptr, service.slot, backend->slot, nat::FlowState::kEstablished,
                         ctx.now_tsc, true);
    }
  } else {
    backend =
        &service.backends[nat::maglev_lookup(service.maglev, rte_hash_crc(&key, sizeof(key), 0))];
  }
  nat::FlowKey reply{backend->ip, key.src_ip, backend->port, key.src_port, key.proto, {0, 0, 0}};
  const uint32_t client = rte_be_to_cpu_32(key.src_ip), server = rte_be_to_cpu_32(backend->ip);
  const bool same_subnet = !in.tunnel && in.holds(client) && in.holds(server);
  const bool node_port = key.dst_ip != service.vip;
  if (same_subnet || (node_port && !is_local_pod(config, server))) {
    reply.dst_ip = in.ip;
    if (!snat_port(ctx, reply)) {
      ctx.counters.nat_drops[static_cast<unsigned>(NatDrop::kSnatExhausted)].add(1);
      return ServiceVerdict::kDrop;
    }
  }
  choice = {service.slot, backend->slot, reply};
  return ServiceVerdict::kPass;
}

ServiceVerdict ServiceStage::make_flow(WorkerCtx& ctx, const nat::FlowKey& key,
                                       const FlowChoice& choice, rte_mbuf* m) const {
  auto* ip = rte_pktmbuf_mtod_offset(m, rte_ipv4_hdr*, sizeof(rte_ether_hdr));
  uint8_t* l4 = reinterpret_cast<uint8_t*>(ip) + rte_ipv4_hdr_len(ip);
  nat::FlowState state = nat::FlowState::kUdp;
  if (key.proto == IPPROTO_TCP) {
    const uint8_t flags = reinterpret_cast<const rte_tcp_hdr*>(l4)->tcp_flags;
    // A connection picked up mid-stream (its flow expired while idle) is tracked too, but
    // established only once the backend answers: stray segments hold the table 30 s, not
    // the established timeout.
    state = (flags & (kTcpFin | kTcpRst)) ? nat::FlowState::kClosing : nat::FlowState::kSyn;
  }
  nat::Flow* flow = conntrack_->create(key, &choice.reply, choice.service_slot, choice.backend_slot,
                                       state, ctx.now_tsc);
  if (flow == nullptr) {
    // An earlier packet of this burst (the burst was looked up before any was created) or
    // another worker may have just created it: then it is this packet's flow.
    nat::Direction dir;
    if (nat::Flow* made = conntrack_->lookup(key, dir);
        made != nullptr && dir == nat::Direction::kForward && !made->affinity) {
      ctx.counters.services[made->service_slot].packets.add(1);
      ctx.counters.backends[made->backend_slot].packets.add(1);
      translate(ip, l4, *made, dir);
      return ServiceVerdict::kPass;
    }
    ctx.counters.nat_drops[static_cast<unsigned>(NatDrop::kTableFull)].add(1);
    return ServiceVerdict::kDrop;
  }
  ctx.counters.flows_created.add(1);
  ctx.counters.services[choice.service_slot].new_flows.add(1);
  ctx.counters.services[choice.service_slot].packets.add(1);
  ctx.counters.backends[choice.backend_slot].new_flows.add(1);
  ctx.counters.backends[choice.backend_slot].packets.add(1);
  translate(ip, l4, *flow, nat::Direction::kForward);
  return ServiceVerdict::kPass;
}

void ServiceStage::translate_icmp_error(rte_mbuf* m) const {
  auto* ip = rte_pktmbuf_mtod_offset(m, rte_ipv4_hdr*, sizeof(rte_ether_hdr));
  const uint16_t ihl = rte_ipv4_hdr_len(ip);
  auto* icmp = reinterpret_cast<uint8_t*>(ip) + ihl;
  // Type, code, checksum, 4 unused bytes; then the quoted IP header and 8 bytes of its L4.
  constexpr uint16_t kIcmpHeader = 8, kQuotedL4 = 8;
  if (m->nb_segs != 1) return;  // The checksum below covers the whole message.
  if (m->data_len < sizeof(rte_ether_hdr) + ihl + kIcmpHeader + sizeof(rte_ipv4_hdr) + kQuotedL4)
    return;
  const uint8_t type = icmp[0];
  if (type != 3 && type != 11 && type != 12) return;  // Unreachable, time exceeded, parameter.
  auto* inner = reinterpret_cast<rte_ipv4_hdr*>(icmp + kIcmpHeader);
  const uint16_t inner_ihl = rte_ipv4_hdr_len(inner);
  if ((inner->next_proto_id != IPPROTO_TCP && inner->next_proto_id != IPPROTO_UDP) ||
      m->data_len < sizeof(rte_ether_hdr) + ihl + kIcmpHeader + inner_ihl + kQuotedL4)
    return;
  uint8_t* inner_l4 = reinterpret_cast<uint8_t*>(inner) + inner_ihl;
  const size_t quoted_l4 = m->data_len - (sizeof(rte_ether_hdr) + ihl + kIcmpHeader + inner_ihl);
  rte_be16_t ports[2];
  std::memcpy(ports, inner_l4, sizeof(ports));
  // The quote reversed is one of the flow's keys: the reply key when the quoted packet went
  // client -> backend, the forward key when it went backend -> client (then translated).
  const nat::FlowKey key{inner->dst_addr, inner->src_addr,      ports[1],
                         ports[0],        inner->next_proto_id, {0, 0, 0}};
  nat::Direction dir;
  const nat::Flow* flow = conntrack_->lookup(key, dir);
  if (flow == nullptr || flow->affinity) return;
  // The quoted packet as its sender sent it; the error to that sender, and from the other
  // end's address as the sender knows it when that end sent the error.
  const nat::FlowKey& sent = dir == nat::Direction::kReply ? flow->forward : flow->reply;
  const rte_be32_t quoted_dst = inner->dst_addr;
  nat::rewrite_quoted(inner, inner_l4, quoted_l4, sent.src_ip, sent.src_port, sent.dst_ip,
                      sent.dst_port);
  if (ip->src_addr == quoted_dst) {
    ip->hdr_checksum = checksum_update32(ip->hdr_checksum, ip->src_addr, sent.dst_ip);
    ip->src_addr = sent.dst_ip;
  }
  ip->hdr_checksum = checksum_update32(ip->hdr_checksum, ip->dst_addr, sent.src_ip);
  ip->dst_addr = sent.src_ip;
  // The ICMP checksum covers the whole message: computed again (an error is rare).
  const uint16_t icmp_len = static_cast<uint16_t>(rte_be_to_cpu_16(ip->total_length) - ihl);
  auto put = [](auto* at, auto value) { std::memcpy(at, &value, sizeof(value)); };
  put(icmp + 2, rte_be16_t{0});
  put(icmp + 2, static_cast<rte_be16_t>(~rte_raw_cksum(icmp, icmp_len)));
}

bool ServiceStage::snat_port(WorkerCtx& ctx, nat::FlowKey& reply) const {
  const auto first = static_cast<uint16_t>(kSnatFirstPort + (ctx.index % 16) * kSnatPortsPerRange);
  for (unsigned tries = 0; tries < kSnatTries; ++tries) {
    reply.dst_port = rte_cpu_to_be_16(static_cast<uint16_t>(first + ctx.snat_next));
    ctx.snat_next = static_cast<uint16_t>((ctx.snat_next + 1) % kSnatPortsPerRange);
    nat::Direction dir;
    if (conntrack_->lookup(reply, dir) == nullptr) return true;
  }
  return false;
}

}  // namespace np::dp
