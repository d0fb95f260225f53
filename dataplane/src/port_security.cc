#include "np/dp/port_security.h"

#include <rte_arp.h>
#include <rte_ether.h>
#include <rte_ip.h>
#include <rte_prefetch.h>

#include <cstddef>
#include <cstring>

namespace np::dp {
namespace {

constexpr unsigned kPrefetchAhead = 4;

bool allowed_ip(const PortSecurity& rules, rte_be32_t ip) {
  for (uint8_t k = 0; k < rules.n_ips; ++k)
    if (rules.ips[k] == ip) return true;
  return false;
}

// Why `rules` refuse frame `m`, or DropReason::kCount if they allow it.
[[gnu::always_inline]] inline DropReason check(const PortSecurity& rules, const rte_mbuf* m) {
  const uint16_t len = m->data_len;
  if (unlikely(len < sizeof(rte_ether_hdr)))
    return m->pkt_len < sizeof(rte_ether_hdr) ? DropReason::kRunt : DropReason::kTruncatedHeader;
  const auto* eth = rte_pktmbuf_mtod(m, const rte_ether_hdr*);
  // The source MAC in one 8-byte load (the ethertype's two bytes masked off).
  uint64_t source;
  std::memcpy(&source, &eth->src_addr, sizeof(source));
  if ((source ^ rules.source) & rules.source_mask) return DropReason::kSpoofedMac;
  if (eth->ether_type == rte_cpu_to_be_16(RTE_ETHER_TYPE_IPV4)) {
    if (len < sizeof(rte_ether_hdr) + sizeof(rte_ipv4_hdr)) return DropReason::kIpTruncated;
    const auto* ip = reinterpret_cast<const rte_ipv4_hdr*>(eth + 1);
    return allowed_ip(rules, ip->src_addr) ? DropReason::kCount : DropReason::kSpoofedIp;
  }
  if (eth->ether_type == rte_cpu_to_be_16(RTE_ETHER_TYPE_ARP)) {
    if (len < sizeof(rte_ether_hdr) + sizeof(rte_arp_hdr)) return DropReason::kArpMalformed;
    const auto* arp = reinterpret_cast<const rte_arp_hdr*>(eth + 1);
    if (arp->arp_hardware != rte_cpu_to_be_16(RTE_ARP_HRD_ETHER) ||
        arp->arp_protocol != rte_cpu_to_be_16(RTE_ETHER_TYPE_IPV4) ||
        arp->arp_hlen != RTE_ETHER_ADDR_LEN || arp->arp_plen != sizeof(rte_be32_t))
      return DropReason::kArpMalformed;
    // rte_arp_ipv4 is packed: its fields are copied, never referenced.
    const auto* data = reinterpret_cast<const uint8_t*>(&arp->arp_data);
    rte_ether_addr sender_mac;
    rte_be32_t sender_ip;
    std::memcpy(&sender_mac, data + offsetof(rte_arp_ipv4, arp_sha), sizeof(sender_mac));
    std::memcpy(&sender_ip, data + offsetof(rte_arp_ipv4, arp_sip), sizeof(sender_ip));
    if (!rte_is_same_ether_addr(&sender_mac, &rules.mac)) return DropReason::kSpoofedIp;
    // A probe (RFC 5227) asks from 0.0.0.0 before the pod takes its address.
    return sender_ip == 0 || allowed_ip(rules, sender_ip) ? DropReason::kCount
                                                          : DropReason::kSpoofedIp;
  }
  return DropReason::kSpoofedIp;
}

}  // namespace

uint16_t PortSecurityFilter::process(WorkerCtx& ctx, const PortSecurity& rules, uint16_t in_port,
                                     rte_mbuf** pkts, uint16_t n) noexcept {
  uint16_t kept = 0;
  for (uint16_t i = 0; i < n; ++i) {
    if (i + kPrefetchAhead < n) rte_prefetch0(rte_pktmbuf_mtod(pkts[i + kPrefetchAhead], void*));
    rte_mbuf* m = pkts[i];
    const DropReason reason = check(rules, m);
    if (reason == DropReason::kCount)
      pkts[kept++] = m;
    else
      ctx.drop(m, in_port, reason);
  }
  return kept;
}

}  // namespace np::dp
