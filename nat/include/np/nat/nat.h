// Address and port translation of IPv4 TCP/UDP packets in place, with incremental checksum
// updates (RFC 1624) of the IPv4 header and of the TCP/UDP checksum (whose pseudo-header
// holds the addresses). A UDP checksum of 0 (none) stays 0; a computed 0 is sent as 0xffff.
//
// Inline: the fast path calls them for every translated packet.
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
#include <cstring>

#include "np/dp/ipv4.h"

namespace np::nat {

// Where the checksum sits in a TCP or UDP header.
inline size_t l4_checksum_offset(uint8_t proto) {
  return proto == IPPROTO_TCP ? offsetof(rte_tcp_hdr, cksum) : offsetof(rte_udp_hdr, dgram_cksum);
}

namespace detail {

template <typename T>
inline T load(const uint8_t* at) {
  T v;
  std::memcpy(&v, at, sizeof(v));
  return v;
}
template <typename T>
inline void store(uint8_t* at, T v) {
  std::memcpy(at, &v, sizeof(v));
}

// Patches the checksums for an address (at `addr_at` in the IPv4 header) and a port (at
// `port_at` in the L4 header) changing, then writes them. Offsets, not pointers: the
// headers are packed. `has_l4_sum` false: the L4 header is cut short of its checksum (a
// quote in an ICMP error), which is left alone.
__attribute__((always_inline)) inline void rewrite(rte_ipv4_hdr* ip, uint8_t* l4, size_t addr_at,
                                                   size_t port_at, rte_be32_t addr, rte_be16_t port,
                                                   bool has_l4_sum = true) {
  auto* ip_bytes = reinterpret_cast<uint8_t*>(ip);
  const auto old_addr = load<rte_be32_t>(ip_bytes + addr_at);
  const auto old_port = load<rte_be16_t>(l4 + port_at);
  uint8_t* l4_sum_at = l4 + l4_checksum_offset(ip->next_proto_id);
  const auto l4_sum = has_l4_sum ? load<rte_be16_t>(l4_sum_at) : rte_be16_t{0};
  ip->hdr_checksum = dp::checksum_update32(ip->hdr_checksum, old_addr, addr);
  // A UDP checksum of 0 means none (RFC 768): nothing to update.
  if (has_l4_sum && (ip->next_proto_id == IPPROTO_TCP || l4_sum != 0)) {
    uint16_t sum = dp::checksum_update32(l4_sum, old_addr, addr);
    sum = dp::checksum_update16(sum, old_port, port);
    if (sum == 0 && ip->next_proto_id == IPPROTO_UDP) sum = 0xffff;
    store(l4_sum_at, sum);
  }
  store(ip_bytes + addr_at, addr);
  store(l4 + port_at, port);
}

// TCP and UDP headers both start with the source port, then the destination port.
constexpr size_t kSrcPortAt = 0, kDstPortAt = 2;

}  // namespace detail

// The destination becomes addr:port (DNAT, or the client again when un-SNATing a reply).
inline void rewrite_dst(rte_ipv4_hdr* ip, uint8_t* l4, rte_be32_t addr, rte_be16_t port) {
  detail::rewrite(ip, l4, offsetof(rte_ipv4_hdr, dst_addr), detail::kDstPortAt, addr, port);
}
// The source becomes addr:port (SNAT, or the VIP when un-DNATing a reply).
inline void rewrite_src(rte_ipv4_hdr* ip, uint8_t* l4, rte_be32_t addr, rte_be16_t port) {
  detail::rewrite(ip, l4, offsetof(rte_ipv4_hdr, src_addr), detail::kSrcPortAt, addr, port);
}

// The packet quoted in an ICMP error (its IPv4 header, then the first `l4_len` bytes of its
// TCP/UDP header, 8 at least) becomes src:src_port -> dst:dst_port, its checksums patched as
// above; the TCP/UDP checksum only when the quote holds it (TCP's lies past the first 8 bytes).
inline void rewrite_quoted(rte_ipv4_hdr* ip, uint8_t* l4, size_t l4_len, rte_be32_t src,
                           rte_be16_t src_port, rte_be32_t dst, rte_be16_t dst_port) {
  const bool has_sum = l4_len >= l4_checksum_offset(ip->next_proto_id) + sizeof(rte_be16_t);
  detail::rewrite(ip, l4, offsetof(rte_ipv4_hdr, src_addr), detail::kSrcPortAt, src, src_port,
                  has_sum);
  detail::rewrite(ip, l4, offsetof(rte_ipv4_hdr, dst_addr), detail::kDstPortAt, dst, dst_port,
                  has_sum);
}

}  // namespace np::nat
