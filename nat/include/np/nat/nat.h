// Address and port translation of IPv4 TCP/UDP packets in place, with incremental checksum
// updates (RFC 1624) of the IPv4 header and of the TCP/UDP checksum (whose pseudo-header
// holds the addresses). A UDP checksum of 0 (none) stays 0; a computed 0 is sent as 0xffff.
//
// Thread: any (pure functions on one packet).
#pragma once

#include <netinet/in.h>
#include <rte_byteorder.h>
#include <rte_ip.h>
#include <rte_tcp.h>
#include <rte_udp.h>

#include <cstddef>
#include <cstdint>

namespace np::nat {

// Where the checksum sits in a TCP or UDP header.
inline size_t l4_checksum_offset(uint8_t proto) {
  return proto == IPPROTO_TCP ? offsetof(rte_tcp_hdr, cksum) : offsetof(rte_udp_hdr, dgram_cksum);
}

// The destination becomes addr:port (DNAT, or the client again when un-SNATing a reply).
void rewrite_dst(rte_ipv4_hdr* ip, uint8_t* l4, rte_be32_t addr, rte_be16_t port);
// The source becomes addr:port (SNAT, or the VIP when un-DNATing a reply).
void rewrite_src(rte_ipv4_hdr* ip, uint8_t* l4, rte_be32_t addr, rte_be16_t port);

}  // namespace np::nat
