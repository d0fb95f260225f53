// IPv4 header arithmetic shared by the router, its ICMP messages and the tests:
// incremental checksum updates (RFC 1624) and the flow hash that picks an ECMP path.
//
// Thread: any (pure functions).
#pragma once

#include <rte_byteorder.h>
#include <rte_ip.h>

#include <cstdint>
#include <cstring>

namespace np::dp {

inline constexpr uint8_t kDefaultTtl = 64;

// Neither unspecified, limited broadcast, multicast nor loopback (host byte order): an
// address a packet may come from, or a VTEP may have.
inline bool is_unicast_ipv4(uint32_t addr) {
  return addr != 0 && addr != 0xffffffff && (addr >> 28) != 0xe && (addr >> 24) != 127;
}

// Whether a received header's checksum is right: its one's complement sum is 0xffff. A
// header without options is summed as five 32-bit words and folded (RFC 1071: the sum is
// the same in any word size), a third of the work of rte_raw_cksum's 16-bit loop.
inline bool ipv4_checksum_ok(const rte_ipv4_hdr* ip, uint16_t ihl) {
  if (ihl != sizeof(rte_ipv4_hdr)) return rte_raw_cksum(ip, ihl) == 0xffff;
  uint32_t words[5];
  std::memcpy(words, ip, sizeof(words));
  uint64_t sum = uint64_t{words[0]} + words[1] + words[2] + words[3] + words[4];
  sum = (sum & 0xffffffff) + (sum >> 32);
  sum = (sum & 0xffff) + (sum >> 16);
  sum = (sum & 0xffff) + (sum >> 16);
  sum = (sum & 0xffff) + (sum >> 16);
  return sum == 0xffff;
}

// RFC 1624 eqn. 3: HC' = ~(~HC + ~m + m'), for one 16-bit word changing from m to m'.
// All values in network byte order, as they sit in the header.
inline uint16_t checksum_update16(uint16_t check, uint16_t old_word, uint16_t new_word) {
  uint32_t sum = static_cast<uint16_t>(~check) +
                 static_cast<uint32_t>(static_cast<uint16_t>(~old_word)) + new_word;
  sum = (sum & 0xffff) + (sum >> 16);
  sum = (sum & 0xffff) + (sum >> 16);
  return static_cast<uint16_t>(~sum);
}

// The same for a 32-bit field (an address) changing from old_value to new_value.
inline uint16_t checksum_update32(uint16_t check, uint32_t old_value, uint32_t new_value) {
  check = checksum_update16(check, static_cast<uint16_t>(old_value >> 16),
                            static_cast<uint16_t>(new_value >> 16));
  return checksum_update16(check, static_cast<uint16_t>(old_value & 0xffff),
                           static_cast<uint16_t>(new_value & 0xffff));
}

// Decrements the TTL and patches the header checksum for it (the TTL shares a 16-bit word
// with the protocol).
inline void decrement_ttl(rte_ipv4_hdr* ip) {
  const uint16_t before = rte_cpu_to_be_16(static_cast<uint16_t>(ip->time_to_live << 8));
  --ip->time_to_live;
  const uint16_t after = rte_cpu_to_be_16(static_cast<uint16_t>(ip->time_to_live << 8));
  ip->hdr_checksum = checksum_update16(ip->hdr_checksum, before, after);
}

inline bool is_fragment(const rte_ipv4_hdr* ip) {
  return (ip->fragment_offset &
          rte_cpu_to_be_16(RTE_IPV4_HDR_MF_FLAG | RTE_IPV4_HDR_OFFSET_MASK)) != 0;
}
inline bool is_later_fragment(const rte_ipv4_hdr* ip) {
  return (ip->fragment_offset & rte_cpu_to_be_16(RTE_IPV4_HDR_OFFSET_MASK)) != 0;
}

// A flow's hash for ECMP: addresses, protocol and, for unfragmented TCP/UDP/SCTP, the
// ports. Fragments hash without ports (later fragments carry none), so every fragment of
// a datagram takes the same path. `l4` points just past the IP header.
inline uint32_t flow_hash(const rte_ipv4_hdr* ip, const uint8_t* l4, uint32_t l4_len) {
  uint64_t h = (static_cast<uint64_t>(ip->src_addr) << 32) | ip->dst_addr;
  h ^= static_cast<uint64_t>(ip->next_proto_id) << 17;
  const uint8_t proto = ip->next_proto_id;
  if (!is_fragment(ip) && l4_len >= 4 &&
      (proto == IPPROTO_TCP || proto == IPPROTO_UDP || proto == IPPROTO_SCTP)) {
    uint32_t ports;
    __builtin_memcpy(&ports, l4, sizeof(ports));
    h ^= static_cast<uint64_t>(ports) << 7;
  }
  // Murmur3's 64-bit finaliser: every input bit moves every output bit.
  h ^= h >> 33;
  h *= 0xff51afd7ed558ccdULL;
  h ^= h >> 33;
  h *= 0xc4ceb9fe1a85ec53ULL;
  h ^= h >> 33;
  return static_cast<uint32_t>(h);
}

}  // namespace np::dp
