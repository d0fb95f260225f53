#include "np/dp/icmp.h"

#include <rte_arp.h>
#include <rte_icmp.h>
#include <rte_ip.h>

#include <cstring>

#include "np/dp/ipv4.h"

namespace np::dp {
namespace {

constexpr uint16_t kQuotedPayload = 8;
constexpr uint8_t kTimeExceeded = 11;
constexpr uint8_t kDestUnreachable = 3;
constexpr uint16_t kErrorHeaders = sizeof(rte_ipv4_hdr) + sizeof(rte_icmp_hdr);

rte_ipv4_hdr* ipv4_of(rte_mbuf* m) {
  return rte_pktmbuf_mtod_offset(m, rte_ipv4_hdr*, sizeof(rte_ether_hdr));
}

bool is_icmp_error_type(uint8_t type) {
  // Destination unreachable, source quench, redirect, time exceeded, parameter problem.
  return type == kDestUnreachable || type == 4 || type == 5 || type == kTimeExceeded || type == 12;
}

}  // namespace

bool may_send_icmp_error(const rte_mbuf* m) {
  const auto* ip = rte_pktmbuf_mtod_offset(m, const rte_ipv4_hdr*, sizeof(rte_ether_hdr));
  if (is_later_fragment(ip) || !is_unicast_ipv4(rte_be_to_cpu_32(ip->src_addr))) return false;
  if (ip->next_proto_id != IPPROTO_ICMP) return true;
  const uint16_t ihl = rte_ipv4_hdr_len(ip);
  if (m->data_len < sizeof(rte_ether_hdr) + ihl + 1) return false;
  const uint8_t type = *(rte_pktmbuf_mtod_offset(m, const uint8_t*, sizeof(rte_ether_hdr) + ihl));
  return !is_icmp_error_type(type);
}

bool make_icmp_error(rte_mbuf* m, IcmpKind kind, uint16_t mtu, rte_be32_t our_ip,
                     const rte_ether_addr& our_mac) {
  // Type and code by IcmpKind.
  static constexpr struct {
    uint8_t type, code;
  } kTypeCode[kIcmpKindCount] = {
      {RTE_IP_ICMP_ECHO_REPLY, 0}, {kTimeExceeded, 0},    {kDestUnreachable, 0},
      {kDestUnreachable, 1},       {kDestUnreachable, 3}, {kDestUnreachable, 4},
  };
  if (m->nb_segs != 1 || rte_pktmbuf_headroom(m) < kErrorHeaders) return false;
  const rte_ipv4_hdr* orig = ipv4_of(m);
  const uint16_t ihl = rte_ipv4_hdr_len(orig);
  const uint16_t payload = static_cast<uint16_t>(rte_be_to_cpu_16(orig->total_length) - ihl);
  const uint16_t quote = static_cast<uint16_t>(ihl + std::min(payload, kQuotedPayload));
  const rte_be32_t sender = orig->src_addr;
  const rte_ether_addr sender_mac = rte_pktmbuf_mtod(m, rte_ether_hdr*)->src_addr;

  // Keep the Ethernet header and the quote, then grow the front by the new IP and ICMP
  // headers: the quote stays where it is, the old Ethernet header is overwritten.
  rte_pktmbuf_trim(m, static_cast<uint16_t>(m->pkt_len - sizeof(rte_ether_hdr) - quote));
  auto* eth = reinterpret_cast<rte_ether_hdr*>(rte_pktmbuf_prepend(m, kErrorHeaders));
  eth->dst_addr = sender_mac;
  eth->src_addr = our_mac;
  eth->ether_type = rte_cpu_to_be_16(RTE_ETHER_TYPE_IPV4);

  auto* ip = reinterpret_cast<rte_ipv4_hdr*>(eth + 1);
  std::memset(ip, 0, sizeof(*ip));
  ip->version_ihl = RTE_IPV4_VHL_DEF;
  ip->total_length = rte_cpu_to_be_16(static_cast<uint16_t>(kErrorHeaders + quote));
  ip->time_to_live = kDefaultTtl;
  ip->next_proto_id = IPPROTO_ICMP;
  ip->src_addr = our_ip;
  ip->dst_addr = sender;
  ip->hdr_checksum = rte_ipv4_cksum(ip);

  auto* icmp = reinterpret_cast<rte_icmp_hdr*>(ip + 1);
  icmp->icmp_type = kTypeCode[static_cast<unsigned>(kind)].type;
  icmp->icmp_code = kTypeCode[static_cast<unsigned>(kind)].code;
  icmp->icmp_cksum = 0;
  // "Unused" except for fragmentation needed, whose low half is the next-hop MTU.
  icmp->icmp_ident = 0;
  icmp->icmp_seq_nb = rte_cpu_to_be_16(mtu);
  icmp->icmp_cksum = static_cast<uint16_t>(~rte_raw_cksum(icmp, sizeof(*icmp) + quote));
  return true;
}

bool is_valid_echo_request(const rte_mbuf* m, uint16_t ihl) {
  const auto* ip = rte_pktmbuf_mtod_offset(m, const rte_ipv4_hdr*, sizeof(rte_ether_hdr));
  const uint32_t len = rte_be_to_cpu_16(ip->total_length) - ihl;
  if (len < sizeof(rte_icmp_hdr) ||
      m->data_len < sizeof(rte_ether_hdr) + ihl + sizeof(rte_icmp_hdr))
    return false;
  const auto* icmp = rte_pktmbuf_mtod_offset(m, const rte_icmp_hdr*, sizeof(rte_ether_hdr) + ihl);
  if (icmp->icmp_type != RTE_IP_ICMP_ECHO_REQUEST || icmp->icmp_code != 0) return false;
  uint16_t sum = 0;
  if (rte_raw_cksum_mbuf(m, sizeof(rte_ether_hdr) + ihl, len, &sum) != 0) return false;
  return sum == 0xffff;
}

void make_echo_reply(rte_mbuf* m, uint16_t ihl, const rte_ether_addr& our_mac) {
  auto* eth = rte_pktmbuf_mtod(m, rte_ether_hdr*);
  eth->dst_addr = eth->src_addr;
  eth->src_addr = our_mac;
  auto* ip = reinterpret_cast<rte_ipv4_hdr*>(eth + 1);
  const rte_be32_t src = ip->src_addr;
  ip->src_addr = ip->dst_addr;
  ip->dst_addr = src;
  ip->time_to_live = kDefaultTtl;
  ip->hdr_checksum = 0;
  ip->hdr_checksum = rte_ipv4_cksum(ip);
  auto* icmp = reinterpret_cast<rte_icmp_hdr*>(reinterpret_cast<uint8_t*>(ip) + ihl);
  const uint16_t before = rte_cpu_to_be_16(RTE_IP_ICMP_ECHO_REQUEST << 8);
  icmp->icmp_type = RTE_IP_ICMP_ECHO_REPLY;
  icmp->icmp_cksum = checksum_update16(icmp->icmp_cksum, before, 0);
}

void make_arp_reply(rte_mbuf* m, rte_be32_t our_ip, const rte_ether_addr& our_mac) {
  auto* eth = rte_pktmbuf_mtod(m, rte_ether_hdr*);
  auto* arp = reinterpret_cast<rte_arp_hdr*>(eth + 1);
  rte_arp_ipv4& data = arp->arp_data;
  eth->dst_addr = data.arp_sha;
  eth->src_addr = our_mac;
  arp->arp_opcode = rte_cpu_to_be_16(RTE_ARP_OP_REPLY);
  data.arp_tha = data.arp_sha;
  data.arp_tip = data.arp_sip;
  data.arp_sha = our_mac;
  data.arp_sip = our_ip;
}

void build_arp_request(rte_mbuf* m, rte_be32_t our_ip, const rte_ether_addr& our_mac,
                       rte_be32_t target, const rte_ether_addr* dst_mac) {
  constexpr uint16_t kLen = sizeof(rte_ether_hdr) + sizeof(rte_arp_hdr);
  auto* eth = reinterpret_cast<rte_ether_hdr*>(rte_pktmbuf_append(m, kLen));
  std::memset(eth, 0, kLen);
  if (dst_mac != nullptr)
    eth->dst_addr = *dst_mac;
  else
    std::memset(&eth->dst_addr, 0xff, RTE_ETHER_ADDR_LEN);
  eth->src_addr = our_mac;
  eth->ether_type = rte_cpu_to_be_16(RTE_ETHER_TYPE_ARP);
  auto* arp = reinterpret_cast<rte_arp_hdr*>(eth + 1);
  arp->arp_hardware = rte_cpu_to_be_16(RTE_ARP_HRD_ETHER);
  arp->arp_protocol = rte_cpu_to_be_16(RTE_ETHER_TYPE_IPV4);
  arp->arp_hlen = RTE_ETHER_ADDR_LEN;
  arp->arp_plen = sizeof(rte_be32_t);
  arp->arp_opcode = rte_cpu_to_be_16(RTE_ARP_OP_REQUEST);
  arp->arp_data.arp_sha = our_mac;
  arp->arp_data.arp_sip = our_ip;
  arp->arp_data.arp_tip = target;
}

}  // namespace np::dp
