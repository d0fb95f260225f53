// Builds IPv4 and ARP frames in mbufs for tests, benchmarks and fuzzers: correct headers
// (checksums included) unless a test breaks them on purpose afterwards.
#pragma once

#include <arpa/inet.h>
#include <rte_arp.h>
#include <rte_icmp.h>
#include <rte_ip.h>
#include <rte_tcp.h>
#include <rte_udp.h>

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <stdexcept>
#include <string>

#include "testlib/packet_builder.h"

namespace np::testlib {

// Host byte order address from "A.B.C.D".
inline uint32_t ipv4(const std::string& text) {
  in_addr a;
  if (inet_pton(AF_INET, text.c_str(), &a) != 1) throw std::invalid_argument("bad IPv4 " + text);
  return ntohl(a.s_addr);
}

struct Ipv4Frame {
  std::string dst_mac = {}, src_mac = {};
  std::string src = {}, dst = {};
  uint8_t proto = IPPROTO_UDP;
  uint8_t ttl = 64;
  uint16_t payload = 18;  // Bytes after the IP header (UDP header included).
  uint16_t src_port = 1000, dst_port = 2000;
  uint8_t options = 0;  // 32-bit words of IP options (NOPs).
  bool dont_fragment = false;
  uint8_t tcp_flags = 0x02;   // TCP: SYN unless told.
  uint32_t tcp_seq = 1000;    // TCP.
  bool udp_checksum = false;  // UDP: 0 (none) unless asked.
};

inline rte_ipv4_hdr* ipv4_header(rte_mbuf* m) {
  return rte_pktmbuf_mtod_offset(m, rte_ipv4_hdr*, sizeof(rte_ether_hdr));
}

// The ICMP header right after the IP header (no options) of an Ethernet frame.
inline rte_icmp_hdr* icmp_header(rte_mbuf* m) {
  return reinterpret_cast<rte_icmp_hdr*>(ipv4_header(m) + 1);
}

// The TCP or UDP checksum of a frame (no IP options), as it sits in the header.
inline uint8_t* l4_checksum_at(rte_mbuf* m) {
  rte_ipv4_hdr* ip = ipv4_header(m);
  return reinterpret_cast<uint8_t*>(ip + 1) + (ip->next_proto_id == IPPROTO_TCP
                                                   ? offsetof(rte_tcp_hdr, cksum)
                                                   : offsetof(rte_udp_hdr, dgram_cksum));
}
inline rte_be16_t l4_checksum(rte_mbuf* m) {
  rte_be16_t sum;
  std::memcpy(&sum, l4_checksum_at(m), sizeof(sum));
  return sum;
}
inline void set_l4_checksum(rte_mbuf* m, rte_be16_t sum) {
  std::memcpy(l4_checksum_at(m), &sum, sizeof(sum));
}

// Recomputes the header checksum after a test changed the header.
inline void fix_ipv4_checksum(rte_mbuf* m) {
  rte_ipv4_hdr* ip = ipv4_header(m);
  ip->hdr_checksum = 0;
  ip->hdr_checksum = static_cast<uint16_t>(~rte_raw_cksum(ip, rte_ipv4_hdr_len(ip)));
}

inline rte_mbuf* ipv4_frame(rte_mempool* pool, const Ipv4Frame& f) {
  const uint16_t ihl = static_cast<uint16_t>(sizeof(rte_ipv4_hdr) + 4 * f.options);
  rte_mbuf* m = ether_frame(pool, f.dst_mac, f.src_mac,
                            static_cast<uint16_t>(sizeof(rte_ether_hdr) + ihl + f.payload));
  rte_ipv4_hdr* ip = ipv4_header(m);
  std::memset(ip, 0, ihl);
  std::memset(reinterpret_cast<uint8_t*>(ip) + sizeof(rte_ipv4_hdr), 1, ihl - sizeof(rte_ipv4_hdr));
  ip->version_ihl = static_cast<uint8_t>(0x40 | (ihl / 4));
  ip->total_length = rte_cpu_to_be_16(static_cast<uint16_t>(ihl + f.payload));
  ip->packet_id = rte_cpu_to_be_16(0x1234);
  ip->fragment_offset = f.dont_fragment ? rte_cpu_to_be_16(RTE_IPV4_HDR_DF_FLAG) : 0;
  ip->time_to_live = f.ttl;
  ip->next_proto_id = f.proto;
  ip->src_addr = rte_cpu_to_be_32(ipv4(f.src));
  ip->dst_addr = rte_cpu_to_be_32(ipv4(f.dst));
  uint8_t* l4 = reinterpret_cast<uint8_t*>(ip) + ihl;
  if (f.proto == IPPROTO_UDP && f.payload >= sizeof(rte_udp_hdr)) {
    auto* udp = reinterpret_cast<rte_udp_hdr*>(l4);
    udp->src_port = rte_cpu_to_be_16(f.src_port);
    udp->dst_port = rte_cpu_to_be_16(f.dst_port);
    udp->dgram_len = rte_cpu_to_be_16(f.payload);
    udp->dgram_cksum = 0;
  }
  if (f.proto == IPPROTO_TCP && f.payload >= sizeof(rte_tcp_hdr)) {
    auto* tcp = reinterpret_cast<rte_tcp_hdr*>(l4);
    std::memset(tcp, 0, sizeof(*tcp));
    tcp->src_port = rte_cpu_to_be_16(f.src_port);
    tcp->dst_port = rte_cpu_to_be_16(f.dst_port);
    tcp->sent_seq = rte_cpu_to_be_32(f.tcp_seq);
    tcp->data_off = static_cast<uint8_t>((sizeof(rte_tcp_hdr) / 4) << 4);
    tcp->tcp_flags = f.tcp_flags;
    tcp->rx_win = rte_cpu_to_be_16(65535);
  }
  if (f.proto == IPPROTO_ICMP && f.payload >= sizeof(rte_icmp_hdr)) {
    auto* icmp = reinterpret_cast<rte_icmp_hdr*>(l4);
    icmp->icmp_type = RTE_IP_ICMP_ECHO_REQUEST;
    icmp->icmp_code = 0;
    icmp->icmp_cksum = 0;
    icmp->icmp_ident = rte_cpu_to_be_16(7);
    icmp->icmp_seq_nb = rte_cpu_to_be_16(1);
    icmp->icmp_cksum = static_cast<uint16_t>(~rte_raw_cksum(icmp, f.payload));
  }
  fix_ipv4_checksum(m);
  if ((f.proto == IPPROTO_TCP && f.payload >= sizeof(rte_tcp_hdr)) ||
      (f.proto == IPPROTO_UDP && f.udp_checksum && f.payload >= sizeof(rte_udp_hdr)))
    set_l4_checksum(m, rte_ipv4_udptcp_cksum(ip, l4));
  return m;
}

// An ARP request (or reply) in a frame from src_mac to dst_mac.
inline rte_mbuf* arp_frame(rte_mempool* pool, const std::string& dst_mac,
                           const std::string& src_mac, uint16_t op, const std::string& sender_ip,
                           const std::string& target_ip,
                           const std::string& target_mac = "00:00:00:00:00:00") {
  rte_mbuf* m = ether_frame(pool, dst_mac, src_mac,
                            static_cast<uint16_t>(sizeof(rte_ether_hdr) + sizeof(rte_arp_hdr)));
  rte_pktmbuf_mtod(m, rte_ether_hdr*)->ether_type = rte_cpu_to_be_16(RTE_ETHER_TYPE_ARP);
  auto* arp = rte_pktmbuf_mtod_offset(m, rte_arp_hdr*, sizeof(rte_ether_hdr));
  arp->arp_hardware = rte_cpu_to_be_16(RTE_ARP_HRD_ETHER);
  arp->arp_protocol = rte_cpu_to_be_16(RTE_ETHER_TYPE_IPV4);
  arp->arp_hlen = RTE_ETHER_ADDR_LEN;
  arp->arp_plen = 4;
  arp->arp_opcode = rte_cpu_to_be_16(op);
  arp->arp_data.arp_sha = mac(src_mac);
  arp->arp_data.arp_sip = rte_cpu_to_be_32(ipv4(sender_ip));
  arp->arp_data.arp_tha = mac(target_mac);
  arp->arp_data.arp_tip = rte_cpu_to_be_32(ipv4(target_ip));
  return m;
}

}  // namespace np::testlib
