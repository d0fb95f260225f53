#include "np/nat/nat.h"

#include <cstring>

#include "np/dp/ipv4.h"

namespace np::nat {
namespace {

template <typename T>
T load(const uint8_t* at) {
  T v;
  std::memcpy(&v, at, sizeof(v));
  return v;
}
template <typename T>
void store(uint8_t* at, T v) {
  std::memcpy(at, &v, sizeof(v));
}

// Patches the checksums for an address (at `addr_at` in the IPv4 header) and a port (at
// `port_at` in the L4 header) changing, then writes them. Offsets, not pointers: the
// headers are packed.
void rewrite(rte_ipv4_hdr* ip, uint8_t* l4, size_t addr_at, size_t port_at, rte_be32_t addr,
             rte_be16_t port) {
  auto* ip_bytes = reinterpret_cast<uint8_t*>(ip);
  const auto old_addr = load<rte_be32_t>(ip_bytes + addr_at);
  const auto old_port = load<rte_be16_t>(l4 + port_at);
  uint8_t* l4_sum_at = l4 + l4_checksum_offset(ip->next_proto_id);
  const auto l4_sum = load<rte_be16_t>(l4_sum_at);
  ip->hdr_checksum = dp::checksum_update32(ip->hdr_checksum, old_addr, addr);
  // A UDP checksum of 0 means none (RFC 768): nothing to update.
  if (ip->next_proto_id == IPPROTO_TCP || l4_sum != 0) {
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

}  // namespace

void rewrite_dst(rte_ipv4_hdr* ip, uint8_t* l4, rte_be32_t addr, rte_be16_t port) {
  rewrite(ip, l4, offsetof(rte_ipv4_hdr, dst_addr), kDstPortAt, addr, port);
}

void rewrite_src(rte_ipv4_hdr* ip, uint8_t* l4, rte_be32_t addr, rte_be16_t port) {
  rewrite(ip, l4, offsetof(rte_ipv4_hdr, src_addr), kSrcPortAt, addr, port);
}

}  // namespace np::nat
