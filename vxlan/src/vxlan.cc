#include "np/vxlan/vxlan.h"

#include <rte_hash_crc.h>

#include <cstring>

#include "np/dp/ipv4.h"

namespace np::vxlan {

namespace {

// The checksum of an outer header as encapsulate() writes it: only the length and the
// addresses vary, so the sum is a handful of additions (RFC 1071) instead of a pass over
// the header.
rte_be16_t header_checksum(const rte_ipv4_hdr& ip) {
  const uint32_t src = rte_be_to_cpu_32(ip.src_addr), dst = rte_be_to_cpu_32(ip.dst_addr);
  uint32_t sum = (uint32_t{RTE_IPV4_VHL_DEF} << 8) + rte_be_to_cpu_16(ip.total_length) +
                 RTE_IPV4_HDR_DF_FLAG + (uint32_t{dp::kDefaultTtl} << 8) + IPPROTO_UDP +
                 (src >> 16) + (src & 0xffff) + (dst >> 16) + (dst & 0xffff);
  sum = (sum & 0xffff) + (sum >> 16);
  sum = (sum & 0xffff) + (sum >> 16);
  return rte_cpu_to_be_16(static_cast<uint16_t>(~sum));
}

}  // namespace

uint16_t source_port(const rte_mbuf* inner) {
  // CRC32C (one instruction per 8 bytes) of the flow's fields: addresses, protocol and, for
  // unfragmented TCP/UDP/SCTP, ports; for other frames the Ethernet addresses.
  const auto* eth = rte_pktmbuf_mtod(inner, const rte_ether_hdr*);
  uint32_t hash;
  if (eth->ether_type == rte_cpu_to_be_16(RTE_ETHER_TYPE_IPV4) &&
      inner->data_len >= sizeof(rte_ether_hdr) + sizeof(rte_ipv4_hdr)) {
    const auto* ip = reinterpret_cast<const rte_ipv4_hdr*>(eth + 1);
    const uint32_t ihl = rte_ipv4_hdr_len(ip);
    hash = rte_hash_crc_8byte((uint64_t{ip->src_addr} << 32) | ip->dst_addr, ip->next_proto_id);
    const uint8_t proto = ip->next_proto_id;
    if (!dp::is_fragment(ip) && inner->data_len >= sizeof(rte_ether_hdr) + ihl + 4 &&
        (proto == IPPROTO_TCP || proto == IPPROTO_UDP || proto == IPPROTO_SCTP)) {
      uint32_t ports;
      std::memcpy(&ports, reinterpret_cast<const uint8_t*>(ip) + ihl, sizeof(ports));
      hash = rte_hash_crc_4byte(ports, hash);
    }
  } else {
    uint64_t macs[2] = {0, 0};
    std::memcpy(macs, eth, 2 * RTE_ETHER_ADDR_LEN);
    hash = rte_hash_crc_8byte(macs[1], rte_hash_crc_8byte(macs[0], 0));
  }
  return static_cast<uint16_t>(kSourcePortMin + hash % (65536 - kSourcePortMin));
}

bool encapsulate(rte_mbuf* m, const Outer& outer) {
  const uint16_t inner_len = static_cast<uint16_t>(m->pkt_len);
  const uint16_t sport = source_port(m);
  auto* eth = reinterpret_cast<rte_ether_hdr*>(rte_pktmbuf_prepend(m, kOuterLen));
  if (eth == nullptr) return false;
  std::memset(eth, 0, 2 * RTE_ETHER_ADDR_LEN);
  eth->ether_type = rte_cpu_to_be_16(RTE_ETHER_TYPE_IPV4);

  auto* ip = reinterpret_cast<rte_ipv4_hdr*>(eth + 1);
  ip->version_ihl = RTE_IPV4_VHL_DEF;
  ip->type_of_service = 0;
  ip->total_length =
      rte_cpu_to_be_16(static_cast<uint16_t>(kOuterLen - sizeof(rte_ether_hdr) + inner_len));
  ip->packet_id = 0;
  ip->fragment_offset = rte_cpu_to_be_16(RTE_IPV4_HDR_DF_FLAG);
  ip->time_to_live = dp::kDefaultTtl;
  ip->next_proto_id = IPPROTO_UDP;
  ip->src_addr = outer.src_ip;
  ip->dst_addr = outer.dst_ip;
  ip->hdr_checksum = header_checksum(*ip);

  auto* udp = reinterpret_cast<rte_udp_hdr*>(ip + 1);
  udp->src_port = rte_cpu_to_be_16(sport);
  udp->dst_port = outer.dst_port;
  udp->dgram_len = rte_cpu_to_be_16(
      static_cast<uint16_t>(sizeof(rte_udp_hdr) + sizeof(rte_vxlan_hdr) + inner_len));
  udp->dgram_cksum = 0;  // Allowed for IPv4 (RFC 7348, section 5); the kernel accepts it.

  auto* vx = reinterpret_cast<rte_vxlan_hdr*>(udp + 1);
  vx->vx_flags = rte_cpu_to_be_32(uint32_t{kFlagVni} << 24);
  vx->vx_vni = rte_cpu_to_be_32(outer.vni << 8);
  return true;
}

dp::VxlanDrop parse(const rte_mbuf* m, uint16_t vxlan_offset, uint32_t& vni) {
  if (m->data_len < vxlan_offset + sizeof(rte_vxlan_hdr) + sizeof(rte_ether_hdr))
    return dp::VxlanDrop::kTruncated;
  const auto* vx = rte_pktmbuf_mtod_offset(m, const rte_vxlan_hdr*, vxlan_offset);
  // Flags: exactly the I bit; the 24 reserved bits after them and the 8 after the VNI zero.
  if (vx->vx_flags != rte_cpu_to_be_32(uint32_t{kFlagVni} << 24) ||
      (vx->vx_vni & rte_cpu_to_be_32(0xff)) != 0)
    return dp::VxlanDrop::kBadFlags;
  vni = rte_be_to_cpu_32(vx->vx_vni) >> 8;
  return dp::VxlanDrop::kCount;
}

}  // namespace np::vxlan

namespace np::dp {

const char* vxlan_drop_name(VxlanDrop drop) {
  switch (drop) {
    case VxlanDrop::kTruncated:
      return "truncated";
    case VxlanDrop::kBadFlags:
      return "bad_flags";
    case VxlanDrop::kUnknownVni:
      return "unknown_vni";
    case VxlanDrop::kNotOurVtep:
      return "not_our_vtep";
    case VxlanDrop::kUnknownRemote:
      return "unknown_remote";
    case VxlanDrop::kNoHeadroom:
      return "no_headroom";
    case VxlanDrop::kMtuExceeded:
      return "mtu_exceeded";
    case VxlanDrop::kNoRouteToVtep:
      return "no_route_to_vtep";
    case VxlanDrop::kCount:
      break;
  }
  return "unknown";
}

}  // namespace np::dp
